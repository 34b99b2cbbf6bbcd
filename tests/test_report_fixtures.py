"""A hand-built Report from real seed articles, shared by the report tests.

Statements are real sentences from seeds/: Lavrov on a Putin-Zelensky meeting
(seeds/000, and seeds/004 two days earlier), the Zelensky quote that both
seeds/000 and seeds/002 carry, the Kremlin and Peskov in seeds/001. Offsets are
found in the article text, ids are numbered in text order as the extractor does;
only the scores are invented (plausible values, each trio sums to 1).
"""
from __future__ import annotations

from pathlib import Path

from stance.types import (Actor, Article, ClaimPair, Judgement, ModelInfo, Report, Scores,
                          Skipped, Statement)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

# article id -> date. seeds/003 carries no date: it must sort last.
ARTICLE_DATES = {
    "000_f392d9eafedb4316": "2025-08-22",
    "001_61d2cc5d72aecba5": "2025-09-05",
    "002_a9fda60ff86b36b6": "2025-08-22",
    "003_7b6b829601f4c80d": None,
    "004_44c57f388506a4d0": "2025-08-20",
}

# seeds/002 and seeds/003 open straight on the body: no headline to show.
ARTICLE_TITLES = {
    "000_f392d9eafedb4316": "Le chef de l'OTAN appelle à s'assurer que Poutine \"n'essaiera plus jamais "
                            "d'attaquer l'Ukraine\"",
    "001_61d2cc5d72aecba5": "Zelensky appelle à accélérer les garanties de sécurité après une conversation "
                            "\"constructive\" avec l'OTAN",
    "002_a9fda60ff86b36b6": None,
    "003_7b6b829601f4c80d": None,
    "004_44c57f388506a4d0": "OTAN : une \"discussion franche\" sur les garanties de sécurité pour l'Ukraine",
}

ACTORS = [
    Actor("volodymyr-zelensky", "Volodymyr Zelensky", "person",
          ("Volodymyr Zelensky", "M. Zelensky", "Zelensky", "le président ukrainien")),
    Actor("sergey-lavrov", "Sergueï Lavrov", "person", ("Sergey Lavrov", "Sergueï Lavrov", "M. Lavrov")),
    Actor("kremlin", "Kremlin", "organization", ("le Kremlin", "Moscou")),
    Actor("dmitri-peskov", "Dmitri Peskov", "person", ("Dmitri Peskov",)),
]

