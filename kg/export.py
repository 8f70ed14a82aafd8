"""Writes the store's graph in the formats users load elsewhere."""
from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox

from kg import graph
from kg.errors import FormatError

RDF_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
               "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}
FORMATS = tuple(RDF_FORMATS) + ("graphml", "csv")


def export(store_dir: str | Path, fmt: str, out: str | Path) -> int:
    """Write the store in ``fmt`` to ``out``; returns the number of statements written."""
    if fmt not in FORMATS:
        raise FormatError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    store = graph.open_store(store_dir, create=False, read_only=True)
    if fmt in ("nquads", "trig"):
        qs = sorted(store.quads_for_pattern(None, None, None, None),
                    key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
        ox.serialize(qs, str(out), RDF_FORMATS[fmt], **({"prefixes": graph.PREFIXES} if fmt == "trig" else {}))
        return len(qs)
    triples = graph.union_triples(store)
    if fmt in RDF_FORMATS:
        kw = {"prefixes": graph.PREFIXES} if fmt == "turtle" else {}
        ox.serialize(triples, str(out), RDF_FORMATS[fmt], **kw)
    elif fmt == "csv":
        with open(out, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["subject", "predicate", "object", "object_kind"])
            for t in triples:
                kind = "iri" if isinstance(t.object, ox.NamedNode) else "literal"
                w.writerow([t.subject.value, t.predicate.value, t.object.value, kind])
    else:
        import networkx as nx

        from kg.view import network_data
        nodes, edges = network_data(triples)
        g = nx.MultiDiGraph()
        for n, v in nodes.items():
            g.add_node(n, label=v.label, cls=v.cls, aliases="|".join(v.aliases))
        for a, b, p in edges:
            g.add_edge(a, b, key=p, property=p)
        nx.write_graphml(g, str(out))
        return g.number_of_nodes() + g.number_of_edges()
    return len(triples)
