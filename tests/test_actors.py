"""Canonical actors: folding, name clustering, glued-word typos, alias files."""
import pytest

from stance.errors import InputError
from stance.extract import extract_statements, load_aliases
from stance.extract.actors import NameOccurrence, PersonIndex
from stance.extract.folding import fold_name, same_given_name, slug
from stance.types import Article


def _article(text, id="a1", language="fr"):
    return Article(id=id, path=f"{id}.txt", text=text, language=language)


# --- folding ---------------------------------------------------------------------------

def test_fold_accents_case_and_honorifics():
    assert fold_name("M. Sergueï LAVROV") == fold_name("sergueï lavrov") == "sergei lavrov"
    assert fold_name("Mme Kaja Kallas") == "kaja kallas"
    assert fold_name("Mr. John O’Neil") == fold_name("John O'Neil")
    assert fold_name("MM. Rutte") == fold_name("Dr Rutte") == fold_name("Rutte") == "rutte"


@pytest.mark.parametrize("spellings", [
    ("Sergey Lavrov", "Sergueï Lavrov", "Sergei Lavrov"),
    ("Volodymyr Zelensky", "Volodymyr Zelenskyy", "Volodymyr Zelenskiy", "Wolodymyr Zelenski"),
    ("Dmitri Peskov", "Dmitry Peskov", "Dmitriy Peskov"),
    ("Sergueï Choïgou", "Sergei Shoigu"),
    ("Vladimir Poutine", "Vladimir Putin"),
])
def test_transliterations_fold_together(spellings):
    assert len({fold_name(s) for s in spellings}) == 1


def test_different_people_stay_apart():
    assert fold_name("Donald Trump") != fold_name("Melania Trump")
    assert fold_name("Marc Rutte") == fold_name("Mark Rutte")
    assert same_given_name("v", "vladimir") and same_given_name("volodimir", "volodmir")
    assert not same_given_name("donald", "melania") and not same_given_name("jean", "joan")


def test_slug_is_ascii_and_stable():
    assert slug("Sergueï Lavrov") == "serguei-lavrov"
    assert slug("Département d'État") == "departement-d-etat"


# --- clustering ------------------------------------------------------------------------

def _index(*names_by_article):
    occurrences = [NameOccurrence(article=a, start=i, name=n, text=n)
                   for a, names in enumerate(names_by_article) for i, n in enumerate(names)]
    return PersonIndex(occurrences)


def test_surname_only_and_spelling_variants_join_the_full_name():
    index = _index(["Mark Rutte", "Rutte", "M. Rutte"], ["Marc Rutte", "Rutte"])
    clusters = {index.cluster_of(n, 0).index for n in ("Mark Rutte", "Rutte", "M. Rutte", "Marc Rutte")}
    assert len(clusters) == 1


def test_glued_word_typos_join_a_known_surname():
    index = _index(["Mark Rutte", "Rutte", "Volodymyr Zelensky", "Zelensky"],
                   ["Marc Ruttea", "Volodymyr Zelenskice"])
    assert index.cluster_of("Marc Ruttea", 1) is index.cluster_of("Mark Rutte", 0)
    assert index.cluster_of("Volodymyr Zelenskice", 1) is index.cluster_of("Zelensky", 0)
    assert index.glued("Marc Ruttea") == "a" and index.glued("Mark Rutte") == ""


def test_a_name_is_not_unglued_into_a_rarer_one():
    index = _index(["Paula Smith", "Paula Smith", "Paul Smit"])
    assert index.cluster_of("Paula Smith", 0) is not index.cluster_of("Paul Smit", 0)


def test_end_of_a_longer_name_joins_it():
    index = _index(["Giuseppe Cavo Dragone", "Cavo Dragone"])
    assert index.cluster_of("Cavo Dragone", 0) is index.cluster_of("Giuseppe Cavo Dragone", 0)


def test_ambiguous_surname_goes_to_the_person_named_in_the_article():
    index = _index(["Donald Trump", "Trump"], ["Melania Trump", "Trump"])
    assert index.cluster_of("Donald Trump", 0) is not index.cluster_of("Melania Trump", 1)
    assert index.cluster_of("Trump", 0) is index.cluster_of("Donald Trump", 0)
    assert index.cluster_of("Trump", 1) is index.cluster_of("Melania Trump", 1)


# --- through extraction ----------------------------------------------------------------

def test_one_actor_across_articles_and_spellings():
    first = _article("Le ministre russe des affaires étrangères, Sergueï Lavrov, a déclaré que "
                     "la réunion était inutile.\n", id="a")
    second = _article("Sergey Lavrov a estimé que les sanctions ne changeraient rien.\n"
                      "« Nous ne céderons pas », a ajouté M. Lavrov.\n", id="b")
    result = extract_statements([first, second])
    assert len({s.actor_id for s in result.statements}) == 1
    (actor,) = result.actors
    assert {"Sergueï Lavrov", "Sergey Lavrov", "M. Lavrov"} <= {actor.name, *actor.aliases}


def test_name_glued_to_the_next_word_by_a_period():
    text = ("Le président élu, Donald Trump.lors de sa visite, a déclaré qu'il mettrait fin à la "
            "guerre.\nTrump a ajouté que la paix viendrait vite.\n")
    result = extract_statements([_article(text)])
    assert [a.id for a in result.actors] == ["donald-trump"]
    assert len(result.statements) == 2


