"""Resolution on short made-up reports from other cities."""
from helpers import extraction


def names(x):
    return {(e.cls, e.name) for e in x.entities}


REPORT = """成都市武侯区委统战部
今年以来，武侯区委统战部组织开展“同心惠民”活动。区委统战部联合区工商联走访企业50家。
我区玉林街道建有“蓉城同心”实践创新基地。成都市武侯区新的社会阶层人士联谊会（以下简称“武侯区新联会”）成立三年来，武侯区新联会开展活动20场。
"""


def test_context_comes_from_the_places_the_report_names():
    x = extraction(REPORT)
    assert x.context["county"] == "武侯区"
    assert x.context["city"] == "成都市"
    assert x.context["province"] == "四川省"


def test_context_dependent_names_are_completed():
    got = names(extraction(REPORT))
    assert ("PartyOrganization", "武侯区委统战部") in got
    assert ("MassOrganization", "武侯区工商联") in got
    assert not any(n.startswith("区委") for _, n in got)


def test_higher_prefix_repeating_context_makes_no_second_node():
    x = extraction(REPORT)
    unit = [e for e in x.entities if e.name == "武侯区委统战部"]
    assert len(unit) == 1 and not any(e.name == "成都市武侯区委统战部" for e in x.entities)


def test_declared_abbreviation_is_an_alias():
    x = extraction(REPORT)
    lhh = [e for e in x.entities if e.cls == "MassOrganization" and "联谊会" in e.name]
    assert len(lhh) == 1 and "武侯区新联会" in lhh[0].aliases
    assert not any(e.name == "武侯区新联会" for e in x.entities)


def test_areas_carry_gazetteer_code_and_containment():
    x = extraction(REPORT)
    area = next(e for e in x.entities if e.name == "武侯区")
    assert area.code and area.code.startswith("5101")
    assert area.within.name == "成都市"


def test_topic_subject_is_the_reports_actor():
    x = extraction(REPORT)
    runs = {(r.subject.name, r.object.name) for r in x.relations if r.predicate == "runs"}
    assert ("武侯区委统战部", "“同心惠民”活动") in runs


def test_relations_and_metrics_carry_provenance():
    x = extraction(REPORT)
    assert x.relations and x.metrics
    for r in list(x.relations) + [m.provenance for m in x.metrics]:
        p = r.provenance if hasattr(r, "provenance") else r
        s = x.sentences[p.sentence]
        assert (s.start, s.end) == (p.start, p.end) and x.doc.text[p.start:p.end] == s.text
