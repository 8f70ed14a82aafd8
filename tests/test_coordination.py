import pytest

from helpers import found


@pytest.mark.parametrize("text,component,expected", [
    ("得到省、市委统战部的认可。", "level_ellipsis",
     {("PartyOrganization", "省委统战部"), ("PartyOrganization", "市委统战部")}),
    ("在区人大、政府、政协换届中。", "org_series",
     {("GovernmentAgency", "区人大"), ("GovernmentAgency", "区政府"), ("GovernmentAgency", "区政协")}),
    ("打好蓝天、碧水、净土保卫战。", "shared_suffix",
     {("Program", "蓝天保卫战"), ("Program", "碧水保卫战"), ("Program", "净土保卫战")}),
    ("推动星河湾、锦绣园、翠湖苑等项目落地。", "listed_kind",
     {("Project", "星河湾"), ("Project", "锦绣园"), ("Project", "翠湖苑")}),
    ("坚决落实市委、市政府部署。", "party_committees", {("PartyOrganization", "市委")}),
    ("在中共余杭区委的领导下。", "party_committees", {("PartyOrganization", "余杭区委")}),
    ("庆祝中国共产党成立100周年。", "national_bodies", {("PartyOrganization", "中国共产党")}),
    ("被教育部评为实验校。", "national_bodies", {("GovernmentAgency", "教育部")}),
    # a short national name stands for the full one: one node either way
    ("经国务院侨办和国务院侨务办公室审核。", "national_bodies", {("GovernmentAgency", "国务院侨务办公室")}),
    ("中国科协、中国文联联合发文。", "national_bodies",
     {("MassOrganization", "中国科学技术协会"), ("MassOrganization", "中国文学艺术界联合会")}),
])
def test_coordination_table(text, component, expected):
    got = found(text, [component])
    assert expected <= got, got


def test_listed_items_need_something_specific():
    assert found("推动防疫、环保、安全等项目。", ["listed_kind"]) == set()


def test_party_committee_is_not_part_of_another_word():
    assert found("社区委员会召开会议。", ["party_committees"]) == set()


@pytest.mark.parametrize("text", [
    "建成了医疗卫生、家政服务、文化教育等设施。",       # kinds of service, not programs
    "组织开展植树、义诊活动。",                         # unquoted work, not named programs
])
def test_shared_suffix_makes_no_program_of_kinds_of_work(text):
    assert found(text, ["shared_suffix"]) == set()


@pytest.mark.parametrize("text, expected", [
    # a counted list whose count is its length: each item is a name of the kind
    ("打造金秋汇智、金秋健康、金秋益行三个平台。",
     {("Base", "金秋汇智"), ("Base", "金秋健康"), ("Base", "金秋益行")}),
    ("开设了金秋直通车、最美金秋人两个载体。", {("Program", "金秋直通车"), ("Program", "最美金秋人")}),
    ("推动防疫、环保、安全三项工程。", set()),                      # single ordinary words
    ("打造金秋汇智、金秋健康两个平台和三个载体。", {("Base", "金秋汇智"), ("Base", "金秋健康")}),
])
def test_counted_lists(text, expected):
    assert found(text, ["listed_kind"]) == expected
