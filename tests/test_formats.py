"""PDF, DOCX, legacy .doc and the files kg cannot read, each made in the test and
built through the real CLI."""
import json
import os
import stat
import sys

import pytest

import documents as D
from conftest import kg

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def query(out, sparql):
    return json.loads(kg("query", sparql, "--store", out / "store", "--format", "json").stdout)


def relations(*files, env=None):
    """{(subject, property, object)} that kg extract finds in ``files``."""
    p = kg("extract", *files, env=env)
    return {(r["subject"], r["property"], r["object"]) for line in p.stdout.splitlines()
            for r in json.loads(line)["relations"]}


def metrics(*files):
    p = kg("extract", *files)
    return {(m["about"], m["indicator"], m["value"], m["unit"]) for line in p.stdout.splitlines()
            for m in json.loads(line)["metrics"]}


def test_a_pdf_gives_what_its_text_gives_and_says_the_page(tmp_path):
    pdf = D.pdf(tmp_path / "in" / "report.pdf", [D.REPORT[:3], D.REPORT[3:]])
    txt = D.text_file(tmp_path / "twin" / "report.txt", D.REPORT)
    assert relations(pdf) == relations(txt) and relations(pdf)
    assert metrics(pdf) == metrics(txt) and metrics(pdf)
    p = kg("build", pdf, "-o", tmp_path / "o")
    assert "skipped" not in p.stdout
    doc = query(tmp_path / "o", "SELECT ?n ?type WHERE { ?d a kg:SourceDocument ; kg:pageCount ?n ; dcat:mediaType ?type }")
    assert doc == [{"n": "2", "type": "https://www.iana.org/assignments/media-types/application/pdf"}]
    # each relation's sentence says the page it is on: the last line is alone on page 2
    rows = query(tmp_path / "o", """SELECT ?text ?page WHERE { ?a a kg:Assertion ; prov:wasDerivedFrom ?s .
                                    ?s kg:text ?text ; kg:page ?page }""")
    pages = {r["text"]: int(r["page"]) for r in rows}
    assert pages and all(pages[t] == (2 if t == D.REPORT[3] else 1) for t in pages)
    assert D.REPORT[3] in pages


def test_a_docx_is_read_in_document_order_with_its_tables(tmp_path):
    table = [["单位", "活动"], ["县工商联", "“侨商讲堂”培训班"]]
    f = D.docx(tmp_path / "r.docx", [D.REPORT[0], D.REPORT[1], table, D.REPORT[3]])
    rec = json.loads(kg("extract", f).stdout)
    order = {}
    for m in rec["mentions"]:
        order.setdefault(m["name"], m["start"])
    # a mention of the paragraph before the table, one in the table, one in the paragraph after
    assert order["“侨心暖万家”活动"] < order["县工商联"] < order["“侨胞之家”"]
    assert relations(f) >= relations(D.text_file(tmp_path / "twin.txt", [D.REPORT[0], D.REPORT[1], D.REPORT[3]]))
    kg("build", f, "-o", tmp_path / "o")
    rows = query(tmp_path / "o", "SELECT ?t WHERE { ?s a kg:Sentence ; kg:text ?t }")
    assert "县工商联 | “侨商讲堂”培训班" in {r["t"] for r in rows}      # a row is one line, its cells apart


def _fake_antiword(folder):
    """An antiword on PATH that prints the text after the compound-file header of the
    file it is given, so the test sees kg hand the .doc over and read what comes back."""
    folder.mkdir()
    exe = folder / "antiword"
    exe.write_text(f"#!{sys.executable}\nimport sys\ndata = open(sys.argv[-1], 'rb').read()\n"
                   f"assert data[:8] == {OLE!r}, 'not the .doc kg was given'\n"
                   "sys.stdout.buffer.write(data[8:])\n", encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return folder


def test_a_legacy_doc_goes_through_antiword_when_it_is_installed(tmp_path):
    doc = tmp_path / "in" / "old.doc"
    doc.parent.mkdir()
    doc.write_bytes(OLE + "\n".join(D.REPORT).encode("utf-8"))
    path = f"{_fake_antiword(tmp_path / 'bin')}{os.pathsep}{os.environ['PATH']}"
    p = kg("build", doc.parent, "-o", tmp_path / "o", env={"PATH": path})
    assert p.returncode == 0 and "documents   1" in p.stdout
    assert relations(doc, env={"PATH": path}) == relations(D.text_file(tmp_path / "twin.txt", D.REPORT))


def _wps(f):
    f.write_bytes(OLE + b"\0" * 504)


def _ofd(f):
    f.write_bytes(b"PK\x03\x04OFD.xml")


def _doc(f):
    f.write_bytes(OLE + "正文".encode("utf-16-le"))


def _scan(f):
    D.scanned_pdf(f)


def _locked(f):
    D.pdf(f, [D.REPORT], password="秘密")


def _locked_docx(f):
    f.write_bytes(OLE + b"\0" * 504)         # Office keeps an encrypted DOCX in a compound file


def _broken_pdf(f):
    f.write_bytes(b"%PDF-1.7\n" + b"\0" * 200)


def _image(f):
    f.write_bytes(b"\x89PNG\r\n\x1a\n")


def _sheet(f):
    f.write_bytes(b"PK\x03\x04")


@pytest.mark.parametrize("name, make, says", [
    ("报告.wps", _wps, "save it as DOCX or PDF"),
    ("报告.ofd", _ofd, "export it to PDF"),
    ("旧报告.doc", _doc, "install antiword or catdoc"),
    ("扫描件.pdf", _scan, "no text layer"),
    ("加密.pdf", _locked, "remove the password"),
    ("损坏.pdf", _broken_pdf, "not a readable PDF"),
    ("加密.docx", _locked_docx, "remove the password"),
    ("照片.jpg", _image, "run OCR"),
    ("统计表.xlsx", _sheet, "a spreadsheet"),
])
def test_a_file_kg_cannot_read_is_one_line_naming_it_and_what_to_do(tmp_path, name, make, says):
    src = tmp_path / "in"
    D.text_file(src / "good.txt", D.REPORT)
    (src / "sub").mkdir()
    make(src / "sub" / name)
    # no antiword or catdoc: PATH holds only an empty folder (kg runs from its full path)
    (tmp_path / "empty").mkdir()
    p = kg("build", src, "-o", tmp_path / "o", check=False, env={"PATH": str(tmp_path / "empty")})
    assert p.returncode == 3, p.stderr
    lines = [line for line in p.stdout.splitlines() if line.startswith("skipped")]
    assert lines == [f"skipped     {src / 'sub' / name}: {lines[0].split(': ', 1)[1]}"]
    assert says in lines[0] and "documents   1" in p.stdout


def test_hidden_files_and_lock_files_are_passed_over_and_the_build_is_clean(tmp_path):
    src = tmp_path / "in"
    D.text_file(src / "report.txt", D.REPORT)
    D.text_file(src / ".git" / "notes.txt", D.OTHER)
    D.text_file(src / ".draft.txt", D.OTHER)
    (src / "~$report.docx").write_bytes(b"owner")
    (src / "Thumbs.db").write_bytes(b"\0")
    p = kg("build", src, "-o", tmp_path / "o")
    assert p.returncode == 0 and "documents   1" in p.stdout and "skipped" not in p.stdout


def test_the_exit_statuses_are_documented():
    text = kg("build", "--help").stdout
    for code in "0123":
        assert f"\n  {code}  " in text
