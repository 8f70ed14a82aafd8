"""Officials and their posts, on made-up news items from other provinces and bodies."""
import pytest
from hypothesis import given, strategies as st

from helpers import extraction
from kg.extract import officials


def memberships(text):
    x = extraction(text)
    return {(r.subject.name, r.object.name, r.post) for r in x.relations if r.predicate == "memberOf"}


def people(text):
    return {e.name for e in extraction(text).entities if e.cls == "Person"}


# A report from 涪城区 (绵阳市, 四川省) unless the text names another area.
FC = "绵阳市涪城区召开民营经济发展大会。"


@pytest.mark.parametrize("text,expected", [
    # a chain: committee post, then a department written bare, which belongs to that committee
    (FC + "区委常委、统战部部长赵文静出席并讲话。",
     {("赵文静", "涪城区委", "常委"), ("赵文静", "涪城区委统战部", "部长")}),
    # 中共 before the committee is dropped from the canonical name
    (FC + "中共涪城区委常委、组织部部长钱志刚主持会议。",
     {("钱志刚", "涪城区委", "常委"), ("钱志刚", "涪城区委组织部", "部长")}),
    # a contracted department post: 宣传部长 = 宣传部 + 部长
    (FC + "区委常委、宣传部长孙丽华作报告。",
     {("孙丽华", "涪城区委", "常委"), ("孙丽华", "涪城区委宣传部", "部长")}),
    # a Party cell of a body: 党组副书记; a bare post after it serves the cell's parent
    (FC + "区人大常委会党组副书记、副主任周建国致辞。",
     {("周建国", "涪城区人大常委会党组", "副书记"), ("周建国", "涪城区人民代表大会常务委员会", "副主任")}),
    # a head of government without a body: the level's people's government
    (FC + "区委副书记、区长郑海涛讲话。",
     {("郑海涛", "涪城区委", "副书记"), ("郑海涛", "涪城区人民政府", "区长")}),
    # items joined by a comma where the text before it ends with a post
    (FC + "区委常委、统战部部长，区政协党组副书记冯晓东出席。",
     {("冯晓东", "涪城区委", "常委"), ("冯晓东", "涪城区委统战部", "部长"), ("冯晓东", "涪城区政协党组", "副书记")}),
    # another city's officials keep their own place (the province before it is an alias)
    (FC + "甘肃省天水市委常委、统战部部长何立群带队考察。",
     {("何立群", "天水市委", "常委"), ("何立群", "天水市委统战部", "部长")}),
    # a body, then the name, then the post
    (FC + "区委组织部黄思远科长参加调研。", {("黄思远", "涪城区委组织部", "科长")}),
    # 和 inside one body's name
    (FC + "西南科技大学国际交流与合作处处长罗一鸣出席。",
     {("罗一鸣", "西南科技大学国际交流与合作处", "处长")}),
    # a democratic party's committee with a context level (民盟市委 → 民盟绵阳市委)
    (FC + "民盟市委副主委蒋雨辰参加会议。", {("蒋雨辰", "民盟绵阳市委", "副主委")}),
    # a subdistrict's Party working committee, completed from the report's subdistrict
    ("绵阳市涪城区城厢街道召开居民议事会。街道党工委书记邓海波主持会议。",
     {("邓海波", "城厢街道党工委", "书记")}),
    # a list of names after one chain: each holds the posts
    (FC + "民革会员汪晨、傅思雨、卢海平等参加活动。",
     {("汪晨", "民革", "会员"), ("傅思雨", "民革", "会员"), ("卢海平", "民革", "会员")}),
    # a bare body that stands for nothing (学院党总支) gives a person, not a membership
    (FC + "学院党总支书记侯佳宁主持。", set()),
    # a working committee written bare belongs to the area before it
    (FC + "区委组织部副部长、“两新”工委书记吕晓峰出席。",
     {("吕晓峰", "涪城区委组织部", "副部长"), ("吕晓峰", "涪城区“两新”工委", "书记")}),
    # a person with a post and a title ends a body's name: two people, two bodies
    (FC + "西南科技大学党委宣传部部长许嘉教授和西南科技大学团委书记贾明远分别作讲座。",
     {("许嘉", "西南科技大学党委宣传部", "部长"), ("贾明远", "西南科技大学团委", "书记")}),
    # a chain of bare posts serves the body the chain before it in the sentence named
    (FC + "区人大常委会主任丁志强主持会议，副主任马玉兰，党组成员、秘书长周涛出席。",
     {("丁志强", "涪城区人民代表大会常务委员会", "主任"), ("马玉兰", "涪城区人民代表大会常务委员会", "副主任"),
      ("周涛", "涪城区人大常委会党组", "成员"), ("周涛", "涪城区人民代表大会常务委员会", "秘书长")}),
    # a name whose last character begins the verb after it
    (FC + "区委常委、统战部部长王静陪同调研。", {("王静", "涪城区委", "常委"), ("王静", "涪城区委统战部", "部长")}),
    # a transliterated name with a middle dot
    (FC + "区委副书记艾尔肯·吐尔逊出席。", {("艾尔肯·吐尔逊", "涪城区委", "副书记")}),
    # the committee (区委) is no short form of its commission for discipline
    (FC + "区委书记陈海出席。区纪委监委书记刘强讲话。",
     {("陈海", "涪城区委", "书记"), ("刘强", "涪城区纪委监委", "书记")}),
    # a subdistrict's office after its Party working committee
    ("绵阳市涪城区城厢街道召开居民议事会。街道党工委书记、办事处主任邓海波主持会议。",
     {("邓海波", "城厢街道党工委", "书记"), ("邓海波", "城厢街道办事处", "主任")}),
    # a teacher of a Party school
    (FC + "区委党校讲师刘晓东作专题辅导。", {("刘晓东", "涪城区委党校", "讲师")}),
    # a bureau by its short name stays one body
    (FC + "区人社局局长郑文出席。", {("郑文", "涪城区人力资源和社会保障局", "局长")}),
    # a staff post named by its work
    (FC + "区委统战部统战信息员蔡晓琳被通报表扬。", {("蔡晓琳", "涪城区委统战部", "信息员")}),
])
def test_title_chains(text, expected):
    assert memberships(text) == expected


