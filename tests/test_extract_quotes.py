"""Quotations and sentences on real, messy text (no spaCy needed)."""
from stance.extract.segment import find_quotes, paragraphs, sentences


def _contents(text):
    return [text[q.start:q.end] for q in find_quotes(text)]


def test_seed_003_mismatched_guillemets(seeds_dir):
    text = (seeds_dir / "003_7b6b829601f4c80d.txt").read_text(encoding="utf-8")
    quotes = find_quotes(text)
    contents = [text[q.start:q.end] for q in quotes]
    assert len(quotes) == 8
    # « … processus de paix« , a-t-il affirmé: the second « closes the quotation.
    paix = next(c for c in contents if c.startswith("Ce dont l’Ukraine"))
    assert paix.endswith("un processus de paix")
    # « … avec les Russes », faites-le en position de force« : the orphan « extends it.
    force = next(c for c in contents if c.startswith("Ce sur quoi"))
    assert force.endswith("faites-le en position de force")
    assert all("a-t-il" not in c and "a justifié" not in c for c in contents)
    assert all(q.closed for q in quotes)


def test_seed_001_straight_quotes_pair_sensibly(seeds_dir):
    text = (seeds_dir / "001_61d2cc5d72aecba5.txt").read_text(encoding="utf-8")
    contents = _contents(text)
    assert "Telegram" in contents and "Izvestia" in contents
    assert "Les Européens bloquent le règlement en Ukraine. Ils n'y contribuent pas" in contents
    assert all(not c.startswith((" ", ",")) for c in contents)


def test_unclosed_guillemet_ends_with_its_paragraph():
    text = "Il a dit : « nous partirons demain\nLe lendemain, rien."
    (quote,) = find_quotes(text)
    assert text[quote.start:quote.end] == "nous partirons demain"
    assert not quote.closed


def test_quotation_over_two_paragraphs_french_style():
    text = "« Premier paragraphe.\n« Second paragraphe », a-t-il dit.\nFin."
    (quote,) = find_quotes(text)
    assert text[quote.start:quote.end] == "Premier paragraphe.\n« Second paragraphe"
    spans = sentences(text, [quote])
    assert text[spans[0][0]:spans[0][1]].endswith("a-t-il dit.")


def test_stray_straight_quote_is_dropped():
    text = 'Il a parlé d\'une "crise et de "sanctions fortes" hier.'
    assert _contents(text) == ["sanctions fortes"]


def test_closing_quote_with_nothing_open_is_ignored_elsewhere():
    text = 'Rien ici » et là.\n"Une phrase citée", a-t-il dit.'
    assert _contents(text) == ["Une phrase citée"]


def test_sentences_keep_quotations_and_abbreviations_whole():
    text = '"Nous sommes prêts. Vraiment prêts", a déclaré M. Rutte. Puis il est parti.\nFin'
    spans = sentences(text, find_quotes(text), frozenset({"m"}))
    assert [text[a:b] for a, b in spans] == [
        '"Nous sommes prêts. Vraiment prêts", a déclaré M. Rutte.',
        "Puis il est parti.",
        "Fin",
    ]


def test_paragraphs_skip_blank_lines(seeds_dir):
    text = (seeds_dir / "002_a9fda60ff86b36b6.txt").read_text(encoding="utf-8")
    spans = paragraphs(text)
    assert len(spans) == 6
    assert all(text[a:b] == text[a:b].strip() and text[a:b] for a, b in spans)
