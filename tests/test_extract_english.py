"""English goes through spacy.blank("en") and word lists: a few newswire sentences (and coordinated speakers, in both languages)."""
import pytest

from stance.extract import extract_statements
from stance.types import Article

TEXT = '''Talks stall as NATO weighs guarantees

"We will not give up on Ukraine," said Mr. Smith, the NATO envoy, on Monday.
According to the White House, the talks had made real progress.
Foreign Minister Sergei Lavrov told reporters that Moscow would not accept foreign troops.
"This is unacceptable," he said. "Nobody wants a wider war."
Mrs. Jane Doe, the British ambassador, said the proposal was "dead on arrival".
The Kremlin denied any involvement in the attack.
"We are ready," Smith said.
The "coalition of the willing" met in Paris.
'''


@pytest.fixture(scope="module")
def result():
    return extract_statements([Article(id="en1", path="en1.txt", text=TEXT, language="en")])


def _said(result):
    return [(s.actor_id, s.kind, s.cue, s.text) for s in result.statements]


def test_english_statements(result):
    assert _said(result) == [
        ("smith", "direct", "say", "We will not give up on Ukraine"),
        ("maison-blanche", "indirect", "according to", "the talks had made real progress"),
        ("sergei-lavrov", "indirect", "tell", "Moscow would not accept foreign troops"),
        ("sergei-lavrov", "direct", "say", "This is unacceptable"),
        ("sergei-lavrov", "direct", "", "Nobody wants a wider war"),
        ("jane-doe", "mixed", "say", 'the proposal was "dead on arrival"'),
        ("kremlin", "indirect", "deny", "denied any involvement in the attack"),
        ("smith", "direct", "say", "We are ready"),
    ]


def test_english_actors(result):
    actors = {a.id: a for a in result.actors}
    assert actors["smith"].kind == "person" and "Mr. Smith" in actors["smith"].aliases
    assert actors["maison-blanche"].kind == "organization"
    assert "White House" in actors["maison-blanche"].aliases
    assert actors["jane-doe"].name == "Jane Doe"


def test_english_offsets_are_exact(result):
    for s in result.statements:
        assert TEXT[s.start:s.end] == s.text


def test_unsupported_language_gives_nothing():
    german = Article(id="de1", path="de1.txt", text='"Wir sind bereit", sagte Scholz.\n',
                     language="de")
    calls = []
    assert extract_statements([german], advance=calls.append).statements == []
    assert calls == [1]


@pytest.mark.parametrize("sentence, claim", [
    ("Sergei Lavrov told reporters the West had no interest in peace.", "the West had no interest in peace"),
    ("Dmitry Peskov told the Financial Times no meeting was planned.", "no meeting was planned"),
    ("Dmitry Peskov told his aides that no meeting was planned.", "no meeting was planned"),
    ("Emmanuel Macron warned the talks would fail.", "the talks would fail"),
])
def test_the_addressee_of_told_is_not_part_of_the_claim(sentence, claim):
    result = extract_statements([Article(id="en2", path="en2.txt", text=sentence, language="en")])
    assert [s.text for s in result.statements] == [claim]


@pytest.mark.parametrize("language, sentence, speakers", [
    ("en", "Emmanuel Macron and Olaf Scholz said that Europe would keep supporting Ukraine.",
     ["emmanuel-macron", "olaf-scholz"]),
    ("en", "Emmanuel Macron, Olaf Scholz and Donald Tusk said Europe would pay.",
     ["emmanuel-macron", "olaf-scholz", "donald-tusk"]),
    ("fr", "MM. Macron et Scholz ont déclaré que l'Europe continuerait à soutenir l'Ukraine.",
     ["emmanuel-macron", "olaf-scholz"]),
    ("fr", "Après avoir reçu Emmanuel Macron, Olaf Scholz a déclaré que l'Europe paierait.", ["olaf-scholz"]),
])
def test_each_coordinated_speaker_makes_the_statement(language, sentence, speakers):
    names = "Emmanuel Macron et Olaf Scholz se sont vus. " if language == "fr" else ""
    text = names + sentence
    result = extract_statements([Article(id="c", path="c.txt", text=text, language=language)])
    assert [s.actor_id for s in result.statements] == speakers
    assert len({(s.start, s.end) for s in result.statements}) == 1
