"""`stance check` end to end on the real seeds, with a tiny NLI model built locally."""
import json
import shutil

import pytest
from typer.testing import CliRunner

from stance.cli import app
from stance.pipeline import CheckOptions, check

runner = CliRunner()

LAVROV_NO_MEETING = "aucune rencontre n'était prévue entre M. Poutine et M. Zelensky"
LAVROV_READY = "M. Poutine est prêt à rencontrer M. Zelensky lorsque l'ordre du jour sera prêt"


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def seeds_outputs(tiny_model_dir, seeds_dir, tmp_path_factory):
    """One check of the seeds written as JSON and as TSV (stem r: r.json, r.tsv)."""
    stem = tmp_path_factory.mktemp("cli") / "r"
    result = run("check", seeds_dir, "--model", tiny_model_dir, "--format", "json,tsv", "--output", stem, "--quiet")
    assert result.exit_code == 0, result.output
    return stem.with_suffix(".json"), stem.with_suffix(".tsv")


@pytest.fixture(scope="module")
def seeds_report(seeds_outputs):
    return json.loads(seeds_outputs[0].read_text(encoding="utf-8"))


def test_tsv_lists_every_compared_pair_ready_to_label_for_eval_claims(seeds_outputs, seeds_report, tmp_path):
    import csv

    from stance.evaluation.claims import load_claim_pairs

    with seeds_outputs[1].open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    texts = {s["id"]: s["text"] for s in seeds_report["statements"]}
    assert [r["name"] for r in rows] == [f"{c['a']}|{c['b']}" for c in seeds_report["comparisons"]]
    for row, comparison in zip(rows, seeds_report["comparisons"]):
        one_line = [" ".join(texts[comparison[side]].split()) for side in ("a", "b")]
        assert [row["a"], row["b"]] == one_line
        assert row["label"] == comparison["label"] and row["expected"] == ""
        assert float(row["contradiction"]) == pytest.approx(comparison["scores"]["contradiction"], abs=1e-4)
    assert len(seeds_outputs[1].read_text(encoding="utf-8").splitlines()) == len(rows) + 1   # one row per line

    # Label two rows and the file scores as it is: the unlabelled rows are skipped, not bad.
    lines = seeds_outputs[1].read_text(encoding="utf-8").splitlines()
    for i, label in ((1, "neutral"), (2, "contradiction")):
        cells = next(csv.reader([lines[i]], delimiter="\t"))
        cells[3] = label
        buffer = __import__("io").StringIO()
        csv.writer(buffer, delimiter="\t", lineterminator="").writerow(cells)
        lines[i] = buffer.getvalue()
    labelled = tmp_path / "labelled.tsv"
    labelled.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load_claim_pairs(labelled)
    assert [p.label for p in loaded.pairs] == ["neutral", "contradiction"]
    assert loaded.unlabelled == len(rows) - 2 and loaded.bad_rows == []
    assert loaded.pairs[1].source == f"{labelled}:3"


def test_seeds_report_has_every_article_and_the_main_actors(seeds_report):
    assert len(seeds_report["articles"]) == 5
    assert seeds_report["skipped"] == []
    names = " ".join(a["name"] for a in seeds_report["actors"]).lower()
    for surname in ("rutte", "zelensky", "lavrov", "macron", "trump", "dragone"):
        assert surname in names
    assert "peskov" in names or "kremlin" in names


def test_lavrov_meeting_statements_are_a_compared_same_actor_pair(seeds_report):
    by_id = {s["id"]: s for s in seeds_report["statements"]}
    lavrov_pairs = [
        c for c in seeds_report["comparisons"]
        if c["same_actor"]
        and any(LAVROV_NO_MEETING in by_id[x]["text"] for x in (c["a"], c["b"]))
        and any(LAVROV_READY in by_id[x]["text"] for x in (c["a"], c["b"]))
    ]
    assert len(lavrov_pairs) == 1
    pair = lavrov_pairs[0]
    assert by_id[pair["a"]]["actor"] == by_id[pair["b"]]["actor"]
    assert "lavrov" in by_id[pair["a"]]["actor"]
    assert pair["label"] in ("agreement", "contradiction", "neutral")
    assert sum(pair["scores"].values()) == pytest.approx(1.0, abs=1e-3)


def test_every_unordered_pair_is_scored_once(seeds_report):
    keys = [frozenset((c["a"], c["b"])) for c in seeds_report["comparisons"]]
    assert len(keys) == len(set(keys))
    statement_ids = {s["id"] for s in seeds_report["statements"]}
    assert all(k <= statement_ids for k in keys)


def test_library_call_gives_the_same_statements_and_pairs(seeds_report, tiny_model_dir, seeds_dir):
    report = check([seeds_dir], CheckOptions(model=str(tiny_model_dir)))
    assert [s.id for s in report.statements] == [s["id"] for s in seeds_report["statements"]]
    assert len(report.judgements) == len(seeds_report["comparisons"])


