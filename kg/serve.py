"""A read-only SPARQL 1.1 Protocol endpoint over the store, with the network view
and a small query page.

Queries run in a pool of worker processes that hold the store read-only: a query
that outlives its timeout is stopped by ending its process (a thread could not be
stopped), and the pool starts a fresh one. Results stop at a row limit and say so
in the X-Kg-Truncated header. Updates are refused.
"""
from __future__ import annotations

import html
import json
import multiprocessing as mp
import queue
import sys
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

from kg.errors import ServeError

MAX_BODY = 1 << 20   # a query larger than 1 MiB is refused


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    truncated: bool = False


def _text(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message + "\n").encode())


def execute(store, query: str, accept: str | None, limit: int) -> Answer:
    """Run one query against an open store and answer in the negotiated format."""
    import pyoxigraph as ox

    from kg import graph
    from kg import results as rs
    from kg.errors import QueryError, StoreError
    from kg.store import Triples
    try:
        res = store.query(query, graph.PREFIXES)
    except (SyntaxError, QueryError) as e:
        return _text(400, f"malformed query: {e}")
    except StoreError as e:
        return _text(502, f"the triple store failed: {e}")
    except OSError as e:
        return _text(500, f"query failed: {e}")
    graph_form = isinstance(res, (ox.QueryTriples, Triples))
    fmt = rs.negotiate(accept, graph_form)
    if fmt is None:
        offered = [v[0] for v in rs.GRAPH.values()] if graph_form else list(rs.TABULAR.values())
        return _text(406, f"cannot answer in {accept}; offered: {', '.join(offered)}")
    if isinstance(res, ox.QueryBoolean):
        return Answer(200, rs.TABULAR.get(fmt, "text/plain"), rs.boolean_result(bool(res), fmt))
    rows, truncated = [], False
    try:
        for item in res:
            if len(rows) == limit:
                truncated = True
                break
            rows.append(item)
    except OSError as e:
        return _text(500, f"query failed: {e}")
    if graph_form:
        return Answer(200, rs.GRAPH[fmt][0], rs.graph_result(rows, fmt), truncated)
    variables = [v.value for v in res.variables]
    table = [[sol[v] for v in variables] for sol in rows]
    ctype = rs.TABULAR[fmt] + ("; charset=utf-8" if fmt in ("csv", "tsv") else "")
    return Answer(200, ctype, rs.select_results(variables, table, fmt), truncated)


def _worker(store_dir: str, conn) -> None:
    """A pool process: open the store read-only, answer queries until told to stop."""
    from kg.store import open_store
    store = open_store(store_dir, create=False, read_only=True)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        query, accept, limit = job
        a = execute(store, query, accept, limit)
        conn.send((a.status, a.content_type, a.body, a.truncated))


class QueryPool:
    """Worker processes that answer queries, each within ``timeout`` seconds."""

    def __init__(self, store_dir: str | Path, size: int = 2, timeout: float = 30.0):
        from kg.store import open_store
        open_store(store_dir, create=False, read_only=True)   # fail early, in this process
        self.store_dir, self.timeout = str(store_dir), timeout
        self._ctx = mp.get_context("spawn")
        self._idle: queue.Queue = queue.Queue()
        self._all: set = set()
        self._lock = threading.Lock()
        for _ in range(max(1, size)):
            self._idle.put(self._start())

    def _start(self):
        parent, child = self._ctx.Pipe()
        p = self._ctx.Process(target=_worker, args=(self.store_dir, child), daemon=True)
        p.start()
        child.close()
        with self._lock:
            self._all.add((p, parent))
        return p, parent

    def _end(self, worker) -> None:
        p, conn = worker
        p.kill()
        p.join(5)
        conn.close()
        with self._lock:
            self._all.discard(worker)

    def run(self, query: str, accept: str | None, limit: int) -> Answer:
        worker = self._idle.get()
        p, conn = worker
        try:
            conn.send((query, accept, limit))
            if conn.poll(self.timeout):
                status, ctype, body, truncated = conn.recv()
                self._idle.put(worker)
                return Answer(status, ctype, body, truncated)
        except (EOFError, OSError, BrokenPipeError):
            pass
        else:
            self._end(worker)
            self._idle.put(self._start())
            return _text(503, f"query stopped: it ran longer than the {self.timeout:g} s timeout")
        self._end(worker)
        self._idle.put(self._start())
        return _text(500, "the query process ended unexpectedly")

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
        for w in workers:
            try:
                w[1].send(None)
            except (OSError, BrokenPipeError):
                pass
            self._end(w)


