"""Stage 4: extraction components and their registry.

Each component is small, declares what it needs and what it produces, and is
registered here in the order the pipeline runs it (like spaCy's pipes). Mention
components run first; overlapping mentions are then settled (the longer name wins,
so nested names are not split); relation and metric components run on the settled
mentions.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources

from kg.model import Document, Mention, MetricCandidate, RelationCandidate, Sentence, Token

STAGES = ("mentions", "relations", "metrics")


@dataclass
class Context:
    """The working state of one document while the components run."""
    doc: Document
    sentences: tuple[Sentence, ...]
    tokens: tuple[Token, ...]
    mentions: list[Mention] = field(default_factory=list)
    relations: list[RelationCandidate] = field(default_factory=list)
    metrics: list[MetricCandidate] = field(default_factory=list)
    mention_starts: list[int] | None = None   # set by run() once the mentions are settled
    # what a mention component found and a relation component of the same family
    # reads back (title chains: who holds which post), keyed by the component's name
    notes: dict = field(default_factory=dict)

    @cached_property
    def sentence_starts(self) -> list[int]:
        return [s.start for s in self.sentences]

    @cached_property
    def token_starts(self) -> list[int]:
        return [t.start for t in self.tokens]

    @cached_property
    def token_start_set(self) -> frozenset[int]:
        return frozenset(self.token_starts)

    def sentence_at(self, pos: int) -> Sentence:
        return self.sentences[max(bisect_right(self.sentence_starts, pos) - 1, 0)]

    def token_index(self, pos: int) -> int:
        """Index of the token holding ``pos``."""
        return bisect_right(self.token_starts, pos) - 1

    def mentions_between(self, start: int, end: int) -> list[Mention]:
        """Settled mentions that start in [start, end), in order."""
        if self.mention_starts is None:
            raise RuntimeError("mentions are not settled yet")
        return self.mentions[bisect_left(self.mention_starts, start):bisect_left(self.mention_starts, end)]

    def mention(self, start: int, end: int, cls: str, extractor: str, confidence: float = 0.7, name: str = "") -> Mention:
        text = self.doc.text[start:end]
        return Mention(text, start, end, cls, extractor, confidence, name if name and name != text else "")


@dataclass(frozen=True)
class Component:
    name: str
    produces: str                  # one of STAGES
    requires: tuple[str, ...]      # what must be in the Context before it runs
    func: Callable[[Context], Iterable]
    priority: int = 0              # among overlapping mentions of equal length, higher wins


REGISTRY: dict[str, Component] = {}


def register(name: str, produces: str, requires: tuple[str, ...] = ("sentences", "tokens"), priority: int = 0):
    """Decorator: add a component to the registry under ``name``."""
    if produces not in STAGES:
        raise ValueError(f"produces must be one of {STAGES}, not {produces!r}")

    def deco(func):
        if name in REGISTRY:
            raise ValueError(f"component {name!r} registered twice")
        REGISTRY[name] = Component(name, produces, requires, func, priority)
        return func
    return deco


@lru_cache(maxsize=None)
def read_table(filename: str) -> tuple[tuple[str, ...], ...]:
    """Rows of a tab-separated data file, comments and blank lines dropped (read once)."""
    rows = []
    for line in resources.files("kg.data").joinpath(filename).read_text("utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            rows.append(tuple(c.strip() for c in line.split("\t")))
    return tuple(rows)


def alternation(words) -> str:
    """A regular expression matching any of ``words``, longest first."""
    return _alternation(words if isinstance(words, frozenset) else frozenset(words))


@lru_cache(maxsize=1024)
def _alternation(words: frozenset[str]) -> str:
    # components build their patterns per document from the same word lists: sorting
    # and escaping them again each time cost more than some components' matching
    return "|".join(_longest_first(sorted(words, key=len, reverse=True)))


def _longest_first(words: list[str]) -> list[str]:
    """Escaped alternatives for words sorted longest first, the one-character words
    as one character class: tried in the same order, but a class is one set lookup
    where a branch of a few hundred characters is a few hundred tests."""
    single = [w for w in words if len(w) == 1]
    if len(single) < 2:
        return [re.escape(w) for w in words]
    return [re.escape(w) for w in words if len(w) > 1] + ["[" + "".join(map(re.escape, single)) + "]"] + \
        [w for w in words if not w]


class Words:
    """Occurrences of a word list in a text, as ``re.finditer`` of ``alternation(words)``
    finds them (leftmost, then longest, not overlapping), by one Aho-Corasick pass:
    a regular expression of a few hundred alternatives tries them at every position
    and costs several times more. (pyahocorasick's ``iter_long`` drops a word that
    ends the text, so the longest match per start is chosen here.)"""

    def __init__(self, words: Iterable[str]):
        import ahocorasick
        self._auto = ahocorasick.Automaton()
        for w in set(words):
            if w:
                self._auto.add_word(w, len(w))
        self.empty = len(self._auto) == 0
        if not self.empty:
            self._auto.make_automaton()

    def finditer(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
        """(start, end, word) of each occurrence in ``text[start:end]``."""
        if self.empty:
            return []
        longest: dict[int, int] = {}
        for last, n in self._auto.iter(text, start, len(text) if end is None else end):
            s = last - n + 1
            if n > longest.get(s, 0):
                longest[s] = n
        out, pos = [], 0
        for s in sorted(longest):
            if s >= pos:
                pos = s + longest[s]
                out.append((s, pos, text[s:pos]))
        return out

    def starts(self, text: str) -> set[int]:
        """Every position where some word begins (overlaps included)."""
        return set() if self.empty else {last - n + 1 for last, n in self._auto.iter(text)}


@lru_cache(maxsize=None)
def word_finder(words: str | frozenset[str]) -> Words:
    """A cached ``Words`` of a data file's words (by its name), or of a frozenset of words."""
    return Words(word_set(words) if isinstance(words, str) else words)


