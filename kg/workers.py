"""Worker processes on this machine: results as they finish, a few per worker in
flight, and however the consumer stops (an error, Ctrl-C, closing the stream, a
worker killed) no worker outlives it and nothing waits for ever."""
from __future__ import annotations

import itertools
import os
import signal
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from kg import children, memory
from kg.errors import ClusterError

# how often the consumer looks at its workers while no result comes, and how long a
# dead worker may go unnoticed by the executor before the consumer stops the pool
BEAT = 1.0
GRACE = 5.0

_DIED = "documents written so far are whole, build again to add the rest"


def results(func, items: list, jobs: int):
    """``func`` over ``items`` in ``jobs`` processes, results as they finish."""
    if jobs == 1 or len(items) <= 1:
        for n in items:
            yield func(n)
        return
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(items)), initializer=_start, initargs=(os.getpid(),))
    try:
        todo, running = iter(items), set()
        for n in itertools.islice(todo, jobs * 4):
            running.add(pool.submit(func, n))
        watch = _Watch(pool)
        while running:
            done, running = wait(running, timeout=BEAT, return_when=FIRST_COMPLETED)
            if not done:
                watch.check()
            for f in done:
                try:
                    yield f.result()
                except BrokenProcessPool as e:
                    raise ClusterError(f"a worker process died ({e}); {_DIED}") from e
                nxt = next(todo, None)
                if nxt is not None:
                    running.add(pool.submit(func, nxt))
    except BaseException:
        stop(pool)
        raise
    pool.shutdown(wait=True)


class _Watch:
    """The executor notices a dead worker by itself, unless it died halfway through
    sending a result (the OOM killer, kill -9): the executor's thread then waits for
    the rest of that message for ever, and the build would wait with it."""

    def __init__(self, pool: ProcessPoolExecutor):
        self.pool, self.since = pool, None

    def check(self) -> None:
        dead = [p.exitcode for p in _processes(self.pool) if p.exitcode is not None]
        if not dead:
            self.since = None
            return
        self.since = self.since or time.monotonic()
        if time.monotonic() - self.since >= GRACE:
            raise ClusterError(f"a worker process died (exit code {dead[0]}); {_DIED}")


def stop(pool: ProcessPoolExecutor) -> None:
    """End the workers now, not after the documents they are on (which could take
    the whole --doc-timeout). The executor has no public way before Python 3.14."""
    procs = _processes(pool)
    queue = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        p.kill()
    for p in procs:
        p.join(5)
    if queue is not None and not any(p.is_alive() for p in procs):
        # a worker killed while sending a result leaves half a message in the pipe:
        # the executor's thread waits for the rest, and the interpreter's exit for
        # that thread, for ever. This process holds the last writer (it never
        # writes there); closing it lets that read end.
        queue._writer.close()


def _processes(pool: ProcessPoolExecutor) -> list:
    # the executor's own table (no public one); its thread changes it meanwhile
    return list((getattr(pool, "_processes", None) or {}).values())


def _start(parent: int) -> None:
    """A worker leaves Ctrl-C to the build (which stops it) and ends when the build
    process is gone, however it went."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    children.end_with(parent)
    memory.return_freed_memory()     # a forked worker has it already; a spawned one does not
