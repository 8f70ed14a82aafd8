"""The analyst's tables: entities, relations, statistics and documents, each row
with the document (and, but for documents, the sentence) it comes from, as sheets
of one xlsx workbook or as CSV files in a folder.

Rows come from SPARQL over the store and are written as they arrive (openpyxl's
write-only workbook keeps no sheet in memory). Text that a spreadsheet would run
as a formula stays text: in xlsx every text cell is typed as a string, in CSV it
gets a leading ' (kg.query.neutral) unless ``raw``.
"""
from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg import graph
from kg.errors import FormatError
from kg.results import to_python

XLSX_ROWS = 1_048_576          # rows of one sheet, header included (Excel's limit)
XLSX_CELL = 32_767             # characters of one cell
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")   # what an xlsx cell cannot hold


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    widths: tuple[int, ...]       # column widths in a spreadsheet, in characters


ENTITIES = Table("entities", ("entity", "class", "aliases", "document", "sentences", "first_sentence", "iri"),
                 (28, 18, 28, 22, 10, 80, 40))
RELATIONS = Table("relations", ("subject", "subject_class", "relation", "relation_zh", "object", "object_class",
                                "document", "start", "sentence", "rule", "confidence"),
                  (28, 18, 16, 10, 28, 18, 22, 8, 80, 16, 10))
STATISTICS = Table("statistics", ("about", "indicator", "value", "unit", "approximate", "period", "from", "to",
                                  "document", "start", "sentence"),
                   (28, 24, 12, 10, 10, 14, 8, 8, 22, 8, 80))
DOCUMENTS = Table("documents", ("document", "file", "encoding", "characters", "entities", "relations",
                                "statistics", "sentences"),
                  (22, 28, 10, 10, 10, 10, 10, 10))
TABLES = (ENTITIES, RELATIONS, STATISTICS, DOCUMENTS)

_MENTIONS = ("SELECT ?e ?document ?start ?sentence WHERE { ?e kg:mentionedIn ?s . "
             "?s kg:text ?sentence ; kg:start ?start ; kg:inDocument ?d . ?d rdfs:label ?document }")
_ASSERTIONS = """SELECT ?s ?p ?o ?document ?start ?sentence ?rule ?confidence WHERE {
  ?a a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:rule ?rule ;
     kg:confidence ?confidence ; prov:wasDerivedFrom ?x .
  ?x kg:text ?sentence ; kg:start ?start ; kg:inDocument ?d . ?d rdfs:label ?document .
} ORDER BY ?document ?start ?p ?s ?o ?rule"""
_DOCUMENTS = """SELECT ?g ?document ?file ?encoding ?characters WHERE {
  GRAPH ?g { ?g a kg:SourceDocument ; rdfs:label ?document ; kg:fileName ?file ; kg:encoding ?encoding ;
             kg:characters ?characters } } ORDER BY ?document"""
# per document: how many of each it holds. Its own nodes live in the default graph
# only (kg.store): found from the document, as a replacement finds them
_PER_DOCUMENT = {
    "entities": "SELECT ?g (COUNT(DISTINCT ?e) AS ?n) WHERE { ?g a kg:SourceDocument . ?e prov:wasDerivedFrom ?g } "
                "GROUP BY ?g",
    "relations": "SELECT ?g (COUNT(?a) AS ?n) WHERE { ?s kg:inDocument ?g . ?a prov:wasDerivedFrom ?s ; "
                 "a kg:Assertion } GROUP BY ?g",
    "statistics": "SELECT ?g (COUNT(?m) AS ?n) WHERE { ?s kg:inDocument ?g . ?m prov:wasDerivedFrom ?s ; "
                  "a kg:Metric } GROUP BY ?g",
    "sentences": "SELECT ?g (COUNT(?s) AS ?n) WHERE { ?s kg:inDocument ?g ; a kg:Sentence } GROUP BY ?g",
}


def _rows(store, sparql: str):
    return store.query(sparql, graph.PREFIXES)


def entity_rows(store, nodes) -> Iterator[list]:
    """One row per entity and document that mentions it: how many of the document's
    sentences do, and the first of them; an entity no sentence mentions gets one row."""
    seen: dict[tuple[str, str], list] = {}
    for s in _rows(store, _MENTIONS):
        key = (s["e"].value, s["document"].value)
        start = to_python(s["start"])
        got = seen.get(key)
        if got is None:
            seen[key] = [1, start, s["sentence"].value]
        else:
            got[0] += 1
            if start < got[1]:
                got[1:] = [start, s["sentence"].value]
    docs: dict[str, list[str]] = {}
    for e, d in seen:
        docs.setdefault(e, []).append(d)
    for iri, (label, cls, aliases) in sorted(nodes.items(), key=lambda kv: (kv[1][0], kv[0])):
        for d in sorted(docs.get(iri, [""])):
            n, _, text = seen.get((iri, d), (0, 0, ""))
            yield [label, cls, "|".join(aliases), d, n, text, iri]