@lru_cache(maxsize=None)
def any_word(filename: str) -> re.Pattern:
    """A compiled pattern of a data file's words: ``.search(text)`` says whether any
    occurs in ``text`` in one call (a loop of ``in`` tests costs a call per word)."""
    return re.compile(alternation(word_set(filename)))


@lru_cache(maxsize=None)
def word_set(filename: str) -> frozenset[str]:
    return frozenset(w for row in read_table(filename) for w in row if w)


def settle(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest of overlapping mentions (ties: higher component priority,
    then higher confidence). Mentions sharing one span and one extractor all stay:
    that is how an elliptical coordination names several things at once."""
    prio = {c.name: c.priority for c in REGISTRY.values()}
    order = sorted(mentions, key=lambda m: (-(m.end - m.start), -prio.get(m.extractor, 0), -m.confidence, m.start, m.name))
    # kept spans never overlap (but for same-span groups), so sorted by start they
    # are sorted by end too, and one look left and right of a bisection decides
    starts: list[int] = []
    spans: list[tuple[int, int, str]] = []
    keep = []
    for m in order:
        i = bisect_left(starts, m.start)
        clash = False
        for a, b, ex in spans[max(0, i - 1):i + 1] + [x for x in spans[i + 1:i + 8] if x[0] < m.end]:
            if m.start < b and a < m.end and not (a == m.start and b == m.end and ex == m.extractor):
                clash = True
                break
        if not clash:
            keep.append(m)
            starts.insert(i, m.start)
            spans.insert(i, (m.start, m.end, m.extractor))
    return sorted(set(keep), key=lambda m: (m.start, m.end, m.name, m.cls))


def run(doc: Document, sentences: tuple[Sentence, ...], tokens: tuple[Token, ...],
        components: Iterable[str] | None = None) -> Context:
    """Run the registered components (or the named subset) over one document."""
    from kg.extract import coordination, meetings, metrics, names, officials, places, quoted, relations  # noqa: F401  (registers them)

    ctx = Context(doc, sentences, tokens)
    chosen = list(REGISTRY.values()) if components is None else [REGISTRY[n] for n in components]
    for stage in STAGES:
        for comp in chosen:
            if comp.produces == stage:
                getattr(ctx, stage).extend(comp.func(ctx))
        if stage == "mentions":
            ctx.mentions = settle(ctx.mentions)
            ctx.mention_starts = [m.start for m in ctx.mentions]
    return ctx
