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


def own_statement(t) -> str | None:
    """The document a default-graph-only statement belongs to: about or pointing at
    one of its own nodes, or pointing at the document itself; else None."""
    import pyoxigraph as ox
    o = t.object
    return own_of(t.subject) or own_of(o) or (
        o.value if isinstance(o, ox.NamedNode) and o.value.startswith(DOC) and "/" not in o.value[len(DOC):]
        else None)


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def entailed(triples) -> set:
    """The (node, rdf:type, class above) triples that the classes in ``triples`` entail."""
    import pyoxigraph as ox
    from kg import vocab
    rdf_type = ox.NamedNode(RDF_TYPE)
    return {ox.Triple(t.subject, rdf_type, ox.NamedNode(above)) for t in triples if t.predicate == rdf_type
            for above in vocab.superclasses(t.object.value)}


def _entailing(docs: dict[str, set]) -> dict:
    """(node, rdf:type, class above) -> the documents whose stated classes of the
    node entail it."""
    out: dict = {}
    for g, triples in docs.items():
        for t in entailed(triples):
            out.setdefault(t, set()).add(g)
    return out


def documents_in(store) -> dict[str, frozenset]:
    """Each document's statements in an Oxigraph store, checking the data model on
    the way: the default graph is the documents' named graphs plus their own
    statements and the classes above those they state, each once; a named graph
    says nothing of an own node nor points at its document; every own node is
    found from its document as a replacement finds it; no staged graph is left."""
    import pyoxigraph as ox
    from kg.store import OWN_STAGING, STAGING
    default = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    docs: dict[str, set] = {}
    for g in store.named_graphs():
        assert not g.value.endswith((STAGING, OWN_STAGING)), f"staged graph left: {g.value}"
        docs[g.value] = {q.triple for q in store.quads_for_pattern(None, None, None, g)}
    union = set().union(*docs.values())
    assert union <= default, "a named graph's triple is missing from the default graph"
    for g, triples in docs.items():
        assert not any(own_statement(t) for t in triples), f"{g} holds own statements"
    entails = _entailing(docs)
    for t in default - union:
        g = own_statement(t)
        if g is None and t in entails:       # a class above one that documents state
            for g in entails[t]:
                docs[g].add(t)
            continue
        assert g in docs, f"a default-graph triple no document holds: {t}"
        docs[g].add(t)
    for g, triples in docs.items():
        nodes = {t.subject for t in triples if own_of(t.subject)}
        sentences = {t.subject for t in triples if t.predicate.value.endswith("#inDocument")
                     and t.object == ox.NamedNode(g)}
        found = sentences | {t.subject for t in triples if own_of(t.subject) and t.object in sentences
                             and t.predicate.value.endswith("#wasDerivedFrom")}
        assert nodes == found, f"{g}: own nodes a replacement would not find: {sorted(map(str, nodes - found))[:3]}"
    return {g: frozenset(t) for g, t in docs.items()}


def busiest(store_dir, cls: str = "Organization", via: str = "kg:runs") -> str:
    """The name of the ``cls`` entity with the most ``via`` statements in a built
    store: tests of the plumbing pick their entity from the build, never by a name
    of the sample reports."""
    from kg.graph import PREFIXES
    from kg.store import LocalStore
    store = LocalStore(store_dir, create=False, read_only=True)
    rows = list(store.query(f"SELECT ?l (COUNT(*) AS ?n) WHERE {{ ?e a kg:{cls} ; skos:prefLabel ?l ; {via} ?o }} "
                            "GROUP BY ?l ORDER BY DESC(?n) ?l LIMIT 1", PREFIXES))
    assert rows, f"no {cls} with {via} in {store_dir}"
    return rows[0]["l"].value
