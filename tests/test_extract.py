"""Rule tables: inputs are made-up sentences; expected outputs follow from the rules."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import context_of, found
from kg.extract import REGISTRY, settle
from kg.extract.metrics import chinese_number
from kg.model import Mention


@pytest.mark.parametrize("text,expected", [
    ("苏州市姑苏区委统战部召开会议。", ("PartyOrganization", "苏州市姑苏区委统战部")),
    ("区委统战部召开会议。", ("PartyOrganization", "区委统战部")),
    ("由平江路街道党工委牵头。", ("PartyOrganization", "平江路街道党工委")),
    ("联合姑苏区城市管理执法局开展整治。", ("GovernmentAgency", "姑苏区城市管理执法局")),
    ("江苏华星精密机械有限公司投产。", ("Enterprise", "江苏华星精密机械有限公司")),
    ("民盟姑苏基层委员会组织调研。", ("DemocraticParty", "民盟姑苏基层委员会")),
    ("姑苏区工商联召开执委会。", ("MassOrganization", "姑苏区工商联")),
    ("昆山市人民医院派出专家。", ("PublicInstitution", "昆山市人民医院")),
    ("在观前街18号院建立党支部。", ("Site", "观前街18号院")),
    ("在“苏韵同心”新阶层人士实践创新基地开展活动。", ("Base", "“苏韵同心”新阶层人士实践创新基地")),
])
def test_name_grammar(text, expected):
    assert expected in found(text, ["name_grammar"])


@pytest.mark.parametrize("text", [
    "统筹发展格局。",        # 格局 is a word, not a bureau
    "理清工作思路。",        # 思路 is a word, not a road
    "机关党支部开展学习。",  # nothing specific names a particular branch
])
def test_name_grammar_rejects_ordinary_words(text):
    assert found(text, ["name_grammar"]) == set()


@pytest.mark.parametrize("text,expected", [
    ("西湖区位于杭州市。", {("AdministrativeArea", "西湖区"), ("AdministrativeArea", "杭州市")}),
    ("来自浙江的客人。", {("AdministrativeArea", "浙江省")}),   # a province's short form
    # jieba cuts 信/阳新县; the chain 信阳 + 新县 covers more and ends on a token boundary
    ("组织到信阳新县开展教育。", {("AdministrativeArea", "信阳市"), ("AdministrativeArea", "新县")}),
    ("赴湖北阳新县考察。", {("AdministrativeArea", "湖北省"), ("AdministrativeArea", "阳新县")}),
])
def test_gazetteer_places(text, expected):
    assert found(text, ["gazetteer_places"]) == expected


@pytest.mark.parametrize("text,expected", [
    ("组织开展“红船领航”主题教育活动。", ("Program", "“红船领航”主题教育活动")),
    ("深入推进“三服务”行动。", ("Program", "“三服务”行动")),
    ("扎实开展“同心助企”。", ("Program", "“同心助企”")),
    ("增强“四个意识”。", ("Concept", "“四个意识”")),
    ("被授予“全国文明单位”称号。", ("Honor", "全国文明单位")),
])
def test_quoted_names(text, expected):
    assert expected in found(text, ["quoted_names"])


def test_titles_and_events_from_titles():
    got = found("印发《关于加强新时代统战工作的意见》，举办《民法典》专题宣讲会。", ["document_titles"])
    assert got == {("Document", "《关于加强新时代统战工作的意见》"), ("Event", "《民法典》专题宣讲会")}


def test_plenum_coordination_is_expanded():
    got = found("学习贯彻党的二十大和二十届二中、三中全会精神。", ["congresses"])
    assert got == {("Event", "党的二十大"), ("Event", "二十届二中全会"), ("Event", "二十届三中全会")}


def test_people_from_byline_and_title():
    got = found("本报记者 王建国 通讯员 刘芳\n邀请欧阳明教授作报告。", ["people"])
    assert {("Person", "王建国"), ("Person", "刘芳")} <= got


def test_settle_keeps_longest_and_same_span_groups():
    a = Mention("某某区", 0, 3, "AdministrativeArea", "gazetteer_places")
    b = Mention("某某区委统战部", 0, 7, "PartyOrganization", "name_grammar")
    c1 = Mention("十届二中、三中全会", 10, 19, "Event", "congresses", 0.9, "十届二中全会")
    c2 = Mention("十届二中、三中全会", 10, 19, "Event", "congresses", 0.9, "十届三中全会")
    assert set(settle([a, b, c1, c2])) == {b, c1, c2}


@pytest.mark.parametrize("s,value", [("十", 10), ("二十五", 25), ("三百零八", 308), ("百", 100), ("一万二千", 12000),
                                     ("两千", 2000)])
def test_chinese_numbers(s, value):
    assert chinese_number(s) == value


@pytest.mark.parametrize("text,value,unit,approx", [
    ("累计完成投资15.8亿元。", 1580000000, "CNY", False),
    ("筹集善款近550万元。", 5500000, "CNY", True),
    ("惠及1040余人。", 1040, "PERSON", True),
    ("完成率达到100%。", 100, "PERCENT", False),
    ("改造面积3.2万平方米。", 32000, "M2", False),
    ("走访企业近百家。", 100, "COUNT", True),
    ("帮扶困难群众30-40户。", 40, "HOUSEHOLD", True),
])
def test_statistics(text, value, unit, approx):
    ms = context_of(text).metrics
    assert [(m.value, m.unit, m.approximate) for m in ms] == [(value, unit, approx)]


@pytest.mark.parametrize("text", ["2020年12月28日召开。", "第3次会议。", "增强“四个意识”。"])
def test_statistics_skip_dates_ordinals_and_set_phrases(text):
    assert context_of(text).metrics == []


def test_every_component_declares_its_stage():
    assert {c.produces for c in REGISTRY.values()} <= {"mentions", "relations", "metrics"}
    assert all(c.requires for c in REGISTRY.values())


def test_offsets_are_sacred_on_the_sample_corpus():
    from kg.pipeline import sample_corpus
    from kg.ingest import read
    for f in sorted(sample_corpus().glob("*.txt")):
        text = read(f).raw
        ctx = context_of(text)
        assert all(ctx.doc.text[m.start:m.end] == m.text for m in ctx.mentions)
        assert all(ctx.doc.text[m.start:m.end] == m.text for m in ctx.metrics)


@pytest.mark.parametrize("text,indicator", [
    ("发放调查问卷300份。", "发放调查问卷"),
    ("组织全市142家建筑企业参加培训。", "组织全市建筑企业"),          # the noun counted after the unit
    ("组织市人民医院10名党外医疗专家开展义诊。", "党外医疗专家"),    # not the hospital before the number
    ("其中，星河湾项目总投资12亿元。", "总投资"),                   # the subject named first is not part of it
])
def test_indicators(text, indicator):
    assert [m.indicator for m in context_of(text).metrics] == [indicator]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["两", "级", "各", "类", "多", "个", "一批", "某", "镇", "首", "家", "部分"]), max_size=12)
       .map("".join), st.sampled_from(["scope.tsv", "leading.tsv", "stopwords.tsv"]))
def test_any_word_finds_a_word_where_a_loop_of_in_tests_would(text, table):
    from kg.extract import any_word, word_set
    assert bool(any_word(table).search(text)) == any(w in text for w in word_set(table))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["全区", "全", "区", "我市", "各", "该", "镇", "某某", "一批", "首家", "街道"]), max_size=6)
       .map("".join))
def test_a_leading_word_is_the_longest_one_that_leaves_a_name(text):
    from kg.extract import word_set
    from kg.extract.names import _strip_leading
    fits = [len(w) for w in word_set("leading.tsv") if text.startswith(w) and len(text) > len(w) + 1]
    assert _strip_leading(text) == max(fits, default=0)
