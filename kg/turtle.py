"""graph.ttl of a fresh build, made of what the build loaded rather than read
back from the store.

Reading the store back costs about what loading it did (Oxigraph decodes every
term of every triple), after the last document, on the build's critical path.
But a fresh build's default graph is exactly its documents' own statements (no
two documents share one: they name the document's own nodes) and the distinct
shared ones (entities, relations). So a worker writes its document's own
statements as a Turtle chunk, the writer spools the chunks and the shared lines
it gives the store, and at the end a child process writes graph.ttl: the prefix
lines, the shared statements sorted and each once, then the chunks in the order
of their documents' IRIs. The bytes depend on the documents alone, not on the
order workers finished in. A build into a store that held documents dumps the
store instead (the same triples, in the store's order).

The child runs beside the page the build draws meanwhile (its work is Python's,
which would otherwise queue for the build's GIL); it sorts externally, in runs,
so its memory stays flat however large the graph.
"""
from __future__ import annotations

import heapq
import io
import os
import shutil
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Iterable, Iterator

from kg.errors import OutputError

RUN_LINES = 200_000     # lines sorted in memory at a time (about 120 MB of the child's memory)
FAN_IN = 64             # runs merged at a time: files open at once stay few, however many runs
PARTS = ("shared", "chunks", "index")


def _chunks(path: Path, n: int) -> Iterator[list[bytes]]:
    chunk: list[bytes] = []
    with open(path, "rb") as f:
        for line in f:
            chunk.append(line)
            if len(chunk) >= n:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def sorted_lines(path: Path, folder: Path, n: int = RUN_LINES, fan_in: int = FAN_IN) -> Iterator[bytes]:
    """The lines of ``path`` sorted, each once: runs of at most ``n`` lines sorted
    in memory and written to ``folder``, then merged, ``fan_in`` runs at a time."""
    runs = []
    for i, chunk in enumerate(_chunks(path, n)):
        runs.append(folder / f"{path.name}.{i:05d}")
        with open(runs[-1], "wb") as f:
            f.writelines(sorted(set(chunk)))
    level = 0
    while len(runs) > fan_in:
        level += 1
        merged = []
        for k in range(0, len(runs), fan_in):
            merged.append(folder / f"{path.name}.{level}-{k // fan_in:05d}")
            with open(merged[-1], "wb") as f:
                f.writelines(_merge(runs[k:k + fan_in]))
            for r in runs[k:k + fan_in]:
                r.unlink()
        runs = merged
    yield from _merge(runs)


def _merge(runs: list[Path]) -> Iterator[bytes]:
    with ExitStack() as files:
        last = None
        for line in heapq.merge(*(files.enter_context(open(r, "rb")) for r in runs)):
            if line != last:
                yield line
                last = line


class _LineReader(io.RawIOBase):
    """A byte stream over an iterator of lines, for the parser to read."""

    def __init__(self, lines: Iterable[bytes]):
        self._lines, self._rest = iter(lines), b""

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        view, n = memoryview(buf).cast("B"), 0
        while n < len(view):
            if not self._rest:
                self._rest = next(self._lines, b"")
                if not self._rest:
                    break
            k = min(len(view) - n, len(self._rest))
            view[n:n + k] = self._rest[:k]
            self._rest, n = self._rest[k:], n + k
        return n


def assemble(parts: dict[str, Path], dest: Path) -> None:
    """graph.ttl in ``dest`` from a spool's parts (see the module's docstring)."""
    tmp = sorting(dest.parent, os.getpid())
    tmp.mkdir(exist_ok=True)
    dest.unlink(missing_ok=True)    # a new file: whatever else has the old one open writes there, not here
    try:
        with open(dest, "wb") as out:
            _write(parts, out, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write(parts: dict[str, Path], out, tmp: Path) -> None:
    import pyoxigraph as ox

    from kg.graph import PREFIXES, turtle_header
    shared = io.BufferedReader(_LineReader(sorted_lines(parts["shared"], tmp)), 1 << 20)
    # lenient: the spool holds the graph stage's own lines (IRIs made by NamedNode)
    ox.serialize((q.triple for q in ox.parse(shared, ox.RdfFormat.N_TRIPLES, lenient=True)), out,
                 ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    if out.tell() == 0:
        out.write(turtle_header())
    with open(parts["chunks"], "rb") as chunks:
        for line in sorted_lines(parts["index"], tmp):
            _, offset, size = line.split()
            chunks.seek(int(offset))
            out.write(chunks.read(int(size)))


class Spool:
    """What a fresh build gives the default graph, kept as it goes: the shared
    lines, each document's Turtle chunk, and an index of the chunks. It stops
    (``valid`` false, its files gone) when the build does anything else, such as
    replacing a document, and graph.ttl then comes from the store."""

    def __init__(self, folder: Path):
        self.parts = {k: folder / f".graph.ttl.{k}.part" for k in PARTS}
        self._files = {k: open(p, "wb") for k, p in self.parts.items()}
        self._offset = 0
        self.valid = True

    def add(self, graph: str, shared: bytes, chunk: bytes) -> None:
        if not self.valid:
            return
        self._files["shared"].write(shared)
        self._files["chunks"].write(chunk)
        self._files["index"].write(f"{graph} {self._offset} {len(chunk)}\n".encode())
        self._offset += len(chunk)

    def close(self) -> None:
        for f in self._files.values():
            f.close()

    def void(self) -> None:
        self.valid = False
        self.remove()

    def remove(self) -> None:
        self.close()
        clear(self.parts["shared"].parent)


def sorting(folder: Path, pid: int) -> Path:
    """Where the child ``pid`` keeps its sorted runs."""
    return folder / f".graph.ttl.sort.{pid}.part"


def clear(folder: Path) -> None:
    """What a stopped build (or its child) left of a spool."""
    for k in PARTS:
        (folder / f".graph.ttl.{k}.part").unlink(missing_ok=True)
    for tmp in folder.glob(".graph.ttl.sort.*.part"):
        shutil.rmtree(tmp, ignore_errors=True)


class TurtleJob:
    """``assemble`` in a child process: started at once; ``wait`` raises
    OutputError if it failed; ``stop`` ends it."""

    def __init__(self, spool: Spool, dest: Path):
        spool.close()
        self.dest = dest
        cmd = [sys.executable, "-m", "kg.turtle", str(os.getpid()), str(dest), *(str(spool.parts[k]) for k in PARTS)]
        self._proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def wait(self) -> None:
        _, err = self._proc.communicate()
        rc = self._proc.returncode
        if rc:
            lines = err.decode("utf-8", "replace").strip().splitlines()
            why = lines[-1] if lines else (f"its writer process was killed (signal {-rc})" if rc < 0
                                           else f"its writer process ended with status {rc}")
            raise OutputError(f"cannot write graph.ttl: {why}")

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.communicate()


def main(argv: list[str]) -> None:
    from kg import children, faults
    parent, dest, *parts = argv
    children.end_with(int(parent))      # a join that outlived its build would write into the next one's
    faults.point("turtle-joining")
    assemble(dict(zip(PARTS, map(Path, parts))), Path(dest))


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (OSError, SyntaxError, ValueError) as e:     # pyoxigraph's parser raises SyntaxError
        sys.exit(f"{type(e).__name__}: {e}")
