"""Counts and duplicates on a corpus where three documents state every triple: the
build summary counts each entity, relation and statistic once (sources apart),
and queries return each row once."""
import json
import re
import urllib.parse
from pathlib import Path

import pytest

from conftest import TINY, kg
from helpers import busiest
from services import KgServe

QUERY_PAGE = Path(__file__).parent.parent / "kg" / "data" / "query.html"


def _summary(text: str) -> dict[str, str]:
    return {line[:12].strip(): line[12:] for line in text.splitlines() if line[:12].strip()}


def _numbers(s: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", s)]


@pytest.fixture(scope="module")
def summaries(replicated_build, tmp_path_factory):
    from kg.pipeline import sample_corpus
    work = tmp_path_factory.mktemp("summaries")
    one = kg("build", sample_corpus(), "-o", work / "one", "--no-files", "--jobs", "2").stdout
    three = kg("build", replicated_build.parent / "in", "-o", work / "three", "--no-files", "--jobs", "2").stdout
    return work, _summary(one), _summary(three)


@pytest.mark.parametrize("line", ["entities", "relations", "statistics"])
def test_distinct_counts_do_not_grow_with_copies(summaries, line):
    _, one, three = summaries
    assert "distinct" in three[line] and three[line] == one[line]


def test_sources_are_counted_apart_and_do(summaries):
    _, one, three = summaries
    assert _numbers(three["documents"])[0] == 3 * _numbers(one["documents"])[0]
    assert _numbers(three["sources"]) == [3 * n for n in _numbers(one["sources"])]


@pytest.mark.parametrize("line,sparql", [
    ("relations", "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?p { kg:runs kg:hosts kg:establishes kg:locatedIn "
                  "kg:subOrganizationOf kg:awarded kg:awardedBy kg:issues kg:partner kg:participatesIn "
                  "kg:memberOf } ?s ?p ?o }"),
    ("entities", "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?c FILTER(STRSTARTS(STR(?c), STR(kg:))) "
                 "FILTER(?c NOT IN (kg:Assertion, kg:Metric, kg:Sentence, kg:SourceDocument)) }"),
])
def test_distinct_counts_are_what_the_store_holds(summaries, line, sparql):
    work, _, three = summaries
    n = json.loads(kg("query", sparql, "--store", work / "three" / "store", "--format", "json").stdout)[0]["n"]
    assert _numbers(three[line])[0] == int(n)


def test_a_build_into_a_larger_store_says_whose_counts_they_are(summaries, tmp_path):
    """A build that adds a few documents counts them (the store's distinct counts are
    queries over all of it, which would make adding a document cost the store);
    one that makes a quarter of the store or more gives the store's."""
    import shutil
    work, one, _ = summaries
    shutil.copytree(work / "one", tmp_path / "one")
    few = _summary(kg("build", TINY, "-o", tmp_path / "one", "--no-files", "--jobs", "1").stdout)
    assert "stored" not in few and "in these documents" in few["entities"] and "in these documents" in few["relations"]
    assert _numbers(few["entities"])[0] < _numbers(one["entities"])[0]
    more = _summary(kg("build", TINY, TINY.parent / "injection.txt", "-o", work / "one", "--no-files",
                       "--jobs", "1").stdout)
    assert _numbers(more["stored"])[0] == _numbers(one["documents"])[0] + 2
    assert "distinct" in more["entities"] and _numbers(more["entities"])[0] > _numbers(one["entities"])[0]


def _rows(store, *args):
    return json.loads(kg("query", *args, "--store", store, "--format", "json").stdout)


def _once(rows) -> bool:
    return len(rows) == len({json.dumps(r, sort_keys=True) for r in rows})


def test_named_queries_give_each_row_once(replicated_build):
    from kg.query import named_queries
    store = replicated_build / "store"
    entity = busiest(store)
    for name, q in named_queries().items():
        params = [a for p in q.params if "(optional)" not in q.params[p] for a in ("--param", f"{p}={entity}")]
        rows = _rows(store, name, *params)
        assert rows and _once(rows), name


def test_the_query_page_example_gives_each_row_once(replicated_build):
    example = re.search(r'<textarea id="q">(.*?)</textarea>', QUERY_PAGE.read_text(encoding="utf-8"), re.S).group(1)
    rows = _rows(replicated_build / "store", example)
    assert len(rows) > 10 and _once(rows)


def test_describe_gives_each_triple_once(replicated_build):
    place = busiest(replicated_build / "store", "AdministrativeArea", "kg:mentionedIn")
    describe = f'DESCRIBE ?s WHERE {{ ?s skos:prefLabel "{place}"@zh }}'
    rows = _rows(replicated_build / "store", describe)
    assert len(rows) > 20 and _once(rows)
    s = KgServe(replicated_build / "store")
    try:
        status, _, body = s.request("/sparql?" + urllib.parse.urlencode({"query": describe}),
                                    headers={"Accept": "application/n-triples"})
    finally:
        s.stop()
    lines = body.decode().splitlines()
    assert status == 200 and len(lines) == len(set(lines)) == len(rows)
