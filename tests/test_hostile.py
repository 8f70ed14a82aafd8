"""Hostile queries and requests: SERVICE sends nothing anywhere, a query that eats
memory is stopped, malformed HTTP gets a clear status, connections are bounded,
and CSV for people cannot run formulas."""
from __future__ import annotations

import csv
import io
import socket
import subprocess
import sys
import threading
import time

import pytest

from conftest import kg
from test_serve import Server

CARTESIAN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"


class Listener:
    """A TCP listener on 127.0.0.1 that counts connections and answers each with an
    empty SPARQL JSON result."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        body = b'{"head":{"vars":["x"]},"results":{"bindings":[]}}'
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            try:
                c.settimeout(2)
                c.recv(65536)
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                          b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
            except OSError:
                pass
            c.close()

    def close(self):
        self.sock.close()


@pytest.fixture()
def listener():
    lst = Listener()
    yield lst
    lst.close()


def service_query(port: int) -> str:
    return f"SELECT ?x WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?x ?p ?o }} }}"


def test_kg_query_refuses_service_and_sends_nothing(sample_build, listener):
    p = kg("query", service_query(listener.port), "--store", sample_build / "store", check=False)
    assert p.returncode == 1 and "SERVICE is refused" in p.stderr and len(p.stderr.strip().splitlines()) == 1
    time.sleep(0.3)
    assert listener.connections == 0


def test_kg_query_allow_service_opts_in(sample_build, listener):
    p = kg("query", service_query(listener.port), "--store", sample_build / "store", "--allow-service", check=False)
    assert p.returncode == 0, p.stderr
    assert listener.connections >= 1


def test_kg_serve_refuses_service_and_sends_nothing(sample_build, listener):
    s = Server(sample_build / "store")
    try:
        status, _, body = s.get(service_query(listener.port))
        assert status == 403 and b"SERVICE is refused" in body
        status, _, _ = s.request("/sparql", data=service_query(listener.port).lower().encode(),
                                 headers={"Content-Type": "application/sparql-query"})
        assert status == 403
    finally:
        s.stop()
    assert listener.connections == 0


@pytest.mark.parametrize("query", [
    "SELECT ?service WHERE { ?service a kg:Program }",
    "SELECT * WHERE { ?s kg:service ?o } LIMIT 1",
    "SELECT * WHERE { ?s ?p \"社区服务\" }",
])
def test_service_as_a_variable_or_name_is_no_service(sample_build, query):
    p = kg("query", query, "--store", sample_build / "store", check=False)
    assert p.returncode == 0, p.stderr


def test_a_query_that_eats_memory_is_stopped_and_the_server_stays_up(sample_build):
    s = Server(sample_build / "store", "--max-memory", "200", "--timeout", "60", "--workers", "1")
    try:
        t0 = time.monotonic()
        status, _, body = s.get(CARTESIAN)
        assert status == 503 and b"MiB" in body and time.monotonic() - t0 < 50
        status, _, _ = s.get("SELECT ?x WHERE { ?x a kg:Program } LIMIT 1")
        assert status == 200
    finally:
        s.stop()


def raw_request(base: str, data: bytes, wait: float = 5.0) -> bytes:
    host, port = base.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as c:
        c.sendall(data)
        out = b""
        try:
            while chunk := c.recv(65536):
                out += chunk
        except socket.timeout:
            pass
    return out


@pytest.fixture(scope="module")
def bounded(sample_build):
    s = Server(sample_build / "store", "--max-connections", "3")
    yield s
    s.stop()


@pytest.mark.parametrize("length,status", [("-1", b"400"), ("abc", b"400"), ("", b"411"), ("99999999", b"413")])
def test_bad_content_length_is_refused_before_reading(bounded, length, status):
    head = b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    if length:
        head += b"Content-Length: " + length.encode() + b"\r\n"
    t0 = time.monotonic()
    out = raw_request(bounded.base, head + b"\r\nSELECT")
    assert out.startswith(b"HTTP/1.") and out.split(b" ", 2)[1] == status
    assert time.monotonic() - t0 < 4       # answered without waiting for a body that never comes


@pytest.mark.parametrize("line", [b"GARBAGE\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\r\n\r\n", b"GET\r\n\r\n"])
def test_a_malformed_request_line_gets_a_status_line(bounded, line):
    out = raw_request(bounded.base, line)
    assert out.startswith(b"HTTP/1.") and b" 400 " in out.split(b"\r\n", 1)[0]


def test_connections_are_bounded_and_freed(bounded):
    host, port = bounded.base.split("//")[1].split(":")
    idle = [socket.create_connection((host, int(port)), timeout=5) for _ in range(3)]
    try:
        # the server takes them in its own time (a busy CI machine once answered the
        # next one 200 after 0.3 s): each try is one more connection, refused once
        # all three are held
        end = time.monotonic() + 10
        while True:
            out = raw_request(bounded.base, b"GET /queries HTTP/1.1\r\nHost: x\r\n\r\n")
            if b" 503 " in out.split(b"\r\n", 1)[0] or time.monotonic() > end:
                break
            time.sleep(0.2)
        assert b" 503 " in out.split(b"\r\n", 1)[0] and b"too many connections" in out
    finally:
        for c in idle:
            c.close()
    time.sleep(0.5)
    status, _, _ = bounded.request("/queries")
    assert status == 200


def test_a_client_that_leaves_early_is_one_line_in_the_log(sample_build, tmp_path):
    import subprocess
    import sys
    import re
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(sample_build / "store"), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r":(\d+)/", proc.stdout.readline()).group(1))
        for _ in range(5):
            with socket.create_connection(("127.0.0.1", port)) as c:
                c.sendall(b"GET /view HTTP/1.1\r\nHost: x\r\n\r\n")
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        time.sleep(1)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "Traceback" not in err


FORMULAS = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize("cell", FORMULAS)
def test_csv_and_tsv_for_people_neutralise_formulas(sample_build, cell):
    q = f'SELECT ?x ?n WHERE {{ BIND("{cell.replace(chr(34), chr(92) + chr(34))}" AS ?x) BIND(-5 AS ?n) }}'
    for fmt, delim in (("csv", ","), ("tsv", "\t")):
        out = kg("query", q, "--store", sample_build / "store", "--format", fmt).stdout
        row = next(csv.reader(io.StringIO(out.splitlines()[1]), delimiter=delim))
        assert row == ["'" + cell, "-5"]
        raw = kg("query", q, "--store", sample_build / "store", "--format", fmt, "--raw").stdout
        assert next(csv.reader(io.StringIO(raw.splitlines()[1]), delimiter=delim))[0] == cell


def test_csv_export_neutralises_and_raw_keeps(tmp_path):
    from kg.pipeline import build
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "=cmd.txt").write_text("临夏州和政县2022年工作总结\n和政县委组织部开展“聚力先锋”工程。\n",
                                              encoding="utf-8")
    build([tmp_path / "in"], tmp_path / "o", jobs=1, progress=False, files=False)
    kg("export", "--format", "csv", "-o", tmp_path / "g.csv", "--store", tmp_path / "o" / "store")
    kg("export", "--format", "csv", "-o", tmp_path / "raw.csv", "--store", tmp_path / "o" / "store", "--raw")
    cells = [c for r in csv.reader(open(tmp_path / "g.csv", encoding="utf-8")) for c in r]
    raw = [c for r in csv.reader(open(tmp_path / "raw.csv", encoding="utf-8")) for c in r]
    assert "=cmd.txt" in raw and "'=cmd.txt" in cells and not any(c.startswith(("=", "+", "@")) for c in cells)


# ---- hostile text: one build of good and hostile files together

GOOD = {"good1.txt": "临夏州和政县2022年工作总结\n和政县委组织部开展“聚力先锋”工程。\n",
        "good2.txt": "黔南州都匀市2023年工作总结\n都匀市委统战部举办“同心”讲堂。\n"}


def hostile_files(folder):
    import struct
    import zipfile
    import zlib
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + b"\x00" * 13 + struct.pack(">I", zlib.crc32(b"IHDR"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(png * 50)
    with zipfile.ZipFile(folder / "archive.txt", "w") as z:
        z.writestr("a.txt", "x" * 1000)
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "nested.html").write_text("<div>" * 20000 + "和政县委组织部开展工作。" + "</div>" * 20000, encoding="utf-8")
    (folder / "unclosed.txt").write_text("和政县2022年工作总结\n和政县委组织部印发《关于加强" + "学习" * 3000 + "\n“同心" * 200,
                                         encoding="utf-8")
    (folder / "one-suffix.txt").write_text("委员会" * 350_000, encoding="utf-8")
    (folder / "=odd name 'x'.txt").write_text(GOOD["good1.txt"].replace("聚力先锋", "领航"), encoding="utf-8")
    loop = folder / "loop"
    loop.mkdir()
    (loop / "again").symlink_to(loop, target_is_directory=True)
    (folder / "dangling.txt").symlink_to(folder / "nowhere.txt")


def test_hostile_files_leave_the_good_documents_whole(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in GOOD.items():
        (folder / name).write_text(text, encoding="utf-8")
    hostile_files(folder)
    p = kg("build", folder, "-o", tmp_path / "o", "--jobs", "2", "--no-files", "--doc-timeout", "120", check=False)
    assert p.returncode == 3, p.stderr          # built, with files skipped
    assert "Traceback" not in p.stderr + p.stdout
    skipped = [line for line in p.stdout.splitlines() if line.startswith("skipped")]
    assert all(": " in line and len(line) < 400 for line in skipped)
    for name in ("empty.txt", "image.txt", "archive.txt", "binary.txt", "dangling.txt"):
        assert any(name in line for line in skipped), name
    docs = kg("query", "SELECT ?l WHERE { ?d a kg:SourceDocument ; rdfs:label ?l }", "--store",
              tmp_path / "o" / "store", "--format", "csv").stdout.split()
    assert {"good1", "good2"} <= set(docs)
    runs = kg("query", "programs-by-organization", "--store", tmp_path / "o" / "store", "--format", "csv").stdout
    assert "聚力先锋" in runs and "同心" in runs


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_document_over_its_time_budget_is_named_and_the_rest_built(tmp_path, jobs):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in GOOD.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "huge.txt").write_text("临夏州和政县2022年工作总结\n" + "广河县" * 400_000, encoding="utf-8")
    p = kg("build", folder, "-o", tmp_path / "o", "--jobs", jobs, "--no-files", "--doc-timeout", "1", check=False)
    assert p.returncode == 3, p.stderr          # built, with a file skipped
    assert any(line.startswith("skipped") and "huge.txt" in line and "--doc-timeout" in line
               for line in p.stdout.splitlines())
    assert "documents   2 " in p.stdout


def test_a_processs_start_up_is_not_charged_to_its_first_documents_budget(tmp_path):
    """Start-up (the dictionary, the gazetteer, the ontology: about half a second)
    is paid before the first document's --doc-timeout starts, so on a slow machine
    the first small document of each worker is not given up."""
    doc = tmp_path / "small.txt"
    doc.write_text("丽江市2024年工作总结\n丽江市委统战部开展“玉龙同心”活动。\n", encoding="utf-8")
    code = ("import sys, time\nt = time.perf_counter()\nfrom kg.pipeline import graph_of_file\n"
            f"r = graph_of_file({str(doc)!r}, budget=0.3)\n"
            "print(type(r).__name__, round(time.perf_counter() - t, 2))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "DocumentGraph", out


def test_a_file_deleted_mid_build_is_reported_and_the_rest_built(tmp_path):
    from kg.pipeline import build
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        (folder / f"d{i}.txt").write_text(GOOD["good1.txt"].replace("聚力先锋", f"引擎{i}"), encoding="utf-8")
    victim = folder / "d5.txt"

    def delete_one(d):
        victim.unlink(missing_ok=True)
    rep = build([folder], tmp_path / "o", jobs=1, progress=False, files=False, on_document=delete_one)
    assert rep.documents == 5 and any("d5.txt" in p and "cannot read" in why for p, why in rep.problems)


def test_idle_connections_are_closed(sample_build):
    s = Server(sample_build / "store", "--idle-timeout", "1")
    try:
        host, port = s.base.split("//")[1].split(":")
        with socket.create_connection((host, int(port)), timeout=10) as c:
            t0 = time.monotonic()
            assert c.recv(100) == b""           # the server hung up
            assert time.monotonic() - t0 < 8
        status, _, _ = s.request("/queries")
        assert status == 200
    finally:
        s.stop()


@pytest.mark.parametrize("text", [
    "各民主党派、工商联" * 20_000 + "参加。",       # bare standard bodies, one sentence
    "甲乙丙、" * 50_000 + "等项目",                  # a list of 50,000 items before a kind word
    "蓝天、" * 50_000 + "保卫战",                    # and before a shared suffix
    "获" * 100_000 + "荣获先进集体、" * 3_000,        # award verbs with nothing after them
    "双塘村" * 50_000,                                # villages glued together
], ids=["bare-bodies", "long-list", "shared-suffix", "award-verbs", "villages"])
def test_long_runs_of_the_newer_rules_build_within_the_time_budget(tmp_path, text):
    """Each is built under --doc-timeout 60: a rule that went back over its whole line
    for every item (these took 480 s and 420 s before) would be skipped by name."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "run.txt").write_text(text, encoding="utf-8")
    p = kg("build", folder, "-o", tmp_path / "o", "--jobs", "1", "--no-files", "--doc-timeout", "60", check=False)
    assert p.returncode == 0 and "skipped" not in p.stdout and "Traceback" not in p.stderr, p.stdout[-500:]


