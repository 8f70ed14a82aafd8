from kg.extract import run
from kg.model import RawDocument
from kg.normalize import normalize, split_sentences
from kg.resolve import resolve
from kg.segment import segment


def context_of(text, components=None):
    doc = normalize(RawDocument("t", "t.txt", text, "utf-8"))
    return run(doc, split_sentences(doc), segment(doc.text), components)


def extraction(text):
    return resolve(context_of(text))


def found(text, components=None):
    """{(class, name)} of the mentions the components find in ``text``."""
    return {(m.cls, m.name or m.text) for m in context_of(text, components).mentions}


# ------------------------------------------------------------ the store's data model

DOC = "https://w3id.org/kgcn/id/doc/"


def own_of(term) -> str | None:
    """The document IRI a node belongs to when it is one of a document's own (a
    sentence, assertion or metric: its IRI extends the document's), else None."""
    import pyoxigraph as ox
    if isinstance(term, ox.NamedNode) and term.value.startswith(DOC) and "/" in term.value[len(DOC):]:
        return DOC + term.value[len(DOC):].split("/", 1)[0]
    return None


def documents_in(store) -> dict[str, frozenset]:
    """Each document's statements in an Oxigraph store, checking the data model on
    the way: the default graph is the documents' named graphs plus their own
    statements, each once; a named graph says nothing of an own node but its type
    (the index a replacement goes by); no staged graph is left."""
    import pyoxigraph as ox
    from kg.store import OWN_STAGING, STAGING
    default = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    docs: dict[str, set] = {}
    for g in store.named_graphs():
        assert not g.value.endswith((STAGING, OWN_STAGING)), f"staged graph left: {g.value}"
        docs[g.value] = {q.triple for q in store.quads_for_pattern(None, None, None, g)}
    union = set().union(*docs.values())
    assert union <= default, "a named graph's triple is missing from the default graph"
    for t in default - union:
        g = own_of(t.subject) or own_of(t.object)
        assert g in docs, f"a default-graph triple no document holds: {t}"
        docs[g].add(t)
    for g, triples in docs.items():
        indexed = [t for t in triples if own_of(t.subject) and t in union]
        assert all(t.predicate.value.endswith("#type") for t in indexed), f"{g} holds own statements"
        assert len(indexed) == len({t.subject for t in triples if own_of(t.subject)}), f"{g}: own nodes unindexed"
    return {g: frozenset(t) for g, t in docs.items()}
