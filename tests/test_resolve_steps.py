"""Each resolution step on its own (kg.resolve.STEPS), on made-up reports from other
provinces: the step and the steps it needs run, nothing after it."""
import pytest

from helpers import context_of
from kg.model import EntityKey
from kg.resolve import STEPS, resolution, step


def run(text, *steps):
    return resolution(context_of(text), steps)


def keys(r):
    return {(k.family, k.name) for k in r.groups}


def test_every_step_says_in_one_line_what_it_does_and_needs_only_earlier_steps():
    resolution(context_of("某县委统战部召开会议。"))     # registers the steps
    assert len(STEPS) >= 10
    made = set()
    for s in STEPS.values():
        assert s.doc and len(s.doc) < 120, s.name
        assert set(s.requires) <= made, s.name
        made.add(s.produces)


def test_a_step_needing_what_nothing_produced_is_refused():
    with pytest.raises(ValueError, match="no earlier step produces"):
        step("too_early", produces="keys", requires=("nothing-yet",))(lambda r: None)
    with pytest.raises(ValueError, match="unknown resolution step"):
        run("某县委统战部召开会议。", "no_such_step")


def test_a_step_runs_with_what_it_needs_and_nothing_after_it():
    r = run("今年以来，汇川区委统战部开展“同心护航”活动。", "collect_aliases")
    assert r.context and r.key_of and not r.entities and not r.relations


@pytest.mark.parametrize("text, county, city, province", [
    ("遵义市汇川区委统战部召开会议。汇川区各街道参加。", "汇川区", "遵义市", "贵州省"),
    ("近日，株洲市芦淞区召开统战工作会议。芦淞区委书记出席。", "芦淞区", "株洲市", "湖南省"),
    # a district the gazetteer does not hold, named by its bodies
    ("近日，新湾区区委组织部召开会议。新湾区区委组织部部长出席。", "新湾区", None, None),
])
def test_document_context(text, county, city, province):
    r = run(text, "document_context")
    assert r.context.get("county") == county
    assert r.context.get("city") == city and r.context.get("province") == province


@pytest.mark.parametrize("text, key, alias", [
    ("芦淞区新的社会阶层人士联谊会（以下简称“芦淞区新联会”）成立。", "芦淞区新的社会阶层人士联谊会", "芦淞区新联会"),
    ("汇川区委统战部开展“同心护航”活动。", "“同心护航”活动", "同心护航"),
])
def test_collect_aliases(text, key, alias):
    r = run(text, "collect_aliases")
    found = {k.name: a for k, a in r.aliases.items()}
    assert alias in found[key]


def test_a_name_completed_from_context_is_no_alias():
    r = run("遵义市汇川区委统战部召开会议。区委统战部负责同志出席。", "collect_aliases")
    unit = next(k for k in r.groups if k.name == "汇川区委统战部")
    assert "区委统战部" not in r.aliases[unit]


@pytest.mark.parametrize("text, places", [
    ("宜昌市西陵区学院街道开展志愿服务。", {"宜昌市", "西陵区"}),
    ("株洲市芦淞区建宁街道召开会议。", {"株洲市", "芦淞区"}),
])
def test_area_prefixes(text, places):
    r = run(text, "area_prefixes")
    assert {("Place", p) for p in places} <= keys(r)


def test_declared_short_forms_stand_for_the_full_name():
    text = ("芦淞区新的社会阶层人士联谊会（以下简称“芦淞区新联会”）成立。会后，芦淞区新联会组织会员走访社区。")
    r = run(text, "declared_short_forms")
    orgs = [k for k in r.groups if k.family == "Organization"]
    assert [k.name for k in orgs] == ["芦淞区新的社会阶层人士联谊会"] and len(r.groups[orgs[0]]) == 2


@pytest.mark.parametrize("text, short, full, merged", [
    ("宜昌市住房和城乡建设局召开会议。会上，市住建局负责同志作了发言。", "宜昌市住建局", "宜昌市住房和城乡建设局", True),
    ("株洲市人力资源和社会保障局召开会议。市人社局负责同志讲话。", "株洲市人社局", "株洲市人力资源和社会保障局", True),
    # a bare level word is no short form
    ("株洲市芦淞区纪委召开会议。区委负责同志讲话。", "芦淞区委", "芦淞区纪律检查委员会", False),
])
def test_short_form_merging(text, short, full, merged):
    r = run(text, "short_form_merging")
    names = {k.name for k in r.groups}
    assert (short not in names) == merged and full in names
    if merged:
        assert short in next(a for k, a in r.aliases.items() if k.name == full)


def test_program_names_join_a_program_and_its_bare_quote():
    text = "汇川区委统战部开展“同心护航”活动。“同心护航”已覆盖全区。"
    r = run(text, "program_names")
    quoted = [k for k in r.groups if "同心护航" in k.name]
    assert [k.family for k in quoted] == ["Program"]


def test_make_entities_gives_areas_their_code_and_parent():
    r = run("遵义市汇川区召开会议。", "make_entities")
    area = next(e for e in r.entities if e.name == "汇川区")
    assert area.cls == "AdministrativeArea" and area.code.startswith("5203") and area.within.name == "遵义市"


