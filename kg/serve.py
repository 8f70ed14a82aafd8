"""A read-only SPARQL 1.1 Protocol endpoint over the store, with the network view
and a small query page.

Queries run in a pool of worker processes that hold the store read-only: a query
that outlives its timeout is stopped by ending its process (a thread could not be
stopped), and the pool starts a fresh one. Results stop at a row limit and say so
in the X-Kg-Truncated header. Updates are refused.

It speaks HTTP/1.1 with keep-alive, so every answer carries its exact
Content-Length (none for 204), and a request whose body is left unread closes its
connection: those bytes must not be taken for the next request. CORS and the
service description are kg.endpoint's.
"""
from __future__ import annotations

import html
import json
import multiprocessing as mp
import os
import queue
import re
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

from kg.endpoint import Cors
from kg.errors import ServeError

MAX_BODY = 1 << 20   # a query larger than 1 MiB is refused
PAGE = 100           # rows (items of a listing query) per page of /query/NAME by default


def _count(value: str | None, default: int, name: str, least: int, most: int | None) -> int:
    if value is None or value == "":
        return default
    if not re.fullmatch(r"[0-9]{1,12}", value) or int(value) < least or (most is not None and int(value) > most):
        raise ValueError(f"?{name}= must be a whole number from {least}" + (f" to {most}" if most else "")
                         + f", not {value[:20]!r}")
    return int(value)


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    truncated: bool = False
    headers: tuple[tuple[str, str], ...] = ()


def _text(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message + "\n").encode())


def execute(store, query: str, accept: str | None, limit: int) -> Answer:
    """Run one query against an open store and answer in the negotiated format."""
    import pyoxigraph as ox

    from kg import graph
    from kg import results as rs
    from kg.errors import QueryError, StoreError
    from kg.query import explain, is_update, uses_service
    from kg.store import Triples
    if is_update(query):
        return _text(403, "this endpoint is read-only: SPARQL updates are refused")
    if uses_service(query):
        return _text(403, "SERVICE is refused by this endpoint: it would make the server send requests to "
                          "other hosts (run the query with kg query --allow-service on your own machine)")
    try:
        res = store.query(query, graph.PREFIXES)
    except SyntaxError as e:
        return _text(400, explain(query, e).replace("malformed SPARQL: ", "malformed query: "))
    except QueryError as e:
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
    rows, truncated, seen = [], False, set()
    try:
        for item in res:
            if graph_form:       # a DESCRIBE may reach one triple by two paths
                if item in seen:
                    continue
                seen.add(item)
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
    from kg.store import open_store, version_of
    store, seen = open_store(store_dir, create=False, read_only=True), version_of(store_dir)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        if version_of(store_dir) != seen:      # a build swapped in a new version: answer from it
            store.close()
            store, seen = open_store(store_dir, create=False, read_only=True), version_of(store_dir)
        query, accept, limit = job
        a = execute(store, query, accept, limit)
        conn.send((a.status, a.content_type, a.body, a.truncated))


