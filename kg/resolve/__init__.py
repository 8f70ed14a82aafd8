"""Stage 5: resolve mentions to entities, one per real thing.

Resolution is a sequence of small named steps (kg.resolve.steps), registered here
in the order they run, each declaring what it needs and what it produces, like the
extractors of stage 4. They share one working state, ``Resolution``:

1. the document's context (its district, city, province and subdistrict, from the
   places it names most) completes context-dependent names (区委统战部 → 中原区委统战部,
   我区 → 中原区); a leading place that only repeats the context is dropped from the
   canonical name and kept as an alias; declared abbreviations become aliases;
2. short forms, place prefixes and a program's several names are merged;
3. relation and metric candidates get entity keys and provenance; a candidate
   without a subject of its own takes the paragraph's topic subject, or the actor
   of its section, article or document.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kg.extract import Context
from kg.model import Entity, EntityKey, Extraction, Mention, Metric, Provenance, Relation, key_order

ACTOR_CLASSES = ("PartyOrganization", "GovernmentAgency", "MassOrganization", "DemocraticParty",
                 "Organization", "AdministrativeArea")
# what the steps produce, in order; a step may need only what an earlier one produced
PRODUCTS = ("context", "keys", "entities", "actors", "relations", "metrics")


@dataclass
class Resolution:
    """The working state of one document's resolution, as the steps fill it in."""
    ctx: Context
    context: dict[str, str] = field(default_factory=dict)              # level -> area
    sec: list[int] = field(default_factory=list)                       # sentence -> section
    sec_context: dict[int, dict[str, str]] = field(default_factory=dict)
    key_of: dict[tuple[int, int, str], EntityKey] = field(default_factory=dict)   # mention -> entity
    groups: dict[EntityKey, list[Mention]] = field(default_factory=lambda: defaultdict(list))
    aliases: dict[EntityKey, set[str]] = field(default_factory=lambda: defaultdict(set))
    entities: list[Entity] = field(default_factory=list)
    actor: EntityKey | None = None                                     # the document's
    sec_actor: dict[int, EntityKey | None] = field(default_factory=dict)
    # paragraph -> (sentence, subject) of each clause that names its own subject
    topics_seen: dict[int, list[tuple[int, EntityKey]]] = field(default_factory=lambda: defaultdict(list))
    relations: set[Relation] = field(default_factory=set)
    metrics: list[Metric] = field(default_factory=list)

    def key(self, m: Mention) -> EntityKey | None:
        return self.key_of.get((m.start, m.end, m.name))

    def context_at(self, pos: int) -> dict[str, str]:
        """The context of the section holding text position ``pos``."""
        return self.sec_context[self.sec[self.ctx.sentence_at(pos).index]]

    def merge(self, key: EntityKey, into: EntityKey, alias: bool = False) -> None:
        """Every mention of ``key`` now stands for ``into``, which takes its aliases
        (and with ``alias``, its name)."""
        for m in self.groups.pop(key):
            self.key_of[(m.start, m.end, m.name)] = into
            self.groups[into].append(m)
        self.aliases[into] |= self.aliases.pop(key, set()) | ({key.name} if alias else set())

    def prov(self, sentence: int, rule: str, confidence: float) -> Provenance:
        s = self.ctx.sentences[sentence]
        return Provenance(self.ctx.doc.id, s.index, s.start, s.end, rule, confidence)


@dataclass(frozen=True)
class Step:
    name: str
    doc: str                        # its one-line docstring
    requires: tuple[str, ...]
    produces: str                   # one of PRODUCTS
    func: Callable[[Resolution], None]


STEPS: dict[str, Step] = {}


def step(name: str, produces: str, requires: tuple[str, ...] = ()):
    """Decorator: add a resolution step, run after those registered before it."""
    if produces not in PRODUCTS:
        raise ValueError(f"produces must be one of {PRODUCTS}, not {produces!r}")

    def deco(func):
        if name in STEPS:
            raise ValueError(f"resolution step {name!r} registered twice")
        made = {s.produces for s in STEPS.values()}
        missing = [r for r in requires if r not in made]
        if missing:
            raise ValueError(f"step {name!r} needs {', '.join(missing)}, which no earlier step produces")
        doc = (func.__doc__ or "").strip().splitlines()
        STEPS[name] = Step(name, doc[0] if doc else "", requires, produces, func)
        return func
    return deco


def resolution(ctx: Context, steps: Iterable[str] | None = None) -> Resolution:
    """The working state after running every step (or the named ones, in registry
    order, with the steps they need) over one document's extraction."""
    from kg.resolve import steps as _registers  # noqa: F401  (registers the steps)

    chosen = list(STEPS) if steps is None else _with_requirements(set(steps))
    r = Resolution(ctx)
    for name in chosen:
        STEPS[name].func(r)
    return r


def _with_requirements(names: set[str]) -> list[str]:
    unknown = sorted(names - set(STEPS))
    if unknown:
        raise ValueError(f"unknown resolution step {', '.join(unknown)}; known: {', '.join(STEPS)}")
    want = set(names)
    for name in reversed(list(STEPS)):
        if name in want:
            for req in STEPS[name].requires:
                want |= {s.name for s in STEPS.values() if s.produces == req}
    return [n for n in STEPS if n in want]


def resolve(ctx: Context) -> Extraction:
    r = resolution(ctx)
    return Extraction(ctx.doc, ctx.sentences, tuple(ctx.mentions), tuple(r.entities),
                      tuple(sorted(r.relations, key=lambda x: (x.provenance.sentence, x.predicate,
                                                               key_order(x.subject), key_order(x.object)))),
                      tuple(r.metrics), r.context)
