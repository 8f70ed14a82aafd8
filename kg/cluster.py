"""Stages 1–6 on a Dask distributed cluster (``kg build --scheduler tcp://HOST:PORT``).

The process that runs ``kg build`` reads each file and sends its bytes, so
workers need kg installed but no shared file system. A few tasks per worker
thread are in flight at a time, and results come back as they finish to the one
writer (kg.pipeline), so neither side holds the corpus. A worker that dies has its
tasks run again elsewhere by the scheduler; if no worker is left for
``NO_WORKERS_GRACE`` seconds, the build stops with a ClusterError and the store
holds whole documents only.
"""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from kg.errors import ClusterError
from kg.model import InputFile

NO_WORKERS_GRACE = 60.0   # seconds without any worker before the build gives up
QUIET = 5.0               # seconds without a result before the workers are counted
CONNECT_TIMEOUT = 15.0


def connect(scheduler: str):
    """A client of the scheduler with at least one worker, or a ClusterError."""
    try:
        from distributed import Client
    except ImportError as e:
        raise ClusterError("kg build --scheduler needs Dask: pip install 'dask[distributed]'") from e
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {e}") from e
    try:
        client.wait_for_workers(1, timeout=NO_WORKERS_GRACE)
    except (OSError, TimeoutError) as e:
        client.close()
        raise ClusterError(f"the Dask scheduler at {scheduler} has no workers") from e
    return client


def _workers(client, scheduler: str) -> dict:
    try:
        return client.scheduler_info()["workers"]
    except (OSError, TimeoutError) as e:
        raise ClusterError(f"lost the Dask scheduler at {scheduler}: {e}; documents written so far are whole, "
                           "build again to add the rest") from e


def _submit(client, src: InputFile, as_turtle: bool = False):
    """The task for one file, or (path, reason) when this process cannot read it."""
    from kg.pipeline import graph_of_file
    try:
        data = Path(src.path).read_bytes()
    except OSError as e:
        return (src.path, f"cannot read ({e.strerror or e})")
    key = "kg-" + hashlib.sha1(os.fsencode(src.path) + os.fsencode(src.id) + data + bytes([as_turtle])).hexdigest()[:20]
    return client.submit(graph_of_file, src, data, as_turtle=as_turtle, key=key, pure=False)


class _Work:
    """The files still to send and the tasks in flight, ``window`` at most."""

    def __init__(self, client, names: list[InputFile], window: int, as_turtle: bool = False):
        from distributed import as_completed
        self.client, self.todo, self.window, self.as_turtle = client, iter(names), window, as_turtle
        self.finished = as_completed(loop=client.loop)
        self.names: dict = {}          # task -> file

    def fill(self) -> list[tuple[str, str]]:
        """Send files until ``window`` tasks are in flight; the files that could not
        be read come back as problems (and do not count against the window)."""
        problems = []
        while len(self.names) < self.window:
            name = next(self.todo, None)
            if name is None:
                break
            f = _submit(self.client, name, self.as_turtle)
            if isinstance(f, tuple):
                problems.append(f)
            else:
                self.names[f] = name.path
                self.finished.add(f)
        return problems


def document_graphs(names: list[InputFile], client, scheduler: str, as_turtle: bool = False) -> Iterator:
    """Each file's DocumentGraph (or (path, reason)) as the cluster finishes it,
    with its own statements as Turtle if ``as_turtle``. Closes ``client`` when done
    or closed."""
    try:
        work = _Work(client, names, 4 * max(1, sum(w.get("nthreads", 1)
                                                   for w in _workers(client, scheduler).values())), as_turtle)
        yield from work.fill()
        quiet_since, alone_since = time.monotonic(), None
        while work.names:
            batch = work.finished.next_batch(block=False)
            if not batch:
                time.sleep(0.02)
                if time.monotonic() - quiet_since > QUIET:
                    alone_since = _check_workers(client, scheduler, alone_since, len(work.names))
                    quiet_since = time.monotonic()
                continue
            quiet_since, alone_since = time.monotonic(), None
            for f in batch:
                yield _result(f, work.names.pop(f), client, scheduler)
                f.release()
            yield from work.fill()
    finally:
        client.close()


def _result(f, name: str, client, scheduler: str):
    """The task's result. Its data lives on the worker that made it: a worker that
    dies between finishing and handing it over makes the task run again, so wait
    for that as for any other work, within the same grace. A document that failed
    on the cluster (its task raised, or killed the workers that ran it) is a
    problem of that document, not of the build."""
    alone_since = None
    while True:
        try:
            return f.result(timeout=QUIET)
        except TimeoutError:
            alone_since = _check_workers(client, scheduler, alone_since, 1)
        except Exception as e:   # the task's own error or KilledWorker: reported with the document
            return (name, f"failed on the cluster ({type(e).__name__}: {e})")


def _check_workers(client, scheduler: str, since: float | None, waiting: int) -> float | None:
    if _workers(client, scheduler):
        return None
    now = time.monotonic()
    if since is None:
        return now
    if now - since > NO_WORKERS_GRACE:
        raise ClusterError(f"no Dask workers at {scheduler} for {NO_WORKERS_GRACE:.0f} s with {waiting} "
                           "documents left; documents written so far are whole, build again to add the rest")
    return since
