"""The interactive network page: pyvis builds the network, and the page is one
offline file with vis-network, the data and the controls inlined.

Safety: names, aliases and sentences come from untrusted documents. They travel
as a JSON block whose <, > and & are escaped (so no </script> can end it) and
the page only ever sets them as text. A Content-Security-Policy forbids any
network request.
"""
from __future__ import annotations

import importlib
import json
import math
import sys
import types
from bisect import insort
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from itertools import chain
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError
from kg.model import FAMILY, fine_class
from kg.vocab import KG, RELATIONS

COLORS = {"Organization": "#4e79a7", "Place": "#59a14f", "Base": "#f28e2b", "Program": "#e15759",
          "Event": "#b07aa1", "Project": "#edc948", "Document": "#76b7b2", "Honor": "#ff9da7",
          "Person": "#9c755f", "Concept": "#bab0ac"}
LARGE = 1500


class ViewError(KgError):
    """A view option names something the graph does not have."""


@dataclass
class Node:
    label: str
    cls: str
    aliases: list[str] = field(default_factory=list)
    sentences: list[dict] = field(default_factory=list)

    @property
    def family(self) -> str:
        return FAMILY[self.cls]


@dataclass(frozen=True)
class ViewOptions:
    focus: str | None = None        # an entity's name or alias
    depth: int = 1
    types: frozenset[str] | None = None       # fine or coarse class names
    relations: frozenset[str] | None = None
    top: int | None = None
    threshold: int = LARGE
    lang: str = "zh"                # of the class and relation names shown (the ontology's labels)


def select(nodes: dict[str, Node], edges: list, opts: ViewOptions):
    """The part of the graph the options ask for."""
    import networkx as nx

    if opts.types is not None:
        unknown = sorted(t for t in opts.types if t not in FAMILY)
        if unknown:
            raise ViewError(f"unknown class {', '.join(unknown)}; choose from: {', '.join(sorted(FAMILY))}")
        nodes = {n: v for n, v in nodes.items() if v.cls in opts.types or v.family in opts.types}
    if opts.relations is not None:
        unknown = sorted(r for r in opts.relations if r not in RELATIONS)
        if unknown:
            raise ViewError(f"unknown relation {', '.join(unknown)}; choose from: {', '.join(RELATIONS)}")
        edges = [e for e in edges if e[2] in opts.relations]
    edges = [e for e in edges if e[0] in nodes and e[1] in nodes]
    if opts.focus:
        hits = [n for n, v in nodes.items() if opts.focus in (v.label, *v.aliases)]
        if not hits:
            raise ViewError(f"no entity named {opts.focus!r} in the graph (names and aliases are matched exactly)")
        g = nx.Graph()
        g.add_nodes_from(nodes)
        g.add_edges_from((a, b) for a, b, _ in edges)
        keep = set()
        for h in hits:
            keep |= set(nx.ego_graph(g, h, radius=max(0, opts.depth)))
        nodes = {n: v for n, v in nodes.items() if n in keep}
        edges = [e for e in edges if e[0] in keep and e[1] in keep]
    if opts.top:
        degree = _degrees(edges)
        keep = {n for n, _ in sorted(nodes.items(), key=lambda kv: (-degree[kv[0]], kv[1].label))[:opts.top]}
        nodes = {n: v for n, v in nodes.items() if n in keep}
        edges = [e for e in edges if e[0] in keep and e[1] in keep]
    return nodes, edges


def _degrees(edges) -> Counter:
    degree: Counter = Counter()
    for a, b, _ in edges:
        degree[a] += 1
        degree[b] += 1
    return degree


def spiral_layout(ids: list[str], degree: Counter) -> dict[str, tuple[float, float]]:
    """Positions on a sunflower spiral, best-connected nodes in the middle: linear
    time, so a large graph is drawn at once with physics off."""
    golden = math.pi * (3 - math.sqrt(5))
    order = sorted(ids, key=lambda n: (-degree[n], n))
    return {n: (round(30 * math.sqrt(i) * math.cos(i * golden), 1), round(30 * math.sqrt(i) * math.sin(i * golden), 1))
            for i, n in enumerate(order)}


