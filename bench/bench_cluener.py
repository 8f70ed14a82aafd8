"""An external measuring stick: our mentions against CLUENER2020's dev set (news).

    python bench/bench_cluener.py [--data ../shared/benchmarks/cluener/dev.jsonl] [--errors 10]

Maps our classes onto CLUENER's types (government: GovernmentAgency and
PartyOrganization; company: Enterprise; organization: the other organizations;
name: Person; address: places; book: 《》 titles, marks included) and prints
exact-span precision, recall and F1 per type, and with overlapping spans counted
as matches. News is not our domain: the figures say how our name grammars hold
up on text they were not written for, and nothing in the data feeds any rule.
"""
from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

from kg.extract import run
from kg.model import RawDocument
from kg.normalize import normalize, split_sentences
from kg.segment import segment

TYPE_OF = {"GovernmentAgency": "government", "PartyOrganization": "government", "Enterprise": "company",
           "MassOrganization": "organization", "Organization": "organization", "PublicInstitution": "organization",
           "DemocraticParty": "organization", "Person": "name", "AdministrativeArea": "address", "Site": "address",
           "Document": "book"}


def spans(text: str) -> set[tuple[str, int, int]]:
    doc = normalize(RawDocument("s", "s.txt", text, "utf-8"))
    if doc.text != text:          # normalization moved offsets: map back through the anchors
        back = doc.raw_offset
    else:
        back = None
    out = set()
    for m in run(doc, split_sentences(doc), segment(doc.text)).mentions:
        t = TYPE_OF.get(m.cls)
        if t is None:
            continue
        s, e = m.start, m.end
        if back:
            s, e = back(s), back(e - 1) + 1
        out.add((t, s, e))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared/benchmarks/cluener/dev.jsonl"))
    ap.add_argument("--errors", type=int, default=0, help="print this many misses and false finds per type")
    a = ap.parse_args()
    tp, fp, fn, overlap_tp = Counter(), Counter(), Counter(), Counter()
    misses, extras = defaultdict(list), defaultdict(list)
    types = set(TYPE_OF.values())
    for line in Path(a.data).read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = row["text"]
        gold = {(t, s, e + 1) for t, ents in row["label"].items() if t in types
                for locs in ents.values() for s, e in locs}
        pred = spans(text)
        for t in types:
            g = {x for x in gold if x[0] == t}
            p = {x for x in pred if x[0] == t}
            tp[t] += len(g & p)
            fp[t] += len(p - g)
            fn[t] += len(g - p)
            overlap_tp[t] += sum(1 for x in g if any(y[1] < x[2] and x[1] < y[2] for y in p))
            misses[t] += [text[s:e] for _, s, e in g - p]
            extras[t] += [text[s:e] for _, s, e in p - g]
    print(f"{'type':<13}{'P':>7}{'R':>7}{'F1':>7}{'R(overlap)':>12}   gold")
    for t in sorted(types):
        p = tp[t] / (tp[t] + fp[t]) if tp[t] + fp[t] else 0.0
        r = tp[t] / (tp[t] + fn[t]) if tp[t] + fn[t] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        ro = overlap_tp[t] / (tp[t] + fn[t]) if tp[t] + fn[t] else 0.0
        print(f"{t:<13}{p:7.3f}{r:7.3f}{f:7.3f}{ro:12.3f}   {tp[t] + fn[t]}")
        if a.errors:
            print("   missed:", " | ".join(misses[t][:a.errors]))
            print("   extra: ", " | ".join(extras[t][:a.errors]))


if __name__ == "__main__":
    main()
