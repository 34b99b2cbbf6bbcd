"""Build eval/data/news-claims/ from pairs written by authors and re-labelled blind by checkers.

    python eval/news_claims.py packets AUTHORED_DIR OUT_DIR   # blind packets for the checkers
    python eval/news_claims.py merge AUTHORED_DIR CHECKED_DIR [--data eval/data/news-claims]
    python eval/news_claims.py training [--data eval/data/news-claims] OUT.tsv

AUTHORED_DIR holds author-N.tsv (columns topic, kind, label, a, b; eval/data/news-claims/authoring-brief.md).
A checker sees each pair without its label, kind or topic, in a shuffled order, and labels it with
eval/data/news-claims/checking-guide.md into CHECKED_DIR/checked-N.tsv. `merge` writes train.tsv and
heldout.tsv: a pair is labelled (`expected`) only where author and checker agree; the others keep
an empty `expected`, so `stance eval claims` skips them. Per author, the two topics with the
smallest sha1("author:topic") are held out.
`training` writes a premise/hypothesis/label file (the stage-7 experiments of the model card):
contradiction and neutral both ways, agreement a -> b (and b -> a for paraphrases); with
--cross-neutral N, N same-topic cross pairs (a of one pair, b of another) labelled neutral.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import random
import sys
from pathlib import Path

LABELS = ("contradiction", "agreement", "neutral")
COLUMNS = ("name", "topic", "kind", "author_label", "checker_label", "expected", "a", "b")
HELD_OUT_PER_AUTHOR = 2
DATA = Path(__file__).resolve().parent / "data" / "news-claims"


def read_tsv(path: Path, raw: bool = False) -> list[dict]:
    """Rows of a TSV file; `raw`: quotes are text (authors' files), else CSV quoting (ours)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE if raw else csv.QUOTE_MINIMAL))


def write_tsv(path: Path, rows: list[dict], columns) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, delimiter="\t", lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def authored(authored_dir: Path) -> list[dict]:
    """Every authored pair, named author-N:line, checked for its fields."""
    rows, problems = [], []
    for path in sorted(authored_dir.glob("author-*.tsv")):
        author = path.stem.split("-", 1)[1]
        for line, row in enumerate(read_tsv(path, raw=True), start=2):
            fields = {key: (row.get(key) or "").strip() for key in ("topic", "kind", "label", "a", "b")}
            if fields["label"] not in LABELS or not fields["a"] or not fields["b"] or None in row:
                problems.append(f"{path}:{line}: bad row")
                continue
            rows.append({"name": f"a{author}-{line:03d}", "author": author, **fields})
    if problems:
        sys.exit("\n".join(problems))
    return rows


def held_out_topics(rows: list[dict]) -> set[tuple[str, str]]:
    by_author: dict[str, set[str]] = {}
    for row in rows:
        by_author.setdefault(row["author"], set()).add(row["topic"])
    digest = lambda author, topic: hashlib.sha1(f"{author}:{topic}".encode()).hexdigest()
    return {(author, topic) for author, topics in by_author.items()
            for topic in sorted(topics, key=lambda t: digest(author, t))[:HELD_OUT_PER_AUTHOR]}


def packets(authored_dir: Path, out_dir: Path) -> None:
    """One blind packet per author's file, to be labelled by a checker who did not write it."""
    if out_dir.exists() and any(out_dir.iterdir()):
        sys.exit(f"{out_dir}: not empty; packets go to a fresh directory")
    rows = authored(authored_dir)
    for author in sorted({row["author"] for row in rows}):
        items = [row for row in rows if row["author"] == author]
        random.Random(f"packet-{author}").shuffle(items)
        lines = [f"=== {row['name']}\nA: {row['a']}\nB: {row['b']}\n" for row in items]
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / f"packet-{author}.txt").write_text("\n".join(lines), encoding="utf-8")
    print(f"{len(rows)} pairs in {out_dir}")


def merge(authored_dir: Path, checked_dir: Path, data: Path) -> None:
    rows = authored(authored_dir)
    checked = {}
    for path in sorted(checked_dir.glob("checked-*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 2 and parts[1].strip() in LABELS:
                checked[parts[0].strip()] = parts[1].strip()
    missing = [row["name"] for row in rows if row["name"] not in checked]
    if missing:
        sys.exit(f"{len(missing)} pairs have no checker label, e.g. {missing[:5]}")
    held_out = held_out_topics(rows)
    splits: dict[str, list[dict]] = {"train": [], "heldout": []}
    for row in rows:
        row["author_label"], row["checker_label"] = row["label"], checked[row["name"]]
        row["expected"] = row["label"] if row["label"] == row["checker_label"] else ""
        split = "heldout" if (row["author"], row["topic"]) in held_out else "train"
        splits[split].append(row)
    for split, split_rows in splits.items():
        write_tsv(data / f"{split}.tsv", split_rows, COLUMNS)
        agreed = sum(1 for row in split_rows if row["expected"])
        counts = {label: sum(1 for row in split_rows if row["expected"] == label) for label in LABELS}
        print(f"{split}: {len(split_rows)} pairs, {agreed} with author and checker agreeing {counts}")


def training(data: Path, out: Path, cross_neutral: int = 0, seed: int = 13) -> None:
    """The training file; `cross_neutral` adds that many same-topic cross pairs labelled neutral."""
    pairs, rows = [], [row for row in read_tsv(data / "train.tsv") if row["expected"]]
    for row in rows:
        label = row["expected"]
        nli = "entailment" if label == "agreement" else label
        pairs.append({"premise": row["a"], "hypothesis": row["b"], "label": nli})
        if label != "agreement" or "paraphrase" in row["kind"].lower():
            pairs.append({"premise": row["b"], "hypothesis": row["a"], "label": nli})
    pairs += cross_pairs(rows, cross_neutral, seed)
    write_tsv(out, pairs, ("premise", "hypothesis", "label"))
    print(f"{len(pairs)} training pairs in {out}")


def cross_pairs(rows: list[dict], n: int, seed: int) -> list[dict]:
    """Claim a of one pair with claim b of another pair of the same topic, labelled neutral: what
    most claim pairs of one story are (related, compatible). Some drawn pairs will in fact agree or
    contradict; that noise is accepted."""
    by_topic: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        by_topic.setdefault((row["name"].split("-")[0], row["topic"]), []).append(row)
    rng, topics, drawn = random.Random(seed), sorted(by_topic), set()
    while len(drawn) < n:
        group = by_topic[rng.choice(topics)]
        first, second = rng.sample(range(len(group)), 2)
        drawn.add((group[first]["a"], group[second]["b"]))
    return [{"premise": a, "hypothesis": b, "label": "neutral"} for a, b in sorted(drawn)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("packets")
    p.add_argument("authored", type=Path)
    p.add_argument("out", type=Path)
    m = sub.add_parser("merge")
    m.add_argument("authored", type=Path)
    m.add_argument("checked", type=Path)
    m.add_argument("--data", type=Path, default=DATA)
    t = sub.add_parser("training")
    t.add_argument("out", type=Path)
    t.add_argument("--data", type=Path, default=DATA)
    t.add_argument("--cross-neutral", type=int, default=0, help="add N same-topic cross pairs labelled neutral")
    args = parser.parse_args()
    if args.command == "packets":
        packets(args.authored, args.out)
    elif args.command == "merge":
        merge(args.authored, args.checked, args.data)
    else:
        training(args.data, args.out, args.cross_neutral)


if __name__ == "__main__":
    main()
