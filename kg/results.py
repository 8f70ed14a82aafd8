"""SPARQL query results in the formats of the SPARQL 1.1 Protocol, with a row limit.

SELECT and ASK results are written here (JSON, XML, CSV, TSV) because pyoxigraph
can only serialize a result set whole, and an endpoint must stop at its limit;
graphs (CONSTRUCT, DESCRIBE) go through pyoxigraph's own serializers.
"""
from __future__ import annotations

import csv
import io
import json
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
TABULAR = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH = {
    "turtle": ("text/turtle", ox.RdfFormat.TURTLE),
    "ntriples": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "rdfxml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}
ALIASES = {"application/json": "json", "application/xml": "xml", "text/xml": "xml",
           "application/x-turtle": "turtle", "text/plain": "ntriples"}


def negotiate(accept: str | None, graph: bool) -> str | None:
    """The format key for an Accept header (None when nothing acceptable is offered)."""
    offered = {**{v[0]: k for k, v in GRAPH.items()}} if graph else {v: k for k, v in TABULAR.items()}
    default = "turtle" if graph else "json"
    if not accept:
        return default
    ranges = []
    for n, part in enumerate(accept.split(",")):
        media, *params = [x.strip() for x in part.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        ranges.append((-q, n, media.lower()))
    for negq, _, media in sorted(ranges):
        if negq == 0:
            continue
        if media in offered:
            return offered[media]
        alias = ALIASES.get(media)
        if alias in (GRAPH if graph else TABULAR):
            return alias
        if media == "*/*" or media.endswith("/*") and any(o.startswith(media[:-1]) for o in offered):
            return default if media == "*/*" else next(v for o, v in offered.items() if o.startswith(media[:-1]))
    return None


def _json_term(t) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    out = {"type": "literal", "value": t.value}
    if t.language:
        out["xml:lang"] = t.language
    elif t.datatype.value not in (XSD_STRING, RDF_LANG):
        out["datatype"] = t.datatype.value
    return out


def _xml_term(t) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    attr = f" xml:lang={quoteattr(t.language)}" if t.language else (
        f" datatype={quoteattr(t.datatype.value)}" if t.datatype.value not in (XSD_STRING, RDF_LANG) else "")
    return f"<literal{attr}>{escape(t.value)}</literal>"


def select_results(variables: list[str], rows: list[list], fmt: str) -> bytes:
    """A SELECT result set (rows of terms or None) in ``fmt``."""
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode()
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head><results>")
        for row in rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>" for v, t in zip(variables, row)
                    if t is not None]
            out.append("</result>")
        out.append("</results></sparql>")
        return "".join(out).encode()
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(variables)
        w.writerows([["" if t is None else t.value for t in row] for row in rows])
        return buf.getvalue().encode()
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"unknown results format {fmt}")


def boolean_result(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>").encode()
    return (("true" if value else "false") + "\n").encode()


def graph_result(triples: list, fmt: str) -> bytes:
    return ox.serialize(triples, format=GRAPH[fmt][1])


_INTEGER = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                              "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong",
                              "unsignedShort", "unsignedByte", "gYear")}
_REAL = {XSD + t for t in ("decimal", "double", "float")}


def to_python(term):
    """A result term as a Python value for tables and DataFrames: numbers (and
    years) as int or float, booleans as bool, everything else (IRIs, text, dates)
    as its string; an unbound variable as None."""
    if term is None or isinstance(term, (bool, int, float)):
        return term
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        try:
            if dt in _INTEGER:
                return int(term.value)
            if dt in _REAL:
                return float(term.value)
        except ValueError:      # a malformed number stays the text it is
            return term.value
        if dt == XSD + "boolean":
            return term.value in ("true", "1")
    return term.value
