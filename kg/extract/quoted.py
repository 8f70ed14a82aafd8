"""Names marked by punctuation and cue words: 《titles》, “quoted” programs,
honors after award verbs, Party congresses and plenums, and people next to a role.
"""
from __future__ import annotations

import re
from functools import lru_cache

from kg.extract import Context, alternation, read_table, register, word_set

CN_DIGIT = "一二三四五六七八九十"


@lru_cache(maxsize=1)
def cues() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for row in read_table("cues.tsv"):
        out.setdefault(row[0], []).extend(w for w in row[1:] if w)
    return {k: tuple(sorted(set(v), key=len, reverse=True)) for k, v in out.items()}


@lru_cache(maxsize=1)
def _quoted():
    rows = sorted(read_table("quoted.tsv"), key=lambda r: -len(r[0]))
    return {r[0]: r[1] for r in rows}, re.compile(
        r"“([^“”\n]{1,30})”(?:((?:(?![的等为和与及以在])[\u4e00-\u9fff·]){0,8}?)(" + alternation(r[0] for r in rows) + r"))?")


_TITLE = re.compile(r"《([^《》\n]{1,100})》")


@lru_cache(maxsize=1)
def _title_event() -> re.Pattern:
    """A meeting named after a title: 《民法典》专题宣讲会 (event words from names.tsv)."""
    words = [r[0] for r in read_table("names.tsv") if r[1] == "Event"]
    return re.compile(rf"(?:(?![的等为和与及以在，。])[\u4e00-\u9fff]){{0,4}}?(?:{alternation(words)})")


@register("document_titles", produces="mentions", priority=5)
def document_titles(ctx: Context):
    text = ctx.doc.text
    for m in _TITLE.finditer(text):
        after = _title_event().match(text, m.end())
        if after:
            yield ctx.mention(m.start(), after.end(), "Event", "document_titles", 0.8)
        else:
            yield ctx.mention(m.start(), m.end(), "Document", "document_titles", 0.9)


_QUOTE = re.compile(r"“([^“”\n]{1,50})”")


@lru_cache(maxsize=1)
def _formulas() -> list[re.Pattern]:
    return [re.compile(r[0]) for r in read_table("formulas.tsv")]


def _tail_class(content: str) -> str | None:
    """Class from a quoted name's own last word: “台胞台属之家” is a Base,
    “…第六届论坛” an Event."""
    for n, classes in _tail_suffixes():      # the longest suffix first
        if len(content) > n + 1:
            cls = classes.get(content[-n:])
            if cls:
                return cls
    return None


@lru_cache(maxsize=1)
def _tail_suffixes() -> tuple[tuple[int, dict[str, str]], ...]:
    """(length, {suffix: class}) from the longest suffixes down."""
    table, _ = _quoted()
    names = {r[0]: r[1] for r in read_table("names.tsv") if r[1] in ("Base", "Event", "Program", "Project")}
    by_length: dict[int, dict[str, str]] = {}
    for x in set(table) | set(names):
        by_length.setdefault(len(x), {})[x] = table.get(x) or names[x]
    return tuple(sorted(by_length.items(), reverse=True))


@register("quoted_names", produces="mentions", priority=4)
def quoted_names(ctx: Context):
    """A run of quoted names (“A”“B”、“C”) and the type word after it: (等)(系列)活动
    makes each a Program, 称号 an Honor. A bare “X” is classed by its own last word,
    by a program cue before it (开展“X”) or after it (以“X”为抓手), and is otherwise
    a political formulation (Concept)."""
    table, pat = _quoted()
    text = ctx.doc.text
    program_cue, program_after, honor_cue = cues()["program_cue"], cues()["program_after"], cues()["honor_cue"]
    tail = re.compile(r"等?(?:系列|一系列|各类)?((?:(?![的等为和与及以在])[\u4e00-\u9fff·]){0,8}?)("
                      + alternation(table) + ")")
    quotes = list(_QUOTE.finditer(text))
    i = 0
    while i < len(quotes):
        run = [quotes[i]]
        while i + len(run) < len(quotes) and text[run[-1].end():quotes[i + len(run)].start()] in ("", "、", "和", "及", "与"):
            run.append(quotes[i + len(run)])
        i += len(run)
        t = tail.match(text, run[-1].end())
        if t:
            cls = table[t.group(2)]
            if cls == "Honor":
                for q in run:
                    yield ctx.mention(q.start(), q.end(), "Honor", "quoted_names", 0.8, q.group(1))
                continue
            if len(run) == 1 and not t.group(0).startswith("等"):
                yield ctx.mention(run[0].start(), t.end(), cls, "quoted_names", 0.8)
                continue
            for q in run:  # “A”“B”等活动: each is one
                yield ctx.mention(q.start(), q.end(), cls, "quoted_names", 0.7)
            continue
        for q in run:
            content = q.group(1)
            before = text[max(0, q.start() - 6):q.start()]
            after = text[q.end():q.end() + 4]
            own = _tail_class(content)
            if own:
                yield ctx.mention(q.start(), q.end(), own, "quoted_names", 0.7, content if own == "Honor" else "")
            elif before.endswith(honor_cue):
                yield ctx.mention(q.start(), q.end(), "Honor", "quoted_names", 0.7, content)
            elif any(f.search(content) for f in _formulas()):
                yield ctx.mention(q.start(), q.end(), "Concept", "quoted_names", 0.5)
            elif before.endswith(program_cue) or after.startswith(program_after) or \
                    re.search(r"[以把]$", before) and re.match(r"[^，。；]{0,6}(?:为|作为)", after):
                yield ctx.mention(q.start(), q.end(), "Program", "quoted_names", 0.6)
            else:
                yield ctx.mention(q.start(), q.end(), "Concept", "quoted_names", 0.5)


