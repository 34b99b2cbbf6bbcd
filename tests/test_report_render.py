"""Markdown, HTML and terminal reports, rendered from real seed statements."""
from __future__ import annotations

import dataclasses
import re

import pytest

from stance.report import FORMATS, render
from test_report_fixtures import (KREMLIN_NOT_SOON, LAVROV_COLLECTIVE, LAVROV_NO_MEETING, LAVROV_READY,
                                  TIMINGS_LINE, ZELENSKY_26, ZELENSKY_CHILDREN_000, ZELENSKY_CHILDREN_002,
                                  ZELENSKY_NATO, ZELENSKY_READY, ZELENSKY_SOLID, build_report,
                                  empty_report, find_statement)


ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def seed_report():
    return build_report()


def section(text: str, start: str, end: str | None) -> str:
    """The text between two headings (end None: to the end)."""
    begin = text.index(start)
    stop = text.index(end, begin + len(start)) if end else len(text)
    return text[begin:stop]


def in_order(text: str, *needles: str) -> bool:
    positions = [text.index(n) for n in needles]
    return positions == sorted(positions)


# -- Markdown --------------------------------------------------------------------------------

def test_markdown_summary_counts_timings_and_skipped(seed_report):
    md = render(seed_report, "markdown")
    assert "| 5 | 4 | 12 | 7 | 2 | 2 | 3 (counted, not listed) | 2 |" in md
    assert TIMINGS_LINE in md
    assert "`seeds/broken.csv:1`: no 'text' column" in md and "`seeds/empty.txt`: empty file" in md


def test_markdown_lists_an_actors_statements_by_date_undated_last(seed_report):
    md = render(seed_report, "markdown")
    zelensky = section(md, "### Volodymyr Zelensky", "### Kremlin")
    # seeds/004 (08-20) before 000 and 002 (08-22, article order), then 001 (09-05), then undated 003.
    assert in_order(zelensky, ZELENSKY_SOLID, ZELENSKY_CHILDREN_000, ZELENSKY_READY,
                    ZELENSKY_CHILDREN_002, ZELENSKY_26, ZELENSKY_NATO)
    rows = [line for line in zelensky.splitlines() if line.startswith("| 20") or line.startswith("| undated")]
    assert [row.split(" | ")[0] for row in rows] == [
        "| 2025-08-20", "| 2025-08-22", "| 2025-08-22", "| 2025-08-22", "| 2025-09-05", "| undated"]
    lavrov = section(md, "### Sergueï Lavrov", "### Volodymyr Zelensky")
    assert in_order(lavrov, LAVROV_COLLECTIVE, LAVROV_NO_MEETING)


def test_markdown_shows_a_contradiction_with_both_quotes_articles_dates_and_scores(seed_report):
    md = render(seed_report, "markdown")
    lavrov = section(md, "### Sergueï Lavrov", "### Volodymyr Zelensky")
    findings = section(lavrov, "#### Contradictions (1)", None)
    assert "contradiction 0.81" in findings and "entailment 0.04" in findings
    assert LAVROV_NO_MEETING in findings and LAVROV_READY in findings
    assert "`000_f392d9eafedb4316`, 2025-08-22" in findings
    assert "Le chef de l'OTAN appelle" in findings
    # Articles without a headline are named by their id.
    zelensky = section(md, "### Volodymyr Zelensky", "### Kremlin")
    assert "*002\\_a9fda60ff86b36b6* `002_a9fda60ff86b36b6`" in zelensky
    assert "same quote carried twice" in zelensky


def test_markdown_lists_cross_actor_findings_once_in_their_own_section(seed_report):
    md = render(seed_report, "markdown")
    between = section(md, "## Between actors", "## By actor")
    assert "### Contradictions (1)" in between and "### Agreements (1)" in between
    assert f"**A** Volodymyr Zelensky: {ZELENSKY_READY}" in between
    assert f"**B** Kremlin: {KREMLIN_NOT_SOON}" in between
    assert md.count(KREMLIN_NOT_SOON) == 3   # once in the Kremlin's statements, once per finding
    assert "2 finding(s) with other actors" in section(md, "### Kremlin", "### Dmitri Peskov")


def test_markdown_neutral_pairs_are_counted_not_listed_unless_asked(seed_report):
    assert "Neutral pairs" not in render(seed_report, "markdown")
    assert "#### Neutral pairs (1)" in render(seed_report, "markdown", show_neutral=True)


def test_markdown_quotes_cannot_break_tables(seed_report):
    statement = find_statement(seed_report.statements, LAVROV_NO_MEETING)
    hostile = dataclasses.replace(statement, text="aucune rencontre | prévue\nentre *M. Poutine* et <b>M. Zelensky</b>")
    seed_report.statements = [hostile if s.id == statement.id else s for s in seed_report.statements]
    md = render(seed_report, "markdown")
    rows = [line for line in section(md, "### Sergueï Lavrov", "#### Contradictions").splitlines()
            if line.startswith("| 2025")]
    assert len(rows) == 3
    for row in rows:
        assert len(re.findall(r"(?<!\\)\|", row)) == 5   # 4 cells: 5 unescaped pipes
    assert "aucune rencontre \\| prévue entre \\*M. Poutine\\* et \\<b\\>M. Zelensky\\</b\\>" in md


# -- HTML ------------------------------------------------------------------------------------

