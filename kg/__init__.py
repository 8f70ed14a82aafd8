"""kg: knowledge graphs from Chinese government and Party work reports.

The pipeline runs in numbered stages, one module each:
ingest -> normalize -> segment -> extract -> resolve -> graph -> query/view/export/serve.
Stages pass the frozen dataclasses of :mod:`kg.model`; only :mod:`kg.graph` makes IRIs.

The Python API (kg.api) is ``kg.build(paths, out)``, ``kg.open(store)`` and
``kg.extract(text)``, imported on first use: worker processes import kg and must
not pay for the pipeline and the store each time.
"""
import sys
import types

from kg.errors import KgError

__version__ = "0.1.0"
__all__ = ["KgError", "__version__", "build", "open", "extract", "Graph"]

_API = ("build", "open", "Graph")


def __getattr__(name):
    if name in _API:
        from kg import api
        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def _extract(text: str, doc_id: str = "text"):
    """What the pipeline finds in ``text``: a kg.model.Extraction (see kg.api.extract)."""
    from kg.api import extract
    return extract(text, doc_id)


class _Package(types.ModuleType):
    """kg.extract is two things: the API's function and the extraction stage's
    subpackage. Importing the subpackage makes the import system set the attribute
    kg.extract to it, which would replace the function; this property keeps the
    function (the subpackage stays in sys.modules, where ``from kg.extract import``
    finds it)."""

    @property
    def extract(self):
        return _extract

    @extract.setter
    def extract(self, module):
        pass


sys.modules[__name__].__class__ = _Package
