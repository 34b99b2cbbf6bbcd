import csv
import json
import random
from pathlib import Path

import pytest

from stance.readers import parse_date, read_articles

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def seed_text(index: int) -> str:
    return SEED_FILES[index].read_text(encoding="utf-8")


def seed_paragraphs(index: int) -> list[str]:
    return [line for line in seed_text(index).split("\n") if len(line) > 150]


def only_article(paths):
    articles, skipped = read_articles(paths)
    assert len(articles) == 1, skipped
    return articles[0], skipped


# -- the seeds ----------------------------------------------------------------------------

def test_seed_folder_titles_dates_and_text():
    articles, skipped = read_articles([SEEDS])
    assert skipped == []
    assert [a.id for a in articles] == [p.stem for p in SEED_FILES]
    by_id = {a.id: a for a in articles}
    assert by_id["000_f392d9eafedb4316"].title == (
        "Le chef de l'OTAN appelle à s'assurer que Poutine \"n'essaiera plus jamais"
        " d'attaquer l'Ukraine\"")
    assert by_id["001_61d2cc5d72aecba5"].title.startswith("Zelensky appelle à accélérer")
    assert by_id["004_44c57f388506a4d0"].title == (
        "OTAN : une \"discussion franche\" sur les garanties de sécurité pour l'Ukraine")
    # 002 and 003 open straight on their lede paragraph: no headline to take.
    assert by_id["002_a9fda60ff86b36b6"].title is None
    assert by_id["003_7b6b829601f4c80d"].title is None
    assert by_id["002_a9fda60ff86b36b6"].date == "2025-08-22"
    assert [a.date for a in articles].count(None) == 4
    for article, path in zip(articles, SEED_FILES):
        assert article.language == "fr"
        assert article.path == str(path)
        assert article.text == path.read_text(encoding="utf-8")  # offsets stay valid


def test_crlf_newlines_become_lf_and_nothing_else_changes(tmp_path):
    original = seed_text(1)
    (tmp_path / "a.txt").write_bytes(original.replace("\n", "\r\n").encode("utf-8"))
    article, _ = only_article([tmp_path / "a.txt"])
    assert article.text == original


def test_utf8_bom_is_not_part_of_the_text(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"\xef\xbb\xbf" + seed_text(0).encode("utf-8"))
    article, _ = only_article([tmp_path / "a.txt"])
    assert article.text == seed_text(0)
    assert article.title.startswith("Le chef de l'OTAN")


def test_cp1252_file_keeps_its_accents(tmp_path):
    text = seed_text(3)  # curly apostrophes and « »: bytes where cp1252 and latin-1 differ
    (tmp_path / "ancien.txt").write_bytes(text.encode("cp1252"))
    article, _ = only_article([tmp_path / "ancien.txt"])
    assert article.text == text
    assert "l’Ukraine" in article.text and "sécurité" in article.text


def test_utf16_file_with_bom_is_text_not_binary(tmp_path):
    (tmp_path / "windows.txt").write_bytes(seed_text(3).encode("utf-16"))
    article, _ = only_article([tmp_path / "windows.txt"])
    assert article.text == seed_text(3)


# -- .txt / .md headers -------------------------------------------------------------------

@pytest.mark.parametrize("header,date", [
    ("2025-08-22\n", "2025-08-22"),
    ("22/08/2025\n", "2025-08-22"),
    ("Date : 22/08/2025\n", "2025-08-22"),
    ("date 2025-08-22 ", "2025-08-22"),
    ("2025-08-22 - ", "2025-08-22"),
])
def test_leading_date_forms(tmp_path, header, date):
    (tmp_path / "a.txt").write_text(header + seed_text(0), encoding="utf-8")
    article, skipped = only_article([tmp_path / "a.txt"])
    assert (article.date, skipped) == (date, [])
    assert article.title.startswith("Le chef de l'OTAN appelle")


def test_date_on_the_line_under_the_title(tmp_path):
    title, rest = seed_text(4).split("\n", 1)
    (tmp_path / "a.txt").write_text(f"{title}\n03/09/2025\n{rest}", encoding="utf-8")
    article, _ = only_article([tmp_path / "a.txt"])
    assert (article.title, article.date) == (title, "2025-09-03")


def test_a_number_in_the_headline_is_not_a_date(tmp_path):
    text = "2025 : l'OTAN fête ses 76 ans\n\n" + seed_paragraphs(0)[0]
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    article, _ = only_article([tmp_path / "a.txt"])
    assert (article.title, article.date) == ("2025 : l'OTAN fête ses 76 ans", None)


