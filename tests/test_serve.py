"""The SPARQL endpoint over a real socket on 127.0.0.1, started through the CLI."""
import concurrent.futures
import csv
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
import rdflib

from conftest import kg
from helpers import busiest
from services import KgServe as Server

SELECT = "SELECT ?name WHERE { ?x a kg:Document ; skos:prefLabel ?name } ORDER BY ?name"


@pytest.fixture(scope="module")
def server(sample_build):
    s = Server(sample_build / "store")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def tight(sample_build):
    s = Server(sample_build / "store", "--timeout", "1", "--limit", "5", "--workers", "1")
    yield s
    s.stop()


def test_binds_loopback_by_default(server):
    assert server.host == "127.0.0.1"


def test_get_post_form_and_post_query_agree(server):
    _, _, a = server.get(SELECT)
    _, _, b = server.request("/sparql", urllib.parse.urlencode({"query": SELECT}).encode(),
                             {"Content-Type": "application/x-www-form-urlencoded"})
    _, _, c = server.request("/sparql", SELECT.encode(), {"Content-Type": "application/sparql-query"})
    assert a == b == c
    names = [b["name"]["value"] for b in json.loads(a)["results"]["bindings"]]
    assert len(names) > 5 and all(n.startswith("《") for n in names)


@pytest.mark.parametrize("accept,fmt", [
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
])
def test_select_formats_parse_back(server, accept, fmt):
    status, headers, body = server.get(SELECT, accept)
    assert status == 200 and headers["Content-Type"].startswith(accept)
    rows = [s["name"].value for s in ox.parse_query_results(body, fmt)]
    assert len(rows) > 5 and rows == sorted(rows)


def test_select_csv(server):
    status, headers, body = server.get(SELECT, "text/csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert status == 200 and rows[0] == ["name"] and len(rows) > 6


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                        ("application/ld+json", "json-ld")])
def test_construct_formats(server, accept, fmt):
    status, headers, body = server.get("CONSTRUCT { ?s kg:runs ?o } WHERE { ?s kg:runs ?o }", accept)
    assert status == 200 and headers["Content-Type"].startswith(accept)
    assert len(rdflib.Graph().parse(data=body, format=fmt)) > 10


def test_describe_and_ask(server, sample_build):
    status, _, body = server.get("ASK { ?s kg:runs ?o }")
    assert status == 200 and json.loads(body)["boolean"] is True
    place = busiest(sample_build / "store", "AdministrativeArea", "kg:mentionedIn")
    status, headers, body = server.get(f"DESCRIBE ?s WHERE {{ ?s skos:prefLabel \"{place}\"@zh }}", "text/turtle")
    assert status == 200 and len(rdflib.Graph().parse(data=body, format="turtle")) > 0


@pytest.mark.parametrize("how", ["form", "update-type", "put"])
def test_updates_are_refused(server, how):
    update = "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"
    if how == "form":
        status, _, body = server.request("/sparql", urllib.parse.urlencode({"update": update}).encode(),
                                         {"Content-Type": "application/x-www-form-urlencoded"})
    elif how == "update-type":
        status, _, body = server.request("/sparql", update.encode(), {"Content-Type": "application/sparql-update"})
    else:
        status, _, body = server.request("/sparql", update.encode(), method="PUT")
    assert 400 <= status < 500 and b"read-only" in body
    assert json.loads(server.get("ASK { <http://x/a> ?p ?o }")[2])["boolean"] is False


def test_malformed_query_gets_the_parser_message(server):
    status, _, body = server.get("SELECT ?x WHERE { ?x ")
    assert status == 400 and body.startswith(b"malformed query: error at")


def test_unacceptable_format_is_406(server):
    assert server.get(SELECT, "image/png")[0] == 406


