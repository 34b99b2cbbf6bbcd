"""The JSON report is a contract: shape, schema, references, rounding, determinism."""
from __future__ import annotations

import copy
import dataclasses
import json

import jsonschema
import pytest

from stance.errors import UsageError
from stance.report import FORMATS, load_schema, render, to_json_dict
from stance.types import ModelInfo, Scores
from test_report_fixtures import (JUDGEMENTS, LAVROV_NO_MEETING, LAVROV_READY, STATEMENTS,
                                  build_report, empty_report)


@pytest.fixture
def seed_report():
    return build_report()


# The contract as other tools read it: object -> keys that must be there.
CONTRACT = {
    "top": {"schema_version", "model", "articles", "actors", "statements", "comparisons", "skipped"},
    "model": {"name", "labels"},
    "articles": {"id", "path", "title", "date", "language"},
    "actors": {"id", "name", "kind", "aliases"},
    "statements": {"id", "article", "actor", "text", "kind", "start", "end", "cue"},
    "comparisons": {"a", "b", "same_actor", "label", "scores"},
    "skipped": {"path", "reason"},
}


@pytest.fixture(scope="module")
def validator():
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_seed_report_validates_against_the_schema(seed_report, validator):
    doc = to_json_dict(seed_report)
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert errors == []
    assert doc["schema_version"] == 1
    assert doc["model"] == {"name": "stance-nli-small-v0",
                            "labels": ["entailment", "neutral", "contradiction"]}


def test_the_precision_scores_were_computed_in_is_reported_and_valid(seed_report, validator):
    report = dataclasses.replace(seed_report, model=ModelInfo("stance-nli-small-v0", precision="bf16"))
    doc = to_json_dict(report)
    assert doc["model"]["precision"] == "bf16"
    assert list(validator.iter_errors(doc)) == []
    assert "Model: `stance-nli-small-v0` (bf16)" in render(report, "markdown")
    assert "precision" not in to_json_dict(seed_report)["model"]     # unknown: not made up


def test_every_object_carries_the_contract_keys(seed_report):
    doc = to_json_dict(seed_report)
    assert CONTRACT["top"] <= doc.keys()
    assert CONTRACT["model"] <= doc["model"].keys()
    for section in ("articles", "actors", "statements", "comparisons", "skipped"):
        assert doc[section], section
        for item in doc[section]:
            assert CONTRACT[section] <= item.keys(), (section, CONTRACT[section] - item.keys())
    for comparison in doc["comparisons"]:
        assert set(comparison["scores"]) == {"entailment", "neutral", "contradiction"}


def test_schema_requires_exactly_the_contract(validator):
    schema = load_schema()
    assert set(schema["required"]) == CONTRACT["top"]
    for section in ("articles", "actors", "statements", "comparisons", "skipped"):
        assert set(schema["properties"][section]["items"]["required"]) == CONTRACT[section]


@pytest.mark.parametrize("breakage", [
    lambda doc: doc.pop("comparisons"),
    lambda doc: doc["comparisons"][0].update(label="contradicts"),
    lambda doc: doc["statements"][0].update(kind="quote"),
    lambda doc: doc["articles"][0].update(date="22/08/2025"),
    lambda doc: doc["comparisons"][0]["scores"].pop("neutral"),
    lambda doc: doc["actors"][0].update(kind="country"),
])
def test_schema_rejects_a_broken_contract(seed_report, validator, breakage):
    doc = copy.deepcopy(to_json_dict(seed_report))
    breakage(doc)
    assert not validator.is_valid(doc)


def test_every_reference_resolves(seed_report):
    doc = to_json_dict(seed_report)
    article_ids = [a["id"] for a in doc["articles"]]
    actor_ids = [a["id"] for a in doc["actors"]]
    statement_ids = [s["id"] for s in doc["statements"]]
    for ids in (article_ids, actor_ids, statement_ids):
        assert len(ids) == len(set(ids))
    for statement in doc["statements"]:
        assert statement["article"] in article_ids and statement["actor"] in actor_ids
    for comparison in doc["comparisons"]:
        assert comparison["a"] in statement_ids and comparison["b"] in statement_ids


