"""kg serve as browsers and SPARQL clients meet it: CORS, the service description,
HTTP/1.1 keep-alive with exact framing on every answer, and YASGUI in Chromium."""
import base64
import functools
import hashlib
import io
import json
import socket
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
import rdflib
from rdflib.compare import isomorphic

from conftest import kg
from services import KgServe

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = rdflib.Namespace("http://www.w3.org/ns/formats/")
DOCS = ("PREFIX kg: <https://w3id.org/kgcn/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?name WHERE { ?x a kg:Document ; skos:prefLabel ?name } ORDER BY ?name")


@pytest.fixture(scope="module")
def plain(sample_build):
    s = KgServe(sample_build / "store")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def static():
    """A static file server on another 127.0.0.1 port: another origin for the browser."""
    import tempfile
    folder = tempfile.mkdtemp(prefix="kg-static-")
    handler = functools.partial(_QuietFiles, directory=folder)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.folder = folder
    httpd.origin = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def cors(sample_build, static):
    s = KgServe(sample_build / "store", "--cors", static.origin)
    yield s
    s.stop()


# ---------------------------------------------------------------- service description

@pytest.mark.parametrize("accept,fmt", [(None, "turtle"), ("text/turtle", "turtle"),
                                        ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
                                        ("application/rdf+xml", "xml")])
def test_the_endpoint_describes_itself(plain, accept, fmt):
    status, headers, body = plain.request("/sparql", headers={"Accept": accept} if accept else {})
    assert status == 200 and headers["Content-Type"] == {"turtle": "text/turtle", "nt": "application/n-triples",
                                                          "json-ld": "application/ld+json",
                                                          "xml": "application/rdf+xml"}[fmt]
    g = rdflib.Graph().parse(data=body, format=fmt)
    endpoint = rdflib.URIRef(plain.base + "/sparql")
    assert (endpoint, rdflib.RDF.type, SD.Service) in g and (endpoint, SD.endpoint, endpoint) in g
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert {FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_XML, FORMATS["Turtle"]} <= \
        set(g.objects(endpoint, SD.resultFormat))
    turtle = rdflib.Graph().parse(data=plain.request("/sparql")[2], format="turtle")
    assert isomorphic(g, turtle)


def test_the_description_names_the_host_the_client_used(plain):
    _, _, body = plain.request("/sparql", headers={"Host": f"localhost:{plain.port}"})
    g = rdflib.Graph().parse(data=body, format="turtle")
    assert set(g.subjects(rdflib.RDF.type, SD.Service)) == {rdflib.URIRef(f"http://localhost:{plain.port}/sparql")}


# ---------------------------------------------------------------- CORS

PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, accept"}


def test_cors_is_off_by_default(plain, static):
    status, headers, _ = plain.request("/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", headers={"Origin": static.origin})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    status, headers, body = plain.request("/sparql", method="OPTIONS", headers={"Origin": static.origin, **PREFLIGHT})
    assert status == 403 and "Access-Control-Allow-Origin" not in headers and b"--cors" in body


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_answers_name_the_allowed_origin(cors, static, method):
    data = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}).encode() if method == "POST" else None
    path = "/sparql" if data else "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
    status, headers, _ = cors.request(path, data=data, headers={"Origin": static.origin})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == static.origin
    assert "Origin" in headers["Vary"] and "X-Kg-Truncated" in headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in headers
    status, headers, _ = cors.request(path, data=data, headers={"Origin": "http://127.0.0.1:9"})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers


def test_preflight_is_answered(cors, static):
    status, headers, body = cors.request("/sparql", method="OPTIONS", headers={"Origin": static.origin, **PREFLIGHT})
    assert status == 204 and body == b"" and "Content-Length" not in headers
    assert headers["Access-Control-Allow-Origin"] == static.origin
    assert {"GET", "POST", "OPTIONS"} <= {m.strip() for m in headers["Access-Control-Allow-Methods"].split(",")}
    assert {"content-type", "accept"} <= {h.strip().lower() for h in headers["Access-Control-Allow-Headers"].split(",")}
    assert int(headers["Access-Control-Max-Age"]) >= 600


@pytest.mark.parametrize("origin,method,status", [
    ("http://127.0.0.1:9", "POST", 403),       # another origin
    (None, "PUT", 405),                        # None: the allowed origin
])
def test_preflight_refusals(cors, static, origin, method, status):
    got, headers, body = cors.request("/sparql", method="OPTIONS", headers={
        "Origin": origin or static.origin, "Access-Control-Request-Method": method})
    assert got == status and len(body.decode().strip().splitlines()) == 1
    assert ("Access-Control-Allow-Origin" in headers) == (origin is None)


