"""What the endpoint says about itself and to whom: the CORS policy that decides
which other origins' pages may read its answers, and its SPARQL 1.1 Service
Description.

CORS is off unless asked for. A browser lets a page read a response from another
origin only when the response names that origin (or ``*``), so with ``--cors *``
any page the user happens to visit could query the endpoint on 127.0.0.1 and read
the graph; naming the one origin of the page meant to use it (YASGUI on
http://127.0.0.1:8000, say) keeps every other page out. Credentials are never
allowed, so no cookie or login travels with such a request.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.errors import ServeError

METHODS = "GET, HEAD, POST, OPTIONS"
MAX_AGE = 86400      # seconds a browser may reuse a preflight's answer (browsers cap it lower)
# the headers a page may read besides the CORS-safelisted ones: the paging and truncation signals
EXPOSE = "Content-Length, Link, X-Kg-Page, X-Kg-Truncated"
_ORIGIN = re.compile(r"https?://(?:[A-Za-z0-9\-.]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}")     # an HTTP header name


@dataclass(frozen=True)
class Cors:
    """The origins whose pages may read answers: none (off), some, or ``*`` (any)."""
    origins: frozenset[str] = frozenset()

    @property
    def on(self) -> bool:
        return bool(self.origins)

    def allowed(self, origin: str | None) -> str | None:
        """The Access-Control-Allow-Origin for a request from ``origin``, or None."""
        if "*" in self.origins:
            return "*"
        if origin and origin.lower() in self.origins:
            return origin
        return None

    def headers(self, origin: str | None) -> list[tuple[str, str]]:
        """CORS headers for an answer to a request from ``origin``."""
        if not self.on:
            return []
        vary = [] if "*" in self.origins else [("Vary", "Origin")]    # caches must not mix origins
        allow = self.allowed(origin)
        if allow is None:
            return vary
        return [("Access-Control-Allow-Origin", allow), ("Access-Control-Expose-Headers", EXPOSE)] + vary

    def preflight(self, origin: str | None, method: str | None, headers: str | None):
        """(status, headers, message) answering an OPTIONS preflight."""
        allow = self.allowed(origin)
        if allow is None:
            why = ("CORS is off: start kg serve --cors ORIGIN to let a page of ORIGIN query it" if not self.on
                   else f"origin {str(origin)[:100]!r} is not one kg serve --cors allows")
            return 403, [("Allow", METHODS)] + self.headers(origin), why
        if method not in ("GET", "HEAD", "POST"):
            return 405, [("Allow", METHODS)] + self.headers(origin), f"{str(method)[:20]} is not answered here"
        asked = [h.strip() for h in (headers or "").split(",") if h.strip()]
        if not all(_TOKEN.fullmatch(h) for h in asked):
            return 400, self.headers(origin), "Access-Control-Request-Headers is not a list of header names"
        out = self.headers(origin) + [("Access-Control-Allow-Methods", METHODS), ("Access-Control-Max-Age", str(MAX_AGE))]
        if asked:
            # any request header is harmless here: no credentials are allowed, and the
            # endpoint reads only Accept, Content-Type and Content-Length
            out.append(("Access-Control-Allow-Headers", ", ".join(asked)))
        return 204, out, ""


def parse_cors(values: list[str] | None) -> Cors:
    """The policy from --cors values: ``*`` or origins (scheme://host[:port])."""
    origins = set()
    for v in values or []:
        v = v.strip().rstrip("/")
        if v != "*" and not _ORIGIN.fullmatch(v):
            raise ServeError(f"--cors takes * or an origin such as http://127.0.0.1:8000 (scheme, host and "
                             f"port; no path), not {v[:100]!r}")
        origins.add(v.lower())
    return Cors(frozenset(origins))


SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "JSON-LD", "RDF_XML")
_HOST = re.compile(r"(?:[A-Za-z0-9\-.]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


def endpoint_url(host_header: str | None, fallback: str, path: str = "/sparql") -> str:
    """The endpoint's URL as the client reached it (its Host header, when that is a
    host name and port), else the address the server listens on."""
    host = host_header.strip() if host_header and _HOST.fullmatch(host_header.strip()) else fallback
    return f"http://{host}{path}"


def service_description(endpoint: str, fmt: str) -> bytes:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint``, in ``fmt``
    (a kg.results.GRAPH key)."""
    import pyoxigraph as ox

    from kg import graph
    from kg import results as rs
    n = ox.NamedNode
    e = n(endpoint)
    default, dataset = ox.BlankNode("defaultGraph"), ox.BlankNode("dataset")
    t = [(e, graph.RDF_TYPE, n(SD + "Service")), (e, n(SD + "endpoint"), e),
         (e, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
         (e, n(SD + "defaultEntailmentRegime"), n("http://www.w3.org/ns/entailment/Simple")),
         (e, n(SD + "defaultDataset"), dataset), (dataset, graph.RDF_TYPE, n(SD + "Dataset")),
         (dataset, n(SD + "defaultGraph"), default), (default, graph.RDF_TYPE, n(SD + "Graph")),
         (e, n(graph.RDFS + "comment"), ox.Literal(
             "kg's knowledge graph, read-only: SPARQL Update and SERVICE are refused. The default graph "
             "holds every document's triples once; each document's own graph (GRAPH ?g, ?g a "
             "kg:SourceDocument) says which documents state an entity or relation; an assertion or metric "
             "names its sentence (prov:wasDerivedFrom), a sentence its document (kg:inDocument). Predeclared prefixes: "
             + " ".join(f"{p}: <{iri}>" for p, iri in graph.PREFIXES.items()), language="en"))]
    t += [(e, n(SD + "resultFormat"), n(FORMATS + f)) for f in RESULT_FORMATS]
    triples = [ox.Triple(*x) for x in t]
    prefixes = {"sd": SD, "formats": FORMATS, "rdfs": graph.RDFS}
    kw = {"prefixes": prefixes} if fmt in ("turtle", "rdfxml") else {}
    return ox.serialize(triples, format=rs.GRAPH[fmt][1], **kw)
