"""Runs the stages in order. Documents are independent until they reach the
store, so stages 1–6 (up to each document's N-Quads) run per document in worker
processes or on a Dask cluster; the main process writes each document into the
store as it arrives, then the files. Nothing holds the whole corpus."""
from __future__ import annotations

import functools
import gc
import os
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import BinaryIO

from tqdm import tqdm

from kg import faults, graph, ingest, turtle, workers
from kg.counts import StoreCounts, distinct_keys, store_counts
from kg.errors import ClusterError, InputError, NothingToBuildError
from kg.extract import run as run_extractors
from kg.model import Extraction, InputFile, RawDocument
from kg.normalize import normalize, split_sentences
from kg.resolve import resolve
from kg.segment import segment
from kg.store import LocalStore, RemoteStore, StoreVersion


def sample_corpus() -> Path:
    """The sample corpus that ships inside the package."""
    return Path(str(resources.files("kg.data").joinpath("corpus")))


def extract_document(raw: RawDocument) -> Extraction:
    """Stages 2–5 for one document."""
    doc = normalize(raw)
    if not doc.text.strip():
        raise InputError(f"{raw.path}: empty document (nothing but control characters and spaces)")
    sentences = split_sentences(doc)
    ctx = run_extractors(doc, sentences, segment(doc.text))
    return resolve(ctx)


@functools.lru_cache(maxsize=1)
def warm() -> None:
    """Pay this process's start-up (the tokenizer's dictionary, the gazetteer's
    index, compiled patterns, the ontology) once, on a made-up line, so that no
    document's --doc-timeout budget includes it."""
    raw = RawDocument("warm-up", "warm-up.txt", "某市2024年工作总结\n某市委统战部开展“同心”活动，建成3处基地。\n", "utf-8")
    graph.document_graph(extract_document(raw), turtle=True)
    # what start-up made (dictionaries, gazetteer, patterns: most of a worker's
    # objects) lives as long as the process: the collector need not walk it again
    # at each full collection (nor touch a forked worker's shared pages)
    gc.freeze()


def extract_path(src: InputFile | str):
    """Extraction of one file, or (path, reason)."""
    try:
        return extract_document(ingest.read(src))
    except InputError as e:
        return (_path(src), _reason(e))


def _path(src: InputFile | str) -> str:
    return src.path if isinstance(src, InputFile) else str(src)


def _reason(e: InputError) -> str:
    """An input error's message without the path it starts with (the report names the file)."""
    return str(e).split(": ", 1)[-1]


DOC_TIMEOUT = 600.0    # seconds one document may take before it is skipped (0: no limit)


class _OverBudget(Exception):
    pass


def _over_budget(signum, frame):
    raise _OverBudget


def graph_of_file(src: InputFile | str, data: bytes | None = None, budget: float = 0.0, as_turtle: bool = False):
    """Stages 1–6 of one file (a plain path is a file named directly), up to its
    graph as N-Quads (in a worker, so that part of the graph stage runs in parallel
    too), or (path, reason). ``data`` is the file's bytes where the worker cannot
    read the path itself. A document still
    running after ``budget`` seconds is given up (where a timer signal can reach
    the thread: a worker process's main thread), so one pathological file cannot
    hold up the build. ``as_turtle`` adds the document's own statements as Turtle
    (for a fresh build's graph.ttl)."""
    warm()
    timed = budget > 0 and threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    try:                       # outer: the alarm may also fire while the inner one is leaving
        if timed:
            previous = signal.signal(signal.SIGALRM, _over_budget)
            signal.setitimer(signal.ITIMER_REAL, budget)
        try:
            raw = ingest.read(src) if data is None else ingest.from_bytes(src, data)
            return graph.document_graph(extract_document(raw), turtle=as_turtle)
        except InputError as e:
            return (_path(src), _reason(e))
        finally:
            if timed:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
    except _OverBudget:
        return (_path(src), f"took longer than {budget:g} s (--doc-timeout); skipped")


def _bar(total: int, desc: str, progress: bool | None):
    return tqdm(total=total, desc=desc, unit="doc", disable=None if progress is None else not progress,
                file=sys.stderr)


def document_graphs(paths: Iterable[str | Path], jobs: int | None = None):
    """(files' DocumentGraphs as they finish, problems): stages 1–6 in worker
    processes up to each document's N-Quads, as ``build`` runs them, without a store."""
    files, problems = ingest.discover(paths)
    jobs = max(1, jobs or os.cpu_count() or 1)
    return workers.results(graph_of_file, files, jobs), problems


