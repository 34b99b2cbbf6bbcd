"""`stance eval extraction`: GGT span matching by hand, actor folding, gold-file checks, a
small hand-made gold run through the real extractor, and the annotated seed gold."""
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stance.cli import app
from stance.errors import InputError
from stance.evaluation.extraction import (GoldActor, GoldStatement, Predicted, compare_article,
                                          evaluate_extraction, load_gold, match_spans, same_actor,
                                          span_score)

ROOT = Path(__file__).resolve().parent.parent
SEED_GOLD = ROOT / "eval" / "gold" / "seeds.json"

ARTICLE = """Réforme : le gouvernement tient bon

Le ministre Jean Dupont a déclaré vendredi : "Nous ne céderons jamais sur ce point."
Selon Marie Lambert, la réforme sera votée avant l'été.
Le syndicat a signé l'accord lundi.
"""


def test_span_score_is_the_share_of_the_gold_span_covered():
    assert span_score((10, 20), (15, 30)) == 0.5
    assert span_score((10, 20), (0, 100)) == 1.0          # a longer prediction is not penalised
    assert span_score((0, 100), (10, 20)) == 0.1
    assert span_score((10, 20), (20, 30)) == 0.0


def test_greedy_matching_takes_the_best_remaining_prediction_above_the_threshold():
    gold = [(0, 10), (20, 30)]
    predicted = [(5, 25), (0, 10)]
    low = match_spans(gold, predicted, 0.3)
    assert [(m.predicted, m.score) for m in low] == [(1, 1.0), (0, 0.5)]
    high = match_spans(gold, predicted, 0.8)
    assert [m.predicted for m in high] == [1, None]
    # Strictly above: 30 % of the gold span is not enough at 0.3.
    assert match_spans([(0, 10)], [(0, 3)], 0.3)[0].predicted is None
    # One prediction serves one gold statement only.
    assert [m.predicted for m in match_spans([(0, 10), (0, 10)], [(0, 10)], 0.3)] == [0, None]


def test_counts_per_kind_and_speakers_by_hand():
    rutte = GoldActor("mark-rutte", "Mark Rutte")
    gold = [GoldStatement(0, 10, "x" * 10, rutte, "direct"),
            GoldStatement(20, 30, "y" * 10, rutte, "indirect"),
            GoldStatement(40, 50, "z" * 10, rutte, "mixed")]
    predicted = [Predicted(0, 10, "", "direct", "mark-rutte", "Mark Rutte"),
                 Predicted(18, 28, "", "mixed", "x", "Volodymyr Zelensky"),
                 Predicted(60, 70, "", "indirect", "y", "Mark Rutte")]
    counts, kinds, _ = compare_article(gold, predicted, 0.3)
    assert (counts.tp, counts.fp, counts.fn, counts.speaker, counts.kind) == (2, 1, 1, 1, 1)
    assert counts.as_json()["precision"] == pytest.approx(2 / 3)
    assert counts.as_json()["speaker_accuracy"] == 0.5
    # indirect: its one gold statement found (recall 1), its one prediction spurious (precision 0).
    assert kinds["indirect"].as_json()["recall"] == 1.0 and kinds["indirect"].as_json()["precision"] == 0.0
    assert kinds["indirect"].as_json()["speaker_accuracy"] == 0.0
    assert kinds["mixed"].as_json()["recall"] == 0.0 and kinds["mixed"].as_json()["precision"] == 1.0


def test_actor_names_are_folded():
    lavrov = GoldActor("sergei-lavrov", "Sergueï Lavrov", aliases=("Sergey Lavrov",))
    assert same_actor(lavrov, "Sergey Lavrov") and same_actor(lavrov, "M. Lavrov")
    assert not same_actor(lavrov, "Dmitri Peskov")
    assert same_actor(GoldActor("mark-rutte", "Mark Rutte"), "Rutte")
    assert not same_actor(GoldActor("john-rutte", "Jan Rutte"), "Mark Rutte")
    anonymous = GoldActor("us-official", "responsable américain de la défense")
    assert same_actor(anonymous, "Un responsable américain de la défense")
    assert not same_actor(anonymous, "ministre de la défense")     # roles do not match on last word
    office = GoldActor("admin", "administration militaire municipale", "organization")
    assert same_actor(office, "L'administration militaire municipale")


@pytest.fixture()
def hand_gold(tmp_path):
    (tmp_path / "article.txt").write_text(ARTICLE, encoding="utf-8")

    def write(statements, actors=None):
        gold = {"actors": actors or {"jean-dupont": {"name": "Jean Dupont"}},
                "articles": [{"path": "article.txt", "statements": statements}]}
        path = tmp_path / "gold.json"
        path.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
        return path
    return write


