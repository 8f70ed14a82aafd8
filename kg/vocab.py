"""The vocabulary, read from ontology/kg.ttl (the source of truth).

Nothing here is typed by hand: classes, properties and units are whatever the
ontology declares, so code and ontology cannot drift. ``term`` refuses a local name
the ontology does not declare.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pyoxigraph as ox

from kg.errors import OntologyError

KG = "https://w3id.org/kgcn/ontology#"
ORG = "http://www.w3.org/ns/org#"
DCAT = "http://www.w3.org/ns/dcat#"
# the outside vocabularies kg writes terms of, each checked against the ontology's declarations
_EXTERNAL = {"org": ORG, "dcat": DCAT}
_OWL = "http://www.w3.org/2002/07/owl#"
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RELATIONS = ("runs", "hosts", "establishes", "locatedIn", "subOrganizationOf", "awarded",
             "awardedBy", "issues", "partner", "participatesIn", "memberOf")


def ontology_path(name: str = "kg.ttl"):
    return resources.files("kg.ontology").joinpath(name)


@lru_cache(maxsize=1)
def _triples() -> tuple[ox.Triple, ...]:
    """kg.ttl's statements, read and parsed once for every table drawn from it."""
    try:
        data = ontology_path().read_bytes()
    except OSError as e:
        raise OntologyError(f"cannot read the ontology: {e}") from e
    return tuple(ox.parse(data, format=ox.RdfFormat.TURTLE))


@lru_cache(maxsize=1)
def _terms() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {"class": set(), "object": set(), "datatype": set(), "unit": set()}
    kinds = {_OWL + "Class": "class", _OWL + "ObjectProperty": "object",
             _OWL + "DatatypeProperty": "datatype", KG + "Unit": "unit"}
    for t in _triples():
        if t.predicate == _TYPE and isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(KG):
            kind = kinds.get(t.object.value) if isinstance(t.object, ox.NamedNode) else None
            if kind:
                out[kind].add(t.subject.value[len(KG):])
        elif t.predicate == _TYPE and isinstance(t.subject, ox.NamedNode):
            for prefix, ns in _EXTERNAL.items():
                if t.subject.value.startswith(ns):
                    out.setdefault(prefix, set()).add(t.subject.value[len(ns):])
    return out


def classes() -> frozenset[str]:
    return frozenset(_terms()["class"])


def properties() -> frozenset[str]:
    return frozenset(_terms()["object"] | _terms()["datatype"])


def units() -> frozenset[str]:
    return frozenset(_terms()["unit"])


def term(local: str) -> str:
    """The IRI of a declared term; OntologyError for anything the ontology lacks."""
    t = _terms()
    if local in t["class"] or local in t["object"] or local in t["datatype"] or local in t["unit"]:
        return KG + local
    raise OntologyError(f"kg:{local} is not declared in ontology/kg.ttl")


def _external(prefix: str, local: str) -> str:
    if local in _terms().get(prefix, set()):
        return _EXTERNAL[prefix] + local
    raise OntologyError(f"{prefix}:{local} is not declared in ontology/kg.ttl")


def org_term(local: str) -> str:
    """The IRI of a W3C ORG term the ontology says kg uses (org:Membership …)."""
    return _external("org", local)


def dcat_term(local: str) -> str:
    """The IRI of a W3C DCAT term the ontology says kg uses (dcat:mediaType …)."""
    return _external("dcat", local)


_SUB = {"class": ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
        "property": ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subPropertyOf")}


@lru_cache(maxsize=1)
def _parents() -> dict[str, dict[str, set[str]]]:
    """IRI -> the named classes (properties) the ontology puts directly above it."""
    out: dict[str, dict[str, set[str]]] = {"class": {}, "property": {}}
    for t in _triples():
        for kind, p in _SUB.items():
            if t.predicate == p and isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode):
                out[kind].setdefault(t.subject.value, set()).add(t.object.value)
    return out


def _above(kind: str, iri: str) -> tuple[str, ...]:
    seen: list[str] = []
    todo = sorted(_parents()[kind].get(iri, ()))
    while todo:
        x = todo.pop(0)
        if x not in seen and x != iri:
            seen.append(x)
            todo += sorted(_parents()[kind].get(x, ()))
    return tuple(sorted(seen))


def classes_with_parents() -> tuple[str, ...]:
    """Every class (IRI) the ontology puts below another."""
    return tuple(sorted(_parents()["class"]))


@lru_cache(maxsize=None)
def superclasses(iri: str) -> tuple[str, ...]:
    """Every class above ``iri`` in the ontology (kg's and the aligned standard ones:
    org:Organization, prov:Entity, schema:Place …), transitively. The graph stage
    states them, so a query in a standard vocabulary needs no reasoner."""
    return _above("class", iri)


@lru_cache(maxsize=None)
def superproperties(iri: str) -> tuple[str, ...]:
    """Every property above ``iri`` (kg:memberOf ⊑ org:memberOf …), transitively."""
    return _above("property", iri)


_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


@lru_cache(maxsize=1)
def _domains_ranges() -> dict[str, dict[str, frozenset[str]]]:
    """kg property -> {"domain": classes, "range": classes} (local names; a union
    is its members), as kg.ttl declares them. Read from the triples parsed once
    (rdflib stays out of the build's workers: importing it is a fifth of their start-up)."""
    by_subject: dict = {}
    for t in _triples():
        by_subject.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)

    def one(node, p: str):
        got = by_subject.get(node, {}).get(p, ())
        return got[0] if got else None

    def members(node) -> frozenset[str]:
        if node is None:
            return frozenset()
        if isinstance(node, ox.NamedNode):
            return frozenset({node.value[len(KG):]}) if node.value.startswith(KG) else frozenset()
        out, cell = set(), one(node, _OWL + "unionOf")
        while cell is not None and cell != ox.NamedNode(_RDF + "nil"):     # an RDF list: first, rest, … nil
            first = one(cell, _RDF + "first")
            if isinstance(first, ox.NamedNode) and first.value.startswith(KG):
                out.add(first.value[len(KG):])
            cell = one(cell, _RDF + "rest")
        return frozenset(out)
    return {p: {"domain": members(one(ox.NamedNode(KG + p), _RDFS + "domain")),
                "range": members(one(ox.NamedNode(KG + p), _RDFS + "range"))} for p in _terms()["object"]}


def fits(cls: str, prop: str, end: str) -> bool:
    """Whether an entity of class ``cls`` may be the ``end`` ("domain" or "range")
    of ``prop`` as the ontology declares it (a subclass of a declared class fits;
    a property that declares none takes anything)."""
    allowed = _domains_ranges().get(prop, {}).get(end)
    if not allowed:
        return True
    return cls in allowed or any(c[len(KG):] in allowed for c in superclasses(KG + cls) if c.startswith(KG))


@lru_cache(maxsize=None)
def labels(lang: str = "zh") -> dict[str, str]:
    """kg class and property local names -> their rdfs:label in ``lang`` (the
    local name where the ontology gives none in that language)."""
    label = ox.NamedNode(_RDFS + "label")
    out: dict[str, str] = {}
    for t in _triples():
        if t.predicate == label and isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(KG) \
                and isinstance(t.object, ox.Literal) and t.object.language == lang:
            out[t.subject.value[len(KG):]] = t.object.value
    return {k: out.get(k, k) for k in _terms()["class"] | _terms()["object"] | _terms()["datatype"]}
