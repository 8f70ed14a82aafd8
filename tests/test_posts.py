"""Posts end to end: a made-up news item built through the real CLI, queried with
`kg query posts`, the Membership nodes in the store, and their SHACL shapes."""
import json

import pyoxigraph as ox
import pytest

from conftest import kg
from kg import vocab

REPORT = """秦州区召开全区统战工作会议
3月12日，天水市秦州区召开全区统战工作会议。区委常委、统战部部长赵文静出席并讲话，区政协副主席陈立主持会议。
赵文静强调，要凝聚共识。（通讯员 林雪）
"""

ORG = vocab.ORG


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("posts")
    (work / "秦州.txt").write_text(REPORT, encoding="utf-8")
    kg("build", work / "秦州.txt", "-o", work / "out", "-q")
    return work / "out"


def rows(built, *args):
    return json.loads(kg("query", "posts", *args, "--store", built / "store", "--format", "json").stdout)


def test_posts_lists_person_post_body_document_and_sentence(built):
    got = rows(built)
    assert {(r["person"], r["post"], r["written"], r["organization"]) for r in got} == {
        ("赵文静", "常委", "区委常委", "秦州区委"),
        ("赵文静", "部长", "统战部部长", "秦州区委统战部"),
        ("陈立", "副主席", "区政协副主席", "政协秦州区委员会")}
    for r in got:
        assert r["document"] == "秦州" and r["written"] in r["sentence"]


def test_posts_of_one_person_or_one_body(built):
    assert {r["organization"] for r in rows(built, "--param", "person=赵文静")} == {"秦州区委", "秦州区委统战部"}
    assert {r["person"] for r in rows(built, "--param", "organization=秦州区政协")} == {"陈立"}
    assert rows(built, "--param", "person=无此人") == []


def test_memberships_are_w3c_org_nodes_with_their_sentence(built):
    store = ox.Store.read_only(str(built / "store"))
    q = f"""SELECT DISTINCT ?name ?role ?label ?text WHERE {{
      ?m a <{ORG}Membership> ; <{ORG}member> ?p ; <{ORG}role> ?r ; <{ORG}organization> ?o ;
         <http://www.w3.org/2000/01/rdf-schema#label> ?label ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?s .
      ?p <http://www.w3.org/2004/02/skos/core#prefLabel> ?name .
      ?r a <{ORG}Role> ; <http://www.w3.org/2004/02/skos/core#prefLabel> ?role .
      ?s <{vocab.KG}text> ?text }}"""
    got = {(s["name"].value, s["role"].value, s["label"].value) for s in store.query(q)}
    assert ("赵文静", "部长", "统战部部长") in got and ("陈立", "副主席", "区政协副主席") in got


def test_memberships_conform_and_a_broken_one_is_caught(built, tmp_path):
    p = kg("validate", "--store", built / "store", check=False)
    assert p.returncode == 0 and "conforms" in p.stdout
    import shutil
    broken = tmp_path / "store"
    shutil.copytree(built / "store", broken)
    store = ox.Store(str(broken))
    m = ox.NamedNode("https://w3id.org/kgcn/id/membership/broken")
    store.add(ox.Quad(m, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(ORG + "Membership")))
    store.flush()
    del store
    p = kg("validate", "--store", broken, check=False)
    assert p.returncode != 0


def test_the_ontology_declares_the_org_terms_kg_writes():
    for local in ("Membership", "Role", "member", "organization", "role"):
        assert vocab.org_term(local) == ORG + local
    with pytest.raises(Exception, match="not declared"):
        vocab.org_term("headOf")


def test_people_are_named_within_their_area(built):
    store = ox.Store.read_only(str(built / "store"))
    q = f"""SELECT ?area WHERE {{ ?p <http://www.w3.org/2004/02/skos/core#prefLabel> "赵文静"@zh ;
             <{vocab.KG}namedWithin> ?a . ?a <http://www.w3.org/2004/02/skos/core#prefLabel> ?area }}"""
    assert {s["area"].value for s in store.query(q)} == {"秦州区"}