def extract_many(paths: Iterable[str | Path], jobs: int | None = None, progress: bool | None = None):
    """(extractions, problems) for every file under ``paths``, in input order."""
    files, problems = ingest.discover(paths)
    jobs = max(1, jobs or os.cpu_count() or 1)
    bar = _bar(len(files), "extract", progress)
    results = {}
    for r in workers.results(_indexed_extract, list(enumerate(files)), jobs):
        results[r[0]] = r[1]
        bar.update()
    bar.close()
    ordered = [results[i] for i in range(len(files))]
    problems += [r for r in ordered if not isinstance(r, Extraction)]
    return [r for r in ordered if isinstance(r, Extraction)], problems


def _indexed_extract(item):
    return item[0], extract_path(item[1])


@dataclass
class BuildReport:
    documents: int = 0
    sentences: int = 0
    characters: int = 0
    entities: Counter = field(default_factory=Counter)
    relations: Counter = field(default_factory=Counter)
    metrics: int = 0
    posts: int = 0
    triples: int = 0
    seconds: float = 0.0
    extract_seconds: float = 0.0
    problems: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)    # built once, as another file
    files: dict[str, str] = field(default_factory=dict)
    before: set[str] = field(default_factory=set)     # document graphs the store held
    written: set[str] = field(default_factory=set)    # document graphs this build wrote
    store: StoreCounts | None = None      # what the store holds after the build, each thing once
    compact: bool = False     # the build made enough of the store to compact it
    counted: bool = False     # the store's distinct counts follow it: its own are not gathered
    statistics: int | None = None     # distinct statistics, known when the build made all of the store

    def add(self, d: graph.DocumentGraph) -> None:
        self.documents += 1
        self.sentences += d.sentences
        self.characters += d.characters
        self.relations.update(dict(d.relations))
        self.metrics += d.metrics
        self.posts += d.posts
        self.triples += d.statements
        if d.replaced:
            self.warnings.append((d.path, f"{d.replaced} byte{'s' if d.replaced > 1 else ''} that did not decode "
                                          f"read as U+FFFD"))

    def lines(self) -> list[str]:
        def by_count(c: Counter) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))
        held = self.store or StoreCounts(self.entities, self.relations, self.metrics, self.documents)
        out = [f"documents   {self.documents}  ({self.characters:,} characters, {self.sentences:,} sentences)"]
        which = "distinct" if self.store else "in these documents"
        if self.store and held.documents != self.documents:
            out.append(f"stored      {held.documents} documents; the distinct counts below are the store's")
        out.append(f"entities    {sum(held.entities.values())} {which}: {by_count(held.entities)}")
        out.append(f"relations   {sum(held.relations.values())} {which}: {by_count(held.relations)}")
        out.append(f"statistics  {held.statistics} {which}")
        out.append(f"sources     {sum(self.relations.values()):,} relation and {self.metrics:,} statistic statements "
                   f"in these documents' sentences: {by_count(self.relations)}")
        out.append(f"posts       {self.posts}  (who holds which post in which body: kg query posts)")
        out.append(f"triples     {self.triples:,} (in these documents' graphs)")
        out.append(f"seconds     {self.seconds:.2f} (documents into the store {self.extract_seconds:.2f})")
        for k, v in self.files.items():
            out.append(f"{k:<11} {v}")
        for path, why in self.warnings:
            out.append(f"warning     {path}: {why}")
        for path, why in self.duplicates:
            out.append(f"duplicate   {path}: {why}")
        for path, why in sorted(self.problems):      # workers finish in any order; the summary does not
            out.append(f"skipped     {path}: {why}")
        return out


TURTLE_PART = ".graph.ttl.part"    # graph.ttl while it is written


