"""Officials: people named with their posts, in bylines and in lists, and the posts
they hold.

A title chain is a run of items, each an optional body and a post (``posts.tsv``),
joined by 、 (or by ， where the text before it ends with a post), and closed by a
name: 中共某市委常委、组织部部长、市政协党组副书记王某. Each item's body is read back
from its post to the nearest boundary and completed from the items before it: a
committee's department written bare (统战部部长 after 市委常委) belongs to that
committee, a cell (党组) to the body before it, another bare body (“两新”工委) to
the area named before; a bare post serves the body before it (党组副书记、副主任: the
党组's parent), and a head of government (区长) the level's government. Which word
makes a body, and of which class, is ``bodies.tsv``.

A name is a surname and one or two characters that the dictionary does not know as
another word, followed by what may follow a name (``name_follow`` in cues.tsv, a
post, or punctuation). The chains are kept in ``ctx.notes`` for ``memberships``,
which turns each (person, body, post) into a ``memberOf`` candidate with its post.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg import gazetteer
from kg.extract import Context, alternation, read_table, register, word_set
from kg.extract import names as _names  # noqa: F401  (name grammars run before the chains)
from kg.extract import quoted as _quoted  # noqa: F401
from kg.extract.quoted import cues
from kg.model import FAMILY, RelationCandidate
from kg.segment import word_tag

CJK = re.compile(r"[\u4e00-\u9fff]")
# what ends a chain item's body when reading back from its post
HARD = set("，,。；;：:！？!?、（）()《》〈〉[]【】\n\r\t 　")
# words after which a body begins (由市委书记…, 邀请县长…); read back, the last one wins
SOFT = ("由", "在", "对", "向", "为", "经", "据", "从", "将", "把", "被", "的", "是", "了", "等", "并", "也", "都",
        "还", "又", "和", "与", "及", "暨", "同", "即", "邀请", "陪同", "出席", "参加", "主持", "带领", "率领",
        "召开", "举办", "举行", "会见", "看望", "慰问", "深入", "前往", "来到", "赴", "应邀", "获悉", "听取",
        "包括", "其中", "特邀", "以及")
# characters that do not stand in a given name (they make the "name" a post or a word)
NOT_GIVEN = set("的了在是等们这那个及与对说也都还又把被从到以诉市区县省镇乡村委部局会记席员届次年日号名")
GOV_LEVELS = "省市区县州旗镇乡"
# forms of address that follow a surname (张经理, 李博士): no given name
TITLES = {"先生", "女士", "博士", "经理", "律师", "老师", "教授", "医生", "记者", "同志", "总监", "老板", "师傅", "大夫"}
NATIONAL = ("中国", "中华", "全国", "国家", "国务院", "中央")


@lru_cache(maxsize=1)
def posts() -> dict[str, tuple[str, str]]:
    """Written post -> (the post, what it implies: "dept:X", "gov" or "")."""
    return {r[0]: (r[1], r[2] if len(r) > 2 else "") for r in read_table("posts.tsv")}


@lru_cache(maxsize=1)
def _post_re() -> re.Pattern:
    return re.compile(alternation(posts()))


@lru_cache(maxsize=1)
def _bodies() -> tuple[dict[str, tuple[str, str]], int]:
    table = {r[0]: (r[1], r[2] if len(r) > 2 else "") for r in read_table("bodies.tsv")}
    return table, max(map(len, table))


def body_class(name: str) -> tuple[str, str] | None:
    """(class, kind) of a body by the longest body word it ends with: kind is
    "dept" for a committee's department, "cell" for a Party cell, "" otherwise."""
    table, longest = _bodies()
    for k in range(min(longest, len(name)), 0, -1):
        hit = table.get(name[-k:])
        if hit:
            cls, kind = hit
            if name[-k:] == "委" and len(name) > 1 and name[-2] not in GOV_LEVELS + "党团工":
                return None  # 常委, 编委 written alone: the post's word, not a body
            if kind == "" and name[-k:] in ("党组", "党委", "党总支", "党支部"):
                kind = "cell"
            return cls, kind
    return None


