"""Meetings, courses and ceremonies: who holds them and who takes part."""
from __future__ import annotations

from kg.extract import officials as _officials  # noqa: F401  (people are found first)
