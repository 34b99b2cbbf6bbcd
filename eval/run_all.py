"""Regenerate stance's results tables: the default NLI model on every test split, stance's labels on
the annotated seed claim pairs, the mission pairs, the held-out written news-claim pairs and the
annotated pairs of the news-article batch, extraction on the seeds and on the news-article batch.

    ./run python eval/run_all.py [--data DIR] [--limit N] [--model M]

Runs `stance eval pairs` on the test splits under --data (default ../shared/data/nli: XNLI-fr,
SICK-FR, RTE3-FR, GQNLI-FR, FraCaS-FR, SNLI-en), `stance eval claims` on eval/gold/seed-pairs.tsv,
eval/data/mission/pairs.tsv, eval/data/news-claims/news-claims-heldout.tsv and
eval/data/news-articles/news-articles-pairs.tsv, and `stance eval
extraction` on eval/gold/seeds.json, writes each run's metrics.json, report.md and plots under
eval/results/, and rewrites the table between the results markers of eval/README.md.
A split missing from --data is left out of the table and named on stderr. The full run takes
about 20 minutes on two busy CPU cores; --limit N scores a seeded sample of N pairs per split.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SPLITS = ["xnli-fr/test", "sick-fr/test", "rte3-fr/test", "gqnli-fr/test", "fracas-fr/test", "snli-en/test"]
START, END = "<!-- results:start -->", "<!-- results:end -->"


def stance(*args: str) -> int:
    """The CLI itself, in a subprocess: the table is exactly what a user would get."""
    command = [sys.executable, "-m", "stance", *args]
    print("+ stance " + " ".join(args), file=sys.stderr)
    return subprocess.call(command, cwd=REPO, stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "nli")
    parser.add_argument("--limit", type=int, help="seeded sample of at most N pairs per split")
    parser.add_argument("--model", help="NLI model (default: the embedded default model)")
    parser.add_argument("--output", type=Path, default=HERE / "results")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite eval/README.md")
    args = parser.parse_args(argv)

    files = []
    for split in SPLITS:
        path = args.data / f"{split}.tsv"
        if path.is_file():
            files.append(os.path.relpath(path, REPO))
        else:
            print(f"run_all: {path} not found, left out", file=sys.stderr)
    options = ["-q", "-o", str(args.output / "nli")]
    options += ["--limit", str(args.limit)] if args.limit else []
    options += ["--model", args.model] if args.model else []
    if files and stance("eval", "pairs", *files, *options) != 0:
        return 2
    claims = [os.path.join("eval", "gold", "seed-pairs.tsv"), os.path.join("eval", "data", "mission", "pairs.tsv"),
              os.path.join("eval", "data", "news-claims", "news-claims-heldout.tsv"),
              os.path.join("eval", "data", "news-articles", "news-articles-pairs.tsv")]
    if stance("eval", "claims", *claims, "-q", "-o", str(args.output / "claims"),
              *(["--model", args.model] if args.model else [])) != 0:
        return 2
    for gold, folder in (("seeds.json", "extraction"), ("news-articles.json", "extraction-news-articles")):
        if stance("eval", "extraction", os.path.join("eval", "gold", gold), "-o", str(args.output / folder)) != 0:
            return 2
    table = results_table(args.output, args.limit)
    print(table)
    if not args.no_readme:
        readme = HERE / "README.md"
        text = readme.read_text(encoding="utf-8")
        if START not in text or END not in text:
            print(f"run_all: no results markers in {readme}; table not written there", file=sys.stderr)
            return 2
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        readme.write_text(f"{before}{START}\n{table}\n{END}{after}", encoding="utf-8")
        print(f"run_all: table written to {readme}", file=sys.stderr)
    return 0


def results_table(output: Path, limit: int | None) -> str:
    from stance.evaluation.claims import ClaimScores
    from stance.evaluation.report import claims_table, extraction_table, kind_table, summary_table
    from stance.evaluation.extraction import ExtractionResult
    from stance.evaluation.pairs import CalibrationBin, PairScores

    lines = [f"Generated {dt.date.today().isoformat()} by `eval/run_all.py`"
             + (f" with --limit {limit}" if limit else "") + "."]
    nli_file = output / "nli" / "metrics.json"
    if nli_file.is_file():
        nli = json.loads(nli_file.read_text(encoding="utf-8"))
        results = []
        for name, m in nli["datasets"].items():
            results.append(PairScores(
                name=name, source=m["source"], task=m["task"], labels=tuple(m["confusion"]["labels"]),
                n=m["n"], accuracy=m["accuracy"], macro_f1=m["macro_f1"], per_class=m["per_class"],
                confusion=m["confusion"]["matrix"], ece=m["ece"],
                calibration=[CalibrationBin(**b) for b in m["calibration"]],
                best_threshold=m["best_threshold"], threshold=m["threshold"],
                pairs_per_s=m["pairs_per_s"], rows=m["rows"], bad_rows=m["bad_rows"]))
        lines += ["", f"NLI, model `{nli['model']}` (details: `eval/results/nli/report.md`):", "",
                  summary_table(results)]
    claims_file = output / "claims" / "metrics.json"
    if claims_file.is_file():
        claims = json.loads(claims_file.read_text(encoding="utf-8"))
        lines += ["", f"Claim pairs as `stance check` labels them, model `{claims['model']}` "
                      "(details and threshold curves: `eval/results/claims/report.md`):", "",
                  claims_table([ClaimScores.from_json(name, m) for name, m in claims["datasets"].items()])]
    for gold, folder, what in (
            ("seeds.json", "extraction", "the seeds, stance's development articles: an upper bound"),
            ("news-articles.json", "extraction-news-articles",
             "the 48 articles of eval/data/news-articles; the split's figures: `eval/news_articles.py extraction`")):
        extraction = json.loads((output / folder / "metrics.json").read_text(encoding="utf-8"))
        result = ExtractionResult(**{k: extraction[k] for k in (
            "gold", "articles", "gold_statements", "predicted_statements", "thresholds", "per_article", "errors")})
        lines += ["", f"Extraction on `eval/gold/{gold}` ({what}; {result.gold_statements} gold statements, "
                      f"{result.predicted_statements} extracted; errors: `eval/results/{folder}/report.md`):",
                  "", extraction_table(result), "", kind_table(result)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
