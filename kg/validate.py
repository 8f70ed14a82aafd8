"""SHACL validation of a build with pyshacl against ontology/shapes.ttl, reported as
lines a person reads (text), the SHACL results graph (turtle) or records (json)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg.errors import FormatError
from kg.store import open_store
from kg.vocab import ontology_path

FORMATS = ("text", "turtle", "json")
_SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    value: str | None
    message: str
    shape: str
    severity: str


@dataclass(frozen=True)
class Report:
    conforms: bool
    violations: int
    text: str                                  # pyshacl's own report
    results: tuple[Violation, ...] = ()
    graph: rdflib.Graph | None = field(default=None, compare=False, repr=False)

    def render(self, fmt: str = "text") -> str:
        """The report as ``text`` (one line per violation), ``turtle`` or ``json``."""
        if fmt not in FORMATS:
            raise FormatError(f"unknown report format {fmt!r}; choose one of: {', '.join(FORMATS)}")
        if fmt == "turtle":
            return self.graph.serialize(format="turtle") if self.graph is not None else ""
        if fmt == "json":
            return json.dumps({"conforms": self.conforms, "violations": self.violations,
                               "results": [v.__dict__ for v in self.results]}, ensure_ascii=False, indent=1)
        if self.conforms:
            return "conforms: no SHACL violations"
        lines = [f"{self.violations} SHACL violation{'s' if self.violations != 1 else ''}"]
        lines += [f"{v.severity}: {v.focus}" + (f" {v.path}" if v.path else "") + f": {v.message}"
                  for v in self.results]
        return "\n".join(lines)


def _short(g: rdflib.Graph, node) -> str | None:
    if node is None:
        return None
    if isinstance(node, rdflib.URIRef):
        return g.namespace_manager.normalizeUri(node) if not str(node).startswith("https://w3id.org/kgcn/id/") \
            else f"<{node}>"
    return str(node)


def _violations(g: rdflib.Graph) -> tuple[Violation, ...]:
    out = []
    for r in g.subjects(rdflib.RDF.type, _SH.ValidationResult):
        out.append(Violation(
            focus=_short(g, g.value(r, _SH.focusNode)) or "", path=_short(g, g.value(r, _SH.resultPath)),
            value=_short(g, g.value(r, _SH.value)), message=str(g.value(r, _SH.resultMessage) or ""),
            shape=_short(g, g.value(r, _SH.sourceShape)) or "",
            severity=str(g.value(r, _SH.resultSeverity) or _SH.Violation).rsplit("#", 1)[-1]))
    return tuple(sorted(out, key=lambda v: (v.shape, v.focus, v.path or "", v.value or "")))


def validate(store_dir: str | Path) -> Report:
    import pyshacl

    store = open_store(store_dir, create=False, read_only=True)
    data = rdflib.Graph()
    data.parse(data=ox.serialize(store.default_triples(), format=ox.RdfFormat.N_TRIPLES), format="nt")
    shapes = rdflib.Graph().parse(data=ontology_path("shapes.ttl").read_text("utf-8"), format="turtle")
    ont = rdflib.Graph().parse(data=ontology_path("kg.ttl").read_text("utf-8"), format="turtle")
    conforms, results, text = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ont, inference="none",
                                               allow_warnings=True)
    for prefix, ns in shapes.namespaces():
        results.bind(prefix, ns, override=False)
    found = _violations(results)
    return Report(bool(conforms), len(found), text, found, results)
