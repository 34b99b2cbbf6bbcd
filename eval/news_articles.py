"""The annotated news-article batch (eval/data/news-articles/): its split and its training file.

    ./run python eval/news_articles.py split OUT       OUT/news-articles-{train,heldout}.tsv from news-articles-pairs.tsv
    ./run python eval/news_articles.py training OUT.tsv  the training stories' pairs (both files) as NLI training pairs
    ./run python eval/news_articles.py extraction [--errors]  who-said-what against eval/gold/news-articles.json,
                                                     per split; --errors lists the training stories' errors only

Split (written before any label existed, eval/selection-rules.md, session 6): the held-out stories
are the French story and the English story with the smallest sha1("story:<folder>"). A pair goes
with claim a's story; in `training`, a pair touching a held-out story is left out. Story folders
whose name starts with "e" are English, "f" French.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "eval")]

from stance.augment import write_pairs  # noqa: E402
from stance.train import Pair  # noqa: E402
from tsv_io import read_tsv, write_tsv  # noqa: E402

DATA = REPO / "eval" / "data" / "news-articles"
GOLD = DATA / "news-articles-pairs.tsv"
EXTRACTION_GOLD = REPO / "eval" / "gold" / "news-articles.json"
#: Pairs only `stance check --cross-story` builds (all neutral): training pairs, not part of the split.
CROSS_STORY = DATA / "news-articles-cross-story-pairs.tsv"
#: The gold's labels in NLI terms: `stance check` reads entailment as agreement.
NLI_LABEL = {"contradiction": "contradiction", "agreement": "entailment", "neutral": "neutral"}


def stories(articles: Path = DATA / "articles") -> list[str]:
    return sorted(p.name for p in articles.iterdir() if p.is_dir() and not p.name.startswith("."))


def heldout_stories(names: list[str]) -> set[str]:
    """The French and the English story with the smallest sha1("story:<name>")."""
    def key(name: str) -> str:
        return hashlib.sha1(f"story:{name}".encode()).hexdigest()
    return {min((n for n in names if n.startswith(lang)), key=key) for lang in ("e", "f")}


def story_of(statement_id: str, names: list[str]) -> str:
    """"f1-02_le-courrier-du-cher:3" -> "f1-usine" (articles are named after their story's prefix)."""
    prefix = statement_id.split("-", 1)[0] + "-"
    return next(n for n in names if n.startswith(prefix))


def split(rows: list[dict], names: list[str]) -> tuple[list[dict], list[dict]]:
    held = heldout_stories(names)
    train, heldout = [], []
    for row in rows:
        (heldout if story_of(row["name"].split("|")[0], names) in held else train).append(row)
    return train, heldout


def training_pairs(rows: list[dict], names: list[str]) -> list[Pair]:
    """Each pair both ways, as `stance check` scores both directions. Agreement as entailment both
    ways too: the gold's agreements are mostly restatements, and the check takes the larger
    direction anyway."""
    held = heldout_stories(names)
    pairs = []
    for row in rows:
        a_id, b_id = row["name"].split("|")
        if {story_of(a_id, names), story_of(b_id, names)} & held:
            continue
        label = NLI_LABEL[row["expected"]]
        pairs.append(Pair(row["a"], row["b"], label, row["name"]))
        pairs.append(Pair(row["b"], row["a"], label, row["name"] + " b->a"))
    return pairs


def extraction_by_split(show_errors: bool = False) -> None:
    """Extraction scores on the training and the held-out stories. Fixes to the extractor are made
    on the training stories' errors only (eval/selection-rules.md, session 8), so only those are listed."""
    from stance.evaluation.extraction import Counts, evaluate_extraction

    names = stories()
    held = heldout_stories(names)
    result = evaluate_extraction(EXTRACTION_GOLD)
    def story(path: str) -> str:
        return Path(path).parent.name
    print("| stories | articles | gold | TP | FP | FN | precision | recall | F1 | speaker accuracy |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, keep in (("training", lambda s: s not in held), ("held-out", lambda s: s in held),
                        ("all", lambda s: True)):
        rows = [v["0.3"] for k, v in result.per_article.items() if keep(story(k))]
        m = Counts(**{x: sum(r[x] for r in rows) for x in ("tp", "fp", "fn")},
                   speaker=sum(r["speaker_matches"] for r in rows)).as_json()
        print(f"| {label} | {len(rows)} | {m['tp'] + m['fn']} | {m['tp']} | {m['fp']} | {m['fn']} | "
              f"{100 * m['precision']:.1f} | {100 * m['recall']:.1f} | {100 * m['f1']:.1f} | "
              f"{100 * m['speaker_accuracy']:.1f} |")
    if show_errors:
        for kind, items in result.errors.items():
            items = [e for e in items if story(e["article"]) not in held]
            print(f"\n## {kind} (training stories): {len(items)}")
            for e in items:
                print("-", " ".join(f"{k}={v}" for k, v in e.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("split").add_argument("out", type=Path)
    commands.add_parser("training").add_argument("out", type=Path)
    commands.add_parser("extraction").add_argument("--errors", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "extraction":
        extraction_by_split(args.errors)
        return 0
    names, rows = stories(), read_tsv(GOLD)
    if args.command == "split":
        train, heldout = split(rows, names)
        columns = list(rows[0].keys())
        write_tsv(args.out / "news-articles-train.tsv", train, columns)
        write_tsv(args.out / "news-articles-heldout.tsv", heldout, columns)
        print(f"held out: {', '.join(sorted(heldout_stories(names)))}; {len(train)} training-story pairs, "
              f"{len(heldout)} held-out pairs under {args.out}")
        return 0
    pairs = training_pairs(rows + read_tsv(CROSS_STORY), names)
    write_pairs(pairs, args.out)
    print(f"{args.out}: {len(pairs)} training inputs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
