"""Build speed against jieba.posseg over the same text, in one run.

    python bench/bench_build.py [--chars 2000000] [--jobs N] [--repeat R] [--one-document] [--no-stages]

Replicates the bundled sample corpus (as separate documents) up to --chars
characters, then times: jieba.posseg over all of it (one process, the baseline,
its dictionary loaded beforehand), extraction alone (stages 1-6 up to each
document's N-Quads, as the build runs them) and the whole build (store, Turtle
and HTML included). Each kg figure is a whole process, started
fresh and timed from outside, so start-up counts and a warm process is never
compared with cold workers (modules are compiled beforehand, as installed ones
are); with --jobs above 1, extraction with one job is timed the same way for
the scaling. With --repeat, the baseline and the kg runs are
repeated in rounds, each kg run beside its own baseline (a shared machine's speed
drifts by a quarter within minutes), and medians are printed. Last, where the
time goes: each stage timed in one process over the same corpus, against what 10x
jieba.posseg would leave.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGES = ("ingest+normalize", "segment", "extract", "resolve", "quads")


def _make_corpus(corpus: Path, chars: int, one_document: bool) -> tuple[int, int]:
    from kg.pipeline import sample_corpus
    src = sorted(sample_corpus().glob("*.txt"))
    texts = [f.read_text(encoding="utf-8") for f in src]
    total, i, parts = 0, 0, []
    while total < chars:
        t = texts[i % len(texts)]
        if one_document:
            parts.append(t)
        else:
            # a last line of i spaces, which normalization drops: no copy has the bytes
            # of another, so the build (which builds equal bytes once) builds them all
            (corpus / f"{i:05d}_{src[i % len(src)].name}").write_text(t + "\n" + " " * i, encoding="utf-8")
        total += len(t)
        i += 1
    if one_document:
        (corpus / "one.txt").write_text("\n".join(parts), encoding="utf-8")
        return 1, len("\n".join(parts))
    return i, total


_cpu = [0.0]   # CPU seconds of the last child and its workers
_env: dict[str, str] = dict(os.environ)


def _bytecode(cache: Path) -> None:
    """Children read compiled modules, as an installed kg (pip compiles them) or
    any second run does: where PYTHONDONTWRITEBYTECODE is set (this machine), each
    process would otherwise compile kg's 35 modules, 0.1 s a worker. They are
    compiled once, by an untimed build of one line, into a cache of the benchmark's own."""
    _env.pop("PYTHONDONTWRITEBYTECODE", None)
    _env["PYTHONPYCACHEPREFIX"] = str(cache / "pyc")
    (cache / "in").mkdir(parents=True)
    (cache / "in" / "one.txt").write_text("某市委统战部开展“同心”活动。\n", encoding="utf-8")
    _child(_build_code(cache / "in", cache / "out", 1))


