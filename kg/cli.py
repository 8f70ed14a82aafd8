"""The kg command: a thin layer over the library. Library errors (KgError) become
one line on stderr and exit status 1; usage errors exit 2; a build that skipped
some input exits 3 (EXIT_SKIPPED)."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from kg import __version__, memory
from kg.errors import KgError, QueryError

EXIT_SKIPPED = 3

EPILOG_BUILD = """examples:
  kg build                          build the bundled sample corpus into output/
  kg build reports/ -o out          every .txt .md .html .htm .pdf .docx .doc under reports/, recursively
  kg build a.txt b.html -o out --fresh --jobs 2
  kg build new.txt -o out --no-files                add one document; store only (kg export/view later)
  kg build /shared/reports -o out --scheduler tcp://10.0.0.5:8786
                                    stages 1-6 on a Dask cluster, streamed into out/store
  kg build reports/ --store-url http://127.0.0.1:7879
                                    keep the graph in a SPARQL server (Oxigraph's /query /update /store)

formats: plain text and Markdown (UTF-8, UTF-16, GB18030/GBK, Big5/Big5-HKSCS),
HTML, PDF with a text layer (scans need OCR first), DOCX (paragraphs and tables),
legacy .doc through antiword or catdoc when one is installed. Traditional
characters are read through their simplified form; sentences keep the original.

documents: a file's id is its path under the folder named on the command line,
without the suffix (reports/北京/工作总结.txt built as 'kg build reports' is
北京/工作总结); a file named directly is its stem. Files with the same bytes are
built once. Every file under a folder that is not built is listed ("skipped")
with the reason; hidden files and folders (.git …), Office lock files (~$…),
Thumbs.db and desktop.ini are passed over.

exit status:
  0  built, nothing skipped (duplicates and warnings are listed, not counted)
  1  error (kg: error: …): nothing to build, or the build could not finish
  2  usage error
  3  built, but some input was skipped: see the "skipped" lines
"""
EPILOG_QUERY = """examples:
  kg query --list
  kg query programs-by-organization
  kg query entity --param entity=中原区委统战部 --format json
  kg query posts                                      who holds which post, and where it is said
  kg query posts --param person=王某 --format csv      one person's posts
  kg query posts --param organization=某区委统战部     the posts of one body (name or alias)
  kg query 'SELECT ?s ?name WHERE { ?s a kg:Program ; skos:prefLabel ?name } LIMIT 5'
  kg query -f my.rq --format csv
  kg query honors --endpoint http://127.0.0.1:7879   the graph in a SPARQL server
  kg query statistics --limit 100 --offset 200        the third page of 100 statistics
prefixes kg: id: rdf: rdfs: skos: prov: xsd: org: schema: dcterms: dcat: owl: are
predeclared. Entities carry the standard types their classes align with (a
kg:PartyOrganization is also kg:Organization, org:Organization, prov:Organization,
schema:Organization), and relations their standard properties (org:memberOf …).
The default graph holds every triple of every document once; each document's own
graph (GRAPH ?g, with ?g a kg:SourceDocument) says which documents state an entity
or relation; an assertion or metric names its sentence (prov:wasDerivedFrom), and a
sentence its document (kg:inDocument).
"""
EPILOG_EXPORT = """examples:
  kg export --format nquads -o graph.nq               every document's graph and the default graph
  kg export --format ttl -o - | gzip > graph.ttl.gz   - is standard output
  kg export --format rdfxml -o graph.rdf              for Protégé and other OWL/RDF-XML tools
  kg export --format jsonld -o graph.jsonld           JSON-LD with an @context of kg's prefixes
  kg export --format graphml -o graph.graphml         for Gephi, Cytoscape, networkx, igraph
  kg export --format xlsx -o graph.xlsx               sheets: entities, relations, statistics, documents
  kg export --format tables -o tables/                the same sheets as CSV files in a folder
"""


def _params(items: list[str]) -> dict[str, str]:
    out = {}
    for it in items or []:
        k, sep, v = it.partition("=")
        if not sep or not k:
            raise QueryError(f"--param takes key=value, not {it!r}")
        out[k] = v
    return out


def cmd_build(a) -> int:
    from kg.pipeline import build, sample_corpus
    paths = a.paths or [sample_corpus()]
    rep = build(paths, a.output, jobs=a.jobs, fresh=a.fresh, html=not a.no_html,
                progress=False if a.quiet else None, files=not a.no_files, store_url=a.store_url,
                scheduler=a.scheduler, doc_timeout=a.doc_timeout)
    if not a.quiet:
        print("\n".join(rep.lines()))
    else:
        for p, why in rep.warnings:
            print(f"kg: warning: {p}: {why}", file=sys.stderr)
        for p, why in rep.duplicates:
            print(f"kg: duplicate {p}: {why}", file=sys.stderr)
        for p, why in rep.problems:
            print(f"kg: skipped {p}: {why}", file=sys.stderr)
    return EXIT_SKIPPED if rep.problems else 0


def cmd_query(a) -> int:
    from kg import query as q
    if a.list:
        for nq in q.named_queries().values():
            params = " ".join(f"--param {p}=…" for p in nq.params)
            print(f"{nq.name:<26} {nq.description}" + (f"  [{params}]" if params else ""))
        return 0
    params = _params(a.param)
    if a.file:
        try:
            text = Path(a.file).read_text(encoding="utf-8")
        except OSError as e:
            raise QueryError(f"cannot read query file {a.file}: {e.strerror or e}") from e
        names, rows = q.run(_location(a), q.bind(text, params), a.allow_service)
    elif a.query is None:
        raise QueryError("give a SPARQL query, -f FILE, a named query (kg query --list) or --list")
    elif a.query in q.named_queries() and a.limit is not None:
        names, rows, more = q.run_page(_location(a), a.query, params, a.limit, a.offset)
        if more:
            print(f"kg: more rows follow: --limit {a.limit} --offset {a.offset + a.limit}", file=sys.stderr)
    elif a.query in q.named_queries():
        if a.offset:
            raise QueryError("--offset needs --limit (the size of a page)")
        names, rows = q.run_named(_location(a), a.query, params, a.allow_service)
    elif q.is_update(a.query) or any(w in a.query.upper() for w in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")):
        names, rows = q.run(_location(a), q.bind(a.query, params), a.allow_service)
    else:
        raise QueryError(f"{a.query!r} is neither a named query nor SPARQL; named queries: "
                         + ", ".join(q.named_queries()))
    print(q.format_rows(names, rows, a.format, raw=a.raw))
    return 0


def _location(a) -> str:
    """The store folder, or the SPARQL server given by --endpoint (checked to be a URL)."""
    if a.endpoint:
        from kg.store import RemoteStore
        return RemoteStore(a.endpoint).location
    return a.store


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {value!r}")
    return int(value)


def _natural(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number, not {value!r}")
    return int(value)


def _names(value: str | None) -> frozenset[str] | None:
    return frozenset(x.strip() for x in value.split(",") if x.strip()) if value else None


def cmd_view(a) -> int:
    from kg.store import open_store
    from kg.view import AUTO_TOP, ViewOptions, write_store_html
    store = open_store(_location(a), create=False, read_only=True)
    opts = ViewOptions(focus=a.focus, depth=a.depth, types=_names(a.types), relations=_names(a.relations),
                       top=a.top, threshold=a.threshold, lang=a.lang)
    n, total = write_store_html(store, a.output, opts=opts)
    note = f"; the {AUTO_TOP} best connected of {total} (--top N, --top 0 for all)" \
        if a.top is None and total > AUTO_TOP else ""
    print(f"wrote {a.output} ({n} nodes{note})")
    return 0


def cmd_export(a) -> int:
    from kg.export import FOLDER_FORMATS, export, format_name
    fmt = format_name(a.format)
    if a.output == "-":      # the data alone on standard output, for a pipe
        export(_location(a), fmt, sys.stdout.buffer, raw=a.raw)
        return 0
    n = export(_location(a), fmt, a.output, raw=a.raw)
    what = "rows" if fmt in FOLDER_FORMATS + ("xlsx",) else "statements"
    print(f"wrote {a.output} ({n} {what}, {fmt})")
    return 0


def _format(value: str) -> str:
    from kg.export import format_name
    try:
        return format_name(value)
    except KgError as e:
        raise argparse.ArgumentTypeError(str(e)) from e


def cmd_validate(a) -> int:
    from kg.validate import validate
    rep = validate(a.store)
    if a.format == "text" and not a.verbose and not rep.conforms:
        print(f"{rep.violations} SHACL violations (use -v to list them, or --format json|turtle)")
    elif a.format == "text" and a.verbose == 2:
        print(rep.text)
    else:
        print(rep.render(a.format))
    return 0 if rep.conforms else 1


def cmd_serve(a) -> int:
    from kg.serve import make_server
    from kg.endpoint import parse_cors
    cors = parse_cors(a.cors)
    server, pool = make_server(_location(a), a.host, a.port, a.timeout, a.limit, a.workers,
                               a.max_memory << 20 if a.max_memory else None, a.max_connections, a.idle_timeout,
                               cors)
    host, port = server.server_address[:2]
    if "*" in cors.origins:
        print("kg serve: warning: --cors * lets every web page this browser opens read the graph", file=sys.stderr)
    print(f"kg serve: http://{host}:{port}/  (SPARQL at /sparql, view at /view; Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        pool.close()
    return 0


def cmd_extract(a) -> int:
    from kg.pipeline import extract_many
    extractions, problems = extract_many(a.files, jobs=a.jobs, progress=False)
    for p, why in problems:
        print(f"kg: skipped {p}: {why}", file=sys.stderr)
    for x in extractions:
        print(json.dumps(extraction_record(x), ensure_ascii=False))
    if not extractions:
        raise KgError("no document could be read")
    return 0


def extraction_record(x) -> dict:
    """The JSON record of one document's extraction (kg extract --format jsonl)."""
    return {
        "doc": x.doc.id, "path": x.doc.path, "format": x.doc.source.media_type, "encoding": x.doc.encoding,
        "script": x.doc.script, "pages": len(x.doc.source.pages), "characters": len(x.doc.text),
        "context": x.context,
        "mentions": [{"text": m.text, "class": m.cls, "start": m.start, "end": m.end, "name": m.name or m.text,
                      "extractor": m.extractor} for m in x.mentions],
        "entities": [{"name": e.name, "class": e.cls, "aliases": list(e.aliases), "extractors": list(e.extractors),
                      "confidence": e.confidence, "code": e.code, **({"within": e.key.scope} if e.key.scope else {})}
                     for e in x.entities],
        "relations": [{"subject": r.subject.name, "property": r.predicate, "object": r.object.name,
                       "sentence": r.provenance.sentence, "start": r.provenance.start, "end": r.provenance.end,
                       "rule": r.provenance.rule, "confidence": r.provenance.confidence,
                       **({"post": r.post, "post_text": r.post_text} if r.post else {})} for r in x.relations],
        "metrics": [{"about": m.about.name if m.about else None, "indicator": m.indicator, "value": m.value,
                     "unit": m.unit, "approximate": m.approximate, "period": m.period,
                     "years": list(m.years) if m.years else None, "text": m.text,
                     "start": m.start, "end": m.end, "sentence": m.provenance.sentence} for m in x.metrics],
    }


def parser() -> argparse.ArgumentParser:
    from kg.export import ALIASES, FORMATS
    from kg.query import OUTPUT_FORMATS
    from kg.view import LARGE
    ap = argparse.ArgumentParser(prog="kg", description="Knowledge graphs from Chinese government and Party work reports.",
                                 epilog="Run 'kg COMMAND --help' for a command's options and examples.")
    ap.add_argument("--version", action="version", version=f"kg {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    F = argparse.RawDescriptionHelpFormatter

    b = sub.add_parser("build", help="extract documents into a store, graph.ttl and graph.html", epilog=EPILOG_BUILD, formatter_class=F)
    b.add_argument("paths", nargs="*", help="files and folders (default: the bundled sample corpus)")
    b.add_argument("-o", "--output", default="output", help="output folder (default: output)")
    b.add_argument("-j", "--jobs", type=int, default=None, help="worker processes (default: all cores)")
    b.add_argument("--fresh", action="store_true", help="empty the store first instead of adding to it")
    b.add_argument("--no-html", action="store_true", help="skip writing graph.html")
    b.add_argument("--doc-timeout", type=float, default=600.0, metavar="SECONDS",
                   help="skip (and name) a document that takes longer than this (default 600; 0: no limit; "
                        "a worker's start-up does not count; local workers only, Dask has its own)")
    b.add_argument("--no-files", action="store_true",
                   help="write only the store: no graph.ttl, no graph.html (kg export and kg view make them)")
    b.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run the documents on this Dask scheduler's workers (they get each file's bytes)")
    b.add_argument("--store-url", metavar="URL",
                   help="keep the graph in this SPARQL server (URL/query, URL/update, URL/store) "
                        "instead of OUTPUT/store")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    b.set_defaults(func=cmd_build)

    q = sub.add_parser("query", help="run SPARQL or a named query against the store", epilog=EPILOG_QUERY, formatter_class=F)
    q.add_argument("query", nargs="?", help="SPARQL text or the name of a shipped query")
    q.add_argument("-f", "--file", help="read the SPARQL query from FILE")
    q.add_argument("--list", action="store_true", help="list the named queries")
    q.add_argument("-p", "--param", action="append", metavar="KEY=VALUE", help="parameter of a named query")
    q.add_argument("--format", choices=OUTPUT_FORMATS, default="table")
    q.add_argument("--limit", type=_positive, metavar="N",
                   help="a named query's page of N rows (items of a listing query), as kg serve's /query/NAME gives it")
    q.add_argument("--offset", type=_natural, default=0, metavar="K", help="the page that starts after K (with --limit)")
    q.add_argument("--raw", action="store_true",
                   help="CSV/TSV cells exactly as stored (by default a cell a spreadsheet would run as a "
                        "formula, starting = + - @, gets a leading ')")
    q.add_argument("--allow-service", action="store_true",
                   help="let SERVICE clauses send requests to the hosts they name (refused by default)")
    q.add_argument("--store", default="output/store", help="store folder (default: output/store)")
    q.add_argument("--endpoint", metavar="URL", help="a SPARQL server holding the graph (see kg build --store-url) instead of --store")
    q.set_defaults(func=cmd_query)

    v = sub.add_parser("view", help="write the interactive HTML network of the store", formatter_class=F,
                       epilog="examples:\n  kg view -o graph.html --top 500\n"
                              "  kg view --focus 中原区委统战部 --depth 2 -o dept.html\n"
                              "  kg view --types Organization,Program --relations runs,partner\n"
                              "  kg view --lang en -o graph-en.html        class and relation names in English")
    v.add_argument("-o", "--output", default="output/graph.html")
    v.add_argument("--store", default="output/store")
    v.add_argument("--endpoint", metavar="URL", help="a SPARQL server holding the graph (see kg build --store-url) instead of --store")
    v.add_argument("--focus", metavar="NAME", help="draw only this entity's neighbourhood (name or alias)")
    v.add_argument("--depth", type=int, default=1, help="how many steps around --focus (default 1)")
    v.add_argument("--types", metavar="A,B", help="only these classes (fine or coarse: Organization, Program …)")
    v.add_argument("--relations", metavar="R,S", help="only these relations (runs, hosts …)")
    v.add_argument("--top", type=int, help="keep only the N nodes of highest degree (default: all, or the 2,000 "
                   "best connected of a larger store; 0 draws everything)")
    v.add_argument("--threshold", type=int, default=LARGE,
                   help=f"above this many nodes the layout is precomputed and physics is off (default {LARGE})")
    v.add_argument("--lang", choices=("zh", "en"), default="zh",
                   help="language of the class and relation names (the ontology's labels; default zh)")
    v.set_defaults(func=cmd_view)

    _add_export(sub, F, FORMATS, ALIASES)
    _add_serve(sub, F)

    x = sub.add_parser("extract", help="print what the pipeline finds, without a store",
                       epilog="example:\n  kg extract report.txt --format jsonl > report.jsonl", formatter_class=F)
    x.add_argument("files", nargs="+")
    x.add_argument("--format", choices=["jsonl"], default="jsonl")
    x.add_argument("-j", "--jobs", type=int, default=None)
    x.set_defaults(func=cmd_extract)

    s = sub.add_parser("validate", help="check a build against the SHACL shapes",
                       epilog="examples:\n  kg validate --store output/store -v         one line per violation\n"
                              "  kg validate --format json > report.json     records: focus, path, value, message\n"
                              "  kg validate --format turtle                 the SHACL validation report graph\n"
                              "exit status: 0 conforms, 1 violations", formatter_class=F)
    s.add_argument("--store", default="output/store")
    s.add_argument("--format", choices=("text", "turtle", "json"), default="text")
    s.add_argument("-v", "--verbose", action="count", default=0, help="list the violations (-vv: pyshacl's own report)")
    s.set_defaults(func=cmd_validate)
    return ap


def _add_export(sub, F, FORMATS, ALIASES) -> None:
    e = sub.add_parser("export", help="write the graph in another format", epilog=EPILOG_EXPORT, formatter_class=F)
    e.add_argument("--format", required=True, type=_format, metavar="FORMAT",
                   help=f"one of {', '.join(FORMATS)}; aliases {', '.join(sorted(ALIASES))}")
    e.add_argument("--raw", action="store_true", help="CSV cells exactly as stored (no ' before formula-like cells)")
    e.add_argument("-o", "--output", required=True, help="the file (a folder for tables); - for standard output")
    e.add_argument("--store", default="output/store")
    e.add_argument("--endpoint", metavar="URL", help="a SPARQL server holding the graph (see kg build --store-url) instead of --store")
    e.set_defaults(func=cmd_export)


def _add_serve(sub, F) -> None:
    sv = sub.add_parser("serve", help="a read-only SPARQL endpoint, the view and a query page over HTTP",
                        formatter_class=F, epilog="""examples:
  kg serve                                   http://127.0.0.1:7878/ over output/store
  kg serve --port 8000 --timeout 10 --limit 5000
  curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s kg:runs ?o } LIMIT 5' http://127.0.0.1:7878/sparql
  curl 'http://127.0.0.1:7878/query/entity?entity=中原区委统战部'
  curl http://127.0.0.1:7878/sparql          the SPARQL 1.1 service description (Turtle)
  kg serve --cors http://127.0.0.1:8000      a page served from that origin (YASGUI) may query""")
    sv.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only)")
    sv.add_argument("--port", type=int, default=7878, help="port (default 7878; 0 picks a free one)")
    sv.add_argument("--store", default="output/store")
    sv.add_argument("--endpoint", metavar="URL", help="a SPARQL server holding the graph (see kg build --store-url) instead of --store")
    sv.add_argument("--timeout", type=float, default=30.0, help="seconds a query may run (default 30)")
    sv.add_argument("--limit", type=int, default=10000, help="most result rows or triples per query (default 10000)")
    sv.add_argument("--workers", type=int, default=2, help="query processes (default 2)")
    sv.add_argument("--max-memory", type=int, metavar="MiB",
                    help="memory a query process may use before it is stopped (default 1024, less on a small machine)")
    sv.add_argument("--cors", action="append", metavar="ORIGIN|*",
                    help="let pages of ORIGIN (http://host:port; repeat for more) read the answers, for browser "
                         "clients such as YASGUI; * lets any page do so, any site this browser visits included "
                         "(default: off)")
    sv.add_argument("--idle-timeout", type=float, default=30.0, metavar="SECONDS",
                    help="close a connection that sends nothing for this long (default 30)")
    sv.add_argument("--max-connections", type=int, default=512,
                    help="connections open at once, idle ones included (default 512; idle ones close after 30 s)")
    sv.set_defaults(func=cmd_serve)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # the process is kg's own here, not a host program's: its allocator may be tuned
    memory.return_freed_memory()
    try:
        return args.func(args)
    except KgError as e:
        print(f"kg: error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # the reader left (| head): stdout goes to /dev/null so the interpreter's
        # last flush at exit does not print a second traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        # a build stopped here changed nothing: its store version and files are
        # only swapped in when it completes
        print(f"kg: interrupted; {_INTERRUPTED.get(args.command, 'stopped')}", file=sys.stderr)
        return 130


_INTERRUPTED = {"build": "nothing was changed (the store and files are as they were)"}


if __name__ == "__main__":
    sys.exit(main())
