"""Crash points for the crash tests. With KG_CRASH_AT=NAME in the environment, the
process kills itself with SIGKILL when it reaches point NAME, exactly as ``kill -9``
would there; without it a point costs one dictionary lookup."""
from __future__ import annotations

import os
import signal

POINTS = ("store", "store-done", "files-staged", "swap", "swapped", "turtle-published", "html-published")


def point(name: str) -> None:
    if os.environ.get("KG_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
