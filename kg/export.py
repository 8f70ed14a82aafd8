"""Writes the store's graph in the formats users load elsewhere. RDF formats are
streamed by the store's own serializer to a temporary file renamed at the end:
the default graph (each triple once) for triple formats, the whole dataset (the
default graph and every document's graph) for N-Quads and TriG."""
from __future__ import annotations

import csv
import os
from pathlib import Path

import pyoxigraph as ox

from kg import graph
from kg.errors import FormatError
from kg.store import open_store

RDF_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
               "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}
FORMATS = tuple(RDF_FORMATS) + ("graphml", "csv")


def _count(store, dataset: bool) -> int:
    q = ("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }" if dataset
         else "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(next(iter(store.query(q, {})))["n"].value)


def export(store_dir: str | Path, fmt: str, out: str | Path, raw: bool = False) -> int:
    """Write the store (a folder or a SPARQL server's URL) in ``fmt`` to ``out``;
    returns the number of statements written. CSV is for people: formula-like cells
    are neutralised unless ``raw``."""
    if fmt not in FORMATS:
        raise FormatError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    store = open_store(store_dir, create=False, read_only=True)
    tmp = Path(f"{out}.part")
    try:
        n = _write(store, fmt, tmp, raw)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return n


def _write(store, fmt: str, path: Path, raw: bool = False) -> int:
    if fmt in RDF_FORMATS:
        f = RDF_FORMATS[fmt]
        dataset = fmt in ("nquads", "trig")
        store.dump(path, f, graph.PREFIXES if fmt in ("turtle", "trig") else None, dataset)
        return _count(store, dataset)
    if fmt == "csv":
        from kg.query import neutral
        cell = (lambda c: c) if raw else neutral
        n = 0
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["subject", "predicate", "object", "object_kind"])
            for t in store.default_triples():
                kind = "iri" if isinstance(t.object, ox.NamedNode) else "literal"
                w.writerow([cell(t.subject.value), t.predicate.value, cell(t.object.value), kind])
                n += 1
        return n
    import networkx as nx

    from kg.view import store_skeleton
    nodes, edges = store_skeleton(store)
    g = nx.MultiDiGraph()
    for n, v in nodes.items():
        g.add_node(n, label=v.label, cls=v.cls, aliases="|".join(v.aliases))
    for a, b, p in edges:
        g.add_edge(a, b, key=p, property=p)
    nx.write_graphml(g, str(path))
    return g.number_of_nodes() + g.number_of_edges()
