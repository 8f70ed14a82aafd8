import csv
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib

from conftest import kg
from kg.export import ALIASES, FORMATS, export

PARSE = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
         "trig": ox.RdfFormat.TRIG, "rdfxml": ox.RdfFormat.RDF_XML}
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


def _triples(path, fmt):
    """The triples as rdflib reads them (a parser other than the store's own)."""
    name = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld"}[fmt]
    return {tuple(t) for t in rdflib.Graph().parse(str(path), format=name)}


@pytest.fixture(scope="module")
def ntriples(sample_build, tmp_path_factory):
    out = tmp_path_factory.mktemp("nt") / "g.nt"
    export(sample_build / "store", "ntriples", out)
    return _triples(out, "ntriples")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reads_back(sample_build, tmp_path, fmt):
    out = tmp_path / f"g.{fmt}"
    n = export(sample_build / "store", fmt, out)
    assert n > 0
    if fmt in PARSE:
        assert len(list(ox.parse(path=str(out), format=PARSE[fmt]))) == n
    elif fmt == "jsonld":
        assert len(rdflib.Graph().parse(str(out), format="json-ld")) == n
    elif fmt == "csv":
        with open(out, encoding="utf-8") as f:
            assert sum(1 for _ in csv.reader(f)) == n + 1
    elif fmt == "graphml":
        g = nx.read_graphml(str(out))
        assert g.number_of_nodes() + g.number_of_edges() == n and g.number_of_edges() > 10
    elif fmt == "xlsx":
        import openpyxl
        wb = openpyxl.load_workbook(out, read_only=True)
        assert sum(len(list(ws.values)) - 1 for ws in wb.worksheets) == n
    else:
        with_rows = [sum(1 for _ in csv.reader(open(f, encoding="utf-8-sig"))) - 1 for f in out.glob("*.csv")]
        assert len(with_rows) == 4 and sum(with_rows) == n


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "rdfxml", "jsonld"])
def test_triple_formats_hold_the_same_triples(sample_build, tmp_path, ntriples, fmt):
    out = tmp_path / "g"
    export(sample_build / "store", fmt, out)
    assert _triples(out, fmt) == ntriples


def test_jsonld_has_a_context_and_compact_names(sample_build, tmp_path):
    from kg.graph import PREFIXES
    export(sample_build / "store", "jsonld", tmp_path / "g.jsonld")
    doc = json.loads((tmp_path / "g.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == PREFIXES
    keys = {k for node in doc["@graph"] for k in node}
    assert "kg:indicator" in keys and "skos:prefLabel" in keys and "@type" in keys
    assert not any(k.startswith("http") for k in keys)
    assert all(node["@id"].startswith("id:") for node in doc["@graph"])


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_aliases_name_the_same_format(sample_build, tmp_path, alias):
    a = kg("export", "--store", sample_build / "store", "--format", alias, "-o", tmp_path / "a").stdout
    assert f", {ALIASES[alias]})" in a
    export(sample_build / "store", ALIASES[alias], tmp_path / "b")
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()


def _stdout_bytes(*args, cwd):
    """What `kg ARGS` writes to standard output, byte for byte."""
    import subprocess
    import sys
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, cwd=cwd,
                          check=True).stdout


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f not in ("tables", "xlsx")])
def test_dash_writes_standard_output(sample_build, tmp_path, fmt):
    out = _stdout_bytes("export", "--store", sample_build / "store", "--format", fmt, "-o", "-", cwd=tmp_path)
    export(sample_build / "store", fmt, tmp_path / "file")
    assert out == (tmp_path / "file").read_bytes() and not (tmp_path / "-").exists()


def test_dash_writes_a_workbook_to_standard_output(sample_build, tmp_path):
    import openpyxl
    out = _stdout_bytes("export", "--store", sample_build / "store", "--format", "xlsx", "-o", "-", cwd=tmp_path)
    (tmp_path / "piped.xlsx").write_bytes(out)
    export(sample_build / "store", "xlsx", tmp_path / "file.xlsx")
    a, b = (openpyxl.load_workbook(tmp_path / f, read_only=True) for f in ("piped.xlsx", "file.xlsx"))
    assert [list(ws.values) for ws in a.worksheets] == [list(ws.values) for ws in b.worksheets]


