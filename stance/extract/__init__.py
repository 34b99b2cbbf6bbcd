"""Who said what: statements and their canonical actors, from a batch of articles.

    aliases = load_aliases(path)                 # optional user alias file (TOML or YAML)
    result = extract_statements(articles, aliases=aliases, advance=None)
    result.actors       # stance.types.Actor, one per speaker across the batch, sorted by id
    result.statements   # stance.types.Statement, article order then text order
    result.named        # article id -> full names (folded) of the persons the article names

Stages, each a module:
  segment      paragraphs, quotations (messy marks included) and sentences
  nlp          words with spaCy's tags, lemmas, parse and NER (French: fr_core_news_md;
               English: spacy.blank("en") + sentencizer and word lists, no NER)
  attribution  speech cues and their speakers, sentence by sentence
  claims       claim spans and kinds, floating quotations, headline skipping
  mentions     what a speaker phrase names; persons named in an article
  actors       one person however the batch writes the name
  resolve      pronouns, role nouns, institutions and names to actors
  aliases      the user's renames and merges
Language resources are data: stance/resources/lang/{fr,en,institutions,names}.toml.
Articles in French or English are read; an undetermined language ("und") is read as
French; other languages give no statement (there is no lexicon for them yet).
Only actors that speak in at least one statement are listed.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

from ..types import Actor, Advance, Article, Statement
from .actors import NameOccurrence, PersonIndex
from .aliases import Aliases, AliasEntry, keys_of, load_aliases
from .claims import Claim, article_claims
from .folding import fold_text, slug
from .lexicon import LANGUAGES, Lexicon, lexicon
from .mentions import gazetteer
from .spots import GroupSpot, NameSpot, spot_groups, spot_names
from .nlp import Analysis, analyse
from .resolve import Draft, Registry, learn_roles, named_groups, resolve_article

__all__ = ["extract_statements", "load_aliases", "Extraction", "Aliases"]


@dataclass
class Extraction:
    actors: list[Actor] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    #: article id -> folded full names ("sergei lavrov") of the persons it names, speaking or not;
    #: pairing uses them to tell which articles are on one story (stance.pairs.article_anchors).
    named: dict[str, frozenset[str]] = field(default_factory=dict)


def _lexicon_for(language: str):
    code = (language or "und").lower().split("-")[0]
    if code in LANGUAGES:
        return lexicon(code)
    return lexicon("fr") if code in ("und", "") else None


def extract_statements(articles: Sequence[Article], aliases: Aliases | str | Path | None = None,
                       advance: Advance | None = None,
                       analyser: Callable[[str, Lexicon], Analysis] | None = None) -> Extraction:
    """Statements of every article and the actors who make them; `advance(1)` after each
    article is read (the batch-wide work that follows is quick). `analyser` replaces the
    spaCy analysis of one text (the store passes its parse cache)."""
    if isinstance(aliases, (str, Path)):
        aliases = load_aliases(aliases)
    read = _read(articles, advance, analyser or analyse)
    _spot_people(read)
    registry = Registry(PersonIndex(_occurrences(read)), aliases)
    for one in read:
        learn_roles(one.index, one.claims, one.spots, registry, one.lex)
    group_events = [named_groups(one.index, one.groups, registry) for one in read]
    resolved = [(one, resolve_article(one.index, one.claims, one.spots, events, registry, one.lex))
                for one, events in zip(read, group_events)]
    actors = _actors(registry, {draft for _, found in resolved for _, draft, _ in found
                                if draft is not None})
    statements = [s for one, found in resolved for s in _statements(one, found, actors)]
    final = {actor.id: actor for actor in actors.values()}
    if aliases is not None:
        final, statements = _merge(aliases, final, statements)
    return Extraction(actors=sorted(final.values(), key=lambda a: a.id), statements=statements,
                      named={one.article.id: _full_names(one) for one in read})


@dataclass
class _Article:
    index: int
    article: Article
    lex: Lexicon
    analysis: Analysis
    claims: list[Claim]
    spots: list[NameSpot] = field(default_factory=list)
    groups: list[GroupSpot] = field(default_factory=list)


def _read(articles: Sequence[Article], advance: Advance | None,
          analyser: Callable[[str, Lexicon], Analysis]) -> list[_Article]:
    read = []
    for index, article in enumerate(articles):
        lex = _lexicon_for(article.language)
        if lex is not None and article.text.strip():
            analysis = analyser(article.text, lex)
            read.append(_Article(index, article, lex, analysis, article_claims(analysis, lex)))
        if advance is not None:
            advance(1)
    return read


def _speaker_names(one: _Article) -> list[Claim]:
    return [c for c in one.claims if c.speaker is not None and c.speaker.kind == "name"
            and c.speaker.name.strip()]


def _spot_people(read: list[_Article]) -> None:
    """Persons named in each article; a surname the batch knows counts even where NER
    missed it (« Macron » tagged as a place)."""
    surnames = {fold_text(c.speaker.name).split()[-1] for one in read for c in _speaker_names(one)}
    for one in read:
        surnames |= {fold_text(s.name).split()[-1] for s in spot_names(one.analysis, one.lex)}
    for one in read:
        one.spots = spot_names(one.analysis, one.lex, surnames)
        one.groups = spot_groups(one.analysis, one.lex)


def _full_names(one: _Article) -> frozenset[str]:
    """A surname alone is left out: two stories may each have their « M. Vasseur »."""
    names = [s.name for s in one.spots] + [c.speaker.name for c in _speaker_names(one)]
    return frozenset(fold_text(name) for name in names if len(name.split()) > 1)


def _occurrences(read: list[_Article]) -> list[NameOccurrence]:
    found = [NameOccurrence(one.index, s.start, s.name, s.text, s.gender)
             for one in read for s in one.spots]
    return found + [NameOccurrence(one.index, c.speaker.start, c.speaker.name, c.speaker.name_text)
                    for one in read for c in _speaker_names(one)]


def _statements(one: _Article, found, actors: dict[str, Actor]) -> list[Statement]:
    text, article, made = one.analysis.text, one.article, []
    for claim, draft, speaker in found:
        if draft is None:
            continue
        s_start, s_end = min(claim.sentence[0], claim.start), max(claim.sentence[1], claim.end)
        made.append(Statement(
            id=f"{article.id}:{len(made)}", article_id=article.id, actor_id=actors[draft].id,
            text=text[claim.start:claim.end], kind=claim.kind, start=claim.start, end=claim.end,
            cue=claim.cue, sentence=text[s_start:s_end], date=article.date, speaker=speaker))
    return made


def _actors(registry: Registry, used: set[str]) -> dict[str, Actor]:
    """Final ids and names: a person's most frequent full name, an institution's own; an
    alias entry may rename an actor (its id stays unless the entry gives one)."""
    made: dict[str, Actor] = {}
    taken: set[str] = set()
    for key in sorted(used, key=lambda k: (_found_name(registry.drafts[k]), k)):
        draft, entry = registry.drafts[key], registry.drafts[key].entry
        found = _found_name(draft)
        if entry is not None:
            identifier = entry.id or (entry.key if slug(entry.key) == entry.key else slug(found))
        else:
            identifier = key.split(":", 1)[1] if key.startswith("org:") else slug(found)
        base, n = identifier, 2
        while identifier in taken:
            identifier, n = f"{base}-{n}", n + 1
        taken.add(identifier)
        name = entry.name if entry is not None and entry.name else found
        aliases = set(draft.surfaces) | set(draft.names) | ({found} if found != name else set())
        if entry is not None:
            aliases |= set(entry.aliases)
        made[key] = Actor(id=identifier, name=name,
                          kind=entry.kind if entry is not None and entry.kind else draft.kind,
                          aliases=tuple(sorted(a for a in aliases if a and a != name)))
    return made


def _found_name(draft: Draft) -> str:
    """The name the articles give: an institution's, else the most frequent full name."""
    if draft.display:
        return draft.display
    for counter in (draft.full_names, draft.names, draft.surfaces):
        if counter:
            return min(counter, key=lambda n: (-counter[n], -len(n.split()), n))
    return draft.entry.name or draft.entry.key if draft.entry else draft.key