@lru_cache(maxsize=1)
def _party_prefixes() -> tuple[str, ...]:
    rows = read_table("class_prefixes.tsv")
    return tuple(sorted((r[0] for r in rows if r[2] == "DemocraticParty"), key=len, reverse=True))


@lru_cache(maxsize=1)
def _context_prefixes() -> tuple[str, ...]:
    rows = read_table("context.tsv")
    return tuple(sorted((r[0] for r in rows if not r[0].startswith(("我", "全", "本", "该"))), key=len, reverse=True))


def _party_class(name: str, cls: str) -> str:
    return "DemocraticParty" if name.startswith(_party_prefixes()) else cls


def anchored(name: str) -> bool:
    """A body name that stands on its own: it begins with a place (full or short
    name: 江油知联会), a level word the document's context completes (区委, 县政协),
    a democratic party, or a national word."""
    if name.startswith(_context_prefixes() + _party_prefixes() + NATIONAL):
        return True
    gaz = gazetteer.load()
    # a county-level place may go by its short name (江油 for 江油市)
    return any(gaz.lookup(name[:k]) for k in range(2, min(len(name), 9))) or any(
        a.level == "county" for sfx in "市县区" for a in gaz.lookup(name[:2] + sfx))


@lru_cache(maxsize=1)
def _surnames() -> tuple[frozenset[str], frozenset[str]]:
    words = word_set("surnames.tsv")
    return frozenset(w for w in words if len(w) == 1), frozenset(w for w in words if len(w) == 2)


def is_name(s: str) -> bool:
    """A surname and one or two given-name characters, not a word the dictionary
    knows as something else (项目, 方面)."""
    single, double = _surnames()
    if s[:2] in double:
        given = s[2:]
    elif s[:1] in single:
        given = s[1:]
    else:
        return False
    if not 1 <= len(given) <= 2 or not all(CJK.match(c) for c in s) or any(c in NOT_GIVEN for c in given):
        return False
    if given in posts() or given in TITLES or given in _not_given_words():
        return False   # 张经理, 和监事, 曾表示: a surname with a title, a post or what follows a name
    tag = word_tag(s)
    return tag is None or tag.startswith("nr")


@lru_cache(maxsize=1)
def _not_given_words() -> frozenset[str]:
    c = cues()
    return frozenset(w for k in ("name_follow", "speech_cue", "attend_verb") for w in c[k] if len(w) == 2)


@lru_cache(maxsize=1)
def _follow_re() -> re.Pattern:
    return re.compile(alternation(set(cues()["name_follow"]) | set(posts())))


def follows(text: str, pos: int) -> bool:
    """Whether what stands at ``pos`` may follow a person's name."""
    return pos >= len(text) or not CJK.match(text[pos]) or bool(_follow_re().match(text, pos))


_JOINED = re.compile(r"[\u4e00-\u9fff]{2,6}(?:·[\u4e00-\u9fff]{2,6}){0,1}·")


def name_at(text: str, pos: int) -> int | None:
    """End of a person's name that starts at ``pos``, or None. A name whose last
    character begins the word after it (王某陪同: not 王某陪) is the shorter one; a
    transliterated name is written with a middle dot (艾尔肯·吐尔逊)."""
    joined = _JOINED.match(text, pos)
    if joined:   # the last part of a dotted name: the shortest that something may follow
        for k in range(2, 7):
            end = joined.end() + k
            if all(CJK.match(c) for c in text[joined.end():end]) and end <= len(text) and follows(text, end):
                return end
    for k in (4, 3, 2):
        cand = text[pos:pos + k]
        if len(cand) == k and is_name(cand) and follows(text, pos + k):
            if k == 3 and is_name(cand[:2]) and _long_follow(text, pos + 2):
                return pos + 2
            return pos + k
    return None


def _long_follow(text: str, pos: int) -> bool:
    """What follows a name at ``pos`` is a word of two or more characters (陪同, 参与)."""
    m = _follow_re().match(text, pos)
    return bool(m) and len(m.group()) >= 2


def names_after(text: str, pos: int) -> list[tuple[int, int]]:
    """A name at ``pos`` and the names listed after it with 、 (王某、李某、张某)."""
    out = []
    while True:
        end = name_at(text, pos)
        if end is None:
            return out
        out.append((pos, end))
        if text[end:end + 1] != "、":
            return out
        pos = end + 1


