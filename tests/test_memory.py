"""kg.memory: what a process frees of its large blocks goes back to the system,
where glibc would otherwise keep it in its heap after one larger block was freed."""
import platform
import subprocess
import sys

import pytest

from kg import memory

# a large block freed (glibc then serves smaller large blocks from its heap), then
# 200 blocks of 1 MiB allocated and every other one freed: the RSS they hold, in MiB
PROBE = """
import sys
from kg import memory
if sys.argv[1] == "tuned":
    assert memory.return_freed_memory()
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS")) // 1024
big = b"\1" * (16 << 20)         # written: untouched pages would hold no RSS
del big
base = rss()
blocks = [b"\1" * (1 << 20) for _ in range(200)]
del blocks[::2]
print(rss() - base)
"""


def _held(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True)
    return int(out.stdout)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="tunes glibc's malloc")
def test_freed_large_blocks_go_back_to_the_system():
    held_default, held_tuned = _held("default"), _held("tuned")
    assert held_tuned <= 110 and held_default >= 190      # 100 MiB still in use in each


@pytest.mark.parametrize("libc", ["musl", "", "newlib"])
def test_elsewhere_it_does_nothing_and_says_so(monkeypatch, libc):
    monkeypatch.setattr(platform, "libc_ver", lambda: (libc, ""))
    assert memory.return_freed_memory() is False


# a thread's 80 MiB of small blocks (each below the mmap threshold, so from its
# arena's heap), every one but the last freed: the heap's top is in use, so glibc
# keeps the freed pages; the RSS still held, in MiB, before and after give_back
TRIM_PROBE = """
import ctypes, sys, threading
from kg import memory
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS")) // 1024
def churn():
    blocks = [libc.malloc(4096) for _ in range(20480)]
    for b in blocks:
        libc.memset(b, 1, 4096)
    for b in blocks[:-1]:
        libc.free(b)
base = rss()
t = threading.Thread(target=churn)
t.start()
t.join()
held = rss() - base
print(held, (memory.give_back() or sys.exit("give_back said no")) and rss() - base)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="tunes glibc's malloc")
def test_give_back_returns_what_a_threads_heap_keeps_after_freeing():
    out = subprocess.run([sys.executable, "-c", TRIM_PROBE], capture_output=True, text=True, check=True)
    held, after = map(int, out.stdout.split())
    assert held >= 70 and after <= 10


@pytest.mark.parametrize("libc", ["musl", "", "newlib"])
def test_give_back_elsewhere_does_nothing_and_says_so(monkeypatch, libc):
    monkeypatch.setattr(platform, "libc_ver", lambda: (libc, ""))
    assert memory.give_back() is False
