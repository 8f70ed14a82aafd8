"""graph.ttl of a fresh build, joined from what the build loaded (kg.turtle): the
same triples as the store, the same bytes whatever order documents come in, and
the store's dump whenever the build did anything but add to an empty store."""
from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import kg
from kg import graph, turtle
from kg.errors import OutputError
from kg.pipeline import Writer, build
from kg.store import LocalStore, current

lines = st.lists(st.text(alphabet="ab<> \"\\é省", max_size=6).map(lambda t: (t + "\n").encode()), max_size=40)


@settings(max_examples=60, deadline=None)
@given(lines, st.integers(min_value=1, max_value=7), st.integers(min_value=2, max_value=4))
def test_external_sort_is_sorted_and_distinct(tmp_path_factory, xs, n, fan_in):
    folder = tmp_path_factory.mktemp("sort")
    src = folder / "in"
    src.write_bytes(b"".join(xs))
    assert list(turtle.sorted_lines(src, folder, n, fan_in)) == sorted(set(xs))
    assert len(list(folder.iterdir())) <= 1 + fan_in     # merged runs go as they are merged


@settings(max_examples=60, deadline=None)
@given(lines, st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=20))
def test_the_line_reader_gives_the_lines_bytes_whatever_is_asked(xs, sizes):
    r = io.BufferedReader(turtle._LineReader(xs), 4)
    got = b"".join(iter(lambda: r.read(sizes[len(xs) % len(sizes)]), b""))
    assert got == b"".join(xs)


E = "https://w3id.org/kgcn/id/"
K = "https://w3id.org/kgcn/ontology#"


def _nt(*triples) -> str:
    return "".join(f"{s} {p} {o} .\n" for s, p, o in triples)


def _doc(i: int) -> tuple[str, str, str]:
    """(graph IRI, shared lines, own lines) of a made-up document."""
    g = f"{E}doc/d{i}"
    body = f"<{E}org/丽江市委统战部>"
    shared = _nt((body, f"<{K}runs>", f"<{E}program/“同心{i}”>"), (body, f"<{K}confidence>", '"0.9"^^<http://www.w3.org/2001/XMLSchema#decimal>'))
    own = _nt((f"<{g}/sentence/0>", f"<{K}text>", f'"第{i}句：\\"引号\\"\\n换行"@zh'),
              (f"<{g}/sentence/0>", f"<{K}inDocument>", f"<{g}>"),
              (body, f"<{K}mentionedIn>", f"<{g}/sentence/0>"))
    return g, shared, own


def _triples(data: bytes) -> set:
    return set(ox.parse(data, ox.RdfFormat.TURTLE))


def test_a_chunk_under_the_header_is_the_documents_own_statements():
    g, _, own = _doc(1)
    chunk = graph.turtle_chunk(own)
    assert not chunk.startswith(b"@prefix")
    assert _triples(graph.turtle_header() + chunk) == set(ox.parse(own.encode(), ox.RdfFormat.N_TRIPLES))
    assert graph.turtle_chunk("") == b""
    # a line separator of Unicode's own is text inside a literal, not the end of a line
    odd = _nt((f"<{E}doc/x/sentence/1>", f"<{K}text>", '"甲\u2028乙\u0085丙"@zh'), (f"<{E}doc/x/sentence/1>", f"<{K}start>", '"3"'))
    assert _triples(graph.turtle_header() + graph.turtle_chunk(odd)) == set(ox.parse(odd.encode(), ox.RdfFormat.N_TRIPLES))


def _spooled(folder: Path, order: list[int], again: int | None = None) -> bytes:
    """graph.ttl joined from the documents ``order`` names, in that order; with
    ``again``, each also repeats that document's shared lines (as a writer does
    once its memory of what it gave the store is full)."""
    folder.mkdir()
    spool = turtle.Spool(folder)
    for i in order:
        g, shared, own = _doc(i)
        spool.add(g, (shared + (_doc(again)[1] if again is not None else "")).encode(), graph.turtle_chunk(own))
    spool.close()
    dest = folder / "graph.ttl"
    turtle.assemble(spool.parts, dest)
    spool.remove()
    assert sorted(p.name for p in folder.iterdir()) == ["graph.ttl"]     # nothing of the spool is left
    return dest.read_bytes()