def test_html_escapes_article_text_everywhere():
    attack = "<script>alert('x')</script>"
    report = build_report(**{"000_f392d9eafedb4316": {"title": f"Titre {attack}"}})
    statement = find_statement(report.statements, LAVROV_READY)
    report.statements = [dataclasses.replace(s, text=f"{s.text} {attack}") if s.id == statement.id else s
                         for s in report.statements]
    report.judgements = [dataclasses.replace(j, pair=dataclasses.replace(
        j.pair, b=dataclasses.replace(j.pair.b, text=f"{j.pair.b.text} {attack}")))
        if j.pair.b.id == statement.id else j for j in report.judgements]
    report.skipped[0] = dataclasses.replace(report.skipped[0], reason=f"bad row {attack}")
    page = render(report, "html")
    assert "<script" not in page.lower()
    escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    assert page.count(f"Titre {escaped}") >= 4       # statement rows, findings, article list
    assert page.count(escaped) >= page.count(f"Titre {escaped}") + 3   # quote in table and finding, reason


def test_html_is_one_self_contained_page(seed_report):
    page = render(seed_report, "html")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert page.count("<html") == 1 and "<style>" in page
    for external in ("<link", "<script", "<img", "<iframe", "@import", "url(", "src="):
        assert external not in page
    assert not re.search(r"href=\"(?!#)", page)   # links only inside the page


def test_html_groups_by_actor_with_badges_and_score_bars(seed_report):
    page = render(seed_report, "html")
    for actor_id in ("sergey-lavrov", "volodymyr-zelensky", "kremlin", "dmitri-peskov"):
        assert f'id="actor-{actor_id}"' in page and f'href="#actor-{actor_id}"' in page
    lavrov = section(page, 'id="actor-sergey-lavrov"', 'id="actor-volodymyr-zelensky"')
    assert '<span class="badge contradiction">contradiction</span>' in lavrov
    assert '<span class="headline">0.81</span>' in lavrov
    assert 'style="width:4.0%"' in lavrov and 'style="width:81.0%"' in lavrov
    assert in_order(lavrov, "Nous ne sommes pas d&#x27;accord", "aucune rencontre n&#x27;était prévue")
    zelensky = section(page, 'id="actor-volodymyr-zelensky"', 'id="actor-kremlin"')
    assert '<span class="badge agreement">agreement</span>' in zelensky
    assert in_order(zelensky, "Nous avons besoin", "26 pays", "Une invitation pour")
    cards = section(page, '<section class="cards">', "</section>")
    assert '<b>2</b><span>Contradictions</span>' in cards and '<b>12</b><span>Statements</span>' in cards
    assert TIMINGS_LINE in page


# -- Terminal --------------------------------------------------------------------------------

def test_terminal_summary_ends_with_timings(seed_report):
    text = render(seed_report, "terminal")
    panel = text[: text.index("╰")]
    assert "5 articles · 4 actors · 12 statements · 7 pairs compared" in panel
    assert "2 contradictions · 2 agreements · 3 neutral (not listed) · 2 skipped" in panel
    last_line = [line for line in panel.splitlines() if line.strip("│ ")][-1]
    assert TIMINGS_LINE in last_line
    assert not ANSI.search(text)


def test_terminal_lists_contradictions_then_agreements_and_skips_neutral(seed_report):
    text = render(seed_report, "terminal", width=160)
    table = section(text, "Actor(s)", "Skipped inputs (2)")
    labels = re.findall(r"\b(contradiction|agreement|neutral)\b +(\d\.\d\d)", table)
    assert labels == [("contradiction", "0.81"), ("contradiction", "0.62"),
                      ("agreement", "0.93"), ("agreement", "0.71")]
    assert "Nous ne sommes pas" not in table     # only in a neutral pair
    assert "same quote" in table
    assert "seeds/broken.csv:1: no 'text' column" in text
    with_neutral = render(seed_report, "terminal", width=160, show_neutral=True)
    assert "Nous ne sommes pas" in with_neutral and "(not listed)" not in with_neutral
    listed = re.findall(r"\b(contradiction|agreement|neutral)\b +\d\.\d\d", with_neutral)
    assert listed == ["contradiction"] * 2 + ["agreement"] * 2 + ["neutral"] * 3


@pytest.mark.parametrize("width", [60, 100, 140])
def test_terminal_respects_width(seed_report, width):
    lines = render(seed_report, "terminal", width=width).splitlines()
    assert max(len(line) for line in lines) == width


def test_terminal_prints_markup_in_quotes_literally_and_colors_on_request(seed_report):
    statement = find_statement(seed_report.statements, LAVROV_NO_MEETING)
    odd = dataclasses.replace(statement, text="[bold]aucune[/] rencontre [/red]")
    seed_report.judgements = [dataclasses.replace(j, pair=dataclasses.replace(j.pair, a=odd))
                              if j.pair.a.id == statement.id else j for j in seed_report.judgements]
    plain = render(seed_report, "terminal", width=160)
    assert "[bold]aucune[/] rencontre [/red]" in plain
    colored = render(seed_report, "terminal", width=160, color=True)
    assert ANSI.search(colored)
    assert ANSI.sub("", colored) == plain


# -- Every format ----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_report_renders(fmt):
    from stance.report.pairs_tsv import COLUMNS

    text = render(empty_report(), fmt)
    assert text.strip()
    if fmt == "terminal":
        assert "0 statements" in text and "No statements were found" in text
    elif fmt == "markdown":
        assert "| 1 | 0 | 0 | 0 | 0 | 0 | 0 (counted, not listed) | 0 |" in text
    elif fmt == "html":
        assert "No statements were found" in text and "<b>0</b><span>Statements</span>" in text
    elif fmt == "tsv":
        assert text.splitlines() == ["\t".join(COLUMNS)]      # the header alone: no pair compared
    else:
        assert '"statements": []' in text
