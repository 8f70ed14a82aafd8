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
