"""kg.workers: however the consumer of its workers' results stops, no worker
outlives it and the process can exit."""
from __future__ import annotations

import subprocess
import sys

import pytest

# workers that are nearly always in the middle of sending a large result, so that
# stopping or killing them leaves half a message in the result pipe
HEAD = '''
import multiprocessing, os, signal, time
from kg.errors import ClusterError
from kg.workers import results as in_workers

def large(n):
    return b"x" * (16 << 20)

if __name__ == "__main__":
    results = in_workers(large, list(range(1000)), 2)
    next(results)
'''

STOPS = {
    "the-caller-leaves-the-stream": "    results.close()\n",
    "ctrl-c-in-the-pool": "    try:\n        results.throw(KeyboardInterrupt)\n"
                          "    except KeyboardInterrupt:\n        pass\n",
}

# the other worker lives on, so the half-sent result never ends by itself; the one
# killed is seen blocked writing into the result pipe where the kernel tells
DIES = '''
    def sending():
        for c in multiprocessing.active_children():
            try:
                if open(f"/proc/{c.pid}/wchan").read().endswith("pipe_write"):
                    return c
            except OSError:
                pass

    end, victim = time.monotonic() + 10, None
    while victim is None and time.monotonic() < end:
        victim = sending()
    print("mid-send" if victim else "anywhere")
    os.kill((victim or multiprocessing.active_children()[0]).pid, signal.SIGKILL)
    try:
        for _ in results:
            pass
    except ClusterError as e:
        print(e)
'''

def _run(tmp_path, body: str) -> subprocess.CompletedProcess:
    script = tmp_path / "script.py"
    script.write_text(HEAD + body, encoding="utf-8")
    p = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    return p


@pytest.mark.parametrize("stop", STOPS.values(), ids=STOPS.keys())
def test_a_pool_stopped_while_workers_send_results_lets_the_process_exit(tmp_path, stop):
    _run(tmp_path, stop)


def test_a_worker_killed_while_sending_a_result_stops_the_consumer_with_one_error(tmp_path):
    where, error = _run(tmp_path, DIES).stdout.splitlines()
    assert error.endswith("documents written so far are whole, build again to add the rest")
    if where == "mid-send":       # the executor never notices this one: the watch does
        assert error.startswith("a worker process died (exit code -9)")
    else:
        assert error.startswith("a worker process died (")
