import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# the session pattern is tried only where a session is written (届…次全会): the same
# matches as trying it at every character, over text made of its own pieces
_PIECES = ["中共", "某", "甲", "乙", "省", "市", "区", "县", "委", "一", "二", "十", "届", "次", "全会",
           "全体会议", "，", "召开", "党的", "大"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_sessions_are_the_session_pattern_s_matches(text):
    from kg.extract.quoted import _SESSION, _sessions
    assert [(m.span(), m.groups()) for m in _sessions(text)] == \
        [(m.span(), m.groups()) for m in _SESSION.finditer(text)]


@pytest.mark.parametrize("text,session", [
    ("中共黎平县委十一届五次全会召开。", "中共黎平县委十一届五次全会"),
    ("会议传达了乌海市委十届九次全体会议精神。", "乌海市委十届九次全体会议"),
    ("学习十九届六次全会精神", "十九届六次全会"),
])
def test_a_session_keeps_its_committee(text, session):
    assert ("Event", session) in {(c, n) for c, n in found(text, ["congresses"])}


from kg.extract import quoted  # noqa: E402

_CLASSES = {s: c for _, classes in quoted._tail_suffixes() for s, c in classes.items()}
_SUFFIXES = sorted(_CLASSES)


def _first_listed_suffix(content: str):
    """The class by its definition: the longest listed suffix the content ends with,
    with two or more characters of name before it."""
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if content.endswith(suffix) and len(content) > len(suffix) + 1:
            return _CLASSES[suffix]
    return None


@settings(max_examples=300, deadline=None)
@given(st.text("东西南北山水同心和美", max_size=4), st.sampled_from(_SUFFIXES), st.sampled_from(["", "之", "中心", "基地"]))
def test_a_quoted_names_class_is_that_of_its_longest_listed_suffix(head, suffix, tail):
    content = head + suffix + tail
    assert quoted._tail_class(content) == _first_listed_suffix(content)