_CONGRESS = re.compile(rf"(?:党的)?([{CN_DIGIT}]{{1,3}})大(?![会学队])")
_SESSION = re.compile(rf"((?:中共)?[\u4e00-\u9fff]{{2,8}}?[省市区县]委)?([{CN_DIGIT}]{{1,3}})届([{CN_DIGIT}]{{1,3}})次(?:全体会议|全会)")
# the session itself, found first: the committee before it is looked for only there
# (the whole pattern tried at every character costs half this component)
_SESSION_CORE = re.compile(rf"[{CN_DIGIT}]{{1,3}}届[{CN_DIGIT}]{{1,3}}次(?:全体会议|全会)")
_COMMITTEE_BEFORE = 12      # characters _SESSION's committee group can take: 中共 + 8 + 区委
_PLENUM = re.compile(rf"([{CN_DIGIT}]{{1,3}})届((?:[{CN_DIGIT}]{{1,2}}中、?)+)全会")


@register("congresses", produces="mentions", priority=6)
def congresses(ctx: Context):
    """党的十九大; 十九届三中、四中全会 names two plenums (elliptical coordination)."""
    text = ctx.doc.text
    for m in _CONGRESS.finditer(text):
        if m.group(0).startswith("党的") or text[m.end():m.end() + 2] in ("精神", "以来", "报告", "代表"):
            yield ctx.mention(m.start(), m.end(), "Event", "congresses", 0.9, f"党的{m.group(1)}大")
    for m in _sessions(text):
        start = m.start(2)
        if m.group(1):  # the committee holding the session: 中原区委十一届三次全会
            from kg import gazetteer
            g = m.group(1)
            for i in range(len(g) - 2):
                area = g[i:-1].removeprefix("中共")
                if "".join(gazetteer.load().leading_places(area)) == area:
                    start = m.start(1) + i
                    break
            else:
                if g.endswith(("区委", "县委", "市委", "省委")):
                    start = m.start(1) + len(g) - 2   # 区委十一届三次全会: the resolver names the area
        yield ctx.mention(start, m.end(), "Event", "congresses", 0.8)
    for m in _PLENUM.finditer(text):
        for part in re.findall(rf"[{CN_DIGIT}]{{1,2}}中", m.group(2)):
            yield ctx.mention(m.start(), m.end(), "Event", "congresses", 0.9, f"{m.group(1)}届{part}全会")


def _sessions(text: str):
    """_SESSION's matches over ``text``, as finditer would give them."""
    pos = 0
    for core in _SESSION_CORE.finditer(text):
        if core.start() < pos:
            continue
        m = _SESSION.search(text, max(pos, core.start() - _COMMITTEE_BEFORE), core.end())
        if m is not None:
            pos = m.end()
            yield m


# where a list of titles ends: 称号, the clause, a coordination (not 和谐, 和平)
_HONOR_END = re.compile(r"等?(?:荣誉)?称号|等荣誉|等奖项|[，。；,（(]|和(?![谐平美])|(?<![一二三四五六七八九])等")
# 命名183家单位为…, 将某镇确定为…: the title after the 为 that closes the cue
_NAMED_AS = re.compile(r"(?:命名|确定|认定|授予|评定)[^，。；“”]{1,20}?为")
# 获 alone is an award verb, but not in 获悉, 获批, 获得 (a cue of its own), 获取 …
_GOT = re.compile(r"(?<![收荣捕查破缴俘斩])获(?![悉批得取知益救胜利准赠奖赞选评此])")
# not titles: 获得感 (a sense of gain), 获此殊荣 (this honour, named before)
_NOT_A_TITLE = re.compile(r"感|此|该")
_YEAR = re.compile(r"(?:19|20)\d\d年度?")
_LEAD_YEAR = re.compile(r"(?:19|20)\d\d年(?!度)")


def _honor_end(text: str, start: int) -> int | None:
    """Where the titles after an award verb end; an end mark inside quotes is part of
    a title (“全国民族团结进步示范区(单位)”)."""
    for m in _HONOR_END.finditer(text, start, min(len(text), start + 120)):
        if text.count("“", start, m.start()) <= text.count("”", start, m.start()):
            return m.start()
    return None


