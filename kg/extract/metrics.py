"""Statistics: number + unit, normalized to the base units of SCHEMA.md.

Arabic and Chinese numerals, 万/亿 multipliers, ranges (the upper bound is kept and
flagged approximate), percentages, and 余/近/多/超/约/左右 as approximate. Ordinals
(第3), years and dates are not statistics; nor are numbers inside names.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from decimal import Decimal
from functools import lru_cache

from kg.extract import Context, alternation, read_table, register
from kg.model import MetricCandidate

CN_NUM = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10000, "亿": 100000000}
_NUM = r"(?:\d+(?:,\d{3})*(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"


def chinese_number(s: str) -> float:
    """十 → 10, 二十五 → 25, 三百零八 → 308, 百 → 100 (as in 近百名)."""
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in CN_NUM:
            digit = CN_NUM[ch]
        elif ch in CN_UNIT:
            u = CN_UNIT[ch]
            if u >= 10000:
                total = (total + section + (digit or 0)) * u
                section = 0
            else:
                section += (digit if digit is not None else 1) * u
            digit = None
        else:
            raise ValueError(f"not a Chinese numeral: {s!r}")
    return float(total + section + (digit or 0))


def parse_number(s: str) -> float:
    s = s.replace(",", "")
    return float(s) if re.fullmatch(r"\d+(?:\.\d+)?", s) else chinese_number(s)


@lru_cache(maxsize=1)
def _units():
    rows = sorted(read_table("units.tsv"), key=lambda r: -len(r[0]))
    table = {r[0]: (r[1], float(r[2])) for r in rows}
    alt = alternation(r[0] for r in rows)
    # the lookahead is what every figure starts with: without it each character of the
    # text is tried against the whole pattern (twice the time)
    pat = re.compile(
        r"(?=[约近超逾多共累达\d零〇一二两三四五六七八九十百千])"
        rf"(?P<pre>约|近|超过|超|逾|多达|共计|累计|达)?(?P<num>{_NUM})(?:(?:-|—|~|至|到)(?P<hi>{_NUM}))?"
        rf"(?P<more>余|多)?(?P<mult>万|亿)?(?P<more2>余|多)?(?P<unit>{alt})(?P<post>左右|以上|余)?")
    periods = [re.compile(r[0]) for r in read_table("periods.tsv")]
    return table, pat, periods


ABOUT = frozenset({"Organization", "AdministrativeArea", "Site", "Base", "Project"})
_INDICATOR_START = re.compile(r"[，。；：、（(]")


def _indicator(ctx: Context, sent_start: int, pos: int, end: int) -> str:
    """The words before the number in its clause (发放调查问卷300份 → 发放调查问卷),
    and the noun counted right after the unit where there is one (组织全市142家
    建筑企业参加培训 → 组织全市建筑企业)."""
    text = ctx.doc.text
    left = text[sent_start:pos]
    cut = max((m.end() for m in _INDICATOR_START.finditer(left)), default=0)
    # …项目总投资12亿元: the indicator starts after a name that is its clause's subject
    named = [m.end for m in ctx.mentions_between(sent_start + cut, pos) if m.end < pos and m.extractor != "context_words"]
    if named and pos - max(named) >= 2:
        cut = max(named) - sent_start
    ind = left[cut:].strip(" “”")
    for p in _units()[2]:   # the period is kept apart (2020年城镇居民… → 城镇居民…)
        lead = p.match(ind)
        if lead:
            ind = ind[lead.end():]
    ind = re.sub(r"^(?:共|累计|先后|已|已经|目前|全年|今年以来|其中|同时|并|还|新增)+", "", ind)
    noun = _counted_noun(ctx, end)
    if noun and any(m.end == pos and m.extractor != "context_words" for m in ctx.mentions_between(sent_start, pos)):
        return noun   # 郑州市中医院10名党外医疗专家: the experts are counted, not the hospital
    return ind[-20:] + noun


# 位于某镇的某村海外人口达5000多人: the clause opens with where its subject lies
_RELATIVE = re.compile(r"(?:位于|地处|坐落于|坐落在|地处于)[^，。；]{1,20}?的")


def _relative_subject(ctx: Context, sent_start: int, pos: int):
    """The name right after a clause-opening 位于…的 before the figure at ``pos``."""
    text = ctx.doc.text
    left = text[sent_start:pos]
    cut = sent_start + max((m.end() for m in _INDICATOR_START.finditer(left)), default=0)
    rel = _RELATIVE.match(text, cut)
    if rel is None:
        return None
    return next((x for x in ctx.mentions_between(rel.end(), pos) if x.start == rel.end() and x.cls in ABOUT), None)


def _counted_noun(ctx: Context, end: int) -> str:
    """Nouns that follow a count directly, up to a verb or punctuation."""
    i = ctx.token_index(end)
    toks = ctx.tokens
    if i < 0 or i >= len(toks) or toks[i].start != end:
        return ""
    words = []
    while i < len(toks) and toks[i].tag in ("n", "nz", "vn", "nt", "j", "an", "ng", "s", "b") and len("".join(words)) < 10:
        words.append(toks[i].text)
        i += 1
    noun = "".join(words)
    return noun if 2 <= len(noun) <= 10 else ""


def _before(p: re.Pattern, whole: list[re.Match], text: str, start: int, pos: int) -> list[re.Match]:
    """What ``p.finditer(text, start, pos)`` finds, from its matches over the whole
    sentence (``whole``; a sentence of several figures is scanned once, not once a
    figure). A match that ends by ``pos`` is the one the shorter scan finds too (the
    patterns look at no text beyond what they match); from the first that runs past
    ``pos``, the scan is made again up to ``pos``."""
    ends = [x.end() for x in whole]
    k = bisect_right(ends, pos)
    if k == len(whole) or whole[k].start() >= pos:
        return whole[:k]
    return whole[:k] + list(p.finditer(text, whole[k].start(), pos))


@register("statistics", produces="metrics", requires=("sentences", "mentions"))
def statistics(ctx: Context):
    from kg.extract.relations import Sentence
    table, pat, periods = _units()
    text = ctx.doc.text
    sentences: dict[int, Sentence] = {}
    in_sentence: dict[int, list[list[re.Match]]] = {}    # each period pattern's matches over the sentence
    for m in pat.finditer(text):
        e = m.end()
        before = text[max(0, m.start() - 1):m.start()]
        if before == "第" or (before.isdigit() and not m.group("pre")) or text[e:e + 1] in ("年", "月", "日", "号"):
            continue
        i = bisect_right(ctx.mention_starts, m.start()) - 1   # settled mentions do not overlap
        if i >= 0 and ctx.mentions[i].end >= e:
            continue  # a number inside a name
        unit_word = m.group("unit")
        if unit_word in ("个", "名", "家", "次", "项") and text[e:e + 1] in ("月",):
            continue
        if not m.group("pre") and re.fullmatch(r"[一二两三四五六七八九]", m.group("num")) and not m.group("hi"):
            continue  # 四个意识, 一家亲: a single Chinese digit and a measure word is a set phrase
        base, factor = table[unit_word]
        try:
            value = Decimal(str(parse_number(m.group("hi") or m.group("num"))))
        except ValueError:
            continue
        if m.group("mult"):
            value *= CN_UNIT[m.group("mult")]
        value *= Decimal(str(factor))   # exact: 169.8亿 is 16980000000, not 16980000000.000002
        approx = bool(m.group("more") or m.group("more2") or m.group("hi") or m.group("post") in ("左右", "以上", "余")
                      or m.group("pre") in ("约", "近", "超过", "超", "逾", "多达"))
        sent = ctx.sentence_at(m.start())
        if sent.index not in in_sentence:
            in_sentence[sent.index] = [list(p.finditer(text, sent.start, sent.end)) for p in periods]
        # the nearest period before the figure, not a comparison base (较2016年增长)
        found = [pm for p, ms in zip(periods, in_sentence[sent.index]) for pm in _before(p, ms, text, sent.start, m.start())
                 if text[max(0, pm.start() - 1):pm.start()] not in ("较", "比", "于")]
        period = max(found, key=lambda pm: (pm.start(), -pm.end())).group() if found else None
        # the entity a figure describes is its clause's subject (or the topic the
        # resolver supplies), like the subject of a relation
        if sent.index not in sentences:
            sentences[sent.index] = Sentence(ctx, sent.index, [x for x in ctx.mentions_between(sent.start, sent.end)
                                                               if x.cls != "Concept"])
        subject = sentences[sent.index].subject(m.start(), ABOUT)
        about = subject[0] if subject else _relative_subject(ctx, sent.start, m.start())
        yield MetricCandidate(text[m.start():e], m.start(), e, _indicator(ctx, sent.start, m.start(), e),
                              float(round(value, 6)), base, approx, period, about, sent.index, "number+unit",
                              0.7 if about is not None else 0.5)
