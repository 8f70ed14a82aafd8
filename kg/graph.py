"""Stage 6: the RDF graph. The only stage that makes IRIs.

Each document becomes a set of statements: its entities (type, labels), the
relations it asserts, one assertion node per (relation, sentence) with the rule and
confidence, its metrics, and the sentences they came from. The union of the
documents' statements is the knowledge graph; since IRIs depend only on class
family and canonical name, documents built apart merge by plain union. kg.store
keeps that union, each triple once, as the default graph, and in each document's
named graph what the document says of nodes others may share (DocumentGraph).
"""
from __future__ import annotations

import hashlib
import os
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from kg import vocab
from kg.errors import OutputError
from kg.model import Entity, EntityKey, Extraction

KG = vocab.KG
ID = "https://w3id.org/kgcn/id/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
IANA = "https://www.iana.org/assignments/media-types/"
# predeclared in every query (and written in Turtle): kg's own, and the standard
# vocabularies its terms align with
PREFIXES = {"kg": KG, "id": ID, "rdf": RDF, "rdfs": RDFS, "skos": SKOS, "prov": PROV, "xsd": XSD, "org": vocab.ORG,
            "schema": "https://schema.org/", "dcterms": "http://purl.org/dc/terms/", "dcat": vocab.DCAT,
            "owl": "http://www.w3.org/2002/07/owl#"}
_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
FAMILY_PATH = {"Organization": "org", "Place": "place", "Base": "base", "Program": "program", "Event": "event",
               "Project": "project", "Document": "document", "Honor": "honor", "Person": "person", "Concept": "concept"}


# the characters RFC 3987 allows unencoded in an IRI path beyond ASCII (ucschar)
_UCS = ((0xA0, 0xD7FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFEF), *((p, p + 0xFFFD) for p in range(0x10000, 0xE0000, 0x10000)),
        (0xE1000, 0xEFFFD))


def _ucschar(ch: str) -> bool:
    c = ord(ch)
    return any(a <= c <= b for a, b in _UCS) and not ch.isspace()


@lru_cache(maxsize=1 << 16)
def _slug(name: str) -> str:
    """IRI-safe form of a name: CJK stays readable; unsafe ASCII, characters an IRI
    may not hold (U+FFFD, private use, controls) and the undecodable bytes of a file
    name (surrogate escapes) are percent-encoded."""
    out = []
    for ch in name:
        if ch in _SAFE or (ord(ch) > 127 and _ucschar(ch)):
            out.append(ch)
        else:
            try:
                raw = ch.encode("utf-8", "surrogateescape")
            except UnicodeEncodeError:
                raw = ch.encode("utf-8", "surrogatepass")
            out.append("".join(f"%{b:02X}" for b in raw))
    return "".join(out)


def _shown(name: str) -> str:
    """A file name as text: bytes that did not decode (surrogate escapes) become U+FFFD."""
    return name.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


@lru_cache(maxsize=1 << 16)
def entity_iri(key: EntityKey) -> ox.NamedNode:
    scope = f"{_slug(key.scope)}/" if key.scope else ""
    return ox.NamedNode(f"{ID}{FAMILY_PATH[key.family]}/{scope}{_slug(key.name)}")


def role_iri(post: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}role/{_slug(post)}")


def membership_iri(person: str, org: str, post: str) -> ox.NamedNode:
    """One node per (person, body, post), whichever documents state it."""
    h = hashlib.sha1(f"{person}|{org}|{post}".encode()).hexdigest()[:16]
    return ox.NamedNode(f"{ID}membership/{h}")


def doc_iri(doc_id: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}doc/{_slug(doc_id)}")


def sentence_iri(doc_id: str, index: int) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}doc/{_slug(doc_id)}/sentence/{index}")


# A document's graph is written as N-Triples text: terms made once as text (each
# IRI checked once by Oxigraph) cost a fraction of a Triple object per statement.

@lru_cache(maxsize=1 << 16)
def _e(key: EntityKey) -> str:
    return str(entity_iri(key))


@lru_cache(maxsize=None)
def _t(local: str) -> str:
    return str(ox.NamedNode(vocab.term(local)))


@lru_cache(maxsize=None)
def _types(iri: str) -> tuple[str, ...]:
    """A class and every class the ontology puts above it, as N-Triples terms:
    stated, so queries in ORG, PROV-O or schema.org terms need no reasoner."""
    return tuple(_n(c) for c in (iri, *vocab.superclasses(iri)))


