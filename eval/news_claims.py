"""Build eval/data/news-claims/ from pairs written by authors and re-labelled blind by checkers.

    ./run python eval/news_claims.py packets AUTHORED_DIR OUT_DIR   # blind packets for the checkers
    ./run python eval/news_claims.py merge AUTHORED_DIR CHECKED_DIR [--data eval/data/news-claims]
    ./run python eval/news_claims.py training [--data eval/data/news-claims] OUT.tsv

AUTHORED_DIR holds author-N.tsv (columns topic, kind, label, a, b; brief:
eval/data/news-claims/authoring-brief.md). `packets` shuffles each file, gives every pair a random
id (the key goes to AUTHORED_DIR/packet-key.tsv) and shows only the two claims; a checker labels
them with eval/data/news-claims/checking-guide.md into CHECKED_DIR/checked-N.tsv. `merge` writes
news-claims-train.tsv and news-claims-heldout.tsv: a pair is labelled (`expected`) only where author
and checker agree; the others keep an empty `expected`, so `stance eval claims` skips them. Per
author, the two topics with the smallest sha1("author:topic") are held out.
`training` writes a premise/hypothesis/label file (the stage-7 experiments of the model card):
contradiction and neutral both ways (neutral one way when a is hedged), agreement a -> b (and
b -> a for paraphrases); --cross-neutral N adds N same-topic cross pairs (a of one pair, b of
another) labelled neutral.
"""
from __future__ import annotations

import argparse
import hashlib
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stance.augment import write_pairs  # noqa: E402
from stance.train import Pair  # noqa: E402
from tsv_io import read_tsv, write_tsv  # noqa: E402

LABELS = ("contradiction", "agreement", "neutral")
COLUMNS = ("name", "topic", "kind", "author_label", "checker_label", "expected", "a", "b")
HELD_OUT_PER_AUTHOR = 2
DATA = Path(__file__).resolve().parent / "data" / "news-claims"
SPLIT_FILES = {"train": "news-claims-train.tsv", "heldout": "news-claims-heldout.tsv"}
KEY = "packet-key.tsv"


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
    """One blind packet per author's file, to be labelled by a checker who did not write it.

    Items carry random ids (an author's line number would tell its label: authors write topic
    blocks in label order); the ids' key goes to AUTHORED_DIR/packet-key.tsv, beside the labels."""
    if out_dir.exists() and any(out_dir.iterdir()):
        sys.exit(f"{out_dir}: not empty; packets go to a fresh directory")
    rows = authored(authored_dir)
    rng = random.SystemRandom()
    key = {}
    for author in sorted({row["author"] for row in rows}):
        items = [row for row in rows if row["author"] == author]
        rng.shuffle(items)
        lines = []
        for row in items:
            item = f"q{rng.getrandbits(40):010x}"
            key[item] = row["name"]
            lines.append(f"=== {item}\nA: {row['a']}\nB: {row['b']}\n")
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / f"packet-{author}.txt").write_text("\n".join(lines), encoding="utf-8")
    write_tsv(authored_dir / KEY, [{"item": item, "name": name} for item, name in key.items()], ("item", "name"))
    print(f"{len(rows)} pairs in {out_dir}; key in {authored_dir / KEY}")


