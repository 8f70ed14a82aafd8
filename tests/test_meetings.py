"""Meetings, courses and ceremonies, on made-up news items from other provinces."""
import pytest

from helpers import extraction


def events(text):
    return {e.name for e in extraction(text).entities if e.cls == "Event"}


def triples(text, prop):
    return {(r.subject.name, r.object.name) for r in extraction(text).relations if r.predicate == prop}


@pytest.mark.parametrize("text,expected", [
    # a scope word names the area that holds the meeting
    ("3月8日，遵义市汇川区召开全区统战工作会议。", {"汇川区统战工作会议"}),
    ("会议传达了全国、全省、全市宣传部长会议精神。遵义市汇川区委宣传部供稿。",
     {"全国宣传部长会议", "贵州省宣传部长会议", "遵义市宣传部长会议"}),
    # sessions, 暨 and a congress of a body
    ("5月6日，民盟遵义市汇川区第五次代表大会召开。", {"民盟遵义市汇川区第五次代表大会"}),
    ("9月1日，汇川区青年商会成立大会暨第一届理事会第一次会议举行。",
     {"汇川区青年商会成立大会暨第一届理事会第一次会议"}),
    # a course without an area takes the report's own
    ("遵义市汇川区委组织部举办了一期年轻干部培训班。", {"汇川区年轻干部培训班"}),
    # a year, an anniversary, a quoted name inside the name
    ("1月10日，2024年汇川区各界人士新春茶话会举行。", {"2024年汇川区各界人士新春茶话会"}),
    ("遵义市汇川区召开庆祝新中国成立75周年暨民族团结进步座谈会。",
     {"汇川区庆祝新中国成立75周年暨民族团结进步座谈会"}),
    ("汇川区“红城讲堂”开班仪式在区委党校举行。", {"汇川区“红城讲堂”开班仪式"}),
    # a city that convenes: its meeting, whatever districts the report names
    ("4月2日，遵义市召开民营经济人士联席会议，汇川区、红花岗区作交流发言。", {"遵义市民营经济人士联席会议"}),
    # a meeting's word that ends inside 会上
    ("3月3日，从绵阳市统战部长会上获悉，江油市获多项表彰。", {"绵阳市统战部长会"}),
    # a county's short name that jieba reads as a verb stays in the name (建始县: 建始/v)
    ("11月30日，恩施建始商会二届一次会员大会在恩施市召开。", {"恩施建始商会二届一次会员大会"}),
    # national meetings stay as written
    ("深入学习第七次全国民族团结进步表彰大会精神。遵义市汇川区供稿。", {"第七次全国民族团结进步表彰大会"}),
    # a kind of meeting alone, or a verb and its object, is no meeting
    ("会议结束后，召开工作会议，有关人员出席会议。汇川区供稿。", set()),
    ("区领导孙德明、钱雅琴、周平出席会议。遵义市汇川区供稿。", set()),
    # the convener names a session or a generic meeting
    ("3月2日，天水市秦州区政协召开十届二十次常委会议。", {"秦州区政协十届二十次常委会议"}),
    ("5月8日，民盟天水市支部召开换届选举大会。", {"民盟天水市支部换届选举大会"}),
    ("7月22日，天水市秦州区玉泉镇召开党委理论学习中心组学习会。", {"玉泉镇党委理论学习中心组学习会"}),
    # work verbs inside a meeting's name
    ("1月16日，秦州区教育局召开全区教育系统党风廉政建设工作会议。", {"秦州区教育系统党风廉政建设工作会议"}),
    ("秦州区委组织部举办乡村振兴干部能力提升培训班。", {"秦州区乡村振兴干部能力提升培训班"}),
    ("5月9日，天水市秦州区召开区委统战工作领导小组会议。", {"秦州区委统战工作领导小组会议"}),
    # a bare meeting word names no meeting
    ("遵义市汇川区召开会议，区委召开全体会议。", set()),
    # a mechanism named after a meeting is no meeting
    ("遵义市汇川区建立了民营经济联席会议制度。", set()),
    # a plenum of the district's committee, named by the resolver
    ("会议传达了区委十二届五次全会精神。遵义市汇川区供稿。", {"汇川区委十二届五次全会"}),
    ("组织参加“2019遵义教育交流第三届论坛”。遵义市汇川区供稿。", {"“2019遵义教育交流第三届论坛”"}),
    ("组织参加“2019两岸青年创业论坛”。遵义市汇川区供稿。", {"“2019两岸青年创业论坛”"}),
    # a kind of meeting held many times is no one meeting
    ("遵义市汇川区召开企业家恳谈会5次，举办政策宣讲培训班3期。", set()),
])
def test_event_names(text, expected):
    assert events(text) == expected


