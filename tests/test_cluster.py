"""kg build on a real Dask cluster on 127.0.0.1: a scheduler and two worker
processes. The distributed build gives the same graph as the local one, and a
worker killed mid-build loses nothing."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from conftest import kg
from kg import cluster, ingest
from kg.errors import ClusterError
from kg.pipeline import build, sample_corpus
from kg.store import STAGING, LocalStore
from helpers import documents_in
from services import dask_cluster

HEAD = "{place}2023年工作总结\n"
BODY = ("{area}委统战部开展“同心{n}号”活动。{area}委统战部在{street}建设同心实践基地。\n"
        "{street}党工委举办“邻里节”，{n}个社区参加。\n")
PLACES = [("黔东南州凯里市", "凯里市", "大十字街道"), ("遵义市汇川区", "汇川区", "上海路街道"),
          ("曲靖市麒麟区", "麒麟区", "南宁街道"), ("玉溪市红塔区", "红塔区", "玉兴街道"),
          ("锡林郭勒盟锡林浩特市", "锡林浩特市", "宝力根街道"), ("鄂尔多斯市东胜区", "东胜区", "交通街道")]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    for i, (place, area, street) in enumerate(PLACES * 2):
        (d / f"n{i:02d}.txt").write_text(HEAD.format(place=place) + BODY.format(area=area, street=street, n=i),
                                         encoding="utf-8")
    for f in sample_corpus().glob("*.txt"):
        (d / f.name).write_bytes(f.read_bytes())
    return d


@pytest.fixture(scope="module")
def local(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    kg("build", corpus, "-o", out, "--jobs", "1", "-q")
    return {q.triple for q in ox.parse(path=str(out / "graph.ttl"), format=ox.RdfFormat.TURTLE)}


def turtle(out):
    return {q.triple for q in ox.parse(path=str(out / "graph.ttl"), format=ox.RdfFormat.TURTLE)}


def test_the_cluster_builds_the_same_graph(corpus, local, tmp_path):
    with dask_cluster(2) as c:
        p = kg("build", corpus, "-o", tmp_path / "o", "--scheduler", c.address)
    assert f"documents   {len(list(corpus.glob('*.txt')))} " in p.stdout
    assert turtle(tmp_path / "o") == local


def test_a_worker_killed_mid_build_loses_nothing(corpus, local, tmp_path):
    import os
    import signal

    from distributed import Client
    killed = []
    with dask_cluster(2) as c, Client(c.address, set_as_default=False) as watcher:
        def kill_the_busiest(d):
            if killed:
                return
            busy = {a: t for a, t in watcher.processing().items() if t}
            if busy:
                addr = max(busy, key=lambda a: len(busy[a]))
                killed.append(len(busy[addr]))
                os.kill(watcher.run(os.getpid, workers=[addr])[addr], signal.SIGKILL)
        rep = build([corpus], tmp_path / "o", scheduler=c.address, progress=False, on_document=kill_the_busiest)
    assert killed and killed[0] >= 1                 # the worker killed had documents in hand
    assert rep.documents == len(list(corpus.glob("*.txt"))) and not rep.problems
    assert turtle(tmp_path / "o") == local


def test_files_this_process_cannot_read_are_reported_and_the_rest_built(corpus, tmp_path):
    names = [ingest.input_file(tmp_path / f"gone{i}.txt") for i in range(12)] + \
        [ingest.input_file(f) for f in sorted(corpus.glob("n0*.txt"))]
    with dask_cluster(1) as c:
        got = list(cluster.document_graphs(names, cluster.connect(c.address), c.address))
    problems = [g for g in got if isinstance(g, tuple)]
    built = [g for g in got if not isinstance(g, tuple)]
    assert len(problems) == 12 and all("cannot read" in why for _, why in problems)
    assert sorted(d.doc_id for d in built) == sorted(f.stem for f in corpus.glob("n0*.txt"))


def test_losing_every_worker_stops_cleanly_with_whole_documents(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "NO_WORKERS_GRACE", 2.0)
    monkeypatch.setattr(cluster, "QUIET", 0.5)
    with dask_cluster(2) as c:
        done = []

        def kill_all(d):
            done.append(d.doc_id)
            if len(done) == 1:
                for w in c.workers:
                    w.kill()
        with pytest.raises(ClusterError, match="no Dask workers"):
            build([corpus], tmp_path / "o", scheduler=c.address, progress=False, on_document=kill_all)
    store = LocalStore(tmp_path / "o" / "store", create=False, read_only=True).ox
    graphs = [g for g in store.named_graphs() if not g.value.endswith(STAGING)]
    assert 1 <= len(graphs) < 17
    documents_in(store)     # each document whole: named graph, own statements, index


def test_an_unreachable_scheduler_is_a_one_line_error(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(HEAD.format(place="凯里市") + "凯里市委统战部开展活动。\n", encoding="utf-8")
    p = kg("build", tmp_path / "a.txt", "-o", tmp_path / "o", "--scheduler", "tcp://127.0.0.1:9", check=False)
    assert p.returncode == 1 and "cannot reach the Dask scheduler" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