def split_names(run: str) -> list[tuple[int, int]] | None:
    """A run of names written without spaces (林某郑某) as (start, end) offsets into
    the run, fewest names first; None when the run is not all names."""
    best: dict[int, list[tuple[int, int]]] = {0: []}
    for i in range(len(run)):
        if i not in best:
            continue
        for k in (2, 3, 4):
            if i + k <= len(run) and is_name(run[i:i + k]):
                cand = best[i] + [(i, i + k)]
                if i + k not in best or len(cand) < len(best[i + k]):
                    best[i + k] = cand
    return best.get(len(run))


# ------------------------------------------------------------------ title chains

@dataclass(frozen=True)
class Item:
    """One link of a title chain: a body (maybe empty) and a post."""
    start: int
    post_start: int
    end: int


@dataclass(frozen=True)
class Held:
    """A post held in a body: the body's mention span, its completed name and class."""
    span: tuple[int, int]
    name: str
    cls: str
    post: str
    post_text: str
    new: bool = True      # the span is a mention of its own (not the body before, reused)


def _post_ending(text: str, end: int) -> int | None:
    """Start of the longest post that ends at ``end``."""
    for k in range(min(6, end), 1, -1):
        if text[end - k:end] in posts():
            return end - k
    return None


def _body_start(text: str, post_start: int) -> int:
    i = post_start
    while i > 0 and text[i - 1] not in HARD and post_start - i < 30:
        i -= 1
    body = text[i:post_start]
    cut = 0
    for w in SOFT:
        k = body.rfind(w)
        if k >= 0 and k + len(w) > cut and not _protected(body, k) and not _inner_and(body, k, w):
            cut = k + len(w)
    return i + cut


@lru_cache(maxsize=1)
def _protected_terms() -> tuple[str, ...]:
    from kg.segment import user_words
    return tuple(w for w in user_words() if any(s in w for s in SOFT if len(s) == 1))


def _inner_and(body: str, k: int, w: str) -> bool:
    """和/与 inside one body's name (国际交流与合作处, 住房和城乡建设局): the words
    before it are no body of their own (unlike 区法院和区检察院), nor a person with a
    post or a title (部长王某教授和…)."""
    left = body[:k]
    return w in ("和", "与") and k >= 2 and body_class(left) is None and len(body) - k - 1 <= 6 \
        and _post_ending(left, len(left)) is None and not left.endswith(tuple(TITLES)) and not _named(left)


def _named(text: str) -> bool:
    """Whether a post followed by a name stands in ``text`` (…部长王某…)."""
    return any(name_at(text, m.end()) is not None for m in _post_re().finditer(text))


def _protected(body: str, k: int) -> bool:
    """Whether position k of a body is inside a fixed term (新的社会阶层人士)."""
    for term in _protected_terms():
        j = body.find(term)
        while j >= 0:
            if j <= k < j + len(term):
                return True
            j = body.find(term, j + 1)
    return False


def parse_chain(text: str, post_start: int, post_end: int) -> list[Item]:
    """The items of the chain whose last post spans [post_start, post_end)."""
    items = []
    s, e = post_start, post_end
    while True:
        b = _body_start(text, s)
        items.append(Item(b, s, e))
        if b == 0 or text[b - 1] not in "、，,":
            break
        prev = _post_ending(text, b - 1)
        if prev is None or text[b - 1] != "、" and name_at(text, max(0, prev - 3)) is not None:
            break
        s, e = prev, b - 1
    return items[::-1]


_COMMITTEE = re.compile(rf"^((?!{'|'.join(('民革', '民盟', '民建', '民进', '农工', '致公', '九三', '台盟'))})"
                        rf".*?(?:[{GOV_LEVELS}盟]|自治区|自治州)委)(?![员会])")


_PARTY_UNITS = ("支部", "总支", "总支部", "基层委员会", "委会")


def _party_prefix_of(name: str) -> str:
    return next((p for p in _party_prefixes() if name.startswith(p)), "")


