"""Writes the store's graph in the formats users load elsewhere: RDF for RDF tools,
GraphML for Gephi and Cytoscape, and tables (CSV, xlsx) for people.

Triple formats hold the default graph (each triple once); N-Quads and TriG the
whole dataset (the default graph and every document's graph). Each output is
written to a temporary file renamed at the end, or copied to a stream (``-o -``)
once whole, so a failed export never leaves half a file under the name asked for.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg import graph
from kg.errors import FormatError
from kg.store import open_store

RDF_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
               "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
FORMATS = tuple(RDF_FORMATS) + ("graphml", "csv", "xlsx", "tables")
# the names RDF tools and file extensions use for the same formats
ALIASES = {"ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "nq": "nquads", "n-quads": "nquads",
           "json-ld": "jsonld", "rdf": "rdfxml", "xml": "rdfxml", "rdf/xml": "rdfxml", "owl": "rdfxml"}
FOLDER_FORMATS = ("tables",)


def format_name(name: str) -> str:
    """The format ``name`` stands for (a format or one of its aliases)."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in FORMATS:
        raise FormatError(f"unknown format {name!r}; choose one of: {', '.join(FORMATS)} "
                          f"(or {', '.join(sorted(ALIASES))})")
    return key


def _count(store, dataset: bool) -> int:
    q = ("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }" if dataset
         else "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(next(iter(store.query(q, {})))["n"].value)


def export(store_dir: str | Path, fmt: str, out: str | Path | BinaryIO, raw: bool = False) -> int:
    """Write the store (a folder or a SPARQL server's URL) in ``fmt`` (a format or an
    alias) to ``out``, a path or a binary stream such as ``sys.stdout.buffer``;
    returns the number of statements (rows for tables) written. ``tables`` writes a
    folder of CSV files. CSV is for people: formula-like cells are neutralised
    unless ``raw``."""
    fmt = format_name(fmt)
    stream = not isinstance(out, (str, Path))
    if stream and fmt in FOLDER_FORMATS:
        raise FormatError(f"{fmt} writes a folder of files, which cannot go to standard output; "
                          "give -o FOLDER (or --format xlsx for one file)")
    store = open_store(store_dir, create=False, read_only=True)
    if fmt in FOLDER_FORMATS:
        from kg.tables import write_folder
        return write_folder(store, Path(out), raw)
    if stream:
        with tempfile.TemporaryDirectory(prefix="kg-export-") as tmp:
            part = Path(tmp) / f"out.{fmt}"
            n = _write(store, fmt, part, raw)
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out)
            out.flush()
            return n
    tmp = Path(f"{out}.part")
    try:
        n = _write(store, fmt, tmp, raw)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return n


def _write(store, fmt: str, path: Path, raw: bool = False) -> int:
    if fmt == "jsonld":
        return write_jsonld(store.default_triples(), path, graph.PREFIXES)
    if fmt in RDF_FORMATS:
        dataset = fmt in ("nquads", "trig")
        store.dump(path, RDF_FORMATS[fmt], graph.PREFIXES if fmt in ("turtle", "trig", "rdfxml") else None, dataset)
        return _count(store, dataset)
    if fmt == "csv":
        return _write_csv(store, path, raw)
    if fmt == "xlsx":
        from kg.tables import write_xlsx
        return write_xlsx(store, path)
    return write_graphml(store, path)


def _write_csv(store, path: Path, raw: bool) -> int:
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


# ---------------------------------------------------------------- JSON-LD

class _Compact:
    """Compact IRIs for kg's prefixes, as a JSON-LD @context defines them."""

    def __init__(self, prefixes: dict[str, str]):
        # longest namespace first: id:doc/… must not be taken for a shorter namespace
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))

    def __call__(self, iri: str) -> str:
        for p, ns in self.prefixes:
            # a suffix starting "//" would be read as an absolute IRI, not a compact one
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                return f"{p}:{iri[len(ns):]}"
        return iri


def _jsonld_object(o, compact: _Compact) -> dict:
    if isinstance(o, ox.NamedNode):
        return {"@id": compact(o.value)}
    if isinstance(o, ox.BlankNode):
        return {"@id": f"_:{o.value}"}
    if o.language:
        return {"@value": o.value, "@language": o.language}
    if o.datatype.value == graph.XSD + "string":
        return {"@value": o.value}
    return {"@value": o.value, "@type": compact(o.datatype.value)}


