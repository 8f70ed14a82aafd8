import json
import re

import pytest

from conftest import DATA, PageRun, kg
from helpers import busiest
from kg.graph import PREFIXES
from kg.view import (SHOWN_SENTENCES, Node, ViewError, ViewOptions, add_sentences, render, select,
                     store_skeleton)
from kg import view
from kg.pipeline import build
from kg.store import LocalStore

NODES = {f"n{i}": Node(f"名{i}", cls, [f"别名{i}"] if i == 1 else [], [{"document": "d", "text": f"句{i}"}])
         for i, cls in enumerate(["PartyOrganization", "Program", "Program", "AdministrativeArea", "Base"])}
EDGES = [("n0", "n1", "runs"), ("n0", "n2", "runs"), ("n3", "n4", "hosts"), ("n2", "n3", "locatedIn")]


@pytest.mark.parametrize("opts,expected", [
    (ViewOptions(), {"n0", "n1", "n2", "n3", "n4"}),
    (ViewOptions(focus="名0", depth=1), {"n0", "n1", "n2"}),
    (ViewOptions(focus="别名1", depth=2), {"n0", "n1", "n2"}),
    (ViewOptions(focus="名0", depth=2), {"n0", "n1", "n2", "n3"}),
    (ViewOptions(types=frozenset({"Program"})), {"n1", "n2"}),
    (ViewOptions(types=frozenset({"Organization", "Place"})), {"n0", "n3"}),   # coarse classes
    (ViewOptions(top=2), {"n0", "n2"}),                                         # n2 and n3 tie; names break it
])
def test_select(opts, expected):
    nodes, edges = select(NODES, EDGES, opts)
    assert set(nodes) == expected and all(a in nodes and b in nodes for a, b, _ in edges)


def test_select_relations_keeps_only_those_edges():
    _, edges = select(NODES, EDGES, ViewOptions(relations=frozenset({"hosts"})))
    assert edges == [("n3", "n4", "hosts")]


@pytest.mark.parametrize("opts,message", [
    (ViewOptions(focus="无此名"), "no entity named"),
    (ViewOptions(types=frozenset({"Planet"})), "unknown class Planet"),
    (ViewOptions(relations=frozenset({"owns"})), "unknown relation owns"),
])
def test_select_errors(opts, message):
    with pytest.raises(ViewError, match=message):
        select(NODES, EDGES, opts)


def _data(html):
    return json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S).group(1))


def test_untrusted_text_cannot_leave_the_data_block():
    evil = {"e": Node("</script><script>alert(1)</script>", "Program", ["<img src=x onerror=alert(2)>"],
                      [{"document": "d&<", "text": "</SCRIPT >\u2028"}])}
    html = render(evil, [])
    block = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and ">" not in block
    assert _data(html)["nodes"][0]["label"] == "</script><script>alert(1)</script>"


def test_page_is_one_offline_file():
    html = render(NODES, EDGES)
    assert not re.search(r"<(?:script|link|img|iframe)[^>]+(?:src|href)=", html, re.I)
    assert "default-src 'none'" in html


def test_large_graphs_get_a_layout_and_no_physics():
    nodes = {f"n{i}": Node(f"名{i}", "Program") for i in range(30)}
    data = _data(render(nodes, [], ViewOptions(threshold=10)))
    assert data["options"]["physics"]["enabled"] is False
    assert all("x" in n and "y" in n for n in data["nodes"])


def test_cli_view_options(sample_build, tmp_path):
    out = tmp_path / "f.html"
    p = kg("view", "--store", sample_build / "store", "-o", out, "--focus", busiest(sample_build / "store"), "--depth", "1",
           "--relations", "runs,hosts")
    n = int(re.search(r"\((\d+) nodes\)", p.stdout).group(1))
    assert 1 < n < 100
    p = kg("view", "--store", sample_build / "store", "-o", out, "--types", "Planet", check=False)
    assert p.returncode == 1 and "unknown class Planet" in p.stderr


def test_sentences_come_with_their_document(tmp_path):
    for name, text in (("a", "曲靖市2024年工作总结\n曲靖市委统战部开展“珠源同心”活动。\n"),
                       ("b", "曲靖市2025年工作总结\n曲靖市委统战部举办“爨乡讲堂”。\n")):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    build([tmp_path / "a.txt", tmp_path / "b.txt"], tmp_path / "o", jobs=1, progress=False, files=False)
    store = LocalStore(tmp_path / "o" / "store", create=False, read_only=True)
    nodes, _ = store_skeleton(store)
    add_sentences(store, nodes)
    dept = next(v for v in nodes.values() if v.label == "曲靖市委统战部")
    assert sorted(s["document"] for s in dept.sentences) == ["a", "b"]
    assert all("曲靖市委统战部" in s["text"] for s in dept.sentences)