def _parties_in(text: str) -> frozenset[str]:
    """The democratic parties a text names (by their short names)."""
    return frozenset(p for p in _party_prefixes() if p in text)


def _area_of(name: str, committee: str | None) -> str | None:
    """The area a body belongs to: its committee's area (绵阳市委 → 绵阳市), its
    leading places, or its level word (区政协 → 区)."""
    if committee:
        return committee[:-1]
    lead = gazetteer.load().leading_places(name)
    if lead:
        return "".join(lead)
    if name.startswith("街道"):
        return "街道"   # 街道党工委书记、办事处主任: the subdistrict's office
    return name[0] if name[0] in GOV_LEVELS else None


def complete(text: str, items: list[Item], known: set[tuple[int, int]], before: Held | None = None,
             parties: frozenset[str] = frozenset()) -> list[Held]:
    """The body and post of each item, bare bodies and posts completed from the
    items before them (see the module's docstring), the first from ``before``."""
    out: list[Held] = []
    committee = area = None
    if before is not None:   # its committee completes a bare department; its area completes nothing
        c = _COMMITTEE.match(before.name)
        committee = c.group(1) if c else None
    for it in items:
        written = text[it.post_start:it.end]
        post, implies = posts()[written]
        body = text[it.start:it.post_start] + (implies[5:] if implies.startswith("dept:") else "")
        span = (it.start, it.end) if implies.startswith("dept:") else (it.start, it.post_start)
        held = _bare(it, written, post, implies, out[-1] if out else before, area) if not body.removeprefix("中共") \
            else _body(text[it.start:it.end], body.removeprefix("中共"), span, post, known, committee, area,
                       out[-1] if out else before, parties)
        if held is None:
            continue
        out.append(held)
        c = _COMMITTEE.match(held.name)
        committee = c.group(1) if c else committee
        area = _area_of(held.name, c.group(1) if c else None) or area
    return out


def _bare(it: Item, written: str, post: str, implies: str, prev: Held | None, area: str | None) -> Held | None:
    """A post written without a body: a head of government serves the level's
    government; another post the body before it, or the parent of a cell before it."""
    span = (it.post_start, it.end)
    if implies == "gov":
        level = post.lstrip("常务副")[0]
        gov = f"{area}人民政府" if area and len(area) > 1 else f"{level}政府"
        return Held(span, gov, "GovernmentAgency", post, written)
    if prev is None:
        return None
    parent = prev.name[:-2] if prev.name.endswith(("党组", "党委")) else ""
    if parent and body_class(parent):
        return Held(span, parent, _party_class(parent, body_class(parent)[0]), post, written)
    return Held(prev.span, prev.name, prev.cls, post, written, False)


def _body(item_text: str, name: str, span: tuple[int, int], post: str, known, committee: str | None,
          area: str | None, prev: Held | None, parties: frozenset[str] = frozenset()) -> Held | None:
    """A post written with its body; a body that does not stand on its own belongs
    to the committee, cell or area named before it, and is dropped otherwise."""
    kind = ("DemocraticParty", "") if name in _party_prefixes() else body_class(name)
    if kind is None:
        # a post qualified by its line of work (统战部统战信息员): the body before it
        cut = next((k for k in range(len(name) - 1, max(1, len(name) - 4), -1) if body_class(name[:k])), None)
        if cut is None:
            return None
        lead = span[1] - span[0] - len(name)   # 中共 before the body, dropped from its name
        name, span = name[:cut], (span[0], span[0] + lead + cut)
        kind = body_class(name)
    cls, k = kind
    if cls == "DemocraticParty" and not name.startswith(_party_prefixes()) and len(parties) == 1:
        name = next(iter(parties)) + name   # 市委会 in a report that names one party (民进)
    party = _party_prefix_of(prev.name) if prev is not None else ""
    if party and not name.startswith(_party_prefixes()) and name.endswith(_PARTY_UNITS):
        name = party + name   # 农工党某市委会副主委、某区支部主委: the party's branch
    if not anchored(name) and span not in known and not _starts_known(known, span):
        if k == "dept" and committee:
            name = committee + name
        elif k == "cell" and prev is not None and name in ("党组", "党委", "党总支", "党支部"):
            name = prev.name if prev.name.endswith(name) else prev.name + name   # 局党组书记…，党组成员
        elif area:
            name = area + name
        else:
            return None
    return Held(span, name, _party_class(name, cls), post, item_text)


