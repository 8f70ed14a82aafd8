"""Processes a build starts end with it, however it ends (kill -9 and the OOM
killer included): a worker or helper that outlived its build would go on writing
where the next build writes."""
from __future__ import annotations

import os
import signal
import sys
import threading
import time


def end_with(parent: int) -> None:
    """End this process when ``parent`` is gone: at once on Linux (the kernel's
    parent-death signal), within half a second elsewhere."""
    if sys.platform.startswith("linux"):
        import ctypes
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)    # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    # also covers a parent that died before the signal was asked for
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="kg-parent").start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
