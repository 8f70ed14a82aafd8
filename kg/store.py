"""Stage 6, persistence: where the graph lives.

The default graph holds each distinct triple of all documents once, and is what
queries read (no union of named graphs, so a triple many documents state is joined
once). Each document also has a named graph: what it says of shared nodes
(entities, relations, memberships, the document itself), of a node's classes the
one it states. A shared triple's support is the set of named graphs that hold it;
a class above a stated one (what the statement entails) is supported by the graphs
that state it or a class below it. A document's own statements (about its
sentences, assertions and metrics, whose IRIs extend the document's, and those
pointing at them or at the document) only it can make, so they live in the
default graph alone (a named-graph quad costs the store twice a default-graph
triple, and they are most of a document). Replacing a document removes its own
statements, found from the document node, and the shared triples no other
document states, and adds the new ones: one atomic SPARQL Update over staged
copies.

Two places implement it: an embedded Oxigraph store on disk (``LocalStore``), and
any SPARQL 1.1 server reached through the Graph Store HTTP Protocol and SPARQL
Query/Update (``RemoteStore``; tested against ``oxigraph serve``).
"""
from __future__ import annotations

import os
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg import faults, memory, vocab
from kg.graph import DERIVED, TYPE
from kg.errors import QueryError, StoreError

STAGING = "#staging"     # a document's next graph: its IRI plus this fragment (no slug has a "#")
OWN_STAGING = "#own-staging"    # and its next own statements (kg.graph.DocumentGraph)


def _other(g: str) -> str:
    """?h is a document graph other than ``g`` (staged copies do not count)."""
    return f"?h != <{g}> && !STRENDS(STR(?h), \"{STAGING}\") && !STRENDS(STR(?h), \"{OWN_STAGING}\")"


def _held_elsewhere(g: str) -> str:
    """The triple is in a document graph other than ``g``."""
    return f"FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} FILTER({_other(g)}) }}"


@lru_cache(maxsize=1)
def _below() -> dict[str, tuple[str, ...]]:
    """Each class the ontology puts above another -> itself and every class below
    it, as SPARQL terms: the classes whose statement entails it."""
    out: dict[str, set[str]] = {}
    for c in vocab.classes_with_parents():
        for a in vocab.superclasses(c):
            out.setdefault(a, {a}).add(c)
    return {str(ox.NamedNode(a)): tuple(sorted(str(ox.NamedNode(c)) for c in cs)) for a, cs in sorted(out.items())}


def _drop_entailed(g: str) -> str:
    """The classes of ``g``'s nodes that no other document states or entails (a
    document graph holds the classes it states, the default graph those and the
    classes above them: kg.graph.DocumentGraph), one operation per class that
    others entail; the third operation of ``_drop_update`` leaves these to it."""
    ops = []
    for above, below in _below().items():
        among = " ".join(below)
        # VALUES, not FILTER(?d IN …): with the filter Oxigraph read every graph's
        # classes of the node (0.8 s, not 3 ms, for a node of every document at 16x)
        ops.append(f"DELETE {{ ?s a {above} }} WHERE {{ VALUES ?c {{ {among} }} GRAPH <{g}> {{ ?s a ?c }} "
                   f"FILTER NOT EXISTS {{ VALUES ?d {{ {among} }} GRAPH ?h {{ ?s a ?d }} FILTER({_other(g)}) }} }} ;\n")
    return "".join(ops)


def _iri(g: str) -> str:
    return str(ox.NamedNode(g))[1:-1]      # refuses what is not an IRI before it reaches update text


_IN_DOCUMENT = f"<{vocab.KG}inDocument>"


def _drop_update(g: str) -> str:
    """Take document ``g`` out of the default graph: its own nodes' statements and
    what points at them (the nodes found from the document: its sentences are
    inDocument it, its assertions and metrics derived from those, all with IRIs
    that extend the document's), what points at the document, and the shared
    triples no other document holds (a class above one it states: no other
    document states that class or one below it). The own nodes go in one
    operation: the links they are found by are among what it deletes."""
    own = (f'{{ ?n {_IN_DOCUMENT} <{g}> }} UNION {{ ?t {_IN_DOCUMENT} <{g}> . ?n {DERIVED} ?t '
           f'FILTER(STRSTARTS(STR(?n), "{g}/")) }}')
    return (f"DELETE {{ ?n ?p ?o . ?x ?q ?n }} WHERE {{ {{ {own} }} {{ ?n ?p ?o }} UNION {{ ?x ?q ?n }} }} ;\n"
            f"DELETE {{ ?x ?p <{g}> }} WHERE {{ ?x ?p <{g}> }} ;\n"
            f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} "
            f"FILTER(?p != {TYPE} || !(?o IN ({', '.join(_below())}))) {_held_elsewhere(g)} }} ;\n" +
            _drop_entailed(g))


