"""A document is its path under the build root, not its stem; the same bytes are
built once; the document node says where the text came from."""
import hashlib
import json

import pytest

import documents as D
from conftest import kg
from kg import ingest

DOC = "https://w3id.org/kgcn/id/doc/"


def query(out, sparql):
    return json.loads(kg("query", sparql, "--store", out / "store", "--format", "json").stdout)


def documents(out):
    """{document IRI: {sentence text}} of the store."""
    got = {}
    for r in query(out, "SELECT ?d ?t WHERE { ?d a kg:SourceDocument . OPTIONAL { ?s kg:inDocument ?d ; kg:text ?t } }"):
        got.setdefault(r["d"], set()).update([r["t"]] if "t" in r else [])
    return got


def test_same_named_files_in_two_folders_are_two_documents(tmp_path):
    src = tmp_path / "reports"
    D.text_file(src / "青禾" / "工作总结.txt", D.REPORT)
    D.text_file(src / "石门" / "工作总结.txt", D.OTHER)
    p = kg("build", src, "-o", tmp_path / "o")
    assert "documents   2" in p.stdout and p.returncode == 0
    docs = documents(tmp_path / "o")
    assert set(docs) == {DOC + "青禾%2F工作总结", DOC + "石门%2F工作总结"}
    for county, lines in (("青禾", D.REPORT), ("石门", D.OTHER)):
        texts = docs[f"{DOC}{county}%2F工作总结"]       # each document's sentences, from its own file only
        assert texts <= set(lines) and any(county in t for t in texts)
    # rebuilding one of them replaces that one only
    D.text_file(src / "石门" / "工作总结.txt", D.OTHER[:2])
    kg("build", src, "-o", tmp_path / "o")
    again = documents(tmp_path / "o")
    assert again[DOC + "青禾%2F工作总结"] == docs[DOC + "青禾%2F工作总结"]
    assert again[DOC + "石门%2F工作总结"] < docs[DOC + "石门%2F工作总结"]


def test_the_same_bytes_twice_are_built_once_and_reported(tmp_path):
    src = tmp_path / "reports"
    D.text_file(src / "a" / "总结.txt", D.REPORT)
    D.text_file(src / "b" / "总结副本.txt", D.REPORT)
    D.text_file(src / "c" / "总结.txt", D.OTHER)
    p = kg("build", src, "-o", tmp_path / "o")
    assert p.returncode == 0 and "documents   2" in p.stdout
    dup = [line for line in p.stdout.splitlines() if line.startswith("duplicate")]
    assert dup == [f"duplicate   {src / 'b' / '总结副本.txt'}: the same bytes as {src / 'a' / '总结.txt'}"
                   f" (sha256 {hashlib.sha256((chr(10).join(D.REPORT) + chr(10)).encode()).hexdigest()[:12]}…); "
                   "built once, as that document"]
    assert set(documents(tmp_path / "o")) == {DOC + "a%2F总结", DOC + "c%2F总结"}


@pytest.mark.parametrize("given, ids", [
    (["reports"], {"青禾/工作总结", "石门/工作总结", "总表"}),
    (["reports/青禾"], {"工作总结"}),
    (["reports/总表.txt", "reports/石门/工作总结.txt"], {"总表", "工作总结"}),
])
def test_ids_are_paths_under_the_folder_named_and_a_file_named_is_its_stem(tmp_path, given, ids):
    D.text_file(tmp_path / "reports" / "青禾" / "工作总结.txt", D.REPORT)
    D.text_file(tmp_path / "reports" / "石门" / "工作总结.txt", D.OTHER)
    D.text_file(tmp_path / "reports" / "总表.txt", D.REPORT[:2])
    files, problems = ingest.discover([tmp_path / g for g in given])
    assert {f.id for f in files} == ids and not problems


@pytest.mark.parametrize("first, second, given, hint", [
    ("青禾/工作总结.txt", "石门/工作总结.txt", ["青禾/工作总结.txt", "石门/工作总结.txt"], "name the folder that holds both"),
    ("r/工作总结.html", "r/工作总结.txt", ["r"], "rename one"),
])
def test_two_files_with_one_id_keep_the_first_and_say_how_to_keep_both(tmp_path, first, second, given, hint):
    a = D.text_file(tmp_path / first, D.REPORT)
    b = D.text_file(tmp_path / second, D.OTHER)
    p = kg("build", *[tmp_path / g for g in given], "-o", tmp_path / "o", check=False)
    assert p.returncode == 3 and "documents   1" in p.stdout
    assert f"skipped     {b}: same document id '工作总结' as {a}; only the first is built ({hint} to keep both)" \
        in p.stdout


def test_the_document_node_records_path_format_size_hash_and_encoding(tmp_path):
    f = D.text_file(tmp_path / "reports" / "青禾" / "工作总结.txt", D.REPORT, encoding="gb18030")
    kg("build", tmp_path / "reports", "-o", tmp_path / "o")
    rows = query(tmp_path / "o", """SELECT ?label ?path ?type ?size ?sha ?enc ?script WHERE { ?d a kg:SourceDocument ;
        rdfs:label ?label ; kg:filePath ?path ; dcat:mediaType ?type ; dcat:byteSize ?size ; kg:sha256 ?sha ;
        kg:encoding ?enc ; kg:script ?script }""")
    data = f.read_bytes()
    assert rows == [{"label": "青禾/工作总结", "path": "青禾/工作总结.txt",
                     "type": "https://www.iana.org/assignments/media-types/text/plain", "size": str(len(data)),
                     "sha": hashlib.sha256(data).hexdigest(), "enc": "gb18030", "script": "Hans"}]
