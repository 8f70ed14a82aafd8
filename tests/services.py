"""Real services on 127.0.0.1 for the tests: a Dask scheduler with workers, an
Oxigraph SPARQL server and kg serve. Each starts as its own process and is killed at the end."""
from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bin(name: str) -> str:
    """The console script installed next to this Python (dask, oxigraph)."""
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else (shutil.which(name) or name)


def _wait_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout} s")


class Cluster:
    def __init__(self, address: str, scheduler: subprocess.Popen, workers: list[subprocess.Popen]):
        self.address, self.scheduler, self.workers = address, scheduler, workers

    def wait_for_workers(self, n: int, timeout: float = 90) -> None:
        from distributed import Client
        with Client(self.address, timeout=30, set_as_default=False) as c:
            c.wait_for_workers(n, timeout=timeout)


@contextmanager
def dask_cluster(workers: int = 2):
    """``dask scheduler`` and ``dask worker`` processes (no nanny, so killing a worker
    process really loses it)."""
    port = free_port()
    log = subprocess.DEVNULL
    sched = subprocess.Popen([_bin("dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                              "--no-dashboard"], stdout=log, stderr=log)
    procs = []
    try:
        _wait_port(port, sched, "dask scheduler")
        address = f"tcp://127.0.0.1:{port}"
        procs = [subprocess.Popen([_bin("dask"), "worker", address, "--nthreads", "1", "--nworkers", "1",
                                   "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"], stdout=log, stderr=log)
                 for _ in range(workers)]
        c = Cluster(address, sched, procs)
        c.wait_for_workers(workers)
        yield c
    finally:
        for p in procs + [sched]:
            p.kill()
            p.wait(10)


class Oxigraph:
    def __init__(self, location: Path):
        self.location, self.port, self.proc = location, free_port(), None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> "Oxigraph":
        self.proc = subprocess.Popen([_bin("oxigraph"), "serve", "--location", str(self.location),
                                      "--bind", f"127.0.0.1:{self.port}"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_port(self.port, self.proc, "oxigraph serve")
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None

    def query(self, sparql: str) -> bytes:
        req = urllib.request.Request(self.url + "/query", data=sparql.encode(),
                                     headers={"Content-Type": "application/sparql-query",
                                              "Accept": "application/n-triples"})
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.read()


@contextmanager
def oxigraph_server(location: Path):
    server = Oxigraph(location).start()
    try:
        yield server
    finally:
        server.stop()


class KgServe:
    """`kg serve` on a free port of 127.0.0.1, started through the CLI."""

    def __init__(self, store, *args):
        exe = shutil.which("kg")
        cmd = ([exe] if exe else [sys.executable, "-m", "kg"]) + ["serve", "--store", str(store), "--port", "0", *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"http://([\d.]+):(\d+)/", line)
        if not m:
            self.proc.kill()
            raise AssertionError(f"kg serve did not start: {line!r}")
        self.host, self.port = m.group(1), int(m.group(2))
        self.base = f"http://{self.host}:{self.port}"

    def request(self, path, data=None, headers=None, method=None):
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def get(self, query, accept=None, **params):
        q = urllib.parse.urlencode({"query": query, **params})
        return self.request(f"/sparql?{q}", headers={"Accept": accept} if accept else {})

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