@pytest.mark.parametrize("few", [0, 2, 100], ids=["from-documents", "mixed", "from-mentions"])
def test_a_nodes_sentences_are_its_first_by_document_label_and_position(sample_build, monkeypatch, few):
    """The sentences read from a node's first documents are the ones a read of all
    its mentions would pick, whether found from the entity's mentions or from the
    documents' sentences."""
    monkeypatch.setattr(view, "FEW_DOCUMENTS", few)
    store = LocalStore(sample_build / "store", create=False, read_only=True)
    nodes, _ = store_skeleton(store)
    add_sentences(store, nodes)
    rows = store.query("SELECT ?e ?l ?st ?t WHERE { ?e kg:mentionedIn ?s . ?s kg:inDocument ?d ; kg:start ?st ; "
                       "kg:text ?t . ?d rdfs:label ?l }", PREFIXES)
    every = {}
    for r in rows:
        every.setdefault(r["e"].value, []).append((r["l"].value, int(r["st"].value), r["t"].value))
    checked = 0
    for n, v in nodes.items():
        want = [{"document": d, "text": t} for d, _, t in sorted(every.get(n, []))[:SHOWN_SENTENCES]]
        assert v.sentences == want, v.label
        checked += bool(want)
    assert checked > 50


# ---- in real headless Chromium

def test_sample_page_in_chromium(browser, sample_build):
    run = PageRun(browser, (sample_build / "graph.html").as_uri())
    assert run.errors() == []
    assert run.requests == [(sample_build / "graph.html").as_uri()]
    assert run.js("Object.keys(kgView.network.body.nodes).length") > 50
    assert run.js("kgView.search('统战部').length") >= 1
    assert "类别：党组织" in run.page.inner_text("#info")       # the ontology's label


def test_searching_a_node_of_a_hidden_class_throws_nothing(browser, sample_build):
    run = PageRun(browser, (sample_build / "graph.html").as_uri())
    # switch the organizations off, then search one
    run.page.uncheck("#classes input[value=Organization]")
    hits = run.js("kgView.search('统战部')")
    assert hits and run.errors() == []
    assert "（未显示）" in run.page.inner_text("#hits") and "统战部" in run.page.inner_text("#info")
    run.page.click("#hits div")
    assert run.errors() == []


def test_injection_document_runs_no_script(browser, tmp_path):
    kg("build", DATA / "injection.txt", "-o", tmp_path, "-q")
    html = (tmp_path / "graph.html").read_text(encoding="utf-8")
    run = PageRun(browser, (tmp_path / "graph.html").as_uri())
    assert run.js("window.pwned === undefined") is True
    assert run.dialogs == [] and run.errors() == []
    assert run.requests == [(tmp_path / "graph.html").as_uri()]
    # the names are shown, as text
    assert run.js("kgView.search('<script>').length") >= 1
    assert "<script>" in run.page.inner_text("#hits")
    assert "window.pwned" not in html.split('id="kg-data">')[0]


def test_twenty_thousand_nodes_open_and_respond(browser, tmp_path):
    import random
    random.seed(7)
    classes = ["PartyOrganization", "GovernmentAgency", "Program", "AdministrativeArea", "Site", "Base", "Project"]
    nodes = {f"n{i}": Node(f"节点{i}号", classes[i % 7], [], []) for i in range(20000)}
    edges = sorted({(f"n{random.randrange(20000)}", f"n{random.randrange(20000)}", "runs") for _ in range(30000)})
    page = tmp_path / "big.html"
    page.write_text(render(nodes, edges), encoding="utf-8")
    run = PageRun(browser, page.as_uri())
    assert run.errors() == []
    assert run.js("kgView.nodes.length") == 20000
    assert run.js("kgView.search('节点12345号').length") == 1


def test_a_store_is_drawn_from_its_skeleton_and_the_drawn_nodes_sentences(sample_build, tmp_path, monkeypatch):
    from kg import view
    store = LocalStore(sample_build / "store", create=False, read_only=True)
    n, total = view.write_store_html(store, tmp_path / "all.html")
    assert n == total > 100
    monkeypatch.setattr(view, "AUTO_TOP", 40)
    n, total = view.write_store_html(store, tmp_path / "top.html")
    assert n == 40 < total
    data = json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>',
                                (tmp_path / "top.html").read_text(encoding="utf-8"), re.S).group(1))
    assert len(data["nodes"]) == 40 and any(x["sentences"] for x in data["nodes"])
    n, _ = view.write_store_html(store, tmp_path / "every.html", ViewOptions(top=0))
    assert n == total
    n, _ = view.write_store_html(store, tmp_path / "ten.html", ViewOptions(top=10))
    assert n == 10


@pytest.mark.parametrize("top", [1, 10, 40, 150, 100000])
def test_the_store_ranks_the_top_nodes_as_select_does(sample_build, top):
    """The bounded read (the store counts degrees and sorts) draws the nodes and
    edges that ranking the whole skeleton in Python draws, up to ties of degree and
    label, and reads the same classes, labels and aliases."""
    from kg import view
    store = LocalStore(sample_build / "store", create=False, read_only=True)
    everything, all_edges = store_skeleton(store)
    want, want_edges = select(everything, all_edges, ViewOptions(top=top))
    got, got_edges = view.top_skeleton(store, top)
    degree = view._degrees(all_edges)

    def keys(nodes):
        return sorted((-degree[n], v.label) for n, v in nodes.items())
    assert len(got) == min(top, len(everything)) and keys(got) == keys(want)
    assert all((v.label, v.cls, v.aliases) == (everything[n].label, everything[n].cls, everything[n].aliases)
               for n, v in got.items())
    assert got_edges == [e for e in all_edges if e[0] in got and e[1] in got]
    if set(got) == set(want):
        assert got_edges == want_edges


