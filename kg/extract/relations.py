"""Relations from cue words: subject … cue … object within one sentence.

The object is the first mention of an allowed class after a cue, in the same
clause; the subject is the nearest allowed mention before the cue (each member of a
coordination A、B和C), or none, in which case the resolver gives the topic subject.
"""
from __future__ import annotations

import re
from functools import lru_cache

from kg.extract import Context, read_table, register
from kg.extract.quoted import cues
from kg.model import FAMILY, RelationCandidate

MAX_GAP = 16            # characters between a cue and its object
_CLAUSE_END = re.compile("[，。；：！？]")
_COORD = re.compile(r"^(?:、|和|及|以及|与)$")


@lru_cache(maxsize=1)
def signatures() -> dict[str, tuple[frozenset, frozenset]]:
    return {r[0]: (frozenset(r[1].split()), frozenset(r[2].split())) for r in read_table("relations.tsv")}


def _fits(cls: str, allowed: frozenset) -> bool:
    return cls in allowed or FAMILY.get(cls) in allowed


@lru_cache(maxsize=1)
def _cue_patterns():
    return {p: re.compile("|".join(map(re.escape, cues()[p]))) for p in signatures()}


def _subjects(text: str, before: list, allowed: frozenset) -> list:
    """The nearest allowed mention before the cue, with any members coordinated with it."""
    for i in range(len(before) - 1, -1, -1):
        if _fits(before[i].cls, allowed):
            group = [before[i]]
            j = i
            while j > 0 and _fits(before[j - 1].cls, allowed) and _COORD.match(text[before[j - 1].end:before[j].start]):
                group.append(before[j - 1])
                j -= 1
            return group
    return []


@register("cue_relations", produces="relations", requires=("sentences", "mentions"))
def cue_relations(ctx: Context):
    text = ctx.doc.text
    by_sentence: dict[int, list] = {}
    for m in ctx.mentions:
        if m.cls != "Concept":
            by_sentence.setdefault(ctx.sentence_at(m.start).index, []).append(m)
    for prop, (subj_ok, obj_ok) in signatures().items():
        pat = _cue_patterns()[prop]
        for si, ms in by_sentence.items():
            s = ctx.sentences[si]
            if s.heading:
                continue
            done = set()
            for cue in pat.finditer(text, s.start, s.end):
                objs = [m for m in ms if m.start >= cue.end() and m.start - cue.end() <= MAX_GAP
                        and not _CLAUSE_END.search(text, cue.end(), m.start) and _fits(m.cls, obj_ok)]
                if not objs:
                    continue
                first = objs[0]
                # coordinated objects: 开展A、B和C
                chosen = [first] + [o for prev, o in zip(objs, objs[1:])
                                    if _COORD.match(text[prev.end:o.start])]
                before = [m for m in ms if m.end <= cue.start()]
                if prop == "partner":
                    subj = _subjects(text, before, subj_ok)
                    for o in chosen:
                        for sub in subj or [None]:
                            if (o.start, sub) not in done:
                                done.add((o.start, sub))
                                yield RelationCandidate(sub, prop, o, si, f"cue:{prop}:{cue.group()}", 0.5)
                    continue
                subj = _subjects(text, before, subj_ok)
                for o in chosen:
                    if o.start in done:
                        continue
                    done.add(o.start)
                    for sub in subj or [None]:
                        yield RelationCandidate(sub, prop, o, si, f"cue:{prop}:{cue.group()}",
                                                0.6 if sub is not None else 0.45)


_GRANTED_BY = re.compile(r"被([^，。；]{2,30}?)(?:授予|评为|命名为|确定为)")


@register("awarded_by", produces="relations", requires=("sentences", "mentions"))
def awarded_by(ctx: Context):
    """被X授予Y: the honor Y is awarded by X."""
    text = ctx.doc.text
    for m in _GRANTED_BY.finditer(text):
        grantor = [x for x in ctx.mentions if x.start >= m.start(1) and x.end <= m.end(1) and FAMILY.get(x.cls) == "Organization"]
        honor = [x for x in ctx.mentions if x.cls == "Honor" and x.start >= m.end() and x.start - m.end() <= 3]
        if grantor and honor:
            yield RelationCandidate(honor[0], "awardedBy", grantor[-1], ctx.sentence_at(m.start()).index,
                                    "passive:被X授予", 0.7)
