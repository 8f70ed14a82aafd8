"""Names that coordination and ellipsis leave incomplete, and bodies named without
a suffix grammar can see.

- Level ellipsis: 省、市委统战部 names the province's and the city's departments.
- Organization series: 区人大、政府、政协 shares 区 among three bodies.
- Shared suffix: 蓝天、碧水、净土保卫战 names three campaigns.
- Party committees: 中原区委, 中共上街区委, and the context form 区委.
- National bodies from a lexicon (中国共产党, 国务院 …).
"""
from __future__ import annotations

import re
from functools import lru_cache

from kg import gazetteer
from kg.extract import Context, alternation, read_table, register, word_finder

LEVELS = "省市区县州旗"


@lru_cache(maxsize=1)
def _org_words() -> dict[str, str]:
    return {r[0]: r[1] for r in read_table("org_words.tsv")}


@register("level_ellipsis", produces="mentions", priority=2)
def level_ellipsis(ctx: Context):
    """省、市委统战部 → 省委统战部 + 市委统战部 (each a mention of its level word)."""
    org_suffixes = [r[0] for r in read_table("names.tsv") if r[1] in ("PartyOrganization", "GovernmentAgency",
                                                                       "MassOrganization")]
    pat = re.compile(rf"((?:[{LEVELS}]、)+)([{LEVELS}])(委?(?:{alternation(org_suffixes + list(_org_words()))}))")
    for m in pat.finditer(ctx.doc.text):
        if m.start() not in ctx.token_start_set:
            continue  # 社区、市委: the first level word ends another word
        tail = m.group(3)
        cls = _class_of(tail)
        for lm in re.finditer(f"[{LEVELS}]", m.group(1)):
            pos = m.start(1) + lm.start()
            yield ctx.mention(pos, pos + 1, cls, "level_ellipsis", 0.6, lm.group() + tail)
        yield ctx.mention(m.start(2), m.end(), cls, "level_ellipsis", 0.6)


def _class_of(tail: str) -> str:
    for r in sorted(read_table("names.tsv"), key=lambda r: -len(r[0])):
        if tail.endswith(r[0]):
            return r[1]
    return _org_words().get(tail.lstrip("委"), "PartyOrganization" if tail.startswith("委") else "Organization")


@register("org_series", produces="mentions", priority=2)
def org_series(ctx: Context):
    """区人大、政府、政协: the level word before the first body is shared by the rest."""
    words = alternation(_org_words())
    pat = re.compile(rf"([{LEVELS}])((?:{words}))((?:[、和及](?:{words}))+)(?![\u4e00-\u9fff]{{0,1}}[局部办室])")
    for m in pat.finditer(ctx.doc.text):
        if m.start() not in ctx.token_start_set:
            continue  # 社区人大: the level word ends another word
        level = m.group(1)
        yield ctx.mention(m.start(1), m.end(2), _org_words()[m.group(2)], "org_series", 0.6)
        pos = m.start(3)
        for part in re.finditer(rf"[、和及]({words})", m.group(3)):
            s = pos + part.start(1)
            yield ctx.mention(s, s + len(part.group(1)), _org_words()[part.group(1)], "org_series", 0.6,
                              level + part.group(1))


def _after_last_break(ctx: Context, s: int, e: int) -> int:
    """Where the first item of a list starts: after the last verb or function word
    in [s, e) (全力加快A、B: A starts after 加快)."""
    from kg.extract.names import _breaks
    i = ctx.token_index(s)
    while i < len(ctx.tokens) and ctx.tokens[i].start < e:
        t = ctx.tokens[i]
        if t.start < s or _breaks(t) or (t.start == s and len(t.text) == 1 and t.tag in ("v", "a", "d", "p", "c")
                                           and e - t.end >= 2):
            s = max(s, t.end)  # 打/好/蓝天: one-character verbs and adverbs at the front go too
        i += 1
    return s


@register("shared_suffix", produces="mentions", priority=0)
def shared_suffix(ctx: Context):
    """蓝天、碧水、净土保卫战: short items before a name share its suffix word."""
    # not the words that make a quoted name a program (“某某”教育, “某某”活动): unquoted,
    # 文化教育 and 植树、义诊活动 are kinds of work, not names
    suffixes = {r[0]: r[1] for r in read_table("names.tsv") if r[1] in ("Program", "Project", "Event")}
    words = alternation(suffixes)
    pat = re.compile(rf"(?<![\u4e00-\u9fff])((?:[\u4e00-\u9fff]{{2,4}}、)+)([\u4e00-\u9fff]{{2,4}})({words})$")
    from kg.extract.officials import is_name
    text = ctx.doc.text
    # each suffix first, then the list before it within a window: one regex over the
    # whole text would try every start of a long run of 、 again (quadratic)
    for end in re.finditer(rf"(?:{words})(?![\u4e00-\u9fff])", text):
        m = pat.search(text, max(0, end.start() - _LIST_WINDOW), end.end())
        if m is None:
            continue
        suffix = m.group(3)
        cls = suffixes[suffix]
        items = re.findall(r"[\u4e00-\u9fff]{2,4}", m.group(1)) + [m.group(2)]
        if cls == "Event" and (re.search("出席|参加|召开|举行|举办|主持|列席", m.group(2)) or any(map(is_name, items))):
            continue  # 王某、李某出席会议: people attending, not meetings
        for n, item in enumerate(re.finditer(r"[\u4e00-\u9fff]{2,4}", m.group(1))):
            s, e = m.start(1) + item.start(), m.start(1) + item.end()
            if n == 0:
                s = _after_last_break(ctx, s, e)  # 打好蓝天 → 蓝天
            if e - s >= 2:
                yield ctx.mention(s, e, cls, "shared_suffix", 0.5, ctx.doc.text[s:e] + suffix)
        yield ctx.mention(m.start(2), m.end(), cls, "shared_suffix", 0.5)


