"""Who said what across the five seed articles, checked against a careful reading.

Each expected row is (how the claim text begins, who said it, kind). The lists are every
attributed statement in reading order; what is left out is left out on purpose (headlines,
anonymous sources, « ils estiment », « son équipe a suggéré », second-hand speech inside
a claim such as « Trump avait clairement indiqué que … » in Rutte's statement).
"""
from pathlib import Path

import pytest

from stance.extract import extract_statements
from stance.extract.folding import fold_name
from stance.types import Article

RUTTE, ZELENSKY, TRUMP = "mark-rutte", "volodymyr-zelensky", "donald-trump"
LAVROV, MACRON, PESKOV = "<lavrov>", "emmanuel-macron", "dmitri-peskov"
DRAGONE = "giuseppe-cavo-dragone"

EXPECTED = {
    "000": [
        ("Le soutien de l'OTAN à l'Ukraine reste", RUTTE, "mixed"),
        ("il existait d'autres projets de financement", RUTTE, "mixed"),
        ("le président américain Donald Trump avait clairement indiqué", RUTTE, "mixed"),
        ("Nous travaillons maintenant ensemble", RUTTE, "direct"),
        ("l'accord sur les garanties de sécurité comporterait", RUTTE, "indirect"),
        ("les discussions sur le déploiement de troupes", RUTTE, "mixed"),
        ("Il est encore trop tôt pour dire", ZELENSKY, "direct"),
        ("L'Ukraine a besoin de garanties", ZELENSKY, "direct"),
        ("la prochaine étape du processus diplomatique", TRUMP, "indirect"),
        ("il était prêt à rencontrer M. Poutine", ZELENSKY, "indirect"),
        ("a rejeté cette possibilité", "kremlin", "indirect"),
        ("le Kremlin ne s'attendait pas", "moscou", "indirect"),
        ("aucune rencontre n'était prévue entre M. Poutine et M. Zelensky", LAVROV, "indirect"),
        ("M. Poutine est prêt à rencontrer M. Zelensky", LAVROV, "direct"),
        ("Moscou faisait tout pour", ZELENSKY, "indirect"),
        ("La question de la fin de la guerre", ZELENSKY, "direct"),
        ("il espérait que", ZELENSKY, "mixed"),
        ("tout doit être fait pour que la Russie", ZELENSKY, "direct"),
        ("Il faut les contraindre à la diplomatie", ZELENSKY, "direct"),
    ],
    "001": [
        ("a appelé à accélérer le travail", ZELENSKY, "mixed"),
        ("a salué l'engagement de ses alliés", ZELENSKY, "mixed"),
        ("26 pays ont accepté", ZELENSKY, "direct"),
        ("Il est important d'être aussi productif", ZELENSKY, "direct"),
        ("une armée ukrainienne forte serait", ZELENSKY, "mixed"),
        ("appelant les entreprises de défense", ZELENSKY, "indirect"),
        ("les jours à venir verraient", MACRON, "indirect"),
        ("Nous avons eu un appel avec le président Trump", MACRON, "direct"),
        ("26 pays, pour la plupart européens", MACRON, "mixed"),
        ("L'objectif de cette force", MACRON, "direct"),
        ("l'Allemagne, l'Italie et la Pologne", MACRON, "indirect"),
        ("les garanties de sécurité visent à", MACRON, "mixed"),
        ("C'est ce que nous défendons", MACRON, "direct"),
        ("les Européens imposeraient de nouvelles sanctions", MACRON, "mixed"),
        ("il y a \"de nouveaux contacts", MACRON, "mixed"),
        ("a accusé les Européens de \"bloquer\"", "kremlin", "mixed"),
        ("Les Européens bloquent le règlement", PESKOV, "direct"),
        ("accusant l'Europe de", PESKOV, "mixed"),
        ("les garanties de sécurité pour l'Ukraine ne peuvent pas", "kremlin", "indirect"),
    ],
    "002": [
        ("a appelé les alliés occidentaux", RUTTE, "mixed"),
        ("« Des garanties de sécurité solides seront essentielles", RUTTE, "mixed"),
        ("il s'agit de deux formes de garanties", RUTTE, "indirect"),
        ("Il est clair que les États-Unis seront impliqués", RUTTE, "direct"),
        ("Ces garanties de sécurité doivent tenir", RUTTE, "direct"),
        ("le travail sur ces garanties était « très difficile »", ZELENSKY, "mixed"),
        ("Il est trop tôt pour dire qui pourra", ZELENSKY, "direct"),
        ("l'Ukraine a besoin de garanties de sécurité afin", ZELENSKY, "direct"),
        ("a appelé les habitants à se diriger", "administration-militaire-municipale", "mixed"),
    ],
    "003": [
        ("Une invitation pour l’Ukraine", ZELENSKY, "direct"),
        ("Ce dont l’Ukraine a besoin", RUTTE, "direct"),
        ("Et c’est sur cela que nous nous concentrerons", RUTTE, "direct"),
        ("Comme vous le savez", RUTTE, "direct"),
        ("Ce sur quoi nous devons nous concentrer", RUTTE, "direct"),
        ("La réunion des deux prochains jours", RUTTE, "direct"),
        ("il mettrait fin à la guerre", TRUMP, "indirect"),
        ("Quand nous parlons de l’Ukraine", RUTTE, "direct"),
        ("Tout cela est donc lié", RUTTE, "direct"),
    ],
    "004": [
        ("32 chefs d'état-major", DRAGONE, "indirect"),
        ("ils avaient eu une \"grande et franche discussion\"", DRAGONE, "mixed"),
        ("J'ai remercié tout le monde", DRAGONE, "direct"),
        ("a critiqué les efforts déployés", LAVROV, "indirect"),
        ("Nous ne sommes pas d'accord", LAVROV, "direct"),
        ("La Russie \"défendra (ses) intérêts légitimes", LAVROV, "mixed"),
        ("Le général américain Alexus Grynkewich", DRAGONE, "indirect"),
        ("exige notamment des garanties militaires", "ukraine", "indirect"),
        ("Nous avons besoin de garanties de sécurité solides", ZELENSKY, "direct"),
        ("a exclu l'envoi de troupes américaines", TRUMP, "indirect"),
        ("elle n'accepterait pas la présence", "russie", "indirect"),
        ("Les attaques contre des zones civiles", "autorites-ukrainiennes", "indirect"),
        ("les frappes \"ne font que confirmer", ZELENSKY, "mixed"),
    ],
}