# (article, actor, text exactly as in the article, kind, cue, speaker)
STATEMENTS = [
    ("000_f392d9eafedb4316", "volodymyr-zelensky",
     "L'Ukraine a besoin de garanties de sécurité pour que nous, nos enfants et nos petits-enfants "
     "soyons certains que la Russie ne nous attaquera pas.", "direct", "déclarer", "le président ukrainien"),
    ("000_f392d9eafedb4316", "volodymyr-zelensky", "il était prêt à rencontrer M. Poutine",
     "indirect", "répéter", "M. Zelensky"),
    ("000_f392d9eafedb4316", "kremlin", "le Kremlin ne s'attendait pas à une rencontre de sitôt",
     "indirect", "faire savoir", "Moscou"),
    ("000_f392d9eafedb4316", "sergey-lavrov",
     "aucune rencontre n'était prévue entre M. Poutine et M. Zelensky", "indirect", "déclarer",
     "Sergey Lavrov"),
    ("000_f392d9eafedb4316", "sergey-lavrov",
     "M. Poutine est prêt à rencontrer M. Zelensky lorsque l'ordre du jour sera prêt pour un sommet, "
     "et cet ordre du jour n'est pas prêt du tout", "direct", "déclarer", "M. Lavrov"),
    ("001_61d2cc5d72aecba5", "volodymyr-zelensky",
     "26 pays ont accepté de fournir des garanties de sécurité à l'Ukraine. Je pense que c'est la "
     "première étape sérieuse et concrète de ce type depuis longtemps", "direct", "déclarer", "Il"),
    ("001_61d2cc5d72aecba5", "dmitri-peskov",
     "Les Européens bloquent le règlement en Ukraine. Ils n'y contribuent pas", "direct", "déclarer",
     "Dmitri Peskov"),
    ("001_61d2cc5d72aecba5", "kremlin",
     "les garanties de sécurité pour l'Ukraine ne peuvent pas être fournies par des forces militaires "
     "étrangères", "indirect", "confirmer", "Le Kremlin"),
    ("002_a9fda60ff86b36b6", "volodymyr-zelensky",
     "l'Ukraine a besoin de garanties de sécurité afin que nous, nos enfants et nos petits-enfants "
     "sachions que la Russie ne nous attaquera pas", "direct", "ajouter", "il"),
    ("003_7b6b829601f4c80d", "volodymyr-zelensky",
     "Une invitation pour l’Ukraine à rejoindre le L’OTAN est nécessaire à notre survie", "direct",
     "insister", "le président du pays"),
    ("004_44c57f388506a4d0", "sergey-lavrov",
     "Nous ne sommes pas d'accord avec le fait que l'on propose maintenant de résoudre les questions "
     "de sécurité collective sans la Fédération de Russie. Cela ne fonctionnera pas", "direct",
     "déclarer", "M. Lavrov"),
    ("004_44c57f388506a4d0", "volodymyr-zelensky",
     "Nous avons besoin de garanties de sécurité solides pour assurer une paix véritablement sûre et "
     "durable", "direct", "déclarer", "Volodymyr Zelensky"),
]

# Quote starts that name each statement in the tests below.
LAVROV_NO_MEETING = "aucune rencontre n'était prévue"
LAVROV_READY = "M. Poutine est prêt à rencontrer"
LAVROV_COLLECTIVE = "Nous ne sommes pas d'accord"
ZELENSKY_CHILDREN_000 = "L'Ukraine a besoin de garanties de sécurité pour que nous"
ZELENSKY_CHILDREN_002 = "l'Ukraine a besoin de garanties de sécurité afin que nous"
ZELENSKY_READY = "il était prêt à rencontrer M. Poutine"
ZELENSKY_26 = "26 pays ont accepté"
ZELENSKY_NATO = "Une invitation pour l’Ukraine"
ZELENSKY_SOLID = "Nous avons besoin de garanties de sécurité solides"
KREMLIN_NOT_SOON = "le Kremlin ne s'attendait pas"
KREMLIN_NO_TROOPS = "les garanties de sécurité pour l'Ukraine ne peuvent pas"
PESKOV_BLOCK = "Les Européens bloquent"

# (quote A, quote B, label, combined E/N/C, similarity, near duplicate)
JUDGEMENTS = [
    (LAVROV_NO_MEETING, LAVROV_READY, "contradiction", (0.04, 0.15, 0.81), 0.78, False),
    (ZELENSKY_CHILDREN_000, ZELENSKY_CHILDREN_002, "agreement", (0.93, 0.06, 0.01), 0.97, True),
    (ZELENSKY_READY, KREMLIN_NOT_SOON, "contradiction", (0.08, 0.30, 0.62), 0.64, False),
    (KREMLIN_NOT_SOON, LAVROV_NO_MEETING, "agreement", (0.71, 0.25, 0.04), 0.73, False),
    (ZELENSKY_SOLID, ZELENSKY_26, "neutral", (0.22, 0.70, 0.08), 0.69, False),
    (PESKOV_BLOCK, KREMLIN_NO_TROOPS, "neutral", (0.05, 0.81, 0.14), 0.58, False),
    (LAVROV_COLLECTIVE, LAVROV_READY, "neutral", (0.10, 0.62, 0.28), 0.55, False),
]

