"""The incremental store on the real seeds, with the tiny NLI model of tests/tiny_model.py.

The seeds are added in two batches (000-002, then 003-004): the second run must re-resolve
actors over all five articles, score only what involves its new statements, and end with
the statements, actors and pairs of a one-shot run over the five.
"""
import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stance.cli import app
from stance.errors import StanceError
from stance.nli import NLIModel
from stance.pipeline import CheckOptions, check
from stance.report import load_schema, to_json_dict
from stance.analysis_cache import decode_analysis, encode_analysis
from stance.store import Store, StoreError

ROOT = Path(__file__).resolve().parent.parent
OPTIONS = CheckOptions(batch_size=16)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


class Crash(Exception):
    pass


class CountingModel:
    """The tiny model, counting what it is asked to score; raises after `fail_after` calls."""

    def __init__(self, model: NLIModel, fail_after: int | None = None):
        self.model, self.fail_after = model, fail_after
        self.calls = 0
        self.inputs: list[tuple[str, str]] = []

    @property
    def info(self):
        return self.model.info

    @property
    def fingerprint(self):
        return self.model.fingerprint

    def predict(self, pairs, batch_size=32, advance=None):
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise Crash(f"killed after {self.calls} calls")
        self.calls += 1
        self.inputs += pairs
        return self.model.predict(pairs, batch_size=batch_size, advance=advance)


def comparable(report) -> dict:
    data = to_json_dict(report)
    data.pop("timings")
    return data


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    return NLIModel.load(str(tiny_model_dir))


@pytest.fixture(scope="module")
def batches(seeds_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("batches")
    first, second = root / "first", root / "second"
    for folder, names in ((first, ["000", "001", "002"]), (second, ["003", "004"])):
        folder.mkdir()
        for name in names:
            shutil.copy(next(seeds_dir.glob(f"{name}_*.txt")), folder)
    return first, second


@pytest.fixture(scope="module")
def two_runs(tiny, batches, tmp_path_factory):
    """A store built in two runs; the model calls of each run; the one-shot report."""
    path = tmp_path_factory.mktemp("store") / "stance.db"
    first, second = batches
    counters, reports, notes = [], [], []
    for batch in (first, second, second):
        counter = CountingModel(tiny)
        with Store.open(path) as store:
            reports.append(check([batch], OPTIONS, nli_model=counter, store=store, notify=notes.append))
        counters.append(counter)
    one_shot = check([first, second], OPTIONS, nli_model=tiny)
    return path, reports, counters, notes, one_shot


def warm_copy(source: Path, target: Path) -> Path:
    """A store that knows nothing but the content-keyed parse and vector caches of `source`:
    a cold run, minus the minutes of spaCy and e5 work that these tests do not test."""
    shutil.copy(source, target)
    with contextlib.closing(sqlite3.connect(target)) as db, db:
        for table in ("articles", "scores", "actors", "statements", "comparisons", "runs"):
            db.execute(f"DELETE FROM {table}")
    return target


def test_second_run_scores_only_pairs_with_a_new_statement(two_runs):
    _, (first, second, _), (c1, c2, _), _, _ = two_runs
    assert len(first.articles) == 3 and len(second.articles) == 5
    new = second.new_statements
    assert new and all(s.split(":")[0].startswith(("003_", "004_")) for s in new)
    new_pairs = [j.pair for j in second.judgements if j.pair.a.id in new or j.pair.b.id in new]
    old_pairs = [j.pair for j in second.judgements if j.pair.a.id not in new and j.pair.b.id not in new]
    assert new_pairs and old_pairs
    wanted = {(p.a.text, p.b.text) for p in new_pairs} | {(p.b.text, p.a.text) for p in new_pairs}
    old_inputs = {(p.a.text, p.b.text) for p in old_pairs} | {(p.b.text, p.a.text) for p in old_pairs}
    scored = set(c2.inputs)
    assert len(scored) == len(c2.inputs)                    # nothing computed twice
    assert scored <= wanted
    assert not scored & set(c1.inputs)                       # the first run's scores are reused
    assert scored == wanted - set(c1.inputs)
    assert old_inputs <= set(c1.inputs)


def test_re_adding_a_batch_is_a_noop_that_says_so(two_runs):
    _, (_, second, third), (_, _, c3), notes, _ = two_runs
    assert c3.calls == 0
    assert third.new_statements == frozenset()
    assert sum("already in the store" in n for n in notes) == 2
    assert any("003_7b6b829601f4c80d.txt" in n for n in notes)
    assert comparable(third)["comparisons"] == [{**c, "new": False} for c in comparable(second)["comparisons"]]


def test_incremental_store_equals_a_one_shot_run(two_runs):
    _, (_, second, _), _, _, one_shot = two_runs
    store_json, full_json = comparable(second), comparable(one_shot)
    assert store_json["actors"] == full_json["actors"]      # actors stay canonical across runs
    assert [{k: v for k, v in s.items() if k != "new"} for s in store_json["statements"]] \
        == full_json["statements"]
    ours = {(c["a"], c["b"]): c for c in store_json["comparisons"]}
    theirs = {(c["a"], c["b"]): c for c in full_json["comparisons"]}
    assert ours.keys() == theirs.keys()
    for key, comparison in theirs.items():   # scores batched differently: float noise only
        for label, value in comparison["forward"].items():
            assert ours[key]["forward"][label] == pytest.approx(value, abs=2e-4)


def test_store_round_trip_and_report_command(two_runs, tmp_path):
    import jsonschema

    path, (_, second, third), _, _, _ = two_runs
    with Store.open(path) as store:
        loaded = store.load_report()
        assert store.count("articles") == 5 and store.count("runs") == 3
    assert comparable(loaded) == {**comparable(third), "skipped": []}
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["report", "--store", str(path), "-f", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(data, load_schema())
    assert len(data["comparisons"]) == len(second.judgements)
    assert all(c["new"] is False for c in data["comparisons"])
    text = CliRunner().invoke(app, ["report", "--store", str(path), "-f", "markdown"])
    assert text.exit_code == 0 and "Lavrov" in text.output


def test_the_precision_of_a_run_is_stored_with_it(two_runs, batches, tiny_model_dir, tmp_path):
    path = warm_copy(two_runs[0], tmp_path / "bf16.db")
    with Store.open(path) as store:
        live = check([batches[0]], OPTIONS, nli_model=NLIModel.load(tiny_model_dir, precision="bf16"),
                     store=store)
    assert live.model.precision == "bf16" and live.settings["precision"] == "bf16"
    with Store.open(path) as store:
        assert store.load_report().model.precision == "bf16"
    with Store.open(two_runs[0]) as store:                       # the fp32 runs of the fixture
        assert store.load_report().model.precision == "fp32"


def test_cached_analyses_give_the_same_statements(two_runs, seeds_dir):
    from stance.extract import extract_statements
    from stance.extract.lexicon import lexicon
    from stance.extract.nlp import analyse
    from stance.readers import read_articles
    from stance.analysis_cache import AnalysisCache, analysis_version

    path = two_runs[0]
    articles, _ = read_articles([seeds_dir])
    original = analyse(articles[0].text, lexicon("fr"))
    assert decode_analysis(encode_analysis(original), articles[0].text) == original
    with Store.open(path) as store:
        cache = AnalysisCache(store.analyses(analysis_version()))
    cached = extract_statements(articles, analyser=cache.analyse)
    assert cache.hits == 5 and not cache.computed
    assert cached == extract_statements(articles)


def test_same_id_with_other_text_is_kept_under_a_new_id(two_runs, tiny, seeds_dir, tmp_path):
    store_path = warm_copy(two_runs[0], tmp_path / "s.db")
    changed = tmp_path / "batch"
    changed.mkdir()
    original = next(seeds_dir.glob("002_*.txt"))
    shutil.copy(original, changed)
    notes = []
    with Store.open(store_path) as store:
        check([changed], OPTIONS, nli_model=tiny, store=store, notify=notes.append)
        (changed / original.name).write_text(original.read_text(encoding="utf-8") + "\nMise à jour.\n",
                                             encoding="utf-8")
        report = check([changed], OPTIONS, nli_model=tiny, store=store, notify=notes.append)
    assert [a.id for a in report.articles] == [original.stem, f"{original.stem}-2"]
    assert any(f"added as {original.stem}-2" in n for n in notes)
    assert report.new_statements and all(s.startswith(f"{original.stem}-2:") for s in report.new_statements)


def test_interrupted_run_resumes_to_the_uninterrupted_report(two_runs, tiny, batches, tmp_path):
    first, second = batches
    reference = CountingModel(tiny)
    with Store.open(warm_copy(two_runs[0], tmp_path / "reference.db")) as store:
        check([first], OPTIONS, nli_model=tiny, store=store)
        expected = check([second], OPTIONS, nli_model=reference, store=store)
    assert reference.calls > 4

    crashing = CountingModel(tiny, fail_after=3)
    with Store.open(warm_copy(two_runs[0], tmp_path / "crash.db")) as store:
        check([first], OPTIONS, nli_model=tiny, store=store)
        with pytest.raises(Crash):
            check([second], OPTIONS, nli_model=crashing, store=store)
        assert store.pending_article_ids() == {"003_7b6b829601f4c80d", "004_44c57f388506a4d0"}
        before = store.load_report()             # the last complete run is still whole
        assert len(before.articles) == 3 and before.new_statements
        shown = CliRunner().invoke(app, ["report", "--store", str(tmp_path / "crash.db"), "-f", "json"])
        assert shown.exit_code == 0 and "2 article(s) added by an interrupted run" in shown.output
        resumed_model = CountingModel(tiny)
        notes = []
        resumed = check([second], OPTIONS, nli_model=resumed_model, store=store, notify=notes.append)
    assert all("interrupted run" in n for n in notes) and len(notes) == 2
    assert comparable(resumed) == comparable(expected)
    # The three committed chunks are not scored again.
    assert len(resumed_model.inputs) == len(reference.inputs) - len(crashing.inputs)


_KILLED_RUN = """
import sys, time
from stance.nli import NLIModel
from stance.pipeline import CheckOptions, check
from stance.store import Store

class Slow:
    def __init__(self, model): self.model = model; self.info = model.info; self.fingerprint = model.fingerprint
    def predict(self, pairs, batch_size=32, advance=None):
        time.sleep(0.3)
        return self.model.predict(pairs, batch_size=batch_size)

model = Slow(NLIModel.load(sys.argv[1]))
with Store.open(sys.argv[2]) as store:
    check(sys.argv[3:], CheckOptions(batch_size=16), nli_model=model, store=store)
"""


def test_sigkill_mid_batch_leaves_a_store_that_resumes(two_runs, tiny, tiny_model_dir, batches, tmp_path):
    first, second = batches
    reference = CountingModel(tiny)
    with Store.open(warm_copy(two_runs[0], tmp_path / "reference.db")) as store:
        expected = check([first, second], OPTIONS, nli_model=reference, store=store)
    path = warm_copy(two_runs[0], tmp_path / "killed.db")
    script = tmp_path / "run.py"
    script.write_text(_KILLED_RUN, encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script), str(tiny_model_dir), str(path), str(first),
                                str(second)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"})
    deadline = time.monotonic() + 120
    scored = 0
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as db:
            scored = db.execute("SELECT count(*) FROM scores").fetchone()[0]
        if scored >= 64:
            break
    assert process.poll() is None, "the run finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    with Store.open(path) as store:
        committed = store.count("scores")
        assert store.count("runs") == 0 and committed >= 64
        assert len(store.pending_article_ids()) == 5
        counter = CountingModel(tiny)
        resumed = check([first, second], OPTIONS, nli_model=counter, store=store)
    assert comparable(resumed) == comparable(expected)
    assert len(counter.inputs) == len(reference.inputs) - committed


def test_what_a_later_article_or_alias_reveals_is_new(tiny, tmp_path):
    """« Le ministre des Finances » is named by a later article: his earlier statement is new
    in that run. A merge in the alias file then makes a same-actor pair of two old statements."""
    texts = {"a": "M. Dupont a déclaré que les impôts baisseraient l'an prochain.",
             "b": "Le ministre des Finances a déclaré que la dette publique serait réduite de moitié.",
             "c": "Le ministre des Finances, Jean Dupont, a déclaré que la croissance repartirait.",
             "d": "Le Kremlin a déclaré que les sanctions étaient illégales."}
    for name, text in texts.items():
        (tmp_path / f"{name}.txt").write_text(f"Titre\n\n{text}\n", encoding="utf-8")
    aliases = tmp_path / "aliases.toml"
    aliases.write_text('[merge]\nkremlin = ["jean-dupont"]\n', encoding="utf-8")
    runs = [(["a", "b"], OPTIONS), (["c", "d"], OPTIONS), (["c"], OPTIONS),
            (["c"], CheckOptions(batch_size=16, aliases=aliases)), (["c"], CheckOptions(batch_size=16, aliases=aliases))]
    reports = []
    for batch, options in runs:
        with Store.open(tmp_path / "merge.db") as store:
            reports.append(check([tmp_path / f"{n}.txt" for n in batch], options, nli_model=tiny, store=store))
    first, named, again, merged, merged_again = reports
    assert [s.id for s in first.statements] == ["a:0"] and not first.judgements
    assert named.new_statements == {"b:0", "c:0", "d:0"}  # b:0: its speaker is known only now
    pairs = {(j.pair.a.id, j.pair.b.id): j for j in named.judgements}
    assert pairs[("a:0", "b:0")].pair.same_actor and named.is_new(pairs[("a:0", "b:0")])
    assert not again.new_statements and not any(again.is_new(j) for j in again.judgements)

    kremlin = {(j.pair.a.id, j.pair.b.id): j for j in merged.judgements}[("a:0", "d:0")]
    assert kremlin.pair.same_actor and not merged.new_statements
    assert merged.new_pairs and ("a:0", "d:0") in merged.new_pairs and merged.is_new(kremlin)
    assert not any(merged_again.is_new(j) for j in merged_again.judgements)
    with Store.open(tmp_path / "merge.db") as store:
        assert store.load_report().new_pairs == frozenset()


def test_a_version_1_store_is_migrated(tmp_path):
    path = tmp_path / "old.db"
    Store.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE comparisons DROP COLUMN new")
        db.execute("PRAGMA user_version=1")
    with Store.open(path) as store:
        assert store.compared_pairs() == {}
    with sqlite3.connect(path) as db:
        assert "new" in [row[1] for row in db.execute("PRAGMA table_info(comparisons)")]
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2


def test_unusable_stores_are_one_line_errors(tmp_path):
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("hello\n" * 200, encoding="utf-8")
    with pytest.raises(StoreError, match="notes.db: not a stance store"):
        Store.open(not_sqlite)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError, match="another application"):
        Store.open(other)
    newer = tmp_path / "newer.db"
    Store.open(newer).close()
    with sqlite3.connect(newer) as db:
        db.execute("PRAGMA user_version=7")
    with pytest.raises(StoreError, match="schema version 7, newer than this stance supports"):
        Store.open(newer)
    with Store.open(tmp_path / "empty.db") as store, pytest.raises(StoreError, match="no run has completed"):
        store.load_report()
    result = CliRunner().invoke(app, ["report", "--store", str(newer)])
    assert result.exit_code == 2 and "newer" in result.output and "Traceback" not in result.output
    assert issubclass(StoreError, StanceError)
