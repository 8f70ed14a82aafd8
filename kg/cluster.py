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
import itertools
import time
from collections.abc import Iterator
from pathlib import Path

from kg.errors import ClusterError

NO_WORKERS_GRACE = 60.0   # seconds without any worker before the build gives up
QUIET = 5.0               # seconds without a result before the workers are counted
CONNECT_TIMEOUT = 15.0


def _client(scheduler: str):
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
    except TimeoutError as e:
        client.close()
        raise ClusterError(f"the Dask scheduler at {scheduler} has no workers") from e
    return client


def _threads(client) -> int:
    return max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))


def _submit(client, name: str):
    """The task for one file, or (path, reason) when this process cannot read it."""
    from kg.pipeline import graph_of_file
    try:
        data = Path(name).read_bytes()
    except OSError as e:
        return (name, f"cannot read ({e.strerror or e})")
    key = "kg-" + hashlib.sha1(name.encode() + data).hexdigest()[:20]
    return client.submit(graph_of_file, name, data, key=key, pure=False, retries=1)


def document_graphs(names: list[str], scheduler: str) -> Iterator:
    """Each file's DocumentGraph (or (path, reason)) as the cluster finishes it."""
    from distributed import as_completed
    client = _client(scheduler)
    try:
        todo = iter(names)
        finished = as_completed(loop=client.loop)
        window = 4 * _threads(client)
        for name in itertools.islice(todo, window):
            yield from _start(_submit(client, name), finished)
        quiet_since, alone_since = time.monotonic(), None
        while not finished.is_empty():
            batch = finished.next_batch(block=False)
            if not batch:
                time.sleep(0.02)
                if time.monotonic() - quiet_since > QUIET:
                    alone_since = _check_workers(client, scheduler, alone_since, finished.count())
                    quiet_since = time.monotonic()
                continue
            quiet_since, alone_since = time.monotonic(), None
            for f in batch:
                yield _result(f, client, scheduler)
                f.release()
                nxt = next(todo, None)
                if nxt is not None:
                    yield from _start(_submit(client, nxt), finished)
    finally:
        client.close()


def _start(f, finished):
    if isinstance(f, tuple):
        yield f
    else:
        finished.add(f)


def _result(f, client, scheduler: str):
    """The task's result. Its data lives on the worker that made it: a worker that
    dies between finishing and handing it over makes the task run again, so wait
    for that as for any other work, within the same grace."""
    alone_since = None
    while True:
        try:
            return f.result(timeout=QUIET)
        except TimeoutError:
            alone_since = _check_workers(client, scheduler, alone_since, 1)
        except Exception as e:   # a task's own error, or KilledWorker: named, never hidden
            raise ClusterError(f"the cluster could not build a document ({type(e).__name__}: {e}); "
                               "documents written so far are whole, build again to add the rest") from e


def _check_workers(client, scheduler: str, since: float | None, waiting: int) -> float | None:
    if client.scheduler_info()["workers"]:
        return None
    now = time.monotonic()
    if since is None:
        return now
    if now - since > NO_WORKERS_GRACE:
        raise ClusterError(f"no Dask workers at {scheduler} for {NO_WORKERS_GRACE:.0f} s with {waiting} "
                           "documents left; documents written so far are whole, build again to add the rest")
    return since
