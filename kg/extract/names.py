"""Name grammars: organizations, sites, bases, events and projects by suffix, and
administrative areas from the gazetteer.

A name is found from its suffix (``names.tsv``) and extended to the left over
tokens that can be part of a name, stopping at punctuation, function words and cue
verbs (``stopwords.tsv``). A candidate is kept only when something in it is
specific (a place, a proper noun, an unknown word, a number, a quote): 机关党支部
alone names no particular thing. A candidate that begins with a context prefix
(区委, 市, 街道 …) is kept for the resolver to complete from the document.
"""
from __future__ import annotations

import re
from functools import lru_cache

from kg import gazetteer
from kg.extract import Context, Words, any_word, read_table, register, word_set
from kg.model import FAMILY
from kg.naming import own_words

# Multi-character tokens with these tags end a name when met while extending left:
# verbs, prepositions, conjunctions, adverbs, particles, pronouns, time words.
BREAK_TAGS = {"v", "vd", "vi", "vg", "p", "c", "d", "ad", "u", "uj", "ul", "uz", "ug", "uv", "ud", "r", "rr", "rz",
              "t", "y", "e", "o", "f"}
JOINERS = {"·", "+", "&"}   # inside a name when both sides are name material
BRACKETS = {"”": "“", ")": "(", "）": "（", "’": "‘"}  # a bracketed part inside a name is skipped whole
# A one-character suffix of a place (路, 村, 区 …) belongs with the word before it,
# whatever that word's tag: 互助路小学, 断头路打通工程.
GLUE = set("路街村镇乡区县市省道巷里湾园苑")
AREA_WORDS = {"街道", "社区", "镇", "乡", "村", "区", "县"}
# jieba's dictionary tags many ordinary words nr (拓宽, 智慧), so person tags do not
# make a body specific; unknown words, places and proper nouns do.
SPECIFIC_TAGS = {"ns", "nsf", "nz", "x", "eng", "nt"}  # not j: 环保, 工信 are abbreviations of kinds


@lru_cache(maxsize=1)
def _grammar():
    rows = list(read_table("names.tsv"))
    listed = {r[0] for r in rows}
    # both forms of the standard bodies, as suffixes after an area or a level word
    for short, full, *cls in read_table("body_forms.tsv"):
        for form in (short, full.rsplit("}", 1)[-1] if "{}" in full else full):
            if cls and form not in listed and len(form) >= 2:
                rows.append((form, cls[0], "30", "level"))
                listed.add(form)
    rows.sort(key=lambda r: -len(r[0]))
    table = {r[0]: (r[1], int(r[2]), r[3] if len(r) > 3 else "") for r in rows}
    return table, Words(table)


@lru_cache(maxsize=1)
def _event_finder() -> Words:
    return Words(r[0] for r in read_table("names.tsv") if r[1] == "Event")


def _suffixes(text: str) -> list[tuple[int, int, str]]:
    """(start, end, suffix) of every name suffix; a meeting's word that overlaps
    another suffix (统战部长会: 统战部 and 部长会) is found as well."""
    found = _grammar()[1].finditer(text)
    seen = {(s, e) for s, e, _ in found}
    return found + [m for m in _event_finder().finditer(text) if m[:2] not in seen]


@lru_cache(maxsize=1)
def _context_prefixes() -> tuple[str, ...]:
    return tuple(sorted((r[0] for r in read_table("context.tsv")), key=len, reverse=True))


_COUNTED = set("个次届批名家余多位项件条户人")


def _breaks(t) -> bool:
    """Whether token ``t`` cannot be part of a name (seen while extending left):
    punctuation, stopwords, verbs and function words of two or more characters, and
    counts (余个, 三次, 十一届; a number alone may be part of a name: 191号院)."""
    if t.tag == "w" or t.text in word_set("stopwords.tsv"):
        return True
    if t.tag in ("m", "mq") and not t.text.isdigit() and (
            t.text[-1] in _COUNTED or len(t.text) == 1 and t.text not in "号第一二三四五六七八九十"):
        return True
    if t.tag in ("nt", "n") and len(t.text) >= 4 and re.search("[和与及]", t.text[1:-1]):
        return True  # 党和政府, 党和国家: a coordination, not a name
    # a place's name is name material whatever jieba tags it (遵义 v, 大同 d)
    return len(t.text) >= 2 and t.tag in BREAK_TAGS and not gazetteer.load().is_area_name(t.text)


