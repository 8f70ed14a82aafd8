"""Honors after award verbs (kg.extract.quoted.honors), on made-up sentences."""
import pytest

from helpers import extraction, found


def titles(text):
    return {n for c, n in found(text, ["honors"]) if c == "Honor"}


@pytest.mark.parametrize("text, expected", [
    ("该镇先后荣获贵州省民族团结进步先进集体、省民族团结进步和谐乡镇、省级文明镇等荣誉称号。",
     {"贵州省民族团结进步先进集体", "省民族团结进步和谐乡镇", "省级文明镇"}),              # a list, 和谐 inside
    ("国家民委命名120家单位为第八批“全国民族团结进步示范区(单位)”。",
     {"第八批“全国民族团结进步示范区(单位)”"}),                                        # 命名…为, marks inside quotes
    ("该社区获全省侨联系统“石榴籽之家”典型选树单位。", {"全省侨联系统“石榴籽之家”典型选树单位"}),   # 获 alone
    ("获2023年度遵义市统战宣传信息工作表彰。", {"2023年度遵义市统战宣传信息工作表彰"}),        # 年度 is part of it
    ("该村获2016年“全国文明村”称号。", {"全国文明村"}),                                   # 2016年 is when
    ("荣获市级统战理论研究成果一等奖。", {"市级统战理论研究成果一等奖"}),                  # 一等奖 is no 等
])
def test_honors(text, expected):
    assert titles(text) == expected


@pytest.mark.parametrize("text", [
    "群众的获得感、幸福感和安全感不断增强。",     # a sense of gain
    "据悉，该项目获批立项。",                     # 获批, 获悉
    "该社区能获此殊荣，离不开居民的支持。",       # 此殊荣 refers back
    "收获感触很深。",
    "被评为各级优秀党组织。",                     # a scope word: no one title
])
def test_no_honor(text):
    assert titles(text) == set()


def test_an_honor_named_after_a_level_is_the_reports_areas():
    x = extraction("遵义市汇川区洗马镇\n该镇荣获省民族团结进步和谐乡镇、省级文明镇等荣誉称号。")
    got = {e.name for e in x.entities if e.cls == "Honor"}
    assert {"贵州省民族团结进步和谐乡镇", "省级文明镇"} <= got


@pytest.mark.parametrize("text, expected", [
    ("县领导对商会2023年度优秀会员、优秀理事、优秀副会长等进行了表彰。",
     {"2023年度优秀会员", "2023年度优秀理事", "2023年度优秀副会长"}),            # the year is every one's
    ("大会对先进集体和先进个人予以表彰。", {"先进集体和先进个人"}),
    ("会议对他们进行了表彰。", set()),                                            # people, no title
])
def test_titles_of_those_commended(text, expected):
    assert titles(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("国家民委命名120家单位为第八批“全国民族团结进步示范区(单位)”。",
     {("第八批“全国民族团结进步示范区(单位)”", "awardedBy", "国家民族事务委员会")}),     # 国家民委, by its full name
    ("2014年，国家民委将凉山州确定为全国民族团结进步示范州试点。",
     {("全国民族团结进步示范州试点", "awardedBy", "国家民族事务委员会"),
      ("凉山彝族自治州", "awarded", "全国民族团结进步示范州试点")}),
])
def test_who_grants_and_who_receives_by_naming(text, expected):
    got = {(r.subject.name, r.predicate, r.object.name) for r in extraction(text).relations
           if r.predicate in ("awarded", "awardedBy")}
    assert got == expected