def test_bad_date_keeps_article_and_is_reported(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("\n2025-02-30\n" + seed_text(0), encoding="utf-8")
    article, skipped = only_article([path])
    assert article.date is None and article.title.startswith("Le chef")
    assert [s.message() for s in skipped] == [
        f"{path}:2: date '2025-02-30' is not a valid date (article kept, date unknown)"]


def test_markdown_title_loses_its_hashes_text_does_not(tmp_path):
    title, rest = seed_text(1).split("\n", 1)
    text = f"## {title}\n{rest}"
    (tmp_path / "z.md").write_text(text, encoding="utf-8")
    article, _ = only_article([tmp_path / "z.md"])
    assert article.title == title
    assert article.text == text and article.id == "z"


def test_markdown_front_matter_gives_its_date_not_a_title(tmp_path):
    text = "---\ndate: 2025-08-22\nauteur: AFP\n---\n" + seed_text(2)
    (tmp_path / "m.md").write_text(text, encoding="utf-8")
    article, _ = only_article([tmp_path / "m.md"])
    assert (article.title, article.date, article.text) == (None, "2025-08-22", text)


def test_single_line_file_has_no_title(tmp_path):
    (tmp_path / "a.txt").write_text(seed_paragraphs(4)[0][:150] + "\n", encoding="utf-8")
    article, _ = only_article([tmp_path / "a.txt"])
    assert article.title is None


# -- record files -------------------------------------------------------------------------

def test_jsonl_records_ids_paths_and_bad_lines(tmp_path):
    paragraphs = seed_paragraphs(0)
    lines = [
        json.dumps({"id": "rutte-kiev", "text": paragraphs[0], "title": "Rutte à Kiev",
                    "date": "2025-08-22T09:30:00Z", "source": "AFP", "url": "https://x.test/1"}),
        "",
        '{"text": "unterminated',
        json.dumps({"text": paragraphs[1]}),
        json.dumps({"title": "pas de texte", "body": paragraphs[2]}),
        json.dumps({"text": "   "}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": paragraphs[2], "lang": "EN-gb"}),
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles, skipped = read_articles([path])
    assert [(a.id, a.path) for a in articles] == [
        ("rutte-kiev", f"{path}:1"), ("feed-3", f"{path}:4"), ("feed-7", f"{path}:8")]
    first = articles[0]
    assert (first.title, first.date, first.source, first.url, first.text) == (
        "Rutte à Kiev", "2025-08-22", "AFP", "https://x.test/1", paragraphs[0])
    assert [a.language for a in articles] == ["fr", "fr", "en"]  # the record's own field wins
    assert [(s.line, s.reason.split(":")[0].split(" (")[0]) for s in skipped] == [
        (3, "malformed JSON line"), (5, "record has no 'text' field"),
        (6, "record has an empty 'text'"), (7, "expected a JSON object, found list")]
    assert skipped[1].message() == (
        f"{path}:5: record has no 'text' field (fields: body, title)")


def test_json_single_object_takes_file_stem_or_its_id(tmp_path):
    text = seed_text(2)
    (tmp_path / "one.json").write_text(json.dumps({"text": text}), encoding="utf-8")
    (tmp_path / "two.json").write_text(json.dumps({"text": text, "id": 42}), encoding="utf-8")
    articles, skipped = read_articles([tmp_path])
    assert skipped == []
    assert [(a.id, a.path, a.text) for a in articles] == [
        ("one", str(tmp_path / "one.json"), text), ("42", str(tmp_path / "two.json"), text)]


def test_json_list_records_know_their_lines(tmp_path):
    paragraphs = seed_paragraphs(3)
    records = [{"text": paragraphs[0], "date": "03/12/2024"}, {"id": None},
               {"text": paragraphs[1], "date": "hier"}]
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8")
    articles, skipped = read_articles([path])
    assert [(a.id, a.path, a.date) for a in articles] == [
        ("batch-1", f"{path}:2", "2024-12-03"), ("batch-3", f"{path}:9", None)]
    assert [(s.line, s.reason) for s in skipped] == [
        (6, "record has no 'text' field (fields: id)"),
        (9, "date 'hier' is not a valid date (article kept, date unknown)")]


def test_malformed_json_file_names_its_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"text": "a"},\n  {"text": }\n]', encoding="utf-8")
    articles, skipped = read_articles([path])
    assert articles == []
    assert skipped[0].line == 3 and skipped[0].reason.startswith("malformed JSON")


def test_json_lines_saved_as_json_are_still_read(tmp_path):
    path = tmp_path / "feed.json"
    path.write_text("\n".join(json.dumps({"text": p}) for p in seed_paragraphs(0)[:2]),
                    encoding="utf-8")
    articles, skipped = read_articles([path])
    assert ([a.id for a in articles], skipped) == (["feed-1", "feed-2"], [])


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_with_any_common_delimiter(tmp_path, delimiter):
    paragraphs = seed_paragraphs(4)
    multiline = paragraphs[0] + "\n" + paragraphs[1]  # a quoted cell spanning two lines
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(["ID", "Title", "Date", "Text"])
        writer.writerow(["", "OTAN", "2025-08-20", multiline])
        writer.writerow(["chefs", "", "", paragraphs[2]])
        writer.writerow(["vide", "rien", "", ""])
    articles, skipped = read_articles([path])
    assert [(a.id, a.path, a.title, a.date) for a in articles] == [
        ("export-1", f"{path}:2", "OTAN", "2025-08-20"), ("chefs", f"{path}:4", None, None)]
    assert articles[0].text == multiline
    assert [(s.line, s.reason) for s in skipped] == [(5, "record has an empty 'text'")]


def test_csv_without_text_column_is_skipped(tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("id,body\n1,Bonjour\n", encoding="utf-8")
    articles, skipped = read_articles([path])
    assert articles == [] and skipped[0].line == 1
    assert skipped[0].reason.startswith("no 'text' column")


# -- folders, batches, bad input ----------------------------------------------------------

def test_folder_walk_is_sorted_recursive_and_skips_hidden(tmp_path):
    for relative in ["b/2.txt", "b/10.txt", "a.md", "a-b/c.txt", ".cache/x.txt", "b/.h.txt",
                     "notes.pdf", "b/img.png"]:
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(seed_text(len(relative) % 5), encoding="utf-8")
    articles, skipped = read_articles([tmp_path])
    assert skipped == []  # unsupported types inside a folder are ignored silently
    assert [Path(a.path).relative_to(tmp_path).as_posix() for a in articles] == [
        "a-b/c.txt", "a.md", "b/10.txt", "b/2.txt"]
    assert read_articles([tmp_path])[0] == articles


def test_each_bad_input_is_one_line_and_the_batch_goes_on(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(seed_text(0), encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text(" \n\t\n", encoding="utf-8")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    (tmp_path / "noise.txt").write_bytes(bytes(b for b in random.Random(7).randbytes(4000) if b))
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7")
    (tmp_path / "nothing").mkdir()
    named = ["missing.txt", "empty.txt", "blank.md", "image.txt", "noise.txt", "report.pdf",
             "nothing", "good.txt"]
    articles, skipped = read_articles([tmp_path / name for name in named])
    assert [a.id for a in articles] == ["good"]
    assert [(Path(s.path).name, s.reason.split(" (")[0]) for s in skipped] == [
        ("missing.txt", "no such file or directory"), ("empty.txt", "empty file"),
        ("blank.md", "empty file"), ("image.txt", "binary file, not text"),
        ("noise.txt", "binary file, not text"), ("report.pdf", "unsupported file type '.pdf'"),
        ("nothing", "no .txt, .md, .json, .jsonl, .csv file in this folder")]
    assert all("\n" not in s.message() for s in skipped)


def test_duplicate_ids_are_renamed_in_batch_order_and_reported(tmp_path):
    for folder in ("lundi", "mardi", "mercredi"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "rutte.txt").write_text(seed_text(0), encoding="utf-8")
    (tmp_path / "mercredi" / "rutte-2.txt").write_text(seed_text(1), encoding="utf-8")
    articles, skipped = read_articles([tmp_path])
    assert [(Path(a.path).parent.name, a.id) for a in articles] == [
        ("lundi", "rutte"), ("mardi", "rutte-3"), ("mercredi", "rutte-2"),
        ("mercredi", "rutte-4")]
    assert [s.reason for s in skipped] == [
        "duplicate id 'rutte', renamed 'rutte-3' (article kept)",
        "duplicate id 'rutte', renamed 'rutte-4' (article kept)"]


def test_a_file_named_twice_is_read_once(tmp_path):
    (tmp_path / "a.txt").write_text(seed_text(0), encoding="utf-8")
    articles, skipped = read_articles([tmp_path, tmp_path / "a.txt", str(tmp_path / "a.txt")])
    assert ([a.id for a in articles], skipped) == (["a"], [])
    assert read_articles(str(tmp_path))[0] == articles  # one path alone, not its characters


@pytest.mark.parametrize("value,expected", [
    ("2025-08-22", "2025-08-22"), ("2025-8-2", "2025-08-02"), ("22/08/2025", "2025-08-22"),
    ("2025-08-22T10:15:00+02:00", "2025-08-22"), ("2025-08-22 10:15", "2025-08-22"),
    ("2025-13-01", None), ("31/04/2025", None), ("08/22/2025", None), ("vendredi", None),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected
