import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import extraction
from kg.extract.metrics import _before, _units
from kg.periods import period_years


@pytest.mark.parametrize("period,year,expected", [
    ("2020年", None, (2020, 2020)),
    ("2018年以来", 2021, (2018, 2021)),
    ("今年以来", 2020, (2020, 2020)),
    ("五年来", 2021, (2016, 2021)),
    ("近三年以来", 2021, (2018, 2021)),
    ("截至4月底", 2022, (2022, 2022)),
    ("今年以来", None, None),       # no dateline: unknown
    (None, 2020, None),
])
def test_period_years(period, year, expected):
    assert period_years(period, year) == expected


def test_metrics_resolve_periods_with_the_dateline():
    x = extraction("滨江信息\n2021 年 6 月 30 日\n今年以来，长河街道累计完成投资3.5亿元。\n")
    m = next(m for m in x.metrics if m.unit == "CNY")
    assert (m.value, m.period, m.years, m.about.name) == (350000000, "今年以来", (2021, 2021), "长河街道")


def test_the_nearest_period_counts_and_comparison_bases_do_not():
    x = extraction("滨江信息\n2021 年 6 月 30 日\n五年来，长河街道财政收入累计完成15.8亿元；2020年居民收入较2016年增长了27.4%。\n")
    got = {m.value: m.period for m in x.metrics}
    assert got == {1580000000: "五年来", 27.4: "2020年"}


def test_period_patterns_look_at_nothing_beyond_their_match():
    # kg.extract.metrics scans a sentence once and reads each figure's periods off
    # it (_before): right only for patterns without lookaround, anchors or \b
    for p in _units()[2]:
        assert not re.search(r"\(\?[=!<]|\\[bBAZ]|[$^]", p.pattern.replace("[^", "[")), p.pattern


_PIECES = st.lists(st.sampled_from(["截至", "4月", "底", "目前", "今年以来", "2020年", "1", "12月", "以来", "全年",
                                    "上半年", "第三季度", "前三季度", "五年来", "近", "，", "。", "投资", "5亿元"]),
                   max_size=14)


def _same_as_a_scan_up_to(text: str, pos: int) -> None:
    for p in _units()[2]:
        whole = list(p.finditer(text, 0, len(text)))
        got = [m.span() for m in _before(p, whole, text, 0, pos)]
        assert got == [m.span() for m in p.finditer(text, 0, pos)], (p.pattern, text, pos)


@pytest.mark.parametrize("text,pos", [
    ("2019年以来新建5个", 5), ("2019年以来新建5个", 7), ("截至6月底共8家", 4), ("今年以来共3家", 2),
    ("2022年11月", 6), ("2022年11月", 7), ("近五年来", 2), ("第四季度", 3), ("", 0), ("投资2亿元", 2)])
def test_periods_read_off_the_sentence_where_one_runs_past_the_figure(text, pos):
    _same_as_a_scan_up_to(text, pos)


@settings(max_examples=400, deadline=None)
@given(_PIECES, st.data())
def test_periods_read_off_the_sentence_are_those_a_scan_up_to_the_figure_finds(pieces, data):
    text = "".join(pieces)
    bounds = [sum(map(len, pieces[:i])) for i in range(len(pieces) + 1)]   # a figure starts after a piece
    _same_as_a_scan_up_to(text, data.draw(st.sampled_from(bounds) | st.integers(0, len(text))))
