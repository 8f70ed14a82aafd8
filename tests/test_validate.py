"""The ontology works in queries and in validation: the aligned standard types and
properties are stated (a query in ORG, PROV-O or schema.org terms needs no
reasoner), the shapes hold every relation's domain and range as kg.ttl declares
them, relations the ontology does not allow are not emitted, and kg validate
reports in text, Turtle or JSON."""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib

from conftest import kg
from helpers import context_of
from kg import vocab
from kg.model import Relation
from kg.resolve import STEPS, resolution
from kg.store import LocalStore

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
KG = rdflib.Namespace(vocab.KG)


def rows(store, sparql):
    p = kg("query", sparql, "--store", store, "--format", "json")
    return json.loads(p.stdout)


def count(store, sparql) -> int:
    return int(rows(store, sparql)[0]["n"])


@pytest.mark.parametrize("standard, own", [
    ("?x a org:Organization", "?x a ?c . VALUES ?c { kg:Organization kg:PartyOrganization kg:GovernmentAgency "
                              "kg:DemocraticParty kg:MassOrganization kg:Enterprise kg:PublicInstitution }"),
    ("?x a prov:Organization", "?x a kg:Organization"),
    ("?x a prov:Location", "?x a ?c . VALUES ?c { kg:Place kg:AdministrativeArea kg:Site }"),
    ("?x a prov:Activity", "?x a ?c . VALUES ?c { kg:Program kg:Event }"),
    ("?x a prov:Person", "?x a kg:Person"),
    ("?x a prov:Entity", "?x a ?c . VALUES ?c { kg:Sentence kg:SourceDocument }"),
    ("?x a rdf:Statement", "?x a kg:Assertion"),
    ("?x org:memberOf ?y", "?x kg:memberOf ?y"),
    ("?x org:subOrganizationOf ?y", "?x kg:subOrganizationOf ?y"),
    ("?x prov:atLocation ?y", "?x kg:locatedIn ?y"),
    ("?x schema:award ?y", "?x kg:awarded ?y"),
])
def test_a_query_in_standard_terms_finds_what_kg_terms_find(sample_build, standard, own):
    store = sample_build / "store"
    n = count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT * WHERE {{ {standard} }} }}")
    assert n > 0 and n == count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?x ?y WHERE {{ {own} }} }}")


def test_organizations_are_not_places_and_a_metric_has_one_type(sample_build):
    store = sample_build / "store"
    assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?x a kg:Organization . "
                        "{ ?x a schema:Place } UNION { ?x a prov:Location } }") == 0
    assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?m a kg:Metric ; a ?t . FILTER(?t != kg:Metric) }") == 0


def _classes(shapes, node) -> set[str]:
    """The classes an sh:class or an sh:or of them names at ``node``."""
    one = shapes.value(node, SH["class"])
    if one is not None:
        return {str(one)[len(vocab.KG):]}
    alts = shapes.value(node, SH["or"])
    return {str(shapes.value(a, SH["class"]))[len(vocab.KG):] for a in rdflib.collection.Collection(shapes, alts)}


@pytest.mark.parametrize("prop", vocab.RELATIONS)
def test_every_relation_has_a_shape_of_its_domain_and_range_as_the_ontology_declares(prop):
    shapes = rdflib.Graph().parse(data=vocab.ontology_path("shapes.ttl").read_text("utf-8"), format="turtle")
    shape = next(shapes.subjects(SH.targetSubjectsOf, KG[prop]))
    prop_shape = next(p for p in shapes.objects(shape, SH.property) if shapes.value(p, SH.path) == KG[prop])
    declared = vocab._domains_ranges()[prop]
    assert _classes(shapes, shape) == set(declared["domain"])
    assert _classes(shapes, prop_shape) == set(declared["range"])


@pytest.mark.parametrize("cls, prop, end, ok", [
    ("PartyOrganization", "runs", "domain", True),       # a subclass of a declared class
    ("AdministrativeArea", "runs", "domain", True),
    ("Site", "runs", "domain", False),                    # a road runs nothing
    ("Person", "hosts", "domain", False),
    ("Base", "hosts", "range", True),
    ("Program", "hosts", "range", False),
    ("AdministrativeArea", "issues", "domain", True),     # a subdistrict issues through its office
    ("AdministrativeArea", "partner", "domain", False),
    ("Person", "memberOf", "domain", True),
    ("GovernmentAgency", "memberOf", "range", True),
    ("Honor", "awardedBy", "domain", True),
    ("Event", "participatesIn", "range", True),
    ("Document", "participatesIn", "range", False),
])
def test_what_the_ontology_allows_at_each_end_of_a_relation(cls, prop, end, ok):
    assert vocab.fits(cls, prop, end) is ok


def test_the_gate_drops_relations_the_ontology_does_not_allow():
    text = "株洲市荷塘区2024年工作总结\n荷塘区委统战部开展“同心聚力”活动。建设路开展“清洁家园”活动。"
    r = resolution(context_of(text), ["composed_relations", "attribute_relations"])
    keys = {e.name: e.key for e in r.entities}
    good = next(x for x in r.relations if x.predicate == "runs")
    bad = {Relation(keys["荷塘区"], "hosts", good.object, good.provenance),        # hosts leads to a Base
           Relation(good.object, "runs", good.object, good.provenance)}           # a program runs nothing
    r.relations |= bad
    STEPS["schema_gate"].func(r)
    assert good in r.relations and not (bad & r.relations)


def test_validate_reports_in_text_turtle_and_json(sample_build, tmp_path):
    import shutil
    broken = tmp_path / "store"
    shutil.copytree(sample_build / "store", broken)
    store = ox.Store(str(broken))
    person = next(iter(store.query("SELECT ?p WHERE { ?p a kg:Person } LIMIT 1",
                                   prefixes={"kg": vocab.KG})))["p"]
    store.add(ox.Quad(person, ox.NamedNode(vocab.KG + "hosts"), person))                  # domain and range
    store.add(ox.Quad(person, ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
                      ox.Literal("第二个名字", language="zh")))                             # two names in zh
    store.flush()
    del store
    ok = kg("validate", "--store", sample_build / "store", "--format", "json")
    assert json.loads(ok.stdout) == {"conforms": True, "violations": 0, "results": []}
    text = kg("validate", "--store", broken, "-v", check=False)
    assert text.returncode == 1
    head, *lines = text.stdout.strip().splitlines()
    assert head == f"{len(lines)} SHACL violations" and len(lines) >= 3
    assert any("the subject of hosts is one of Place, Organization" in x for x in lines)
    assert any("hosts leads to a Base" in x for x in lines)
    assert any("one canonical name per language" in x for x in lines)
    js = json.loads(kg("validate", "--store", broken, "--format", "json", check=False).stdout)
    assert js["conforms"] is False and js["violations"] == len(lines) == len(js["results"])
    assert {"focus", "path", "value", "message", "shape", "severity"} == set(js["results"][0])
    ttl = kg("validate", "--store", broken, "--format", "turtle", check=False).stdout
    report = rdflib.Graph().parse(data=ttl, format="turtle")
    assert len(list(report.subjects(rdflib.RDF.type, SH.ValidationResult))) == len(lines)
    assert LocalStore(broken, create=False, read_only=True).documents()
