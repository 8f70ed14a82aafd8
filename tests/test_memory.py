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
