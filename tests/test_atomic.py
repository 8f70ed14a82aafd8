"""A build completes or changes nothing: killed (kill -9) anywhere in the store
stage or the file writes, or stopped with Ctrl-C, it leaves every document in its
old or its new state, a graph.ttl that parses, and a rerun gives the clean build's
Turtle byte for byte; no worker outlives it; a running kg serve sees a completed
build without a restart. Every build runs through the real CLI."""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rdflib

from conftest import kg
from kg import faults
from helpers import documents_in
from test_store import write

HEAD = "黔东南州凯里市2024年工作总结\n"
OLD = {"a": HEAD + "凯里市委统战部开展“同心暖苗乡”活动。凯里市委统战部在大十字街道建设同心实践站。\n",
       "b": HEAD + "凯里市工商联举办“民企进村”活动。\n"}
NEW = {"a": HEAD + "凯里市委统战部举办“籽籽同心”宣讲活动，参加群众300余人。\n",
       "c": "毕节市七星关区2023年工作总结\n七星关区委组织部开展“红色引擎”工程。\n"}


def _env(**extra):
    return {**os.environ, "PYTHONIOENCODING": "utf-8", **extra}


def _cmd(*args) -> list[str]:
    return [sys.executable, "-m", "kg", *map(str, args)]


def state(out: Path) -> dict[str, frozenset]:
    """Each document's graph in the store under ``out``, as readers see it."""
    from kg.store import LocalStore
    if not (out / "store").exists() and not list(out.glob(".store.old-*")):
        return {}
    store = LocalStore(out / "store", create=False, read_only=True).ox
    return {g.rsplit("/", 1)[-1]: triples for g, triples in documents_in(store).items()}


@pytest.fixture(scope="module")
def before_after(tmp_path_factory):
    """The store and files after the first build (old), and after a clean second
    build that replaces a, adds c and keeps b (new); the inputs of the second."""
    root = tmp_path_factory.mktemp("atomic")
    first = write(root / "first", **OLD)
    second = write(root / "second", **NEW)
    old = root / "old"
    kg("build", first, "-o", old, "-q", "--jobs", "1")
    new = root / "new"
    shutil.copytree(old, new)
    kg("build", second, "-o", new, "-q", "--jobs", "1")
    return {"old": old, "new": new, "second": second,
            "states": (state(old), state(new)),
            "ttl": ((old / "graph.ttl").read_bytes(), (new / "graph.ttl").read_bytes()),
            "html": ((old / "graph.html").read_bytes(), (new / "graph.html").read_bytes())}


def check_old_or_new(out: Path, ba) -> None:
    old, new = ba["states"]
    now = state(out)
    for doc in set(old) | set(new):
        assert now.get(doc) in (old.get(doc), new.get(doc)), f"document {doc} is neither its old nor its new state"
    assert set(now) <= set(old) | set(new)
    ttl = (out / "graph.ttl").read_bytes()
    assert ttl in ba["ttl"]
    rdflib.Graph().parse(data=ttl.decode("utf-8"), format="turtle")
    assert (out / "graph.html").read_bytes() in ba["html"]


def rerun_is_clean(out: Path, ba) -> None:
    kg("build", ba["second"], "-o", out, "-q", "--jobs", "1")
    assert (out / "graph.ttl").read_bytes() == ba["ttl"][1]
    assert state(out) == ba["states"][1]
    assert not list(out.glob(".store.next-*")) and not list(out.glob(".store.old-*")) and not list(out.glob(".*.part"))


def test_the_second_build_changes_documents(before_after):
    old, new = before_after["states"]
    assert set(old) == {"a", "b"} and set(new) == {"a", "b", "c"} and old["a"] != new["a"] and old["b"] == new["b"]


@pytest.mark.parametrize("point", faults.POINTS)
def test_killed_at_any_point_leaves_old_or_new_and_a_rerun_is_clean(before_after, tmp_path, point):
    out = tmp_path / "out"
    shutil.copytree(before_after["old"], out)
    p = subprocess.run(_cmd("build", before_after["second"], "-o", out, "-q", "--jobs", "1"),
                       capture_output=True, text=True, env=_env(KG_CRASH_AT=point))
    assert p.returncode == -signal.SIGKILL, p.stderr
    check_old_or_new(out, before_after)
    rerun_is_clean(out, before_after)


@pytest.mark.parametrize("point", ["store", "store-done", "swap", "turtle-published"])
def test_a_fresh_build_killed_keeps_the_old_store(before_after, tmp_path, point):
    """--fresh starts an empty next version; the current one stays until the end."""
    out = tmp_path / "out"
    shutil.copytree(before_after["old"], out)
    only_c = write(tmp_path / "c", c=NEW["c"])
    p = subprocess.run(_cmd("build", only_c, "-o", out, "-q", "--jobs", "1", "--fresh"),
                       capture_output=True, text=True, env=_env(KG_CRASH_AT=point))
    assert p.returncode == -signal.SIGKILL
    now = state(out)
    assert now in (before_after["states"][0], {"c": before_after["states"][1]["c"]})
    rdflib.Graph().parse(out / "graph.ttl", format="turtle")