def checker_labels(authored_dir: Path, checked_dir: Path) -> dict[str, str]:
    """name -> the checker's label, through the packet key; a bad or repeated line stops the merge."""
    if not (authored_dir / KEY).is_file():
        sys.exit(f"{authored_dir / KEY}: no packet key (the checkers' ids come from `packets`)")
    key = {row["item"]: row["name"] for row in read_tsv(authored_dir / KEY)}
    checked, problems = {}, []
    for path in sorted(checked_dir.glob("checked-*.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("\t")]
            name = key.get(parts[0])
            if name is None:
                problems.append(f"{path}:{number}: {parts[0]!r} is not an id of the packets")
            elif len(parts) < 2 or parts[1] not in LABELS:
                problems.append(f"{path}:{number}: no label of {LABELS}")
            elif name in checked:
                problems.append(f"{path}:{number}: {parts[0]} labelled twice")
            else:
                checked[name] = parts[1]
    if problems:
        sys.exit("\n".join(problems))
    return checked


def merge(authored_dir: Path, checked_dir: Path, data: Path) -> None:
    rows = authored(authored_dir)
    checked = checker_labels(authored_dir, checked_dir)
    missing = [row["name"] for row in rows if row["name"] not in checked]
    unknown = sorted(set(checked) - {row["name"] for row in rows})
    if missing or unknown:
        sys.exit(f"{len(missing)} pairs have no checker label (e.g. {missing[:3]}); "
                 f"{len(unknown)} labels name no pair (e.g. {unknown[:3]})")
    held_out = held_out_topics(rows)
    splits: dict[str, list[dict]] = {"train": [], "heldout": []}
    for row in rows:
        row["author_label"], row["checker_label"] = row["label"], checked[row["name"]]
        row["expected"] = row["label"] if row["label"] == row["checker_label"] else ""
        split = "heldout" if (row["author"], row["topic"]) in held_out else "train"
        splits[split].append(row)
    for split, split_rows in splits.items():
        write_tsv(data / SPLIT_FILES[split], split_rows, COLUMNS)
        agreed = sum(1 for row in split_rows if row["expected"])
        counts = {label: sum(1 for row in split_rows if row["expected"] == label) for label in LABELS}
        print(f"{split}: {len(split_rows)} pairs, {agreed} with author and checker agreeing {counts}")


def training(data: Path, out: Path, cross_neutral: int = 0, seed: int = 13) -> None:
    """The training file; `cross_neutral` adds that many same-topic cross pairs labelled neutral."""
    rows = [row for row in read_tsv(data / SPLIT_FILES["train"]) if row["expected"]]
    pairs = []
    for row in rows:
        nli = "entailment" if row["expected"] == "agreement" else row["expected"]
        pairs.append(Pair(row["a"], row["b"], nli, row["name"]))
        if both_ways(row):
            pairs.append(Pair(row["b"], row["a"], nli, row["name"] + " b->a"))
    pairs += cross_pairs(rows, cross_neutral, seed)
    write_pairs(pairs, out)
    print(f"{len(pairs)} training pairs in {out}")


def both_ways(row: dict) -> bool:
    """Whether the label also holds from b to a: contradiction does; agreement only for a paraphrase
    (b follows from a by the brief); neutral unless a is hedged, because a firm b ("will be
    postponed") does support a hedged a ("could be postponed")."""
    kind = row["kind"].lower()
    if row["expected"] == "agreement":
        return "paraphrase" in kind
    return row["expected"] == "contradiction" or "hedge" not in kind


def cross_pairs(rows: list[dict], n: int, seed: int) -> list[Pair]:
    """Claim a of one pair with claim b of another pair of the same topic, labelled neutral: what
    most claim pairs of one story are (related, compatible). Some drawn pairs will in fact agree or
    contradict; that noise is accepted."""
    by_topic: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        by_topic.setdefault((row["name"].split("-")[0], row["topic"]), []).append(row)
    by_topic = {topic: group for topic, group in by_topic.items() if len(group) > 1}
    available = len({(x["a"], y["b"]) for group in by_topic.values() for x in group for y in group if x is not y})
    if n > available:
        sys.exit(f"--cross-neutral {n}: only {available} same-topic cross pairs exist")
    rng, topics, drawn = random.Random(seed), sorted(by_topic), set()
    while len(drawn) < n:
        group = by_topic[rng.choice(topics)]
        first, second = rng.sample(range(len(group)), 2)
        drawn.add((group[first]["a"], group[second]["b"]))
    return [Pair(a, b, "neutral", "cross pair") for a, b in sorted(drawn)]


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