def test_the_joined_file_is_every_statement_once_in_an_order_of_the_documents_alone(tmp_path):
    docs = list(range(12))
    want = set()
    for i in docs:
        _, shared, own = _doc(i)
        want |= set(ox.parse((shared + own).encode(), ox.RdfFormat.N_TRIPLES))
    first = _spooled(tmp_path / "a", docs)
    shuffled = docs[:]
    random.Random(7).shuffle(shuffled)
    assert _spooled(tmp_path / "b", shuffled, again=3) == first
    assert _triples(first) == want
    assert first.count(b"@prefix kg:") == 1


def test_a_failed_join_is_one_clean_error(tmp_path):
    spool = turtle.Spool(tmp_path)
    spool.add(f"{E}doc/x", b"<not an iri .\n", b"")
    job = turtle.TurtleJob(spool, tmp_path / ".graph.ttl.part")
    with pytest.raises(OutputError, match=r"^cannot write graph.ttl: SyntaxError: .+") as e:
        job.wait()
    assert "\n" not in str(e.value)
    spool.remove()
    assert not any(p.name.startswith(".graph.ttl.") and p.name != ".graph.ttl.part" for p in tmp_path.iterdir())


def _two(folder: Path) -> Path:
    folder.mkdir()
    (folder / "a.txt").write_text("大理州2024年工作总结\n大理市委统战部开展“苍洱同心”活动。\n", encoding="utf-8")
    (folder / "b.txt").write_text("楚雄州2024年工作总结\n楚雄市工商联举办“彝乡民企行”活动。\n", encoding="utf-8")
    return folder


def _store_triples(out: Path) -> set:
    return set(LocalStore(current(out / "store"), create=False, read_only=True).default_triples())


def test_a_fresh_build_joins_its_spool_and_holds_the_stores_triples(tmp_path):
    docs = _two(tmp_path / "in")
    build([docs], tmp_path / "o", jobs=1, html=False, progress=False)
    ttl = (tmp_path / "o" / "graph.ttl").read_bytes()
    assert {q.triple for q in ox.parse(ttl, ox.RdfFormat.TURTLE)} == _store_triples(tmp_path / "o")
    # joined, not dumped: the shared statements first, then each document's own
    assert ttl.index("“苍洱同心”".encode()) < ttl.index("sentence".encode())


def test_a_build_that_fails_while_its_last_documents_load_ends_the_join_it_started(tmp_path, monkeypatch):
    """The join starts when the last document has come, before the store has loaded
    it; a failure then ends the join and leaves no file of it behind."""
    from kg.errors import StoreError
    docs = _two(tmp_path / "in")
    started = []
    real_init = turtle.TurtleJob.__init__

    def init(self, *a):
        real_init(self, *a)
        started.append(self)

    def finish(self):
        raise StoreError("the disk went away")
    monkeypatch.setattr(turtle.TurtleJob, "__init__", init)
    monkeypatch.setattr(Writer, "finish", finish)
    with pytest.raises(StoreError, match="the disk went away"):
        build([docs], tmp_path / "o", jobs=1, html=False, progress=False)
    assert len(started) == 1 and started[0]._proc.poll() is not None
    assert not list((tmp_path / "o").glob(".graph.ttl*")) and not (tmp_path / "o" / "graph.ttl").exists()


def test_a_build_into_a_store_with_documents_dumps_the_store(tmp_path):
    docs = _two(tmp_path / "in")
    build([docs / "a.txt"], tmp_path / "o", jobs=1, html=False, progress=False)
    build([docs / "b.txt"], tmp_path / "o", jobs=1, html=False, progress=False)
    ttl = tmp_path / "o" / "graph.ttl"
    assert {q.triple for q in ox.parse(path=str(ttl))} == _store_triples(tmp_path / "o")
    assert "苍洱同心" in ttl.read_text(encoding="utf-8") and "彝乡民企行" in ttl.read_text(encoding="utf-8")