def relation_rows(store, nodes) -> Iterator[list]:
    """One row per assertion: a relation as one sentence states it (by one rule)."""
    from kg.export import relation_labels
    from kg.vocab import KG
    zh = relation_labels("zh")
    for s in _rows(store, _ASSERTIONS):
        a, b = s["s"].value, s["o"].value
        p = s["p"].value[len(KG):] if s["p"].value.startswith(KG) else s["p"].value
        sub, obj = nodes.get(a, (a, "", [])), nodes.get(b, (b, "", []))
        yield [sub[0], sub[1], p, zh.get(p, ""), obj[0], obj[1], s["document"].value, to_python(s["start"]),
               s["sentence"].value, s["rule"].value, to_python(s["confidence"])]


def statistic_rows(store) -> Iterator[list]:
    """The rows of the named query ``statistics``, every statistic with its sentence."""
    from kg.query import named_queries
    res = _rows(store, named_queries()["statistics"].text)
    names = [v.value for v in res.variables]
    for s in res:
        row = dict(zip(names, (to_python(s[n]) for n in names)))
        yield [row[c] for c in STATISTICS.columns]


def document_rows(store) -> Iterator[list]:
    counts = {k: {s["g"].value: int(s["n"].value) for s in _rows(store, q)} for k, q in _PER_DOCUMENT.items()}
    for s in _rows(store, _DOCUMENTS):
        g = s["g"].value
        yield [s["document"].value, s["file"].value, s["encoding"].value, to_python(s["characters"]),
               *(counts[k].get(g, 0) for k in _PER_DOCUMENT)]


def tables(store):
    """(Table, rows) for each table, rows made as they are read."""
    from kg.export import entity_nodes
    nodes = entity_nodes(store)
    return [(ENTITIES, entity_rows(store, nodes)), (RELATIONS, relation_rows(store, nodes)),
            (STATISTICS, statistic_rows(store)), (DOCUMENTS, document_rows(store))]


def _text(v: str) -> str:
    v = _ILLEGAL.sub("", v)
    return v if len(v) <= XLSX_CELL else v[:XLSX_CELL - 1] + "…"


def write_xlsx(store, path: Path) -> int:
    """One workbook, a sheet per table with a frozen, filterable header row; returns
    the number of data rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    total = 0
    for table, rows in tables(store):
        ws = wb.create_sheet(table.name)
        ws.freeze_panes = "A2"
        for i, w in enumerate(table.widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = w
        header = []
        for c in table.columns:
            cell = WriteOnlyCell(ws, value=c)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        n = 0
        for row in rows:
            n += 1
            if n >= XLSX_ROWS:
                raise FormatError(f"the {table.name} sheet would need more than the {XLSX_ROWS:,} rows a "
                                  "spreadsheet holds; use --format tables (CSV files) for a store this large")
            ws.append([_cell(ws, WriteOnlyCell, v) for v in row])
        ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{n + 1}"
        total += n
    wb.save(str(path))
    return total


def _cell(ws, make, v):
    if not isinstance(v, str):
        return v
    cell = make(ws, value=_text(v))
    cell.data_type = "s"      # openpyxl would store text starting "=" as a formula
    return cell


def write_folder(store, folder: Path, raw: bool = False) -> int:
    """entities.csv, relations.csv, statistics.csv and documents.csv in ``folder``
    (made if missing; these four files replaced whole). UTF-8 with a byte-order
    mark, which is how Excel tells a CSV file is UTF-8 and not the local code page.
    Returns the number of data rows."""
    from kg.query import neutral
    cell = (lambda c: c) if raw else neutral
    if folder.exists() and not folder.is_dir():
        raise FormatError(f"{folder} is a file; --format tables writes a folder of CSV files")
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for table, rows in tables(store):
        tmp = folder / f".{table.name}.csv.part"
        try:
            with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
                w = csv.writer(fh)
                w.writerow(table.columns)
                for row in rows:
                    w.writerow(["" if v is None else cell(v) if isinstance(v, str) else _csv_value(v) for v in row])
                    total += 1
            os.replace(tmp, folder / f"{table.name}.csv")
        finally:
            tmp.unlink(missing_ok=True)
    return total


def _csv_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))      # 400, as the report wrote it, not 400.0
    return str(v)
