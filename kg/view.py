"""The interactive network page (pyvis / vis-network), written as one offline file."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.model import FAMILY
from kg.vocab import KG, RELATIONS

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
MENTIONED = KG + "mentionedIn"
TEXT = KG + "text"
COLORS = {"Organization": "#4e79a7", "Place": "#59a14f", "Base": "#f28e2b", "Program": "#e15759",
          "Event": "#b07aa1", "Project": "#edc948", "Document": "#76b7b2", "Honor": "#ff9da7",
          "Person": "#9c755f", "Concept": "#bab0ac"}


def _plain(s: str) -> str:
    """Text from untrusted documents, made inert: no markup can survive."""
    return s.replace("&", "＆").replace("<", "＜").replace(">", "＞")


def network_data(triples: Iterable[ox.Triple]):
    """Nodes (id, label, class, aliases, sentences) and edges (from, to, property)."""
    types: dict[str, set[str]] = defaultdict(set)
    labels, aliases = {}, defaultdict(set)
    mentions = defaultdict(set)
    texts = {}
    edges = set()
    rel = {KG + r: r for r in RELATIONS}
    for t in triples:
        s, p, o = t.subject.value, t.predicate.value, t.object.value
        if p == RDF_TYPE and o.startswith(KG) and o[len(KG):] in FAMILY:
            types[s].add(o[len(KG):])
        elif p == PREF:
            labels[s] = o
        elif p == ALT:
            aliases[s].add(o)
        elif p == MENTIONED:
            mentions[s].add(o)
        elif p == TEXT:
            texts[s] = o
        elif p in rel:
            edges.add((s, o, rel[p]))
    nodes = {}
    for n, ts in types.items():
        fine = sorted(x for x in ts if FAMILY[x] != x) or sorted(ts)
        sents = [texts[x] for x in sorted(mentions[n]) if x in texts][:3]
        nodes[n] = {"label": labels.get(n, n.rsplit("/", 1)[-1]), "cls": fine[0], "aliases": sorted(aliases[n]),
                    "sentences": sents}
    edges = {e for e in edges if e[0] in nodes and e[1] in nodes}
    return nodes, sorted(edges)


def write_html(triples: Iterable[ox.Triple], path: str | Path, top: int | None = None) -> int:
    """Write the page; returns the number of nodes drawn."""
    from pyvis.network import Network

    nodes, edges = network_data(triples)
    degree = Counter()
    for a, b, _ in edges:
        degree[a] += 1
        degree[b] += 1
    if top:
        keep = {n for n, _ in sorted(nodes.items(), key=lambda kv: (-degree[kv[0]], kv[1]["label"]))[:top]}
        nodes = {n: v for n, v in nodes.items() if n in keep}
        edges = [e for e in edges if e[0] in nodes and e[1] in nodes]
    net = Network(height="900px", width="100%", directed=True, cdn_resources="in_line")
    for n in sorted(nodes):
        v = nodes[n]
        fam = FAMILY[v["cls"]]
        title = "\n".join([f"{v['label']} ({v['cls']})"] + ([f"别名: {'、'.join(v['aliases'])}"] if v["aliases"] else [])
                          + [f"· {s[:120]}" for s in v["sentences"]])
        net.add_node(n, label=_plain(v["label"]), title=_plain(title), color=COLORS.get(fam, "#888"),
                     group=fam, value=1 + degree[n])
    for a, b, p in edges:
        net.add_edge(a, b, title=p, label=p)
    if len(nodes) > 1500:
        net.toggle_physics(False)
    html = net.generate_html(notebook=False)
    # pyvis links bootstrap from a CDN even with in-line resources: the page must work offline
    html = re.sub(r'<link[^>]+href="https?://[^"]+"[^>]*>\s*', "", html)
    html = re.sub(r'<script[^>]+src="https?://[^"]+"[^>]*>\s*</script>\s*', "", html)
    Path(path).write_text(html, encoding="utf-8")
    return len(nodes)