def test_the_legend_colours_are_the_drawn_colours(browser, sample_build):
    run = PageRun(browser, (sample_build / "graph.html").as_uri())
    legend = run.js("Object.fromEntries([...document.querySelectorAll('#classes .swatch')]"
                    ".map(s => [s.dataset.family, getComputedStyle(s).backgroundColor]))")
    drawn = run.js("""(() => { const out = {}; const body = kgView.network.body;
        for (const id of body.nodeIndices) { const f = kgView.nodes.get(id).group;
            const c = body.nodes[id].options.color.background; (out[f] = out[f] || new Set()).add(c); }
        return Object.fromEntries(Object.entries(out).map(([f, s]) => [f, [...s]])); })()""")
    assert len(drawn) >= 5
    for family, colours in drawn.items():
        r, g, b = (int(legend[family][1:][i:i + 2], 16) for i in (0, 2, 4)) if legend[family].startswith("#") \
            else map(int, re.findall(r"\d+", legend[family])[:3])
        assert colours == [f"#{r:02x}{g:02x}{b:02x}"], family


def test_unconnected_nodes_are_hidden_until_asked_for(browser, sample_build):
    run = PageRun(browser, (sample_build / "graph.html").as_uri())
    isolated = run.js("kgView.nodes.get({filter: n => n.degree === 0 && n.group !== 'Concept'}).length")
    assert isolated > 0
    drawn = run.js("kgView.nodeView.getIds().length")
    assert run.js("kgView.nodeView.get().every(n => n.degree > 0)")
    run.page.check("#isolated")
    assert run.js("kgView.nodeView.getIds().length") == drawn + isolated
    assert "无关系的节点" in run.page.inner_text("#classes")


def test_the_best_connected_names_show_at_the_zoom_that_fits_the_graph(browser, sample_build):
    run = PageRun(browser, (sample_build / "graph.html").as_uri())
    sizes = run.js("(() => { const s = kgView.network.getScale(); const body = kgView.network.body;"
                   "return JSON.parse(document.getElementById('kg-data').textContent).labelled"
                   ".map(id => body.nodes[id].options.font.size * s); })()")
    assert len(sizes) >= 10 and min(sizes) >= 9       # on-screen pixels: readable, far above vis's 5 px threshold


def test_english_names_on_request(browser, sample_build, tmp_path):
    kg("view", "--store", sample_build / "store", "-o", tmp_path / "en.html", "--lang", "en")
    run = PageRun(browser, (tmp_path / "en.html").as_uri())
    assert "Organization" in run.page.inner_text("#classes") and "runs" in run.page.inner_text("#relations")
    run.js("kgView.search('统战部')")
    assert "class: Party organization" in run.page.inner_text("#info")
    p = kg("view", "--store", sample_build / "store", "-o", tmp_path / "x.html", "--lang", "fr", check=False)
    assert p.returncode == 2 and "invalid choice" in p.stderr


def test_a_large_view_names_an_edge_only_while_it_is_hovered(browser, tmp_path):
    nodes = {f"n{i}": Node(f"节点{i}", "Program" if i % 2 else "PartyOrganization") for i in range(60)}
    edges = [(f"n{i}", f"n{i + 1}", "runs") for i in range(0, 58, 2)]
    page = tmp_path / "large.html"
    page.write_text(render(nodes, edges, ViewOptions(threshold=20)), encoding="utf-8")
    run = PageRun(browser, page.as_uri())
    assert run.js("kgView.edges.get().every(e => e.label === undefined)")
    run.js("kgView.network.emit('hoverNode', {node: 'n0'})")
    assert run.js("kgView.edges.get(0).label") == "开展"
    run.js("kgView.network.emit('blurNode', {node: 'n0'})")
    assert run.js("kgView.edges.get(0).label") is None
    assert run.errors() == []


def test_the_page_is_drawn_without_importing_ipython_and_ipython_stays_whole():
    """pyvis is imported under a stand-in for IPython.display (its only IPython
    name, IFrame, serves notebooks): drawing a page does not import IPython, a later
    import gets the real package, and pyvis's IFrame still makes the real one."""
    import subprocess
    import sys
    code = ("import sys\n"
            "from kg.view import render, Node\n"
            "html = render({'a': Node('甲市', 'Place'), 'b': Node('乙县', 'Place')}, [('a', 'b', 'within')])\n"
            "assert 'IPython' not in sys.modules, 'IPython imported'\n"
            "import IPython.display, pyvis.network\n"
            "assert IPython.display.__file__, 'stand-in left behind'\n"
            "frame = pyvis.network.IFrame('page.html', 10, 10)\n"
            "print(type(frame).__module__, 'vis-network' in html or 'vis.Network' in html)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["IPython.lib.display", "True"]