class _IdList(list):
    """pyvis keeps node ids in a list and tests membership on every node and edge
    added, quadratic in the graph's size; this list answers membership from a set."""

    def __init__(self):
        super().__init__()
        self._set = set()

    def append(self, item):
        super().append(item)
        self._set.add(item)

    def __contains__(self, item):
        return item in self._set


def _iframe(*args, **kwargs):
    from IPython.display import IFrame
    return IFrame(*args, **kwargs)


def _pyvis_network():
    """pyvis.network, imported without IPython where nothing has imported it: pyvis
    takes one name from it, IFrame, for ``Network.show`` in a notebook, and IPython
    costs 0.4 s of every page's start-up. A stand-in module serves that import and is
    taken out again, so a later ``import IPython`` gets the real one; its IFrame
    fetches the real class when called."""
    if "pyvis.network" in sys.modules or "IPython" in sys.modules:
        return importlib.import_module("pyvis.network")
    display = types.ModuleType("IPython.display")
    display.IFrame = _iframe
    package = types.ModuleType("IPython")
    package.display = display
    sys.modules.update({"IPython": package, "IPython.display": display})
    try:
        return importlib.import_module("pyvis.network")
    finally:
        for name in ("IPython.display", "IPython"):
            if sys.modules.get(name) in (display, package):
                del sys.modules[name]


def _asset(path: str) -> str:
    import pyvis
    return (Path(pyvis.__file__).parent / "templates" / "lib" / path).read_text(encoding="utf-8")


