"""The plain frozen dataclasses that stages pass to each other.

Nothing here knows about RDF: entities are keyed by (family, canonical name), and
only the graph stage turns those keys into IRIs.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

# Coarse class ("family") of each fine class. The family and the canonical name
# decide an entity's identity, so a fine-class disagreement between two documents
# never splits one real thing into two nodes.
FAMILY = {
    "Organization": "Organization", "PartyOrganization": "Organization",
    "GovernmentAgency": "Organization", "DemocraticParty": "Organization",
    "MassOrganization": "Organization", "Enterprise": "Organization",
    "PublicInstitution": "Organization",
    "Place": "Place", "AdministrativeArea": "Place", "Site": "Place",
    "Base": "Base", "Program": "Program", "Event": "Event", "Project": "Project",
    "Document": "Document", "Honor": "Honor", "Person": "Person", "Concept": "Concept",
}


def fine_class(classes) -> str:
    """The one class to show for a node that documents typed as ``classes``: its
    fine class where one was given (first by name, so the choice is stable)."""
    return (sorted(x for x in classes if FAMILY[x] != x) or sorted(classes))[0]


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file to build and the document it becomes (stage 1, discovery)."""
    path: str    # where to read it
    id: str      # the document's id: its path relative to the build root, without suffix
    name: str    # its path relative to the build root, as recorded (kg:filePath)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """What a document's file says about it apart from its text."""
    name: str = ""                  # path relative to the build root ("": the path's file name)
    media_type: str = "text/plain"
    size: int = 0                   # bytes
    sha256: str = ""
    pages: tuple[int, ...] = ()     # offset in the raw text where each page starts (PDF)


@dataclass(frozen=True, slots=True)
class RawDocument:
    """A file's text as decoded, before any normalization (stage 1, ingest)."""
    id: str
    path: str
    raw: str
    encoding: str
    replaced: int = 0      # undecodable bytes read as U+FFFD
    source: SourceFile = SourceFile()


@dataclass(frozen=True, slots=True)
class Document:
    """Normalized text plus the map back to the raw text (stage 2, normalize).

    ``anchors`` holds (normalized offset, raw offset) pairs at every point where the
    two texts stop advancing together; between anchors the mapping is 1:1.
    """
    id: str
    path: str
    text: str
    raw: str
    encoding: str
    anchors: tuple[tuple[int, int], ...] = ((0, 0),)
    replaced: int = 0      # undecodable bytes read as U+FFFD
    source: SourceFile = SourceFile()
    script: str = "Hans"   # of the raw text: "Hant" when it was traditional and ``text`` is its simplified form
    # the normalized text in the raw text's own script, where that differs from
    # ``text`` (traditional input); the same length, so offsets hold for both
    original: str = ""

    def raw_offset(self, pos: int) -> int:
        """Offset in ``raw`` of the character at ``pos`` of ``text``."""
        if not 0 <= pos <= len(self.text):
            raise IndexError(f"offset {pos} outside 0..{len(self.text)}")
        i = bisect_right(self.anchors, (pos, float("inf"))) - 1
        norm, raw = self.anchors[i]
        return raw + (pos - norm)

    def source_text(self, start: int, end: int) -> str:
        """``text[start:end]`` as the document writes it (traditional input stays traditional)."""
        return (self.original or self.text)[start:end]

    def page(self, pos: int) -> int | None:
        """The page (from 1) that the character at ``pos`` of ``text`` is on, for paged formats."""
        if not self.source.pages:
            return None
        return bisect_right(self.source.pages, self.raw_offset(pos))


@dataclass(frozen=True, slots=True)
class Sentence:
    doc_id: str
    index: int
    start: int
    end: int
    text: str
    paragraph: int
    heading: bool = False


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int
    tag: str


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of the normalized text that names something (``text == doc.text[start:end]``)."""
    text: str
    start: int
    end: int
    cls: str
    extractor: str
    confidence: float = 0.7
    name: str = ""  # the name the span stands for when it differs from ``text`` (quotes dropped, ...)


@dataclass(frozen=True, slots=True)
class Provenance:
    doc_id: str
    sentence: int
    start: int  # sentence start in the normalized text
    end: int
    rule: str
    confidence: float


@dataclass(frozen=True, slots=True, order=True)
class EntityKey:
    family: str
    name: str
    # the area a name is unique within: a person is the name within the area of the
    # bodies they serve (two 王伟 in two counties are two people); "" for the rest
    scope: str = ""


def key_order(k: EntityKey) -> tuple[str, str, str]:
    """EntityKey's order as a plain tuple: a sort by it compares in C, not through
    the dataclass's __lt__ (a call per comparison)."""
    return (k.family, k.name, k.scope)


@dataclass(frozen=True, slots=True)
class Entity:
    key: EntityKey
    cls: str
    aliases: tuple[str, ...] = ()
    extractors: tuple[str, ...] = ()
    confidence: float = 0.7
    code: str | None = None          # administrative division code, from the gazetteer
    within: EntityKey | None = None  # containment known from the gazetteer only
    mentions: tuple[tuple[int, int], ...] = ()

    @property
    def name(self) -> str:
        return self.key.name


@dataclass(frozen=True, slots=True)
class RelationCandidate:
    """A relation between two mentions, before resolution. A ``subject`` of None
    means the sentence has none of its own and the topic subject is meant; an
    ``object`` of None means the area the section is about (辖区X)."""
    subject: Mention | None
    predicate: str
    object: Mention | None
    sentence: int
    rule: str
    confidence: float = 0.6
    post: str = ""        # memberOf: the post held (部长), as the role's label
    post_text: str = ""   # memberOf: the post as written with its body (统战部部长)


@dataclass(frozen=True, slots=True)
class Relation:
    subject: EntityKey
    predicate: str
    object: EntityKey
    provenance: Provenance
    post: str = ""
    post_text: str = ""


@dataclass(frozen=True, slots=True)
class MetricCandidate:
    text: str
    start: int
    end: int
    indicator: str
    value: float
    unit: str
    approximate: bool
    period: str | None
    about: Mention | None
    sentence: int
    rule: str
    confidence: float = 0.6


@dataclass(frozen=True, slots=True)
class Metric:
    about: EntityKey | None
    indicator: str
    value: float
    unit: str
    approximate: bool
    period: str | None
    text: str
    start: int
    end: int
    provenance: Provenance
    years: tuple[int, int] | None = None   # the period as years, where the text or its date tells


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything found in one document: what the graph stage consumes."""
    doc: Document
    sentences: tuple[Sentence, ...]
    mentions: tuple[Mention, ...]
    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]
    metrics: tuple[Metric, ...]
    context: dict = field(default_factory=dict)