class Writer:
    """Puts documents' graphs in the store as they arrive. Documents the store does
    not hold go in by the bulk loader, several at a time; a document it holds is
    replaced on its own, atomically (kg.store)."""

    # bytes of N-Quads per bulk load. Oxigraph's loader holds about 5.5 times its
    # batch, so this bounds the build's memory; smaller batches cost compaction
    # (at 16x the sample corpus, 16 MiB: 169 MiB peak, 12 MiB: about 160 MiB and
    # 1.2 s more of RocksDB's background work, 8 MiB: 2 s more)
    BATCH = 12 << 20

    GIVEN = 1 << 14     # shared statements remembered (about 3 MiB of lines)

    COMPACT_SHARE = 0.25    # compact the store after a build that wrote this share of its documents

    def __init__(self, store, spool: turtle.Spool | None = None):
        self.store = store
        store.drop_staging()          # left by a build that stopped between its two steps
        self.known = store.documents()
        self.before = len(self.known)
        self.spool = spool
        if spool is not None and self.before:
            spool.void()              # graph.ttl must hold what the store held before too
        self.bulk = isinstance(store, LocalStore)
        # the batch being gathered waits in an unnamed file next to the store, not in
        # memory beside the one loading (at 16x the sample corpus, 12 MiB off the peak)
        self._pending: BinaryIO | None = None
        self._count = 0            # documents in it
        self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-load")
        self._loading = None
        # the shared statements this build has given the default graph lately, in two
        # generations: the bodies and places most documents name are loaded there once,
        # not once a document, with memory for GIVEN lines however large the build
        self._given: set[bytes] = set()
        self._older: set[bytes] = set()

    def put(self, d: graph.DocumentGraph, coming: int | None = None) -> None:
        """``coming``: how many documents are still to come. Once as many wait to be
        loaded, they are: batches halve towards the end, so that what is left to
        load after the last document is about one document, not a batch."""
        if not self.bulk or d.graph in self.known:
            if self.spool is not None:
                self.spool.void()       # graph.ttl is then the store's
            self.flush(wait=True)
            self.store.replace(d.graph, d.ntriples, d.own + d.entailed)
        else:
            shared = self._new_shared(d.ntriples + d.entailed)
            if self.spool is not None:
                if d.own and not d.own_turtle:
                    self.spool.void()     # a worker that was not asked for Turtle
                self.spool.add(d.graph, shared, d.own_turtle)
            nq = d.nquads(shared)
            if self._pending is None:
                self._pending = tempfile.TemporaryFile(dir=Path(self.store.location).parent)
            self._pending.write(nq)
            self._count += 1
            if self._pending.tell() >= self.BATCH or coming is not None and self._count > coming:
                self.flush()
        self.known.add(d.graph)

    def _new_shared(self, ntriples: bytes) -> bytes:
        """The lines of a document's named graph no earlier document of this build has
        given the default graph."""
        out = []
        given, older, half = self._given, self._older, self.GIVEN // 2
        for line in ntriples.splitlines(keepends=True):
            if line in given:
                continue
            if line not in older:
                out.append(line)      # (a statement given again is a no-op, only work)
            given.add(line)           # one in use stays remembered as generations turn
            if len(given) >= half:
                older, given = given, set()
        self._given, self._older = given, older
        return b"".join(out)

    def finish(self) -> None:
        """Write what is pending."""
        self.flush(wait=True)

    def compact_due(self, written: int) -> bool:
        """Compaction pays after a build that made much of the store, not after one
        that added a few documents (that cost would follow the store)."""
        return bool(written) and written >= self.COMPACT_SHARE * (self.before + written)

    def flush(self, wait: bool = False) -> None:
        """Hand the pending batch to the loader thread (the bulk loader releases the
        GIL, so results keep arriving meanwhile); one batch loads at a time."""
        self._wait()
        if self._pending is not None:
            batch, self._pending, self._count = self._pending, None, 0
            batch.seek(0)
            self._loading = self._loader.submit(self.store.add_new, batch)
        if wait:
            self._wait()

    def _wait(self) -> None:
        if self._loading is not None:
            loading, self._loading = self._loading, None
            loading.result()          # re-raises what the load raised

    def close(self) -> None:
        self._loader.shutdown(wait=True)
        if self._pending is not None:       # a build that stopped: the batch it gathered goes
            self._pending.close()
            self._pending = None


def _open_target(out: Path, store_url: str | None, fresh: bool):
    """(store to write, its StoreVersion or None): a local build writes the store's
    next version; a SPARQL server replaces each document in one update."""
    if store_url:
        return RemoteStore(store_url), None
    version = StoreVersion(out / "store", fresh)
    return version.store, version