def test_statements_point_into_their_article(seed_report):
    doc = to_json_dict(seed_report)
    texts = {a.id: a.text for a in seed_report.articles}
    assert len(doc["statements"]) == len(STATEMENTS)
    for statement in doc["statements"]:
        assert texts[statement["article"]][statement["start"]:statement["end"]] == statement["text"]
    lavrov = [s for s in doc["statements"] if s["actor"] == "sergey-lavrov"]
    assert [s["date"] for s in lavrov] == ["2025-08-22", "2025-08-22", "2025-08-20"]   # article order


def test_comparisons_list_every_scored_pair_neutral_included(seed_report):
    doc = to_json_dict(seed_report)
    assert len(doc["comparisons"]) == len(JUDGEMENTS)
    labels = [c["label"] for c in doc["comparisons"]]
    assert labels.count("neutral") == 3 and labels.count("contradiction") == 2
    lavrov = next(c for c in doc["comparisons"] if c["label"] == "contradiction" and c["same_actor"])
    by_id = {s["id"]: s["text"] for s in doc["statements"]}
    assert by_id[lavrov["a"]].startswith(LAVROV_NO_MEETING)
    assert by_id[lavrov["b"]].startswith(LAVROV_READY)
    assert lavrov["scores"] == {"entailment": 0.04, "neutral": 0.15, "contradiction": 0.81}
    duplicate = next(c for c in doc["comparisons"] if c["near_duplicate"])
    assert duplicate["label"] == "agreement" and duplicate["same_actor"]
    assert doc["summary"] == {"articles": 5, "actors": 4, "statements": 12, "comparisons": 7,
                              "contradictions": 2, "agreements": 2, "neutral": 3, "skipped": 2}


def test_floats_are_rounded_to_four_decimals(seed_report):
    first = seed_report.judgements[0]
    noisy = Scores(0.0412345678, 0.1499999999, 0.8087654321)
    seed_report.judgements[0] = dataclasses.replace(
        first, scores=noisy, pair=dataclasses.replace(first.pair, similarity=0.777777777))
    seed_report.timings["nli"] = 3.0812345
    doc = to_json_dict(seed_report)
    comparison = next(c for c in doc["comparisons"] if c["a"] == first.pair.a.id and c["b"] == first.pair.b.id)
    assert comparison["scores"] == {"entailment": 0.0412, "neutral": 0.15, "contradiction": 0.8088}
    assert comparison["similarity"] == 0.7778
    assert doc["timings"]["nli"] == 3.0812


def test_output_does_not_depend_on_input_order(seed_report):
    shuffled = build_report()
    shuffled.actors.reverse()
    shuffled.statements.reverse()
    shuffled.judgements.reverse()
    shuffled.skipped.reverse()
    assert render(shuffled, "json") == render(seed_report, "json")


def test_statements_only_seen_in_pairs_are_still_listed(seed_report, validator):
    judged = {s.id for j in seed_report.judgements for s in (j.pair.a, j.pair.b)}
    seed_report.statements = [s for s in seed_report.statements if s.id not in judged]
    doc = to_json_dict(seed_report)
    assert validator.is_valid(doc)
    assert {s["id"] for s in doc["statements"]} >= judged
    assert len(doc["statements"]) == len(STATEMENTS)


def test_an_actor_missing_from_the_actor_list_is_named_by_its_id(seed_report):
    seed_report.actors = [a for a in seed_report.actors if a.id != "dmitri-peskov"]
    doc = to_json_dict(seed_report)
    assert {"id": "dmitri-peskov", "name": "dmitri-peskov", "kind": "person", "aliases": []} in doc["actors"]


def test_json_text_is_the_dict_and_keeps_french_readable(seed_report):
    text = render(seed_report, "json")
    assert json.loads(text) == to_json_dict(seed_report)
    assert "Sergueï Lavrov" in text and "\\u00ef" not in text


def test_empty_report_is_valid_json(validator):
    doc = to_json_dict(empty_report())
    assert validator.is_valid(doc)
    assert doc["statements"] == [] and doc["comparisons"] == [] and len(doc["articles"]) == 1


def test_unknown_format_is_a_one_line_usage_error(seed_report):
    assert FORMATS == ("terminal", "markdown", "html", "json", "tsv")
    with pytest.raises(UsageError, match="unknown report format 'pdf'"):
        render(seed_report, "pdf")
