"""The Python API, for notebooks and scripts: ``kg.build``, ``kg.open`` and
``kg.extract`` (imported lazily by kg/__init__.py, so ``import kg`` stays cheap).

>>> import kg
>>> report = kg.build(["reports/"], "out")
>>> g = kg.open("out")
>>> g.query("SELECT ?name WHERE { ?p a kg:Program ; skos:prefLabel ?name } LIMIT 3")
[{'name': '…'}, …]
>>> g.to_dataframe("statistics")            # a named query, as a pandas DataFrame
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kg.errors import KgError, StoreError


class MissingDependencyError(KgError, ImportError):
    """An optional package a function needs is not installed."""


class Rows(list):
    """A query's rows, each a dict of variable name to Python value (kg.results.to_python:
    numbers as int or float, booleans as bool, IRIs and text as str, unbound as None);
    ``variables`` keeps the columns in the query's order."""

    def __init__(self, variables: list[str], rows):
        super().__init__(rows)
        self.variables = list(variables)


def build(paths: str | Path | Iterable[str | Path], out: str | Path = "output", **options):
    """Build the documents under ``paths`` (a file, a folder, or several) into
    ``out``: out/store, out/graph.ttl and out/graph.html. Options are those of
    kg.pipeline.build (jobs, fresh, html, files, store_url, scheduler, doc_timeout);
    progress is off unless ``progress=True``. Returns the BuildReport (its
    ``lines()`` are the summary ``kg build`` prints)."""
    from kg.pipeline import build as run_build
    if isinstance(paths, (str, Path)):
        paths = [paths]
    options.setdefault("progress", False)
    return run_build(list(paths), out, **options)


def extract(text: str, doc_id: str = "text"):
    """What the pipeline finds in ``text`` (stages 2–5, no store): a kg.model.Extraction
    with its ``entities``, ``relations``, ``metrics`` and ``mentions`` as dataclasses."""
    from kg.errors import InputError
    from kg.model import RawDocument
    from kg.pipeline import extract_document
    if not isinstance(text, str):
        raise InputError(f"kg.extract takes the text as a str, not {type(text).__name__} "
                         "(read a file with kg.ingest.read, or build it with kg.build)")
    return extract_document(RawDocument(doc_id, f"<{doc_id}>", text, "utf-8"))


def _store_location(store: str | Path) -> str:
    """A store folder, a build's output folder (its store/ inside), or a server's URL."""
    if isinstance(store, str) and store.startswith(("http://", "https://")):
        return store
    p = Path(store)
    if not p.is_dir():
        raise StoreError(f"no store at {p}; build one first with kg.build(paths, {str(p.parent)!r})")
    inner = p / "store"
    # a RocksDB folder (Oxigraph's store) has a CURRENT file; an output folder has store/
    return str(inner if not (p / "CURRENT").is_file() and inner.is_dir() else p)


class Graph:
    """A built graph opened read-only: SPARQL or named queries, as rows or DataFrames.
    Prefixes kg: id: rdf: rdfs: skos: prov: xsd: org: schema: dcterms: dcat: owl: are predeclared, as in kg query."""

    def __init__(self, store: str | Path):
        from kg.store import open_store
        self.location = _store_location(store)
        open_store(self.location, create=False, read_only=True)     # fail here, not at the first query

    def __repr__(self) -> str:
        return f"kg.Graph({self.location!r})"

    def query(self, sparql: str, **params: str) -> Rows:
        """The rows of a SPARQL query, or of a named query (``kg query --list``) with
        its parameters as keywords: ``g.query("entity", entity="中原区委统战部")``.
        Keywords fill a query's own ``$name`` placeholders the same way, each value
        as a literal (``$name@zh`` for a label), so a value cannot change the query.
        ASK gives one row {"result": bool}; CONSTRUCT and DESCRIBE rows of
        subject, predicate and object. Errors are kg.errors.QueryError."""
        from kg import query as q
        from kg.results import to_python
        if sparql in q.named_queries():
            names, rows = q.run_named(self.location, sparql, params)
        else:
            if params:
                sparql = q.bind(sparql, params)
            names, rows = q.run(self.location, sparql)
        return Rows(names, (dict(zip(names, map(to_python, r))) for r in rows))

    def to_dataframe(self, sparql: str, **params: str):
        """The rows of ``query`` as a pandas DataFrame, one column per variable."""
        try:
            import pandas as pd
        except ImportError as e:
            raise MissingDependencyError("to_dataframe needs pandas, which is not installed: "
                                         "pip install pandas (or pip install 'kg[dataframe]')") from e
        rows = self.query(sparql, **params)
        return pd.DataFrame(list(rows), columns=rows.variables)


def open(store: str | Path = "output") -> Graph:      # noqa: A001 - kg.open, as the API names it
    """The graph built into ``store``: a build's output folder, its store folder,
    or the URL of a SPARQL server holding it (kg build --store-url)."""
    return Graph(store)