def _corpus(folder: Path, n: int) -> Path:
    """n distinct report-like documents."""
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"d{i:03d}.txt").write_text(
            f"遵义市汇川区2024年工作总结之{i}\n汇川区委统战部开展“同心{i}号”活动，参加群众{100 + i}人。\n"
            f"汇川区工商联在高坪街道建设第{i}个实践站。\n" * 20, encoding="utf-8")
    return folder


def _children(pid: int) -> set[int]:
    kids = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return kids


def _wait_for(cond, timeout=60.0, step=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return False


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads worker pids from /proc (Linux)")
@pytest.mark.parametrize("delay", [0.0, 0.15, 0.4, 0.8])
def test_kill_9_from_outside_during_the_store_stage(tmp_path, delay):
    """A real kill -9 at a moment of the store stage (the bulk loader running in
    Oxigraph included): nothing half-written, no worker left running."""
    docs = _corpus(tmp_path / "in", 60)
    out = tmp_path / "out"
    kg("build", docs / "d000.txt", docs / "d001.txt", "-o", out, "-q", "--jobs", "1")
    before = state(out)
    ttl = (out / "graph.ttl").read_bytes()
    p = subprocess.Popen(_cmd("build", docs, "-o", out, "-q", "--jobs", "2"), env=_env(),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert _wait_for(lambda: list(out.glob(".store.next-*")))
    workers = set()
    _wait_for(lambda: bool(workers.update(_children(p.pid)) or len(workers) >= 2), timeout=10)
    time.sleep(delay * random.uniform(0.8, 1.2))
    p.kill()
    p.wait()
    gone = _wait_for(lambda: not any(Path(f"/proc/{w}").exists() and "Z" not in _proc_state(w) for w in workers),
                     timeout=5)
    assert gone, "a worker outlived the killed build"
    now = state(out)
    assert now == before or len(now) == 60     # not finished: as it was; finished: every document
    assert (out / "graph.ttl").read_bytes() == ttl or now != before
    rdflib.Graph().parse(out / "graph.ttl", format="turtle")
    kg("build", docs, "-o", out, "-q", "--jobs", "2")
    assert len(state(out)) == 60 and not list(out.glob(".store.*-*"))


def _proc_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads worker pids from /proc (Linux)")
def test_ctrl_c_prints_one_line_exits_130_and_changes_nothing(tmp_path):
    # enough documents that the build is still streaming when the signal comes, even on
    # a busy machine (it is stopped there, so their number costs only their writing)
    docs = _corpus(tmp_path / "in", 400)
    out = tmp_path / "out"
    kg("build", docs / "d000.txt", "-o", out, "-q", "--jobs", "1")
    before, ttl = state(out), (out / "graph.ttl").read_bytes()
    p = subprocess.Popen(_cmd("build", docs, "-o", out, "--jobs", "2"), env=_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert _wait_for(lambda: list(out.glob(".store.next-*")))
    workers = set()
    assert _wait_for(lambda: bool(workers.update(_children(p.pid)) or len(workers) >= 2), timeout=10)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130
    lines = [x for x in err.splitlines() if x.startswith("kg:")]
    assert lines == ["kg: interrupted; nothing was changed (the store and files are as they were)"]
    assert "Traceback" not in err
    assert _wait_for(lambda: not any(Path(f"/proc/{w}").exists() and _proc_state(w) != "Z" for w in workers),
                     timeout=5)
    assert state(out) == before and (out / "graph.ttl").read_bytes() == ttl
    assert not list(out.glob(".store.next-*"))


def test_a_second_build_at_the_same_time_is_refused_in_one_line(tmp_path):
    import fcntl
    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".store.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("12345")
        held.flush()
        p = kg("build", write(tmp_path / "in", **OLD), "-o", out, "-q", check=False)
    assert p.returncode == 1
    assert p.stderr.strip().splitlines() == [
        f"kg: error: another kg build (pid 12345) is writing {out / 'store'}; wait for it to finish "
        "or build into another folder (-o)"]


def test_a_running_server_sees_a_completed_build_without_a_restart(before_after, tmp_path):
    import json
    import urllib.parse

    from services import KgServe as Server
    out = tmp_path / "out"
    shutil.copytree(before_after["old"], out)
    s = Server(out / "store", "--workers", "1")
    try:
        def documents():
            q = urllib.parse.urlencode({"query": "SELECT ?d WHERE { ?d a kg:SourceDocument }"})
            _, _, body = s.request(f"/sparql?{q}", headers={"Accept": "application/sparql-results+json"})
            return sorted(b["d"]["value"].rsplit("/", 1)[-1] for b in json.loads(body)["results"]["bindings"])
        assert documents() == ["a", "b"]
        page = s.request("/view")[2]
        kg("build", before_after["second"], "-o", out, "-q", "--jobs", "1")
        assert documents() == ["a", "b", "c"]
        assert s.request("/view")[2] != page and "七星关区委组织部" in s.request("/view")[2].decode("utf-8")
    finally:
        s.stop()