def _article(path: Path) -> Article:
    text = path.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.strip())
    return Article(id=path.stem, path=str(path), text=text, title=title, date="2025-08-22",
                   language="fr")


@pytest.fixture(scope="module")
def seeds(seeds_dir):
    articles = [_article(p) for p in sorted(seeds_dir.glob("*.txt"))]
    calls = []
    result = extract_statements(articles, advance=calls.append)
    return articles, result, calls


def _lavrov(result):
    (actor,) = [a for a in result.actors if fold_name(a.name).endswith("lavrov")]
    return actor.id


def _statements(result, prefix):
    return [s for s in result.statements if s.article_id.startswith(prefix)]


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_each_seed_reads_as_expected(seeds, prefix):
    _, result, _ = seeds
    lavrov = _lavrov(result)
    found = [(s.text, s.actor_id, s.kind) for s in _statements(result, prefix)]
    expected = [(start, lavrov if who == LAVROV else who, kind) for start, who, kind in EXPECTED[prefix]]
    assert len(found) == len(expected), "\n".join(f"{a} | {t[:60]}" for t, a, _ in found)
    for (text, actor, kind), (start, want_actor, want_kind) in zip(found, expected):
        assert text.startswith(start), (text, start)
        assert (actor, kind) == (want_actor, want_kind), text


def test_lavrov_both_spellings_and_both_statements(seeds):
    _, result, _ = seeds
    lavrov = next(a for a in result.actors if a.id == _lavrov(result))
    assert {"Sergey Lavrov", "Sergueï Lavrov"} <= {lavrov.name, *lavrov.aliases}
    said = {s.kind: s.text for s in _statements(result, "000") if s.actor_id == lavrov.id}
    assert said["indirect"].startswith("aucune rencontre n'était prévue entre M. Poutine et M. Zelensky")
    assert said["direct"] == ("M. Poutine est prêt à rencontrer M. Zelensky lorsque l'ordre du jour "
                              "sera prêt pour un sommet, et cet ordre du jour n'est pas prêt du tout")