def default_max_memory(workers: int) -> int:
    """Bytes a query process may use: 1 GiB, or less on a machine where the
    workers' share of a quarter of its memory is smaller."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 1 << 30
    return max(256 << 20, min(1 << 30, total // 4 // max(1, workers)))


def _rss(pid: int) -> int | None:
    """Resident bytes of a process (Linux /proc), None where that cannot be read."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class QueryPool:
    """Worker processes that answer queries, each within ``timeout`` seconds and
    ``max_memory`` bytes: a process over either is killed and replaced."""

    CHECK = 0.02    # seconds between looks at a running query's memory

    def __init__(self, store_dir: str | Path, size: int = 2, timeout: float = 30.0,
                 max_memory: int | None = None):
        from kg.store import open_store
        open_store(store_dir, create=False, read_only=True)   # fail early, in this process
        self.store_dir, self.timeout = str(store_dir), timeout
        self.max_memory = max_memory or default_max_memory(size)
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
            why = self._wait(p, conn)
            if why is None:
                status, ctype, body, truncated = conn.recv()
                self._idle.put(worker)
                return Answer(status, ctype, body, truncated)
        except (EOFError, OSError, BrokenPipeError):
            why = "the query process ended unexpectedly"
        self._end(worker)
        self._idle.put(self._start())
        return _text(503, why)

    def _wait(self, p, conn) -> str | None:
        """None once the answer is ready; else why the query must be stopped."""
        deadline = time.monotonic() + self.timeout
        while not conn.poll(self.CHECK):
            rss = _rss(p.pid)
            if rss is not None and rss > self.max_memory:
                return f"query stopped: it used more than the {self.max_memory >> 20} MiB a query may use"
            if time.monotonic() > deadline:
                return f"query stopped: it ran longer than the {self.timeout:g} s timeout"
            if not p.is_alive():
                return "the query process ended unexpectedly"
        return None

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
    protocol_version = "HTTP/1.1"      # keep-alive: a browser's queries share one connection
    # headers and body go out as two writes; on a kept-alive connection Nagle's
    # algorithm would hold the body back until the client's delayed ACK (~40 ms each)
    disable_nagle_algorithm = True
    # an answer to a request line that cannot be read still starts with a status line
    default_request_version = "HTTP/1.0"
    cors = Cors()
    timeout = 30        # seconds a connection may sit idle (socket timeout)
    pool: QueryPool
    limit: int
    view: object       # kg.view.StorePage

    def log_message(self, fmt, *args):  # one line per request on stderr, like a web server
        sys.stderr.write("kg serve: %s - %s\n" % (self.address_string(), fmt % args))

    _head = False   # set for HEAD requests: the headers of GET, no body

    def do_HEAD(self):
        self._head = True
        try:
            self.do_GET()
        finally:
            self._head = False

    def _send(self, a: Answer, head: bool = False, cors: bool = True) -> None:
        self.send_response(a.status)
        if a.status != 204:      # a 204 has no body and must not say it has one
            self.send_header("Content-Type", a.content_type)
            self.send_header("Content-Length", str(len(a.body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.close_connection:
            self.send_header("Connection", "close")
        if a.truncated:
            self.send_header("X-Kg-Truncated", f"true; limit={self.limit}")
        headers = list(a.headers) + (self.cors.headers(self.headers.get("Origin")) if cors else [])
        vary = ", ".join(v for k, v in headers if k == "Vary")
        for k, v in [h for h in headers if h[0] != "Vary"] + ([("Vary", vary)] if vary else []):
            self.send_header(k, v)
        self.end_headers()
        if not (head or self._head) and a.status != 204:
            try:
                self.wfile.write(a.body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
                self.log_message("client left before the answer (%d bytes) was sent", len(a.body))

    def _query(self, query: str | None, params: dict, described: bool = False) -> None:
        if params.get("update") is not None:
            return self._send(_text(403, "this endpoint is read-only: SPARQL updates are refused"))
        if query is None and described:
            return self._send(self._description())
        if not query:
            return self._send(_text(400, "no query: send ?query=… (GET), or POST a form or application/sparql-query"))
        self._send(self._answer(query, params))

    def _answer(self, query: str, params: dict, limit: int | None = None) -> Answer:
        fmt = params.get("format")
        accept = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                  "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
                  "ntriples": "application/n-triples", "jsonld": "application/ld+json",
                  "rdfxml": "application/rdf+xml"}.get(fmt) or self.headers.get("Accept")
        return self.pool.run(query, accept, limit or self.limit)

    def _description(self) -> Answer:
        """The service description, for a GET of the endpoint without a query."""
        from kg import results as rs
        from kg.endpoint import endpoint_url, service_description
        fmt = rs.negotiate(self.headers.get("Accept"), True) or "turtle"
        host, port = self.server.server_address[:2]
        url = endpoint_url(self.headers.get("Host"), f"{host}:{port}")
        return Answer(200, rs.GRAPH[fmt][0], service_description(url, fmt), headers=(("Vary", "Accept"),))

    def _unread_body(self) -> None:
        """A body this method does not read ends the connection after the answer."""
        if (self.headers.get("Content-Length") or "0").strip() != "0" or self.headers.get("Transfer-Encoding"):
            self.close_connection = True

    def do_OPTIONS(self):
        """The CORS preflight (or, without one, the methods served)."""
        self._unread_body()
        origin, method = self.headers.get("Origin"), self.headers.get("Access-Control-Request-Method")
        if origin is None or method is None:
            return self._send(Answer(204, "", b"", headers=(("Allow", "GET, HEAD, POST, OPTIONS"),)))
        status, headers, why = self.cors.preflight(origin, method, self.headers.get("Access-Control-Request-Headers"))
        self._send(Answer(status, "text/plain; charset=utf-8", (why + "\n").encode() if why else b"",
                          headers=tuple(headers)), cors=False)      # the preflight's headers are all there

    def do_GET(self):
        self._unread_body()
        url = urllib.parse.urlsplit(self.path)
        params = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        if url.path == "/":
            return self._send(Answer(200, "text/html; charset=utf-8", _query_page()))
        if url.path == "/view":
            return self._send(Answer(200, "text/html; charset=utf-8", self.view.page()))
        if url.path == "/sparql":
            return self._query(params.get("query"), params, described=True)
        if url.path.startswith("/query/"):
            return self._named(url.path[len("/query/"):], params)
        if url.path == "/queries":
            from kg.query import named_queries
            body = json.dumps({q.name: {"description": q.description, "params": q.params}
                               for q in named_queries().values()}, ensure_ascii=False).encode()
            return self._send(Answer(200, "application/json", body))
        self._send(_text(404, "not found: try /, /sparql, /view, /queries or /query/NAME"))

    def _named(self, name: str, params: dict) -> None:
        """A page of a named query (?limit=, default PAGE, at most --limit; ?offset=);
        a Link header (RFC 8288) gives the next page while there is one."""
        from kg.query import PAGE_PARAMS, named_queries, optional, page
        q = named_queries().get(name)
        if q is None:
            return self._send(_text(404, f"no named query {name!r}; known: {', '.join(named_queries())}"))
        missing = [p for p, h in q.params.items() if p not in params and not optional(h)]
        if missing:
            return self._send(_text(400, f"query {name!r} needs ?{'&'.join(p + '=…' for p in missing)}"))
        unknown = sorted(set(params) - set(q.params) - set(PAGE_PARAMS) - {"format"})
        if unknown:
            return self._send(_text(400, f"query {name!r} takes {', '.join(list(q.params) + list(PAGE_PARAMS))}"
                                         f" and format; not {', '.join(unknown)}"))
        try:
            limit = _count(params.get("limit"), PAGE, "limit", 1, self.limit)
            offset = _count(params.get("offset"), 0, "offset", 0, None)
        except ValueError as e:
            return self._send(_text(400, str(e)))
        given = {p: params[p] for p in q.params if p in params}
        pg = page(q, given, limit, offset)
        answer = self._answer(pg.text, {"format": params.get("format")}, limit if pg.probe is None else None)
        if answer.status != 200:
            return self._send(answer)
        if pg.probe is None:
            more = answer.truncated
        else:
            probe = self.pool.run(pg.probe, "application/sparql-results+json", 1)
            if probe.status != 200:
                return self._send(probe)
            more = bool(json.loads(probe.body)["results"]["bindings"])
        headers = [("X-Kg-Page", f"offset={offset}; limit={limit}")]
        if more:
            nxt = urllib.parse.urlencode({**params, "offset": offset + limit, "limit": limit})
            headers.append(("Link", f'</query/{urllib.parse.quote(name)}?{nxt}>; rel="next"'))
        self._send(Answer(answer.status, answer.content_type, answer.body,
                          answer.truncated and pg.probe is not None, tuple(headers)))

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/sparql":
            self.close_connection = True      # its body is unread: it must not be taken for the next request
            return self._send(_text(404, "POST queries to /sparql"))
        if self.headers.get("Transfer-Encoding"):     # its framing and a Content-Length could disagree
            self.close_connection = True
            return self._send(_text(411, "chunked bodies are not read: POST needs a Content-Length"))
        given = (self.headers.get("Content-Length") or "").strip()
        if not re.fullmatch(r"[0-9]{1,12}", given):   # refuses -1 (read until the client stops), ², 10**5000
            self.close_connection = True
            why = "no Content-Length" if not given else f"invalid Content-Length {given[:20]!r}"
            return self._send(_text(411 if not given else 400, f"{why}: POST needs the body's length in bytes"))
        length = int(given)
        if length > MAX_BODY:
            self.close_connection = True
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
        self.close_connection = True      # its body is unread
        self._send(_text(405, "this endpoint is read-only"))

    do_DELETE = do_PATCH = do_PUT


class Server(ThreadingHTTPServer):
    """At most ``max_connections`` connections at a time (one thread each); one
    more is answered 503 and closed. A failed request is one line in the log."""

    daemon_threads = True

    def __init__(self, address, handler, max_connections: int = 512):
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        if not self._slots.acquire(blocking=False):
            body = b"too many connections\n"
            try:
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                                b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        sys.stderr.write(f"kg serve: {client_address[0]} - request failed: {type(error).__name__}: {error}\n")


def make_server(store_dir: str | Path, host: str = "127.0.0.1", port: int = 7878, timeout: float = 30.0,
                limit: int = 10000, workers: int = 2, max_memory: int | None = None,
                max_connections: int = 512, idle_timeout: float = 30.0,
                cors: Cors = Cors()) -> tuple[ThreadingHTTPServer, QueryPool]:
    """The server and its pool, not yet serving (``serve_forever`` does). ``cors``
    (kg.endpoint.parse_cors) names the other origins whose pages may read answers."""
    from kg.view import StorePage
    if limit < 1 or timeout <= 0 or idle_timeout <= 0 or max_connections < 1 or \
            (max_memory is not None and max_memory < 64 << 20):
        raise ServeError("--limit and --max-connections must be at least 1, --timeout and --idle-timeout "
                         "above 0, --max-memory at least 64 (MiB)")
    view = StorePage(store_dir)
    view.page()       # a store that cannot be drawn fails here, before the server starts
    pool = QueryPool(store_dir, workers, timeout, max_memory)
    handler = type("KgHandler", (Handler,), {"pool": pool, "limit": limit, "view": view, "timeout": idle_timeout,
                                             "cors": cors})
    try:
        server = Server((host, port), handler, max_connections)
    except OSError as e:
        pool.close()
        raise ServeError(f"cannot listen on {host}:{port}: {e.strerror or e}") from e
    return server, pool
