import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import normalize as _normalize
from kg.model import RawDocument
from kg.normalize import normalize, split_sentences


def norm(text):
    return normalize(RawDocument("t", "t.txt", text, "utf-8"))


@pytest.mark.parametrize("raw,expected", [
    # a line broken mid-sentence, even across a blank line, is joined
    ("侨联工作走在全市前列，全市侨联基层组织建\n\n设经验交流现场会在我区召开。", "侨联工作走在全市前列，全市侨联基层组织建设经验交流现场会在我区召开。"),
    # a headline is not joined to the paragraph after it
    ("坚持政治引领 统战工作有力有效\n人心向背是最大的政治。", "坚持政治引领 统战工作有力有效\n人心向背是最大的政治。"),
    # stray OCR spaces inside running text go; ASCII punctuation and quotes become Chinese
    ('弘扬 "帐篷精神",在全 区成立临时党支部 39个。', "弘扬“帐篷精神”，在全区成立临时党支部39个。"),
    # an ASCII comma after a Chinese character or % ends a clause even before a figure
    ("已全部挂牌达标,92.5%的行政村,88%的社区实现达标。", "已全部挂牌达标，92.5%的行政村，88%的社区实现达标。"),
    # between digits it groups thousands
    ("共接待游客1,200人次。", "共接待游客1,200人次。"),
    # full-width digits and letters become ASCII
    ("完成率达１００％，ＣＣＤ片区。", "完成率达100%，CCD片区。"),
    # a headline dropped into a broken paragraph stays a line of its own
    ("清理各类卫生死角\n\n某某街道 学党史开新局\n\n97853处，清运垃圾。",
     "清理各类卫生死角\n某某街道 学党史开新局\n97853处，清运垃圾。"),
    # bylines keep the spaces between names
    ("本报记者 张三 通讯员 李四", "本报记者 张三 通讯员 李四"),
])
def test_normalize_table(raw, expected):
    assert norm(raw).text == expected


def _back(doc, i):
    return doc.raw[doc.raw_offset(i)]


_PIECES = st.lists(st.sampled_from(
    ["统战", "工作", "。", "，", ",", " ", "\n", "\n\n", '"', "“", "”", "１２", "34", "ＡＢ", "\u3000", "\t",
     "一、", "本报记者", "——", "(", "）", "%"]), max_size=60)


@settings(max_examples=300, deadline=None)
@given(_PIECES)
def test_every_normalized_char_maps_back_to_its_raw_char(pieces):
    raw = "".join(pieces)
    doc = norm(raw)
    for i, ch in enumerate(doc.text):
        r = _back(doc, i)
        same = r == ch or r.translate({0x3000: " ", 0x09: " "}) == ch
        widened = ord(r) >= 0xFF01 and chr(ord(r) - 0xFEE0) == ch
        replaced = r in ',;:!?"' and ch in "，；：！？“”" or (r in "“”" and ch in "“”")
        assert same or widened or replaced, (raw, i, ch, r)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(sorted({chr(c) for c in _normalize._TABLE} | set("统战，, \n\"１a"))) | st.characters(),
               max_size=80))
def test_the_one_for_one_replacements_are_the_tables(text):
    # the table is applied by a pattern of its characters: it must do what translate does
    assert _normalize._CHANGED.sub(lambda m: _normalize._TO[m.group()], text) == text.translate(_normalize._TABLE)


@settings(max_examples=1000, deadline=None)
@given(_PIECES)
def test_normalize_is_idempotent_on_its_output_text(pieces):
    once = norm("".join(pieces)).text
    assert norm(once).text == once


def test_sentences_are_spans_of_the_text():
    doc = norm("标题一\n第一句。第二句！“第三句。”第四句。\n下一段？")
    ss = split_sentences(doc)
    assert [s.text for s in ss] == ["标题一", "第一句。", "第二句！", "“第三句。”", "第四句。", "下一段？"]
    assert all(doc.text[s.start:s.end] == s.text for s in ss)
    assert ss[0].heading and not ss[1].heading
    assert [s.paragraph for s in ss] == [0, 1, 1, 1, 1, 2]


# ---- text a user's files may hold: bad bytes, NULs, control characters




@pytest.mark.parametrize("data,bad", [
    ("黔南州都匀市委统战部开展活动。".encode() + b"\xff" + "继续推进。".encode(), 1),
    (b"\xc3" + "大理州宾川县政协召开会议，总结一年来的工作，部署明年的任务。".encode() * 2 + b"\x80\x80", 3),
    ("西宁市城东区".encode() * 500 + b"\xfe\xfe", 2),
])
def test_a_few_bad_bytes_in_utf8_are_replaced_and_counted(data, bad):
    from kg.ingest import decode
    text, enc, replaced = decode(data)
    assert enc == "utf-8" and replaced == bad and text.count("\ufffd") == bad


def test_gbk_is_not_taken_for_broken_utf8():
    from kg.ingest import decode
    text, enc, replaced = decode("拉萨市城关区八廓街道召开工作会议。".encode("gbk"))
    assert enc == "gb18030" and replaced == 0 and "八廓街道" in text


@pytest.mark.parametrize("junk", ["\x00", "\x00\x00\x07", "\x1b", "\x7f", "\x9b", "\ufeff"])
def test_control_characters_are_dropped_with_offsets_kept(junk):
    from kg.model import RawDocument
    raw = f"喀什地区疏附县{junk}2023年工作总结\n疏附县委组织部{junk}开展“强基”工程。\n"
    doc = normalize(RawDocument("x", "x.txt", raw, "utf-8"))
    assert not any(c in doc.text for c in junk)
    assert "疏附县委组织部开展" in doc.text
    i = doc.text.index("开展")
    assert raw[doc.raw_offset(i):doc.raw_offset(i) + 2] == "开展"


def test_a_build_warns_of_replaced_bytes(tmp_path):
    from conftest import kg as run_kg
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "b.txt").write_bytes("和田地区于田县2022年工作总结\n于田县委组织部开展“先锋”工程。".encode()
                                             + b"\xff\n")
    p = run_kg("build", tmp_path / "in", "-o", tmp_path / "o", "-q", "--jobs", "1")
    assert "warning" in p.stderr and "1 byte that did not decode" in p.stderr and p.returncode == 0


@pytest.mark.parametrize("sep", ["\x0b", "\x0c", "\x85", "\u2028", "\u2029"])
def test_vertical_separators_end_a_line(sep):
    doc = normalize(RawDocument("x", "x.txt", f"阿克苏地区温宿县委组织部开展活动。{sep}温宿县委统战部召开会议。", "utf-8"))
    assert doc.text.splitlines() == ["阿克苏地区温宿县委组织部开展活动。", "温宿县委统战部召开会议。"]


def test_mostly_ascii_gbk_is_not_taken_for_broken_utf8():
    from kg.ingest import decode
    page = ("<html>" + "<p>some markup</p>" * 200 + "阿勒泰市" + "</html>").encode("gbk")
    text, enc, replaced = decode(page)
    assert enc == "gb18030" and "阿勒泰市" in text and replaced == 0


def test_nothing_but_control_characters_is_an_empty_document(tmp_path):
    from kg.pipeline import graph_of_file
    f = tmp_path / "c.txt"
    f.write_bytes(b"\x00\x01\x02 \x1b\x7f" * 100)
    got = graph_of_file(str(f))
    assert isinstance(got, tuple) and "empty document" in got[1]