def test_hand_made_gold_through_the_extractor(hand_gold):
    path = hand_gold([
        {"text": "Nous ne céderons jamais sur ce point", "actor": "jean-dupont", "kind": "direct"},
        {"text": "la réforme sera votée avant l'été", "actor": "Marie Lambert", "kind": "indirect"},
        # Not a statement stance can find (no speech verb): a miss, by construction.
        {"text": "Le syndicat a signé l'accord lundi", "actor": "syndicat", "kind": "indirect"}])
    result = evaluate_extraction(path)
    low = result.thresholds["0.3"]
    assert (low["tp"], low["fn"]) == (2, 1) and low["speaker_accuracy"] == 1.0
    assert low["per_kind"]["direct"]["recall"] == 1.0
    assert [e["text"] for e in result.errors["missed"]] == ["Le syndicat a signé l'accord lundi"]


def test_a_wrong_speaker_is_counted(hand_gold):
    path = hand_gold([{"text": "Nous ne céderons jamais sur ce point", "actor": "Marie Lambert",
                       "kind": "direct"}])
    result = evaluate_extraction(path)
    assert result.thresholds["0.8"]["tp"] == 1 and result.thresholds["0.8"]["speaker_accuracy"] == 0.0
    assert result.errors["wrong_speaker"][0]["predicted"] == "Jean Dupont"


@pytest.mark.parametrize("statement, message", [
    ({"text": "absent de l'article", "actor": "x", "kind": "direct"}, "not found"),
    ({"text": "Nous ne", "start": 0, "end": 7, "actor": "x", "kind": "direct"}, "does not match"),
    ({"text": "Nous ne céderons", "actor": "x", "kind": "quote"}, "\"kind\" must be one of"),
    ({"text": "Nous ne céderons", "kind": "direct"}, "needs an \"actor\""),
    ({"start": 5, "end": 5000, "actor": "x", "kind": "direct"}, "bad offsets"),
])
def test_gold_file_errors_name_the_file_and_statement(hand_gold, statement, message):
    path = hand_gold([statement])
    with pytest.raises(InputError, match=message) as error:
        load_gold(path)
    assert str(path) in str(error.value) and "statements[0]" in str(error.value)


def test_broken_json_gives_its_line(tmp_path):
    path = tmp_path / "gold.json"
    path.write_text('{"articles": [\n  {"path": "a.txt",}\n]}', encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_gold(path)
    assert f"{path}:2" in str(error.value)


def test_cli_writes_metrics_and_exits_2_on_a_missing_gold(hand_gold, tmp_path):
    path = hand_gold([{"text": "Nous ne céderons jamais sur ce point", "actor": "jean-dupont",
                       "kind": "direct"}])
    runner = CliRunner()
    result = runner.invoke(app, ["eval", "extraction", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.stderr
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    # Marie Lambert's statement is extracted but not in this gold: a false positive.
    assert (metrics["thresholds"]["0.3"]["tp"], metrics["thresholds"]["0.3"]["fp"]) == (1, 1)
    assert "| 0.8 |" in result.stdout and (tmp_path / "out" / "report.md").is_file()
    missing = runner.invoke(app, ["eval", "extraction", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "nope.json" in missing.stderr


def test_seed_gold_is_complete_and_consistent():
    articles, actors = load_gold(SEED_GOLD)      # every text checked against its offsets
    assert len(articles) == 5
    statements = [s for a in articles for s in a.statements]
    assert len(statements) >= 70
    assert {s.kind for s in statements} == {"direct", "indirect", "mixed"}
    assert all(s.actor.id in actors for s in statements)
    # Headlines repeat the lead and are not annotated (eval/README.md).
    headline = articles[0].path.read_text(encoding="utf-8").index("\n")
    assert articles[0].path.name.startswith("000_") and articles[0].statements[0].start > headline


def test_stance_on_the_seed_gold():
    result = evaluate_extraction(SEED_GOLD)
    low, high = result.thresholds["0.3"], result.thresholds["0.8"]
    # A floor, not the measured value (eval/README.md has that): fails on a real regression.
    assert low["f1"] >= 0.85 and low["speaker_accuracy"] >= 0.9
    assert high["tp"] <= low["tp"]
    assert result.gold_statements == low["tp"] + low["fn"]
    assert result.predicted_statements == low["tp"] + low["fp"]