def _replace_update(g: str) -> str:
    """Swap document ``g`` for its staged copy and keep the default graph the union:
    drop what only the old ``g`` held, then add what the new ``g`` holds and its own
    statements."""
    g = _iri(g)
    return (_drop_update(g) +
            f"MOVE SILENT GRAPH <{g}{STAGING}> TO GRAPH <{g}> ;\n"
            f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }} ;\n"
            f"ADD SILENT GRAPH <{g}{OWN_STAGING}> TO DEFAULT ;\n"
            f"DROP SILENT GRAPH <{g}{OWN_STAGING}>")


def _remove_update(g: str) -> str:
    g = _iri(g)
    return _drop_update(g) + f"DROP SILENT GRAPH <{g}>"


STAGED = (f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
          f'FILTER(STRENDS(STR(?g), "{STAGING}") || STRENDS(STR(?g), "{OWN_STAGING}")) }}')


DOCUMENTS = f"SELECT ?g WHERE {{ GRAPH ?g {{ ?g a <{vocab.KG}SourceDocument> }} }}"


class LocalStore:
    """The embedded Oxigraph store in a folder."""

    def __init__(self, path: str | Path, create: bool = True, read_only: bool = False):
        p = current(Path(path)) if read_only else Path(path)
        if not create and not p.is_dir():
            raise StoreError(f"no store at {p}; build one first with: kg build -o {p.parent}")
        try:
            self.ox = ox.Store.read_only(str(p)) if read_only else ox.Store(str(p))
        except OSError as e:
            raise StoreError(f"cannot open the store at {p}: {e}") from e
        self.location = str(p)

    def documents(self) -> set[str]:
        return {s["g"].value for s in self.ox.query(DOCUMENTS)}

    def drop_staging(self) -> None:
        for g in list(self.ox.named_graphs()):
            if g.value.endswith((STAGING, OWN_STAGING)):
                self.ox.remove_graph(g)

    def add_new(self, batch: BinaryIO) -> None:
        """Documents the store does not hold yet, as N-Quads that carry each
        document's graph and its default-graph copy, read from where ``batch`` (a
        binary file) stands; the file is closed when loaded. The bulk loader ignores
        triples already present, so the default graph stays a set. The parser skips
        validating IRIs (``lenient``): the graph stage made every IRI with
        pyoxigraph's NamedNode, which validates it, and those lines are the only
        input here."""
        try:
            self.ox.bulk_load(batch, ox.RdfFormat.N_QUADS, lenient=True)
        finally:
            batch.close()
        memory.give_back()        # what the loader's threads freed (kg.memory)

    def replace(self, graph: str, ntriples: bytes, own: bytes) -> None:
        """Document ``graph`` becomes ``ntriples`` (its named graph) and ``own`` (its
        statements for the default graph only), in one update."""
        for suffix, data in ((STAGING, ntriples), (OWN_STAGING, own)):
            staging = ox.NamedNode(graph + suffix)
            if self.ox.contains_named_graph(staging):      # left by a build that stopped
                self.ox.remove_graph(staging)
            self.ox.load(data, ox.RdfFormat.N_TRIPLES, to_graph=staging, lenient=True)   # as in add_new
        self.ox.update(_replace_update(graph))

    def remove(self, graph: str) -> None:
        self.ox.update(_remove_update(graph))

    def query(self, sparql: str, prefixes: dict[str, str]):
        return self.ox.query(sparql, prefixes=prefixes)

    def dump_turtle(self, path: str | Path, prefixes: dict[str, str]) -> None:
        self.dump(path, ox.RdfFormat.TURTLE, prefixes)

    def default_triples(self) -> Iterator[ox.Triple]:
        for q in self.ox.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            yield q.triple

    def dump(self, path: str | Path, fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None,
             dataset: bool = False) -> None:
        """The default graph, or with ``dataset`` every graph, in ``fmt``."""
        kw = {"prefixes": prefixes} if prefixes else {}
        if dataset:
            self.ox.dump(str(path), fmt, **kw)
        else:
            self.ox.dump(str(path), fmt, from_graph=ox.DefaultGraph(), **kw)

    def flush(self) -> None:
        self.ox.flush()

    def optimize(self) -> None:
        """Compact the files the bulk loader wrote: lookups, and so queries, get
        about twice as fast. Costs time in proportion to the store."""
        self.ox.optimize()
        memory.give_back()

    def close(self) -> None:
        self.ox = None


