import pytest

from helpers import extraction
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
