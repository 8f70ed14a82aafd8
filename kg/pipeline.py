"""Runs the stages in order. Documents are independent until the graph stage, so
stages 1–5 run per document in worker processes; the graph stage writes the store
and the files in the main process."""
from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from tqdm import tqdm

from kg import graph, ingest
from kg.errors import InputError, NothingToBuildError
from kg.extract import run as run_extractors
from kg.model import Extraction, RawDocument
from kg.normalize import normalize, split_sentences
from kg.resolve import resolve
from kg.segment import segment


def sample_corpus() -> Path:
    """The sample corpus that ships inside the package."""
    return Path(str(resources.files("kg.data").joinpath("corpus")))


def extract_document(raw: RawDocument) -> Extraction:
    """Stages 2–5 for one document."""
    doc = normalize(raw)
    sentences = split_sentences(doc)
    ctx = run_extractors(doc, sentences, segment(doc.text))
    return resolve(ctx)


def extract_path(path: str, with_quads: bool = False):
    """Extraction of one file (with its N-Quads when asked), or (path, reason)."""
    try:
        x = extract_document(ingest.read(path))
    except InputError as e:
        return (path, str(e).split(": ", 1)[-1])
    return (x, graph.nquads(x)) if with_quads else x


def _extract_with_quads(path: str):
    return extract_path(path, True)


def extract_many(paths: Iterable[str | Path], jobs: int | None = None, progress: bool | None = None,
                 with_quads: bool = False):
    """(extractions, problems) for every file under ``paths``, in input order; with
    ``with_quads`` each extraction comes as (extraction, its N-Quads)."""
    files, problems = ingest.discover(paths)
    jobs = max(1, jobs or os.cpu_count() or 1)
    names = [str(f) for f in files]
    results: list = []
    bar = tqdm(total=len(names), desc="extract", unit="doc", disable=None if progress is None else not progress,
               file=sys.stderr)
    if jobs == 1 or len(names) <= 1:
        for n in names:
            results.append(extract_path(n, with_quads))
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=min(jobs, len(names))) as pool:
            work = _extract_with_quads if with_quads else extract_path
            for r in pool.map(work, names, chunksize=max(1, len(names) // (jobs * 8))):
                results.append(r)
                bar.update()
    bar.close()
    ok = (lambda r: isinstance(r[0], Extraction)) if with_quads else (lambda r: isinstance(r, Extraction))
    extractions = [r for r in results if ok(r)]
    problems += [r for r in results if not ok(r)]
    return extractions, problems


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
    files: dict[str, str] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"documents   {self.documents}  ({self.characters:,} characters, {self.sentences:,} sentences)"]
        out.append(f"entities    {sum(self.entities.values())}: " +
                   ", ".join(f"{k} {v}" for k, v in sorted(self.entities.items(), key=lambda kv: (-kv[1], kv[0]))))
        out.append(f"relations   {sum(self.relations.values())}: " +
                   ", ".join(f"{k} {v}" for k, v in sorted(self.relations.items(), key=lambda kv: (-kv[1], kv[0]))))
        out.append(f"posts       {self.posts}  (who holds which post in which body: kg query posts)")
        out.append(f"metrics     {self.metrics}")
        out.append(f"triples     {self.triples:,}")
        out.append(f"seconds     {self.seconds:.2f} (extraction {self.extract_seconds:.2f})")
        for k, v in self.files.items():
            out.append(f"{k:<11} {v}")
        for path, why in self.problems:
            out.append(f"skipped     {path}: {why}")
        return out


class _Background:
    """Runs ``func`` in a thread; ``join`` waits and re-raises what it raised."""

    def __init__(self, func, *args):
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(func, args), daemon=True)
        self._thread.start()

    def _run(self, func, args):
        try:
            func(*args)
        except BaseException as e:  # handed to the caller by join(), not hidden
            self._error = e

    def join(self) -> None:
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error


def build(paths: Iterable[str | Path], out_dir: str | Path = "output", jobs: int | None = None,
          fresh: bool = False, html: bool = True, progress: bool | None = None) -> BuildReport:
    """Build the graph of ``paths`` into ``out_dir``: store/, graph.ttl, graph.html.

    The store keeps one named graph per document: building a document again
    replaces its graph, and documents built earlier into the same store stay (pass
    ``fresh`` to start empty). graph.ttl is the union of the whole store.
    """
    t0 = time.perf_counter()
    out = Path(out_dir)
    extractions, problems = extract_many(paths, jobs, progress, with_quads=True)
    t1 = time.perf_counter()
    if not extractions:
        why = "; ".join(f"{p}: {w}" for p, w in problems[:3]) or "no .txt/.md/.html/.htm files found"
        raise NothingToBuildError(f"nothing to build ({why})")
    out.mkdir(parents=True, exist_ok=True)
    store_dir = out / "store"
    if fresh and store_dir.exists():
        shutil.rmtree(store_dir)
    rep = BuildReport(problems=problems)
    store = graph.open_store(store_dir)
    was_empty = next(iter(store.named_graphs()), None) is None
    # The store loads in a thread (pyoxigraph releases the GIL) while the files are
    # written; into an empty store, the union is the documents just extracted.
    loader = _Background(graph.replace_documents, store, [(x.doc.id, data) for x, data in extractions])
    if was_empty:
        triples = graph.union_of_nquads(data for _, data in extractions)
    else:
        loader.join()
        triples = graph.union_triples(store)
    for x, _ in extractions:
        rep.documents += 1
        rep.sentences += len(x.sentences)
        rep.characters += len(x.doc.text)
        rep.relations.update(r.predicate for r in x.relations)
        rep.metrics += len(x.metrics)
        rep.posts += len({(r.subject, r.object, r.post) for r in x.relations if r.predicate == "memberOf" and r.post})
    rep.triples = len(triples)
    rep.entities = graph.entity_counts(triples)
    graph.write_turtle(triples, out / "graph.ttl")
    rep.files = {"store": str(store_dir), "turtle": str(out / "graph.ttl")}
    if html:
        from kg.view import write_html
        write_html(triples, out / "graph.html")
        rep.files["html"] = str(out / "graph.html")
    loader.join()
    store.flush()
    del store
    rep.extract_seconds = t1 - t0
    rep.seconds = time.perf_counter() - t0
    return rep