def _script_safe_json(obj) -> str:
    """JSON that cannot end or open a tag inside <script>: <, > and & are escaped."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


LABELLED = 20     # nodes, best connected first, whose names show at the zoom that fits the graph
LANGS = ("zh", "en")


def _groups() -> dict[str, dict]:
    """One vis group per class family, in the legend's colours: the canvas takes a
    node's colour from its group (vis's own palette where a group is not set)."""
    return {f: {"color": {"background": c, "border": c, "highlight": {"background": c, "border": "#222"},
                          "hover": {"background": c, "border": "#222"}}} for f, c in COLORS.items()}


def render(nodes: dict[str, Node], edges: list, opts: ViewOptions = ViewOptions()) -> str:
    """The page for this part of the graph."""
    from kg.vocab import labels
    Network = _pyvis_network().Network
    if opts.lang not in LANGS:
        raise ViewError(f"unknown language {opts.lang!r}; choose one of: {', '.join(LANGS)}")
    degree = _degrees(edges)
    large = len(nodes) > opts.threshold
    net = Network(directed=True, cdn_resources="in_line")
    net.node_ids = _IdList()
    net.toggle_physics(not large)
    if large:
        net.toggle_hide_edges_on_drag(True)
    ids = sorted(nodes)
    pos = spiral_layout(ids, degree) if large else {}
    for n in ids:
        v = nodes[n]
        extra = {"x": pos[n][0], "y": pos[n][1]} if large else {}
        net.add_node(n, label=v.label, group=v.family, value=1 + degree[n], **extra)
    for a, b, p in edges:
        net.add_edge(a, b, label=p)
    vis_nodes, vis_edges, *_ = net.get_network_data()
    page = resources.files("kg.data").joinpath("view.html").read_text("utf-8")
    page = page.replace("/*KG_VIS_CSS*/", _asset("vis-9.1.2/vis-network.css"))
    page = page.replace("/*KG_VIS_JS*/", _asset("vis-9.1.2/vis-network.min.js").replace("</script", "<\\/script"))
    return page.replace("__KG_DATA__", _script_safe_json(_page_data(nodes, edges, vis_nodes, vis_edges, net, degree,
                                                                      large, labels(opts.lang), opts.lang)))


def _page_data(nodes, edges, vis_nodes, vis_edges, net, degree, large: bool, names: dict, lang: str) -> dict:
    options = json.loads(net.options.to_json())
    options.setdefault("layout", {})["improvedLayout"] = not large
    options.setdefault("interaction", {}).update({"hover": True, "tooltipDelay": 200})
    options["nodes"] = {"shape": "dot", "scaling": {"min": 6, "max": 40}, "font": {"size": 12}}
    options["groups"] = _groups()
    # an edge's name sits above its line, on white, so it does not cover the names of nodes
    options["edges"] = {"font": {"size": 10, "align": "top", "background": "rgba(255,255,255,0.85)"}}
    if large:
        options["edges"].update({"smooth": False, "arrows": {"to": {"enabled": True, "scaleFactor": 0.4}}})
    families = sorted({v.family for v in nodes.values()})
    ranked = sorted(nodes, key=lambda n: (-degree[n], nodes[n].label))
    return {
        "nodes": [{"id": vn["id"], "label": nodes[vn["id"]].label, "family": nodes[vn["id"]].family,
                   "cls": nodes[vn["id"]].cls, "aliases": nodes[vn["id"]].aliases,
                   "sentences": nodes[vn["id"]].sentences, "value": vn["value"], "degree": degree[vn["id"]],
                   **({"x": vn["x"], "y": vn["y"]} if large else {})} for vn in vis_nodes],
        "edges": [{"from": e["from"], "to": e["to"], "property": e["label"]} for e in vis_edges],
        "edgeLabels": not large,
        "labelled": [n for n in ranked[:LABELLED] if degree[n]],
        "families": families,
        "relations": sorted({e[2] for e in edges}),
        "counts": {**Counter(v.family for v in nodes.values()), **Counter(e[2] for e in edges)},
        "isolated": sum(1 for n in nodes if not degree[n]),
        "colors": COLORS,
        "names": {k: names.get(k, k) for k in sorted(set(FAMILY) | set(FAMILY.values()) | set(RELATIONS))},
        "lang": lang,
        "options": options,
        "note": "large graph: layout precomputed, physics off" if large else "",
    }


AUTO_TOP = 2000   # nodes drawn from a larger store unless --top says otherwise
_CHUNK = 400      # IRIs per VALUES block when fetching the drawn nodes' details


def _store_rows(store, sparql: str):
    from kg.graph import PREFIXES
    return store.query(sparql, PREFIXES)


def _classes(sep: str = " ") -> str:
    return sep.join(f"kg:{c}" for c in sorted(FAMILY))


def _typed() -> str:
    """A pattern binding ?e to every entity of the view's classes (?c its class)."""
    return f"VALUES ?c {{ {_classes()} }} ?e a ?c"


def _relations(sep: str = " ") -> str:
    return sep.join(f"kg:{r}" for r in RELATIONS)


def _nodes(rows) -> dict[str, Node]:
    """Nodes from (entity, class, label) rows: the fine class, the least label."""
    types: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    for s in rows:
        e = s["e"].value
        types[e].add(s["c"].value[len(KG):])
        if s["l"] is not None:
            labels[e] = min(labels.get(e, s["l"].value), s["l"].value)
    return {n: Node(labels.get(n, n.rsplit("/", 1)[-1]), fine_class(ts)) for n, ts in types.items()}


def _add_aliases(nodes: dict[str, Node], rows) -> None:
    aliases: dict[str, set[str]] = defaultdict(set)
    for s in rows:
        if s["e"].value in nodes:
            aliases[s["e"].value].add(s["a"].value)
    for n, v in nodes.items():
        v.aliases = sorted(aliases[n])


def store_skeleton(store) -> tuple[dict[str, Node], list[tuple[str, str, str]]]:
    """Entities (class, label, aliases) and the relations between them, without
    sentences: a few columns per entity, never the whole store."""
    nodes = _nodes(_store_rows(store, f"SELECT ?e ?c ?l WHERE {{ {_typed()} . "
                                      f"OPTIONAL {{ ?e skos:prefLabel ?l }} }}"))
    _add_aliases(nodes, _store_rows(store, "SELECT ?e ?a WHERE { ?e skos:altLabel ?a }"))
    return nodes, _edges(_store_rows(store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {_relations()} }} ?s ?p ?o }}"),
                         nodes)