def _merge(aliases: Aliases, actors: dict[str, Actor], statements: list[Statement]):
    """[merge] target = [sources]: the sources' statements become the target's."""
    def find(reference: str) -> Actor | None:
        if reference in actors:
            return actors[reference]
        wanted = set(keys_of(reference))
        for actor in actors.values():
            if wanted & {k for form in (actor.id, actor.name, *actor.aliases) for k in keys_of(form)}:
                return actor
        return None

    renamed: dict[str, str] = {}
    for target_ref, sources in aliases.merges:
        found_sources = [a for a in (find(s) for s in sources) if a is not None]
        if not found_sources:
            continue
        target = find(target_ref) or _new_target(target_ref, aliases)
        names = set(target.aliases)
        for source in found_sources:
            if source.id == target.id:
                continue
            names |= {source.name, *source.aliases}
            renamed[source.id] = target.id
            actors.pop(source.id, None)
        actors[target.id] = Actor(id=target.id, name=target.name, kind=target.kind,
                                  aliases=tuple(sorted(n for n in names if n != target.name)))
    if not renamed:
        return actors, statements
    def final(actor_id: str) -> str:
        seen = set()
        while actor_id in renamed and actor_id not in seen:
            seen.add(actor_id)
            actor_id = renamed[actor_id]
        return actor_id
    return actors, [replace(s, actor_id=final(s.actor_id)) for s in statements]


def _new_target(reference: str, aliases: Aliases) -> Actor:
    entry: AliasEntry | None = aliases.entry_for(reference)
    institution = gazetteer().by_form.get(fold_text(reference)) or (
        reference if reference in gazetteer().names else None)
    if entry is not None:
        return Actor(id=entry.id or slug(entry.name or entry.key), name=entry.name or entry.key,
                     kind=entry.kind or ("organization" if institution else "person"),
                     aliases=tuple(sorted(set(entry.aliases))))
    if institution:
        return Actor(id=institution, name=gazetteer().names[institution], kind="organization")
    return Actor(id=slug(reference), name=reference, kind="person")


