"""The CI gate: stable finding ids, baselines, JUnit XML and exit codes.

Unit tests use the hand-built report of real seed statements (tests/test_report_fixtures.py);
exit codes come from `stance check` on the seeds with tiny models whose answer is forced
(tests/tiny_model.py bias): always contradiction (P = 0.965) or always entailment.
"""
import dataclasses
import json
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stance.cli import app
from stance.errors import InputError
from stance.gate import (baseline_dict, finding_id, finding_line, findings, junit_xml,
                         load_baseline)
from stance.nli import NLIModel
from stance.pipeline import CheckOptions, check
from stance.store import Store
from test_report_fixtures import LAVROV_NO_MEETING, LAVROV_READY, build_report
from tiny_model import build_tiny_model

CONTRADICTION = 0.9647   # softmax((0, 0, 4))[2]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


# -- findings, ids, baselines, JUnit on the hand-built report ---------------------------------
def test_finding_ids_are_order_independent_and_text_based():
    report = build_report()
    lavrov = next(j.pair for j in report.judgements if j.pair.a.text.startswith(LAVROV_NO_MEETING))
    swapped = dataclasses.replace(lavrov, a=lavrov.b, b=lavrov.a)
    renumbered = dataclasses.replace(lavrov, a=dataclasses.replace(lavrov.a, id="x:9", article_id="x"))
    assert finding_id(lavrov) == finding_id(swapped) == finding_id(renumbered)
    reworded = dataclasses.replace(lavrov, b=dataclasses.replace(lavrov.b, text=lavrov.b.text + " !"))
    other_actor = dataclasses.replace(lavrov, b=dataclasses.replace(lavrov.b, actor_id="kremlin"))
    assert len({finding_id(lavrov), finding_id(reworded), finding_id(other_actor)}) == 3
    assert len(finding_id(lavrov)) == 12


def test_findings_are_new_contradictions_and_agreements_strongest_first():
    report = build_report()   # threshold 0.6: Lavrov 0.81 and Zelensky/Kremlin 0.62 fail
    found = findings(report)
    assert [f.label for f in found] == ["contradiction", "contradiction", "agreement", "agreement"]
    assert [f.fails for f in found] == [True, True, False, False]
    assert found[0].judgement.pair.a.text.startswith(LAVROV_NO_MEETING)
    assert [f.fails for f in findings(report, min_score=0.7)][:2] == [True, False]
    lavrov_statement = found[0].judgement.pair.a.id
    report.new_statements = frozenset({lavrov_statement})
    assert [f.id for f in findings(report)] == [found[0].id, found[3].id]   # Lavrov's own, and Kremlin's
    line = finding_line(found[0])
    assert line.startswith(f"CONTRADICTION {found[0].id} sergey-lavrov 0.81 \"aucune rencontre")
    assert "(000_f392d9…, 2025-08-22) vs" in line and "\n" not in line


def test_baseline_round_trip_suppresses_accepted_findings(tmp_path):
    report = build_report()
    data = baseline_dict(report)
    assert [e["actors"] for e in data["accepted"]] == [["sergey-lavrov"], ["kremlin", "volodymyr-zelensky"]]
    data["accepted"][0]["reason"] = "two different dates, known"
    path = tmp_path / "accepted.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    accepted = load_baseline(path)
    assert accepted[data["accepted"][0]["id"]] == "two different dates, known"
    found = findings(report, accepted=accepted)
    assert sum(f.fails for f in found) == 0 and sum(f.accepted is not None for f in found) == 2
    # Regenerating keeps reasons, and entries the store no longer has.
    kept = baseline_dict(report, reasons={**accepted, "0123456789ab": "gone"})
    assert kept["accepted"][0]["reason"] == "two different dates, known"
    assert kept["accepted"][-1] == {"id": "0123456789ab", "reason": "gone"}


@pytest.mark.parametrize("content, message", [
    ("{not json", "accepted.json:1: not valid JSON"),
    ('{"accepted": [{"reason": "no id"}]}', "accepted entry 1 has no \"id\""),
    ('{"accepted": 3}', "a baseline is"),
])
def test_bad_baselines_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "accepted.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_baseline(path)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_junit_xml_parses_with_one_case_per_finding():
    report = build_report()
    found = findings(report, accepted={finding_id(report.judgements[2].pair): ""})
    root = ET.fromstring(junit_xml(found, report).encode("utf-8"))
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == len(found) == 4
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "1", "1")
    failure = cases[0].find("failure")
    assert failure is not None and "0.81" in failure.get("message")
    assert LAVROV_READY in failure.text and "sergey-lavrov" in cases[0].get("classname")
    assert cases[1].find("skipped") is not None
    assert all(c.find("failure") is None for c in cases[2:])


# -- exit codes of `stance check` ------------------------------------------------------------
@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("forced")
    return {"contradiction": build_tiny_model(root / "c", bias=(0.0, 0.0, 4.0)),
            "entailment": build_tiny_model(root / "e", bias=(4.0, 0.0, 0.0))}


