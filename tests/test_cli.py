import json

import pytest

from conftest import TINY, kg
from helpers import busiest


def test_build_without_arguments_builds_the_sample_corpus(sample_build):
    for f in ("graph.ttl", "graph.html", "store"):
        assert (sample_build / f).exists()


def test_build_prints_a_summary(tmp_path):
    out = kg("build", TINY, "-o", tmp_path / "o").stdout
    for word in ("documents   1", "entities", "relations", "statistics", "sources", "seconds", "turtle", "html"):
        assert word in out


def test_build_reports_unreadable_documents_and_goes_on(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    p = kg("build", TINY, bad, tmp_path / "nope.txt", "-o", tmp_path / "o", check=False)
    assert p.returncode == 3         # built, but not everything: the status says so
    assert "documents   1" in p.stdout
    assert "bad.txt: empty document" in p.stdout and "nope.txt: no such file or folder" in p.stdout


def test_build_with_nothing_readable_fails_with_one_line(tmp_path):
    p = kg("build", tmp_path / "missing", "-o", tmp_path / "o", check=False)
    assert p.returncode == 1
    assert p.stderr.strip().count("\n") == 0 and p.stderr.startswith("kg: error: nothing to build")


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_query_formats(sample_build, fmt):
    p = kg("query", "SELECT ?n WHERE { ?x a kg:Document ; skos:prefLabel ?n } ORDER BY ?n LIMIT 3",
           "--store", sample_build / "store", "--format", fmt)
    if fmt == "json":
        rows = json.loads(p.stdout)
        assert len(rows) == 3 and all(r["n"].startswith("《") for r in rows)
    else:
        lines = p.stdout.splitlines()
        assert lines[0].strip() == "n" and any(line.lstrip().startswith("《") for line in lines)


def test_query_from_file(sample_build, tmp_path):
    q = tmp_path / "q.rq"
    q.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?m a kg:Metric }", encoding="utf-8")
    p = kg("query", "-f", q, "--store", sample_build / "store", "--format", "csv")
    assert int(p.stdout.splitlines()[1]) > 50


def test_named_queries_all_run(sample_build):
    listed = kg("query", "--list").stdout
    names = [line.split()[0] for line in listed.splitlines()]
    assert {"programs-by-organization", "bases-by-place", "honors", "documents", "metrics-of", "entity"} <= set(names)
    entity = busiest(sample_build / "store")
    for name in names:
        args = ["--param", f"entity={entity}"] if "entity=" in listed.split(name, 1)[1].split("\n")[0] else []
        p = kg("query", name, *args, "--store", sample_build / "store", "--format", "json")
        rows = json.loads(p.stdout)
        # the default graph holds a triple once, whatever number of documents state it: no repeated rows
        assert len(rows) == len({json.dumps(r, sort_keys=True) for r in rows}), name
    rows = json.loads(kg("query", "entity", "--param", f"entity={entity}", "--store",
                         sample_build / "store", "--format", "json").stdout)
    assert any(r["direction"] == "out" and r["sentence"] for r in rows)


@pytest.mark.parametrize("args,message", [
    (["SELECT WHERE {"], "malformed SPARQL"),
    (["no-such-query"], "neither a named query nor SPARQL"),
    (["entity"], "missing entity"),
    (["honors", "--param", "x=1"], "unknown x"),
    (["honors", "--param", "novalue"], "key=value"),
    (["-f", "/nonexistent.rq"], "cannot read query file"),
    (["statistics", "--offset", "10"], "--offset needs --limit"),
])
def test_query_errors_are_one_clean_line(sample_build, args, message):
    p = kg("query", *args, "--store", sample_build / "store", check=False)
    assert p.returncode == 1
    assert message in p.stderr and p.stderr.count("\n") == 1 and "Traceback" not in p.stderr


@pytest.mark.parametrize("query,message", [
    ("SELECT * WHERE { ?s a zz:Thing }", "unknown prefix zz:"),
    ("SELECT * WHERE { ?s :p ?o }", "unknown prefix :"),
    ('SELECT * WHERE { ?s kg:p "yy:in a string" ; kg:q zz:r } # ww: in a comment', "unknown prefix zz: "),
    ("PREFIX zz: <http://z/> SELECT * WHERE { ?s zz:p }", "malformed SPARQL: error at"),
    ("SELECT * WHERE { ?s ?p }", "malformed SPARQL: error at"),
    ("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", "updates are not allowed here"),
    ("PREFIX ex: <http://x/>\n# a comment\ndelete where { ?s ?p ?o }", "updates are not allowed here"),
    ("LOAD <http://example.org/x.ttl>", "updates are not allowed here"),
])
def test_query_errors_name_their_cause_in_one_line(sample_build, query, message):
    p = kg("query", query, "--store", sample_build / "store", check=False)
    assert p.returncode == 1 and p.stderr.startswith("kg: error: ") and p.stderr.count("\n") == 1
    assert message in p.stderr and len(p.stderr) < 300, p.stderr


@pytest.mark.parametrize("args", [["--limit", "0"], ["--limit", "x"], ["--limit", "5", "--offset", "-1"]])
def test_bad_pages_are_usage_errors(sample_build, args):
    p = kg("query", "statistics", *args, "--store", sample_build / "store", check=False)
    assert p.returncode == 2 and "must be a whole number" in p.stderr and "Traceback" not in p.stderr


def test_query_without_a_store(tmp_path):
    p = kg("query", "--store", tmp_path / "none", "honors", check=False)
    assert p.returncode == 1 and "no store at" in p.stderr


def test_view_and_export(sample_build, tmp_path):
    p = kg("view", "--store", sample_build / "store", "-o", tmp_path / "v.html", "--top", "50")
    assert "(50 nodes)" in p.stdout
    p = kg("export", "--store", sample_build / "store", "--format", "nquads", "-o", tmp_path / "g.nq")
    assert (tmp_path / "g.nq").stat().st_size > 1000


def test_export_rejects_unknown_format(sample_build, tmp_path):
    p = kg("export", "--store", sample_build / "store", "--format", "docx", "-o", tmp_path / "x", check=False)
    assert p.returncode == 2 and "unknown format 'docx'" in p.stderr


def test_extract_jsonl(tmp_path):
    p = kg("extract", TINY)
    rec = json.loads(p.stdout.splitlines()[0])
    assert rec["doc"] == "tiny" and rec["mentions"] and rec["entities"] and rec["relations"] and rec["metrics"]
    from kg.ingest import read
    from kg.normalize import normalize
    text = normalize(read(TINY)).text
    assert all(text[m["start"]:m["end"]] == m["text"] for m in rec["mentions"])
    assert not (tmp_path / "output").exists()


def test_validate_conforms(sample_build):
    p = kg("validate", "--store", sample_build / "store", check=False)
    assert p.returncode == 0, p.stdout
    assert "conforms" in p.stdout


def test_help_has_examples():
    for cmd in ("build", "query", "view", "export", "serve", "extract", "validate"):
        assert "example" in kg(cmd, "--help").stdout
