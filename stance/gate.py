"""CI checks on a report: findings with stable ids, a baseline of accepted ones, JUnit XML.

    found = findings(report, min_score=0.7, accepted=load_baseline("accepted.json"))
    failing = [f for f in found if f.fails]          # `--fail-on contradiction` exits 1 on these
    Path("stance.xml").write_text(junit_xml(found, report))

A finding is a NEW comparison labelled contradiction or agreement: one that involves a
statement new in this run (Report.new_statements; every statement when there is no store).
Its id hashes the actor id(s) and the two statement texts (whitespace collapsed), in an
order-independent way, so the same two claims get the same id in every run, whatever the
article ids, the statement numbers or the order the pair was built in. A contradiction
fails the gate when its P(contradiction) is at least `min_score` and its id is not in the
baseline; accepted ones are kept (JUnit "skipped") but never fail.
"""
from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .errors import InputError
from .report.grouping import headline_score, one_line, shorten
from .types import ClaimPair, Judgement, Report, Statement

BASELINE_VERSION = 1
_FINDING_LABELS = ("contradiction", "agreement")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def finding_id(pair: ClaimPair) -> str:
    """12 hex digits from the actors and the two texts; the same whichever statement is `a`."""
    sides = sorted(f"{s.actor_id}\x1f{one_line(s.text)}" for s in (pair.a, pair.b))
    return hashlib.sha256("\x1e".join(sides).encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Finding:
    id: str
    judgement: Judgement
    fails: bool                     # a contradiction at or above the minimum score, not accepted
    accepted: Optional[str] = None  # the baseline's reason ("" when it gives none); None: not accepted

    @property
    def label(self) -> str:
        return self.judgement.label

    @property
    def score(self) -> float:
        return headline_score(self.judgement)


def default_min_score(report: Report) -> float:
    """The gate's --min-score when none is given: the run's contradiction threshold."""
    return float(report.settings.get("contradiction_threshold", 0.5))


def findings(report: Report, min_score: Optional[float] = None,
             accepted: Optional[dict[str, str]] = None, new_only: bool = True) -> list[Finding]:
    """New contradictions then agreements, strongest first. `min_score` defaults to the
    report's contradiction threshold."""
    if min_score is None:
        min_score = default_min_score(report)
    accepted = accepted or {}
    found = []
    for judgement in report.judgements:
        if judgement.label not in _FINDING_LABELS or (new_only and not report.is_new(judgement)):
            continue
        identifier = finding_id(judgement.pair)
        reason = accepted.get(identifier)
        fails = (judgement.label == "contradiction" and judgement.scores.contradiction >= min_score
                 and reason is None)
        found.append(Finding(identifier, judgement, fails, reason))
    return sorted(found, key=lambda f: (_FINDING_LABELS.index(f.label), -f.score, f.id))


# -- baseline ----------------------------------------------------------------------------------
def load_baseline(path: str | Path) -> dict[str, str]:
    """id -> reason ("" when none) from a file written by `stance baseline`."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(str(path), "no such baseline file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(str(path), f"cannot read the baseline ({error})") from None
    except json.JSONDecodeError as error:
        raise InputError(str(path), f"not valid JSON ({error.msg})", line=error.lineno) from None
    entries = data.get("accepted") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise InputError(str(path), 'a baseline is {"accepted": [{"id": ..., "reason": ...}, ...]}')
    accepted: dict[str, str] = {}
    for number, entry in enumerate(entries, 1):
        if isinstance(entry, str):
            entry = {"id": entry}
        identifier = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(identifier, str) or not identifier.strip():
            raise InputError(str(path), f"accepted entry {number} has no \"id\" string")
        reason = entry.get("reason") or ""
        accepted[identifier.strip()] = str(reason)
    return accepted


def baseline_dict(report: Report, min_score: Optional[float] = None,
                  reasons: Optional[dict[str, str]] = None) -> dict:
    """Every contradiction in the report (new or not) at or above `min_score`, as accepted
    entries; `reasons` (an earlier baseline) carries its reasons and its entries over."""
    reasons = reasons or {}
    entries, listed = [], set()
    for finding in findings(report, min_score=min_score, new_only=False):
        if finding.label != "contradiction" or not (finding.fails or finding.id in reasons):
            continue
        if finding.id in listed:   # the same claims, carried twice
            continue
        listed.add(finding.id)
        pair = finding.judgement.pair
        entries.append({"id": finding.id, "reason": reasons.get(finding.id, ""),
                        "actors": sorted({pair.a.actor_id, pair.b.actor_id}),
                        "score": round(finding.score, 4),
                        "a": one_line(pair.a.text), "b": one_line(pair.b.text)})
    # An accepted finding stays accepted even when this store no longer holds it.
    entries += [{"id": identifier, "reason": reason} for identifier, reason in reasons.items()
                if identifier not in listed]
    return {"version": BASELINE_VERSION, "accepted": entries}


# -- CI output ---------------------------------------------------------------------------------
def _where(statement: Statement) -> str:
    article = statement.article_id if len(statement.article_id) <= 14 else statement.article_id[:10] + "…"
    return f"{article}, {statement.date}" if statement.date else article


def _actors(pair: ClaimPair) -> str:
    a, b = pair.a.actor_id, pair.b.actor_id
    return a if a == b else f"{a}/{b}"


def finding_line(finding: Finding, width: int = 70) -> str:
    """One CI log line: LABEL id actor(s) score "a" (article, date) vs "b" (article, date)."""
    pair = finding.judgement.pair
    return (f"{finding.label.upper()} {finding.id} {_actors(pair)} {finding.score:.2f} "
            f"\"{shorten(pair.a.text, width)}\" ({_where(pair.a)}) vs "
            f"\"{shorten(pair.b.text, width)}\" ({_where(pair.b)})")


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def junit_xml(found: list[Finding], report: Report, min_score: Optional[float] = None) -> str:
    """One test case per finding: failure for a failing contradiction, skipped for an accepted one."""
    if min_score is None:
        min_score = default_min_score(report)
    failures = sum(1 for f in found if f.fails)
    skipped = sum(1 for f in found if f.accepted is not None)
    counts = {"tests": str(len(found)), "failures": str(failures), "errors": "0", "skipped": str(skipped)}
    suites = ET.Element("testsuites", name="stance", **counts)
    suite = ET.SubElement(suites, "testsuite", name="stance findings", **counts,
                          time=f"{float(report.timings.get('total', 0.0)):.3f}")
    for finding in found:
        pair = finding.judgement.pair
        case = ET.SubElement(suite, "testcase", classname=f"stance.{finding.label}.{_actors(pair)}",
                             name=_clean(f"{finding.id} {shorten(pair.a.text, 60)} vs {shorten(pair.b.text, 60)}"))
        details = _clean(
            f"{finding.label} {finding.id}, score {finding.score:.4f} (similarity {pair.similarity:.2f})\n"
            f"A [{pair.a.actor_id}, {pair.a.id}, {pair.a.date or 'undated'}]: {one_line(pair.a.text)}\n"
            f"B [{pair.b.actor_id}, {pair.b.id}, {pair.b.date or 'undated'}]: {one_line(pair.b.text)}\n")
        if finding.accepted is not None:
            ET.SubElement(case, "skipped", message=_clean(f"accepted in the baseline: {finding.accepted}"
                                                          if finding.accepted else "accepted in the baseline"))
        elif finding.fails:
            failure = ET.SubElement(case, "failure", type="contradiction",
                                    message=f"P(contradiction) {finding.score:.2f} >= {min_score:.2f}")
            failure.text = details
        else:
            ET.SubElement(case, "system-out").text = details
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


__all__ = ["Finding", "default_min_score", "finding_id", "findings", "load_baseline", "baseline_dict",
           "finding_line", "junit_xml", "BASELINE_VERSION"]