@pytest.fixture(scope="module")
def warm_store(models, seeds_dir, tmp_path_factory):
    """Parses and topic vectors of the seeds, computed once; each test copies them."""
    path = tmp_path_factory.mktemp("warm") / "warm.db"
    with Store.open(path) as store:
        check([seeds_dir], CheckOptions(), nli_model=NLIModel.load(str(models["entailment"])), store=store)
    with closing(sqlite3.connect(path)) as db, db:
        for table in ("articles", "scores", "actors", "statements", "comparisons", "runs"):
            db.execute(f"DELETE FROM {table}")
    return path


def fresh_store(warm_store: Path, tmp_path: Path, name="stance.db") -> Path:
    return Path(shutil.copy(warm_store, tmp_path / name))


def test_new_contradictions_fail_the_gate_and_old_ones_do_not(models, warm_store, seeds_dir, tmp_path):
    store, junit = fresh_store(warm_store, tmp_path), tmp_path / "ci" / "stance.xml"
    first = run("check", seeds_dir, "--store", store, "--model", models["contradiction"], "-q",
                "-f", "json", "-o", tmp_path / "r.json", "--fail-on", "contradiction", "--junit", junit)
    assert first.exit_code == 1, first.output
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    contradictions = [c for c in report["comparisons"] if c["label"] == "contradiction"]
    assert contradictions and all(c["new"] for c in report["comparisons"])
    assert all(c["scores"]["contradiction"] == pytest.approx(CONTRADICTION, abs=1e-3) for c in contradictions)
    lines = [line for line in first.output.splitlines() if line.startswith("CONTRADICTION ")]
    assert len(lines) == len(contradictions)
    assert f"{len(contradictions)} failing; gate failed" in first.output
    suite = ET.parse(junit).getroot().find("testsuite")
    assert int(suite.get("failures")) == len(contradictions)

    again = run("check", seeds_dir, "--store", store, "--model", models["contradiction"], "-q",
                "-f", "json", "-o", tmp_path / "r2.json", "--fail-on", "contradiction")
    assert again.exit_code == 0, again.output
    assert again.output.count("already in the store") == 5 and "CONTRADICTION " not in again.output
    assert "0 new findings, 0 failing; gate passed" in again.output


def test_min_score_and_agreeing_models_pass(models, warm_store, seeds_dir, tmp_path):
    high = run("check", seeds_dir, "--store", fresh_store(warm_store, tmp_path, "a.db"), "--model",
               models["contradiction"], "-q", "-f", "json", "-o", tmp_path / "a.json",
               "--fail-on", "contradiction", "--min-score", "0.97")
    assert high.exit_code == 0, high.output
    assert "CONTRADICTION " in high.output and ", 0 failing; gate passed" in high.output
    agreeing = run("check", seeds_dir, "--store", fresh_store(warm_store, tmp_path, "b.db"), "--model",
                   models["entailment"], "-q", "-f", "json", "-o", tmp_path / "b.json",
                   "--fail-on", "contradiction")
    assert agreeing.exit_code == 0, agreeing.output
    assert "CONTRADICTION " not in agreeing.output and "AGREEMENT " in agreeing.output


def test_baseline_command_output_suppresses_known_contradictions(models, warm_store, seeds_dir, tmp_path):
    store = fresh_store(warm_store, tmp_path)
    common = ["--model", models["contradiction"], "-q", "-f", "json", "-o", tmp_path / "r.json",
              "--fail-on", "contradiction"]
    assert run("check", seeds_dir, "--store", store, *common).exit_code == 1
    written = run("baseline", "--store", store)
    assert written.exit_code == 0
    baseline = json.loads(written.stdout)
    assert len(baseline["accepted"]) > 1 and all(e["reason"] == "" for e in baseline["accepted"])
    accepted = tmp_path / "accepted.json"
    accepted.write_text(json.dumps(baseline), encoding="utf-8")
    fully = run("check", seeds_dir, "--store", fresh_store(warm_store, tmp_path, "2.db"), *common,
                "--baseline", accepted)
    assert fully.exit_code == 0, fully.output
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    contradictions = sum(c["label"] == "contradiction" for c in report["comparisons"])
    assert f"{contradictions} accepted by {accepted}" in fully.output

    left_out = baseline["accepted"].pop(0)
    accepted.write_text(json.dumps(baseline), encoding="utf-8")
    partly = run("check", seeds_dir, "--store", fresh_store(warm_store, tmp_path, "3.db"), *common,
                 "--baseline", accepted)
    assert partly.exit_code == 1
    failing = [line for line in partly.output.splitlines() if line.startswith("CONTRADICTION ")]
    assert failing and all(line.split()[1] == left_out["id"] for line in failing)


@pytest.mark.parametrize("args, message", [
    (["--fail-on", "agreement"], "unknown value 'agreement'"),
    (["--min-score", "1.5"], "--min-score must be between 0 and 1"),
    (["--baseline", "missing.json"], "missing.json: no such baseline file"),
])
def test_usage_errors_exit_2(models, seeds_dir, tmp_path, args, message):
    result = run("check", seeds_dir, "--model", models["contradiction"], "-q", *args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_help_documents_the_exit_codes():
    text = " ".join(run("check", "--help").output.replace("│", " ").split())
    assert "Exit codes: 0 report written" in text
    assert "1 --fail-on contradiction and a new contradiction at or above --min-score" in text
    assert "2 usage or input error" in text
