"""Relation rules on made-up reports: each case names the rule it exercises."""
import pytest

from helpers import extraction
from kg.store import LocalStore

HEAD = "滨江区委统战部：凝心聚力\n"


def triples(text):
    x = extraction(HEAD + text)
    return {(r.subject.name, r.predicate, r.object.name) for r in x.relations}


@pytest.mark.parametrize("text,expected", [
    # a cue with the clause's own subject
    ("长河街道党工委组织开展“邻里节”活动。", ("长河街道党工委", "runs", "“邻里节”活动")),
    # no subject of its own: the report's actor
    ("扎实开展“同心护航”行动。", ("滨江区委统战部", "runs", "“同心护航”行动")),
    # quoted names in a list, side by side or joined by 和, share the cue
    ("持续开展“邻里节”“睦邻汇”等活动。", ("滨江区委统战部", "runs", "“睦邻汇”")),
    ("持续开展“三进”和“送温暖”活动。", ("滨江区委统战部", "runs", "“三进”")),
    ("打好蓝天、碧水、净土保卫战。", ("滨江区委统战部", "runs", "净土保卫战")),
    # 联合X: X is a partner, the actor runs the activity
    ("联合区检察院开展“法治同行”活动。", ("滨江区委统战部", "runs", "“法治同行”活动")),
    ("联合区检察院开展“法治同行”活动。", ("滨江区委统战部", "partner", "滨江区人民检察院")),
    # 在X建立 a base: X hosts it, and each coordinated place does
    ("在星光社区、金桥社区建立“侨胞之家”。", ("星光社区", "hosts", "“侨胞之家”")),
    ("在星光社区、金桥社区建立“侨胞之家”。", ("金桥社区", "hosts", "“侨胞之家”")),
    # 依托X建立
    ("依托滨江科技大厦建立“同心驿站”实践创新基地。", ("滨江科技大厦", "hosts", "“同心驿站”实践创新基地")),
    # passive award with its grantor, and a coordinated subject
    ("长河街道、西兴街道被评为市级文明街道。", ("西兴街道", "awarded", "市级文明街道")),
    ("2021年，被浙江省人民政府授予“省级平安单位”称号。", ("省级平安单位", "awardedBy", "浙江省人民政府")),
    # issues, with two documents coordinated by 和
    ("制定印发《联谊会章程》和《议事规则》。", ("滨江区委统战部", "issues", "《议事规则》")),
    # 与X联合出台: a co-issuer
    ("与区法院联合出台《诉调对接办法》。", ("滨江区人民法院", "issues", "《诉调对接办法》")),
    ("与区法院联合出台《诉调对接办法》。", ("滨江区委统战部", "issues", "《诉调对接办法》")),
    # 组织X参加Y: X takes part
    ("组织滨江医院专家参加“健康义诊”活动。", ("滨江医院", "participatesIn", "“健康义诊”活动")),
    # X入驻Y and 辖区X
    ("杭州星云科技有限公司入驻滨江科技大厦。", ("杭州星云科技有限公司", "locatedIn", "滨江科技大厦")),
    # an address written before each coordinated name: each name is a subject, and lies in its address
    ("长河街道星光社区、西兴街道金桥社区被评为文明社区。", ("金桥社区", "awarded", "文明社区")),
    ("长河街道星光社区、西兴街道金桥社区被评为文明社区。", ("星光社区", "locatedIn", "长河街道")),
    # a list of subjects, a comma and an adverb before the verb
    ("南湖大厦、金桥工地，先后被评为文明工地。", ("金桥工地", "awarded", "文明工地")),
    ("南湖大厦、金桥工地，先后被评为文明工地。", ("南湖大厦", "awarded", "文明工地")),
    # an honor in quotes after 荣获 stays one honor
    ("长河街道党工委荣获“钱江杯”优质服务奖。", ("长河街道党工委", "awarded", "“钱江杯”优质服务奖")),
    # names state containment and belonging
    ("杭州市滨江区长河街道开展调研。", ("长河街道", "locatedIn", "滨江区")),
    ("滨江区委统战部、滨江区委召开会议。", ("滨江区委统战部", "subOrganizationOf", "滨江区委")),
])
def test_relation_rules(text, expected):
    assert expected in triples(text)


@pytest.mark.parametrize("text,not_expected", [
    # the hospital is organised, it does not run the activity
    ("组织滨江医院专家开展“健康义诊”活动。", ("滨江医院", "runs", "“健康义诊”活动")),
    # a local body studies a national plenum, it does not hold it
    ("深入开展十九届五中全会宣讲活动。", ("滨江区委统战部", "runs", "十九届五中全会")),
    # 在X建成 a base: X hosts it, the report's actor does not
    ("在星光社区建成“同心驿站”。", ("滨江区委统战部", "hosts", "“同心驿站”")),
    # 协助X成立Y: the reporting body helps, it does not found
    ("协助民主党派成立民盟滨江基层委员会。", ("滨江区委统战部", "establishes", "民盟滨江基层委员会")),
    # 在X成立Y does not make X the founder
    ("在滨江区成立民盟滨江基层委员会。", ("滨江区", "establishes", "民盟滨江基层委员会")),
])
def test_relation_rules_negative(text, not_expected):
    assert not_expected not in triples(text)


def test_every_relation_carries_its_source():
    x = extraction(HEAD + "长河街道党工委组织开展“邻里节”活动。")
    r = next(r for r in x.relations if r.predicate == "runs")
    s = x.sentences[r.provenance.sentence]
    assert x.doc.text[r.provenance.start:r.provenance.end] == s.text and "邻里节" in s.text
    assert r.provenance.rule.startswith("cue:runs") and 0 < r.provenance.confidence <= 1


def test_a_relation_seen_twice_keeps_both_sources(tmp_path):
    from kg.pipeline import build
    from kg import graph
    doc = tmp_path / "r.txt"
    doc.write_text(HEAD + "长河街道党工委开展“邻里节”活动。\n长河街道党工委持续开展“邻里节”活动。\n", encoding="utf-8")
    build([doc], tmp_path / "o", jobs=1, html=False, progress=False)
    store = LocalStore(tmp_path / "o" / "store", create=False, read_only=True).ox
    rows = list(store.query("""SELECT ?start WHERE { ?a rdf:subject ?s ; rdf:predicate kg:runs ; prov:wasDerivedFrom ?x .
                                ?s skos:prefLabel "长河街道党工委"@zh . ?x kg:start ?start }""",
                            prefixes=graph.PREFIXES))
    assert len(rows) == 2
