"""Reading a batch of articles: files, directories, several formats.

Bad input never stops the batch: each problem becomes a `Skipped` with a one-line reason,
and the rest is read. Decisions the spec left open:

- In a directory, files of an unsupported type are ignored silently (folders hold READMEs,
  images...); a directory with no supported file at all is reported, and so is a file of an
  unsupported type named explicitly. Hidden files and folders are never walked into.
- A bad date keeps its article (date None) and is reported as a `Skipped` whose reason says
  "article kept"; so is a duplicate id, renamed "<id>-2", "<id>-3"... in batch order.
- A file named twice (or found through two paths) is read once.
- .txt/.md: the title is the first non-empty line, after any leading date, '#' stripped;
  a first line longer than MAX_TITLE_CHARS is the lede paragraph, not a title (title None),
  and so is a line with nothing after it. Article.text is always the whole file, untouched
  but for newlines, because later stages take character offsets into it.
- Record files (.jsonl, .json lists, .csv) name each record "<stem>-<n>" when it has no id,
  n counting records in the file (1-based); Article.path is then "file:line".
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Optional

from .language import detect_language
from .types import Article, Skipped

#: A first line longer than this is the article's opening paragraph, not its headline.
MAX_TITLE_CHARS = 200
#: Above this share of control characters, a file is binary whatever its extension.
MAX_CONTROL_SHARE = 0.05

_SUPPORTED = (".txt", ".md", ".json", ".jsonl", ".csv")
_SUPPORTED_LIST = ", ".join(_SUPPORTED)
# "date 2025-08-22", "Date : 22/08/2025", or a bare leading date, at the start of a line.
_DATE_MARKER = re.compile(
    r"[ \t]*(?:date[ \t]*[:=]?[ \t]*)?(?P<date>\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4})"
    r"(?![\w/-])[ \t]*[:|–—-]?[ \t]*", re.IGNORECASE)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.+\-Z ]*)?")
_DAY_FIRST_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


@dataclass
class _Draft:
    """An article before its id is made unique and its language known."""
    id: str
    file: str
    line: Optional[int]          # where the record starts, for record files
    text: str
    title: Optional[str] = None
    date: Optional[str] = None
    language: Optional[str] = None
    source: Optional[str] = None
    url: Optional[str] = None


def is_date_line(line: str) -> bool:
    """Whether a line is only a date marker (« date 2026-03-02 »), as plain files may open."""
    return _DATE_MARKER.fullmatch(line) is not None


def read_articles(paths: Iterable[str | Path]) -> tuple[list[Article], list[Skipped]]:
    """Every article in `paths` (files or folders, walked recursively in sorted order),
    and every input that could not be used (or only in part), with why."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    skipped: list[Skipped] = []
    drafts: list[_Draft] = []
    for path in _files_to_read(paths, skipped):
        drafts.extend(_read_file(path, skipped))
    return _finish(drafts, skipped), skipped


# -- finding files ------------------------------------------------------------------------

def _files_to_read(paths: Iterable[str | Path], skipped: list[Skipped]) -> Iterator[Path]:
    seen: set[Path] = set()
    for raw in paths:
        if not str(raw).strip():
            skipped.append(Skipped(repr(str(raw)), "empty path"))
            continue
        path = Path(raw)
        if path.is_dir():
            found = _walk(path, skipped)
            if not found:
                skipped.append(Skipped(str(path), f"no {_SUPPORTED_LIST} file in this folder"))
        elif path.is_file():
            found = [path]
        elif path.exists():
            skipped.append(Skipped(str(path), "not a regular file"))
            continue
        else:
            skipped.append(Skipped(str(path), "no such file or directory"))
            continue
        for file in found:
            identity = file.resolve()
            if identity not in seen:
                seen.add(identity)
                yield file


def _walk(folder: Path, skipped: list[Skipped]) -> list[Path]:
    def unreadable(error: OSError) -> None:
        skipped.append(Skipped(str(error.filename), f"cannot list folder: {error.strerror}"))

    found = []
    for root, folders, names in os.walk(folder, onerror=unreadable):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in names:
            if not name.startswith(".") and Path(name).suffix.lower() in _SUPPORTED:
                found.append(Path(root) / name)
    # By path components, so the order is the same on every file system.
    return sorted(found, key=lambda file: file.relative_to(folder).parts)


# -- decoding -----------------------------------------------------------------------------

