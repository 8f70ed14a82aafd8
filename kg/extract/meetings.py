"""Meetings, courses and ceremonies: who holds them, who takes part, and who is
elected at them.

The meeting a report is about is the first meeting, course or ceremony it names
that is not a national one. A person followed in their clause by a verb of
attending, chairing, speaking or representing (``attend_verb`` in cues.tsv) takes
part in the meeting that clause names, or one its sentence names before (X召开Y，
A出席), or else in the report's meeting; so do the
people listed with them (A，B，C出席), and the bodies a speaker represents
(代表A、B对大会表示祝贺). 由A和B主办 makes A and B run the meeting the sentence
names. 当选(为)+body+post makes the people before it members of that body (or of
the body elected before in the paragraph, or of the association the congress is of),
and 加入X members of X.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from functools import lru_cache

from kg.extract import Context, alternation, register
from kg.extract import officials
from kg.extract.names import _event_words
from kg.extract.quoted import cues
from kg.model import FAMILY, Mention, RelationCandidate

_CLAUSE_END = re.compile("[，。；！？,;]")


@lru_cache(maxsize=1)
def _after_name() -> re.Pattern:
    """What may stand between a name and the rest of its clause: a post after the
    name (王某处长，), 同志, a title."""
    words = set(officials.posts()) | {"同志", "先生", "女士", "教授", "博士"}
    return re.compile(rf"(?:{alternation(words)})?[，,]?")


def main_event(ctx: Context) -> Mention | None:
    """The meeting the report is about: named in its title or its first paragraph
    (a news item's lead); a long report about many things has none."""
    if "main_event" in ctx.notes:
        return ctx.notes["main_event"]
    ctx.notes["main_event"] = found = _lead_meeting(ctx)
    return found


def _lead_meeting(ctx: Context) -> Mention | None:
    body = next((s for s in ctx.sentences if not s.heading), None)
    if body is None:
        return None
    lead_end = max(s.end for s in ctx.sentences if s.paragraph == body.paragraph)
    for m in ctx.mentions:
        if m.start >= lead_end:
            break
        if m.cls == "Event" and m.extractor != "congresses" and "全国" not in (m.name or m.text):
            return m
    return None


def _groups(ctx: Context, persons: list[Mention], starts: dict[int, int]) -> list[list[Mention]]:
    """People listed together: between one and the next only a separator and the
    next one's title chain (A，县政协副主席B、C); ``starts`` maps a person to their chain."""
    text = ctx.doc.text
    out: list[list[Mention]] = []
    for p in persons:
        if out:
            prev = out[-1][-1]
            gap = text[prev.end:starts.get(p.start, p.start)]
            if re.fullmatch(r"(?:同志|先生|女士)?[，、和与及,]?", gap):
                out[-1].append(p)
                continue
        out.append([p])
    return out


@register("participation", produces="relations", requires=("sentences", "mentions"))
def participation(ctx: Context):
    text = ctx.doc.text
    main = main_event(ctx)
    verb = re.compile(alternation(cues()["attend_verb"]))
    starts = {ps: cs for (ps, _), cs, _ in ctx.notes.get("title_chains", ())}
    for s in ctx.sentences:
        if s.heading:
            continue
        inside = ctx.mentions_between(s.start, s.end)
        persons = [m for m in inside if m.cls == "Person" and m.extractor != "bylines"]
        local = [m for m in inside if m.cls == "Event" and m.extractor != "congresses"]
        local_starts = [m.start for m in local]
        for group in _groups(ctx, persons, starts):
            last = group[-1]
            pos = _after_name().match(text, last.end).end()
            end = _CLAUSE_END.search(text, pos, s.end)
            end = end.start() if end else s.end
            v = next((v for v in verb.finditer(text, pos, min(end, pos + 30))
                      if v.start() in ctx.token_start_set and text[v.start() - 1] != "被"), None)
            if not v:
                continue   # (作 inside 合作 is no verb, nor 被通报 taking part)
            # the meeting the clause names, else one its sentence names earlier (X召开Y，A出席), else the report's
            i = bisect_left(local_starts, v.end())
            after = local[i] if i < len(local) and local[i].start < end else None
            j = bisect_left(local_starts, group[0].start) - 1
            before = next((local[k] for k in range(j, max(-1, j - 3), -1) if local[k].end <= group[0].start), None)
            obj = after or before or main
            if obj is None:
                continue
            for p in group:
                yield RelationCandidate(p, "participatesIn", obj, s.index, f"attend:{v.group()}", 0.6)
            if v.group() == "代表":
                # 代表A、B对大会表示祝贺: the bodies represented take part too
                upto = text.find("对", v.end(), end)
                for o in ctx.mentions_between(v.end(), upto if upto > 0 else end):
                    if FAMILY.get(o.cls) == "Organization":
                        yield RelationCandidate(o, "participatesIn", obj, s.index, "represented:代表X", 0.5)


@register("hosted_by", produces="relations", requires=("sentences", "mentions"))
def hosted_by(ctx: Context):
    """由A和B主办，C承办的“…仪式”: A, B and C run the meeting."""
    text = ctx.doc.text
    cue = re.compile(alternation(cues()["host_cue"]))
    for s in ctx.sentences:
        if "由" not in s.text:
            continue
        inside = ctx.mentions_between(s.start, s.end)
        for c in cue.finditer(text, s.start, s.end):
            lead = max(text.rfind("由", s.start, c.start()), text.rfind("，", s.start, c.start()))
            if lead < 0:
                continue
            hosts = [m for m in inside if FAMILY.get(m.cls) == "Organization" and lead < m.start and m.end <= c.start()]
            meeting = next((m for m in inside if m.cls in ("Event", "Program") and m.start >= c.end()), None)
            if meeting is None:   # 培训班由区委组织部主办: the meeting before 由, or the report's
                by = text.rfind("由", s.start, c.start())
                meeting = next((m for m in reversed(inside) if m.cls in ("Event", "Program") and m.end <= by), None)
                if meeting is None and by > 0 and text.endswith(_event_words(), 0, by):
                    meeting = main_event(ctx)
            if meeting is None or not hosts or "由" not in text[s.start:c.start()]:
                continue
            for h in hosts:
                yield RelationCandidate(h, "runs", meeting, s.index, f"hosted:由X{c.group()}", 0.6)


_ORDINAL = re.compile(r"第[一二三四五六七八九十\d]+届|[一二三四五六七八九十\d]+届")


@register("elections", produces="mentions", priority=7)
def elections(ctx: Context):
    """People elected at a congress (王某、李某等当选为…会长; 选举王某为…主委) and the
    body they were elected to where the text names it (民建某区第六届委员会: the
    committee, with its term left out of its name), or the body the congress elected
    before them (选举产生了某区第三届委员会，王某当选为主委)."""
    text = ctx.doc.text
    found = []
    bodies: dict[int, list[tuple[int, int]]] = defaultdict(list)   # paragraph -> bodies elected there
    for m in _ELECTED.finditer(text):
        org = _elected_body(ctx, m.start(1), m.end(1))
        if org:
            bodies[ctx.sentence_at(m.start()).paragraph].append(org[0])
            yield org[1]
    for spans, after in _elected_people(text):
        post = next((p for p in officials._post_re().finditer(text, after, min(len(text), after + 30))
                     if p.end() == len(text) or text[p.end()] in "，。；、,和并及"), None)
        if post is None:
            continue
        for s, e in spans:
            yield ctx.mention(s, e, "Person", "elections", 0.75)
        named = _elected_body(ctx, after, post.start())
        if named:
            yield named[1]
        earlier = [b for b in bodies.get(ctx.sentence_at(spans[0][0]).paragraph, ()) if b[1] <= spans[0][0]]
        org = named[0] if named else (earlier[-1] if earlier else None)
        found.append((tuple(spans), org, post.start() > after, officials.posts()[post.group()][0],
                      text[after:post.end()]))
    ctx.notes["elections"] = found


_ELECTED = re.compile(r"选举产生(?:了)?([^，。；,]{2,30}?)(?=[，。；,]|$)")
_NAME_LIST = r"([\u4e00-\u9fff·]{2,8}(?:、[\u4e00-\u9fff·]{2,8})*)"


def _elected_body(ctx: Context, start: int, end: int):
    """((start, end), mention) of a body written in [start, end), if it stands on its own."""
    text = ctx.doc.text
    body = text[start:end]
    name = _ORDINAL.sub("", body)
    kind = officials.body_class(name) if name else None
    if not kind or not officials.anchored(name):
        return None
    # 区工商联第五届(主席): the term after the body is no part of its mention
    trimmed = end if officials.body_class(body) else start + len(body.rstrip("第一二三四五六七八九十百届"))
    return (start, trimmed), ctx.mention(start, trimmed, officials._party_class(name, kind[0]), "elections", 0.7, name)


def _elected_people(text: str):
    """(name spans, where what they were elected to starts) for 王某、李某(等N名会员)当选(为)
    at a clause's start, and for 选举(任命, 增补…)王某、李某为."""
    for m in re.finditer(alternation(cues()["elect_cue"]), text):
        left = max(text.rfind(ch, 0, m.start()) for ch in "，。；：\n,") + 1
        seg = re.sub(r"等(?:\d+|[一二三四五六七八九十百]+)[名位人][\u4e00-\u9fff]{0,4}$|等$", "", text[left:m.start()])
        spans = _names_in(seg, left)
        if spans:
            yield spans, m.end()
    for m in re.finditer(rf"(?:选举|推选|任命|聘任|聘请|增补){_NAME_LIST}为", text):
        spans = _names_in(m.group(1), m.start(1))
        if spans:
            yield spans, m.end()


def _names_in(seg: str, pos: int) -> list[tuple[int, int]]:
    """Spans of a list of names (王某、李某) starting at ``pos``; [] unless all are names."""
    spans = []
    for part in seg.split("、"):
        if not officials.is_name(part):
            return []
        spans.append((pos, pos + len(part)))
        pos += len(part) + 1
    return spans


@register("elected_members", produces="relations", requires=("sentences", "mentions"))
def elected_members(ctx: Context):
    """memberOf with the post for the people elected, and for those who join a body (加入X)."""
    at = {(m.start, m.end): m for m in ctx.mentions}
    prev_org: dict[int, Mention] = {}
    for spans, org, has_body, post, written in ctx.notes.get("elections", ()):
        si = ctx.sentence_at(spans[0][0])
        para = si.paragraph
        body = at.get(org) if org else None
        if body is None and has_body:
            body = _association(ctx, spans[0][0])   # 第二届理事会: the association's own
        if body is None:
            body = prev_org.get(para)
        if body is None:
            continue
        prev_org[para] = body
        for span in spans:
            person = at.get(span)
            if person is not None and person.cls == "Person":
                yield RelationCandidate(person, "memberOf", body, si.index, f"elected:{written}", 0.65, post, written)
    text = ctx.doc.text
    for m in re.finditer(alternation(cues()["join_cue"]), text):
        s = ctx.sentence_at(m.start())
        orgs = [o for o in ctx.mentions_between(m.end(), min(s.end, m.end() + 2)) if FAMILY.get(o.cls) == "Organization"]
        left = max(text.rfind(ch, s.start, m.start()) for ch in "，。；,") + 1
        people = [p for p in ctx.mentions_between(max(left, s.start), m.start()) if p.cls == "Person"]
        for p in people if orgs else ():
            yield RelationCandidate(p, "memberOf", orgs[0], s.index, "joined:加入X", 0.6, "会员", "会员")


def _association(ctx: Context, pos: int) -> Mention | None:
    """The association whose congress the report is about: the one the meeting's
    name holds (某市新联会第一届第一次会员大会), else the one named last before ``pos``."""
    bodies = [m for m in ctx.mentions if m.cls in ("MassOrganization", "DemocraticParty")]
    main = main_event(ctx)
    held = [m for m in bodies if main is not None and (m.name or m.text) in (main.name or main.text)]
    before = [m for m in bodies if m.end <= pos]
    return (held or before or [None])[-1]
