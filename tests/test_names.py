"""Name-grammar edges: made-up sentences; expectations follow from the rules."""
import pytest

from helpers import found


def names(text, components=("name_grammar",)):
    return {n for _, n in found(text, list(components))}


@pytest.mark.parametrize("text,name", [
    ("促成解放路小学与友好学校结对。", "解放路小学"),            # 路 glues to the word before it
    ("推进人民路断头路打通工程。", "人民路断头路打通工程"),
    ("联合区科技局开展评审。", "区科技局"),                      # a dictionary word after a level word
    ("会同区工信局调研。", "区工信局"),                          # single characters after a level word
    ("在6号线五一路站设点。", "6号线五一路站"),                   # numbers inside names stay
    ("依托“同心圆”新阶层人士实践创新基地。", "“同心圆”新阶层人士实践创新基地"),
    ("被评为省级示范基地。", "省级示范基地"),
    ("市住建委召开会议。", "市住建委"),                          # a commission written short, after its level
    ("区人大常委会听取汇报。", "区人大常委会"),
    ("长丰街道派出所民警。", "长丰街道派出所"),
    ("市公安局交警支队。", "市公安局交警支队"),                  # a unit after the body it belongs to
    ("江苏陶都新材料科技有限公司年产5万吨特种陶瓷项目开工。", "江苏陶都新材料科技有限公司年产5万吨特种陶瓷项目"),
    ("在西望村、洑东村建成服务中心。", "西望村"),                  # single characters before 村
    ("在西望村、洑东村建成服务中心。", "洑东村"),                  # a character before a word ending in 村
    # sites: museums, halls, hotels, religious sites, scenic areas
    ("组织参观遵义会议纪念馆和红军山烈士陵园。", "遵义会议纪念馆"),
    ("参观了黔东南州民族博物馆。", "黔东南州民族博物馆"),
    ("大会在凯里市金泉湖大酒店召开。", "金泉湖大酒店"),
    ("前往灵隐寺开展宗教政策宣讲。", "灵隐寺"),
    ("在草海国家湿地公园开展志愿服务。", "草海国家湿地公园"),
    # bases: stations, posts, centres and reading rooms with a specific name
    ("“红石榴”志愿服务驿站揭牌。", "“红石榴”志愿服务驿站"),
    ("依托云冈区侨界工作站开展服务。", "云冈区侨界工作站"),
    ("建成“同心”农家书屋。", "“同心”农家书屋"),
    # bodies: federations, associations, a democratic party's branch
    ("泰国华侨华人联合会来访。", "泰国华侨华人联合会"),
    ("民盟云冈区总支开展活动。", "民盟云冈区总支"),
    ("沿文化路、幸福大街设置宣传栏。", "文化路"),                  # a road may be named by any word
    ("依托乌江渡水电厂开展共建。", "乌江渡水电厂"),                # plants, banks, cooperatives
    ("与贵阳农商银行签订协议。", "贵阳农商银行"),
    ("民盟遵义市委会开展调研。", "民盟遵义市委会"),                 # a place jieba tags a verb (遵义 v)
])
def test_names_found(text, name):
    assert name in names(text)


@pytest.mark.parametrize("text,not_a_name", [
    ("学好党史开新局。", "开新局"),              # a one-character suffix after a lone character
    ("统筹发展格局。", "发展格局"),              # 格局 is an ordinary word
    ("完成60余个小区改造。", "60余个小区"),      # counts end a name
    ("为群众送去党和政府的温暖。", "党和政府"),   # a coordination, not one body
    ("统筹推进老旧小区改造。", "老旧小区"),      # generic modifiers only
    ("落实市区两级政府部署。", "市区两级政府"),  # a scope word
    ("在后社区巡查。", "后社区"),                # a one-character body names no place
    ("拓宽思路谋项目。", "拓宽思路谋项目"),       # a weak suffix without anything specific
    ("纪委监委合署办公。", "监委"),               # a short commission needs its level or place
    ("推进新农村建设。", "新农村"),               # an adjective before 农村 names no village
    ("全市新建村级党群服务中心126个。", "新建村级党群服务中心"),  # a description of a kind
    ("建好用好党员活动室和服务中心。", "活动室和服务中心"),
    ("各村新建文化活动中心。", "新建文化活动中心"),                 # a kind, nothing specific
    ("来到酒店参加活动。", "酒店"),                                # a bare suffix
    ("成为凯里市城市社区建设重点。", "城市社区"),                  # a kind of community after a city
    ("充分发挥社区党委作用。", "充分发挥社区党委"),                # 社区 is no place by itself
])
def test_not_names(text, not_a_name):
    assert not any(not_a_name in n for n in names(text))


def test_site_with_its_area_in_front_is_two_mentions():
    got = found("在平安里街道星河互联网大厦设立服务点。", ["name_grammar", "gazetteer_places"])
    assert ("Site", "星河互联网大厦") in got


@pytest.mark.parametrize("text, name, written", [
    ("大会在凯里市金泉湖大酒店召开。", "金泉湖大酒店", "凯里市金泉湖大酒店"),
    ("凯里市“石榴籽之家”揭牌。", "“石榴籽之家”", "凯里市“石榴籽之家”"),
    ("走访了凯里市双塘村。", "双塘村", "凯里市双塘村"),
])
def test_a_site_written_after_its_area_is_named_so_too(text, name, written):
    from helpers import extraction
    e = next(e for e in extraction(text).entities if e.name == name)
    assert written in e.aliases


def test_completed_context_form_ends_the_name():
    got = names("西湖区委区政府高度重视。", ["name_grammar", "party_committees"])
    assert "西湖区委区政府" not in got


def test_fine_class_from_prefix():
    got = found("民进西湖基层委员会开展活动。", ["name_grammar"])
    assert ("DemocraticParty", "民进西湖基层委员会") in got