def test_cors_star_warns_and_allows_any_origin(sample_build):
    cmd = [sys.executable, "-m", "kg", "serve", "--store", str(sample_build / "store"), "--port", "0", "--cors", "*"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = "http://" + p.stdout.readline().split("http://")[1].split("/")[0]
        req = urllib.request.Request(base + "/sparql?query=ASK%7B%7D", headers={"Origin": "https://any.example"})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.headers["Access-Control-Allow-Origin"] == "*" and "Vary" not in r.headers
    finally:
        p.terminate()
        _, err = p.communicate(timeout=10)
    assert "warning: --cors * lets every web page" in err


@pytest.mark.parametrize("value", ["127.0.0.1:8000", "http://h/path", "ftp://h", "http://h:8000/x?y"])
def test_a_bad_cors_origin_is_one_line(sample_build, value):
    p = kg("serve", "--store", sample_build / "store", "--port", "0", "--cors", value, check=False)
    assert p.returncode == 1 and "--cors takes * or an origin" in p.stderr and p.stderr.count("\n") == 1


# ---------------------------------------------------------------- HTTP/1.1 framing

def _read_answer(f, head=False):
    """(status, headers, body) of one answer read off a connection by its framing."""
    status = int(f.readline().split()[1])
    headers = {}
    while (line := f.readline()) not in (b"\r\n", b""):
        k, _, v = line.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    if status == 204 or head:
        return status, headers, b""
    assert "content-length" in headers, (status, headers)
    return status, headers, f.read(int(headers["content-length"]))


def _get(path, extra=""):
    return f"GET {path} HTTP/1.1\r\nHost: x\r\n{extra}\r\n"


def _post(path, body, ctype):
    return f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\nContent-Length: {len(body.encode())}\r\n\r\n{body}"


ASK = urllib.parse.quote("ASK { ?s ?p ?o }")
# every kind of answer, pipelined on one connection: each must be framed exactly
# for the next one to be read
PIPELINE = [
    (_get(f"/sparql?query={ASK}"), 200, False),
    (f"HEAD /sparql?query={ASK} HTTP/1.1\r\nHost: x\r\n\r\n", 200, True),
    (_get("/sparql"), 200, False),                                   # the service description
    ("HEAD /sparql HTTP/1.1\r\nHost: x\r\n\r\n", 200, True),
    (_get("/nowhere"), 404, False),
    (_get("/sparql?query=SELECT%20%3Fx%20WHERE%20%7B"), 400, False),
    (_get(f"/sparql?query={ASK}", "Accept: image/png\r\n"), 406, False),
    (_get("/sparql?update=DROP%20ALL"), 403, False),
    (_post("/sparql", "query=" + ASK, "application/x-www-form-urlencoded"), 200, False),
    (_post("/sparql", "DROP ALL", "application/sparql-update"), 403, False),
    (_post("/sparql", "x", "text/plain"), 415, False),
    ("OPTIONS /sparql HTTP/1.1\r\nHost: x\r\n\r\n", 204, False),
    ("OPTIONS /sparql HTTP/1.1\r\nHost: x\r\nOrigin: http://o.example\r\nAccess-Control-Request-Method: POST\r\n\r\n",
     403, False),
    (_get("/query/statistics?limit=2"), 200, False),
    (_get("/query/statistics?limit=0"), 400, False),
    (_get("/query/nothing"), 404, False),
    (_get("/queries"), 200, False),
    (_get("/"), 200, False),
    (_get("/view"), 200, False),
]


def test_every_answer_is_framed_for_keep_alive(plain):
    with socket.create_connection(("127.0.0.1", plain.port), timeout=60) as c:
        c.sendall("".join(r for r, _, _ in PIPELINE).encode())
        f = c.makefile("rb")
        for request, status, head in PIPELINE:
            got, headers, body = _read_answer(f, head)
            assert got == status, request
            assert headers.get("connection") != "close", request
            if not head and status != 204:
                assert len(body) == int(headers["content-length"]), request
        # the connection is still open: one more request is answered on it
        c.sendall(_get(f"/sparql?query={ASK}").encode())
        assert _read_answer(f)[0] == 200


@pytest.mark.parametrize("request_text,status", [
    ("PUT /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", 405),
    ("POST /elsewhere HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", 404),
    ("POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 411),
    ("POST /sparql HTTP/1.1\r\nHost: x\r\n\r\n", 411),
    ("GET /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", 200),
    ("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", 501),
    ("nonsense\r\n\r\n", 400),
])
def test_a_request_whose_body_is_not_read_closes_its_connection(plain, request_text, status):
    """An unread body must not be read as the next request: the answer says
    Connection: close, carries its exact length, and the server closes."""
    with socket.create_connection(("127.0.0.1", plain.port), timeout=60) as c:
        c.sendall(request_text.encode() + _get(f"/sparql?query={ASK}").encode())
        f = c.makefile("rb")
        got, headers, body = _read_answer(f)
        assert got == status and headers.get("connection") == "close"
        assert len(body) == int(headers["content-length"])
        assert f.read() == b""       # nothing after: the pipelined GET was not taken from the body


def test_http_client_reuses_one_connection(plain):
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", plain.port, timeout=60)
    try:
        conn.request("GET", f"/sparql?query={ASK}")
        r = conn.getresponse()
        assert r.version == 11 and r.status == 200 and r.read()
        sock = conn.sock
        for path in ("/sparql", "/nowhere", f"/sparql?query={ASK}"):
            conn.request("GET", path)
            r = conn.getresponse()
            r.read()
            assert conn.sock is sock, path
    finally:
        conn.close()


def test_kept_alive_answers_come_without_delay(plain):
    """Answers on one connection come as fast as on fresh ones: no ~40 ms stall per
    answer (Nagle's algorithm holding the body back for the client's delayed ACK)."""
    import http.client
    import statistics
    conn = http.client.HTTPConnection("127.0.0.1", plain.port, timeout=60)
    took = []
    try:
        for _ in range(30):
            t = time.perf_counter()
            conn.request("GET", f"/sparql?query={ASK}")
            conn.getresponse().read()
            took.append(time.perf_counter() - t)
    finally:
        conn.close()
    assert statistics.median(took[5:]) < 0.025, took


# ---------------------------------------------------------------- YASGUI in Chromium

def _npm_package(name: str, into) -> dict:
    """The latest release of an npm package, fetched from the registry and checked
    against its published sha512 (never shipped in the repository)."""
    registry = "https://registry.npmjs.org/"
    try:
        with urllib.request.urlopen(registry + name.replace("/", "%2F") + "/latest", timeout=60) as r:
            meta = json.load(r)
        with urllib.request.urlopen(meta["dist"]["tarball"], timeout=120) as r:
            data = r.read()
    except (urllib.error.URLError, OSError) as e:
        pytest.skip(f"the npm registry is unreachable ({e}); the YASGUI test needs {name} from it")
    algo, _, digest = meta["dist"]["integrity"].partition("-")
    assert algo == "sha512" and base64.b64encode(hashlib.sha512(data).digest()).decode() == digest
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        for m in t.getmembers():
            if m.isfile() and m.name.startswith("package/build/yasgui.min."):
                (into / m.name.rsplit("/", 1)[1]).write_bytes(t.extractfile(m).read())
    return meta


YASGUI_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>YASGUI</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="yasgui.min.css"><script src="yasgui.min.js"></script></head>
<body><div id="yasgui"></div>
<script>
window.yasgui = new Yasgui(document.getElementById("yasgui"), {
  requestConfig: { endpoint: __ENDPOINT__, method: "POST" }, copyEndpointOnNewTab: false, persistenceId: null });
</script></body></html>"""


@pytest.fixture(scope="module")
def yasgui(static):
    from pathlib import Path
    meta = _npm_package("@zazuko/yasgui", Path(static.folder))
    return meta["version"]


def _run_in_yasgui(browser, static, endpoint, query):
    from pathlib import Path
    name = f"yasgui-{abs(hash(endpoint))}.html"
    (Path(static.folder) / name).write_text(YASGUI_PAGE.replace("__ENDPOINT__", json.dumps(endpoint)),
                                            encoding="utf-8")
    page = browser.new_page()
    console = []
    page.on("console", lambda m: console.append((m.type, m.text)))
    page.goto(f"{static.origin}/{name}")
    page.wait_for_function("() => window.yasgui && window.yasgui.getTab()", timeout=30000)
    page.evaluate("q => { const t = window.yasgui.getTab(); t.setQuery(q); t.query(); }", query)
    return page, console


def test_yasgui_on_another_origin_shows_the_rows(browser, yasgui, static, cors, sample_build):
    names = [r["name"] for r in json.loads(kg("query", DOCS, "--store", sample_build / "store",
                                                "--format", "json").stdout)]
    assert len(names) > 5
    page, console = _run_in_yasgui(browser, static, cors.base + "/sparql", DOCS)
    try:
        deadline = time.monotonic() + 60
        while not all(n in page.inner_text(".yasr") for n in names):
            assert time.monotonic() < deadline, (page.inner_text(".yasr")[:500], console)
            page.wait_for_timeout(200)
        rows = page.eval_on_selector_all(".yasr table tbody tr", "rs => rs.map(r => r.innerText)")
        assert len(rows) == len(names)
        assert not [c for c in console if c[0] == "error"]
    finally:
        page.close()


def test_yasgui_is_refused_without_cors(browser, yasgui, static, plain):
    """The same page against kg serve without --cors: the browser withholds the
    answer, and YASGUI says so."""
    page, console = _run_in_yasgui(browser, static, plain.base + "/sparql", DOCS)
    try:
        deadline = time.monotonic() + 60
        while "Failed to fetch" not in page.inner_text(".yasr"):
            assert time.monotonic() < deadline, (page.inner_text(".yasr")[:300], console)
            page.wait_for_timeout(200)
        assert any("blocked by CORS policy" in text for _, text in console), console
        assert "《" not in page.inner_text(".yasr")
    finally:
        page.close()