def _read_file(path: Path, skipped: list[Skipped]) -> list[_Draft]:
    suffix = path.suffix.lower()
    if suffix not in _SUPPORTED:
        skipped.append(Skipped(str(path), f"unsupported file type '{path.suffix or path.name}'"
                                          f" (expected {_SUPPORTED_LIST})"))
        return []
    try:
        data = path.read_bytes()
    except OSError as error:
        skipped.append(Skipped(str(path), f"cannot read: {error.strerror or error}"))
        return []
    text = _decode(data)
    if text is None:
        skipped.append(Skipped(str(path), "binary file, not text"))
        return []
    if not text.strip():
        skipped.append(Skipped(str(path), "empty file"))
        return []
    reader = {".txt": _read_plain, ".md": _read_plain, ".json": _read_json,
              ".jsonl": _read_jsonl, ".csv": _read_csv}[suffix]
    return reader(path, text, skipped)


def is_binary(data: bytes) -> bool:
    """Whether these bytes (a whole file, or its start) are no text at all."""
    return _decode(data) is None


def _decode(data: bytes) -> Optional[str]:
    """The text in `data` with newlines as \\n, or None when it is not text."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    elif b"\x00" in data:
        return None
    else:
        # latin-1 maps every byte, so this always ends with a text; _looks_binary judges it.
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return None if _looks_binary(text) else text


def _looks_binary(text: str) -> bool:
    controls = sum(1 for char in text
                   if char not in "\n\t\f\v" and (ord(char) < 32 or 127 <= ord(char) < 160))
    return controls > MAX_CONTROL_SHARE * len(text)


# -- .txt and .md -------------------------------------------------------------------------

def _read_plain(path: Path, text: str, skipped: list[Skipped]) -> list[_Draft]:
    lines = text.split("\n")
    filled = [number for number, line in enumerate(lines) if line.strip()]
    first = filled[0]
    heading = lines[first]
    date = None
    marker = _DATE_MARKER.match(heading)
    if marker:
        date = _date_or_report(marker["date"], path, first + 1, skipped)
        heading = heading[marker.end():]
        if not heading.strip():
            filled = filled[1:]
            heading = lines[filled[0]] if filled else ""
    elif len(filled) > 1:
        # A date may stand alone on the line under the headline.
        marker = _DATE_MARKER.fullmatch(lines[filled[1]])
        if marker:
            date = _date_or_report(marker["date"], path, filled[1] + 1, skipped)
            filled = filled[:1] + filled[2:]
    title = _title_from(heading, has_body=len(filled) > 1,
                        markdown=path.suffix.lower() == ".md")
    return [_Draft(id=path.stem, file=str(path), line=None, text=text, title=title, date=date)]


def _title_from(line: str, has_body: bool, markdown: bool) -> Optional[str]:
    stripped = line.strip()
    if markdown and stripped.startswith("#"):
        return stripped.lstrip("#").strip() or None
    # A rule ("---", "* * *") or front-matter fence is no title either.
    if not has_body or len(stripped) > MAX_TITLE_CHARS or not any(c.isalnum() for c in stripped):
        return None
    return stripped


# -- .jsonl, .json, .csv ------------------------------------------------------------------

def _read_jsonl(path: Path, text: str, skipped: list[Skipped]) -> list[_Draft]:
    drafts, ordinal = [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        ordinal += 1
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            skipped.append(Skipped(str(path), f"malformed JSON line: {error.msg}"
                                              f" (column {error.colno})", number))
            continue
        drafts += _record_draft(record, path, f"{path.stem}-{ordinal}", number, skipped)
    if ordinal == 0:
        skipped.append(Skipped(str(path), "no records"))
    return drafts


def _read_json(path: Path, text: str, skipped: list[Skipped]) -> list[_Draft]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":
            return _read_jsonl(path, text, skipped)  # one object per line, named .json
        skipped.append(Skipped(str(path), f"malformed JSON: {error.msg}"
                                          f" (column {error.colno})", error.lineno))
        return []
    if isinstance(data, dict):
        return _record_draft(data, path, path.stem, None, skipped)
    if not isinstance(data, list):
        skipped.append(Skipped(str(path), "expected a JSON object or a list of objects"))
        return []
    if not data:
        skipped.append(Skipped(str(path), "no records"))
    drafts = []
    for ordinal, (record, number) in enumerate(zip(data, _item_lines(text)), start=1):
        drafts += _record_draft(record, path, f"{path.stem}-{ordinal}", number, skipped)
    return drafts


def _item_lines(text: str) -> Iterator[int]:
    """The line each item of the (valid) top-level JSON list starts on."""
    decoder = json.JSONDecoder()
    position = text.index("[") + 1
    while True:
        while text[position] in " \t\n\r,":
            position += 1
        if text[position] == "]":
            return
        yield text.count("\n", 0, position) + 1
        position = decoder.raw_decode(text, position)[1]


def _read_csv(path: Path, text: str, skipped: list[Skipped]) -> list[_Draft]:
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))  # whole articles in a cell
    header_line = text.split("\n", 1)[0]
    delimiter = next((d for d in ",;\t|" if "text" in _header_names(header_line, d)), None)
    if delimiter is None:
        skipped.append(Skipped(str(path), f"no 'text' column in the header"
                                          f" ({header_line.strip()[:80]!r})", 1))
        return []
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    drafts, ordinal, line = [], 0, 1
    try:
        names = [name.strip().lower() for name in next(rows)]
        line = rows.line_num + 1
        for row in rows:
            if any(cell.strip() for cell in row):
                ordinal += 1
                record = {name: cell for name, cell in zip(names, row) if name}
                drafts += _record_draft(record, path, f"{path.stem}-{ordinal}", line, skipped)
            line = rows.line_num + 1
    except csv.Error as error:
        skipped.append(Skipped(str(path), f"malformed CSV, rest of file skipped: {error}", line))
    if ordinal == 0:
        skipped.append(Skipped(str(path), "no records"))
    return drafts


def _header_names(line: str, delimiter: str) -> set[str]:
    return {name.strip().lower() for name in next(csv.reader([line], delimiter=delimiter))}


def _record_draft(record: object, path: Path, default_id: str, line: Optional[int],
                  skipped: list[Skipped]) -> list[_Draft]:
    """The article in one JSON/CSV record (as a list of 0 or 1), reporting what is wrong."""
    def report(reason: str) -> None:
        skipped.append(Skipped(str(path), reason, line))

    if not isinstance(record, dict):
        report(f"expected a JSON object, found {type(record).__name__}")
        return []
    fields = {str(key).strip().lower(): value for key, value in reversed(record.items())}
    text = fields.get("text")
    if text is None:
        report(f"record has no 'text' field (fields: {', '.join(sorted(fields)) or 'none'})")
        return []
    if not isinstance(text, str):
        report(f"'text' must be a string, not {type(text).__name__}")
        return []
    if not text.strip():
        report("record has an empty 'text'")
        return []
    date = None
    raw_date = _field_text(fields, "date")
    if raw_date:
        date = _date_or_report(raw_date, path, line, skipped)
    language = None
    raw_language = _field_text(fields, "language") or _field_text(fields, "lang")
    if raw_language:
        language = re.split(r"[-_]", raw_language.lower(), maxsplit=1)[0]
        if not _LANGUAGE_CODE.fullmatch(language):
            report(f"language {raw_language!r} is not an ISO 639 code; detected instead"
                   " (article kept)")
            language = None
    return [_Draft(
        id=_field_text(fields, "id") or default_id, file=str(path), line=line,
        text=text.replace("\r\n", "\n").replace("\r", "\n"),
        title=_field_text(fields, "title"), date=date, language=language,
        source=_field_text(fields, "source"), url=_field_text(fields, "url"))]


def _field_text(fields: dict, name: str) -> Optional[str]:
    value = fields.get(name)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return str(value).strip() or None


# -- dates, ids, language -----------------------------------------------------------------

def parse_date(value: str) -> Optional[str]:
    """"YYYY-MM-DD" for an ISO date (time part ignored) or a day-first "DD/MM/YYYY";
    None when `value` is no real date."""
    value = value.strip()
    iso = _ISO_DATE.fullmatch(value)
    day_first = _DAY_FIRST_DATE.fullmatch(value)
    if iso:
        year, month, day = iso.groups()
    elif day_first:
        day, month, year = day_first.groups()
    else:
        return None
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _date_or_report(raw: str, path: Path, line: Optional[int],
                    skipped: list[Skipped]) -> Optional[str]:
    date = parse_date(raw)
    if date is None:
        skipped.append(Skipped(str(path), f"date {raw!r} is not a valid date"
                                          " (article kept, date unknown)", line))
    return date


def free_id(base: str, taken: set[str]) -> str:
    """"<base>-2", "<base>-3"…: the first not in `taken` (a duplicate id is renamed, never dropped)."""
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _finish(drafts: list[_Draft], skipped: list[Skipped]) -> list[Article]:
    taken = {draft.id for draft in drafts}
    assigned: set[str] = set()
    articles = []
    for draft in drafts:
        article_id = draft.id
        if article_id in assigned:
            article_id = free_id(draft.id, taken)
            taken.add(article_id)
            skipped.append(Skipped(draft.file, f"duplicate id {draft.id!r}, renamed"
                                               f" {article_id!r} (article kept)", draft.line))
        assigned.add(article_id)
        where = f"{draft.file}:{draft.line}" if draft.line is not None else draft.file
        articles.append(Article(
            id=article_id, path=where, text=draft.text, title=draft.title,
            date=draft.date, language=draft.language or detect_language(draft.text),
            source=draft.source, url=draft.url))
    return articles

