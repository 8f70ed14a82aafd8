"""SPARQL over the store, and the named queries that ship with kg (data/queries/*.rq).

Queries see the default graph, which holds every document's triples once (each
document's own graph is there for GRAPH patterns), and the prefixes kg, id, rdf, rdfs, skos, prov, xsd, org, schema, dcterms, dcat and owl are predeclared. A named query's
parameter ``$name`` is replaced by the value serialized as an RDF literal
(quotes, backslashes and line breaks escaped), so a value cannot change the query.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from kg import graph
from kg.errors import FormatError, QueryError
from kg.store import open_store

OUTPUT_FORMATS = ("table", "csv", "tsv", "json")

# SERVICE is looked for in the whole text, strings and comments included: a
# lexer of our own would have to agree with the engine's on every escape and line
# end, and a miss sends a request to another host, while a false alarm only asks
# for --allow-service. Variables (?service) and prefixed names (ex:service) pass.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE = re.compile(r"(?<![\w:?$\-])SERVICE(?![\w:\-])", re.IGNORECASE)
# a spreadsheet reads a cell that starts with one of these as a formula
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# Only to explain an error the engine already raised: strings, IRIs and comments
# (which may hold anything) are set aside, and what is left is read for the
# prefixes a query uses and declares and for the verb of an update.
_PIECE = re.compile(r'''"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n]|\\.)*"'''
                    r"""|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\s]*>|#[^\n]*""", re.S)
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z\u00C0-\uFFFF][\w.\-]*)?:", re.I)
_USED = re.compile(r"(?<![\w?$.\-:])([A-Za-z\u00C0-\uFFFF][\w.\-]*)?:")
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s*)*", re.I)
_UPDATE_VERB = re.compile(r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    params: dict[str, str]
    text: str
    # the pattern whose matches a page counts (``# page:``): a page of a listing query
    # is the rows of that many of its items, found first, so it costs what its rows cost
    page_by: str = ""


@dataclass(frozen=True)
class Page:
    """One page of a named query: ``text`` answers it, ``probe`` (a query) has a row
    when another page follows; without a probe, the page is ``limit`` rows of
    ``text``, which asks for one more to tell."""
    text: str
    probe: str | None
    limit: int
    offset: int


PAGE_PARAMS = ("limit", "offset")


def named_queries() -> dict[str, NamedQuery]:
    out = {}
    for f in sorted(resources.files("kg.data").joinpath("queries").iterdir(), key=lambda p: p.name):
        if not f.name.endswith(".rq"):
            continue
        text = f.read_text("utf-8")
        desc, params, page_by = "", {}, ""
        for line in text.splitlines():
            if line.startswith("# description:"):
                desc = line.split(":", 1)[1].strip()
            elif line.startswith("# page:"):
                page_by = line.split(":", 1)[1].strip()
            elif line.startswith("# param:"):
                name, _, help_ = line.split(":", 1)[1].strip().partition(" ")
                params[name] = help_.strip()
        out[f.name[:-3]] = NamedQuery(f.name[:-3], desc, params, text, page_by)
    return out


def page(q: NamedQuery, params: dict[str, str], limit: int, offset: int = 0) -> Page:
    """Page ``offset // limit`` of a named query. Unbound, a listing query's page is
    the rows of ``limit`` of its items (``# page:``) taken in the store's order, found
    first and each page sorted as the whole answer is: sorting the whole answer to cut
    one page from it would cost what the whole answer costs. Pages partition the
    answer while the store is unchanged. With parameters, or without ``# page:``, a
    page is ``limit`` rows of the sorted answer."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1 or \
            isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise QueryError(f"a page needs limit >= 1 and offset >= 0, not limit={limit!r} offset={offset!r}")
    text = bind(q.text, params, q.params)
    if not q.page_by or any(p in params for p in q.params):
        return Page(f"{text}\nLIMIT {limit + 1} OFFSET {offset}", None, limit, offset)
    items = f"{{ SELECT * WHERE {{ {q.page_by} }} LIMIT {limit} OFFSET {offset} }}"
    if text.count(f"{q.page_by} .") != 1:
        raise QueryError(f"named query {q.name!r} declares '# page: {q.page_by}' but does not state it "
                         "once as a pattern of its own")
    probe = f"SELECT * WHERE {{ {q.page_by} }} LIMIT 1 OFFSET {offset + limit}"
    return Page(text.replace(f"{q.page_by} .", items), probe, limit, offset)


def optional(help_: str) -> bool:
    """A parameter its query can go without (its help says "(optional)")."""
    return "(optional)" in help_


def bind(query: str, params: dict[str, str], declared: dict[str, str] | None = None) -> str:
    """The query with each ``$name`` replaced by its value as a literal (write
    ``$name@zh`` to match a label); an optional parameter left out becomes UNDEF
    (its VALUES leaves the variable unbound)."""
    values = {k: str(ox.Literal(v)) for k, v in params.items()}
    for k, help_ in (declared or {}).items():
        if k not in values and optional(help_):
            values[k] = "UNDEF"
    for k in sorted(values, key=len, reverse=True):
        if values[k] == "UNDEF":          # ``$k@zh`` (a label's literal) is UNDEF too
            query = query.replace(f"${k}@zh", "UNDEF")
        query = query.replace(f"${k}", values[k])
    return query


def uses_service(query: str) -> bool:
    """Whether the query may have a SERVICE clause (federated query: the engine
    would send a request to the IRI it names). Errs towards yes."""
    # SPARQL reads \uXXXX and \UXXXXXXXX anywhere in the query before parsing it
    query = _CODEPOINT.sub(lambda m: chr(min(int(m.group(1) or m.group(2), 16), 0x10FFFF)), query)
    return bool(_SERVICE.search(query))


def refuse_service(query: str, allow: bool = False) -> None:
    if not allow and uses_service(query):
        raise QueryError("SERVICE is refused: it makes this machine send requests to other hosts; "
                         "kg query --allow-service allows it on the command line")


def _code(query: str) -> str:
    """The query with its strings, IRIs and comments blanked out."""
    return _PIECE.sub(" ", query)


def is_update(query: str) -> bool:
    """Whether the text is a SPARQL Update (INSERT, DELETE, LOAD, DROP …)."""
    return bool(_UPDATE_VERB.match(_code(query), _PROLOGUE.match(_code(query)).end()))


def unknown_prefixes(query: str, predeclared=graph.PREFIXES) -> list[str]:
    """The prefixes the query uses but neither declares nor finds predeclared."""
    code = _code(query)
    declared = {m.group(1) or "" for m in _DECLARED.finditer(code)} | set(predeclared)
    used = dict.fromkeys(m.group(1) or "" for m in _USED.finditer(_DECLARED.sub(" ", code)))
    return [p for p in used if p not in declared]


UPDATE_REFUSED = ("updates are not allowed here: kg query only reads the graph (SELECT, ASK, CONSTRUCT, "
                  "DESCRIBE); kg build changes it")


def explain(query: str, error: Exception) -> str:
    """One line naming why the engine refused ``query``: an unknown prefix, an
    update where only queries go, or the parser's message cut to its start."""
    unknown = unknown_prefixes(query)
    if unknown:
        names = ", ".join(f"{p}:" for p in unknown)
        return (f"unknown prefix {names} (declare it with PREFIX {unknown[0]}: <…>; predeclared: "
                + " ".join(f"{p}:" for p in graph.PREFIXES) + ")")
    if is_update(query):
        return UPDATE_REFUSED
    detail = " ".join(str(error).split())
    return f"malformed SPARQL: {detail if len(detail) <= 160 else detail[:160] + '…'}"


def run(store_dir: str | Path, query: str, allow_service: bool = False):
    """(variables, rows) of a SELECT, (["result"], [[bool]]) of an ASK, or
    (["subject", "predicate", "object"], rows) of a CONSTRUCT/DESCRIBE (each triple
    once). ``store_dir`` is a store folder or the http(s) URL of a SPARQL server."""
    if is_update(query):
        raise QueryError(UPDATE_REFUSED)
    refuse_service(query, allow_service)
    store = open_store(store_dir, create=False, read_only=True)
    try:
        res = store.query(query, graph.PREFIXES)
    except SyntaxError as e:
        raise QueryError(explain(query, e)) from e
    except OSError as e:
        raise QueryError(f"query failed: {e}") from e
    if isinstance(res, ox.QueryBoolean):
        return ["result"], [[bool(res)]]
    if isinstance(res, ox.QuerySolutions):
        names = [v.value for v in res.variables]
        return names, [[sol[n] for n in names] for sol in res]
    triples = dict.fromkeys(res)      # a remote server's DESCRIBE may repeat a triple
    return ["subject", "predicate", "object"], [[t.subject, t.predicate, t.object] for t in triples]


def run_named(store_dir: str | Path, name: str, params: dict[str, str] | None = None,
              allow_service: bool = False):
    q = checked(name, params or {})
    return run(store_dir, bind(q.text, params or {}, q.params), allow_service)


def run_page(store_dir: str | Path, name: str, params: dict[str, str] | None, limit: int, offset: int = 0):
    """(variables, rows, more) of one page of a named query (see ``page``);
    ``more`` says whether a page follows."""
    pg = page(checked(name, params or {}), params or {}, limit, offset)
    names, rows = run(store_dir, pg.text)
    if pg.probe is None:
        return names, rows[:limit], len(rows) > limit
    return names, rows, bool(run(store_dir, pg.probe)[1])


def checked(name: str, params: dict[str, str]) -> NamedQuery:
    """The named query ``name``, once ``params`` are known to be what it takes."""
    queries = named_queries()
    if name not in queries:
        raise QueryError(f"no named query {name!r}; known: {', '.join(queries)} (kg query --list)")
    q = queries[name]
    missing = [p for p, help_ in q.params.items() if p not in params and not optional(help_)]
    unknown = [p for p in params if p not in q.params]
    if missing or unknown:
        want = ", ".join(f"--param {p}=…" + (" (optional)" if optional(h) else "") for p, h in q.params.items()) \
            or "no parameters"
        raise QueryError(f"query {name!r} takes {want}" + (f"; missing {', '.join(missing)}" if missing else "")
                         + (f"; unknown {', '.join(unknown)}" if unknown else ""))
    return q


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, bool):
        return "true" if term else "false"
    if isinstance(term, ox.NamedNode):
        for p, iri in graph.PREFIXES.items():
            if term.value.startswith(iri) and p != "id":
                return f"{p}:{term.value[len(iri):]}"
        return term.value
    return term.value


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def neutral(cell: str) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula gets a
    leading apostrophe (numbers stay numbers)."""
    if cell.startswith(_FORMULA_START) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def format_rows(names: list[str], rows: list[list], fmt: str = "table", raw: bool = False) -> str:
    """Rows as a table, CSV, TSV or JSON. CSV and TSV are for people, so formula
    cells are neutralised unless ``raw``."""
    if fmt not in OUTPUT_FORMATS:
        raise FormatError(f"unknown output format {fmt!r}; choose one of: {', '.join(OUTPUT_FORMATS)}")
    cells = [[_cell(t) for t in r] for r in rows]
    if fmt in ("csv", "tsv") and not raw:
        cells = [[neutral(c) for c in r] for r in cells]
    if fmt == "json":
        return json.dumps([dict(zip(names, r)) for r in cells], ensure_ascii=False, indent=1)
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        w = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        w.writerow(names)
        w.writerows([[c.replace("\t", " ").replace("\n", " ") if fmt == "tsv" else c for c in r] for r in cells])
        return buf.getvalue().rstrip("\n")
    cells = [[c.replace("\n", " ") for c in r] for r in cells]
    widths = [max([_width(n)] + [_width(r[i]) for r in cells]) for i, n in enumerate(names)]

    def line(vals):
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(vals, widths)).rstrip()
    out = [line(names), line(["-" * w for w in widths])] + [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