def build(paths: Iterable[str | Path], out_dir: str | Path = "output", jobs: int | None = None,
          fresh: bool = False, html: bool = True, progress: bool | None = None, files: bool = True,
          store_url: str | None = None, scheduler: str | None = None, on_document=None,
          doc_timeout: float = DOC_TIMEOUT) -> BuildReport:
    """Build the graph of ``paths`` into ``out_dir``: store/, graph.ttl, graph.html.

    The store keeps one named graph per document: building a document again
    replaces its graph, and documents built earlier into the same store stay (pass
    ``fresh`` to start empty). Documents stream from the workers (local processes,
    or a Dask cluster at ``scheduler``) into the store as they finish. With
    ``store_url`` the graph lives in that SPARQL server instead of out_dir/store.
    ``files=False`` skips graph.ttl and graph.html (kg export / kg view make them).

    A build completes or changes nothing: the store's next version is swapped in,
    and the files renamed into place, only at the end (a SPARQL server gets each
    document in one update). A cluster that loses its workers keeps the documents
    that came back, whole.
    """
    t0 = time.perf_counter()
    out = Path(out_dir)
    found, problems = ingest.discover(paths)
    names, duplicates = ingest.duplicates(found)
    if not names:
        why = "; ".join(f"{p}: {w}" for p, w in problems[:3]) or f"no {' '.join(ingest.SUFFIXES)} files found"
        raise NothingToBuildError(f"nothing to build ({why})")
    # a fresh build's graph.ttl is made of what it loads (kg.turtle): its workers write Turtle too
    spooling = files and not store_url and (fresh or not (out / "store").is_dir())
    stream = _stream(names, jobs, scheduler, doc_timeout, spooling)   # a cluster is reached before the store is touched
    out.mkdir(parents=True, exist_ok=True)
    store, version = _open_target(out, store_url, fresh)
    staged: dict[str, tuple[Path, Path]] = {}
    spool = None
    joining: list[turtle.TurtleJob] = []
    try:
        spool = _spool(out, version, spooling)

        def join_turtle():            # graph.ttl is written while the store loads the last documents
            if spool is not None and spool.valid:
                joining.append(turtle.TurtleJob(spool, out / TURTLE_PART))
        rep = _write_documents(stream, store, version, len(names), problems, progress, on_document, spool,
                               first=_preload_view if files and html else None, ended=join_turtle)
        rep.duplicates = duplicates
        if fresh and version is None:
            for g in sorted(rep.before - rep.written):
                store.remove(g)            # a fresh build into a server: what it did not build again goes
        rep.extract_seconds = time.perf_counter() - t0
        rep.files = {"store": str(out / "store") if version else store.location}
        staged = _finish_store(store, rep, out if files else None, html, joining[0] if joining else None)
        faults.point("files-staged")
        if version is not None:
            version.commit()
            version = None
        faults.point("swapped")
        rep.files.update(publish(staged))
    except BaseException:
        if version is not None:
            version.abandon()
        raise
    finally:
        for job in joining:           # a build that failed before its files were staged
            job.stop()
            job.dest.unlink(missing_ok=True)
        for tmp, _ in staged.values():
            tmp.unlink(missing_ok=True)
        if spool is not None:
            spool.remove()
    store.close()
    rep.seconds = time.perf_counter() - t0
    return rep


def _spool(out: Path, version: StoreVersion | None, spooling: bool) -> turtle.Spool | None:
    """What stopped builds left of a spool goes (only under the build lock: the
    spool of a running build is not theirs to remove); this build's, if it spools."""
    if version is not None:
        turtle.clear(out)
    return turtle.Spool(out) if spooling and version is not None else None


def _write_documents(stream, store, version, total: int, problems, progress, on_document,
                     spool: turtle.Spool | None = None, first=None, ended=None) -> BuildReport:
    """Every document the stream yields into the store (and ``spool``); the report
    of them. ``first`` is called once the first document is in: the workers are
    all started by then (a fork-based pool forks them at its first task, and a
    fork while another thread imports can leave the child stuck on the import lock).
    ``ended`` is called when the last document has come, while the store still
    loads it."""
    rep = BuildReport(problems=problems)
    writer = Writer(store, spool)
    rep.before = set(writer.known)
    # a set of every entity a large build gives would grow with the corpus; its counts
    # come from the store after it instead (_finish_store)
    rep.counted = total >= Writer.COMPACT_SHARE * (len(rep.before) + total)
    classes: set[tuple[str, str]] = set()
    keys = bytearray() if rep.counted and not rep.before else None     # statistic keys: the store is this build's
    bar = _bar(total, "build", progress)
    try:
        try:
            for seen, d in enumerate(stream, 1):
                bar.update()
                if not isinstance(d, graph.DocumentGraph):
                    rep.problems.append(d)
                    continue
                writer.put(d, coming=total - seen)
                if first is not None and not rep.documents:
                    first()
                rep.add(d)
                rep.written.add(d.graph)
                if not rep.counted:
                    classes.update(d.entities)
                elif keys is not None:
                    keys += d.statistic_keys
                faults.point("store")
                if on_document is not None:
                    on_document(d)
        except ClusterError:
            writer.flush(wait=True)       # the documents that did come back stay, whole
            if version is not None:
                version.commit()
            raise
        finally:
            stream.close()        # ends the worker pool or the cluster client now, not at collection
            bar.close()
        writer.flush()
        if ended is not None and rep.documents:
            ended()
        writer.finish()
        rep.compact = writer.compact_due(rep.documents)
    finally:
        writer.close()
    faults.point("store-done")
    if not rep.counted:
        rep.entities = graph.entity_counts(classes)
    elif keys is not None:
        rep.statistics = distinct_keys(keys)
    if rep.documents == 0:
        why = "; ".join(f"{p}: {w}" for p, w in rep.problems[:3])
        raise NothingToBuildError(f"nothing to build ({why})")
    return rep


