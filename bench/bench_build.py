"""Build speed against jieba.posseg over the same text, in one run.

    python bench/bench_build.py [--chars 2000000] [--jobs N] [--one-document]

Replicates the bundled sample corpus (as separate documents) up to --chars
characters, then times: jieba.posseg over all of it (one process, the baseline),
extraction alone (stages 1-5, --jobs workers), and the whole build (store, Turtle
and HTML included). Prints characters per second and the ratio to the baseline.
"""
from __future__ import annotations

import argparse
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import jieba
import jieba.posseg

from kg.pipeline import build, extract_many, sample_corpus


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chars", type=int, default=2_000_000, help="size of the replicated corpus (default 2,000,000)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count(), help="worker processes (default: all cores)")
    ap.add_argument("--one-document", action="store_true",
                    help="one large document instead of many reports (shows costs that grow with a document's size)")
    a = ap.parse_args()
    src = sorted(sample_corpus().glob("*.txt"))
    texts = [f.read_text(encoding="utf-8") for f in src]
    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        corpus = work / "corpus"
        corpus.mkdir()
        total, i = 0, 0
        parts = []
        while total < a.chars:
            t = texts[i % len(texts)]
            if a.one_document:
                parts.append(t)
            else:
                (corpus / f"{i:05d}_{src[i % len(src)].name}").write_text(t, encoding="utf-8")
            total += len(t)
            i += 1
        if a.one_document:
            (corpus / "one.txt").write_text("\n".join(parts), encoding="utf-8")
            total, i = len("\n".join(parts)), 1
        print(f"corpus: {i} documents, {total:,} characters, {a.jobs} jobs")
        everything = "".join(f.read_text(encoding="utf-8") for f in sorted(corpus.iterdir()))
        jieba.setLogLevel(logging.WARNING)
        jieba.posseg.dt.initialize()
        t0 = time.perf_counter()
        n = sum(1 for _ in jieba.posseg.cut(everything))
        base = time.perf_counter() - t0
        print(f"jieba.posseg       {total / base:>12,.0f} chars/s  ({base:.2f} s, {n:,} tokens)  1.00x")
        t0 = time.perf_counter()
        xs, problems = extract_many([corpus], jobs=a.jobs, progress=False)
        ext = time.perf_counter() - t0
        assert not problems and len(xs) == i
        print(f"kg extraction      {total / ext:>12,.0f} chars/s  ({ext:.2f} s)  {base / ext:.2f}x")
        t0 = time.perf_counter()
        rep = build([corpus], work / "out", jobs=a.jobs, progress=False)
        full = time.perf_counter() - t0
        print(f"kg build (all)     {total / full:>12,.0f} chars/s  ({full:.2f} s, {rep.triples:,} triples)  {base / full:.2f}x")
        print("aim: kg build >= 10x jieba.posseg")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
