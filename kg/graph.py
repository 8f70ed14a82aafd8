"""Stage 6: the RDF graph. The only stage that makes IRIs.

Each document becomes one named graph holding everything derived from it: its
entities (type, labels), the relations it asserts, one assertion node per
(relation, sentence) with the rule and confidence, its metrics, and the sentences
they came from. The union of the named graphs is the knowledge graph; since IRIs
depend only on class family and canonical name, documents built apart merge by
plain union. kg.store keeps that union, each triple once, as the default graph.
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
PREFIXES = {"kg": KG, "id": ID, "rdf": RDF, "rdfs": RDFS, "skos": SKOS, "prov": PROV, "xsd": XSD, "org": vocab.ORG,
            "dcat": vocab.DCAT}
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


def membership_iri(person: ox.NamedNode, org: ox.NamedNode, post: str) -> ox.NamedNode:
    """One node per (person, body, post), whichever documents state it."""
    h = hashlib.sha1(f"{person.value}|{org.value}|{post}".encode()).hexdigest()[:16]
    return ox.NamedNode(f"{ID}membership/{h}")


@lru_cache(maxsize=None)
def _org(local: str) -> ox.NamedNode:
    return ox.NamedNode(vocab.org_term(local))


def doc_iri(doc_id: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}doc/{_slug(doc_id)}")


def sentence_iri(doc_id: str, index: int) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}doc/{_slug(doc_id)}/sentence/{index}")


@lru_cache(maxsize=None)
def _t(local: str) -> ox.NamedNode:
    return ox.NamedNode(vocab.term(local))


@lru_cache(maxsize=None)
def _dcat(local: str) -> ox.NamedNode:
    return ox.NamedNode(vocab.dcat_term(local))


def _lit(v) -> ox.Literal:
    if isinstance(v, bool):
        return ox.Literal("true" if v else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(v, int):
        return ox.Literal(str(v), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(v, float):
        s = f"{v:.6f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
        return ox.Literal(s, datatype=ox.NamedNode(XSD + "decimal"))
    return ox.Literal(str(v))


def _zh(s: str) -> ox.Literal:
    return ox.Literal(s, language="zh")


def triples(x: Extraction) -> list[ox.Triple]:
    """All triples of one document's named graph."""
    g = doc_iri(x.doc.id)
    out: list[ox.Triple] = []

    def add(s, p, o):
        out.append(ox.Triple(s, p, o))

    _document(x.doc, g, add)
    for name in sorted(set(x.context.values())):
        add(g, _t("contextArea"), entity_iri(EntityKey("Place", name)))
    used: set[int] = set()       # the sentences something points at
    starts = [s.start for s in x.sentences]
    for e in x.entities:
        _entity(e, add, g)
        for si in sorted({x.sentences[max(bisect_right(starts, a) - 1, 0)].index for a, _ in e.mentions}):
            add(entity_iri(e.key), _t("mentionedIn"), sentence_iri(x.doc.id, si))
            used.add(si)
    for r in x.relations:
        _assertion(r, g, x.doc.id, add)
        used.add(r.provenance.sentence)
    for i, m in enumerate(x.metrics):
        _metric(ox.NamedNode(f"{g.value}/metric/{i}"), m, x.doc.id, add, x.doc.source_text)
        used.add(m.provenance.sentence)
    sent_of = {s.index: s for s in x.sentences}
    for si in sorted(used):
        s = sent_of[si]
        n = sentence_iri(x.doc.id, si)
        add(n, RDF_TYPE, _t("Sentence"))
        add(n, _t("inDocument"), g)
        add(n, _t("text"), _zh(x.doc.source_text(s.start, s.end)))   # as written: traditional stays so
        add(n, _t("start"), _lit(s.start))
        add(n, _t("end"), _lit(s.end))
        add(n, _t("index"), _lit(s.index))
        page = x.doc.page(s.start)
        if page is not None:
            add(n, _t("page"), _lit(page))
    return out


def _document(doc, g: ox.NamedNode, add) -> None:
    """The document node: where the text came from (file, format, size, hash, pages)
    and how it was read (encoding, script)."""
    src = doc.source
    add(g, RDF_TYPE, _t("SourceDocument"))
    add(g, RDF_TYPE, ox.NamedNode(PROV + "Entity"))
    add(g, ox.NamedNode(RDFS + "label"), ox.Literal(_shown(doc.id)))
    add(g, _t("fileName"), ox.Literal(_shown(os.path.basename(doc.path))))
    add(g, _t("filePath"), ox.Literal(_shown(src.name or os.path.basename(doc.path))))
    add(g, _dcat("mediaType"), ox.NamedNode(IANA + src.media_type))
    if src.size:
        add(g, _dcat("byteSize"), _lit(src.size))    # xsd:integer: Oxigraph stores nonNegativeInteger as it
    if src.sha256:
        add(g, _t("sha256"), ox.Literal(src.sha256))
    if src.pages:
        add(g, _t("pageCount"), _lit(len(src.pages)))
    if doc.encoding:                  # a PDF or DOCX has no text encoding of its own
        add(g, _t("encoding"), ox.Literal(doc.encoding))
    add(g, _t("script"), ox.Literal(doc.script))
    add(g, _t("characters"), _lit(len(doc.text)))


