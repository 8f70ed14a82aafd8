"""Memory a process frees goes back to the system.

glibc's malloc serves a large request with its own mapping, unmapped when freed,
but after such a block is freed it raises that threshold to the block's size (up
to 32 MiB), and from then on serves blocks below it from its heaps, which give
memory back only from their top. A build frees large blocks all the time (each
batch of N-Quads, the bulk loader's buffers, the tail's query results), so a long
one kept what its largest moments needed: at 16x the sample corpus, 70 MiB more
than it held at any one time. Pinning the threshold keeps every large block its
own mapping. Elsewhere (musl, macOS) there is nothing to do.

The small blocks a thread frees stay in its arena's heap, pages and all, until the
heap's top is free: after a bulk load or a compaction, tens of MiB that the loader's
and RocksDB's threads let go are still counted against the build. ``give_back``
hands those pages back after each (at 16x the sample corpus, the tail's peak went
from 175 to 153 MiB, for a few milliseconds a call)."""
from __future__ import annotations

import ctypes
import platform

M_MMAP_THRESHOLD = -3           # mallopt's parameter number (malloc.h)
LARGE = 128 << 10               # glibc's own starting threshold, kept fixed


def return_freed_memory(threshold: int = LARGE) -> bool:
    """Fix glibc's mmap threshold at ``threshold`` bytes for this process (and the
    children it forks); False where the C library is not glibc."""
    libc = _glibc()
    try:
        return libc is not None and bool(libc.mallopt(M_MMAP_THRESHOLD, threshold))
    except AttributeError:
        return False


def give_back() -> bool:
    """Return the free pages inside every heap of this process to the system; False
    where the C library is not glibc."""
    libc = _glibc()
    if libc is None or not hasattr(libc, "malloc_trim"):
        return False
    libc.malloc_trim(0)
    return True


def _glibc():
    if platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None