def test_the_writer_drops_the_spool_when_the_build_is_more_than_adding_to_an_empty_store(tmp_path):
    docs = _two(tmp_path / "in")
    build([docs / "a.txt"], tmp_path / "o", jobs=1, html=False, progress=False, files=False)
    held = LocalStore(current(tmp_path / "o" / "store"))
    spool = turtle.Spool(tmp_path)
    Writer(held, spool).close()
    assert not spool.valid and not list(tmp_path.glob(".graph.ttl.*"))
    held.close()
    from kg.pipeline import graph_of_file
    empty = LocalStore(tmp_path / "empty")
    d = graph_of_file(str(docs / "b.txt"))          # a worker not asked for Turtle
    spool = turtle.Spool(tmp_path)
    w = Writer(empty, spool)
    w.put(d)
    w.finish()
    w.close()
    assert not spool.valid and not list(tmp_path.glob(".graph.ttl.*"))


def test_what_a_killed_build_left_of_a_spool_goes_with_the_next_build(tmp_path):
    docs = _two(tmp_path / "in")
    out = tmp_path / "o"
    build([docs / "a.txt"], out, jobs=1, html=False, progress=False)
    for k in turtle.PARTS:
        (out / f".graph.ttl.{k}.part").write_bytes(b"left")
    turtle.sorting(out, 12345).mkdir()
    build([docs / "b.txt"], out, jobs=1, html=False, progress=False)     # not fresh: no spool of its own
    assert not list(out.glob(".graph.ttl.*"))


def test_a_join_killed_fails_the_build_in_one_line_and_changes_nothing(tmp_path):
    docs = _two(tmp_path / "in")
    out = tmp_path / "o"
    kg("build", docs / "a.txt", "-o", out, "-q")
    ttl = (out / "graph.ttl").read_bytes()
    p = subprocess.run([sys.executable, "-m", "kg", "build", str(docs), "-o", str(out), "-q", "--fresh"],
                       capture_output=True, text=True, env={**os.environ, "KG_CRASH_AT": "turtle-joining"})
    assert p.returncode == 1
    assert p.stderr.strip().splitlines() == ["kg: error: cannot write graph.ttl: its writer process was killed (signal 9)"]
    assert (out / "graph.ttl").read_bytes() == ttl
    assert {g.rsplit("/", 1)[-1].split("_")[0] for g in LocalStore(current(out / "store"), create=False,
                                                                      read_only=True).documents()} == {"a"}
    assert not list(out.glob(".*.part")) and not list(out.glob(".store.next-*"))


def test_a_refused_build_leaves_the_running_builds_spool_alone(tmp_path):
    import fcntl
    out = tmp_path / "o"
    out.mkdir()
    for k in turtle.PARTS:
        (out / f".graph.ttl.{k}.part").write_bytes(b"the running build's")
    with open(out / ".store.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write(str(os.getpid()))
        held.flush()
        p = kg("build", _two(tmp_path / "in"), "-o", out, "-q", "--fresh", check=False)
    assert p.returncode == 1 and "another kg build" in p.stderr
    assert all((out / f".graph.ttl.{k}.part").read_bytes() == b"the running build's" for k in turtle.PARTS)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc (Linux)")
def test_a_child_of_the_build_ends_when_the_build_is_killed(tmp_path):
    """The join (and every worker) ends with the build, kill -9 included: left
    running, it would write into the next build's files."""
    parent = subprocess.Popen([sys.executable, "-c", (
        "import subprocess, sys, os, time\n"
        "c = subprocess.Popen([sys.executable, '-c', 'import sys, time; from kg.children import end_with; "
        "end_with(int(sys.argv[1])); print(1, flush=True); time.sleep(60)', str(os.getpid())], stdout=subprocess.PIPE)\n"
        "c.stdout.readline()\nprint(c.pid, flush=True)\ntime.sleep(60)\n")], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