def _honor_items(text: str, s: int, e: int):
    """(start, end) of each title in a list after an award verb (A、B、C等荣誉称号)."""
    pos = s
    for part in text[s:e].split("、"):
        a, b = pos, pos + len(part)
        pos = b + 1
        while a < b and text[a] in "了过":
            a += 1
        yield a, b


# 对某某2019年度优秀会员、优秀理事等进行了表彰: the titles of those honoured
_COMMENDED = re.compile(r"对([^，。；]{4,80}?)等?(?:进行了?|予以|给予)(?:通报)?表彰")
_HONOR_WORD = re.compile(r"优秀|先进|模范|标兵|能手|之星|示范|[一二三]等奖|杰出|突出贡献")


def _commended(text: str):
    """(start, end, title) of each title in 对…进行表彰; a year the first one starts
    with (2019年度) is every one's, and what comes before that year is who gives them."""
    for m in _COMMENDED.finditer(text):
        pos, year = m.start(1), ""
        for n, part in enumerate(m.group(1).split("、")):
            s, e = pos, pos + len(part)
            pos = e + 1
            y = _YEAR.search(part)
            if n == 0 and y:
                s, year = s + y.start(), y.group()
            title = text[s:e]
            if _HONOR_WORD.search(title) and 3 <= len(title) <= 30:
                yield s, e, title if title.startswith(year) else year + title


@register("honors", produces="mentions", priority=3)
def honors(ctx: Context):
    """The titles after an award verb (荣获, 被评为, 获, 命名…为), up to 称号 or the
    clause end; a list of them (A、B等荣誉称号) gives each."""
    text = ctx.doc.text
    pat = re.compile(alternation(cues()["honor_cue"]))
    starts = [m.end() for m in pat.finditer(text)] + [m.end() for m in _NAMED_AS.finditer(text)] + \
        [m.end() for m in _GOT.finditer(text)]
    for start in sorted(set(starts)):
        stop = _honor_end(text, start)
        if stop is None:
            continue
        if _NOT_A_TITLE.match(text, start):
            continue
        for s, e in _honor_items(text, start, stop):
            lead = _LEAD_YEAR.match(text, s)
            if lead:
                s = lead.end()   # 获2014年“某某”称号: when it was given, not a word of the title
            title = text[s:e]
            if re.fullmatch(r"“[^“”]+”", title):
                title = title[1:-1]   # “河南省…模范集体” is named without its marks; “天府杯”省优质工程奖 keeps them
            if 3 <= len(title) <= 30 and not re.search(r"\d", _YEAR.sub("", title)) \
                    and not any(w in title for w in word_set("scope.tsv")):  # 利息补助20万元 is a sum; 各级 no title
                yield ctx.mention(s, e, "Honor", "honors", 0.7, title)
    for s, e, title in _commended(text):
        yield ctx.mention(s, e, "Honor", "honors", 0.6, title)


@lru_cache(maxsize=1)
def _person_name() -> str:
    """A surname and one or two given-name characters, as a regular expression."""
    from kg.extract import _longest_first, word_set
    surnames = sorted(word_set("surnames.tsv"), key=len, reverse=True)
    return rf"(?:{'|'.join(_longest_first(surnames))})[\u4e00-\u9fff]{{1,2}}"


@register("people", produces="mentions", priority=3)
def people(ctx: Context):
    """People next to a role: a byline (本报记者 张三 李四), a title after the name
    (张三教授), a photo credit (张三摄) or a count (李四等3人)."""
    from kg.extract.officials import is_name
    text = ctx.doc.text
    name = _person_name()
    before = cues()["person_before"]
    for m in re.finditer(alternation(before), text):
        pos = m.end()
        while True:
            n = re.compile(r" ?([\u4e00-\u9fff]{2,3})(?= |$|\n|文|摄|/)").match(text, pos)
            if not n or n.group(1) in before or not is_name(n.group(1)):
                break
            yield ctx.mention(n.start(1), n.end(1), "Person", "people", 0.7)
            pos = n.end()
    after = alternation(cues()["person_after"])
    follow = "|".join(cues()["person_follow"])
    for pat, conf in ((rf"({name}?)(?:{after})", 0.5), (rf"({name}?) ?(?:{follow})(?![\u4e00-\u9fff]*[会部])", 0.6)):
        for m in re.finditer(rf"(?:(?<=[，、。：；\s“（(])|^){pat}", text, re.M):
            yield ctx.mention(m.start(1), m.end(1), "Person", "people", conf)
    # 镇党委书记王建平带队: a title right before the name, and a verb or mark after it
    titled = rf"(?:{alternation(cues()['person_title'])})({name}?)(?={alternation(cues()['person_next'])}|[，、。；])"
    for m in re.finditer(titled, text):
        yield ctx.mention(m.start(1), m.end(1), "Person", "people", 0.6)
