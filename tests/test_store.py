"""The store's data model: the default graph holds each triple of every document
once (what the documents' named graphs hold, and the statements about each
document's own nodes, which only the default graph holds), kept so when documents
are added, replaced and removed, on the embedded store and on a real Oxigraph
server on 127.0.0.1."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import kg
from kg.errors import StoreError
from kg.pipeline import build
from kg.store import OWN_STAGING, STAGING, LocalStore, RemoteStore
from helpers import RDF_TYPE, documents_in, entailed, own_statement
from services import Oxigraph, oxigraph_server

HEAD = "陇南市武都区城关街道2023年工作总结\n"
A = HEAD + "武都区委统战部开展“同心讲堂”活动。武都区委统战部在城关街道建设同心实践基地。\n"
B = HEAD + "武都区委统战部开展“同心讲堂”活动。城关街道党工委举办“邻里节”。\n"
A2 = HEAD + "武都区委统战部举办“石榴籽”宣讲活动。\n"
C = "临夏州和政县2022年工作总结\n和政县委组织部开展“聚力先锋”工程。\n"


def write(folder, **docs):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def graphs(store: ox.Store) -> tuple[set, set, set]:
    """(default graph, union of the document graphs, staging graphs left)."""
    default = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    union, staging = set(), set()
    for g in store.named_graphs():
        if g.value.endswith((STAGING, OWN_STAGING)):
            staging.add(g.value)
            continue
        union |= {q.triple for q in store.quads_for_pattern(None, None, None, g)}
    return default, union, staging


def labels(triples) -> set[str]:
    return {t.object.value for t in triples if t.predicate.value.endswith("#prefLabel")}


def test_the_default_graph_is_the_union_once(tmp_path):
    build([write(tmp_path / "in", a=A, b=B)], tmp_path / "o", jobs=1, progress=False, files=False)
    store = LocalStore(tmp_path / "o" / "store", create=False, read_only=True).ox
    default, union, _ = graphs(store)
    documents_in(store)
    assert len(default - union) > len(union) / 2        # most of a document is its own
    both = ox.NamedNode("https://w3id.org/kgcn/id/org/武都区委统战部")
    # both documents state the department; the default graph holds its type once
    in_docs = [q for q in store.quads_for_pattern(both, ox.NamedNode(str(ox.NamedNode(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"))[1:-1]), None, None)]
    assert len({q.graph_name for q in in_docs}) == 3          # two documents and the default graph
    assert not (tmp_path / "o" / "graph.ttl").exists()         # --no-files


def test_replacing_a_document_drops_only_what_no_other_document_states(tmp_path):
    src = write(tmp_path / "in", a=A, b=B, c=C)
    build([src], tmp_path / "o", jobs=1, progress=False, files=False)
    write(src, a=A2)
    build([src / "a.txt"], tmp_path / "o", jobs=1, progress=False, files=False)
    store = LocalStore(tmp_path / "o" / "store", create=False, read_only=True).ox
    default = graphs(store)[0]
    documents_in(store)
    names = " ".join(labels(default))
    assert "同心讲堂" in names               # still stated by b
    assert "同心实践基地" not in names       # stated only by the old a
    assert "石榴籽" in names
    del store
    build([src], tmp_path / "fresh", jobs=1, progress=False, files=False)
    fresh = LocalStore(tmp_path / "fresh" / "store", create=False, read_only=True).ox
    assert graphs(fresh)[0] == default       # the same graph as building the final files at once


BODY = "https://w3id.org/kgcn/id/org/某县某局"


def _stating(classes: list[str]) -> tuple[bytes, bytes]:
    """(named graph, entailed) of a made-up document stating ``classes`` of BODY."""
    from kg import vocab
    named = "".join(f"<{BODY}> <{RDF_TYPE}> <{vocab.term(c)}> .\n" for c in classes)
    above = "".join(f"<{BODY}> <{RDF_TYPE}> <{a}> .\n" for c in classes for a in vocab.superclasses(vocab.term(c)))
    return named.encode(), above.encode()


@pytest.mark.parametrize("steps", [
    [("x", ["GovernmentAgency"]), ("y", ["Organization"]), ("x", None)],
    [("x", ["GovernmentAgency"]), ("y", ["PartyOrganization"]), ("x", ["Enterprise"]), ("y", None)],
    [("x", ["GovernmentAgency"]), ("y", ["GovernmentAgency"]), ("x", None), ("y", None)],
    [("x", ["AdministrativeArea"]), ("x", ["Place"]), ("y", ["Site"]), ("x", None)],
    [("x", ["GovernmentAgency", "PartyOrganization"]), ("y", ["Organization"]), ("x", ["PartyOrganization"])],
])
def test_a_class_above_stays_while_a_document_states_one_below_it(tmp_path, steps):
    """A document graph holds the classes it states; the default graph those and
    the classes above them, each while some document still states it or a class
    below it, through replacements and removals."""
    from kg import vocab
    store = LocalStore(tmp_path / "s")
    live: dict[str, list[str]] = {}
    for doc, classes in steps:
        g = f"https://w3id.org/kgcn/id/doc/{doc}"
        if classes is None:
            store.remove(g)
            del live[doc]
        else:
            store.replace(g, *_stating(classes))
            live[doc] = classes
        stated = {vocab.term(c) for cs in live.values() for c in cs}
        want = stated | {a for c in stated for a in vocab.superclasses(c)}
        got = {q.object.value for q in store.ox.quads_for_pattern(ox.NamedNode(BODY), ox.NamedNode(RDF_TYPE), None,
                                                                   ox.DefaultGraph())}
        assert got == want, (doc, classes)
        named = {q.object.value for q in store.ox.quads_for_pattern(ox.NamedNode(BODY), ox.NamedNode(RDF_TYPE), None)
                 if q.graph_name != ox.DefaultGraph()}
        assert named == stated


def test_graph_ttl_is_the_default_graph(tmp_path):
    build([write(tmp_path / "in", a=A, c=C)], tmp_path / "o", jobs=1, progress=False)
    store = LocalStore(tmp_path / "o" / "store", create=False, read_only=True).ox
    ttl = {q.triple for q in ox.parse(path=str(tmp_path / "o" / "graph.ttl"), format=ox.RdfFormat.TURTLE)}
    assert ttl == graphs(store)[0]
    assert not list((tmp_path / "o").glob("*.part"))


def test_export_and_view_work_on_a_store_built_without_files(tmp_path):
    build([write(tmp_path / "in", a=A, b=B)], tmp_path / "o", jobs=1, progress=False, files=False)
    kg("export", "--format", "turtle", "-o", tmp_path / "g.ttl", "--store", tmp_path / "o" / "store")
    p = kg("view", "-o", tmp_path / "v.html", "--store", tmp_path / "o" / "store")
    assert "同心讲堂" in (tmp_path / "v.html").read_text(encoding="utf-8") and "nodes" in p.stdout
    assert len(list(ox.parse(path=str(tmp_path / "g.ttl"), format=ox.RdfFormat.TURTLE))) > 20


def test_same_document_id_twice_builds_the_first_and_says_so(tmp_path):
    write(tmp_path / "x", a=A)
    write(tmp_path / "y", a=C)
    rep = build([tmp_path / "x", tmp_path / "y"], tmp_path / "o", jobs=1, progress=False, files=False)
    assert rep.documents == 1 and any("same document id" in why for _, why in rep.problems)


# ------------------------------------------------------------ an external store

def test_remote_store_build_matches_the_local_one(tmp_path):
    src = write(tmp_path / "in", a=A, b=B, c=C)
    build([src], tmp_path / "local", jobs=1, progress=False)
    with oxigraph_server(tmp_path / "ox") as server:
        kg("build", src, "-o", tmp_path / "remote", "--store-url", server.url, "-q", "--jobs", "1")
        local = set(ox.parse(path=str(tmp_path / "local" / "graph.ttl"), format=ox.RdfFormat.TURTLE))
        remote = set(ox.parse(path=str(tmp_path / "remote" / "graph.ttl"), format=ox.RdfFormat.TURTLE))
        assert local == remote and len(local) > 50
        # replace one document in both places: still the same graph
        write(src, a=A2)
        build([src / "a.txt"], tmp_path / "local", jobs=1, progress=False)
        kg("build", src / "a.txt", "-o", tmp_path / "remote", "--store-url", server.url, "-q", "--jobs", "1")
        local = set(ox.parse(path=str(tmp_path / "local" / "graph.ttl"), format=ox.RdfFormat.TURTLE))
        remote = set(ox.parse(path=str(tmp_path / "remote" / "graph.ttl"), format=ox.RdfFormat.TURTLE))
        assert local == remote and "同心实践基地" not in " ".join(labels(remote))
        for name in ("honors", "programs-by-organization", "relations-with-sources"):
            a = kg("query", name, "--store", tmp_path / "local" / "store", "--format", "csv").stdout
            b = kg("query", name, "--endpoint", server.url, "--format", "csv").stdout
            assert sorted(a.splitlines()) == sorted(b.splitlines()), name
    store = ox.Store(str(tmp_path / "ox"))
    documents_in(store)


def test_a_store_that_goes_away_mid_build_fails_cleanly_with_whole_documents(tmp_path):
    src = write(tmp_path / "in", a=A, b=B, c=C)
    server = Oxigraph(tmp_path / "ox").start()
    seen = []

    def stop_after_first(d):
        seen.append(d.doc_id)
        if len(seen) == 1:
            server.stop()
    try:
        with pytest.raises(StoreError, match="cannot reach the triple store"):
            build([src], tmp_path / "o", jobs=1, progress=False, store_url=server.url, on_document=stop_after_first)
    finally:
        server.stop()
    store = ox.Store(str(tmp_path / "ox"))
    documents_in(store)
    default = graphs(store)[0]
    docs = {g.value for g in store.named_graphs() if not g.value.endswith(STAGING)}
    assert docs == {f"https://w3id.org/kgcn/id/doc/{seen[0]}"}
    # the one document written is whole: the same triples as building it alone
    del store
    build([src / f"{seen[0]}.txt"], tmp_path / "alone", jobs=1, progress=False, files=False)
    alone = LocalStore(tmp_path / "alone" / "store", create=False, read_only=True).ox
    assert graphs(alone)[0] == default


@pytest.mark.parametrize("url,message", [
    ("ftp://example.org/x", "takes http"),
    ("http://127.0.0.1:9", "cannot reach the triple store"),
])
def test_bad_store_urls_are_one_line_errors(tmp_path, url, message):
    write(tmp_path / "in", a=A)
    p = kg("build", tmp_path / "in", "-o", tmp_path / "o", "--store-url", url, "-q", check=False)
    assert p.returncode == 1 and message in p.stderr and len(p.stderr.strip().splitlines()) == 1
    p = kg("query", "honors", "--endpoint", url, check=False)
    assert p.returncode == 1 and message in p.stderr


def test_remote_store_class_refuses_non_http():
    with pytest.raises(StoreError):
        RemoteStore("file:///tmp/x")


def test_kg_serve_answers_from_an_external_store(tmp_path):
    from test_serve import Server
    import json
    src = write(tmp_path / "in", a=A, b=B, c=C)
    with oxigraph_server(tmp_path / "ox") as server:
        kg("build", src, "-o", tmp_path / "o", "--store-url", server.url, "-q", "--no-files", "--jobs", "1")
        s = Server(tmp_path / "unused", "--endpoint", server.url)
        try:
            status, headers, body = s.request("/query/programs-by-organization?format=json")
            rows = json.loads(body)["results"]["bindings"]
            assert status == 200 and any(r["runs"]["value"] == "“同心讲堂”活动" for r in rows)
            status, _, body = s.get("SELECT ?x WHERE {")
            assert status == 400
            status, _, page = s.request("/view")
            assert status == 200 and "武都区委统战部" in page.decode()
        finally:
            s.stop()


def test_a_staged_graph_left_by_a_stopped_build_holds_nothing(tmp_path):
    src = write(tmp_path / "in", a=A, b=B)
    build([src], tmp_path / "o", jobs=1, progress=False, files=False)
    store = LocalStore(tmp_path / "o" / "store")
    # a build stopped between loading a's next graph and swapping it in
    store.ox.load(b"<https://w3id.org/kgcn/id/x> <https://w3id.org/kgcn/id/p> \"left\" .\n",
                  ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("https://w3id.org/kgcn/id/doc/b" + STAGING))
    store.remove("https://w3id.org/kgcn/id/doc/a")
    store.close()
    build([src / "b.txt"], tmp_path / "o", jobs=1, progress=False, files=False)
    store = LocalStore(tmp_path / "o" / "store", create=False, read_only=True).ox
    documents_in(store)
    default = graphs(store)[0]
    assert "left" not in {t.object.value for t in default}
    assert "同心实践基地" not in " ".join(labels(default))


@pytest.mark.parametrize("name", ["a\ufffd", "b\ue000", "c#d", "e%20f", "staging", "g\u3000h"])
def test_any_file_name_is_a_document_iri(tmp_path, name):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / f"{name}.txt").write_text(C, encoding="utf-8")
    rep = build([folder], tmp_path / "o", jobs=1, progress=False, files=False)
    assert rep.documents == 1 and not rep.problems
    store = LocalStore(tmp_path / "o" / "store", create=False, read_only=True)
    assert len(store.documents()) == 1


def test_fresh_on_a_remote_store_removes_only_what_kg_wrote(tmp_path):
    src = write(tmp_path / "in", a=A, b=B)
    with oxigraph_server(tmp_path / "ox") as server:
        remote = RemoteStore(server.url)
        remote._update('INSERT DATA { <http://example.org/theirs> <http://example.org/p> "kept" }')
        kg("build", src, "-o", tmp_path / "r", "--store-url", server.url, "-q", "--no-files", "--jobs", "1")
        kg("build", src / "a.txt", "-o", tmp_path / "r", "--store-url", server.url, "-q", "--fresh", "--jobs", "1")
        assert remote.documents() == {"https://w3id.org/kgcn/id/doc/a"}
        kept = server.query('ASK { <http://example.org/theirs> <http://example.org/p> "kept" }'.replace(
            "ASK", "CONSTRUCT { <http://example.org/theirs> <http://example.org/p> ?o } WHERE")
            .replace('"kept" }', '?o }'))
        assert b"kept" in kept
    default, union, _ = graphs(ox.Store(str(tmp_path / "ox")))
    theirs = {t for t in default if t.subject.value == "http://example.org/theirs"}
    assert union <= default and all(own_statement(t) for t in default - theirs - union - entailed(union))


@pytest.mark.parametrize("fmt,kind", [("csv", "csv"), ("nquads", "nquads"), ("trig", "trig"), ("turtle", "turtle"),
                                      ("jsonld", "jsonld"), ("rdfxml", "rdf"), ("graphml", "graphml")])
def test_exports_from_an_external_store_stream_the_same_graph(tmp_path, fmt, kind):
    src = write(tmp_path / "in", a=A, c=C)
    build([src], tmp_path / "local", jobs=1, progress=False, files=False)
    with oxigraph_server(tmp_path / "ox") as server:
        kg("build", src, "-o", tmp_path / "r", "--store-url", server.url, "-q", "--no-files", "--jobs", "1")
        kg("export", "--format", fmt, "-o", tmp_path / f"remote.{kind}", "--endpoint", server.url)
    kg("export", "--format", fmt, "-o", tmp_path / f"local.{kind}", "--store", tmp_path / "local" / "store")
    if fmt in ("csv", "graphml"):
        a = sorted((tmp_path / f"local.{kind}").read_text(encoding="utf-8").splitlines())
        b = sorted((tmp_path / f"remote.{kind}").read_text(encoding="utf-8").splitlines())
    else:
        f = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "turtle": ox.RdfFormat.TURTLE,
             "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}[fmt]
        a = set(ox.parse(path=str(tmp_path / f"local.{kind}"), format=f))
        b = set(ox.parse(path=str(tmp_path / f"remote.{kind}"), format=f))
    assert a == b and len(a) > (20 if fmt == "graphml" else 50)


def test_batches_halve_towards_the_end_so_little_is_left_to_load(tmp_path, monkeypatch):
    """Once as many documents wait to be loaded as are still to come, they are
    loaded: after the last document, what the store still loads is that one, and
    the store holds every document as one big batch would have made it."""
    import kg.pipeline as pipeline
    counties = ["某甲县", "某乙县", "某丙县", "某丁县", "某戊县", "某己县", "某庚县", "某辛县", "某壬县"]
    docs = write(tmp_path / "in", **{f"d{i}": f"{name}2024年工作总结\n{name}委统战部开展“同心{i}”活动。\n"
                                     for i, name in enumerate(counties)})
    from kg.vocab import KG
    typed = f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{KG}SourceDocument> .".encode()
    loads = []
    real = LocalStore.add_new

    def counted(self, batch):
        loads.append(batch.read().count(typed))   # the documents of this load (their default-graph line)
        batch.seek(0)
        return real(self, batch)
    monkeypatch.setattr(LocalStore, "add_new", counted)
    monkeypatch.setattr(pipeline.Writer, "BATCH", 1 << 30)
    build([docs], tmp_path / "o", jobs=1, progress=False, files=False)
    assert sum(loads) == len(counties) and loads[-1] == 1 and len(loads) >= 3
    assert loads == sorted(loads, reverse=True)
    monkeypatch.setattr(LocalStore, "add_new", real)
    build([docs], tmp_path / "one", jobs=1, progress=False, files=False)
    assert graphs(ox.Store(str(tmp_path / "o" / "store")))[:2] == graphs(ox.Store(str(tmp_path / "one" / "store")))[:2]


_NQ = ('<urn:kg:s1> <urn:kg:p> "云岭县统计局的报告" <urn:kg:g1> .\n'
       '<urn:kg:s2> <urn:kg:p> "第二行\\n含换行" .\n'
       '<urn:kg:s1> <urn:kg:q> <urn:kg:s2> <urn:kg:g2> .\n').encode()


def test_a_batch_loads_from_a_file_from_where_it_stands_and_closes_it(tmp_path):
    """The writer gathers a batch in an unnamed file and hands it over rewound."""
    import tempfile
    batch = tempfile.TemporaryFile(dir=tmp_path)
    batch.write(b"<not> <n-quads\n")
    start = batch.tell()
    batch.write(_NQ)
    batch.seek(start)
    store = LocalStore(tmp_path / "file")
    store.add_new(batch)
    assert batch.closed
    joined = ox.Store()
    joined.bulk_load(_NQ, ox.RdfFormat.N_QUADS)
    assert set(store.ox) == set(joined) and len(set(joined)) == 3


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.integers(min_value=0, max_value=40), max_size=12), max_size=30),
       st.sampled_from([2, 4, 6, 16, 128]))
def test_shared_statements_given_lately_are_not_given_again_and_none_is_lost(documents, cap):
    """The writer gives the default graph a document's shared lines that it has not
    given lately: every line reaches it at least once, it remembers at most GIVEN
    lines, and while they all fit each is given once."""
    from kg.pipeline import Writer
    w = Writer.__new__(Writer)        # the memory of what was given, without a store
    w.GIVEN, w._given, w._older = cap, set(), set()
    sent: list[bytes] = []
    for doc in documents:
        lines = [f"<urn:kg:s{i}> <urn:kg:p> <urn:kg:o> .\n".encode() for i in doc]
        remembered = w._given | w._older
        out = w._new_shared(b"".join(lines)).splitlines(keepends=True)
        assert set(lines) - remembered <= set(out)
        assert len(w._given) + len(w._older) <= cap
        sent += out
    distinct = {f"<urn:kg:s{i}> <urn:kg:p> <urn:kg:o> .\n".encode() for doc in documents for i in doc}
    assert set(sent) == distinct
    if 2 * len(distinct) < cap:
        assert len(sent) == len(distinct)