def write_jsonld(triples, path: Path, prefixes: dict[str, str]) -> int:
    """JSON-LD with a @context of ``prefixes`` and one node object per subject,
    streamed: triples arrive grouped by subject from the store; a subject seen again
    later gets a second node object, which JSON-LD merges with the first."""
    compact = _Compact(prefixes)
    rdf_type = graph.RDF_TYPE.value
    n, node, subject, sep = 0, None, None, "\n  "
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{"@context": ' + json.dumps(prefixes, ensure_ascii=False) + ',\n "@graph": [')
        for t in triples:
            if t.subject != subject:
                if node is not None:
                    fh.write(sep + json.dumps(node, ensure_ascii=False))
                    sep = ",\n  "
                subject = t.subject
                node = {"@id": compact(t.subject.value) if isinstance(t.subject, ox.NamedNode)
                        else f"_:{t.subject.value}"}
            if t.predicate.value == rdf_type and isinstance(t.object, ox.NamedNode):
                node.setdefault("@type", []).append(compact(t.object.value))
            else:
                node.setdefault(compact(t.predicate.value), []).append(_jsonld_object(t.object, compact))
            n += 1
        if node is not None:
            fh.write(sep + json.dumps(node, ensure_ascii=False))
        fh.write("\n]}\n")
    return n


def relation_labels(lang: str = "zh") -> dict[str, str]:
    """Each relation's rdfs:label in ``lang`` from the ontology (Gephi shows it)."""
    from kg.vocab import KG, ontology_path
    label = graph.RDFS + "label"
    out = {}
    for t in ox.parse(ontology_path().read_bytes(), format=ox.RdfFormat.TURTLE):
        if t.predicate.value == label and t.subject.value.startswith(KG) and \
                isinstance(t.object, ox.Literal) and t.object.language == lang:
            out[t.subject.value[len(KG):]] = t.object.value
    return out


# ---------------------------------------------------------------- GraphML

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Gephi's importer needs every data attribute declared (with its type) before the
# graph, and drops an edge whose id repeats: ids are e0, e1 …
GRAPHML_KEYS = (
    ("label", "node", "label", "string"), ("class", "node", "class", "string"),
    ("family", "node", "family", "string"), ("aliases", "node", "aliases", "string"),
    ("elabel", "edge", "label", "string"), ("relation", "edge", "relation", "string"),
    ("weight", "edge", "weight", "double"), ("documents", "edge", "documents", "int"),
)


def _x(s: str) -> str:
    return escape(_XML_BAD.sub("", s))


def entity_nodes(store) -> dict[str, tuple[str, str, list[str]]]:
    """{IRI: (label, fine class, aliases)} of every entity in the store."""
    from kg.model import FAMILY, fine_class
    from kg.vocab import KG
    classes = " ".join(f"kg:{c}" for c in sorted(FAMILY))
    types: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    for s in store.query(f"SELECT ?e ?c ?l WHERE {{ VALUES ?c {{ {classes} }} ?e a ?c . "
                         "OPTIONAL { ?e skos:prefLabel ?l } }", graph.PREFIXES):
        types[s["e"].value].add(s["c"].value[len(KG):])
        if s["l"] is not None:
            labels.setdefault(s["e"].value, s["l"].value)
    aliases: dict[str, set[str]] = defaultdict(set)
    for s in store.query("SELECT ?e ?a WHERE { ?e skos:altLabel ?a }", graph.PREFIXES):
        if s["e"].value in types:
            aliases[s["e"].value].add(s["a"].value)
    return {e: (labels.get(e, e.rsplit("/", 1)[-1]), fine_class(ts), sorted(aliases[e])) for e, ts in types.items()}


def relation_edges(store, nodes) -> list[tuple[str, str, str, int, int]]:
    """(subject, relation, object, sentences, documents) of each relation between
    ``nodes``: the sentences from the triple's assertions, the documents from the
    document graphs that hold the triple (its support)."""
    from kg.vocab import KG, RELATIONS
    rels = " ".join(f"kg:{r}" for r in RELATIONS)
    q = (f"SELECT ?s ?p ?o (COUNT(DISTINCT ?x) AS ?n) (COUNT(DISTINCT ?g) AS ?d) WHERE {{ VALUES ?p {{ {rels} }} "
         "?s ?p ?o . OPTIONAL { ?a rdf:subject ?s ; rdf:object ?o ; rdf:predicate ?q ; prov:wasDerivedFrom ?x . "
         "FILTER(?q = ?p) } OPTIONAL { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?s ?p ?o")
    return sorted((s["s"].value, s["p"].value[len(KG):], s["o"].value, int(s["n"].value), int(s["d"].value))
                  for s in store.query(q, graph.PREFIXES) if s["s"].value in nodes and s["o"].value in nodes)


def write_graphml(store, path: Path) -> int:
    """GraphML that Gephi, Cytoscape, networkx and igraph read whole: declared keys,
    unique node and edge ids; an edge's weight is the number of sentences stating it."""
    from kg.model import FAMILY
    nodes = entity_nodes(store)
    edges = relation_edges(store, nodes)
    names = relation_labels("zh")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                 'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                 'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
        for key, for_, name, typ in GRAPHML_KEYS:
            fh.write(f'  <key id="{key}" for="{for_}" attr.name="{name}" attr.type="{typ}"/>\n')
        fh.write('  <graph id="kg" edgedefault="directed">\n')
        for iri, (label, cls, aliases) in sorted(nodes.items()):
            fh.write(f'    <node id={quoteattr(_XML_BAD.sub("", iri))}><data key="label">{_x(label)}</data>'
                     f'<data key="class">{cls}</data><data key="family">{FAMILY[cls]}</data>'
                     f'<data key="aliases">{_x("|".join(aliases))}</data></node>\n')
        for i, (s, p, o, n, d) in enumerate(edges):
            fh.write(f'    <edge id="e{i}" source={quoteattr(_XML_BAD.sub("", s))} '
                     f'target={quoteattr(_XML_BAD.sub("", o))}><data key="elabel">{_x(names.get(p, p))}</data>'
                     f'<data key="relation">{p}</data><data key="weight">{n}</data>'
                     f'<data key="documents">{d}</data></edge>\n')
        fh.write("  </graph>\n</graphml>\n")
    return len(nodes) + len(edges)