_ORDINAL = re.compile(r"第?[一二三四五六七八九十百\d]+[届次]|第[一二三四五六七八九十百\d]+期|[届次]")


def _event_part(ctx: Context, j: int) -> int | None:
    """Index of the first token of the part of a meeting's name that token j ends:
    a session (第十二次, 二届一次), a year (2023年), a 暨 joining two meetings, 各界."""
    toks = ctx.tokens
    t = toks[j]
    if t.text == "暨":
        text = ctx.doc.text
        for w in _event_words():
            k = t.start - len(w)
            if k >= 0 and text.startswith(w, k) and k in ctx.token_start_set:
                return ctx.token_index(k)   # 成立大会暨…: the first meeting's word is part of the name
        return j
    if _ORDINAL.fullmatch(t.text) or t.text == "各界" or t.text in ("庆祝", "纪念") or t.text in _event_verbs():
        return j
    if t.text == "周年" and j > 0 and toks[j - 1].text.isdigit():
        return j - 1   # 成立70周年: an anniversary names the meeting
    if t.text == "成立" and j + 2 < len(toks) and toks[j + 1].text.isdigit() and toks[j + 2].text == "周年":
        return j
    if t.text == "年" and j > 0 and re.fullmatch(r"(?:19|20)\d\d", toks[j - 1].text):
        return j - 1
    if t.text in _barriers() and j + 1 < len(toks) and toks[j + 1].text == "暨":
        return j   # 成立大会暨第一次会议: the first meeting's word is part of the name
    return None


@lru_cache(maxsize=1)
def _event_verbs() -> frozenset[str]:
    from kg.extract.quoted import cues
    return frozenset(cues()["event_verb"])


@lru_cache(maxsize=1)
def _program_words() -> frozenset[str]:
    """Words of programs a meeting's name may hold (主题教育座谈会)."""
    return frozenset(r[0] for r in read_table("names.tsv") if r[1] == "Program")


def _county_short(ctx: Context, j: int) -> bool:
    """A county's short name that jieba reads as a word (恩施/建始/商会: 建始县),
    written right after another place."""
    t = ctx.tokens[j]
    gaz = gazetteer.load()
    return len(t.text) == 2 and j > 0 and bool(gaz.lookup(ctx.tokens[j - 1].text)) and any(
        a.level == "county" for sfx in "县区市旗" for a in gaz.lookup(t.text + sfx))


@lru_cache(maxsize=1)
def _event_words() -> tuple[str, ...]:
    return tuple(sorted((r[0] for r in read_table("names.tsv") if r[1] == "Event"), key=len, reverse=True))


