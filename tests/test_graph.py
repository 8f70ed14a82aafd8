import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic, to_isomorphic

from conftest import DATA, TINY, kg
from kg import graph, vocab
from kg.pipeline import build
from kg.store import LocalStore

GOLDEN = Path(__file__).parent / "golden" / "tiny.ttl"


def _rdflib(path):
    return rdflib.Graph().parse(str(path), format="turtle")


def test_golden_turtle(tmp_path):
    build([TINY], tmp_path, jobs=1, html=False, progress=False)
    assert isomorphic(_rdflib(tmp_path / "graph.ttl"), _rdflib(GOLDEN))


def test_same_input_twice_gives_identical_bytes(tmp_path):
    build([DATA], tmp_path / "a", jobs=1, html=False, progress=False)
    build([DATA], tmp_path / "b", jobs=2, html=False, progress=False)
    assert (tmp_path / "a" / "graph.ttl").read_bytes() == (tmp_path / "b" / "graph.ttl").read_bytes()


def test_half_plus_half_is_the_whole(tmp_path):
    from kg.pipeline import sample_corpus
    docs = sorted(sample_corpus().glob("*.txt"))
    build(docs, tmp_path / "whole", jobs=2, html=False, progress=False)
    build(docs[:2], tmp_path / "h1", jobs=1, html=False, progress=False)
    build(docs[2:], tmp_path / "h2", jobs=1, html=False, progress=False)
    merged = _rdflib(tmp_path / "h1" / "graph.ttl") + _rdflib(tmp_path / "h2" / "graph.ttl")
    assert to_isomorphic(merged) == to_isomorphic(_rdflib(tmp_path / "whole" / "graph.ttl"))
    # and building the halves into one store gives the whole (a store that held
    # documents writes graph.ttl in its own order, a fresh build in the documents')
    build(docs[:2], tmp_path / "inc", jobs=1, html=False, progress=False)
    build(docs[2:], tmp_path / "inc", jobs=1, html=False, progress=False)
    inc, whole = (set(ox.parse(path=str(tmp_path / d / "graph.ttl"))) for d in ("inc", "whole"))
    assert inc == whole and len(whole) > 1000


def test_rebuilding_a_document_replaces_its_graph(tmp_path):
    doc = tmp_path / "r.txt"
    doc.write_text("西湖区委统战部开展“甲乙”活动。\n", encoding="utf-8")
    build([doc], tmp_path / "o", jobs=1, html=False, progress=False)
    doc.write_text("西湖区委统战部开展“丙丁”活动。\n", encoding="utf-8")
    build([doc], tmp_path / "o", jobs=1, html=False, progress=False)
    text = (tmp_path / "o" / "graph.ttl").read_text(encoding="utf-8")
    assert "丙丁" in text and "甲乙" not in text


def test_pyoxigraph_and_rdflib_read_the_same_graph(sample_build):
    ttl = sample_build / "graph.ttl"
    ox_triples = list(ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE))
    g_ox = rdflib.Graph().parse(data=ox.serialize(ox_triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    assert len(g_ox) == len(ox_triples) > 1000
    assert isomorphic(g_ox, _rdflib(ttl))


def test_store_survives_a_process_restart(tmp_path):
    kg("build", TINY, "-o", tmp_path, "-q")
    code = ("import pyoxigraph as ox, sys; s = ox.Store.read_only(sys.argv[1]); "
            "print(len(list(s.named_graphs())), len(s))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "store")], capture_output=True, text=True, check=True)
    graphs, quads = map(int, out.stdout.split())
    assert graphs == 1 and quads > 50
    p = kg("query", "ASK { ?o kg:runs ?p }", "--store", tmp_path / "store")
    assert p.stdout.splitlines()[2].strip() == "true"


def test_every_relation_traces_to_its_sentence(sample_build):
    q = """SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . FILTER(?p IN (kg:runs, kg:hosts, kg:issues, kg:awarded, kg:locatedIn,
           kg:establishes, kg:partner, kg:awardedBy, kg:participatesIn, kg:memberOf, kg:subOrganizationOf))
           FILTER NOT EXISTS { ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?x .
                               ?x kg:text ?t ; kg:start ?st ; kg:inDocument ?d } }"""
    p = kg("query", q, "--store", sample_build / "store", "--format", "csv")
    assert p.stdout.splitlines()[1] == "0"


def test_sentence_offsets_point_into_the_normalized_text(sample_build):
    from kg.ingest import read
    from kg.normalize import normalize
    from kg.pipeline import sample_corpus
    store = LocalStore(sample_build / "store", create=False, read_only=True).ox
    rows = store.query("SELECT ?id ?t ?s ?e WHERE { ?x kg:text ?t ; kg:start ?s ; kg:end ?e ; kg:inDocument ?d . "
                       "?d rdfs:label ?id }", prefixes=graph.PREFIXES)
    texts = {f.stem: normalize(read(f)).text for f in sample_corpus().glob("*.txt")}
    n = 0
    for r in rows:
        assert texts[r["id"].value][int(r["s"].value):int(r["e"].value)] == r["t"].value
        n += 1
    assert n > 100


def test_code_and_ontology_agree():
    schema = {"Organization", "PartyOrganization", "GovernmentAgency", "DemocraticParty", "MassOrganization",
              "Enterprise", "PublicInstitution", "Place", "AdministrativeArea", "Site", "Base", "Program", "Event",
              "Project", "Document", "Honor", "Person", "Metric"}
    assert schema <= vocab.classes()
    assert set(vocab.RELATIONS) | {"about", "indicator", "value", "unit", "approximate", "period"} <= vocab.properties()
    from kg.model import FAMILY
    assert set(FAMILY) <= vocab.classes()
    from kg.extract import read_table
    assert {r[1] for r in read_table("units.tsv")} <= vocab.units()
    # every kg: term the graph stage writes is declared
    import re
    used = set(re.findall(r'_t\("(\w+)"\)', (Path(graph.__file__)).read_text()))
    assert used <= vocab.classes() | vocab.properties()
    ont = rdflib.Graph().parse(str(vocab.ontology_path()), format="turtle")
    for local in vocab.classes() | vocab.properties():
        labels = {l.language for l in ont.objects(rdflib.URIRef(vocab.KG + local), rdflib.RDFS.label)}
        assert {"zh", "en"} <= labels, local


@pytest.mark.parametrize("value", ["昆明市盘龙区统战部", "题为“同心”的讲话", 'a "quoted" word', "C:\\路径\\文件",
                                   "上一行\n下一行", "回车\r换行", "末尾反斜杠\\", "", "混合\"\\\n\r四种"])
def test_a_literal_reads_back_as_written(value):
    # _str escapes only where a character needs it; Oxigraph must read the same string back
    line = f"<urn:kg:s> <urn:kg:p> {graph._str(value)} .\n"
    (t,) = list(ox.parse(line.encode(), ox.RdfFormat.N_TRIPLES))
    assert t.object.value == value
    (t,) = list(ox.parse(f"<urn:kg:s> <urn:kg:p> {graph._zh(value)} .\n".encode(), ox.RdfFormat.N_TRIPLES))
    assert t.object.value == value and t.object.language == "zh"