HEAD = "6月18日，遵义市汇川区召开全区民营经济统战工作会议。"


@pytest.mark.parametrize("text,expected", [
    # attending, chairing, speaking: the meeting the report is about
    (HEAD + "区委常委、统战部部长赵文静出席并讲话，区政协副主席陈立主持会议。",
     {("赵文静", "汇川区民营经济统战工作会议"), ("陈立", "汇川区民营经济统战工作会议")}),
    # a list of officials closed by one verb
    (HEAD + "区委书记王伟，区人大常委会副主任李强，区政协副主席张红出席。",
     {("王伟", "汇川区民营经济统战工作会议"), ("李强", "汇川区民营经济统战工作会议"),
      ("张红", "汇川区民营经济统战工作会议")}),
    # a later sentence where a named person speaks
    (HEAD + "区委书记王伟出席。王伟强调，要优化营商环境。", {("王伟", "汇川区民营经济统战工作会议")}),
    # a representative and the bodies represented, not the body congratulated
    (HEAD + "市委统战部处长刘洋代表遵义市委统战部对会议召开表示祝贺。",
     {("刘洋", "汇川区民营经济统战工作会议"), ("遵义市委统战部", "汇川区民营经济统战工作会议")}),
    # a research visit is no meeting: nobody takes part in one
    ("汇川区委统战部副部长刘洋带队赴红花岗区考察调研。", set()),
    # a byline is no participant
    (HEAD + "（记者张晓宇）", set()),
    # 作 inside 合作 is no verb of taking part
    (HEAD + "西南大学教授李明远及团队与区内企业合作建立研发中心。", set()),
])
def test_participation(text, expected):
    assert triples(text, "participatesIn") == expected


def test_a_long_report_has_no_meeting_of_its_own():
    # a meeting named deep in an annual report is not what the report is about
    text = ("汇川区委统战部2023年工作总结\n今年以来，区委统战部围绕中心工作，凝心聚力。\n"
            "一是加强理论学习。召开全区民营经济人士座谈会。邀请市委党校教授刘明作专题报告。")
    assert triples(text, "participatesIn") == set()


def test_hosted_by():
    text = ("由共青团遵义市委员会和遵义市文明办主办，遵义市志愿者协会承办的"
            "“汇川区志愿服务月启动仪式”在人民广场举行。")
    assert triples(text, "runs") >= {("共青团遵义市委员会", "“汇川区志愿服务月启动仪式”"),
                                     ("遵义市精神文明建设指导委员会办公室", "“汇川区志愿服务月启动仪式”"),
                                     ("遵义市志愿者协会", "“汇川区志愿服务月启动仪式”")}


def test_hosted_by_after_the_meeting():
    text = "6月3日，秦州区基层党组织书记培训班开班。培训班由秦州区委组织部主办。"
    assert ("秦州区委组织部", "秦州区基层党组织书记培训班") in triples(text, "runs")


def test_the_convening_body_runs_the_meeting():
    text = "9月27日，遵义市汇川区委统战部召开党外代表人士座谈会。"
    assert ("汇川区委统战部", "汇川区党外代表人士座谈会") in triples(text, "runs")


def test_a_passive_meeting_has_no_runner():
    text = "3月27日上午，遵义市汇川区党外知识分子联谊会第三次会员大会召开。"
    assert triples(text, "runs") == set()