def test_reversed_attribution_and_role_nouns(seeds):
    _, result, _ = seeds
    by_speaker = {(s.article_id[:3], s.speaker, s.cue): s.actor_id for s in result.statements}
    assert by_speaker[("000", "M. Zelensky", "ajouter")] == ZELENSKY      # not Rutte
    assert by_speaker[("000", "le président ukrainien", "déclarer")] == ZELENSKY
    assert by_speaker[("002", "il", "déclarer")] == RUTTE                  # « a-t-il déclaré »
    assert by_speaker[("003", "le secrétaire général", "prévenir")] == RUTTE
    assert by_speaker[("003", "le chef de l’Alliance", "justifier")] == RUTTE
    assert by_speaker[("004", "Il", "déclarer")] == DRAGONE


def test_glued_typos_fold_to_known_actors(seeds):
    _, result, _ = seeds
    actors = {a.id: a for a in result.actors}
    assert "Marc Ruttea" in actors[RUTTE].aliases
    assert "Volodymyr Zelenskice" in actors[ZELENSKY].aliases
    first_of_003 = _statements(result, "003")[0]
    assert first_of_003.actor_id == ZELENSKY and "Zelenskice" in first_of_003.speaker
    assert not any("rutte" in a.id and a.id != RUTTE for a in result.actors)
    assert not any("zelensk" in a.id and a.id != ZELENSKY for a in result.actors)


def test_peskov_and_kremlin_are_distinct_actors(seeds):
    _, result, _ = seeds
    actors = {a.id: a for a in result.actors}
    assert actors[PESKOV].kind == "person"
    assert actors["kremlin"].kind == "organization"
    assert actors[RUTTE].kind == "person" and actors["moscou"].kind == "organization"


def test_statement_invariants(seeds):
    articles, result, calls = seeds
    texts = {a.id: a.text for a in articles}
    assert calls == [1] * len(articles)
    actor_ids = [a.id for a in result.actors]
    assert actor_ids == sorted(actor_ids) and len(set(actor_ids)) == len(actor_ids)
    for actor in result.actors:
        assert list(actor.aliases) == sorted(set(actor.aliases))
        assert actor.id.isascii() and actor.id == actor.id.lower()
    order = [a.id for a in articles]
    assert [order.index(s.article_id) for s in result.statements] == \
        sorted(order.index(s.article_id) for s in result.statements)
    for article_id in order:
        mine = [s for s in result.statements if s.article_id == article_id]
        assert [s.id for s in mine] == [f"{article_id}:{n}" for n in range(len(mine))]
        assert [s.start for s in mine] == sorted(s.start for s in mine)
    for s in result.statements:
        assert texts[s.article_id][s.start:s.end] == s.text
        assert s.text in s.sentence and s.sentence in texts[s.article_id]
        assert s.actor_id in actor_ids and s.date == "2025-08-22"
        assert s.kind in ("direct", "indirect", "mixed")
        assert s.text == s.text.strip()
        if s.kind == "direct":  # a quotation's words, without its marks
            assert not s.text.startswith(('"', "«", "“")) and not s.text.endswith(('"', "»", "”"))
        else:
            assert s.cue


def test_headlines_scare_quotes_and_anonymous_sources_are_not_statements(seeds):
    articles, result, _ = seeds
    for article in articles:
        if article.id.startswith(("000", "001", "004")):  # these open with a headline
            headline_end = article.text.index("\n")
            assert all(s.start > headline_end for s in result.statements if s.article_id == article.id)
    texts = [s.text for s in result.statements]
    assert "force de réassurance" not in texts and "constructive" not in texts
    assert not any(t.startswith("Les chefs d'état-major") for t in texts)      # « un haut responsable »
    assert not any(t.startswith("Caine a également rencontré") for t in texts)  # the same, anonymous
    assert not any(t.startswith("il pourrait couper") for t in texts)          # « son équipe »