def _edges(rows, nodes) -> list[tuple[str, str, str]]:
    edges = set()
    for s in rows:
        a, b = s["s"].value, s["o"].value
        if a in nodes and b in nodes:
            edges.add((a, b, s["p"].value[len(KG):]))
    return sorted(edges)


def entity_count(store) -> int:
    """How many entities (nodes of the view) the store holds."""
    rows = _store_rows(store, f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ {_typed()} }}")
    return int(next(iter(rows))["n"].value)


def _ranked(store, top: int) -> list[str]:
    """The ``top`` entities by degree, then label, as ``select`` ranks them. The
    store gives the typed entities and the relation triples and Python counts (the
    store's own GROUP BY, with a typed check on both ends of every triple, took 2.1 s
    and 40 MiB at 16x the sample corpus, this 0.3 s and 22 MiB); labels are read
    only for the entities that can make the cut."""
    typed = {s["e"].value for s in _store_rows(
        store, f"SELECT DISTINCT ?e WHERE {{ {_typed()} }}")}
    degree: Counter = Counter()
    for s in _store_rows(store, f"SELECT ?s ?o WHERE {{ VALUES ?p {{ {_relations()} }} ?s ?p ?o }}"):
        a, b = s["s"].value, s["o"].value
        if a in typed and b in typed:
            degree[a] += 1
            degree[b] += 1
    del typed
    ranked = _by_degree_then_label(store, degree, top)
    if len(ranked) < top:      # every connected entity is in: the rest by label, as select fills up
        seen = set(ranked)
        rows = _store_rows(store, f"SELECT ?e (MIN(STR(?l)) AS ?lab) WHERE {{ {_typed()} . "
                                  f"OPTIONAL {{ ?e skos:prefLabel ?l }} }} GROUP BY ?e ORDER BY ?lab "
                                  f"LIMIT {top + len(ranked)}")
        ranked += [e for e in (s["e"].value for s in rows) if e not in seen][:top - len(ranked)]
    return ranked


def _by_degree_then_label(store, degree: Counter, top: int) -> list[str]:
    """The ``top`` of ``degree`` by degree, ties by least label (none first, as
    SPARQL orders an unbound one): labels of those at or above the cut's degree."""
    if not degree:
        return []
    cut = sorted(degree.values(), reverse=True)[min(top, len(degree)) - 1]
    near = [e for e, d in degree.items() if d >= cut]
    label: dict[str, str] = {}
    for i in range(0, len(near), _CHUNK):
        values = " ".join(str(ox.NamedNode(n)) for n in near[i:i + _CHUNK])
        for s in _store_rows(store, f"SELECT ?e (MIN(STR(?l)) AS ?lab) WHERE {{ VALUES ?e {{ {values} }} "
                                    f"OPTIONAL {{ ?e skos:prefLabel ?l }} }} GROUP BY ?e"):
            label[s["e"].value] = s["lab"].value if s["lab"] is not None else ""
    return sorted(near, key=lambda e: (-degree[e], label.get(e, "")))[:top]


