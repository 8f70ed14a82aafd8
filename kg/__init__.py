"""kg: knowledge graphs from Chinese government and Party work reports.

The pipeline runs in numbered stages, one module each:
ingest -> normalize -> segment -> extract -> resolve -> graph -> query/view/export/serve.
Stages pass the frozen dataclasses of :mod:`kg.model`; only :mod:`kg.graph` makes IRIs.
"""
from kg.errors import KgError

__version__ = "0.1.0"
__all__ = ["KgError", "__version__"]
