"""Load on the SPARQL endpoint over loopback: requests per second and errors.

    python bench/bench_serve.py [--requests 400] [--concurrency 16] [--half-open 300] [--store DIR]

Builds the sample corpus (unless --store is given), starts `kg serve` on
127.0.0.1 with a free port, holds --half-open connections that never send a
request, and sends a bounded mix from --concurrency threads: SELECT, every named
query, ASK, CONSTRUCT, and hostile requests (SERVICE to a local listener, a
cartesian product sorted, a POST with Content-Length -1). An error is any answer
other than the one expected (200, or the refusal each hostile case must get) or
a listener that was contacted. Prints throughput, latency, errors, each named
query's median and the server's peak memory (its process and query processes).
It stops by itself after the requests or --seconds, whichever first.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import socket
import statistics
import threading
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

def _q(query: str, **extra) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query, **extra})


MIX = [
    (_q("SELECT ?o ?p WHERE { ?o kg:runs ?p } LIMIT 50"), 200),
    (_q("ASK { ?s kg:hosts ?o }"), 200),
    (_q("CONSTRUCT { ?s kg:locatedIn ?o } WHERE { ?s kg:locatedIn ?o }", format="turtle"), 200),
]
# an entity that runs something and one that has statistics, read from the store served
ANCHORS = {"entity": "SELECT ?n WHERE { ?e kg:runs ?x ; skos:prefLabel ?n } ORDER BY ?n LIMIT 1",
           "metrics-of": "SELECT ?n WHERE { ?m kg:about ?e . ?e skos:prefLabel ?n } ORDER BY ?n LIMIT 1"}
UNANCHORED = ["bases-by-place", "documents", "honors", "posts", "programs-by-organization",
              "relations-with-sources", "statistics"]


def _named(base: str) -> list[str]:
    """Every named query's path, the ones that need an entity given one of the store."""
    out = list(UNANCHORED)
    for name, q in ANCHORS.items():
        with urllib.request.urlopen(base + _q(q, format="json"), timeout=60) as r:
            rows = json.loads(r.read())["results"]["bindings"]
        if rows:
            out.append(f"{name}?" + urllib.parse.urlencode({"entity": rows[0]["n"]["value"]}))
    return out
CARTESIAN = _q("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f")


def _rss_tree(pid: int) -> int:
    """Resident bytes of a process and its children (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            pass
    return total


class _Listener:
    """Counts connections to a port SERVICE clauses point at: there must be none."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port, self.hits = self.sock.getsockname()[1], 0
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.hits += 1
            c.close()


def _raw_post(base: str) -> int:
    host, port = base.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as c:
        c.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                  b"Content-Length: -1\r\n\r\nSELECT * WHERE { ?s ?p ?o }")
        head = c.recv(64)
    return int(head.split(b" ")[1]) if head.startswith(b"HTTP/") else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--half-open", type=int, default=300, help="idle connections held open during the run")
    ap.add_argument("--seconds", type=float, default=120, help="stop after this long in any case")
    ap.add_argument("--store", help="an existing store (default: build the sample corpus)")
    ap.add_argument("--workers", type=int, default=2, help="query processes of the server")
    a = ap.parse_args()
    kg = [shutil.which("kg") or sys.executable, *([] if shutil.which("kg") else ["-m", "kg"])]
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-serve-"))
    try:
        store = a.store
        if store is None:
            subprocess.run(kg + ["build", "-q", "-o", str(tmp)], check=True)
            store = str(tmp / "store")
        proc = subprocess.Popen(kg + ["serve", "--store", store, "--port", "0", "--workers", str(a.workers),
                                      "--timeout", "10"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        base = re.search(r"(http://127\.0\.0\.1:\d+)/", proc.stdout.readline()).group(1)
        listener = _Listener()
        host, port = base.split("//")[1].split(":")
        idle = [socket.create_connection((host, int(port)), timeout=30) for _ in range(a.half_open)]
        service = _q(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}")
        named = _named(base)
        mix = MIX + [(f"/query/{n}", 200) for n in named] + [(service, 403), (CARTESIAN, 503), ("raw-post", 400)]
        deadline = time.monotonic() + a.seconds
        peak = [0]
        done = threading.Event()

        def watch():
            while not done.wait(0.05):
                peak[0] = max(peak[0], _rss_tree(proc.pid))
        threading.Thread(target=watch, daemon=True).start()

        def one(i: int):
            if time.monotonic() > deadline:
                return None
            path, want = mix[i % len(mix)]
            t = time.perf_counter()
            try:
                if path == "raw-post":
                    status = _raw_post(base)
                else:
                    with urllib.request.urlopen(base + path, timeout=60) as r:
                        r.read()
                        status = r.status
            except urllib.error.HTTPError as e:
                status = e.code
            except (urllib.error.URLError, OSError):
                status = 0
            return path, status == want, time.perf_counter() - t

        t0 = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(a.concurrency) as pool:
            results = [r for r in pool.map(one, range(a.requests)) if r is not None]
        elapsed = time.perf_counter() - t0
        done.set()
        for c in idle:
            c.close()
        proc.terminate()
        proc.wait(10)
        lat = sorted(d for _, _, d in results)
        errors = sum(1 for _, ok, _ in results if not ok) + listener.hits
        print(f"requests    {len(results)} ({a.concurrency} concurrent, {a.workers} query processes, "
              f"{a.half_open} half-open connections held)")
        print(f"throughput  {len(results) / elapsed:.1f} requests/s")
        print(f"latency     p50 {statistics.median(lat) * 1000:.1f} ms, p95 {lat[int(len(lat) * 0.95) - 1] * 1000:.1f} ms")
        print(f"errors      {errors}  (unexpected answers; SERVICE listener contacted {listener.hits} times)")
        print(f"peak memory {peak[0] / 2**20:.0f} MiB (server and its query processes)")
        for n in named:
            times = sorted(d for p, ok, d in results if p == f"/query/{n}")
            if times:
                print(f"  {n.split('?')[0]:<26} p50 {statistics.median(times) * 1000:7.1f} ms  ({len(times)} runs)")
        sys.exit(1 if errors else 0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