@pytest.mark.parametrize("args,message", [
    (["--format", "docx", "-o", "x"], "unknown format 'docx'"),
    (["--format", "tables", "-o", "-"], "cannot go to standard output"),
])
def test_export_errors_are_one_line(sample_build, tmp_path, args, message):
    p = kg("export", "--store", sample_build / "store", *args, cwd=tmp_path, check=False)
    assert p.returncode != 0 and message in p.stderr and "Traceback" not in p.stderr
    assert p.stderr.strip().splitlines()[-1].count(message) == 1


# ---------------------------------------------------------------- GraphML

@pytest.fixture(scope="module")
def graphml(replicated_build, tmp_path_factory):
    out = tmp_path_factory.mktemp("graphml") / "g.graphml"
    kg("export", "--store", replicated_build / "store", "--format", "graphml", "-o", out)
    return out


def test_graphml_ids_are_unique_and_every_attribute_is_declared(graphml):
    """What Gephi's importer needs: each <data> names a <key> declared for its
    element with a type, and no two edges (or nodes) share an id."""
    root = ET.parse(graphml).getroot()
    keys = {k.get("id"): k for k in root.iter(GRAPHML + "key")}
    assert all(k.get("attr.name") and k.get("attr.type") in ("string", "int", "long", "double", "float", "boolean")
               for k in keys.values())
    for kind in ("node", "edge"):
        elements = list(root.iter(GRAPHML + kind))
        ids = [e.get("id") for e in elements]
        assert ids and len(ids) == len(set(ids)), kind
        used = {d.get("key") for e in elements for d in e.iter(GRAPHML + "data")}
        assert used and all(keys[k].get("for") == kind for k in used), kind
    names = {(k.get("for"), k.get("attr.name")) for k in keys.values()}
    assert {("node", "label"), ("node", "class"), ("edge", "label"), ("edge", "relation"),
            ("edge", "weight"), ("edge", "documents")} <= names


def test_graphml_reads_whole_in_networkx_and_igraph(graphml, replicated_build):
    import igraph
    from kg.vocab import RELATIONS
    rels = " ".join(f"kg:{r}" for r in RELATIONS)
    n = json.loads(kg("query", f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ {rels} }} ?s ?p ?o }}",
                      "--store", replicated_build / "store", "--format", "json").stdout)[0]["n"]
    g = nx.read_graphml(str(graphml), force_multigraph=True)
    i = igraph.Graph.Read_GraphML(str(graphml))
    assert g.number_of_edges() == i.ecount() == int(n)
    assert g.number_of_nodes() == i.vcount()
    assert {"label", "relation", "weight", "documents"} <= set(i.es.attributes())
    assert {"label", "class"} <= set(i.vs.attributes())


def test_graphml_weights_count_sentences_and_documents(graphml, replicated_build):
    rows = json.loads(kg("query", "relations-with-sources", "--store", replicated_build / "store",
                         "--format", "json").stdout)
    sentences, documents = {}, {}
    for r in rows:
        key = (r["subject"], r["property"], r["object"])
        sentences.setdefault(key, set()).add((r["document"], r["start"]))
        documents.setdefault(key, set()).add(r["document"])
    g = nx.read_graphml(str(graphml), force_multigraph=True)
    got = {(g.nodes[a]["label"], d["relation"], g.nodes[b]["label"]): (d["weight"], d["documents"])
           for a, b, d in g.edges(data=True)}
    assert got and set(got) == set(sentences)
    assert all(got[k] == (len(sentences[k]), len(documents[k])) for k in got)
    assert min(d for _, d in got.values()) == 3    # three copies of each document state each triple


# ---------------------------------------------------------------- tables

@pytest.fixture(scope="module")
def workbook(replicated_build, tmp_path_factory):
    import openpyxl
    out = tmp_path_factory.mktemp("xlsx") / "g.xlsx"
    kg("export", "--store", replicated_build / "store", "--format", "xlsx", "-o", out)
    return openpyxl.load_workbook(out)


def _count(store, sparql):
    return int(json.loads(kg("query", sparql, "--store", store, "--format", "json").stdout)[0]["n"])