def find_name(ctx: Context, s: int, e: int, maxlen: int, organization: bool = True, site: bool = False,
              level: bool = False, event: bool = False) -> int | None:
    """Start of the name whose suffix spans [s, e); None when the suffix is part of
    an ordinary word (格局, 思路, 路线) or runs into the next word.

    jieba cuts unknown names into single characters of any tag, so extension goes
    on over name material until a hard boundary: punctuation, a function word, a
    verb of two or more characters, or a suffix of the same kind (老旧小区 in
    汝河小区老旧小区 ends at the first 小区)."""
    toks = ctx.tokens
    ti = ctx.token_index(s)
    last = ctx.token_index(e - 1)
    if toks[last].end != e and not (event and toks[last].end == e + 1 and ctx.doc.text[e] in "上中"):
        return None   # a meeting's word may end inside 会上 (在…部长会上获悉)
    whole = toks[ti]
    suffix = ctx.doc.text[s:e]
    if whole.end == e and _breaks(whole) and whole.tag != "w" and whole.text not in word_set("stopwords.tsv") \
            and re.search("[和与及]", whole.text):
        return None
    # Weak candidates: the suffix ends an ordinary dictionary word (格局, 城镇, 科技局),
    # or a one-character suffix follows a lone character (开新局). They are names
    # only when a level word or a place comes before them (区科技局, 区工信局).
    # a place word jieba knows (淮河路, 建设路) is a name; a two-character one (城镇) is not
    word = whole.start < s and whole.end == e and whole.tag not in ("x", "nz", "nr", "nrt", "nrfg", "nt") \
        and not (whole.tag == "ns" and len(whole.text) >= 3) and not gazetteer.load().lookup(whole.text)
    place_suffix = suffix in PLACE_SUFFIXES
    if word and place_suffix and ti > 0 and _lone_char(toks[ti - 1]) and toks[ti - 1].tag not in ("a", "v", "ad", "an"):
        word = False   # 洑/东村, 蜀/山村: a village's first character before a word ending in 村
    if word and ti > 0 and not level and not has_context_prefix(ctx, whole.start) and not (
            has_context_prefix(ctx, toks[ti - 1].start) or gazetteer.load().lookup(toks[ti - 1].text)
            or toks[ti - 1].tag == "nt"
            or toks[ti - 1].text in ("和", "与") and _inner_and(ctx, ti - 1)          # 文化和旅游局
            or ti >= 2 and toks[ti - 2].text in ("和", "与") and _inner_and(ctx, ti - 2)):  # 人力资源和社会保障局
        return None  # 社会大局: the word must follow its area (区/科技局) or its body (公安局/交警支队)
    weak = word or (len(suffix) == 1 and whole.start == s and not _word_before(ctx, ti, place_suffix))
    units = word_set("units.tsv")
    start = whole.start
    j = ti - 1
    while j >= 0:
        t = toks[j]
        if e - t.start > maxlen:
            break
        if t.text in BRACKETS:
            k = j - 1
            while k >= 0 and toks[k].text != BRACKETS[t.text] and toks[k].text not in "。，；：\n" \
                    and j - k <= 12:
                k -= 1
            if k < 0 or toks[k].text != BRACKETS[t.text] or e - toks[k].start > maxlen:
                break
            start, j = toks[k].start, k - 1
            continue
        if t.text in JOINERS and j > 0 and not _breaks(toks[j - 1]) and start < e:
            start, j = toks[j - 1].start, j - 2
            continue
        if t.text in GLUE:
            if j > 0 and toks[j - 1].tag != "w" and toks[j - 1].text not in units \
                    and toks[j - 1].text not in word_set("stopwords.tsv"):
                start, j = toks[j - 1].start, j - 2
                continue
            if not organization:
                break  # 我区玉林街道: a stray 区 is not part of the place's name
        if t.text in ("和", "与") and organization and j > 0 and _inner_and(ctx, j):
            start, j = toks[j - 1].start, j - 2   # 住房和城乡建设局, 工业和信息化局
            continue
        first = _event_part(ctx, j) if event else None
        if first is not None:
            start, j = toks[first].start, first - 1
            continue
        if t.text in units and suffix in _CAPACITY_SUFFIXES:
            cap = _CAPACITY.search(ctx.doc.text, max(0, t.start - 16), t.start)
            if cap and cap.end() == t.start:
                # 年产5万吨特种陶瓷项目: a capacity is part of a project's name
                start, j = cap.start(), ctx.token_index(cap.start()) - 1
                continue
        if _breaks(t) or t.text in units or t.text.endswith(suffix) or t.text in _barriers() and not (
                event and t.text in _program_words()):
            if not _county_short(ctx, j):
                break
        if len(t.text) == 1 and t.tag == "v" and j > 0 and _breaks(toks[j - 1]):
            break  # 抓/项目 after a verb: a one-character verb at the edge of a clause
        if t.text in _BETWEEN_PERSON_AND_BODY and (ctx.doc.text.startswith("中共", start)
                                                  or gazetteer.load().leading_places(ctx.doc.text[start:e])):
            break  # 李某代表中共某区委统战部: the name starts at the Party's or the area's name
        if start < s and has_context_prefix(ctx, start) and not gazetteer.load().leading_places(
                ctx.doc.text[t.start:e]):
            break  # 上街区委区政府: a completed context form (区政府) starts the name
        if site and t.text in AREA_WORDS and start < whole.start:
            break  # 平安里街道星河互联网大厦: the site's name starts after its area
        if not organization and not gazetteer.load().lookup(t.text):
            lead = "".join(gazetteer.load().leading_places(ctx.doc.text[start:e]))
            if lead and start + len(lead) in ctx.token_start_set:
                break  # 卫生死角中原区汝河路: a place chain is the left edge of a place's name
        start = t.start
        j -= 1
    if weak and not (has_context_prefix(ctx, start) or gazetteer.load().leading_places(ctx.doc.text[start:e])):
        return None
    return start


