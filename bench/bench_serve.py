"""Load on the SPARQL endpoint over loopback: requests per second and errors.

    python bench/bench_serve.py [--requests 400] [--concurrency 8] [--store DIR]

Builds the sample corpus (unless --store is given), starts `kg serve` on
127.0.0.1 with a free port, sends a bounded mix of queries (SELECT, a named query,
ASK, CONSTRUCT) from --concurrency threads, and prints throughput, latency and the
error count. It stops by itself after the requests or --seconds, whichever first.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

MIX = [
    "/sparql?" + urllib.parse.urlencode({"query": "SELECT ?o ?p WHERE { ?o kg:runs ?p } LIMIT 50"}),
    "/query/programs-by-organization",
    "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s kg:hosts ?o }"}),
    "/sparql?" + urllib.parse.urlencode({"query": "CONSTRUCT { ?s kg:locatedIn ?o } WHERE { ?s kg:locatedIn ?o }",
                                         "format": "turtle"}),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=8)
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
        proc = subprocess.Popen(kg + ["serve", "--store", store, "--port", "0", "--workers", str(a.workers)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        base = re.search(r"(http://127\.0\.0\.1:\d+)/", proc.stdout.readline()).group(1)
        deadline = time.monotonic() + a.seconds

        def one(i: int):
            if time.monotonic() > deadline:
                return None
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(base + MIX[i % len(MIX)], timeout=30) as r:
                    r.read()
                    ok = r.status == 200
            except (urllib.error.URLError, OSError):
                ok = False
            return ok, time.perf_counter() - t

        t0 = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(a.concurrency) as pool:
            results = [r for r in pool.map(one, range(a.requests)) if r is not None]
        elapsed = time.perf_counter() - t0
        proc.terminate()
        proc.wait(10)
        lat = sorted(d for _, d in results)
        errors = sum(1 for ok, _ in results if not ok)
        print(f"requests    {len(results)} ({a.concurrency} concurrent, {a.workers} query processes)")
        print(f"throughput  {len(results) / elapsed:.1f} requests/s")
        print(f"latency     p50 {statistics.median(lat) * 1000:.1f} ms, p95 {lat[int(len(lat) * 0.95) - 1] * 1000:.1f} ms")
        print(f"errors      {errors}")
        sys.exit(1 if errors else 0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