def top_skeleton(store, top: int) -> tuple[dict[str, Node], list[tuple[str, str, str]]]:
    """What ``select(*store_skeleton(store), ViewOptions(top=top))`` gives, with only
    those ``top`` entities read into Python: the page of a large store costs memory
    for what it draws, not for the store."""
    ids = _ranked(store, top)
    nodes: dict[str, Node] = {}
    rows: list = []
    for i in range(0, len(ids), _CHUNK):
        values = " ".join(str(ox.NamedNode(n)) for n in ids[i:i + _CHUNK])
        # the bound entities drive the lookups: a second VALUES (of classes) would have
        # Oxigraph join every typed entity of the store with them (14x slower at 16x)
        nodes.update(_nodes(_store_rows(store, f"SELECT ?e ?c ?l WHERE {{ VALUES ?e {{ {values} }} ?e a ?c . "
                                               f"FILTER(?c IN ({_classes(', ')})) "
                                               f"OPTIONAL {{ ?e skos:prefLabel ?l }} }}")))
        rows += _store_rows(store, f"SELECT ?e ?a WHERE {{ VALUES ?e {{ {values} }} ?e skos:altLabel ?a }}")
    _add_aliases(nodes, rows)
    edges = []
    for i in range(0, len(ids), _CHUNK):
        values = " ".join(str(ox.NamedNode(n)) for n in ids[i:i + _CHUNK])
        edges += _edges(_store_rows(store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o "
                                           f"FILTER(?p IN ({_relations(', ')})) }}"), nodes)
    return nodes, sorted(edges)


SHOWN_SENTENCES = 3

# an entity of more documents than this has its sentences found from the documents'
# side: all that a document mentions is read once for every entity drawn from it,
# rather than each entity's mentions across the whole store (thousands, for a place
# most documents name) being read and kept only where they are in the document
FEW_DOCUMENTS = 8


def add_sentences(store, nodes: dict[str, Node]) -> None:
    """Up to three source sentences, with their documents, for each drawn node: the
    first by document label and position. Read from the few documents that hold them
    (an entity's documents by label, until three sentences are in), not from every
    sentence that mentions it."""
    docs_of: dict[str, set[str]] = defaultdict(set)
    ids = sorted(nodes)
    for i in range(0, len(ids), _CHUNK):
        values = " ".join(str(ox.NamedNode(n)) for n in ids[i:i + _CHUNK])
        for s in _store_rows(store, f"SELECT ?e ?d WHERE {{ VALUES ?e {{ {values} }} ?e prov:wasDerivedFrom ?d }}"):
            docs_of[s["e"].value].add(s["d"].value)
    label = _labels(store, sorted(set().union(*docs_of.values())))
    many = {e for e, ds in docs_of.items() if len(ds) > FEW_DOCUMENTS}
    todo = {e: sorted(ds, key=lambda d: (label.get(d, ""), d)) for e, ds in docs_of.items()}
    found: dict[str, list[tuple[str, int, str]]] = defaultdict(list)     # the first few, in order
    while todo:
        pairs = []
        for e, ds in todo.items():
            k = min(SHOWN_SENTENCES, len(ds))
            while k < len(ds) and label.get(ds[k], "") == label.get(ds[k - 1], ""):
                k += 1        # documents of one label sort by position together
            pairs += [(e, d) for d in ds[:k]]
            todo[e] = ds[k:]
        # rows stream in and only the first few of each entity are kept: a hub's
        # documents hold thousands of its sentences, of which three are shown
        for e, d, t, st in chain(_pair_sentences(store, [p for p in pairs if p[0] not in many]),
                                 _document_sentences(store, [p for p in pairs if p[0] in many])):
            row, kept = (label.get(d, ""), int(st) if st.isdigit() else 0, t), found[e]
            if len(kept) < SHOWN_SENTENCES or row < kept[-1]:
                insort(kept, row)
                del kept[SHOWN_SENTENCES:]
        todo = {e: ds for e, ds in todo.items() if ds and len(found[e]) < SHOWN_SENTENCES}
    for n, sents in found.items():
        nodes[n].sentences = [{"document": d, "text": t} for d, _, t in sents]


def _pair_sentences(store, pairs: list[tuple[str, str]]) -> Iterator[tuple[str, str, str, str]]:
    """(entity, document, text, start) of each sentence of the document that
    mentions the entity, found from the entity's mentions."""
    for i in range(0, len(pairs), _CHUNK):
        values = " ".join(f"({ox.NamedNode(e)} {ox.NamedNode(d)})" for e, d in pairs[i:i + _CHUNK])
        for s in _store_rows(store, f"SELECT ?e ?d ?t ?st WHERE {{ VALUES (?e ?d) {{ {values} }} "
                                    f"?e kg:mentionedIn ?s . ?s kg:inDocument ?d ; kg:text ?t ; kg:start ?st }}"):
            yield s["e"].value, s["d"].value, s["t"].value, s["st"].value