@pytest.mark.parametrize("text, actor", [
    ("芦淞区委统战部\n今年以来，深入开展调研活动。组织党外人士参加培训。", "芦淞区委统战部"),
    ("近日，汇川区工商联召开执委会议。会议总结了上半年工作。", "汇川区工商业联合会"),
    # places written together: the innermost acts
    ("漳浦县赤湖镇双塘村\n今年以来，建成便民服务站2个。", "双塘村"),
])
def test_actors(text, actor):
    r = run(text, "actors")
    assert r.actor is not None and r.actor.name == actor
    assert all(a is not None for a in r.sec_actor.values())


def test_attribute_relations_gives_a_subjectless_clause_the_actor():
    r = run("芦淞区委统战部\n今年以来，组织开展“同心护航”活动。", "attribute_relations")
    runs = {(x.subject.name, x.object.name) for x in r.relations if x.predicate == "runs"}
    assert ("芦淞区委统战部", "“同心护航”活动") in runs


def test_composed_relations_place_a_name_in_its_prefix():
    r = run("宜昌市西陵区学院街道开展志愿服务。", "composed_relations")
    located = {(x.subject.name, x.object.name) for x in r.relations if x.predicate == "locatedIn"}
    assert ("学院街道", "西陵区") in located or ("西陵区学院街道", "西陵区") in located


@pytest.mark.parametrize("text, value, about", [
    # the body that reports a figure is its source, not what it describes
    ("据贵州省统计局消息，全省规模以上工业增加值增长8.5%。", 8.5, "贵州省"),
    ("根据国家统计局反馈，上半年，贵州GDP为9800亿元。", 980000000000, "贵州省"),
    ("贵州省市场监管局发布消息，全省新登记市场主体达45.2万户。", 452000, "贵州省"),
    # a count of people taking part in a meeting or course describes it
    ("近日，汇川区委组织部举办青年干部培训班，全区60名青年干部参加了此次培训。", 60, "汇川区青年干部培训班"),
    ("汇川区委统战部召开统战工作会议，参会人员共120人。", 120, "汇川区统战工作会议"),
    # a province's report names its cities as parts: the figures are the province's
    ("贵州省市场监管局发布消息，全省新登记企业8.1万户，遵义、六盘水分别为1.2万户和0.8万户。\n今年新登记个体户12.5万户。",
     125000, "贵州省"),
    # a relative clause before the subject (位于…的); its figure's subject carries to the next
    ("位于洗马镇的双塘村海外人口达3000多人，归侨20多人。", 20, "双塘村"),
    # not where the people are the body's own output
    ("芦淞区委统战部\n今年以来，组织开展活动12场，培训党外人士800人次。", 800, "芦淞区委统战部"),
])
def test_attribute_metrics(text, value, about):
    r = run(text, "attribute_metrics")
    got = {m.value: m.about.name if m.about else None for m in r.metrics}
    assert got[value] == about, got


def test_attribute_metrics_gives_a_figure_the_subject_of_its_paragraph():
    r = run("芦淞区委统战部\n今年以来，芦淞区委统战部组织开展活动12场，服务群众3000余人次。", "attribute_metrics")
    assert r.metrics and all(m.about == EntityKey("Organization", "芦淞区委统战部") for m in r.metrics)


@pytest.mark.parametrize("text, name", [
    ("遵义市汇川区\n区“红枫之家”获评省级示范单位。", "汇川区“红枫之家”"),
    ("遵义市委统战部\n市“红枫驿站”正式启用。", "遵义市“红枫驿站”"),
])
def test_level_before_a_quote(text, name):
    r = run(text, "level_before_a_quote")
    assert name in {k.name for k in r.groups}


@pytest.mark.parametrize("text, child, parent", [
    ("七星关区2024年工作总结\n七星关区工商联党组书记王某主持会议。七星关区工商联开展“民企帮村”活动。",
     "七星关区工商联党组", "七星关区工商业联合会"),                     # the parent by its full name
    ("宜昌市2024年工作总结\n宜昌市人大常委会党组召开会议。宜昌市人大常委会开展执法检查。",
     "宜昌市人大常委会党组", "宜昌市人民代表大会常务委员会"),
    ("荆门市2024年工作总结\n荆门市城市管理委员会机关党委书记李某出席。荆门市城市管理委员会开展“清洁城市”行动。",
     "荆门市城市管理委员会机关党委", "荆门市城市管理委员会"),
    ("宜昌市2024年工作总结\n三峡大学党委书记赵某出席。三峡大学开展“校地共建”活动。", "三峡大学党委", "三峡大学"),
    ("荆门市2024年工作总结\n荆门市委编办和荆门市委网信办联合开展“清朗”行动。荆门市委召开会议。",
     "荆门市委编办", "荆门市委"),
    ("荆门市2024年工作总结\n民革荆门市委会主委张某参加会议。中国国民党革命委员会中央领导来荆调研。",
     "民革荆门市委员会", "中国国民党革命委员会"),                       # a democratic party's committee
])
def test_a_body_belongs_to_the_body_its_name_composes_with(text, child, parent):
    r = run(text, "composed_relations")
    assert (child, parent) in {(x.subject.name, x.object.name) for x in r.relations if x.predicate == "subOrganizationOf"}


@pytest.mark.parametrize("text", [
    "荆门市2024年工作总结\n民革荆门市委会主委张某参加会议。",                     # the party itself is not named
    "宜昌市2024年工作总结\n某村党支部开展“党员亮身份”活动。",                    # a village is a place, not a body
])
def test_no_parent_that_the_document_does_not_name(text):
    r = run(text, "composed_relations")
    assert not [x for x in r.relations if x.predicate == "subOrganizationOf"]