class RemoteStore:
    """A SPARQL 1.1 server: ``URL/query``, ``URL/update`` and the Graph Store
    Protocol at ``URL/store`` (Oxigraph's layout). The default graph must not be
    the union of the named graphs (Oxigraph's default)."""

    def __init__(self, url: str, timeout: float = 120.0):
        u = urllib.parse.urlsplit(url)
        if u.scheme not in ("http", "https") or not u.netloc:
            raise StoreError(f"--store-url takes http(s)://HOST:PORT[/PATH], not {url!r}")
        self.location = url.rstrip("/")
        self.timeout = timeout

    def _request(self, path: str, data: bytes | None = None, method: str = "GET",
                 headers: dict[str, str] | None = None, stream: bool = False):
        req = urllib.request.Request(self.location + path, data=data, method=method, headers=headers or {})
        try:
            resp = urllib.request.urlopen(req, timeout=self.timeout)
        except urllib.error.HTTPError as e:
            with e:
                detail = e.read(300).decode("utf-8", "replace").strip().splitlines()
            raise StoreError(f"{self.location}{path.split('?')[0]} answered {e.code}"
                             + (f": {detail[0]}" if detail else "")) from e
        except TimeoutError as e:
            raise StoreError(f"the triple store at {self.location} did not answer {path.split('?')[0]} "
                             f"within {self.timeout:g} s") from e
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise StoreError(f"cannot reach the triple store at {self.location}: {reason}") from e
        if stream:
            return resp
        with resp:
            return resp.read()

    def _update(self, sparql: str) -> None:
        self._request("/update", sparql.encode(), "POST", {"Content-Type": "application/sparql-update"})

    def documents(self) -> set[str]:
        return {s["g"].value for s in self.query(DOCUMENTS, {})}

    def drop_staging(self) -> None:
        for s in self.query(STAGED, {}):
            self._update(f"DROP SILENT GRAPH <{_iri(s['g'].value)}>")

    def _put(self, graph: str, ntriples: bytes) -> None:
        q = urllib.parse.urlencode({"graph": graph})
        self._request(f"/store?{q}", ntriples, "PUT", {"Content-Type": "application/n-triples"})

    def replace(self, graph: str, ntriples: bytes, own: bytes) -> None:
        """Graph Store PUTs of the staged graph and its own statements, then one
        atomic update."""
        self._put(graph + STAGING, ntriples)
        self._put(graph + OWN_STAGING, own)
        self._update(_replace_update(graph))

    def remove(self, graph: str) -> None:
        self._update(_remove_update(graph))

    def query(self, sparql: str, prefixes: dict[str, str]):
        text = "".join(f"PREFIX {k}: <{v}>\n" for k, v in prefixes.items()) + sparql
        body = urllib.parse.urlencode({"query": text}).encode()
        accept = "application/sparql-results+json, application/n-triples;q=0.9"
        try:
            resp = self._request("/query", body, "POST", {"Content-Type": "application/x-www-form-urlencoded",
                                                          "Accept": accept}, stream=True)
        except StoreError as e:
            if " answered 400" in str(e):
                raise QueryError(f"malformed SPARQL: {str(e).split(': ', 1)[-1]}") from e
            raise
        with resp:
            ctype = resp.headers.get("Content-Type", "").split(";")[0].strip()
            data = resp.read()
        try:
            if ctype == "application/sparql-results+json":
                return ox.parse_query_results(data, ox.QueryResultsFormat.JSON)
            if ctype == "application/n-triples":
                return Triples(q.triple for q in ox.parse(data, ox.RdfFormat.N_TRIPLES))
        except SyntaxError as e:
            raise StoreError(f"{self.location}/query answered {ctype} that does not parse: {e}") from e
        raise StoreError(f"{self.location}/query answered {ctype or 'no content type'}; "
                         "kg reads SPARQL JSON results and N-Triples")

    def _download(self, query: str, path: str | Path, accept: str) -> None:
        tmp = Path(f"{path}.part")
        try:
            with self._request(f"/store?{query}", headers={"Accept": accept}, stream=True) as resp, \
                    open(tmp, "wb") as f:
                while chunk := resp.read(1 << 20):
                    f.write(chunk)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def dump_turtle(self, path: str | Path, prefixes: dict[str, str]) -> None:
        """The server's N-Triples, streamed through Oxigraph's Turtle serializer for
        kg's prefixes."""
        raw = Path(f"{path}.nt")
        try:
            self._download("default", raw, "application/n-triples")
            triples = (q.triple for q in ox.parse(path=str(raw), format=ox.RdfFormat.N_TRIPLES))
            ox.serialize(triples, str(path), ox.RdfFormat.TURTLE, prefixes=prefixes)
        finally:
            raw.unlink(missing_ok=True)

    def default_triples(self) -> Iterator[ox.Triple]:
        """Streamed: parsed as the server sends it, never held whole."""
        with self._request("/store?default", headers={"Accept": "application/n-triples"}, stream=True) as resp:
            for q in ox.parse(resp, ox.RdfFormat.N_TRIPLES):
                yield q.triple

    def dump(self, path: str | Path, fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None,
             dataset: bool = False) -> None:
        if dataset:
            self._dump_dataset(path, fmt, prefixes)
        else:
            self._download("default", path, fmt.media_type)

    def _dump_dataset(self, path, fmt, prefixes) -> None:
        with self._request("/store", headers={"Accept": "application/n-quads"}, stream=True) as resp:
            ox.serialize(ox.parse(resp, ox.RdfFormat.N_QUADS), str(path), fmt,
                         **({"prefixes": prefixes} if prefixes and fmt == ox.RdfFormat.TRIG else {}))

    def flush(self) -> None:
        pass

    def optimize(self) -> None:
        pass      # the server's own business

    def close(self) -> None:
        pass