def _child(code: str, *args: str) -> tuple[float, str]:
    """Wall time of a fresh interpreter running ``code`` (or a script and ``args``),
    and what it printed; its CPU time (workers included) goes to ``_cpu``, which shows
    what the wall time hides on a machine busy with other work."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, *((code, *args) if args else ("-c", code))], capture_output=True, text=True,
                         env=_env)
    took = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    _cpu[0] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if out.returncode:
        sys.exit(f"benchmark child failed:\n{out.stderr}")
    return took, out.stdout.strip()


def _extract_code(corpus: Path, jobs: int, docs: int) -> str:
    """Stages 1-6 as the build runs them: each worker hands back its documents'
    N-Quads (not the extraction objects, which cost the main process more to
    unpickle than the workers save)."""
    return ("from kg.pipeline import document_graphs\n"
            f"stream, problems = document_graphs([{str(corpus)!r}], jobs={jobs})\n"
            "xs = list(stream)\n"
            f"assert not problems and len(xs) == {docs}, problems\n")


def _build_code(corpus: Path, out: Path, jobs: int) -> str:
    return ("from kg.pipeline import build\n"
            f"rep = build([{str(corpus)!r}], {str(out)!r}, jobs={jobs}, progress=False)\n"
            "print(rep.triples)\n")


def stage_times(corpus: str) -> dict:
    """Seconds of each stage over ``corpus`` in this process (run in a fresh one):
    start-up is the imports and the first document's extra cost over an average
    one (dictionaries, gazetteer, compiled patterns)."""
    t0 = time.perf_counter()
    from kg import graph, ingest
    from kg.extract import run
    from kg.normalize import normalize, split_sentences
    from kg.resolve import resolve
    from kg.segment import segment
    imports = time.perf_counter() - t0
    quads = getattr(graph, "document_graph", None) or getattr(graph, "nquads")
    steps = [lambda p: ingest.read(p), lambda raw: (lambda d: (d, split_sentences(d)))(normalize(raw)),
             lambda ds: (ds, segment(ds[0].text)), lambda dst: run(dst[0][0], dst[0][1], dst[1]), resolve, quads]
    files = sorted(str(p) for p in Path(corpus).iterdir())
    each = []
    for f in files:
        x, ts = f, []
        for step in steps:
            t = time.perf_counter()
            x = step(x)
            ts.append(time.perf_counter() - t)
        each.append([ts[0] + ts[1]] + ts[2:])
    first = each[0]
    rest = [sum(col) for col in zip(*each[1:])] if len(each) > 1 else first
    mean = [v / max(1, len(each) - 1) for v in rest]
    totals = [r + m for r, m in zip(rest, mean)]   # the first document at an average document's cost
    return {"start-up": imports + sum(first) - sum(mean), **dict(zip(STAGES, totals))}


def _print_stages(stages: dict, total_chars: int, base: float, jobs: int) -> None:
    work = sum(v for k, v in stages.items() if k != "start-up")
    print("\nwhere the time goes (one process, 1 job; x = jieba.posseg's time over the stage's)")
    for k, v in stages.items():
        speed = f"{total_chars / v:>12,.0f} chars/s  {base / v:6.1f}x" if k != "start-up" else " " * 30
        share = f"{100 * v / (work + stages['start-up']):5.1f} %"
        print(f"  {k:<18} {v:6.2f} s  {speed}  {share}")
    budget = base / 10 * jobs   # one process's share of the work at 10x, with perfect scaling
    spent = work + stages["start-up"] * jobs
    print(f"  10x with {jobs} job(s) leaves {budget:.2f} s of one process's time "
          f"(start-up paid by every worker); now {spent:.2f} s, {spent - budget:+.2f} s to go")


def _round(everything: str, corpus: Path, work: Path, jobs: int, docs: int, r: int) -> dict:
    """One round: the baseline and each kg figure back to back, so a ratio compares
    runs the machine made at about the same speed."""
    import jieba.posseg
    t0 = time.perf_counter()
    n = sum(1 for _ in jieba.posseg.cut(everything))
    out = {"base": time.perf_counter() - t0, "tokens": n}
    out["ext"], _ = _child(_extract_code(corpus, jobs, docs))
    out["ext_cpu"] = _cpu[0]
    if jobs > 1:
        out["one"], _ = _child(_extract_code(corpus, 1, docs))
        out["one_cpu"] = _cpu[0]
    out["full"], triples = _child(_build_code(corpus, work / f"out{r}", jobs))
    out["full_cpu"], out["triples"] = _cpu[0], int(triples)
    shutil.rmtree(work / f"out{r}", ignore_errors=True)
    return out


def _print_rounds(rounds: list[dict], total: int, jobs: int) -> None:
    """Each figure as the median over rounds, and each ratio as the median of the
    rounds' ratios (with their range when there are several)."""
    med = statistics.median

    def ratio(key, over="base"):
        rs = [r[over] / r[key] for r in rounds]
        spread = f"  (rounds {min(rs):.2f}-{max(rs):.2f})" if len(rs) > 1 else ""
        return f"{med(rs):.2f}x{spread}"
    base = med([r["base"] for r in rounds])
    print(f"jieba.posseg       {total / base:>12,.0f} chars/s  ({base:.2f} s, {rounds[0]['tokens']:,} tokens)  1.00x")
    ext = med([r["ext"] for r in rounds])
    print(f"kg extraction      {total / ext:>12,.0f} chars/s  ({ext:.2f} s, cpu {med([r['ext_cpu'] for r in rounds]):.2f} s)"
          f"  {ratio('ext')}")
    if jobs > 1:
        one = med([r["one"] for r in rounds])
        print(f"  with 1 job       {total / one:>12,.0f} chars/s  ({one:.2f} s, cpu {med([r['one_cpu'] for r in rounds]):.2f} s)"
              f"  {ratio('one')};  {jobs} jobs: {med([r['one'] / r['ext'] for r in rounds]):.2f}x 1 job")
    full = med([r["full"] for r in rounds])
    print(f"kg build (all)     {total / full:>12,.0f} chars/s  ({full:.2f} s, cpu {med([r['full_cpu'] for r in rounds]):.2f} s, "
          f"{rounds[0]['triples']:,} triples)  {ratio('full')}")
    if len(rounds) > 1:
        print(f"({len(rounds)} rounds; figures are medians)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chars", type=int, default=2_000_000, help="size of the replicated corpus (default 2,000,000)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count(), help="worker processes (default: all cores)")
    ap.add_argument("--one-document", action="store_true",
                    help="one large document instead of many reports (shows costs that grow with a document's size)")
    ap.add_argument("--no-stages", action="store_true", help="skip the per-stage breakdown")
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds of baseline and kg runs, back to back; medians are printed (default 1)")
    ap.add_argument("--stages-of", help=argparse.SUPPRESS)   # internal: print stage_times of a corpus as JSON
    a = ap.parse_args()
    if a.stages_of:
        print(json.dumps(stage_times(a.stages_of)))
        return
    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        corpus = work / "corpus"
        corpus.mkdir()
        docs, total = _make_corpus(corpus, a.chars, a.one_document)
        print(f"corpus: {docs} documents, {total:,} characters, {a.jobs} jobs")
        import jieba
        import jieba.posseg
        everything = "".join(f.read_text(encoding="utf-8") for f in sorted(corpus.iterdir()))
        jieba.setLogLevel(logging.WARNING)
        jieba.posseg.dt.initialize()
        _bytecode(work / "pycache")
        rounds = [_round(everything, corpus, work, a.jobs, docs, r) for r in range(a.repeat)]
        _print_rounds(rounds, total, a.jobs)
        print("aim: kg build >= 10x jieba.posseg")
        if not a.no_stages:
            _, out = _child(__file__, "--stages-of", str(corpus))
            _print_stages(json.loads(out.splitlines()[-1]), total, statistics.median(r["base"] for r in rounds), a.jobs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