@lru_cache(maxsize=1)
def _barriers() -> frozenset[str]:
    """Suffix words of programs, events and projects: a name does not run across them
    (郑州市民中心项目健康路 is a project and a road)."""
    return frozenset(r[0] for r in read_table("names.tsv") if r[1] in ("Program", "Event", "Project"))


def _inner_and(ctx: Context, j: int) -> bool:
    """Whether 和 (与) at token j joins two words of one official name (住房和城乡建设局)
    rather than two names (区法院和区检察院, 民主党派和工商联): only where the full name
    of a standard body has it there (body_forms.tsv, names.tsv)."""
    text, t = ctx.doc.text, ctx.tokens[j]
    return any(text.endswith(before, 0, t.start) and text.startswith(after, t.end)
               for before, after in _and_names().get(t.text, ()))


@lru_cache(maxsize=1)
def _and_names() -> dict[str, tuple[tuple[str, str], ...]]:
    """和/与 -> (what comes before it, what after) in the names of standard bodies."""
    names = [r[1].replace("{}", "") for r in read_table("body_forms.tsv")] + [r[0] for r in read_table("names.tsv")]
    out: dict[str, set[tuple[str, str]]] = {}
    for n in names:
        for k, ch in enumerate(n):
            if ch in "和与" and 0 < k < len(n) - 1:
                out.setdefault(ch, set()).add((n[:k], n[k + 1:]))
    return {k: tuple(sorted(v)) for k, v in out.items()}


PLACE_SUFFIXES = {"村", "社区", "镇", "乡"}
_CAPACITY = re.compile(r"(?:年产|日产|年处理|年加工|年吞吐|年出栏|年存栏)(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)[万亿]?$")
_CAPACITY_SUFFIXES = {"项目", "工程"}


def _lone_char(t) -> bool:
    """A single character that may begin a name (not punctuation, a number or a function word)."""
    return len(t.text) == 1 and t.tag not in ("w", "d", "p", "c", "u", "uj", "r", "m", "q") \
        and t.text not in word_set("stopwords.tsv")


def _word_before(ctx: Context, ti: int, place: bool = False) -> bool:
    """A one-character suffix (路, 村, 局) needs a word before it: a token of two or
    more characters, a number, or a run of single characters jieba split off an
    unknown name, one of them nominal (宏/河/路, 昌/达/路; not 开/新/局)."""
    toks = ctx.tokens
    if ti == 0:
        return False
    prev = toks[ti - 1]
    if len(prev.text) >= 2 or prev.text.isdigit() or prev.text in GLUE:
        return True
    run = []
    j = ti - 1
    stop = word_set("stopwords.tsv")
    while j >= 0 and len(toks[j].text) == 1 and toks[j].tag not in ("w", "d", "p", "c", "u", "uj", "r", "m", "q") \
            and toks[j].text not in stop:
        run.append(toks[j])
        j -= 1
    # a village's name of single characters (西/望/村) needs no nominal one
    return len(run) >= 2 and (place or any(t.tag in ("n", "nr", "ns", "nz", "ng", "x", "nrfg") for t in run))


def has_context_prefix(ctx: Context, start: int) -> bool:
    """The name at ``start`` begins with a context prefix standing as a word of its
    own (区 工信局, 区委, 区政府), not as part of another word (市场, 区域)."""
    t = ctx.tokens[ctx.token_index(start)]
    if t.start != start:
        return False
    prefixes, org_words = _context_prefix_set(), word_set("org_words.tsv")
    if t.text in prefixes:
        return True   # the token is a prefix, or starts with one and is one
    # the token starts with a prefix and goes on with an organization word
    return any(t.text[:k] in prefixes and t.text[k:] in org_words for k in range(1, len(t.text)))


@lru_cache(maxsize=1)
def _context_prefix_set() -> frozenset[str]:
    return frozenset(_context_prefixes())


@lru_cache(maxsize=1)
def _generic_words() -> tuple[frozenset[str], int]:
    words = word_set("generic.tsv") | word_set("units.tsv")
    return words, max(map(len, words))