class Triples(list):
    """The triples of a remote CONSTRUCT or DESCRIBE."""


# ------------------------------------------------------- versions of a store folder
#
# A build never writes the store folder readers use. It writes the next version
# beside it (a checkpoint of the current one: hard links, milliseconds, so the
# cost follows the documents built, not the store), then swaps it in by renaming
# the folders. A build that stops anywhere, killed or interrupted, leaves the
# current version as it was; readers never open a folder being written (which
# Oxigraph leaves undefined).

def _sibling(live: Path, kind: str, pid: int | None = None) -> Path:
    return live.parent / f".{live.name}.{kind}-{os.getpid() if pid is None else pid}"


def _siblings(live: Path, kind: str) -> list[Path]:
    return sorted(live.parent.glob(f".{live.name}.{kind}-*"), key=lambda p: p.stat().st_mtime_ns)


def current(live: Path) -> Path:
    """The folder that holds the current version of the store at ``live``: itself,
    or the version a build stopped between its two renames had moved aside."""
    if live.exists():
        return live
    old = _siblings(live, "old")
    return old[-1] if old else live


def version_of(location: str | Path):
    """What identifies the version of the store at ``location`` that readers see
    (a build swaps in a new folder), or None for a SPARQL server's URL."""
    if isinstance(location, str) and location.startswith(("http://", "https://")):
        return None
    try:
        st = os.stat(current(Path(location)))
    except OSError:
        return None
    return st.st_dev, st.st_ino


class _BuildLock:
    """One build at a time per store folder (an advisory lock the OS drops with its
    holder, so a killed build leaves none)."""

    def __init__(self, live: Path):
        self.fh = None
        try:
            import fcntl
        except ImportError:       # no advisory locks here: builds must not overlap
            return
        live.parent.mkdir(parents=True, exist_ok=True)
        path = live.parent / f".{live.name}.lock"
        fh = open(path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            holder = fh.read().strip() or "?"
            fh.close()
            raise StoreError(f"another kg build (pid {holder}) is writing {live}; wait for it to finish "
                             "or build into another folder (-o)") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self.fh = fh

    def release(self) -> None:
        if self.fh is not None:
            self.fh.close()       # closing drops the lock
            self.fh = None


class StoreVersion:
    """The next version of the store folder ``live``, open for writing as ``store``:
    empty with ``fresh`` (or where there is none yet), else a copy of the current
    one. ``commit`` swaps it in; ``abandon`` removes it."""

    def __init__(self, live: str | Path, fresh: bool = False):
        self.live = Path(live)
        self._lock = _BuildLock(self.live)
        try:
            self._tidy()
            self.next = _sibling(self.live, "next")
            if self.live.is_dir() and not fresh:
                try:
                    ox.Store.read_only(str(self.live)).backup(str(self.next))
                except OSError as e:
                    raise StoreError(f"cannot read the store at {self.live}: {e}") from e
            self.store = LocalStore(self.next)
        except BaseException:
            self._lock.release()
            raise

    def _tidy(self) -> None:
        """Put back a version a stopped build had moved aside, and remove what
        stopped builds left (this build holds the lock: no other is running)."""
        if not self.live.exists() and _siblings(self.live, "old"):
            os.rename(_siblings(self.live, "old")[-1], self.live)
        for p in _siblings(self.live, "next") + _siblings(self.live, "old"):
            shutil.rmtree(p, ignore_errors=True)

    def commit(self) -> None:
        self.store.flush()
        self.store.close()
        old = _sibling(self.live, "old")
        if self.live.exists():
            os.rename(self.live, old)
        faults.point("swap")
        os.rename(self.next, self.live)
        shutil.rmtree(old, ignore_errors=True)     # readers that hold it open keep reading it
        self._lock.release()

    def abandon(self) -> None:
        self.store.close()
        shutil.rmtree(self.next, ignore_errors=True)
        self._lock.release()


def open_store(location: str | Path, create: bool = True, read_only: bool = False):
    """A store folder, or an http(s) URL of a SPARQL server."""
    if isinstance(location, str) and location.startswith(("http://", "https://")):
        return RemoteStore(location)
    return LocalStore(location, create, read_only)