@lru_cache(maxsize=None)
def _props(local: str) -> tuple[str, ...]:
    iri = vocab.term(local)
    return tuple(_n(p) for p in (iri, *vocab.superproperties(iri)))


def _typed(add, n: str, iri: str) -> None:
    """The class a document states of ``n``, and the classes above it as entailed
    (see DocumentGraph.entailed)."""
    stated, *above = _types(iri)
    add(n, TYPE, stated)
    for t in above:
        add(n, TYPE, t, True)


@lru_cache(maxsize=None)
def _org(local: str) -> str:
    return str(ox.NamedNode(vocab.org_term(local)))


@lru_cache(maxsize=None)
def _dcat(local: str) -> str:
    return str(ox.NamedNode(vocab.dcat_term(local)))


def _n(iri: str) -> str:
    return str(ox.NamedNode(iri))


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_TYPED = {t: f"^^<{XSD}{t}>" for t in ("boolean", "integer", "decimal", "gYear")}
_INT = _TYPED["integer"]
TYPE, PREF, ALT, LABEL, DERIVED = (f"<{RDF}type>", f"<{SKOS}prefLabel>", f"<{SKOS}altLabel>", f"<{RDFS}label>",
                                   f"<{PROV}wasDerivedFrom>")


def _str(v: str) -> str:
    # most literals need no escape, and four scans of a sentence cost a fifth of
    # translate's table lookup per character
    if '"' in v or "\\" in v or "\n" in v or "\r" in v:
        v = v.translate(_ESCAPES)
    return '"' + v + '"'


def _zh(s: str) -> str:
    return _str(s) + "@zh"


def _lit(v) -> str:
    if isinstance(v, bool):
        return '"true"' + _TYPED["boolean"] if v else '"false"' + _TYPED["boolean"]
    if isinstance(v, int):
        return f'"{v}"' + _TYPED["integer"]
    if isinstance(v, float):
        s = f"{v:.6f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
        return f'"{s}"' + _TYPED["decimal"]
    return _str(str(v))


def triples(x: Extraction) -> tuple[list[str], list[str], list[str]]:
    """(named graph, own statements, entailed) of one document, as N-Triples lines
    (see DocumentGraph): own are those about or pointing at the document's own
    nodes, whose IRIs extend the document's, or pointing at the document; entailed
    are the classes above those it states of shared nodes."""
    g = str(doc_iri(x.doc.id))
    mine = g[:-1] + "/"
    named: list[str] = []
    own: list[str] = []
    entailed: list[str] = []

    def add(s, p, o, entails: bool = False):
        (own if s.startswith(mine) or o.startswith(mine) or o == g else entailed if entails else named).append(
            f"{s} {p} {o} .\n")

    _document(x.doc, g, add)
    for name in sorted(set(x.context.values())):
        add(g, _t("contextArea"), _e(EntityKey("Place", name)))
    sentence = _sentences(x.doc.id)
    used: set[int] = set()       # the sentences something points at
    starts = [s.start for s in x.sentences]
    # the statements about the document's own nodes are written straight to ``own``
    # (what add would decide for them), a block per node where the node is new
    mentioned = f" {_t('mentionedIn')} "
    for e in x.entities:
        n = _entity(e, named, entailed, own, g)
        for si in sorted({x.sentences[max(bisect_right(starts, a) - 1, 0)].index for a, _ in e.mentions}):
            own.append(f"{n}{mentioned}{sentence(si)} .\n")
            used.add(si)
    for r in x.relations:
        _assertion(r, g, sentence, add, own)
        used.add(r.provenance.sentence)
    for i, m in enumerate(x.metrics):
        own.append(_metric(f"<{g[1:-1]}/metric/{i}>", m, sentence, x.doc.source_text))
        used.add(m.provenance.sentence)
    _sentence_nodes(x, g, sentence, sorted(used), own)
    return named, own, entailed


@lru_cache(maxsize=1)
def _own_terms() -> dict[str, str]:
    """' <predicate> ' of each statement written about a document's own nodes."""
    return {k: f" {_t(k)} " for k in ("inDocument", "text", "start", "end", "index", "page", "sourceText", "rule",
                                      "confidence", "periodStart", "periodEnd")}