def _is_generic(ctx: Context, start: int, s: int) -> bool:
    """A body that is only generic modifiers, numbers and measure words (老旧,
    机关, 中小), or that holds a scope word (两级, 各级, 多个)."""
    body = ctx.doc.text[start:s]
    if any_word("scope.tsv").search(body):
        return True
    generic, longest = _generic_words()
    i = 0
    while i < len(body):
        if body[i].isdigit():
            return False
        for k in range(min(longest, len(body) - i), 0, -1):
            if body[i:i + k] in generic:
                i += k
                break
        else:
            return False
    return True


def _is_specific(ctx: Context, start: int, s: int, places: bool = True) -> bool:
    """Something in the body names a particular thing: a place (unless ``places`` is
    false), a proper noun, a word no dictionary knows (often cut into single
    characters), a number, a quote."""
    if not places:
        lead = "".join(gazetteer.load().leading_places(ctx.doc.text[start:s]))
        if lead and start + len(lead) in ctx.token_start_set:
            start += len(lead)  # 中原区高质量项目: the area alone does not make a project specific
    i = ctx.token_index(start)
    while i < len(ctx.tokens) and ctx.tokens[i].start < s:
        t = ctx.tokens[i]
        if t.start < start:
            i += 1
            continue
        if t.tag in SPECIFIC_TAGS or t.text.isdigit() or t.text in "“”" or (places and gazetteer.load().is_area_name(t.text)) or (
                len(t.text) == 1 and t.tag not in BREAK_TAGS | {"w", "v", "a", "m", "q"}
                and t.text not in word_set("stopwords.tsv")):
            return True
        i += 1
    return False


def _drop_leading_verb(ctx: Context, start: int, s: int) -> int:
    """赞桐柏路191号院 → 桐柏路191号院: a one-character verb at the left edge goes when
    two or more characters of body remain (育华学校 keeps its 育)."""
    t = ctx.tokens[ctx.token_index(start)]
    if t.start == start and len(t.text) == 1 and t.tag in ("v", "p", "d") and s - t.end >= 2:
        return t.end
    if t.start == start and len(t.text) == 1 and t.tag in ("v", "p", "d") and s - t.end == 0:
        return s
    return start


def _strip_leading(text: str) -> int:
    """Length of the longest leading word ``text`` starts with and goes on past by two
    or more characters (0 for none)."""
    words, lengths = _leading_words()
    for k in lengths:
        if len(text) > k + 1 and text[:k] in words:
            return k
    return 0


@lru_cache(maxsize=1)
def _leading_words() -> tuple[frozenset[str], tuple[int, ...]]:
    words = word_set("leading.tsv")
    return words, tuple(sorted({len(w) for w in words}, reverse=True))


@register("name_grammar", produces="mentions", priority=1)
def name_grammar(ctx: Context):
    table, _ = _grammar()
    text = ctx.doc.text
    for s, e, suffix in _suffixes(text):
        cls, maxlen, flag = table[suffix]
        strict = flag == "strict"
        # a site or a community is named after its area (剑南街道南轩社区): the area is a place of its own
        event = flag == "event"
        start = find_name(ctx, s, e, maxlen, FAMILY.get(cls) in ("Organization", "Event"),
                          cls == "Site" or suffix in ("社区", "村"), flag == "level", event)
        if start is None:
            continue
        if not (event and _SCOPE.match(text, start)):
            start += _strip_leading(text[start:e])
        start = _drop_leading_verb(ctx, start, s)
        if start >= s and not event and not (start == s and _own_body(ctx, s, e)):
            continue  # a bare suffix (统战部, 街道) names nothing by itself (a meeting's convener may name it)
        if suffix == "委" and text[max(0, s - 1):e] in _POSTS_IN_委:
            continue  # 市委常委, 支部主委: a post in the body, not a body
        if FAMILY.get(cls) == "Place" and s - start < 2:
            continue  # 后社区: a one-character body names no place
        if suffix in ("社区", "村") and not _village_ok(ctx, start, s, e):
            continue
        name = text[start:e]
        contextual = has_context_prefix(ctx, start)
        if flag == "level" and not (contextual or gazetteer.load().leading_places(name)):
            continue  # 监委 alone: a commission needs its level or place
        if any_word("scope.tsv").search(text, start, s):
            continue
        if event:
            yield from _event(ctx, start, s, e)
            continue
        cls = _refine(cls, name)
        strict = strict and cls != "Honor"
        # 省级示范基地 is a designation; a road may be named by any word (文化路, 幸福路)
        generic = cls != "Honor" and suffix not in ("路", "大街", "街", "巷") and _is_generic(ctx, start, s)
        if not contextual and (generic or strict and not _is_specific(ctx, start, s, cls != "Project")):
            continue
        if cls == "Site" or suffix in ("社区", "村"):
            # a site named with its area in front (航海西路街道中晟互联网大厦): the area
            # is a place of its own, mentioned here
            for place in gazetteer.load().leading_places(name):
                if len(name) - len(place) < 3 or start + len(place) not in ctx.token_start_set:
                    break  # 郑州市民中心: 郑州市 is not a word of this name
                yield ctx.mention(start, start + len(place), "AdministrativeArea", "name_grammar", 0.8, place)
                start += len(place)
                name = name[len(place):]
        yield ctx.mention(start, e, cls, "name_grammar", 0.6 if contextual else 0.7)