def _starts_known(known: set[tuple[int, int]], span: tuple[int, int]) -> bool:
    """A known body begins the span (某市管理委员会 in 某市管理委员会机关党委)."""
    return any((span[0], b) in known for b in range(span[0] + 2, span[1]))


def _known_bodies(ctx: Context) -> set[tuple[int, int]]:
    return {(m.start, m.end) for m in ctx.mentions if FAMILY.get(m.cls) == "Organization"}


@register("title_chains", produces="mentions", priority=7)
def title_chains(ctx: Context):
    """People closing a title chain (区委常委、统战部部长王某), and the bodies the chain names."""
    text = ctx.doc.text
    known = _known_bodies(ctx)
    parties = _parties_in(text)
    holders = []
    last: tuple[int, Held] | None = None    # (sentence, the body the chain before served)
    for m in _post_re().finditer(text):
        people = names_after(text, m.end())
        if not people:
            continue
        items = parse_chain(text, m.start(), m.end())
        si = ctx.sentence_at(m.start()).index
        # 主任丁某主持，副主任马某、党组成员周某出席: a chain that names no body of its own
        # serves the body the chain before it in the sentence named
        held = complete(text, items, known, last[1] if last and last[0] == si else None, parties)
        chain_start = items[0].start
        if held:
            last = (si, held[0])
        for h in held:
            if h.new:
                yield ctx.mention(*h.span, h.cls, "title_chains", 0.75, h.name)
        for s, e in people:
            yield ctx.mention(s, e, "Person", "title_chains", 0.8)
            holders.append(((s, e), chain_start, tuple(held)))
    # 区委组织部王某科长: a body, a name, then the post
    for m in _post_re().finditer(text):
        s = m.start()
        for k in (3, 2):
            if s - k < 1 or not is_name(text[s - k:s]) or not follows(text, m.end()):
                continue
            b = _body_start(text, s - k)
            body = text[b:s - k].removeprefix("中共")
            if body and body_class(body) and (anchored(body) or (b, s - k) in known):
                cls = _party_class(body, body_class(body)[0])
                yield ctx.mention(b, s - k, cls, "title_chains", 0.75, body)
                yield ctx.mention(s - k, s, "Person", "title_chains", 0.75)
                holders.append(((s - k, s), b, (Held((b, s - k), body, cls, m.group(), body + m.group()),)))
            break
    ctx.notes["title_chains"] = holders


@register("memberships", produces="relations", requires=("sentences", "mentions"))
def memberships(ctx: Context):
    """memberOf with its post, for every body of a person's title chain, and for a
    reporter of the outlet whose byline names them."""
    at = {(m.start, m.end): m for m in ctx.mentions}

    def body(span):
        """The settled body at ``span``, or the one that took it into a longer name."""
        m = at.get(span)
        if m is not None and FAMILY.get(m.cls) == "Organization":
            return m
        near = ctx.mentions_between(max(0, span[0] - 60), span[0] + 1)
        return next((o for o in reversed(near) if FAMILY.get(o.cls) == "Organization"
                     and o.start <= span[0] and span[1] <= o.end), None)

    for (ps, pe), _, held in ctx.notes.get("title_chains", ()):
        person = at.get((ps, pe))
        if person is None or person.cls != "Person":
            continue
        si = ctx.sentence_at(ps).index
        for h in held:
            org = body(h.span)
            if org is not None:
                yield RelationCandidate(person, "memberOf", org, si, f"title:{h.post_text}", 0.7, h.post, h.post_text)
    for (ps, pe), span in ctx.notes.get("bylines", ()):
        person, org = at.get((ps, pe)), body(span)
        if person is not None and person.cls == "Person" and org is not None:
            yield RelationCandidate(person, "memberOf", org, ctx.sentence_at(ps).index, "byline:记者", 0.6, "记者", "记者")


# people named without a title chain (leaders, bylines, speakers) and their
# recurrences, registered after the chains they read
from kg.extract import people as _people  # noqa: E402,F401
