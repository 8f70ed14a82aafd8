"""Counts and duplicates on a corpus where three documents state every triple: the
build summary counts each entity, relation and statistic once (sources apart),
and queries return each row once."""
import json
import re
import urllib.parse
from pathlib import Path

import pytest

from conftest import TINY, kg
from kg.model import EntityKey, Metric, Provenance
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


def test_a_large_build_gathers_no_set_of_its_entities_and_a_small_one_does(tmp_path):
    """A set of every entity a build gives would grow with the corpus in the build's
    process: a build that makes a quarter of the store or more leaves its entity
    counts to the store's distinct counts, which follow it anyway."""
    from kg.pipeline import build, sample_corpus
    big = build([sample_corpus()], tmp_path / "out", jobs=1, files=False, progress=False)
    assert big.counted and not big.entities
    assert big.store is not None and sum(big.store.entities.values()) > 100
    assert big.lines()[1].startswith("entities") and "distinct" in big.lines()[1]
    small = build([TINY], tmp_path / "out", jobs=1, files=False, progress=False)
    assert not small.counted and small.store is None
    assert 0 < sum(small.entities.values()) < sum(big.store.entities.values())


def _metric(**kw):
    base = dict(about=EntityKey("Organization", "某县统计局"), indicator="地区生产总值", value=1.25e9, unit="CNY",
                approximate=False, period="2023年", text="地区生产总值12.5亿元", start=10, end=22,
                provenance=Provenance("d1", 3, 0, 40, "metric.value", 0.6))
    base.update(kw)
    return Metric(**base)


@pytest.mark.parametrize("other,same", [
    (dict(text="生产总值达12.5亿元", start=300, end=311, years=(2023, 2023)), True),   # elsewhere, as other words
    (dict(provenance=Provenance("d9", 7, 5, 90, "metric.table", 0.9)), True),
    (dict(about=None), False),
    (dict(about=EntityKey("Place", "某县")), False),
    (dict(indicator="一般公共预算收入"), False),
    (dict(value=1.26e9), False),
    (dict(unit="PERCENT"), False),
    (dict(approximate=True), False),
    (dict(period=None), False),
    (dict(period="2022年"), False),
])
def test_a_statistic_key_is_what_the_metric_says_about_what(other, same):
    from kg.graph import statistic_key
    a, b = statistic_key(_metric()), statistic_key(_metric(**other))
    assert len(a) == 8 and (a == b) is same


@pytest.mark.parametrize("corpus", ["sample", "replicated"])
def test_a_build_of_the_whole_store_counts_its_statistics_as_the_store_does(corpus, replicated_build, tmp_path):
    """Its distinct statistics come from the metrics' keys, not the store's DISTINCT
    query: both say the same, copies or not."""
    from kg.counts import _STATISTICS, _number
    from kg.pipeline import build, sample_corpus
    from kg.store import LocalStore
    src = sample_corpus() if corpus == "sample" else replicated_build.parent / "in"
    rep = build([src], tmp_path / "out", jobs=2, files=False, progress=False)
    assert rep.counted and rep.statistics is not None and rep.store.statistics == rep.statistics
    store = LocalStore(tmp_path / "out" / "store", read_only=True)
    assert rep.statistics == _number(store, _STATISTICS) > 50
    assert rep.metrics > rep.statistics if corpus == "replicated" else rep.metrics >= rep.statistics


def test_a_build_into_a_store_of_other_documents_asks_the_store(tmp_path):
    from kg.pipeline import build, sample_corpus
    build([TINY], tmp_path / "out", jobs=1, files=False, progress=False)
    rep = build([sample_corpus()], tmp_path / "out", jobs=1, files=False, progress=False)
    assert rep.counted and rep.statistics is None and rep.store.statistics > 50
