"""Canonical people across a batch: one actor however the articles write the name.

Names are compared folded (stance.extract.folding): « Sergueï Lavrov » and « Sergey
Lavrov » are one name. Full names join when their surnames match and their given names
may be one person's (« Mark Rutte » / « Marc Rutte »), or when one is the end of the other
(« Cavo Dragone » / « Giuseppe Cavo Dragone »). A surname alone (« M. Rutte ») joins the
only full name ending with it — the one named in the same article when several do.
Glued-word typos (« Ruttea », « Zelenskice ») lose one or two trailing letters when that
gives a surname the batch uses more often; the letters lost are remembered, as « a » in
« Marc Ruttea encore une fois retardé » was the verb that makes the name a subject.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .folding import name_words, same_given_name
from .lexicon import name_rules


@dataclass
class NameOccurrence:
    article: int
    start: int
    name: str          # as written, honorific dropped
    text: str          # as written
    gender: str = ""
    roles: tuple[str, ...] = ()


@dataclass
class PersonCluster:
    index: int
    members: list[tuple[str, ...]] = field(default_factory=list)   # folded names
    count: int = 0
    articles: set[int] = field(default_factory=set)


class PersonIndex:
    """Folded names -> clusters, built once from every name occurrence of the batch."""

    def __init__(self, occurrences: list[NameOccurrence]):
        rules = name_rules()
        folded = [name_words(o.name) for o in occurrences]
        last_counts = Counter(words[-1] for words in folded if words)
        self._fixed: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {}
        for words in folded:
            if words and words not in self._fixed:
                self._fixed[words] = _unglue(words, last_counts, rules.glued_max_letters,
                                             rules.glued_min_surname)
        counts: Counter[tuple[str, ...]] = Counter()
        articles: dict[tuple[str, ...], set[int]] = {}
        for occurrence, words in zip(occurrences, folded):
            if words:
                fixed = self._fixed[words][0]
                counts[fixed] += 1
                articles.setdefault(fixed, set()).add(occurrence.article)
        self.clusters: list[PersonCluster] = []
        self._by_words: dict[tuple[str, ...], PersonCluster] = {}
        self._ambiguous: dict[tuple[str, ...], list[PersonCluster]] = {}
        full = sorted((w for w in counts if len(w) >= 2), key=lambda w: (-len(w), -counts[w], w))
        for words in full:
            matches = [c for c in self.clusters if any(_same_person(m, words) for m in c.members)]
            cluster = max(matches, key=lambda c: (c.count, -c.index)) if matches else self._new()
            self._add(cluster, words, counts[words], articles[words])
        for words in sorted((w for w in counts if len(w) == 1), key=lambda w: (-counts[w], w)):
            matches = [c for c in self.clusters
                       if any(m[-1] == words[0] and len(m) > 1 for m in c.members)]
            if len(matches) == 1:
                self._add(matches[0], words, counts[words], articles[words], member=False)
            elif matches:
                self._ambiguous[words] = matches
            else:
                self._add(self._new(), words, counts[words], articles[words])

    def _new(self) -> PersonCluster:
        cluster = PersonCluster(index=len(self.clusters))
        self.clusters.append(cluster)
        return cluster

    def _add(self, cluster, words, count, articles, member=True) -> None:
        if member:
            cluster.members.append(words)
        cluster.count += count
        cluster.articles |= articles
        self._by_words[words] = cluster

    def by_surname(self, name: str) -> PersonCluster | None:
        """The one cluster whose full name ends with this one-word name, if exactly one does
        (« Bayrou » in « le gouvernement Bayrou », where it is never a name occurrence itself)."""
        words = name_words(name)
        matches = [c for c in self.clusters if len(words) == 1
                   and any(len(m) > 1 and m[-1] == words[0] for m in c.members)]
        return matches[0] if len(matches) == 1 else None

    def glued(self, name: str) -> str:
        """The letters a glued-word typo added to this name ("a" for « Ruttea »), or ""."""
        words = name_words(name)
        return self._fixed.get(words, (words, ""))[1] if words else ""

    def cluster_of(self, name: str, article: int) -> PersonCluster | None:
        words = name_words(name)
        if not words:
            return None
        words = self._fixed.get(words, (words, ""))[0]
        if words in self._by_words:
            return self._by_words[words]
        candidates = self._ambiguous.get(words, [])
        if not candidates:
            return None
        local = [c for c in candidates if article in c.articles]
        return max(local or candidates, key=lambda c: (c.count, -c.index))


def _unglue(words: tuple[str, ...], last_counts: Counter, max_letters: int, min_surname: int):
    """("marc", "ruttea") -> (("marc", "rutte"), "a") when « rutte » is the batch's surname."""
    last = words[-1]
    found = []
    for n in range(1, max_letters + 1):
        base = last[:-n]
        if len(base) >= min_surname and last_counts[base] > last_counts[last]:
            found.append((words[:-1] + (base,), last[-n:]))
    return found[0] if len(found) == 1 else (words, "")


def _same_person(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if a[-1] != b[-1]:
        return False
    shorter, longer = sorted((a, b), key=len)
    if longer[len(longer) - len(shorter):] == shorter:
        return True
    return same_given_name(a[0], b[0])