def test_timeout_stops_the_query_and_the_pool_recovers(tight):
    status, _, body = tight.get("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    assert status == 503 and b"timeout" in body
    assert tight.get("ASK { ?s ?p ?o }")[0] == 200


def test_result_limit_truncates_and_says_so(tight):
    status, headers, body = tight.get("SELECT ?s WHERE { ?s ?p ?o }")
    assert status == 200 and headers.get("X-Kg-Truncated", "").startswith("true")
    assert len(json.loads(body)["results"]["bindings"]) == 5


def test_sparqlwrapper(server):
    from SPARQLWrapper import JSON, SPARQLWrapper
    sw = SPARQLWrapper(server.base + "/sparql")
    sw.setQuery("PREFIX kg: <https://w3id.org/kgcn/ontology#> SELECT (COUNT(*) AS ?n) WHERE { ?m a kg:Metric }")
    sw.setReturnFormat(JSON)
    n = int(sw.query().convert()["results"]["bindings"][0]["n"]["value"])
    assert n > 50


def _cells(bindings, variables):
    from kg.query import _cell
    out = []
    for b in bindings:
        row = {}
        for v in variables:
            t = b.get(v)
            row[v] = "" if t is None else _cell(ox.NamedNode(t["value"]) if t["type"] == "uri" else ox.Literal(t["value"]))
        out.append(row)
    return out


def _pages(server, name, params, limit):
    """Every page of /query/NAME, following the Link headers: (rows, pages)."""
    rows, pages = [], []
    url = f"/query/{name}?" + urllib.parse.urlencode({**params, "limit": limit, "format": "json"})
    while url:
        status, headers, body = server.request(url)
        assert status == 200, (name, body[:200])
        data = json.loads(body)
        page = _cells(data["results"]["bindings"], data["head"]["vars"])
        assert len(pages) < 1000 and (page or not pages), (name, "an empty page before the last")
        rows += page
        pages.append(page)
        link = headers.get("Link")
        url = re.fullmatch(r'<([^>]+)>; rel="next"', link).group(1) if link else None
    return rows, pages


def _key(row):
    return tuple(sorted(row.items()))


@pytest.mark.parametrize("limit", [7, 100])
def test_named_queries_page_through_the_answer_of_the_cli(server, sample_build, limit):
    """Followed page by page, a named query gives the CLI's whole answer (as a
    multiset: across pages the order is the store's), and the CLI's --limit/--offset
    give the same pages."""
    listed = json.loads(server.request("/queries")[2])
    assert {"programs-by-organization", "entity", "statistics"} <= set(listed)
    entity = busiest(sample_build / "store")
    for name, spec in listed.items():
        params = {p: entity for p in spec["params"] if "(optional)" not in spec["params"][p]}
        args = [a for p, v in params.items() for a in ("--param", f"{p}={v}")]
        store = ("--store", sample_build / "store", "--format", "json")
        whole = json.loads(kg("query", name, *args, *store).stdout)
        rows, pages = _pages(server, name, params, limit)
        assert sorted(map(_key, rows)) == sorted(map(_key, whole)), name
        if name in ("statistics", "relations-with-sources") and limit == 7:
            assert len(pages) > 3
        for i, pg in enumerate(pages[:3]):
            r = kg("query", name, *args, *store, "--limit", str(limit), "--offset", str(i * limit))
            assert json.loads(r.stdout) == pg, (name, i)
            assert ("more rows follow" in r.stderr) == (i < len(pages) - 1), (name, i, r.stderr)


def test_a_page_is_sorted_and_sized_as_asked(server):
    status, headers, body = server.request("/query/statistics?format=json&limit=5&offset=5")
    assert status == 200 and headers["X-Kg-Page"] == "offset=5; limit=5"
    assert 'offset=10' in headers["Link"] and 'limit=5' in headers["Link"]
    data = json.loads(body)
    rows = [(b["document"]["value"], int(b["start"]["value"]), b["indicator"]["value"])
            for b in data["results"]["bindings"]]
    assert len(rows) == 5 and rows == sorted(rows)
    status, headers, body = server.request("/query/statistics?format=json&limit=10000&offset=0")
    assert status == 200 and "Link" not in headers
    assert len(json.loads(body)["results"]["bindings"]) > 100


@pytest.mark.parametrize("query, why", [
    ("limit=0", "limit"), ("limit=-1", "limit"), ("limit=abc", "limit"), ("offset=-5", "offset"),
    ("limit=" + "9" * 40, "limit"), ("limit=100001", "limit"), ("colour=red", "colour"),
])
def test_bad_page_parameters_are_refused_with_the_reason(server, query, why):
    status, _, body = server.request(f"/query/statistics?{query}")
    assert status == 400 and why in body.decode() and len(body.decode().strip().splitlines()) == 1


def test_head_gives_the_headers_of_get(server):
    status, headers, body = server.request("/sparql?" + urllib.parse.urlencode({"query": SELECT}), method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 100


def test_query_page_and_view(server):
    status, headers, body = server.request("/")
    assert status == 200 and b"/sparql" in body and b"programs-by-organization" in body
    status, headers, body = server.request("/view")
    assert status == 200 and b'id="kg-data"' in body


def test_concurrent_requests_all_succeed(server):
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda i: server.get(f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {i + 1}")[0], range(40)))
    assert codes == [200] * 40


def test_serve_errors_are_one_line(tmp_path):
    p = kg("serve", "--store", tmp_path / "none", check=False)
    assert p.returncode == 1 and "no store at" in p.stderr and p.stderr.count("\n") == 1


def test_query_page_runs_a_query_in_chromium(browser, server):
    import time
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server.base + "/")
    page.click("#run")
    deadline = time.monotonic() + 30
    while page.evaluate("() => document.querySelectorAll('#out tr').length") < 2:
        assert time.monotonic() < deadline, page.inner_text("#status")
        time.sleep(0.1)
    assert "rows" in page.inner_text("#status") and errors == []
    page.close()