@pytest.mark.parametrize("sheet,sparql", [
    ("relations", "SELECT (COUNT(*) AS ?n) WHERE { ?a a kg:Assertion }"),
    ("statistics", "SELECT (COUNT(*) AS ?n) WHERE { ?m a kg:Metric }"),
    ("documents", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?g a kg:SourceDocument } }"),
    ("entities", "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?e ?d WHERE { ?e kg:mentionedIn ?s . "
                 "?s kg:inDocument ?d } }"),
])
def test_each_sheet_has_a_row_per_item_with_its_document_and_sentence(workbook, replicated_build, sheet, sparql):
    ws = workbook[sheet]
    rows = list(ws.values)
    header, body = rows[0], rows[1:]
    assert len(body) >= _count(replicated_build / "store", sparql) > 0
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{len(rows)}"
    doc = header.index("document")
    assert all(r[doc] for r in body if sheet != "entities" or r[header.index("sentences")])
    text = [c for c in ("sentence", "first_sentence") if c in header]
    if sheet != "documents":
        assert all(r[header.index(text[0])] for r in body if sheet != "entities" or r[header.index("sentences")])


def test_the_documents_sheet_counts_what_the_other_sheets_hold_of_each_document(workbook):
    docs = list(workbook["documents"].values)
    h = docs[0]
    per = {r[h.index("document")]: r for r in docs[1:]}

    def rows_of(sheet):
        rs = list(workbook[sheet].values)
        return Counter(r[rs[0].index("document")] for r in rs[1:])
    relations, statistics = rows_of("relations"), rows_of("statistics")
    assert per and all(r[h.index("sentences")] > 0 and r[h.index("entities")] > 0 for r in per.values())
    assert {d: r[h.index("relations")] for d, r in per.items() if r[h.index("relations")]} == dict(relations)
    assert {d: r[h.index("statistics")] for d, r in per.items() if r[h.index("statistics")]} == dict(statistics)
    entities = list(workbook["entities"].values)
    mentioned = Counter(r[entities[0].index("document")] for r in entities[1:] if r[entities[0].index("sentences")])
    assert all(per[d][h.index("entities")] >= n for d, n in mentioned.items())


def test_sheets_keep_numbers_as_numbers(workbook):
    stats = list(workbook["statistics"].values)
    h = stats[0]
    assert all(isinstance(r[h.index("value")], (int, float)) and isinstance(r[h.index("approximate")], bool)
               for r in stats[1:])
    rel = list(workbook["relations"].values)
    assert all(0 < r[rel[0].index("confidence")] <= 1 for r in rel[1:])


def test_tables_are_the_sheets_as_csv(workbook, replicated_build, tmp_path):
    kg("export", "--store", replicated_build / "store", "--format", "tables", "-o", tmp_path / "t")
    assert sorted(f.name for f in (tmp_path / "t").iterdir()) == sorted(f"{s}.csv" for s in workbook.sheetnames)
    for name in workbook.sheetnames:
        with open(tmp_path / "t" / f"{name}.csv", encoding="utf-8-sig", newline="") as f:
            got = list(csv.reader(f))
        want = [["" if v is None else str(int(v)) if isinstance(v, float) and v.is_integer()
                 else str(v).lower() if isinstance(v, bool) else str(v) for v in r]
                for r in workbook[name].values]
        assert got == want, name


def test_formula_like_text_stays_text(tmp_path):
    import openpyxl
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "=cmd.txt").write_text("临夏州和政县2022年工作总结\n和政县委组织部开展“聚力先锋”工程。\n",
                                              encoding="utf-8")
    kg("build", "-q", "--no-files", tmp_path / "in", "-o", tmp_path / "o")
    store = tmp_path / "o" / "store"
    kg("export", "--store", store, "--format", "xlsx", "-o", tmp_path / "g.xlsx")
    cells = [c for ws in openpyxl.load_workbook(tmp_path / "g.xlsx").worksheets for r in ws.iter_rows() for c in r]
    formula_like = [c for c in cells if isinstance(c.value, str) and re.match(r"[=+@]", c.value)]
    assert {c.value for c in formula_like} >= {"=cmd", "=cmd.txt"} and all(c.data_type == "s" for c in formula_like)
    kg("export", "--store", store, "--format", "tables", "-o", tmp_path / "t")
    kg("export", "--store", store, "--format", "tables", "-o", tmp_path / "raw", "--raw")
    cells = [c for f in (tmp_path / "t").glob("*.csv") for r in csv.reader(open(f, encoding="utf-8-sig")) for c in r]
    raw = [c for f in (tmp_path / "raw").glob("*.csv") for r in csv.reader(open(f, encoding="utf-8-sig")) for c in r]
    assert "'=cmd" in cells and "=cmd" in raw and not any(c.startswith(("=", "+", "@")) for c in cells)
