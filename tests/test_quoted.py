import pytest

from helpers import found


@pytest.mark.parametrize("text,expected", [
    ("开展“红色课堂”“绿色家园”等系列活动。", {("Program", "“红色课堂”"), ("Program", "“绿色家园”")}),
    ("举办“2021长三角城市教育论坛”。", {("Event", "“2021长三角城市教育论坛”")}),      # classed by its last word
    ("建成“侨胞之家”。", {("Base", "“侨胞之家”")}),
    ("以“民生实事”为抓手。", {("Program", "“民生实事”")}),                         # cue after the quote
    ("坚持“三个务必”。", {("Concept", "“三个务必”")}),                             # a numbered formula
    ("坚持“问需于民、问计于民”。", {("Concept", "“问需于民、问计于民”")}),
    ("开展“强基、惠民、促稳”。", {("Program", "“强基、惠民、促稳”")}),                # a program cue before it
    ("做到“强基、惠民、促稳”。", {("Concept", "“强基、惠民、促稳”")}),
    ("推行“楼长制”工作模式。", {("Program", "“楼长制”工作模式")}),
])
def test_quoted_table(text, expected):
    assert expected <= found(text, ["quoted_names"])


@pytest.mark.parametrize("text,person", [
    ("网格员入户走访。 王晓峰 摄", "王晓峰"),
    ("李红梅等3人被评为先进个人。", "李红梅"),
    ("邀请，赵立新教授作报告。", "赵立新"),
    ("本报记者 周建 通讯员 欧阳明 文/图", "欧阳明"),
])
def test_people(text, person):
    assert ("Person", person) in found(text, ["people"])


def test_people_need_a_surname_and_a_cue():
    assert found("强化组织等3人。", ["people"]) == set()       # 强 is no surname
    assert found("王晓峰同样重要。", ["people"]) == set()        # no role cue


def test_session_of_a_committee():
    got = found("贯彻余杭区委十四届五次全会精神。", ["congresses"])
    assert ("Event", "余杭区委十四届五次全会") in got
