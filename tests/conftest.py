import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
DATA = HERE / "data"
TINY = DATA / "tiny.txt"


def kg(*args, cwd=None, check=True):
    """Run the real `kg` entry point in a subprocess."""
    exe = shutil.which("kg")
    cmd = [exe] if exe else [sys.executable, "-m", "kg"]
    p = subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True, cwd=cwd,
                       env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    if check and p.returncode != 0:
        raise AssertionError(f"kg {' '.join(map(str, args))} failed ({p.returncode}):\n{p.stderr}")
    return p


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    """The bundled sample corpus built once, through the real CLI, with the defaults."""
    work = tmp_path_factory.mktemp("sample")
    kg("build", "-q", "--jobs", "2", cwd=work)
    return work / "output"
