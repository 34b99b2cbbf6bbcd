"""Who each speaker mention is: names, pronouns, role nouns and institutions to actors.

Within an article, in text order:
- a name is its person (stance.extract.actors); an institution or a place speaking
  (« le Kremlin », « Moscou ») is an organization; « l'administration militaire
  municipale » is an organization named by the phrase;
- « il », « elle », « -t-il » is the latest person of that gender who was the subject of
  a clause or a speaker ( « Après que Donald Trump a rencontré Vladimir Poutine…, il a
  déclaré » is Trump), else the latest person named, else the latest speaker;
- a role noun (« le président ukrainien », « prévient le secrétaire général ») is the
  latest person named in the article whom the batch gave that role (by apposition:
  « le président ukrainien Volodymyr Zelensky »); else, when an anonymous source had that
  role (« un responsable américain de la défense » … « selon le responsable de la
  défense »), nobody; else the latest person of that gender named before it; else the one
  person of the batch with that role; else the latest speaker;
- a statement with no speaker of its own (floating quotation, « ajoutant que »,
  « Et d'ajouter ») keeps the previous statement's speaker.
Anonymous sources and groups no actor stands for (« son équipe », « ils ») are not
attributed, and neither is what continues them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .actors import PersonIndex
from .aliases import AliasEntry, Aliases
from .claims import Claim
from .folding import fold_text
from .lexicon import Lexicon, given_name_genders
from .mentions import Mention, gazetteer, role_key, roles_match
from .spots import GroupSpot, NameSpot


@dataclass
class Draft:
    """An actor while the batch is read: final ids and names are chosen at the end."""
    key: str
    kind: str                        # person / organization
    surfaces: Counter = field(default_factory=Counter)   # written forms
    full_names: Counter = field(default_factory=Counter)  # person names of two words or more
    names: Counter = field(default_factory=Counter)       # person names, honorific dropped
    display: str = ""                # organizations: their name
    entry: AliasEntry | None = None
    statements: int = 0


@dataclass
class Event:
    position: int
    draft: str
    subject: bool
    gender: str


class Registry:
    """Drafts by key: "person:<cluster>", "org:<id>", "group:<phrase>", "alias:<key>"."""

    def __init__(self, people: PersonIndex, aliases: Aliases | None):
        self.people, self.aliases = people, aliases
        self.drafts: dict[str, Draft] = {}
        self.person_roles: dict[str, list[tuple[frozenset[str], str]]] = {}
        self.genders: dict[str, str] = {}   # person draft -> "m" / "f", learned over the batch
        self.group_names: set[str] = set()  # folded names a group noun introduced: « l'équipe Kervel-Atlantique »

    def learn_gender(self, draft: str, gender: str, name: str = "") -> None:
        """From a title (« Mme Delattre ») or else a known given name (« Sandrine Delattre »)."""
        words = name.split()
        gender = gender.rstrip("+") or (given_name_genders().get(fold_text(words[0]), "")
                                        if len(words) >= 2 else "")
        if gender and draft.startswith(("person:", "alias:")):
            self.genders.setdefault(draft, gender)

    def gender_of(self, draft: str, written: str = "") -> str:
        """The gender a mention shows (« Mme », « elle »), else the one the batch taught."""
        return written or self.genders.get(draft, "")

    def draft(self, key: str, kind: str) -> Draft:
        if key not in self.drafts:
            self.drafts[key] = Draft(key=key, kind=kind)
        return self.drafts[key]

    def person(self, name: str, article: int) -> str | None:
        cluster = self.people.cluster_of(name, article)
        if cluster is None:
            return None
        if self.aliases is not None:  # an alias entry naming any form of the person takes it all
            for member in cluster.members:
                aliased = self.alias(" ".join(member)) or self.alias(member[-1])
                if aliased is not None:
                    return aliased
        return f"person:{cluster.index}"

    def group(self, name: str, surface: str, named: bool = False) -> str:
        """The organisation draft of a group phrase (« l'administration militaire »), or of a name a
        group noun introduced (`named`: « le syndicat USS-Santé »), which then means it alone too."""
        folded = fold_text(name)
        record = self.draft(f"group:{folded}", "organization")
        record.display = record.display or name
        record.surfaces[surface] += 1
        if named:
            self.group_names.add(folded)
        return record.key

    def group_shortened_to(self, name: str) -> str | None:
        """The one named group whose name opens with this single word ("Corvane" of "Corvane Data"):
        organisations are shortened to their first word, people to their last."""
        folded = fold_text(name)
        if " " in folded:
            return None
        found = [g for g in self.group_names if " " in g and g.split()[0] == folded]
        return f"group:{found[0]}" if len(found) == 1 else None

    def known_person(self, name: str, article: int) -> str | None:
        """The person a name surely means: one whose gender a title or a given name told (a bare
        surname counts, « Bayrou » of « François Bayrou »); "Corvane Data", a capitalised run, is not."""
        draft = self.person(name, article)
        if draft is None and (cluster := self.people.by_surname(name)) is not None:
            draft = f"person:{cluster.index}"
        return draft if draft is not None and draft in self.genders else None

    def alias(self, *surfaces: str) -> str | None:
        entry = self.aliases.entry_for(*surfaces) if self.aliases else None
        if entry is None:
            return None
        draft = self.draft(f"alias:{entry.key}", entry.kind or "person")
        draft.entry = entry
        return draft.key

    def learn_role(self, draft: str, role: str, lex: Lexicon) -> None:
        key = role_key(role, lex)
        if key[0]:
            self.person_roles.setdefault(draft, []).append(key)


def learn_roles(article_index: int, claims: list[Claim], spots: list[NameSpot],
                registry: Registry, lex: Lexicon) -> None:
    """Roles the article gives people by apposition, for role nouns anywhere in the batch; and
    their gender, for pronouns."""
    for spot in spots:
        draft = registry.alias(spot.text, spot.name) or registry.person(spot.name, article_index)
        if draft is not None:
            registry.learn_gender(draft, spot.gender, spot.name)
            if spot.role:
                registry.learn_role(draft, spot.role, lex)
    for claim in claims:
        mention = claim.speaker
        if mention is not None and mention.kind == "name" and mention.roles:
            draft = registry.alias(mention.text, mention.name_text, mention.name) \
                or registry.person(mention.name, article_index)
            if draft is not None:
                for role in mention.roles:
                    registry.learn_role(draft, role, lex)


def named_groups(article_index: int, groups: list[GroupSpot], registry: Registry) -> list[Event]:
    """The organisations an article names after a group noun, registered for the whole batch (called
    for every article before any is resolved: "Corvane" may come articles before "company Corvane
    Data"). « le gouvernement Bayrou »: a name the batch knows as a person's stays that person's."""
    return [Event(g.start, registry.group(g.name, f"{g.noun} {g.name}", named=True), False, "")
            for g in groups if registry.known_person(g.name, article_index) is None]


def resolve_article(article_index: int, claims: list[Claim], spots: list[NameSpot], group_events: list[Event],
                    registry: Registry, lex: Lexicon) -> list[tuple[Claim, str | None, str]]:
    """(claim, draft key or None when not attributed, the speaker as written), in order;
    `group_events` from `named_groups`."""
    events = list(group_events)
    for spot in spots:
        draft = registry.alias(spot.text, spot.name) or registry.person(spot.name, article_index)
        if draft is None or spot.in_quote:
            continue
        subject = spot.subject or registry.people.glued(spot.name) in lex.glued_auxiliaries
        events.append(Event(spot.start, draft, subject, registry.gender_of(draft, spot.gender)))
        _record_name(registry, draft, spot.text, spot.name)
    events.sort(key=lambda e: e.position)
    anonymous: list[tuple[int, tuple[frozenset[str], str]]] = []
    resolved: list[tuple[Claim, str | None, str]] = []
    previous: tuple[str | None, str] = (None, "")
    for claim in sorted(claims, key=lambda c: (c.start, c.end)):
        mention = claim.speaker
        if mention is None:
            draft, speaker = previous if resolved else (None, "")
        else:
            speaker = mention.text.lstrip("-").removeprefix("t-")
            draft = _resolve(mention, article_index, events, anonymous, resolved, registry, lex)
            if draft is not None:
                events.append(Event(mention.start, draft, True, registry.gender_of(draft, mention.gender)))
                events.sort(key=lambda e: e.position)
        resolved.append((claim, draft, speaker))
        previous = (draft, speaker)
    return resolved


def _record_name(registry: Registry, draft: str, text: str, name: str) -> None:
    record = registry.drafts.get(draft) or registry.draft(draft, "person")
    record.surfaces[text] += 1
    if not registry.people.glued(name) and record.kind == "person":
        record.names[name] += 1
        if len(name.split()) >= 2:
            record.full_names[name] += 1


def _resolve(mention: Mention, article: int, events: list[Event], anonymous, resolved,
             registry: Registry, lex: Lexicon) -> str | None:
    position = mention.start
    aliased = registry.alias(mention.text, mention.name_text, mention.name, mention.role)
    if aliased is not None:
        record = registry.drafts[aliased]
        record.surfaces[_without_determiner(mention.text, lex)] += 1
        if mention.kind in ("institution", "group"):
            record.kind = "organization"
            record.display = record.display or gazetteer().names.get(mention.institution,
                                                                     mention.institution)
        return aliased
    if mention.kind == "name":
        if fold_text(mention.name) in registry.group_names:  # « Kervel-Atlantique a confirmé » after « l'équipe Kervel-Atlantique »
            return registry.group(mention.name, mention.name)
        shortened = registry.group_shortened_to(mention.name)
        if shortened is not None and registry.known_person(mention.name, article) is None:
            return shortened  # "Corvane rejected the figure" after "company Corvane Data"
        draft = registry.person(mention.name, article)
        if draft is not None:
            _record_name(registry, draft, mention.name_text, mention.name)
        return draft
    if mention.kind == "institution":
        record = registry.draft(f"org:{mention.institution}", "organization")
        record.display = gazetteer().names.get(mention.institution, mention.institution)
        record.surfaces[_without_determiner(mention.text, lex)] += 1
        return record.key
    if mention.kind == "group":
        named = _named_group(mention, events, registry, lex)
        if named is not None:
            registry.drafts[named].surfaces[_without_determiner(mention.text, lex)] += 1
            return named
        surface = _without_determiner(mention.text, lex)
        if mention.roles:  # « l'équipe Kervel-Atlantique a confirmé »; « le gouvernement Bayrou » stays Bayrou
            return registry.known_person(mention.institution, article) \
                or registry.group(mention.institution, surface, named=True)
        return registry.group(mention.institution, surface)
    if mention.kind == "anonymous":
        anonymous.append((position, role_key(mention.role, lex)))
        return None
    before = [e for e in events if e.position < position]
    if mention.kind == "pronoun":
        people = _people(before, mention.gender)
        candidates = [e for e in people if e.subject] or people
        return candidates[-1].draft if candidates else _last_speaker(resolved)
    if mention.kind == "role":
        return _resolve_role(mention, before, anonymous, resolved, registry, lex)
    return None


def _resolve_role(mention: Mention, before: list[Event], anonymous, resolved,
                  registry: Registry, lex: Lexicon) -> str | None:
    key = role_key(mention.role, lex)
    holders = {draft for draft, keys in registry.person_roles.items()
               if any(roles_match(key, k) for k in keys)}
    local = [e for e in before if e.draft in holders and _gender_fits(mention.gender, e.gender)]
    people = _people(before, mention.gender)
    if local:
        chosen = local[-1].draft
    elif any(roles_match(key, k) for _, k in anonymous):
        return None
    elif people:
        chosen = people[-1].draft
    elif len(holders) == 1:  # named only elsewhere in the batch, with this very role
        chosen = next(iter(holders))
    else:
        chosen = _last_speaker(resolved)
    if chosen is not None:
        registry.drafts[chosen].surfaces[mention.text] += 1
    return chosen


def _named_group(mention: Mention, events: list[Event], registry: Registry, lex: Lexicon) -> str | None:
    """« l'agence » after « l'Agence régionale de santé a indiqué… », "the council" after "Harnford
    District Council said…": a bare head noun is the latest organisation of the article, named
    before it, whose name holds that noun."""
    head = fold_text(mention.institution)
    if " " in head or head not in lex.group_heads:
        return None
    for event in reversed([e for e in events if e.position < mention.start]):
        record = registry.drafts.get(event.draft)
        if record is None or record.kind != "organization" or event.draft == f"group:{head}":
            continue
        names = {fold_text(name) for name in (record.display, *record.surfaces)} - {head}
        if any(head in name.split() for name in names):
            return event.draft
    return None


def _last_speaker(resolved) -> str | None:
    for _, draft, _ in reversed(resolved):
        if draft is not None:
            return draft
    return None


def _people(events: list[Event], gender: str) -> list[Event]:
    """The person events a gendered mention may mean: those of that gender when the batch
    knows any, else those whose gender is unknown too (« elle » is not « Thierry Lambrecht »)."""
    people = [e for e in events if e.draft.startswith(("person:", "alias:"))
              and _gender_fits(gender, e.gender)]
    known = [e for e in people if gender and e.gender == gender]
    return known or people


def _gender_fits(wanted: str, known: str) -> bool:
    return not wanted or not known or wanted == known


def _without_determiner(text: str, lex: Lexicon) -> str:
    words = text.split(None, 1)
    if len(words) == 2 and words[0].lower() in lex.determiners:
        return words[1]
    for elided in ("l'", "l’"):
        if text.lower().startswith(elided):
            return text[2:]
    return text
