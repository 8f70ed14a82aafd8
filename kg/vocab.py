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
def _terms() -> dict[str, set[str]]:
    try:
        data = ontology_path().read_bytes()
    except OSError as e:
        raise OntologyError(f"cannot read the ontology: {e}") from e
    out: dict[str, set[str]] = {"class": set(), "object": set(), "datatype": set(), "unit": set()}
    kinds = {_OWL + "Class": "class", _OWL + "ObjectProperty": "object",
             _OWL + "DatatypeProperty": "datatype", KG + "Unit": "unit"}
    for t in ox.parse(data, format=ox.RdfFormat.TURTLE):
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
