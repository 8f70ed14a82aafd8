"""Memory a process frees goes back to the system.

glibc's malloc serves a large request with its own mapping, unmapped when freed,
but after such a block is freed it raises that threshold to the block's size (up
to 32 MiB), and from then on serves blocks below it from its heaps, which give
memory back only from their top. A build frees large blocks all the time (each
batch of N-Quads, the bulk loader's buffers, the tail's query results), so a long
one kept what its largest moments needed: at 16x the sample corpus, 70 MiB more
than it held at any one time. Pinning the threshold keeps every large block its
own mapping. Elsewhere (musl, macOS) there is nothing to do."""
from __future__ import annotations

import ctypes
import platform

M_MMAP_THRESHOLD = -3           # mallopt's parameter number (malloc.h)
LARGE = 128 << 10               # glibc's own starting threshold, kept fixed


def return_freed_memory(threshold: int = LARGE) -> bool:
    """Fix glibc's mmap threshold at ``threshold`` bytes for this process (and the
    children it forks); False where the C library is not glibc."""
    if platform.libc_ver()[0] != "glibc":
        return False
    try:
        return bool(ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, threshold))
    except (OSError, AttributeError):
        return False