def test_bad_inputs_are_skipped_and_the_rest_is_reported(tiny_model_dir, seeds_dir, tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(seeds_dir / "000_f392d9eafedb4316.txt", batch)
    (batch / "empty.txt").write_text("", encoding="utf-8")
    (batch / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (batch / "broken.jsonl").write_text('{"id": "ok", "text": "Le Kremlin a démenti."}\n{not json\n',
                                        encoding="utf-8")
    out = tmp_path / "r.json"
    result = run("check", batch, tmp_path / "missing.txt", "--model", tiny_model_dir,
                 "-f", "json", "-o", out, "--quiet")
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {a["id"] for a in report["articles"]} == {"000_f392d9eafedb4316", "ok"}
    skipped = " ".join(s["path"] for s in report["skipped"])
    for name in ("empty.txt", "binary.txt", "broken.jsonl", "missing.txt"):
        assert name in skipped
    for name in ("empty.txt", "binary.txt", "broken.jsonl:2", "missing.txt"):
        assert name in result.stderr
    assert "Traceback" not in result.output


def test_nothing_usable_exits_2_with_one_line(tiny_model_dir, tmp_path):
    (tmp_path / "empty.txt").write_text("   \n", encoding="utf-8")
    result = run("check", tmp_path / "empty.txt", "--model", tiny_model_dir, "--quiet")
    assert result.exit_code == 2
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1 and "empty.txt" in error_lines[0]
    assert "Traceback" not in result.output


def test_unknown_model_and_format_are_usage_errors(seeds_dir, tmp_path):
    result = run("check", seeds_dir, "--model", tmp_path / "no-such-model", "--quiet")
    assert result.exit_code == 2 and "no-such-model" in result.stderr
    result = run("check", seeds_dir, "--format", "pdf")
    assert result.exit_code == 2 and "pdf" in result.stderr
    result = run("check", seeds_dir, "--precision", "fp16")
    assert result.exit_code == 2 and "--precision: unknown value 'fp16'" in result.stderr


def test_several_formats_write_one_file_each(tiny_model_dir, seeds_dir, tmp_path):
    stem = tmp_path / "out" / "report"
    result = run("check", seeds_dir / "000_f392d9eafedb4316.txt", "--model", tiny_model_dir,
                 "-f", "markdown,html", "-f", "json", "-o", stem, "--quiet")
    assert result.exit_code == 0, result.output
    assert json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))["schema_version"] == 1
    assert "Lavrov" in stem.with_suffix(".md").read_text(encoding="utf-8")
    assert stem.with_suffix(".html").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")


def test_terminal_summary_ends_with_stage_timings(tiny_model_dir, seeds_dir):
    result = run("check", seeds_dir / "004_44c57f388506a4d0.txt", "--model", tiny_model_dir, "--quiet")
    assert result.exit_code == 0, result.output
    timing_lines = [line for line in result.stdout.splitlines() if "extract" in line and "total" in line]
    assert len(timing_lines) == 1 and "nli" in timing_lines[0]


def test_alias_file_merges_peskov_into_the_kremlin(tiny_model_dir, seeds_dir, tmp_path):
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text("merge:\n  kremlin: [dmitri-peskov]\n", encoding="utf-8")
    out = tmp_path / "r.json"
    result = run("check", seeds_dir / "001_61d2cc5d72aecba5.txt", "--model", tiny_model_dir,
                 "--aliases", aliases, "-f", "json", "-o", out, "--quiet")
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert "dmitri-peskov" not in {a["id"] for a in report["actors"]}
    kremlin = [s for s in report["statements"] if s["actor"] == "kremlin"]
    assert any("Les Européens bloquent le règlement" in s["text"] for s in kremlin)


def test_broken_alias_file_is_a_usage_error(tiny_model_dir, seeds_dir, tmp_path):
    aliases = tmp_path / "aliases.toml"
    aliases.write_text("[merge\nkremlin = ", encoding="utf-8")
    result = run("check", seeds_dir, "--model", tiny_model_dir, "--aliases", aliases, "--quiet")
    assert result.exit_code == 2
    assert "aliases.toml" in result.stderr and "Traceback" not in result.output


def test_written_paths_with_brackets_are_shown_as_they_are(capsys):
    from stance.console import wrote
    wrote("runs/[draft]/report.md")
    assert "wrote runs/[draft]/report.md" in capsys.readouterr().err


def test_several_formats_with_a_file_only_one_need_output_before_any_work(seeds_dir, tiny_model_dir):
    for formats in ("terminal,tsv", "tsv,terminal", "markdown,json"):
        result = run("check", seeds_dir, "--model", tiny_model_dir, "--format", formats, "--quiet")
        assert result.exit_code == 2 and "alongside other formats needs --output" in result.stderr
        assert result.stdout == ""          # failed before reading, extracting or scoring anything


def test_articles_of_two_stories_meet_only_through_the_same_actor_unless_cross_story(tiny_model_dir, tmp_path):
    """A factory closure in Vierzon and a data centre in Harnford (eval/data/news-articles): by default
    no pair joins two actors of the two stories; --cross-story brings the similarity-only pairs back."""
    from conftest import ROOT
    articles = ROOT / "eval" / "data" / "news-articles" / "articles"
    batch = tmp_path / "batch"
    batch.mkdir()
    for path in ("f6-libre-echange/f6-01_agence-presse-europe.txt", "e1-datacentre/e1-02_eastern-counties-wire.txt"):
        shutil.copy(articles / path, batch)

    def across(*flags):
        out = tmp_path / f"r{len(flags)}.json"
        result = run("check", batch, "--model", tiny_model_dir, "--format", "json", "--output", out, "--quiet", *flags)
        assert result.exit_code == 0, result.output
        report = json.loads(out.read_text(encoding="utf-8"))
        return [c for c in report["comparisons"] if c["a"].split(":")[0] != c["b"].split(":")[0]], report
    default, report = across()
    assert default == [] and report["settings"]["cross_story"] is False
    everything, report = across("--cross-story")
    assert everything and report["settings"]["cross_story"] is True