def _preload_view() -> None:
    from kg.view import preload
    preload()


def _stream(names: list[InputFile], jobs: int | None, scheduler: str | None, budget: float = 0.0,
            as_turtle: bool = False):
    if scheduler:
        from kg.cluster import connect, document_graphs
        return document_graphs(names, connect(scheduler), scheduler, as_turtle)
    work = functools.partial(graph_of_file, budget=budget, as_turtle=as_turtle)
    return workers.results(work, names, max(1, jobs or os.cpu_count() or 1))


def _finish_store(store, rep: BuildReport, out: Path | None, html: bool,
                  joining: turtle.TurtleJob | None = None) -> dict[str, tuple[Path, Path]]:
    """What follows the last document: compaction (when due), the store's distinct
    counts, and with ``out`` graph.ttl and graph.html staged there."""
    # the distinct counts are aggregate queries over the whole store: worth it after a
    # build that made much of it, not after one that added a few documents
    count = rep.counted or rep.documents >= Writer.COMPACT_SHARE * len(rep.before | rep.written)
    def counts():
        rep.store = store_counts(store, rep.statistics)
    return stage_files(store, out, html, compacting=rep.compact, joining=joining, meanwhile=counts if count else None)


def stage_files(store, out: Path | None, html: bool = True, compacting: bool = False,
                meanwhile=None, joining: turtle.TurtleJob | None = None) -> dict[str, tuple[Path, Path]]:
    """graph.ttl (the default graph) and graph.html (a bounded view) written under
    temporary names: {kind: (written, final)}; none with no ``out``. graph.ttl is
    what ``joining`` (a fresh build's spool joined by a child process, kg.turtle,
    into out/TURTLE_PART) writes, or else the store's serializer's; either runs
    beside this thread, which draws the page, as does ``compacting`` (Oxigraph's
    work, without the GIL; reads see one snapshot of the store, whatever
    compaction does meanwhile). ``meanwhile`` runs in one of the tail's threads too."""
    staged = {"turtle": (out / TURTLE_PART, out / "graph.ttl")} if out is not None else {}

    def compact():
        store.optimize()
        store.flush()

    try:
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="kg-tail") as tail:
            jobs = [tail.submit(compact if compacting else store.flush)]
            try:
                if staged and joining is None:
                    jobs.append(tail.submit(store.dump_turtle, staged["turtle"][0], graph.PREFIXES))
                if meanwhile is not None:
                    jobs.append(tail.submit(meanwhile))
                if out is not None and html:
                    from kg.view import write_store_html
                    staged["html"] = (out / ".graph.html.part", out / "graph.html")
                    write_store_html(store, staged["html"][0])
                if staged and joining is not None:
                    joining.wait()
            finally:
                if joining is not None:
                    joining.stop()
            for j in jobs:
                j.result()
    except BaseException:
        for tmp, _ in staged.values():      # (the threads are done: leaving the pool waits for them)
            tmp.unlink(missing_ok=True)     # the caller never sees what did not finish
        raise
    return staged


def publish(staged: dict[str, tuple[Path, Path]]) -> dict[str, str]:
    """Rename staged files into place; {kind: path}."""
    for kind, (tmp, final) in staged.items():
        os.replace(tmp, final)
        faults.point(f"{kind}-published")
    return {kind: str(final) for kind, (_, final) in staged.items()}


def write_files(store, out: Path, html: bool = True) -> dict[str, str]:
    """graph.ttl and graph.html of ``store``, each renamed into place when written."""
    staged = stage_files(store, out, html)
    try:
        return publish(staged)
    finally:
        for tmp, _ in staged.values():
            tmp.unlink(missing_ok=True)