def _assertion(r, g: ox.NamedNode, doc_id: str, add) -> None:
    """A relation triple and its kg:Assertion node (rule, confidence, sentence)."""
    s, o = entity_iri(r.subject), entity_iri(r.object)
    p = _t(r.predicate)
    add(s, p, o)
    pv = r.provenance
    h = hashlib.sha1(f"{s.value}|{r.predicate}|{o.value}|{pv.sentence}|{pv.rule}".encode()).hexdigest()[:16]
    a = ox.NamedNode(f"{g.value}/assertion/{h}")
    add(a, RDF_TYPE, _t("Assertion"))
    add(a, ox.NamedNode(RDF + "subject"), s)
    add(a, ox.NamedNode(RDF + "predicate"), p)
    add(a, ox.NamedNode(RDF + "object"), o)
    add(a, ox.NamedNode(PROV + "wasDerivedFrom"), sentence_iri(doc_id, pv.sentence))
    add(a, _t("rule"), ox.Literal(pv.rule))
    add(a, _t("confidence"), _lit(float(pv.confidence)))
    if r.predicate == "memberOf" and r.post:
        _membership(s, o, r.post, r.post_text, sentence_iri(doc_id, pv.sentence), add)


def _metric(n: ox.NamedNode, m, doc_id: str, add, source_text) -> None:
    add(n, RDF_TYPE, _t("Metric"))
    if m.about is not None:
        add(n, _t("about"), entity_iri(m.about))
    add(n, _t("indicator"), _zh(m.indicator))
    add(n, _t("value"), _lit(float(m.value)))
    add(n, _t("unit"), _t(m.unit))
    add(n, _t("approximate"), _lit(bool(m.approximate)))
    if m.period:
        add(n, _t("period"), _zh(m.period))
    if m.years:
        add(n, _t("periodStart"), ox.Literal(str(m.years[0]), datatype=ox.NamedNode(XSD + "gYear")))
        add(n, _t("periodEnd"), ox.Literal(str(m.years[1]), datatype=ox.NamedNode(XSD + "gYear")))
    add(n, _t("sourceText"), _zh(source_text(m.start, m.end)))
    add(n, _t("start"), _lit(m.start))
    add(n, _t("end"), _lit(m.end))
    add(n, ox.NamedNode(PROV + "wasDerivedFrom"), sentence_iri(doc_id, m.provenance.sentence))
    add(n, _t("rule"), ox.Literal(m.provenance.rule))
    add(n, _t("confidence"), _lit(float(m.provenance.confidence)))


def _membership(person, org, post: str, post_text: str, sentence, add) -> None:
    """The post behind a memberOf, as a W3C ORG membership with its role and sentence."""
    n = membership_iri(person, org, post)
    role = role_iri(post)
    add(n, RDF_TYPE, _org("Membership"))
    add(n, _org("member"), person)
    add(n, _org("organization"), org)
    add(n, _org("role"), role)
    add(n, ox.NamedNode(RDFS + "label"), _zh(post_text or post))
    add(n, ox.NamedNode(PROV + "wasDerivedFrom"), sentence)
    add(role, RDF_TYPE, _org("Role"))
    add(role, ox.NamedNode(SKOS + "prefLabel"), _zh(post))


def _entity(e: Entity, add, g) -> None:
    n = entity_iri(e.key)
    add(n, RDF_TYPE, _t(e.cls))
    add(n, ox.NamedNode(SKOS + "prefLabel"), _zh(e.name))
    for a in e.aliases:
        add(n, ox.NamedNode(SKOS + "altLabel"), _zh(a))
    for ex in e.extractors:
        add(n, _t("extractedBy"), ox.Literal(ex))
    add(n, _t("confidence"), _lit(float(e.confidence)))
    add(n, ox.NamedNode(PROV + "wasDerivedFrom"), g)
    if e.code:
        add(n, _t("divisionCode"), ox.Literal(e.code))
    if e.within is not None:
        add(n, _t("gazetteerWithin"), entity_iri(e.within))
    if e.key.scope:
        add(n, _t("namedWithin"), entity_iri(EntityKey("Place", e.key.scope)))


# ---------------------------------------------------------------- per document

@dataclass(frozen=True)
class DocumentGraph:
    """What a worker hands the writer for one document: its graph as N-Triples,
    the same as N-Quads together with the default-graph copy (for the bulk loader),
    and the few counts the build summary needs (not the extraction itself)."""
    doc_id: str
    graph: str
    ntriples: bytes
    nquads: bytes
    sentences: int
    characters: int
    relations: tuple[tuple[str, int], ...]
    metrics: int
    posts: int
    entities: tuple[tuple[str, str], ...]    # (IRI, class)
    path: str = ""
    replaced: int = 0                          # undecodable bytes read as U+FFFD


def document_graph(x: Extraction) -> DocumentGraph:
    g = doc_iri(x.doc.id)
    nt = ox.serialize(dict.fromkeys(triples(x)), format=ox.RdfFormat.N_TRIPLES)   # each once
    # every N-Triples line ends " .\n" (a newline inside a literal is escaped), so
    # naming the graph is one replace; the plain lines are the default-graph copy
    nq = nt.replace(b" .\n", f" {g} .\n".encode()) + nt
    rel = Counter(r.predicate for r in x.relations)
    posts = len({(r.subject, r.object, r.post) for r in x.relations if r.predicate == "memberOf" and r.post})
    return DocumentGraph(x.doc.id, doc_iri(x.doc.id).value, nt, nq, len(x.sentences), len(x.doc.text),
                         tuple(sorted(rel.items())), len(x.metrics), posts,
                         tuple(sorted((entity_iri(e.key).value, e.cls) for e in x.entities)),
                         x.doc.path, x.doc.replaced)


def entity_counts(classes: Iterable[tuple[str, str]]) -> Counter:
    """Entities by class from (IRI, class) pairs: one count per IRI, under its fine
    class where documents gave it one."""
    from kg.model import fine_class
    types: dict[str, set[str]] = {}
    for iri, cls in classes:
        types.setdefault(iri, set()).add(cls)
    return Counter(map(fine_class, types.values()))
