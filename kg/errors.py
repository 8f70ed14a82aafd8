"""Typed errors. Each says what was wrong and what is allowed; the CLI prints one line."""


class KgError(Exception):
    """Base of every error the library raises on purpose."""


class InputError(KgError):
    """A path or document could not be used as input."""


class DecodeError(InputError):
    """A file's bytes are not text in any encoding we detect."""


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


class ServeError(KgError):
    """The endpoint cannot start (bad options, port in use)."""


class ClusterError(KgError):
    """The Dask scheduler cannot be reached, or the cluster lost work it cannot redo."""
