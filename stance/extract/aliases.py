"""User alias files: rename actors, give them more names, merge them.

Format (TOML; YAML with the same structure works too, file ending .yaml or .yml):

    # Rename or complete an actor. The key is an actor id ("dmitri-peskov") or any name
    # the articles use for it ("Peskov", "le Kremlin").
    [actors."dmitri-peskov"]
    name = "Dmitri Peskov"                               # display name (optional)
    aliases = ["Peskov", "le porte-parole du Kremlin"]   # more names for it (optional)
    kind = "person"                                      # or "organization" (optional)
    id = "dmitri-peskov"                                 # a new id (optional)

    # Report the statements of the listed actors as the key actor's.
    [merge]
    kremlin = ["dmitri-peskov"]

A speaker written as one of an entry's aliases (or its name, or its key) is that actor,
even when the article gives no other clue (« le porte-parole du Kremlin a déclaré… »).
Names are compared without case, accents, honorifics or transliteration differences.
An entry or merge target that no article mentions is created when something merges into it.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .folding import fold_name, fold_text, slug

_ENTRY_KEYS = {"name", "aliases", "kind", "id"}
_KINDS = ("person", "organization")


@dataclass(frozen=True)
class AliasEntry:
    key: str                          # as written in the file
    name: str | None = None
    aliases: tuple[str, ...] = ()
    kind: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class Aliases:
    path: str
    entries: tuple[AliasEntry, ...] = ()
    merges: tuple[tuple[str, tuple[str, ...]], ...] = ()   # (target, sources)
    _index: dict[str, AliasEntry] = field(default_factory=dict, compare=False, repr=False)

    def entry_for(self, *surfaces: str) -> AliasEntry | None:
        """The entry one of these written forms names, if any."""
        for surface in surfaces:
            if not surface:
                continue
            for key in keys_of(surface):
                if key in self._index:
                    return self._index[key]
        return None


def keys_of(surface: str) -> tuple[str, ...]:
    """The forms a name is looked up by: as a phrase, as a person's name, as an id."""
    return tuple(k for k in (fold_text(surface), fold_name(surface), slug(surface)) if k)


def load_aliases(path: str | Path) -> Aliases:
    """Read an alias file (TOML, or YAML by extension); InputError naming the file if bad."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(str(path), f"cannot read alias file ({error.strerror or error})") from None
    data = _parse(path, raw)
    if not isinstance(data, dict):
        raise InputError(str(path), "an alias file holds the tables [actors] and [merge]")
    unknown = set(data) - {"actors", "merge"}
    if unknown:
        raise InputError(str(path), f"unknown section {sorted(unknown)[0]!r} "
                                    "(expected 'actors' and 'merge')")
    entries = tuple(_entry(path, key, value) for key, value in _table(path, data, "actors").items())
    merges = []
    for target, sources in _table(path, data, "merge").items():
        if isinstance(sources, str):
            sources = [sources]
        if not isinstance(sources, list) or not all(isinstance(s, str) and s.strip() for s in sources):
            raise InputError(str(path), f"merge.{target}: expected a list of actor ids or names")
        merges.append((str(target), tuple(sources)))
    index: dict[str, AliasEntry] = {}
    for entry in entries:
        for surface in (entry.key, entry.name, entry.id, *entry.aliases):
            for key in keys_of(surface or ""):
                index.setdefault(key, entry)
    return Aliases(path=str(path), entries=entries, merges=tuple(merges), _index=index)


def _parse(path: Path, raw: bytes):
    text = raw.decode("utf-8", errors="replace")
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml
        try:
            return yaml.safe_load(text) or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            reason = getattr(error, "problem", None) or str(error).splitlines()[0]
            raise InputError(str(path), f"invalid YAML: {reason}",
                             line=mark.line + 1 if mark else None) from None
    if path.suffix.lower() not in (".toml", ""):
        raise InputError(str(path), "alias files are TOML (.toml) or YAML (.yaml, .yml)")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line = re.search(r"at line (\d+)", message)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise InputError(str(path), f"invalid TOML: {reason}",
                         line=int(line.group(1)) if line else None) from None


def _table(path: Path, data: dict, name: str) -> dict:
    value = data.get(name, {})
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(str(path), f"'{name}' must be a table of actors")
    return value


def _entry(path: Path, key, value) -> AliasEntry:
    where = f"actors.{key}"
    if not isinstance(value, dict):
        raise InputError(str(path), f"{where}: expected a table with name / aliases / kind / id")
    unknown = set(value) - _ENTRY_KEYS
    if unknown:
        raise InputError(str(path), f"{where}: unknown field {sorted(unknown)[0]!r} "
                                    f"(expected {', '.join(sorted(_ENTRY_KEYS))})")
    aliases = value.get("aliases", [])
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise InputError(str(path), f"{where}.aliases: expected a list of names")
    for field_name in ("name", "id"):
        given = value.get(field_name)
        if field_name in value and not (isinstance(given, str) and given.strip()):
            raise InputError(str(path), f"{where}.{field_name}: expected a non-empty string")
    kind = value.get("kind")
    if kind is not None and kind not in _KINDS:
        raise InputError(str(path), f"{where}.kind: expected 'person' or 'organization', got {kind!r}")
    identifier = value.get("id")
    if identifier is not None and slug(identifier) != identifier:
        raise InputError(str(path), f"{where}.id: {identifier!r} is not an id (lower-case "
                                    f"ASCII words joined by '-', e.g. {slug(identifier)!r})")
    return AliasEntry(key=str(key), name=value.get("name"), aliases=tuple(aliases), kind=kind,
                      id=identifier)