TIMINGS = {"read": 0.012, "extract": 1.93, "pair": 0.21, "nli": 3.08, "total": 5.3}
TIMINGS_LINE = "read 0.01s · extract 1.9s · pair 0.2s · nli 3.1s · total 5.3s"


def load_article(article_id: str, **overrides) -> Article:
    path = SEEDS / f"{article_id}.txt"
    text = path.read_text(encoding="utf-8")
    fields = dict(id=article_id, path=f"seeds/{path.name}", text=text, title=ARTICLE_TITLES[article_id],
                  date=ARTICLE_DATES[article_id], language="fr")
    fields.update(overrides)
    return Article(**fields)


def make_statements(articles: dict[str, Article], specs=STATEMENTS) -> list[Statement]:
    """Locate each quote in its article and number statements per article in text order."""
    located = []
    for article_id, actor_id, text, kind, cue, speaker in specs:
        article = articles[article_id]
        start = article.text.find(text)
        assert start >= 0, f"not in {article_id}: {text!r}"
        end = start + len(text)
        sentence_start = max(article.text.rfind("\n", 0, start) + 1, 0)
        sentence_end = article.text.find("\n", end)
        sentence = article.text[sentence_start: sentence_end if sentence_end >= 0 else None].strip()
        located.append((article_id, start, end, actor_id, text, kind, cue, speaker, sentence))
    located.sort(key=lambda item: (item[0], item[1]))
    statements, counters = [], {}
    for article_id, start, end, actor_id, text, kind, cue, speaker, sentence in located:
        counters[article_id] = counters.get(article_id, 0) + 1
        statements.append(Statement(
            id=f"{article_id}:{counters[article_id]}", article_id=article_id, actor_id=actor_id,
            text=text, kind=kind, start=start, end=end, cue=cue, sentence=sentence,
            date=articles[article_id].date, speaker=speaker))
    return statements


def find_statement(statements: list[Statement], prefix: str) -> Statement:
    (match,) = [s for s in statements if s.text.startswith(prefix)]
    return match


def make_judgements(statements: list[Statement], specs=JUDGEMENTS) -> list[Judgement]:
    judgements = []
    for quote_a, quote_b, label, (e, n, c), similarity, near_duplicate in specs:
        a, b = find_statement(statements, quote_a), find_statement(statements, quote_b)
        pair = ClaimPair(a=a, b=b, same_actor=a.actor_id == b.actor_id, similarity=similarity,
                         near_duplicate=near_duplicate)
        # The two directions differ a little, as they do with a real model; combined is their mean.
        forward = Scores(round(e + 0.02, 4), round(n - 0.01, 4), round(c - 0.01, 4))
        backward = Scores(round(e - 0.02, 4), round(n + 0.01, 4), round(c + 0.01, 4))
        judgements.append(Judgement(pair=pair, label=label, scores=Scores(e, n, c),
                                    forward=forward, backward=backward))
    return judgements


def build_report(**article_overrides) -> Report:
    """`article_overrides` maps an article id to fields to replace (e.g. a hostile title)."""
    articles = {aid: load_article(aid, **article_overrides.get(aid, {})) for aid in ARTICLE_DATES}
    statements = make_statements(articles)
    return Report(
        model=ModelInfo("stance-nli-small-v0"),
        articles=list(articles.values()), actors=list(ACTORS), statements=statements,
        judgements=make_judgements(statements),
        skipped=[Skipped("seeds/broken.csv", "no 'text' column", line=1),
                 Skipped("seeds/empty.txt", "empty file")],
        timings=dict(TIMINGS),
        settings={"similarity_threshold": 0.5, "contradiction_threshold": 0.6,
                  "agreement_threshold": 0.6, "cross_actor": True})


def empty_report() -> Report:
    return Report(model=ModelInfo("stance-nli-small-v0"), articles=[load_article("003_7b6b829601f4c80d")],
                  actors=[], statements=[], judgements=[])