def _sentence_nodes(x: Extraction, g: str, sentence, used: list[int], own: list[str]) -> None:
    """The sentences something points at: text as written (traditional stays so), offsets, page."""
    t = _own_terms()
    classes = [f" {TYPE} {c} .\n" for c in _types(vocab.term("Sentence"))]
    sent_of = {s.index: s for s in x.sentences}
    doc = x.doc
    for si in used:
        s = sent_of[si]
        n = sentence(si)
        page = doc.page(s.start)
        own.append(f"{n}{n.join(classes)}{n}{t['inDocument']}{g} .\n"
                   f"{n}{t['text']}{_zh(doc.source_text(s.start, s.end))} .\n"
                   f"{n}{t['start']}\"{s.start}\"{_INT} .\n{n}{t['end']}\"{s.end}\"{_INT} .\n"
                   f"{n}{t['index']}\"{s.index}\"{_INT} .\n"
                   + (f"{n}{t['page']}\"{page}\"{_INT} .\n" if page is not None else ""))


def _sentences(doc_id: str):
    base = str(sentence_iri(doc_id, 0))[:-2]       # checked once: ".../sentence/" with its "<"
    return lambda index: f"{base}{index}>"


def _document(doc, g: str, add) -> None:
    """The document node: where the text came from (file, format, size, hash, pages)
    and how it was read (encoding, script)."""
    src = doc.source
    _typed(add, g, vocab.term("SourceDocument"))
    add(g, LABEL, _str(_shown(doc.id)))
    add(g, _t("fileName"), _str(_shown(os.path.basename(doc.path))))
    add(g, _t("filePath"), _str(_shown(src.name or os.path.basename(doc.path))))
    add(g, _dcat("mediaType"), _n(IANA + src.media_type))
    if src.size:
        add(g, _dcat("byteSize"), _lit(src.size))    # xsd:integer: Oxigraph stores nonNegativeInteger as it
    if src.sha256:
        add(g, _t("sha256"), _str(src.sha256))
    if src.pages:
        add(g, _t("pageCount"), _lit(len(src.pages)))
    if doc.encoding:                  # a PDF or DOCX has no text encoding of its own
        add(g, _t("encoding"), _str(doc.encoding))
    add(g, _t("script"), _str(doc.script))
    add(g, _t("characters"), _lit(len(doc.text)))


def _assertion(r, g: str, sentence, add, own: list[str]) -> None:
    """A relation triple and its kg:Assertion node (rule, confidence, sentence)."""
    s, o = _e(r.subject), _e(r.object)
    p, *above = _props(r.predicate)
    add(s, p, o)
    for q in above:
        add(s, q, o)
    pv = r.provenance
    h = hashlib.sha1(f"{s[1:-1]}|{r.predicate}|{o[1:-1]}|{pv.sentence}|{pv.rule}".encode()).hexdigest()[:16]
    a = f"<{g[1:-1]}/assertion/{h}>"
    t = _own_terms()
    # line by line: two relations may share their assertion node (and all but the confidence)
    own.extend(f"{a} {TYPE} {c} .\n" for c in _types(vocab.term("Assertion")))
    own += (f"{a} <{RDF}subject> {s} .\n", f"{a} <{RDF}predicate> {p} .\n", f"{a} <{RDF}object> {o} .\n",
            f"{a} {DERIVED} {sentence(pv.sentence)} .\n", f"{a}{t['rule']}{_str(pv.rule)} .\n",
            f"{a}{t['confidence']}{_lit(float(pv.confidence))} .\n")
    if r.predicate == "memberOf" and r.post:
        _membership(s, o, r.post, r.post_text, sentence(pv.sentence), add)


def _metric(n: str, m, sentence, source_text) -> str:
    """A metric node's statements (its IRI is new: one block)."""
    # a metric keeps its one type: scorers and users count metric nodes by their
    # type statements, so a second type (schema:QuantitativeValue) would count it twice
    t = _own_terms()
    out = [f"{n} {TYPE} {_t('Metric')} .\n"]
    for prop, term in _statistic_terms(m):
        if term is not None:
            out.append(f"{n} {_t(prop)} {term} .\n")
    if m.years:
        out.append(f"{n}{t['periodStart']}\"{int(m.years[0])}\"{_TYPED['gYear']} .\n"
                   f"{n}{t['periodEnd']}\"{int(m.years[1])}\"{_TYPED['gYear']} .\n")
    out.append(f"{n}{t['sourceText']}{_zh(source_text(m.start, m.end))} .\n"
               f"{n}{t['start']}\"{m.start}\"{_INT} .\n{n}{t['end']}\"{m.end}\"{_INT} .\n"
               f"{n} {DERIVED} {sentence(m.provenance.sentence)} .\n{n}{t['rule']}{_str(m.provenance.rule)} .\n"
               f"{n}{t['confidence']}{_lit(float(m.provenance.confidence))} .\n")
    return "".join(out)


