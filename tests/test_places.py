"""Villages and communities (kg.extract.places.villages, and the suffix grammar's
check on the ones the gazetteer does not list), on made-up sentences."""
import pytest

from helpers import found

AREAS = ["villages", "name_grammar", "gazetteer_places"]


def places(text):
    return {n for c, n in found(text, AREAS) if c == "AdministrativeArea"}


@pytest.mark.parametrize("text, name", [
    # listed names that jieba cuts across (唐/行村, 双/塘村)
    ("今年以来，唐行村组织党员开展志愿服务。", "唐行村"),
    ("双塘村建成了村史馆。", "双塘村"),
    ("华旺社区组织志愿者开展环境整治。", "华旺社区"),
    ("北新村村委会组织村民代表召开会议。", "北新村"),
    ("漳浦县旧镇镇双塘村开展志愿服务。", "双塘村"),                   # after its town's level word
])
def test_listed_villages_and_communities(text, name):
    assert name in places(text)


@pytest.mark.parametrize("text, wrong", [
    ("要充分发挥社区作用，架起社区与居民之间的桥梁。", ("充分发挥社区", "架起社区")),
    ("着力打造样板社区和线上社区。", ("样板社区", "线上社区")),
    ("已初具现代化城市社区的雏形。", ("初具现代化城市社区", "城市社区")),
    ("建设幸福社区、和谐社区。", ("幸福社区", "和谐社区")),          # listed names, but here a kind
])
def test_kinds_of_community_are_no_place(text, wrong):
    assert not set(wrong) & places(text)


def test_a_village_committee_is_its_village():
    from helpers import extraction
    x = extraction("桃源县唐行村村委会组织开展活动。")
    village = next(e for e in x.entities if e.name == "唐行村")
    assert village.cls == "AdministrativeArea"


@pytest.mark.parametrize("text, expected", [
    ("来自泰国、越南和澳大利亚的侨领参加座谈。", {"泰国", "越南", "澳大利亚"}),
    ("阿联酋华侨华人联合会会长一行来访。", set()),                    # inside a longer name
    ("印尼、沙特客商前来洽谈。", {"印度尼西亚", "沙特阿拉伯"}),          # short forms, by the canonical name
    ("中美、中欧班列开行。", set()),                                  # China–US is no country
])
def test_countries(text, expected):
    from helpers import extraction
    got = {e.name for e in extraction(text).entities if e.cls == "AdministrativeArea"}
    assert got == expected


def test_a_county_by_its_bare_short_form_where_the_report_makes_it_its_own():
    from helpers import extraction
    text = ("宁波遂昌商会换届大会召开\n县领导出席会议。县人大常委会副主任王某致辞，希望商会宣传遂昌、推介遂昌，"
            "为遂昌发展献计出力。")
    x = extraction(text)
    assert x.context.get("county") == "遂昌县"
    got = {e.name: e for e in x.entities}
    assert "遂昌" in got["遂昌县"].aliases
    assert "遂昌县人民代表大会常务委员会" in got       # 县人大常委会, now that the county is known


@pytest.mark.parametrize("text", [
    "思想开化，观念更新。",                                   # once, and no county bodies
    "开化县委召开会议。开化、常山两地联动。",                 # the county named in full: the gazetteer's
])
def test_a_bare_short_form_is_no_county_otherwise(text):
    got = {n for c, n in found(text, ["county_short_forms"])}
    assert got == set()


def test_a_prefecture_word_means_the_autonomous_prefecture():
    from helpers import extraction
    x = extraction("凉山州召开民族团结进步工作会议。会上，州民宗委作了发言。")
    names = {e.name for e in x.entities}
    assert "凉山彝族自治州民族宗教事务委员会" in names