@pytest.mark.parametrize("text,expected", [
    # bylines and credits, names written without spaces
    ("涪城区举行志愿服务月启动仪式\n本报讯（记者张晓宇通讯员林雪）3月2日，活动举行。", {"张晓宇", "林雪"}),
    ("活动举行。\n（编辑：孙婷婷 责编：赵磊 终审：钱卫国）", {"孙婷婷", "赵磊", "钱卫国"}),
    ("活动举行。\n撰稿：周可欣初审：吴天明", {"周可欣", "吴天明"}),
    # an outlet named by a short place name, then the reporters, then the date
    ("江油融媒张晓月陈文3月7日，江油市“同心苑”揭牌。", {"张晓月", "陈文"}),
    # names in parentheses closing the article, after the body they write for, before 摄
    ("活动举行，共300余人参加。（黄一帆 郑小雨）", {"黄一帆", "郑小雨"}),
    ("活动举行。\n（涪城区委统战部 蒋晓丽）", {"蒋晓丽"}),
    ("活动举行。（郑小雨 摄）", {"郑小雨"}),
    ("活动举行。\n文/图 涪城区政协办公室 王晓", {"王晓"}),
    ("会议召开。（区委宣传部）", set()),
    # leaders named without a post
    ("3月5日，座谈会召开。县领导孙德明、钱雅琴、周平出席会议。", {"孙德明", "钱雅琴", "周平"}),
    # a speaker opening a clause; a later mention of a named person
    ("座谈会召开。区委书记韩立军出席。韩立军指出，要抓好落实。", {"韩立军"}),
    ("记者了解到，马晓东表示，将继续推进。", {"马晓东"}),
    # words that begin with a surname are no people
    ("以党建书记项目为抓手，推进方面工作，强调要求。", set()),
    ("被省人民政府授予“民族团结进步模范集体”荣誉称号。", set()),
    ("列清工作名称、时间节点、负责人和责任领导。", set()),
])
def test_people(text, expected):
    assert people(text) == expected


def test_a_province_before_a_city_is_an_alias():
    x = extraction(FC + "甘肃省天水市委常委、统战部部长何立群带队考察。")
    assert "甘肃省天水市委" in next(e for e in x.entities if e.name == "天水市委").aliases


def test_reporter_of_an_outlet_named_in_the_byline():
    got = memberships("活动举行。（涪城区融媒体中心记者赵倩）")
    assert got == {("赵倩", "涪城区融媒体中心", "记者")}


def test_reporter_is_a_member_of_the_outlet():
    text = "绵阳新闻网讯（记者张晓宇 通讯员林雪）3月2日，涪城区举行志愿服务月启动仪式。"
    assert ("张晓宇", "绵阳新闻网", "记者") in memberships(text)
    assert not any(p == "林雪" for p, _, _ in memberships(text))