def _statistic_terms(m) -> tuple[tuple[str, str | None], ...]:
    """What a metric says about what, as (property, term; None where it says nothing):
    the statements _metric writes and the store's distinct statistics compare."""
    return (("about", _e(m.about) if m.about is not None else None), ("indicator", _zh(m.indicator)),
            ("value", _lit(float(m.value))), ("unit", _t(m.unit)), ("approximate", _lit(bool(m.approximate))),
            ("period", _zh(m.period) if m.period else None))


def statistic_key(m) -> bytes:
    """8 bytes that are the same for two metrics exactly when they say the same
    about the same thing (kg.counts), whichever documents and sentences state them."""
    terms = "\n".join(term or "" for _, term in _statistic_terms(m))
    return hashlib.blake2b(terms.encode(), digest_size=8).digest()


def _membership(person: str, org: str, post: str, post_text: str, sentence: str, add) -> None:
    """The post behind a memberOf, as a W3C ORG membership with its role and sentence."""
    n = str(membership_iri(person[1:-1], org[1:-1], post))
    role = str(role_iri(post))
    _typed(add, n, vocab.org_term("Membership"))
    add(n, _org("member"), person)
    add(n, _org("organization"), org)
    add(n, _org("role"), role)
    add(n, LABEL, _zh(post_text or post))
    add(n, DERIVED, sentence)
    _typed(add, role, vocab.org_term("Role"))
    add(role, PREF, _zh(post))


def _entity(e: Entity, named: list[str], entailed: list[str], own: list[str], g: str) -> str:
    """An entity's statements, and its IRI. Entity IRIs never extend a document's,
    so all but its wasDerivedFrom the document are the named graph's (what add
    would decide, without asking it per line)."""
    n = _e(e.key)
    stated, *above = _types(vocab.term(e.cls))
    named.append(f"{n} {TYPE} {stated} .\n")
    entailed.extend(f"{n} {TYPE} {c} .\n" for c in above)
    named.append(f"{n} {PREF} {_zh(e.name)} .\n")
    named.extend(f"{n} {ALT} {_zh(a)} .\n" for a in e.aliases)
    by = _t("extractedBy")
    named.extend(f"{n} {by} {_str(ex)} .\n" for ex in e.extractors)
    named.append(f"{n} {_t('confidence')} {_lit(float(e.confidence))} .\n")
    own.append(f"{n} {DERIVED} {g} .\n")
    if e.code:
        named.append(f"{n} {_t('divisionCode')} {_str(e.code)} .\n")
    if e.within is not None:
        named.append(f"{n} {_t('gazetteerWithin')} {_e(e.within)} .\n")
    if e.key.scope:
        named.append(f"{n} {_t('namedWithin')} {_e(EntityKey('Place', e.key.scope))} .\n")
    return n


# ---------------------------------------------------------------- per document

