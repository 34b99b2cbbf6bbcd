"""Keep a gold file of labelled claim pairs in step with the pairs `stance check` builds on a batch.

    ./run python eval/pairs_gold.py [--articles DIR --gold FILE] [--cross-story] status      how the gold and today's pairs differ
    ./run python eval/pairs_gold.py [--articles DIR --gold FILE] [--cross-story] packets OUT blind annotation packets for the pairs the gold lacks
    ./run python eval/pairs_gold.py [--articles DIR --gold FILE] [--cross-story] merge OUT   the labelled packets into the gold

The defaults are the seeds and eval/gold/seed-pairs.tsv; eval/data/news-articles/ has its own gold
(see its README). A gold file that does not exist yet is an empty gold: `packets` then covers every
pair and `merge` creates it.

tests/test_pairs.py fails when extraction or pairing adds, drops or rewords a seed pair. Then:
`status` lists the changes; `packets DIR` writes, for each of two passes (A, B), the pairs without
a gold label, shuffled per pass and split over --chunks files (DIR/A0.txt …), each pair shown with
both claims, their actors, article titles and sentences and no model output, plus the guideline
(DIR/GUIDE.md). Each annotator writes DIR/out-<packet>.tsv, one line per pair:
`<pair name> TAB <contradiction|agreement|neutral> TAB <reason>`. `merge DIR` checks that every
pair still has the texts the annotators saw (DIR/manifest.tsv), keeps the gold rows
whose pair is still built with the same texts, adds the new pairs where passes A and B agree, takes
disagreements from DIR/adjudicated.tsv (same three columns), and rewrites the gold; it stops,
listing them, while any disagreement is not adjudicated. Exit codes: 0 done; 1 disagreements left
or an annotation missing; 2 unreadable input.
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "eval")]

from tsv_io import read_tsv, write_tsv  # noqa: E402

SEEDS = REPO / "seeds"
GOLD = REPO / "eval" / "gold" / "seed-pairs.tsv"
GUIDE = REPO / "eval" / "gold" / "seed-pairs-guide.md"
COLUMNS = ("name", "a", "b", "expected", "pass_a", "pass_b", "why")
LABELS = ("contradiction", "agreement", "neutral")


def current_pairs(articles_dir: Path = SEEDS, cross_story: bool = False) -> dict[str, tuple]:
    """name -> (ClaimPair, actor names, article titles) for a batch, as `stance check DIR` pairs
    them; with `cross_story`, the pairs only `stance check --cross-story DIR` builds."""
    from stance.extract import extract_statements
    from stance.pairs import article_anchors, build_pairs, topic_vectors
    from stance.readers import read_articles

    articles, skipped = read_articles([articles_dir])
    if not articles:
        # An empty batch would make every gold row look stale (and `merge` would empty the gold).
        raise ValueError(f"no usable article in {articles_dir}"
                         + (f" ({skipped[0].path}: {skipped[0].reason})" if skipped else ""))
    extracted = extract_statements(articles)
    actors = {actor.id: actor.name for actor in extracted.actors}
    titles = {article.id: article.title or article.id for article in articles}
    def named(pairs):
        return {f"{p.a.id}|{p.b.id}": (p, actors, titles) for p in pairs}
    vectors = topic_vectors(extracted.statements)   # embedded once for both pairings
    default = named(build_pairs(extracted.statements, vectors=vectors, anchors=article_anchors(extracted)))
    if not cross_story:
        return default
    everything = named(build_pairs(extracted.statements, vectors=vectors))
    return {name: found for name, found in everything.items() if name not in default}


def read_gold(path: Path) -> dict[str, dict]:
    return {row["name"]: row for row in read_tsv(path)} if path.exists() else {}


def renumber(gold: dict[str, dict], pairs: dict[str, tuple]) -> dict[str, dict]:
    """The gold with each row whose name now carries other texts moved to the name its two texts
    have today: a statement found earlier in an article shifts the numbers of those after it."""
    by_texts = {(p[0].a.text, p[0].b.text): name for name, p in pairs.items()}
    moved = {}
    for name, row in gold.items():
        built = pairs.get(name)
        if built is None or (built[0].a.text, built[0].b.text) != (row["a"], row["b"]):
            name = by_texts.get((row["a"], row["b"]), name)
        moved.setdefault(name, {**row, "name": name})
    return moved


def compare(gold: dict[str, dict], pairs: dict[str, tuple]) -> tuple[list[str], list[str], list[str]]:
    """(kept, stale, missing): gold rows still built with their texts, gold rows that are not, pairs without gold."""
    def same(name: str) -> bool:
        pair = pairs[name][0]
        return (pair.a.text, pair.b.text) == (gold[name]["a"], gold[name]["b"])
    kept = [name for name in gold if name in pairs and same(name)]
    stale = [name for name in gold if name not in kept]
    missing = [name for name in pairs if name not in kept]
    return kept, stale, missing


def _block(statement, actors, titles) -> str:
    return (f"  actor: {actors.get(statement.actor_id, statement.actor_id)}   (speaker as written: {statement.speaker})\n"
            f"  article: {titles.get(statement.article_id, statement.article_id)}\n"
            f"  claim: {statement.text}\n  sentence: {statement.sentence}\n")


MANIFEST = "manifest.tsv"


def write_packets(directory: Path, names: list[str], pairs: dict[str, tuple], chunks: int) -> list[Path]:
    """The packets, the guideline and DIR/manifest.tsv (name, a, b): `merge` checks that each
    labelled name still carries the texts its annotators read (statement numbers can shift)."""
    if directory.exists() and any(directory.iterdir()):
        raise ValueError(f"{directory}: not empty; packets go into a new directory (labels of an earlier "
                         f"round would be merged with these)")
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(GUIDE, directory / "GUIDE.md")
    write_tsv(directory / MANIFEST, [{"name": name, "a": pairs[name][0].a.text, "b": pairs[name][0].b.text}
                                     for name in names], ("name", "a", "b"))
    written = []
    for seed, which in enumerate(("A", "B"), start=1):
        order = list(names)
        random.Random(seed).shuffle(order)
        for k in range(chunks):
            part = order[k::chunks]
            if not part:
                continue
            path = directory / f"{which}{k}.txt"
            with path.open("w", encoding="utf-8") as f:
                for name in part:
                    pair, actors, titles = pairs[name]
                    f.write(f"=== {name}\nA:\n{_block(pair.a, actors, titles)}B:\n{_block(pair.b, actors, titles)}\n")
            written.append(path)
    return written


def read_labels(paths: list[Path]) -> dict[str, tuple[str, str]]:
    """name -> (label, reason) from `name TAB label TAB reason` lines; one name, one label."""
    labels: dict[str, tuple[str, str]] = {}
    where: dict[str, str] = {}
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
            if not line.strip():
                continue
            if "\t" not in line:
                raise ValueError(f"{path}:{number}: expected 'name<TAB>label<TAB>reason'")
            name, label, *reason = (part.strip() for part in line.split("\t"))
            label = label.lower()
            if label not in LABELS:
                raise ValueError(f"{path}:{number}: unknown label {label!r} (use {', '.join(LABELS)})")
            if name in labels and labels[name][0] != label:
                raise ValueError(f"{path}:{number}: {name} is {label} here but {labels[name][0]} at {where[name]}")
            labels[name], where[name] = (label, reason[0] if reason else ""), f"{path}:{number}"
    return labels


def merge(directory: Path, gold_path: Path, gold: dict[str, dict], pairs: dict[str, tuple]) -> int:
    kept, stale, missing = compare(gold, pairs)
    passes = {which: read_labels(sorted(directory.glob(f"out-{which}*.tsv"))) for which in ("A", "B")}
    adjudicated = read_labels([directory / "adjudicated.tsv"]) if (directory / "adjudicated.tsv").is_file() else {}
    shown = {row["name"]: (row["a"], row["b"]) for row in read_tsv(directory / MANIFEST)}
    for name in sorted(set(passes["A"]) | set(passes["B"]) | set(adjudicated)):
        if name not in missing:
            print(f"pairs_gold: {name}: labelled but not a pair without gold; ignored", file=sys.stderr)
    changed = [name for name in missing if name in shown
               and shown[name] != (pairs[name][0].a.text, pairs[name][0].b.text)]
    if changed:
        raise ValueError(f"{len(changed)} pair(s) changed text since the packets were written (e.g. {changed[0]}): "
                         f"write new packets")
    # A round may cover a sample (`packets --sample`): only the pairs its packets showed are merged.
    this_round = [name for name in missing if name in shown]
    rows, unresolved, unlabelled = [gold[name] for name in kept], [], []
    for name in this_round:
        a, b = passes["A"].get(name), passes["B"].get(name)
        if a is None or b is None:
            unlabelled.append(name)
            continue
        pair, actors, _ = pairs[name]
        who = f"{actors.get(pair.a.actor_id)} / {actors.get(pair.b.actor_id)}: "
        if a[0] == b[0]:
            label, why = a[0], who + a[1]
        elif name in adjudicated:
            label, why = adjudicated[name][0], who + "adjudicated: " + adjudicated[name][1]
        else:
            unresolved.append(f"{name}\tA {a[0]} ({a[1]})\tB {b[0]} ({b[1]})")
            continue
        rows.append({"name": name, "a": pair.a.text, "b": pair.b.text, "expected": label,
                     "pass_a": a[0], "pass_b": b[0], "why": why})
    for name in unlabelled:
        print(f"pairs_gold: {name}: not labelled by both passes", file=sys.stderr)
    for line in unresolved:
        print(f"pairs_gold: to adjudicate (add to {directory / 'adjudicated.tsv'}): {line}", file=sys.stderr)
    if unlabelled or unresolved:
        return 1
    # Kept rows stay where they were and new ones follow: a re-annotation is a small diff.
    write_tsv(gold_path, rows, COLUMNS)
    print(f"{gold_path}: {len(kept)} rows kept, {len(stale)} stale dropped, {len(this_round)} added, "
          f"{len(missing) - len(this_round)} pairs still without a label; "
          f"labels {dict(Counter(row['expected'] for row in rows))}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("status")
    packets = commands.add_parser("packets")
    packets.add_argument("directory", type=Path)
    packets.add_argument("--chunks", type=int, default=4, help="files per pass (one per annotator)")
    packets.add_argument("--sample", type=int, default=None,
                         help="label only this many of the pairs without gold, drawn at random (seed 13); "
                              "for batches too large to label whole")
    merging = commands.add_parser("merge")
    merging.add_argument("directory", type=Path)
    parser.add_argument("--articles", type=Path, default=SEEDS, help="the batch (default seeds/)")
    parser.add_argument("--gold", type=Path, default=GOLD, help=f"the gold file (default {GOLD.relative_to(REPO)})")
    parser.add_argument("--cross-story", action="store_true",
                        help="the pairs only `stance check --cross-story` builds (eval/data/news-articles keeps them apart)")
    args = parser.parse_args(argv)
    try:
        pairs = current_pairs(args.articles, args.cross_story)
        gold = renumber(read_gold(args.gold), pairs)
        kept, stale, missing = compare(gold, pairs)
        if args.command == "status":
            print(f"{len(pairs)} pairs built on {args.articles}; gold: {len(kept)} up to date, {len(stale)} stale, "
                  f"{len(missing)} pairs without a label")
            for name in stale:
                print(f"  stale:   {name}")
            for name in missing:
                print(f"  missing: {name}")
            return 0
        if args.command == "packets":
            if args.sample is not None and args.sample < len(missing):
                missing = sorted(random.Random(13).sample(missing, args.sample))
            written = write_packets(args.directory, missing, pairs, max(1, args.chunks))
            print(f"{len(missing)} pairs in {len(written)} packets under {args.directory} (+ GUIDE.md)")
            return 0
        return merge(args.directory, args.gold, gold, pairs)
    except (OSError, ValueError) as error:
        print(f"pairs_gold: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