@pytest.mark.parametrize("text,expected", [
    ("大会选举产生了民建涪城区第三届委员会，孙立新当选为民建涪城区第三届委员会主任委员，"
     "王思源、陈可为当选为副主任委员。",
     {("孙立新", "民建涪城区委员会", "主任委员"), ("王思源", "民建涪城区委员会", "副主任委员"),
      ("陈可为", "民建涪城区委员会", "副主任委员")}),
    # 第二届理事会: the association whose congress it is
    ("绵阳市涪城区青年商会第二届会员大会召开。周俊峰当选第二届理事会会长。涪城区青年商会现有会员120家。",
     {("周俊峰", "涪城区青年商会", "会长")}),
])
def test_elections(text, expected):
    assert expected <= memberships(text)


@pytest.mark.parametrize("text,expected", [
    # the body the congress elected before, in the same paragraph
    ("大会选举产生了民进涪城区第三届委员会，赵雅婷当选为主委，李慧心、孙浩然当选为副主委。",
     {("赵雅婷", "民进涪城区委员会", "主委"), ("李慧心", "民进涪城区委员会", "副主委"),
      ("孙浩然", "民进涪城区委员会", "副主委")}),
    # a term after the body is no part of it
    ("陈志远当选为涪城区工商联第五届主席。", {("陈志远", "涪城区工商业联合会", "主席")}),
    # 选举王某为…
    ("大会选举刘台生为台盟绵阳市第一届委员会主委。", {("刘台生", "台盟绵阳市委员会", "主委")}),
])
def test_elected_to_a_body(text, expected):
    assert memberships(text) == expected


@pytest.mark.parametrize("text,expected", [
    (FC + "张明远任涪城区教育局局长。", {("张明远", "涪城区教育局", "局长")}),
    (FC + "会议决定，任命李思源为区科技局副局长。", {("李思源", "涪城区科学技术局", "副局长")}),
    (FC + "会议增补王海涛为区政协委员。", {("王海涛", "政协涪城区委员会", "委员")}),
])
def test_appointments(text, expected):
    assert memberships(text) == expected


def test_a_party_branch_in_a_chain_keeps_its_party():
    text = FC + "农工党绵阳市委会副主委、涪城区支部主委冯雪梅汇报工作。"
    assert memberships(text) == {("冯雪梅", "农工党绵阳市委员会", "副主委"), ("冯雪梅", "农工党涪城区支部", "主委")}


def test_joining_a_body():
    text = FC + "民进会员韩雪、魏东等加入涪城区新联会。"
    got = memberships(text)
    assert ("韩雪", "涪城区新的社会阶层人士联谊会", "会员") in got and ("魏东", "民进", "会员") in got


def test_person_identity_is_the_name_within_an_area():
    a = extraction("绵阳市涪城区召开会议。区委书记王伟出席。")
    b = extraction("天水市秦州区召开会议。区委书记王伟出席。")
    ka = {e.key for e in a.entities if e.cls == "Person"}
    kb = {e.key for e in b.entities if e.cls == "Person"}
    assert ka != kb and {k.name for k in ka} == {k.name for k in kb} == {"王伟"}
    c = extraction("涪城区召开座谈会。区委书记王伟主持。")
    assert ka == {e.key for e in c.entities if e.cls == "Person"}


@pytest.mark.parametrize("name,ok", [
    ("王伟", True), ("欧阳明华", True), ("项目", False), ("方面", False), ("张经理", False),
    ("曾表示", False), ("和监事", False), ("李市长", False), ("王", False), ("王小明明", False),
])
def test_is_name(name, ok):
    assert officials.is_name(name) is ok


NAMES = st.sampled_from(["王伟", "李小红", "张国强", "陈静", "欧阳明华", "周平", "吴天明"])


@given(st.lists(NAMES, min_size=1, max_size=4))
def test_split_names_covers_a_run_of_names(names):
    run = "".join(names)
    parts = officials.split_names(run)
    assert parts is not None
    assert "".join(run[s:e] for s, e in parts) == run
    assert all(officials.is_name(run[s:e]) for s, e in parts)


def test_offsets_of_people_and_bodies_point_at_the_text():
    from helpers import context_of
    ctx = context_of(FC + "区委常委、统战部部长赵文静出席并讲话。县领导孙德明出席。")
    for m in ctx.mentions:
        assert ctx.doc.text[m.start:m.end] == m.text
