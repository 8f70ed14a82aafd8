"""SHACL validation of a build with pyshacl against ontology/shapes.ttl."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg.store import open_store
from kg.vocab import ontology_path


@dataclass(frozen=True)
class Report:
    conforms: bool
    violations: int
    text: str


def validate(store_dir: str | Path) -> Report:
    import pyshacl

    store = open_store(store_dir, create=False, read_only=True)
    data = rdflib.Graph()
    data.parse(data=ox.serialize(store.default_triples(), format=ox.RdfFormat.N_TRIPLES), format="nt")
    shapes = rdflib.Graph().parse(data=ontology_path("shapes.ttl").read_text("utf-8"), format="turtle")
    ont = rdflib.Graph().parse(data=ontology_path("kg.ttl").read_text("utf-8"), format="turtle")
    conforms, results, text = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ont, inference="none",
                                               allow_warnings=True)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    n = len(list(results.subjects(rdflib.RDF.type, sh.ValidationResult)))
    return Report(bool(conforms), n, text)