@register("listed_kind", produces="mentions", priority=0)
def listed_kind(ctx: Context):
    """A、B、C等项目: each listed item is a name of that kind, if it looks like a name
    (something specific in it: an unknown word, a place, a number); where the list is
    counted and the count is its length (打造A、B、C三个平台), each item is a name."""
    from kg.extract.names import _is_generic, _is_specific
    from kg.extract.metrics import chinese_number
    kinds = {r[0]: r[1] for r in read_table("list_kinds.tsv")}
    text = ctx.doc.text
    # the list's end is found first and the list read back from it, so a long run of
    # 、 with no kind word after it costs one pass, not one per start
    close = re.compile(rf"(?:等(?:重点|一批|多家|十余家|多个)?|([两三四五六七八九十]{{1,2}})[个项大])({alternation(kinds)})")
    for m in close.finditer(text):
        items = _list_before(text, m.start())
        if len(items) < 2:
            continue
        cls = kinds[m.group(2)]
        counted = m.group(1) is not None and chinese_number(m.group(1)) == len(items)
        for n, (s, e) in enumerate(items):
            if n == 0:  # the first item starts after the last verb before the list: 全力加快A、B
                s = _after_last_break(ctx, s, e)
            one_word = ctx.token_index(s) == ctx.token_index(e - 1)     # 防疫, 环保: a word, no name
            if e - s >= 2 and (counted and not one_word or _is_specific(ctx, s, e)) and not _is_generic(ctx, s, e):
                yield ctx.mention(s, e, cls, "listed_kind", 0.6 if counted else 0.5)


_ITEM = re.compile(r"[^、，。；：“”《》\s]{2,16}")
_LIST_WINDOW = 160   # characters before a suffix where the list sharing it is looked for
_LIST_ITEMS = 30     # items of one list, at most


def _list_before(text: str, end: int) -> list[tuple[int, int]]:
    """(start, end) of the items of the 、-list that ends at ``end``, in order; the last
    item holds no 和/与/及 (A和B两个平台 is no list of A and B)."""
    items: list[tuple[int, int]] = []
    e = end
    while len(items) < _LIST_ITEMS:
        s = e
        while s > 0 and e - s < 16 and text[s - 1] not in "、，。；：“”《》 \t\n":
            s -= 1
        if e - s < 2 or not _ITEM.fullmatch(text, s, e) or (not items and re.search("[和与及]", text[s:e])):
            break
        items.append((s, e))
        if s == 0 or text[s - 1] != "、":
            break
        e = s - 1
    return items[::-1]


@register("party_committees", produces="mentions", priority=1)
def party_committees(ctx: Context):
    """X区委 / 中共X区委 / 区委: a Party committee named by its area."""
    gaz = gazetteer.load()
    text = ctx.doc.text
    # not 委会 (民建某市委会 is a democratic party's committee, by the name grammar)
    for m in re.finditer(rf"([{LEVELS}])委(?!员|书记|常委|副书记|会)", text):
        start = m.start()
        # the area's full name ends right before 委: 中原区委, 郑州市委
        for k in range(min(gaz.max_len, start + 1), 1, -1):
            if gaz.lookup(text[m.end(1) - k:m.end(1)]):
                start = m.end(1) - k
                break
        if text[start - 2:start] == "中共":
            start -= 2
        if start == m.start() and start not in ctx.token_start_set:
            continue  # the level word is the end of another word (社区委, 街区委)
        yield ctx.mention(start, m.end(), "PartyOrganization", "party_committees", 0.7,
                          text[start:m.end()].removeprefix("中共"))


@register("national_bodies", produces="mentions", priority=2)
def national_bodies(ctx: Context):
    """National bodies by name (national_orgs.tsv); a short name (国家民委) stands for
    the full one its row gives, so a body named both ways is one node."""
    table, full = _national()
    ends = None
    for s, e, name in word_finder(frozenset(table)).finditer(ctx.doc.text):
        if len(name) <= 3:      # 民建 in 人民建设 is no party: a short name must be a word,
            ends = ends if ends is not None else {t.end for t in ctx.tokens}
            if s not in ctx.token_start_set or e not in ends or _names_more(ctx.doc.text, e):
                continue
        yield ctx.mention(s, e, table[name], "national_bodies", 0.9, full.get(name, ""))


def _names_more(text: str, e: int) -> bool:
    """The short name goes on into a longer one (民建沈阳市委会, 民进省委): an area or a
    level word follows it."""
    return text[e:e + 1] in ("省", "市", "区", "县", "州", "中") or bool(gazetteer.load().leading_places(text[e:e + 12]))


@lru_cache(maxsize=1)
def _national() -> tuple[dict[str, str], dict[str, str]]:
    """National bodies' names -> class, and short names -> the full name they stand for."""
    rows = read_table("national_orgs.tsv")
    return {r[0]: r[1] for r in rows}, {r[0]: r[2] for r in rows if len(r) > 2 and r[2]}


def national_full_name(name: str) -> str:
    """The full name of a national body a short name stands for (民进 → 中国民主促进会)."""
    return _national()[1].get(name, name)