def _own_body(ctx: Context, s: int, e: int) -> bool:
    """A standard body written bare (各民主党派、工商联), which is the document's own
    (context.tsv), and not a kind across areas (各级工商联, 全国各地工商联)."""
    if ctx.doc.text[s:e] not in own_words():
        return False
    before = ctx.doc.text[max(0, s - 4):s]
    return not any(before.endswith(w) for w in word_set("scope.tsv") | {"各", "全国", "各地", "基层", "中央"})


def _village_ok(ctx: Context, start: int, s: int, e: int) -> bool:
    """A village or community the gazetteer does not list (kg.extract.places lists
    the ones it does) is one only by a short name with something specific in it
    (not 样板社区, 线上社区, 初具现代化城市社区)."""
    text = ctx.doc.text
    lead = "".join(gazetteer.load().leading_places(text[start:s]))
    body = start + len(lead)
    names = gazetteer.villages()
    if text[body:e] in names:
        return True
    if any(text[k:e] in names and text[k - 1] in "省市区县旗镇乡道" for k in range(body + 1, e - 2)):
        return False      # 旧镇镇双塘村: a listed village after its town (kg.extract.places finds it)
    words = [t for t in ctx.tokens[ctx.token_index(body):ctx.token_index(s)] if t.start >= body]
    return s - body <= 4 and _is_specific(ctx, body, s) and not _is_generic(ctx, body, s) \
        and not any(t.tag in _NOT_IN_A_VILLAGE for t in words)     # 某市城市社区建设: a kind


_NOT_IN_A_VILLAGE = {"f", "v", "vn", "d", "p", "c", "u", "uj"}   # 线上社区, 打造社区


_POSTS_IN_委 = {"常委", "主委"}   # (副主委 ends in 主委)
_BETWEEN_PERSON_AND_BODY = {"代表", "领导", "带领", "率领", "陪同", "受"}
_SCOPE = re.compile(r"全(?:国|省|市|区|县|州|旗|盟|镇|乡|街道)")
_HOLDING = re.compile(r"出席|参加|召开|举行|举办|主持|列席")
_MECHANISM = re.compile(r"制度|机制|工作法|模式|平台")
_COUNTED_AFTER = re.compile(r"(?:\d+|[一二两三四五六七八九十百]+)(?:余|多)?[次场期批轮]")
_HOLDER = re.compile(r"([\u4e00-\u9fff]{2,10}?)(?:隆重|正式|组织)?(?:召开|举行|举办)了?")
_SESSION = re.compile(r"第?[一二三四五六七八九十百\d]+[届次]")
_SESSION_WORDS = re.compile(r"(?:19|20)\d\d年|第?[一二三四五六七八九十百\d]+[届次期]")
_DECLARED = re.compile(r"[（(](?:以下)?简称[^（）()]{1,12}[）)]")