def test_institutions_speak_as_organizations():
    text = ("La Maison-Blanche a démenti que des troupes seraient envoyées.\n"
            "Selon la Maison Blanche, les discussions avancent.\n"
            "Moscou a fait savoir que rien n'était décidé.\n")
    result = extract_statements([_article(text)])
    assert {(a.id, a.kind) for a in result.actors} == {("maison-blanche", "organization"),
                                                       ("moscou", "organization")}
    assert [s.cue for s in result.statements] == ["démentir", "selon", "faire savoir"]


# --- alias files -----------------------------------------------------------------------

PESKOV_TEXT = ("Le porte-parole du Kremlin a déclaré que les Européens bloquaient le règlement.\n"
               "Dmitri Peskov a ajouté que la paix était loin.\n"
               "Le Kremlin a confirmé que les discussions continuaient.\n")

TOML = '''
[actors."dmitri-peskov"]
name = "Dmitri Peskov"
aliases = ["Peskov", "le porte-parole du Kremlin"]

[merge]
kremlin = ["dmitri-peskov"]
'''

YAML = '''
actors:
  dmitri-peskov:
    name: Dmitri Peskov
    aliases: [Peskov, le porte-parole du Kremlin]
merge:
  kremlin: [dmitri-peskov]
'''


@pytest.mark.parametrize("suffix, content", [(".toml", TOML), (".yaml", YAML)])
def test_alias_file_names_and_merges(tmp_path, suffix, content):
    path = tmp_path / f"aliases{suffix}"
    path.write_text(content, encoding="utf-8")
    aliases = load_aliases(path)
    without = extract_statements([_article(PESKOV_TEXT)])
    # Without the file the bare role « le porte-parole du Kremlin » names nobody known yet.
    assert [s.actor_id for s in without.statements] == ["dmitri-peskov", "kremlin"]
    merged = extract_statements([_article(PESKOV_TEXT)], aliases=aliases)
    assert [s.actor_id for s in merged.statements] == ["kremlin", "kremlin", "kremlin"]
    (kremlin,) = merged.actors
    assert kremlin.kind == "organization"
    assert {"Dmitri Peskov", "Peskov", "le porte-parole du Kremlin"} <= set(kremlin.aliases)


def test_alias_file_renames_and_gives_an_id(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text('[actors."Lavrov"]\nname = "S. V. Lavrov"\nid = "lavrov"\n', encoding="utf-8")
    text = "Sergueï Lavrov a affirmé que la Russie ne reculerait pas.\n"
    result = extract_statements([_article(text)], aliases=load_aliases(path))
    (actor,) = result.actors
    assert (actor.id, actor.name) == ("lavrov", "S. V. Lavrov")
    assert "Sergueï Lavrov" in actor.aliases
    assert result.statements[0].actor_id == "lavrov"


def test_extract_accepts_an_alias_path(tmp_path):
    path = tmp_path / "a.yml"
    path.write_text(YAML, encoding="utf-8")
    result = extract_statements([_article(PESKOV_TEXT)], aliases=str(path))
    assert {s.actor_id for s in result.statements} == {"kremlin"}


@pytest.mark.parametrize("name, content, message, line", [
    ("bad.toml", "[actors\nname = 1\n", "invalid TOML", 1),
    ("bad.yaml", "actors: [\n", "invalid YAML", 2),
    ("field.toml", '[actors.x]\nnom = "X"\n', "unknown field 'nom'", None),
    ("kind.toml", '[actors.x]\nkind = "robot"\n', "kind", None),
    ("merge.toml", "[merge]\nkremlin = 3\n", "merge.kremlin", None),
    ("section.toml", "[people]\n", "unknown section 'people'", None),
    ("id.toml", '[actors.x]\nid = "Not An Id"\n', "is not an id", None),
    ("aliases.json", "{}", "TOML (.toml) or YAML", None),
])
def test_bad_alias_files_give_one_line_errors(tmp_path, name, content, message, line):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_aliases(path)
    error = caught.value
    assert message in str(error) and str(path) in str(error)
    assert error.line == line and "\n" not in str(error)


def test_missing_alias_file(tmp_path):
    with pytest.raises(InputError, match="cannot read alias file"):
        load_aliases(tmp_path / "nope.toml")


# --- groups named after a group noun --------------------------------------------------------

def _speakers(text):
    result = extract_statements([_article(text)])
    actors = {a.id: a for a in result.actors}
    return [(actors[s.actor_id].name, actors[s.actor_id].kind) for s in result.statements]


def test_a_group_noun_before_a_name_makes_an_organisation_and_the_bare_noun_refers_to_it():
    speakers = _speakers(
        "Le syndicat Sud-Rail a affirmé lundi que « la grève sera reconduite jusqu'à vendredi ». "
        "Le syndicat a ajouté que les négociations étaient « au point mort ».")
    assert speakers == [("Sud-Rail", "organization")] * 2


def test_a_person_known_to_the_batch_is_not_turned_into_a_group():
    """« le gouvernement Bayrou »: the name stays François Bayrou's."""
    speakers = _speakers(
        "François Bayrou a présenté mardi son plan d'économies. "
        "Le gouvernement Bayrou a affirmé que « le déficit sera ramené sous 5 % l'an prochain ».")
    assert ("Bayrou", "organization") not in speakers
    assert all(kind == "person" for _, kind in speakers)
