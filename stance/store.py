"""The incremental store: one SQLite file that remembers articles, their analyses, topic
vectors, NLI scores and the last complete report, so a CI run on a new batch only pays for
what is new.

    with Store.open("stance.db") as store:
        report = check(["new/"], options, store=store)   # stance.pipeline
        report = store.load_report()                     # the last complete run, no model

What is kept, and why:

* articles, with the spaCy analysis of each (stance.extract.nlp.Analysis, as compressed
  JSON). Actor resolution is batch-wide (a "M. Lavrov" in one article is the "Sergueï
  Lavrov" of another), so every run re-resolves actors over the whole store; the parse is
  93% of extraction time, and it is per article, so it is cached. An analysis is tagged
  with a version (the source of the analysing code, its word lists and the spaCy model
  version): when any of these change, it is recomputed.
* topic vectors (e5, per claim+sentence) and NLI scores (per model fingerprint, premise,
  hypothesis): the expensive parts, computed once. Scores are committed chunk by chunk as
  they are computed, so a killed run loses at most one chunk.
* the last complete run's actors, statements and comparisons (the snapshot), written in one
  transaction at the end of a run; `stance report` renders it without a model.

An article stays "pending" from the transaction that adds it (with its analysis) until the
run that adds it completes; pending articles are new to the next run too, which is how a
killed run is resumed with the same report as an uninterrupted one.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from .errors import StanceError
from .readers import free_id
from .types import (Actor, Article, ClaimPair, Judgement, ModelInfo, Report, Scores, Statement)

SCHEMA_VERSION = 2
#: PRAGMA application_id of a stance store ("STNC"): tells it apart from any other SQLite file.
APPLICATION_ID = 0x53544E43
#: Scores are committed after this many model batches: a killed run redoes at most these.
CHUNK_BATCHES = 4
_IN_CHUNK = 500   # keys per "IN (...)" query, well under SQLite's variable limit

_SCHEMA = """
CREATE TABLE articles (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL, title TEXT, date TEXT, language TEXT NOT NULL, source TEXT, url TEXT,
    text TEXT NOT NULL,
    reported INTEGER NOT NULL DEFAULT 0,
    added_at TEXT NOT NULL
);
CREATE TABLE analyses (
    content_hash TEXT NOT NULL, language TEXT NOT NULL, version TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (content_hash, language)
) WITHOUT ROWID;
CREATE TABLE vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE scores (
    key BLOB PRIMARY KEY, entailment REAL NOT NULL, neutral REAL NOT NULL, contradiction REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE actors (id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, aliases TEXT NOT NULL);
CREATE TABLE statements (
    position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, article_id TEXT NOT NULL,
    actor_id TEXT NOT NULL, text TEXT NOT NULL, kind TEXT NOT NULL, start INTEGER NOT NULL,
    "end" INTEGER NOT NULL, cue TEXT NOT NULL, sentence TEXT NOT NULL, date TEXT,
    speaker TEXT NOT NULL, new INTEGER NOT NULL
);
CREATE TABLE comparisons (
    position INTEGER PRIMARY KEY, a TEXT NOT NULL, b TEXT NOT NULL, same_actor INTEGER NOT NULL,
    similarity REAL NOT NULL, near_duplicate INTEGER NOT NULL, label TEXT NOT NULL,
    scores TEXT NOT NULL, new INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY, finished_at TEXT NOT NULL, model TEXT NOT NULL, labels TEXT NOT NULL,
    articles_added INTEGER NOT NULL, settings TEXT NOT NULL
);
"""

#: Migrations from version N to N+1, applied in order when an older store is opened.
_MIGRATIONS: dict[int, str] = {
    # 1 -> 2: comparisons say whether the pair itself is new (an actor merge made it).
    1: "ALTER TABLE comparisons ADD COLUMN new INTEGER NOT NULL DEFAULT 0",
}


class StoreError(StanceError):
    """A store that cannot be used (exit code 2)."""


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _key(*parts: str) -> bytes:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).digest()[:16]


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    def __init__(self, path: Path, connection: sqlite3.Connection):
        self.path = path
        self._db = connection

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path) -> "Store":
        path = Path(path)
        if path.is_dir():
            raise StoreError(f"{path}: is a directory, not a store file")
        try:
            connection = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        except sqlite3.Error as error:
            raise StoreError(f"{path}: cannot open the store ({error})") from None
        store = cls(path, connection)
        try:
            store._prepare()
        except sqlite3.DatabaseError as error:
            connection.close()
            raise StoreError(f"{path}: not a stance store ({error})") from None
        except StoreError:
            connection.close()
            raise
        return store

    def _prepare(self) -> None:
        db = self._db
        version = db.execute("PRAGMA user_version").fetchone()[0]
        application = db.execute("PRAGMA application_id").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if application != APPLICATION_ID and (tables or version):
            raise StoreError(f"{self.path}: not a stance store (an SQLite file of another application)")
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: the store has schema version {version}, newer than this "
                             f"stance supports ({SCHEMA_VERSION}); upgrade stance to use it")
        db.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL survives a killed process; only a power cut may lose the last commits.
        db.execute("PRAGMA synchronous=NORMAL")
        with self.transaction():
            # Statement by statement: executescript() would commit the open transaction.
            if version == 0:
                _run_script(db, _SCHEMA.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"))
                db.execute(f"PRAGMA application_id={APPLICATION_ID}")
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            for step in range(version or SCHEMA_VERSION, SCHEMA_VERSION):
                _run_script(db, _MIGRATIONS[step])
                db.execute(f"PRAGMA user_version={step + 1}")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- articles ------------------------------------------------------------------------------
    def admit(self, articles: Sequence[Article]) -> tuple[list[Article], list[str]]:
        """Which articles of a batch are new to the store, and a note for each that is not.

        Same content as a stored article: a no-op. Same id, other content: kept, renamed
        "<id>-2", "<id>-3"... as the readers do for duplicate ids within a batch. Nothing is
        written here (see add_articles)."""
        known = {row[0]: (row[1], row[2]) for row in self._db.execute(
            "SELECT content_hash, id, reported FROM articles")}
        taken = {stored_id for stored_id, _ in known.values()}  # ids and hashes are both unique
        fresh: list[Article] = []
        notes: list[str] = []
        seen: set[str] = set()
        for article in articles:
            digest = content_hash(article.text)
            if digest in known:
                stored_id, reported = known[digest]
                state = "already in the store" if reported else "already in the store (from an " \
                                                                "interrupted run, resumed now)"
                notes.append(f"{article.path}: {state} as article {stored_id}, not added again")
                continue
            if digest in seen:
                notes.append(f"{article.path}: same text as another article of this batch, not added")
                continue
            seen.add(digest)
            if article.id in taken:
                renamed = free_id(article.id, taken)
                notes.append(f"{article.path}: another article with id {article.id!r} is in the store, "
                             f"this one is added as {renamed}")
                article = replace(article, id=renamed)
            taken.add(article.id)
            fresh.append(article)
        return fresh, notes

    def articles(self, reported_only: bool = False) -> list[Article]:
        """Stored articles in the order they were added."""
        where = "WHERE reported = 1" if reported_only else ""
        rows = self._db.execute(f"SELECT id, path, text, title, date, language, source, url "
                                f"FROM articles {where} ORDER BY seq")
        return [Article(*row) for row in rows]

    def pending_article_ids(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT id FROM articles WHERE reported = 0")}

    def add_articles(self, articles: Sequence[Article], analyses: dict[tuple[str, str], bytes],
                     version: str) -> None:
        """New articles and the analyses computed this run, in one transaction."""
        with self.transaction() as db:
            for article in articles:
                db.execute("INSERT INTO articles (id, content_hash, path, title, date, language, "
                           "source, url, text, added_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                           (article.id, content_hash(article.text), article.path, article.title,
                            article.date, article.language, article.source, article.url,
                            article.text, _now()))
            db.executemany("INSERT OR REPLACE INTO analyses VALUES (?,?,?,?)",
                           [(digest, language, version, data)
                            for (digest, language), data in analyses.items()])

    def analyses(self, version: str) -> dict[tuple[str, str], bytes]:
        """(content hash, language) -> encoded analysis, for analyses of this version."""
        rows = self._db.execute("SELECT content_hash, language, data FROM analyses WHERE version = ?",
                                (version,))
        return {(digest, language): data for digest, language, data in rows}

    # -- caches --------------------------------------------------------------------------------
    def _lookup(self, table: str, columns: str, keys: Sequence[bytes]) -> dict[bytes, tuple]:
        found: dict[bytes, tuple] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), _IN_CHUNK):
            part = unique[start:start + _IN_CHUNK]
            marks = ",".join("?" * len(part))
            for row in self._db.execute(f"SELECT key, {columns} FROM {table} WHERE key IN ({marks})", part):
                found[row[0]] = row[1:]
        return found

    @staticmethod
    def vector_key(encoder: str, statement: Statement) -> bytes:
        return _key(encoder, statement.text, statement.sentence)

    def vectors(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        return {key: np.frombuffer(row[0], dtype=np.float32)
                for key, row in self._lookup("vectors", "vector", keys).items()}

    def put_vectors(self, rows: Iterable[tuple[bytes, np.ndarray]]) -> None:
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO vectors VALUES (?,?)",
                           [(key, np.asarray(vector, dtype=np.float32).tobytes()) for key, vector in rows])

    @staticmethod
    def score_key(fingerprint: str, premise: str, hypothesis: str) -> bytes:
        return _key(fingerprint, premise, hypothesis)

    def scores(self, keys: Sequence[bytes]) -> dict[bytes, tuple[float, float, float]]:
        return self._lookup("scores", "entailment, neutral, contradiction", keys)

    def put_scores(self, rows: Iterable[tuple[bytes, Sequence[float]]]) -> None:
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO scores VALUES (?,?,?,?)",
                           [(key, *(float(v) for v in probs)) for key, probs in rows])

    def count(self, table: str) -> int:
        if table not in {"articles", "analyses", "vectors", "scores", "actors", "statements",
                         "comparisons", "runs"}:
            raise ValueError(table)
        return self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    # -- the snapshot --------------------------------------------------------------------------
    def reported_statements(self) -> frozenset[str]:
        """Ids of the statements of the last run."""
        return frozenset(row[0] for row in self._db.execute("SELECT id FROM statements"))

    def compared_pairs(self) -> dict[tuple[str, str], bool]:
        """{(a, b) statement ids: same actor} of the comparisons of the last run."""
        return {(a, b): bool(same) for a, b, same in self._db.execute("SELECT a, b, same_actor FROM comparisons")}

    def save_report(self, report: Report, articles_added: int) -> None:
        """The run's outcome, in one transaction: actors, statements, comparisons, and every
        pending article marked as reported."""
        new = report.new_statements or frozenset()
        with self.transaction() as db:
            for table in ("actors", "statements", "comparisons"):
                db.execute(f"DELETE FROM {table}")
            db.executemany("INSERT INTO actors VALUES (?,?,?,?)",
                           [(a.id, a.name, a.kind, json.dumps(list(a.aliases), ensure_ascii=False))
                            for a in report.actors])
            db.executemany('INSERT INTO statements (id, article_id, actor_id, text, kind, start, "end", '
                           'cue, sentence, date, speaker, new) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
                           [(s.id, s.article_id, s.actor_id, s.text, s.kind, s.start, s.end, s.cue,
                             s.sentence, s.date, s.speaker, int(s.id in new)) for s in report.statements])
            db.executemany("INSERT INTO comparisons (a, b, same_actor, similarity, near_duplicate, label, "
                           "scores, new) VALUES (?,?,?,?,?,?,?,?)",
                           [(j.pair.a.id, j.pair.b.id, int(j.pair.same_actor), j.pair.similarity,
                             int(j.pair.near_duplicate), j.label, _scores_json(j),
                             int((j.pair.a.id, j.pair.b.id) in report.new_pairs)) for j in report.judgements])
            db.execute("UPDATE articles SET reported = 1 WHERE reported = 0")
            db.execute("INSERT INTO runs (finished_at, model, labels, articles_added, settings) "
                       "VALUES (?,?,?,?,?)",
                       (_now(), report.model.name, json.dumps(list(report.model.labels)), articles_added,
                        json.dumps(report.settings, ensure_ascii=False, default=str)))

    def load_report(self) -> Report:
        """The last complete run, as a Report (no model needed). Raises StoreError when no run
        has completed yet."""
        run = self._db.execute("SELECT model, labels, settings FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        if run is None:
            raise StoreError(f"{self.path}: no run has completed on this store yet "
                             f"(run `stance check ... --store {self.path}` first)")
        actors = [Actor(id=row[0], name=row[1], kind=row[2], aliases=tuple(json.loads(row[3])))
                  for row in self._db.execute("SELECT id, name, kind, aliases FROM actors ORDER BY id")]
        statements: list[Statement] = []
        new: set[str] = set()
        for row in self._db.execute('SELECT id, article_id, actor_id, text, kind, start, "end", cue, '
                                    'sentence, date, speaker, new FROM statements ORDER BY position'):
            statements.append(Statement(*row[:11]))
            if row[11]:
                new.add(row[0])
        by_id = {s.id: s for s in statements}
        judgements, new_pairs = [], set()
        for a, b, same, similarity, duplicate, label, scores, pair_new in self._db.execute(
                "SELECT a, b, same_actor, similarity, near_duplicate, label, scores, new FROM comparisons "
                "ORDER BY position"):
            if pair_new:
                new_pairs.add((a, b))
            combined, forward, backward = (Scores(*trio) for trio in json.loads(scores))
            judgements.append(Judgement(
                pair=ClaimPair(a=by_id[a], b=by_id[b], same_actor=bool(same), similarity=similarity,
                               near_duplicate=bool(duplicate)),
                label=label, scores=combined, forward=forward, backward=backward))
        settings = json.loads(run[2])
        return Report(model=ModelInfo(name=run[0], labels=tuple(json.loads(run[1])),
                                      precision=settings.get("precision")),
                      articles=self.articles(reported_only=True), actors=actors, statements=statements,
                      judgements=judgements, settings=settings, new_statements=frozenset(new),
                      new_pairs=frozenset(new_pairs))


def _run_script(db: sqlite3.Connection, script: str) -> None:
    for statement in filter(str.strip, script.split(";")):
        db.execute(statement)


def _scores_json(judgement: Judgement) -> str:
    trios = [(s.entailment, s.neutral, s.contradiction)
             for s in (judgement.scores, judgement.forward, judgement.backward)]
    return json.dumps(trios)


__all__ = ["Store", "StoreError", "SCHEMA_VERSION", "CHUNK_BATCHES", "content_hash"]
