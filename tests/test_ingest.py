import codecs

import pytest

from kg import ingest
from kg.errors import InputError

TEXT = "郑州市二七区委统战部开展“同心”活动。\n"


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8-sig"),
    ("gb18030", "gb18030"),
    ("gbk", "gb18030"),
    ("utf-16", "utf-16"),          # with BOM
    ("utf-16-le", "utf-16-le"),    # no BOM
    ("utf-16-be", "utf-16-be"),
])
def test_decode_detects_encodings(encoding, expected):
    data = TEXT.encode(encoding)
    text, enc, replaced = ingest.decode(data)
    assert text.lstrip("\ufeff") == TEXT
    assert enc == expected and replaced == 0


def test_read_html_keeps_text_drops_script(tmp_path):
    f = tmp_path / "r.html"
    f.write_text("<html><head><title>标题</title><script>alert(1)</script></head>"
                 "<body><p>第一段。</p><div>第二段&amp;内容</div></body></html>", encoding="utf-8")
    raw = ingest.read(f)
    assert "alert" not in raw.raw
    assert raw.raw.splitlines() == ["标题", "第一段。", "第二段&内容"]


def test_discover_recursive_and_reports_problems(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "x.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a" / "y.HTM").write_text("<p>文本</p>", encoding="utf-8")
    (tmp_path / "a" / "b" / "z.pdf").write_bytes(b"%PDF")
    (tmp_path / "a" / "b" / "t.xlsx").write_bytes(b"PK")
    (tmp_path / "w.wps").write_bytes(b"PK")
    files, problems = ingest.discover([tmp_path / "a", tmp_path / "w.wps", tmp_path / "missing"])
    assert [(f.name, f.id) for f in files] == [("b/z.pdf", "b/z"), ("x.txt", "x"), ("y.HTM", "y")]
    assert {p.split("/")[-1]: why.split(" ")[:2] for p, why in problems} == {
        "t.xlsx": ["a", "spreadsheet:"], "w.wps": ["a", "WPS"], "missing": ["no", "such"]}


def test_empty_file_is_an_input_error(tmp_path):
    f = tmp_path / "e.txt"
    f.write_bytes(codecs.BOM_UTF8 + b"  \n")
    with pytest.raises(InputError, match="empty"):
        ingest.read(f)