def _document_sentences(store, pairs: list[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """What ``_pair_sentences`` gives, found from the documents' sentences."""
    want = set(pairs)
    docs = sorted({d for _, d in pairs})
    hits: list[tuple[str, str, str]] = []
    for i in range(0, len(docs), _CHUNK):
        values = " ".join(str(ox.NamedNode(d)) for d in docs[i:i + _CHUNK])
        hits += [h for h in ((s["e"].value, s["d"].value, s["s"].value) for s in _store_rows(
            store, f"SELECT ?e ?d ?s WHERE {{ VALUES ?d {{ {values} }} ?s kg:inDocument ?d . ?e kg:mentionedIn ?s }}"))
            if h[:2] in want]
    text: dict[str, tuple[str, str]] = {}
    sents = sorted({s for _, _, s in hits})
    for i in range(0, len(sents), _CHUNK):
        values = " ".join(str(ox.NamedNode(s)) for s in sents[i:i + _CHUNK])
        text.update((s["s"].value, (s["t"].value, s["st"].value)) for s in _store_rows(
            store, f"SELECT ?s ?t ?st WHERE {{ VALUES ?s {{ {values} }} ?s kg:text ?t ; kg:start ?st }}"))
    return [(e, d, *text[s]) for e, d, s in hits if s in text]


def _labels(store, docs: list[str]) -> dict[str, str]:
    out = {}
    for i in range(0, len(docs), _CHUNK):
        values = " ".join(str(ox.NamedNode(d)) for d in docs[i:i + _CHUNK])
        out.update((s["d"].value, s["l"].value) for s in _store_rows(
            store, f"SELECT ?d ?l WHERE {{ VALUES ?d {{ {values} }} ?d a kg:SourceDocument ; rdfs:label ?l }}"))
    return out


def preload() -> None:
    """Import what drawing a page needs (networkx and pyvis: a quarter of a second),
    so a build can pay for it while its workers run rather than after them."""
    importlib.import_module("networkx")
    _pyvis_network()


def write_store_html(store, path: str | Path, opts: ViewOptions | None = None) -> tuple[int, int]:
    """Write the page for part of a store (kg.store) without reading all of it:
    the entity skeleton, then sentences only for the nodes drawn. With no ``top``,
    a store of more than AUTO_TOP entities is drawn as its AUTO_TOP best-connected;
    ``top=0`` draws everything. Returns (nodes drawn, entities in the store)."""
    opts = opts or ViewOptions()
    total = entity_count(store)
    top = AUTO_TOP if opts.top is None and total > AUTO_TOP else opts.top or None
    if opts.focus is None and opts.types is None and opts.relations is None and top and top < total:
        nodes, edges = top_skeleton(store, top)
    else:
        from dataclasses import replace
        nodes, edges = select(*store_skeleton(store), replace(opts, top=top))
    add_sentences(store, nodes)
    tmp = Path(f"{path}.part")
    try:
        tmp.write_text(render(nodes, edges, opts), encoding="utf-8")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return len(nodes), total


class StorePage:
    """The page of the store at ``location`` as served: made again when a build has
    swapped in a new version of the store, so a running server shows it."""

    def __init__(self, location: str | Path):
        import threading
        self.location = location
        self._lock = threading.Lock()
        self._made: tuple[object, bytes] | None = None

    def page(self) -> bytes:
        import tempfile

        from kg.store import open_store, version_of
        with self._lock:
            seen = version_of(self.location)
            if self._made is None or self._made[0] != seen:
                store = open_store(self.location, create=False, read_only=True)
                with tempfile.TemporaryDirectory() as tmp:
                    write_store_html(store, Path(tmp) / "view.html")
                    self._made = (seen, (Path(tmp) / "view.html").read_bytes())
                store.close()
            return self._made[1]
