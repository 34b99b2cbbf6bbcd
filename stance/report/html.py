"""The HTML report: one self-contained file (inline CSS, no script, no external asset).

It is meant to be mailed around a newsroom and opened offline, so nothing may be
fetched. Every piece of text that came from an article, a file name or a model
goes through `esc`: a scraped title can contain anything, `<script>` included.
"""
from __future__ import annotations

import html
import re

from .. import __version__
from ..types import Judgement, Scores, Statement
from .grouping import ActorSection, ReportView, headline_score, one_line, plural, timings_line

_LABEL_TITLES = {"contradiction": "Contradictions", "agreement": "Agreements", "neutral": "Neutral pairs"}

_CSS = """
:root { --ink:#1d2430; --muted:#5f6b7a; --line:#e3e7ee; --paper:#fff; --wash:#f6f8fb;
  --red:#c62828; --red-wash:#fdecec; --green:#2e7d32; --green-wash:#e9f5ea; --grey:#8a94a3; }
* { box-sizing:border-box; }
body { margin:0; background:var(--wash); color:var(--ink);
  font:15px/1.55 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; }
main { max-width:1120px; margin:0 auto; padding:28px 24px 64px; }
h1 { font-size:26px; margin:0 0 4px; letter-spacing:-.01em; }
h2 { font-size:19px; margin:36px 0 12px; padding-bottom:6px; border-bottom:2px solid var(--ink); }
h3 { font-size:17px; margin:0 0 4px; }
h4 { font-size:14px; text-transform:uppercase; letter-spacing:.05em; color:var(--muted); margin:18px 0 8px; }
code { font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; color:var(--muted); }
.meta, .muted { color:var(--muted); font-size:13px; }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(120px,1fr)); gap:10px; margin:18px 0 10px; }
.card { background:var(--paper); border:1px solid var(--line); border-radius:8px; padding:10px 14px; }
.card b { display:block; font-size:24px; line-height:1.2; }
.card span { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
.card.contradiction b { color:var(--red); } .card.agreement b { color:var(--green); }
nav ul { list-style:none; padding:0; margin:0; display:flex; flex-wrap:wrap; gap:6px 14px; font-size:14px; }
a { color:#1f5fa8; text-decoration:none; } a:hover { text-decoration:underline; }
.actor { background:var(--paper); border:1px solid var(--line); border-radius:10px; padding:18px 20px; margin:0 0 18px; }
table { width:100%; border-collapse:collapse; font-size:14px; }
th { text-align:left; font-weight:600; color:var(--muted); font-size:12px; text-transform:uppercase;
  letter-spacing:.04em; border-bottom:1px solid var(--line); padding:6px 8px; }
td { border-bottom:1px solid var(--line); padding:7px 8px; vertical-align:top; }
td.date { white-space:nowrap; width:7em; } td.kind { width:6em; color:var(--muted); }
td.article { width:24%; }
.badge { display:inline-block; border-radius:999px; padding:1px 10px; font-size:12px; font-weight:600;
  color:#fff; background:var(--grey); text-transform:uppercase; letter-spacing:.04em; }
.badge.contradiction { background:var(--red); } .badge.agreement { background:var(--green); }
.tag { display:inline-block; border:1px solid var(--line); border-radius:4px; padding:0 6px;
  font-size:12px; color:var(--muted); }
.finding { border:1px solid var(--line); border-left:4px solid var(--grey); border-radius:8px;
  padding:12px 14px; margin:0 0 12px; background:var(--paper); }
.finding.contradiction { border-left-color:var(--red); } .finding.agreement { border-left-color:var(--green); }
.finding-head { display:flex; align-items:center; gap:10px; flex-wrap:wrap; margin-bottom:8px; }
.headline { font-weight:700; font-size:16px; }
.sides { display:grid; grid-template-columns:1fr 1fr; gap:12px; }
@media (max-width:720px) { .sides { grid-template-columns:1fr; } }
.side { margin:0; padding:8px 12px; background:var(--wash); border-radius:6px; }
.side p { margin:2px 0 6px; font-family:Georgia,"Times New Roman",serif; font-size:15.5px; }
.side .who { font-size:12px; font-weight:600; color:var(--muted); text-transform:uppercase; letter-spacing:.04em; }
.side cite { font-style:normal; font-size:12px; color:var(--muted); }
.bar { display:flex; height:8px; border-radius:4px; overflow:hidden; background:var(--line); margin:10px 0 4px; }
.bar .e { background:var(--green); } .bar .n { background:#c5cbd4; } .bar .c { background:var(--red); }
.scores { font-size:12px; color:var(--muted); }
.skipped li { margin:2px 0; } details { margin:8px 0; font-size:14px; }
.empty { background:var(--paper); border:1px dashed var(--line); border-radius:8px; padding:18px; color:var(--muted); }
@media print { body { background:#fff; } .actor, .finding { break-inside:avoid; } }
"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def render_html(view: ReportView) -> str:
    s = view.summary
    title = f"Stance report: {s.articles} articles, {s.contradictions} contradictions"
    body = [f"<header><h1>Stance report</h1><p class=\"meta\">model <code>{esc(view.model.name)}</code>"
            f"{esc(view.model.precision_note)} · stance {esc(__version__)}</p></header>", _summary(view)]
    if view.skipped:
        items = "".join(f"<li><code>{esc(sk.path)}{esc(f':{sk.line}' if sk.line is not None else '')}"
                        f"</code> {esc(sk.reason)}</li>" for sk in view.skipped)
        body.append(f"<section id=\"skipped\"><h2>Skipped inputs ({len(view.skipped)})</h2>"
                    f"<ul class=\"skipped\">{items}</ul></section>")
    if not view.statements:
        body.append("<p class=\"empty\">No statements were found in this batch.</p>")
    else:
        sections = view.actor_sections()
        body.append(_nav(sections))
        cross = view.cross_actor_findings()
        if cross:
            body.append("<section id=\"between\"><h2>Between actors</h2>"
                        + _findings(view, cross, show_actors=True) + "</section>")
        body.append("<section id=\"actors\"><h2>By actor</h2>"
                    + "".join(_actor(view, section) for section in sections) + "</section>")
    body.append(_articles(view))
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(body) + "\n</main>\n</body>\n</html>\n")


def _summary(view: ReportView) -> str:
    s = view.summary
    cards = [("Articles", s.articles, ""), ("Actors", s.actors, ""), ("Statements", s.statements, ""),
             ("Pairs compared", s.comparisons, ""), ("Contradictions", s.contradictions, " contradiction"),
             ("Agreements", s.agreements, " agreement"), ("Neutral", s.neutral, ""),
             ("Skipped", s.skipped, "")]
    html_cards = "".join(f"<div class=\"card{cls}\"><b>{n}</b><span>{name}</span></div>"
                         for name, n, cls in cards)
    parts = [f"<section class=\"cards\">{html_cards}</section>"]
    if not view.show_neutral and s.neutral:
        parts.append(f"<p class=\"muted\">{s.neutral} neutral pair(s) were compared and are counted, not listed.</p>")
    if view.report.timings:
        parts.append(f"<p class=\"muted\">Timings: {esc(timings_line(view.report.timings))}</p>")
    if view.report.settings:
        rows = "".join(f"<tr><th>{esc(k)}</th><td><code>{esc(v)}</code></td></tr>"
                       for k, v in view.report.settings.items())
        parts.append(f"<details><summary>Settings</summary><table>{rows}</table></details>")
    return "\n".join(parts)


def _nav(sections: list[ActorSection]) -> str:
    items = []
    for section in sections:
        contradictions = sum(1 for j in section.findings if j.label == "contradiction")
        flag = f" <span class=\"badge contradiction\">{contradictions}</span>" if contradictions else ""
        items.append(f"<li><a href=\"#{_anchor(section.actor.id)}\">{esc(section.actor.name)}</a>"
                     f" <span class=\"muted\">({len(section.statements)})</span>{flag}</li>")
    return f"<nav><h2>Actors</h2><ul>{''.join(items)}</ul></nav>"


def _actor(view: ReportView, section: ActorSection) -> str:
    actor = section.actor
    facts = [esc(actor.kind), plural(len(section.statements), "statement")]
    other_names = [a for a in actor.aliases if a != actor.name]
    if other_names:
        facts.append("also written " + ", ".join(esc(a) for a in other_names))
    if section.cross_actor:
        facts.append(f"<a href=\"#between\">{section.cross_actor} finding(s) with other actors</a>")
    rows = "".join(
        f"<tr><td class=\"date\">{esc(view.statement_date(st) or 'undated')}</td>"
        f"<td class=\"article\">{_article_ref(view, st)}</td><td class=\"kind\">{esc(st.kind)}</td>"
        f"<td>{_quote(view, st)}</td></tr>" for st in section.statements)
    table = ("<table class=\"statements\"><thead><tr><th>Date</th><th>Article</th><th>Kind</th>"
             f"<th>Statement</th></tr></thead><tbody>{rows}</tbody></table>")
    findings = _findings(view, section.findings, show_actors=False) if section.findings else ""
    return (f"<article class=\"actor\" id=\"{_anchor(actor.id)}\"><h3>{esc(actor.name)}</h3>"
            f"<p class=\"muted\">{' · '.join(facts)}</p>{table}{findings}</article>")


def _findings(view: ReportView, findings, *, show_actors: bool) -> str:
    parts = []
    for label in view.listed_labels:
        group = [j for j in findings if j.label == label]
        if group:
            parts.append(f"<h4>{_LABEL_TITLES[label]} ({len(group)})</h4>")
            parts += [_finding(view, j, show_actors) for j in group]
    return "".join(parts)


def _finding(view: ReportView, judgement: Judgement, show_actors: bool) -> str:
    pair, label = judgement.pair, judgement.label
    headline = headline_score(judgement)
    tags = "<span class=\"tag\">same quote carried twice</span>" if pair.near_duplicate else ""
    head = (f"<div class=\"finding-head\"><span class=\"badge {label}\">{label}</span>"
            f"<span class=\"headline\">{headline:.2f}</span>{tags}"
            f"<span class=\"muted\">topic similarity {pair.similarity:.2f}</span></div>")
    sides = _side(view, "A", pair.a, show_actors) + _side(view, "B", pair.b, show_actors)
    return (f"<div class=\"finding {label}\">{head}<div class=\"sides\">{sides}</div>"
            f"{_score_bar(judgement.scores)}{_score_details(judgement)}</div>")


def _side(view: ReportView, letter: str, statement: Statement, show_actors: bool) -> str:
    who = f" · {esc(view.actor(statement.actor_id).name)}" if show_actors else ""
    when = esc(view.statement_date(statement) or "undated")
    return (f"<blockquote class=\"side\"><div class=\"who\">{letter}{who}</div>"
            f"<p>{_quote(view, statement)}</p>"
            f"<cite>{_article_ref(view, statement)} · {when}</cite></blockquote>")


def _score_bar(scores: Scores) -> str:
    values = [max(0.0, float(v)) for v in (scores.entailment, scores.neutral, scores.contradiction)]
    total = sum(values) or 1.0
    widths = [round(100 * v / total, 1) for v in values]
    label = (f"entailment {scores.entailment:.2f}, neutral {scores.neutral:.2f}, "
             f"contradiction {scores.contradiction:.2f}")
    return (f"<div class=\"bar\" role=\"img\" aria-label=\"{label}\" title=\"{label}\">"
            f"<span class=\"e\" style=\"width:{widths[0]}%\"></span>"
            f"<span class=\"n\" style=\"width:{widths[1]}%\"></span>"
            f"<span class=\"c\" style=\"width:{widths[2]}%\"></span></div>")


def _score_details(judgement: Judgement) -> str:
    def trio(s: Scores) -> str:
        return f"E {s.entailment:.2f} · N {s.neutral:.2f} · C {s.contradiction:.2f}"
    return (f"<div class=\"scores\">combined {trio(judgement.scores)} &nbsp;|&nbsp; "
            f"A→B {trio(judgement.forward)} &nbsp;|&nbsp; B→A {trio(judgement.backward)}</div>")


def _articles(view: ReportView) -> str:
    if not view.articles:
        return ""
    rows = "".join(
        f"<tr><td><code>{esc(a.id)}</code></td><td>{esc(one_line(a.title or ''))}</td>"
        f"<td class=\"date\">{esc(a.date or 'undated')}</td><td>{esc(a.source or '')}</td>"
        f"<td>{esc(a.language)}</td><td><code>{esc(a.path)}</code></td></tr>" for a in view.articles)
    return ("<section id=\"articles\"><h2>Articles</h2><table><thead><tr><th>Id</th><th>Title</th>"
            "<th>Date</th><th>Source</th><th>Lang</th><th>Path</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></section>")


def _quote(view: ReportView, statement: Statement) -> str:
    return f"<span lang=\"{esc(view.language(statement))}\">{esc(view.quote(statement))}</span>"


def _article_ref(view: ReportView, statement: Statement) -> str:
    return (f"<i>{esc(view.article_title(statement.article_id))}</i> "
            f"<code>{esc(statement.article_id)}</code>")


def _anchor(actor_id: str) -> str:
    return "actor-" + re.sub(r"[^A-Za-z0-9_-]", "-", actor_id)
