"""People named without a title chain: leaders named as such (县领导王某), bylines
and credits, speakers (王某表示), and every other place a person so named is named
again. Names follow the name grammar of kg.extract.officials."""
from __future__ import annotations

import re

from kg.extract import Context, alternation, register, word_finder
from kg.extract.officials import CJK, anchored, body_class, follows, is_name, names_after, split_names
from kg.extract.quoted import cues


@register("leaders", produces="mentions", priority=7)
def leaders(ctx: Context):
    """Leaders named without a post: 县领导王某、李某出席."""
    text = ctx.doc.text
    for m in re.finditer(alternation(cues()["leader_word"]), text):
        for s, e in names_after(text, m.end()):
            yield ctx.mention(s, e, "Person", "leaders", 0.7)


def _byline_stop() -> re.Pattern:
    roles = cues()["byline_role"]
    return re.compile(alternation(list(roles) + ["报道", "摄", "讯", "发", "整理", "供图", "来源"]))


@register("bylines", produces="mentions", priority=7)
def bylines(ctx: Context):
    """Names in bylines and credits (记者王某 通讯员李某; 编辑：张某), a reporter's
    outlet (某某新闻网讯), and names in parentheses closing a paragraph ((王某 李某))."""
    text = ctx.doc.text
    c = cues()
    members = []
    outlet = re.compile(rf"^([\u4e00-\u9fff]{{0,8}}?(?:{alternation(c['outlet_suffix'])}))(讯|消息)?", re.M)
    outlet_span = None
    for m in outlet.finditer(text):
        if m.start() > 200:
            break
        first = m.group(1)
        if m.group(2) or anchored(first):
            if not first.startswith("本"):
                outlet_span = m.span(1)
                yield ctx.mention(*m.span(1), "PublicInstitution", "bylines", 0.7)
            yield from _name_run(ctx, m.end())
            break
    role = re.compile(rf"({alternation(c['byline_role'])})[：:]?\s?")
    own = re.compile(rf"([\u4e00-\u9fff]{{2,10}}?(?:{alternation(c['outlet_suffix'])}))$")
    for m in role.finditer(text):
        # （某区融媒体中心记者 王某）: the outlet written right before the reporter
        near = own.search(text, max(0, m.start() - 12), m.start())
        if near and anchored(near.group(1)) and m.group(1) in c["byline_member"]:
            yield ctx.mention(*near.span(1), "PublicInstitution", "bylines", 0.7)
        for s, e in _name_run_spans(text, m.end()):
            yield ctx.mention(s, e, "Person", "bylines", 0.75)
            where = near.span(1) if near and anchored(near.group(1)) else outlet_span
            if m.group(1) in c["byline_member"] and where:
                members.append(((s, e), where))
    for m in re.finditer(r"[（(]([\u4e00-\u9fff][\u4e00-\u9fff 　]{1,24})[）)][ 　]*(?=\n|$)", text):
        runs = list(re.finditer(r"[\u4e00-\u9fff]+", m.group(1)))
        found = [(r.start() + s, r.start() + e) for r in runs for s, e in _names_after_body(_CREDIT_TAIL.sub("", r.group()))]
        # every run is names, or a body and then names: (王某 李某), (某区委统战部 王某)
        if all(_names_after_body(_CREDIT_TAIL.sub("", r.group())) or _is_body(r.group()) for r in runs):
            for s, e in found:
                yield ctx.mention(m.start(1) + s, m.start(1) + e, "Person", "bylines", 0.7)
    ctx.notes["bylines"] = members


_CREDIT_TAIL = re.compile(r"(?:摄影|摄|供图|报道|整理|文|图)$")


def _is_body(run: str) -> bool:
    return body_class(run) is not None and anchored(run)


def _names_after_body(run: str) -> list[tuple[int, int]]:
    """The names a run holds, after the body they write for where one comes first
    (某区委统战部王某: 王某; 张某摄: 张某)."""
    parts = split_names(run) if len(run) >= 2 else None
    if parts:
        return parts
    for k in range(len(run) - 2, 1, -1):
        if body_class(run[:k]) and anchored(run[:k]):
            rest = split_names(run[k:])
            if rest:
                return [(k + s, k + e) for s, e in rest]
    return []


def _name_run_spans(text: str, pos: int) -> list[tuple[int, int]]:
    """The names written right at ``pos`` (a run of characters up to a stop word)."""
    end = pos
    while end < len(text) and CJK.match(text[end]) and end - pos < 20:
        end += 1
    stop = _byline_stop().search(text, pos, end)
    run = text[pos:stop.start() if stop else end]
    if not stop and _is_body(run) and text[end:end + 1] in (" ", "　"):
        return _name_run_spans(text, end + 1)   # 文/图 某区政协办公室 王某: the writer's body, then the name
    return [(pos + s, pos + e) for s, e in _names_after_body(run)]


def _name_run(ctx: Context, pos: int):
    for s, e in _name_run_spans(ctx.doc.text, pos):
        yield ctx.mention(s, e, "Person", "bylines", 0.7)


@register("speakers", produces="mentions", priority=5)
def speakers(ctx: Context):
    """A name that opens a clause and is followed by a speech verb or a form of
    address (王某表示, 李某先生), or opens a line as a speaker (王某：…)."""
    text = ctx.doc.text
    cued = word_finder(frozenset(cues()["speech_cue"])).starts(text)
    # candidates are read back from the cues (and a line's colon), which are far
    # rarer than the places a clause starts
    ends = cued | {m.start() for m in _COLON.finditer(text)} | {len(text)}
    for p in sorted({q - k for q in ends for k in (4, 3, 2) if q - k >= 0}):
        if not ("\u4e00" <= text[p] <= "\u9fff" and _opens_clause(text, p)):
            continue
        line_start = p == 0 or text[p - 1] == "\n"
        for k in (4, 3, 2):
            cand = text[p:p + k]
            if len(cand) == k and (p + k in cued or (line_start and text[p + k:p + k + 1] in "：:")) and is_name(cand):
                yield ctx.mention(p, p + k, "Person", "speakers", 0.65)
                break


_COLON = re.compile("[：:]")
# where a speaker's name starts: a clause's start, or right after the body they
# speak for (某县执法局王某表示)
_CLAUSE_OPENERS = frozenset("，。；：、！？“”（(局部委院会处所办站队")


def _opens_clause(text: str, p: int) -> bool:
    return p == 0 or text[p - 1] in _CLAUSE_OPENERS or text[p - 1].isspace()


@register("person_recurrences", produces="mentions", priority=6)
def person_recurrences(ctx: Context):
    """Every other place a person named with a post or a byline is named again (王某指出)."""
    text = ctx.doc.text
    found = {m.text for m in ctx.mentions if m.cls == "Person" and m.extractor in ("title_chains", "bylines", "leaders", "elections")}
    seen = {(m.start, m.end) for m in ctx.mentions if m.cls == "Person"}
    if not found:
        return
    for m in re.finditer(alternation(found), text):   # one pass over the text for all names
        if (m.start(), m.end()) not in seen and follows(text, m.end()):
            yield ctx.mention(m.start(), m.end(), "Person", "person_recurrences", 0.7)
