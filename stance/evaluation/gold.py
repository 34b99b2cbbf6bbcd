"""The gold file of `stance eval extraction`: articles, their statements and speakers, checked.

Format (documented in eval/README.md): {"actors": {id: {name, kind, aliases}}, "articles":
[{"path", "statements": [{"text" and/or "start"/"end", "actor", "kind", "note"}]}]}.
Offsets point into Article.text as stance.readers reads the file. Every problem is an
InputError naming the gold file and the statement ("articles[2].statements[5]").
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..errors import InputError
from ..types import Article

KINDS = ("direct", "indirect", "mixed")
ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class GoldActor:
    id: str
    name: str
    kind: str = "person"
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name,) + self.aliases


@dataclass(frozen=True)
class GoldStatement:
    start: int
    end: int
    text: str
    actor: GoldActor
    kind: str
    note: str = ""


@dataclass
class GoldArticle:
    path: Path                       # resolved file
    written: str                     # as the gold file writes it
    statements: list[GoldStatement] = field(default_factory=list)
    article: Optional[Article] = None  # as stance's readers read it: offsets point into its text


def load_gold(path: Path) -> tuple[list[GoldArticle], dict[str, GoldActor]]:
    """Read and check a gold file; every problem is an InputError naming the file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(str(path), f"cannot read ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise InputError(str(path), f"not valid JSON ({error.msg})", line=error.lineno) from None
    if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
        raise InputError(str(path), "expected an object with an \"articles\" list")
    actors = _gold_actors(path, data.get("actors") or {})
    articles = []
    seen: set[Path] = set()
    for a, entry in enumerate(data["articles"]):
        where = f"articles[{a}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise InputError(str(path), f"{where}: needs a \"path\"")
        resolved = _resolve(path, entry["path"])
        if resolved is None:
            raise InputError(str(path), f"{where}: article {entry['path']!r} not found "
                                        f"(paths are relative to the gold file or the repository)")
        if resolved in seen:
            raise InputError(str(path), f"{where}: article {entry['path']!r} listed twice")
        seen.add(resolved)
        articles.append(GoldArticle(resolved, entry["path"]))
    _read_texts(path, articles)
    for a, (entry, article) in enumerate(zip(data["articles"], articles)):
        for s, item in enumerate(entry.get("statements") or []):
            article.statements.append(_gold_statement(
                path, f"articles[{a}].statements[{s}]", item, article.article.text, actors))
        article.statements.sort(key=lambda st: (st.start, st.end))
    return articles, actors


def _gold_actors(path: Path, raw) -> dict[str, GoldActor]:
    if not isinstance(raw, dict):
        raise InputError(str(path), "\"actors\" must be an object: id -> {name, kind, aliases}")
    actors = {}
    for key, value in raw.items():
        value = {"name": value} if isinstance(value, str) else value
        if not isinstance(value, dict) or not isinstance(value.get("name"), str):
            raise InputError(str(path), f"actors.{key}: needs a \"name\"")
        aliases = value.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(x, str) for x in aliases):
            raise InputError(str(path), f"actors.{key}: \"aliases\" must be a list of names")
        actors[key] = GoldActor(key, value["name"], str(value.get("kind", "person")), tuple(aliases))
    return actors


def _resolve(gold_path: Path, written: str) -> Optional[Path]:
    for base in (gold_path.parent, ROOT, Path.cwd()):
        candidate = (base / written).resolve()
        if candidate.is_file():
            return candidate
    return None


def _read_texts(gold_path: Path, articles: list[GoldArticle]) -> None:
    """Each gold article as stance reads it (`GoldArticle.article`)."""
    from ..readers import read_articles

    read, skipped = read_articles([a.path for a in articles])
    by_path = {Path(article.path).resolve(): article for article in read}
    for article in articles:
        if article.path not in by_path:
            reasons = "; ".join(s.message() for s in skipped) or "unreadable"
            raise InputError(str(gold_path), f"article {article.written!r} cannot be read ({reasons})")
        article.article = by_path[article.path]


def _gold_statement(path: Path, where: str, item, text: str,
                    actors: dict[str, GoldActor]) -> GoldStatement:
    if not isinstance(item, dict):
        raise InputError(str(path), f"{where}: expected an object")
    kind = item.get("kind")
    if kind not in KINDS:
        raise InputError(str(path), f"{where}: \"kind\" must be one of {', '.join(KINDS)}, got {kind!r}")
    actor = item.get("actor")
    if not isinstance(actor, str) or not actor.strip():
        raise InputError(str(path), f"{where}: needs an \"actor\" (an id from \"actors\" or a name)")
    gold_actor = actors.get(actor) or GoldActor(actor, actor)
    quoted, start, end = item.get("text"), item.get("start"), item.get("end")
    if start is None and end is None:
        if not isinstance(quoted, str) or not quoted:
            raise InputError(str(path), f"{where}: needs \"text\" or \"start\" and \"end\"")
        count = text.count(quoted)
        if count != 1:
            problem = "not found" if count == 0 else f"found {count} times; add \"start\""
            raise InputError(str(path), f"{where}: text {_short(quoted)} {problem} in the article")
        start = text.index(quoted)
        end = start + len(quoted)
    elif isinstance(start, int) and end is None and isinstance(quoted, str):
        end = start + len(quoted)
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        raise InputError(str(path), f"{where}: bad offsets start={start!r} end={end!r} "
                                    f"(article has {len(text)} characters)")
    if isinstance(quoted, str) and text[start:end] != quoted:
        raise InputError(str(path), f"{where}: text {_short(quoted)} does not match the article "
                                    f"at {start}:{end} ({_short(text[start:end])})")
    return GoldStatement(start, end, text[start:end], gold_actor, kind, str(item.get("note", "")))


def _short(text: str, width: int = 50) -> str:
    return repr(text if len(text) <= width else text[:width] + "…")