@dataclass(frozen=True)
class DocumentGraph:
    """What a worker hands the writer for one document: its graph as N-Triples and
    the few counts the build summary needs (not the extraction itself).

    The graph comes in three parts. ``own`` is what no other document can state: the
    statements about the document's own nodes (its sentences, assertions and
    metrics, whose IRIs extend the document's), those pointing at them
    (mentionedIn, wasDerivedFrom a sentence) and those pointing at the document
    (an entity's wasDerivedFrom it). It goes to the default graph only, where a
    replacement finds it again from the document: its sentences are inDocument
    it, its assertions and metrics derived from those. ``ntriples`` is the
    document's named graph: what it says of shared nodes (entities, relations,
    memberships, the document node), which may be said by others too; of a node's
    classes it holds the one the document states. ``entailed`` are the classes the
    ontology puts above those (org:Organization, prov:Location, schema:Place …):
    the default graph has them, so queries in standard terms need no reasoner, but
    they are what the statement implies, not more that the document says, and a
    replacement keeps one while any document states a class below it. A triple in
    a named graph costs the store twice what one in the default graph does; own
    statements are about two in three of a report's, entailed classes over a
    quarter of the rest."""
    doc_id: str
    graph: str
    ntriples: bytes
    sentences: int
    characters: int
    relations: tuple[tuple[str, int], ...]
    metrics: int
    posts: int
    entities: tuple[tuple[str, str], ...]    # (IRI, class)
    path: str = ""
    replaced: int = 0                          # undecodable bytes read as U+FFFD
    own: bytes = b""
    own_turtle: bytes = b""     # ``own`` sorted, as Turtle without the prefix lines (asked for by a fresh build)
    statistic_keys: bytes = b""     # statistic_key of each metric, joined
    entailed: bytes = b""     # the classes above those ``ntriples`` states: the default graph's only

    @property
    def statements(self) -> int:
        """How many distinct statements the document makes."""
        return self.own.count(b"\n") + self.ntriples.count(b"\n") + self.entailed.count(b"\n")

    def nquads(self, shared: bytes) -> bytes:
        """The named graph as N-Quads, the part of it the default graph still needs
        (``shared``: the writer knows what earlier documents gave it) and the own
        statements, for the bulk loader; made where it is loaded, so a worker sends
        less. Every line ends " .\\n" (a newline inside a literal is escaped), so
        naming the graph is one replace."""
        return self.ntriples.replace(b" .\n", f" <{self.graph}> .\n".encode()) + shared + self.own


@lru_cache(maxsize=1)
def turtle_header() -> bytes:
    """The prefix lines Oxigraph's Turtle serializer opens with (it writes every
    prefix it is given, used or not)."""
    probe = ox.Triple(ox.NamedNode("urn:kg:s"), ox.NamedNode("urn:kg:p"), ox.NamedNode("urn:kg:o"))
    out = ox.serialize([probe], format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    return out[:out.rindex(b"<urn:kg:s>")]


def turtle_chunk(ntriples: str) -> bytes:
    """N-Triples lines as Turtle (sorted, so each subject's statements sit
    together), without the prefix lines: chunks of several documents join into one
    file under one header."""
    if not ntriples:
        return b""
    lines = b"".join(sorted(ntriples.encode().splitlines(keepends=True)))   # (str.splitlines also splits at U+2028 …)
    # lenient: these lines are this stage's own, their IRIs made (and validated) by NamedNode
    out = ox.serialize(ox.parse(lines, ox.RdfFormat.N_TRIPLES, lenient=True), format=ox.RdfFormat.TURTLE,
                       prefixes=PREFIXES)
    if not out.startswith(turtle_header()):
        raise OutputError("Oxigraph's Turtle no longer opens with its prefix lines; graph.ttl cannot be joined")
    return out[len(turtle_header()):]


def document_graph(x: Extraction, turtle: bool = False) -> DocumentGraph:
    """The document's graph for the writer; with ``turtle``, its own statements
    as Turtle too (kg.turtle: a fresh build's graph.ttl is made of them)."""
    g = doc_iri(x.doc.id).value
    named, own, entailed = ("".join(dict.fromkeys(lines)) for lines in triples(x))    # each statement once
    rel = Counter(r.predicate for r in x.relations)
    posts = len({(r.subject, r.object, r.post) for r in x.relations if r.predicate == "memberOf" and r.post})
    return DocumentGraph(x.doc.id, g, named.encode(), len(x.sentences), len(x.doc.text),
                         tuple(sorted(rel.items())), len(x.metrics), posts,
                         tuple(sorted((entity_iri(e.key).value, e.cls) for e in x.entities)),
                         x.doc.path, x.doc.replaced, own.encode(), turtle_chunk(own) if turtle else b"",
                         b"".join(map(statistic_key, x.metrics)), entailed.encode())


def entity_counts(classes: Iterable[tuple[str, str]]) -> Counter:
    """Entities by class from (IRI, class) pairs: one count per IRI, under its fine
    class where documents gave it one."""
    from kg.model import fine_class
    types: dict[str, set[str]] = {}
    for iri, cls in classes:
        types.setdefault(iri, set()).add(cls)
    return Counter(map(fine_class, types.values()))