def _event(ctx: Context, start: int, s: int, e: int):
    """A meeting's mention, if its body says which meeting: not generic once its scope
    word, sessions and meeting words are set aside (工作会议, 第一次会议 name none).
    全国、全区、全市统战部长会议 names one meeting per scope word; a declared short form
    inside the name ((以下简称“新联会”)) is no part of it."""
    text = ctx.doc.text
    name = _DECLARED.sub("", text[start:e])
    if name.startswith("暨") or _HOLDING.search(name[:-2]):
        return   # 出席会议, 暨…座谈会: a verb and its object, or the second half of a name
    if _COUNTED_AFTER.match(text, e) or _MECHANISM.match(text, e):
        return   # 召开座谈会5次: a kind of meeting held many times; 联席会议制度: a mechanism
    holder = _HOLDER.search(text, max(0, start - 16), start)
    holder = holder if holder and holder.end() == start else None
    body = _DECLARED.sub("", _SESSION_WORDS.sub("", text[start:s]))
    if start == s and (holder is None or e - s < 4):
        return   # 召开会议: a bare meeting word names no meeting; 召开换届选举大会 may, after its convener
    if holder and not _SCOPE.match(name):
        bare = name
        name = _convener(holder.group(1), name, not _specific_body(body, True))
        if start == s and name == bare:
            return   # no body convenes it: still no name
        body = _DECLARED.sub("", _SESSION_WORDS.sub("", name[:len(name) - (e - s)]))
    # a scope word or a place says whose meeting it is: then a kind of work names it
    # (全区统战工作会议); otherwise the body must say more than generic words
    # who convenes it names it too (某街道党工委召开党建工作推进会)
    anchored = _SCOPE.match(name) or gazetteer.load().leading_places(name.strip("“”")) or holder
    if not _specific_body(_SCOPE.sub("", body, count=1), bool(anchored)):
        return
    scopes = re.search(r"(?:全(?:国|省|市|区|县|州|旗)、)+$", text[max(0, start - 15):start]) \
        if _SCOPE.match(text, start) else None
    if scopes:
        first = start - len(scopes.group())
        rest_name = name[_SCOPE.match(name).end():]
        listed = re.findall(r"全(?:国|省|市|区|县|州|旗)", scopes.group()) + [_SCOPE.match(name).group()]
        for i, scope in enumerate(listed):
            if scope == "全区" and any(x in ("全市", "全州", "全盟") for x in listed[i + 1:]):
                scope = "全自治区"   # 全国、全区、全市: 区 above 市 is the autonomous region
            yield ctx.mention(first, e, "Event", "name_grammar", 0.7, scope + rest_name)
        return
    yield ctx.mention(start, e, "Event", "name_grammar", 0.7, name)


def _convener(before: str, name: str, generic: bool) -> str:
    """A meeting's name with what convenes it, where the name needs it: a place
    (保定市召开…会议: the city's meeting), or a body before a session or a generic
    name (某区政协召开十届二十次常委会议, 民革某市支部召开换届选举大会)."""
    from kg.extract.officials import anchored, body_class
    if _SESSION.match(name) or generic:
        for k in range(len(before) - 1):
            if body_class(before[k:]) and anchored(before[k:]):
                return before[k:] + name
    for k in range(len(before) - 1):
        place = before[k:]
        if gazetteer.load().lookup(place) and not name.startswith(place):
            # 固始县召开县委…会议: the county's committee, named once
            return place + (name[1:] if name[0] == place[-1] and name[1:2] in "委政人" else name)
    return name


def _specific_body(body: str, anchored: bool) -> bool:
    """Whether a meeting's body says which meeting, once meeting words (and, for a
    meeting no scope or place anchors, generic words) are set aside."""
    words = word_set("meeting_words.tsv") | (frozenset() if anchored else _generic_words()[0])
    for w in sorted(words, key=len, reverse=True):
        body = body.replace(w, "")
    return len(re.sub(r"[^\u4e00-\u9fff\w]", "", body)) >= 2


@lru_cache(maxsize=1)
def _class_prefixes() -> list[tuple[str, str, str]]:
    return [(r[0], r[1], r[2]) for r in read_table("class_prefixes.tsv")]


def _refine(cls: str, name: str) -> str:
    """Fine class from what a name starts with (民建…委员会 is a DemocraticParty,
    省级…基地 a designation)."""
    for prefix, when, to in _class_prefixes():
        if name.startswith(prefix) and (when == "*" or when == cls):
            return to
    return cls
