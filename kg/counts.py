"""What the store holds, each thing counted once: entities by class, relations by
property, statistics, documents. A build streams its documents and keeps no set of
their entities or relations, so these are counted in the store after it, by a few
aggregate queries over the default graph (which holds each triple once); of its
statistics it keeps 8 bytes each."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kg import graph

# a statistic is the same one when it says the same about the same thing, whichever
# documents (and however many sentences) state it
_STATISTICS = """SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?e ?i ?v ?u ?per ?x WHERE {
  ?m a kg:Metric ; kg:indicator ?i ; kg:value ?v ; kg:unit ?u ; kg:approximate ?x .
  OPTIONAL { ?m kg:about ?e } OPTIONAL { ?m kg:period ?per } } }"""
_DOCUMENTS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?g a kg:SourceDocument } }"


@dataclass(frozen=True)
class StoreCounts:
    entities: Counter = field(default_factory=Counter)     # distinct entities by fine class
    relations: Counter = field(default_factory=Counter)    # distinct relation triples by property
    statistics: int = 0
    documents: int = 0


def _number(store, sparql: str) -> int:
    return int(next(iter(store.query(sparql, graph.PREFIXES)))["n"].value)


def distinct_keys(keys: bytes) -> int:
    """How many distinct 8-byte keys (kg.graph.statistic_key) ``keys`` joins."""
    return len(set(memoryview(keys).cast("Q")))


def store_counts(store, statistics: int | None = None) -> StoreCounts:
    """The distinct entities, relations and statistics ``store`` holds. A build that
    made all of the store knows its distinct ``statistics`` from their keys: the
    one costly query (a DISTINCT over every metric: at 16x the sample corpus 1.1 s
    and 40 MiB) is then not run."""
    from kg.model import FAMILY
    from kg.vocab import KG, RELATIONS
    classes = " ".join(f"kg:{c}" for c in sorted(FAMILY))
    pairs = ((s["e"].value, s["c"].value[len(KG):])
             for s in store.query(f"SELECT ?e ?c WHERE {{ VALUES ?c {{ {classes} }} ?e a ?c }}", graph.PREFIXES))
    rels = " ".join(f"kg:{r}" for r in RELATIONS)
    relations = Counter({s["p"].value[len(KG):]: int(s["n"].value) for s in store.query(
        f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ {rels} }} ?s ?p ?o }} GROUP BY ?p", graph.PREFIXES)})
    return StoreCounts(graph.entity_counts(pairs), relations,
                       _number(store, _STATISTICS) if statistics is None else statistics,
                       _number(store, _DOCUMENTS))