def test_the_endpoint_csv_stays_exact(bounded):
    status, _, body = bounded.get('SELECT ?x WHERE { BIND("=1+1" AS ?x) }', accept="text/csv")
    assert status == 200 and body.decode().splitlines()[1] == "=1+1"


def test_a_10_mb_line_is_given_up_by_name_and_the_rest_built(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in GOOD.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "line.txt").write_text("和政县委统战部开展同心活动" * 800_000, encoding="utf-8")      # 10.4 M characters
    (folder / "suffix.txt").write_text("委员会" * 350_000, encoding="utf-8")                    # 1 M characters
    p = kg("build", folder, "-o", tmp_path / "o", "--jobs", "2", "--no-files", "--doc-timeout", "3", check=False)
    assert p.returncode == 3 and "Traceback" not in p.stderr       # built, with a file skipped
    assert any(line.startswith("skipped") and "line.txt" in line for line in p.stdout.splitlines())
    docs = kg("query", "SELECT ?l WHERE { ?d a kg:SourceDocument ; rdfs:label ?l }", "--store",
              tmp_path / "o" / "store", "--format", "csv").stdout.split()
    assert {"good1", "good2"} <= set(docs)


@pytest.mark.parametrize("query,service", [
    ("SELECT * { SERVICE <http://h/> { ?s ?p ?o } }", True),
    ("select * { service silent <http://h/> {} }", True),
    ("SELECT * {SERVICE?x{}}", True),
    ("SELECT * { OPTIONAL{}SERVICE<http://h/>{} }", True),
    ("SELECT * { ?s ?p ?o .SERVICE <http://h/> {} }", True),
    ("# x\rSERVICE <http://h/> {}", True),                      # a comment ends at CR too
    ("SELECT * { BIND(e:a\\# AS ?x) SERVICE <http://h/> {} }", True),
    ("SELECT * { BIND(e:a\\' AS ?x) SERVICE <http://h/> {} BIND('y' AS ?y) }", True),
    (r"SELECT * { \u0053ERVICE <http://h/> {} }", True),
    # errs towards refusing: the word in a string or comment is refused too
    ("SELECT * { ?s ?p 'it said SERVICE' }", True),
    ("SELECT * { ?s ex:service ?o }", False),
    ("SELECT ?service WHERE {}", False),
    ("SELECT * { ?s ex:a.b ?o }", False),
])
def test_service_is_found_as_sparql_reads_it(query, service):
    from kg.query import uses_service
    assert uses_service(query) is service
