"""Periods of statistics as years: 2020年, 今年以来, 五年来, 截至4月底, resolved with
the document's own date where it states one (a dateline such as 2020 年 12 月 28 日)."""
from __future__ import annotations

import re

from kg.model import Sentence

CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_DATE = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")
_YEAR = re.compile(r"((?:19|20)\d\d)年")
_SPAN = re.compile(r"(?:近|过去)?([一二两三四五六七八九十\d]+)年(?:以)?来")


def document_year(sentences: tuple[Sentence, ...]) -> int | None:
    """The year of the document's dateline (a full date in its first lines), or of
    its title (…2023年上半年工作情况)."""
    for s in sentences[:8]:
        m = _DATE.search(s.text)
        if m and s.heading:
            return int(m.group(1))
    for s in sentences[:3]:
        m = _YEAR.search(s.text)
        if m and s.heading:
            return int(m.group(1))
    return None


def _count(s: str) -> int:
    if s.isdigit():
        return int(s)
    if s.startswith("十"):
        return 10 + CN_DIGITS.get(s[1:], 0)
    return CN_DIGITS.get(s, 0)


def period_years(period: str | None, year: int | None) -> tuple[int, int] | None:
    """(first year, last year) of a period expression, or None when unknown."""
    if not period:
        return None
    m = _YEAR.search(period)
    if m:
        y = int(m.group(1))
        return (y, year) if "以来" in period and year and year >= y else (y, y)
    if year is None:
        return None
    m = _SPAN.search(period)
    if m and _count(m.group(1)):
        return (year - _count(m.group(1)), year)
    if "去年" in period:
        return (year - 1, year - 1)
    if any(w in period for w in ("今年", "全年", "截至", "目前", "本年", "半年", "季度")):
        return (year, year)
    return None
