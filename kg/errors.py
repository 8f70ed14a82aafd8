"""Typed errors. Each says what was wrong and what is allowed; the CLI prints one line."""


class KgError(Exception):
    """Base of every error the library raises on purpose."""


class InputError(KgError):
    """A path or document could not be used as input."""


class DecodeError(InputError):
    """A file's bytes are not text in any encoding we detect."""


class UnsupportedFormatError(InputError):
    """A file of a kind kg does not read (a spreadsheet, an image, WPS, OFD …)."""


class ConverterMissingError(InputError):
    """A format kg reads only through an outside program (legacy .doc) that is not installed."""


class NoTextLayerError(InputError):
    """A PDF whose pages carry no text (a scan): it needs OCR first."""


class EncryptedDocumentError(InputError):
    """A password-protected file that cannot be opened without the password."""


class CorruptDocumentError(InputError):
    """A file whose suffix names a format its bytes are not (a damaged PDF or DOCX)."""


class NothingToBuildError(InputError):
    """No readable document among the inputs."""


class StoreError(KgError):
    """The persistent store is missing, locked or unreadable."""


class QueryError(KgError):
    """A SPARQL query is malformed or a named query is unknown or misused."""


class FormatError(KgError):
    """An output format that is not supported was asked for."""


class OntologyError(KgError):
    """The ontology files are missing or disagree with the code."""


class OutputError(KgError):
    """An output file (graph.ttl, graph.html) could not be written."""


class ServeError(KgError):
    """The endpoint cannot start (bad options, port in use)."""


class ClusterError(KgError):
    """The Dask scheduler cannot be reached, or the cluster lost work it cannot redo."""