def _query_page() -> bytes:
    from kg.query import named_queries
    items = "".join(f"<li><code>{html.escape(q.name)}</code>: {html.escape(q.description)}</li>"
                    for q in named_queries().values())
    return resources.files("kg.data").joinpath("query.html").read_text("utf-8").replace(
        "<!--KG_NAMED-->", items).encode()


class Handler(BaseHTTPRequestHandler):
    server_version = "kg-sparql/1"
    pool: QueryPool
    limit: int
    view: bytes

    def log_message(self, fmt, *args):  # one line per request on stderr, like a web server
        sys.stderr.write("kg serve: %s - %s\n" % (self.address_string(), fmt % args))

    _head = False   # set for HEAD requests: the headers of GET, no body

    def do_HEAD(self):
        self._head = True
        try:
            self.do_GET()
        finally:
            self._head = False

    def _send(self, a: Answer, head: bool = False) -> None:
        self.send_response(a.status)
        self.send_header("Content-Type", a.content_type)
        self.send_header("Content-Length", str(len(a.body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        if a.truncated:
            self.send_header("X-Kg-Truncated", f"true; limit={self.limit}")
        self.end_headers()
        if not (head or self._head):
            self.wfile.write(a.body)

    def _query(self, query: str | None, params: dict) -> None:
        if params.get("update") is not None:
            return self._send(_text(403, "this endpoint is read-only: SPARQL updates are refused"))
        if not query:
            return self._send(_text(400, "no query: send ?query=… (GET), or POST a form or application/sparql-query"))
        fmt = params.get("format")
        accept = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                  "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
                  "ntriples": "application/n-triples", "jsonld": "application/ld+json"}.get(fmt) or self.headers.get("Accept")
        self._send(self.pool.run(query, accept, self.limit))

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        params = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        if url.path == "/":
            return self._send(Answer(200, "text/html; charset=utf-8", _query_page()))
        if url.path == "/view":
            return self._send(Answer(200, "text/html; charset=utf-8", self.view))
        if url.path == "/sparql":
            return self._query(params.get("query"), params)
        if url.path.startswith("/query/"):
            from kg.query import bind, named_queries, optional
            name = url.path[len("/query/"):]
            q = named_queries().get(name)
            if q is None:
                return self._send(_text(404, f"no named query {name!r}; known: {', '.join(named_queries())}"))
            missing = [p for p, h in q.params.items() if p not in params and not optional(h)]
            if missing:
                return self._send(_text(400, f"query {name!r} needs ?{'&'.join(p + '=…' for p in missing)}"))
            given = {p: params[p] for p in q.params if p in params}
            return self._query(bind(q.text, given, q.params), {"format": params.get("format")})
        if url.path == "/queries":
            from kg.query import named_queries
            body = json.dumps({q.name: {"description": q.description, "params": q.params}
                               for q in named_queries().values()}, ensure_ascii=False).encode()
            return self._send(Answer(200, "application/json", body))
        self._send(_text(404, "not found: try /, /sparql, /view, /queries or /query/NAME"))

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/sparql":
            return self._send(_text(404, "POST queries to /sparql"))
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self._send(_text(413, f"request body over {MAX_BODY} bytes"))
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        if ctype == "application/sparql-update":
            return self._send(_text(403, "this endpoint is read-only: SPARQL updates are refused"))
        if ctype == "application/sparql-query":
            return self._query(body, params)
        if ctype == "application/x-www-form-urlencoded":
            params.update({k: v[-1] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()})
            return self._query(params.get("query"), params)
        self._send(_text(415, "POST application/sparql-query or application/x-www-form-urlencoded"))

    def do_PUT(self):
        self._send(_text(405, "this endpoint is read-only"))

    do_DELETE = do_PATCH = do_PUT


def make_server(store_dir: str | Path, host: str = "127.0.0.1", port: int = 7878, timeout: float = 30.0,
                limit: int = 10000, workers: int = 2) -> tuple[ThreadingHTTPServer, QueryPool]:
    """The server and its pool, not yet serving (``serve_forever`` does)."""
    import tempfile

    from kg.store import open_store
    from kg.view import write_store_html
    if limit < 1 or timeout <= 0:
        raise ServeError("--limit must be at least 1 and --timeout above 0")
    store = open_store(store_dir, create=False, read_only=True)
    with tempfile.TemporaryDirectory() as tmp:
        write_store_html(store, Path(tmp) / "view.html")
        view = (Path(tmp) / "view.html").read_bytes()
    store.close()
    pool = QueryPool(store_dir, workers, timeout)
    handler = type("KgHandler", (Handler,), {"pool": pool, "limit": limit, "view": view})
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as e:
        pool.close()
        raise ServeError(f"cannot listen on {host}:{port}: {e.strerror or e}") from e
    server.daemon_threads = True
    return server, pool
