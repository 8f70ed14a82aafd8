import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
DATA = HERE / "data"
TINY = DATA / "tiny.txt"


def kg(*args, cwd=None, check=True, env=None):
    """Run the real `kg` entry point in a subprocess (``env``: variables to set for it)."""
    exe = shutil.which("kg")
    cmd = [exe] if exe else [sys.executable, "-m", "kg"]
    p = subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True, cwd=cwd,
                       env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})})
    if check and p.returncode != 0:
        raise AssertionError(f"kg {' '.join(map(str, args))} failed ({p.returncode}):\n{p.stderr}")
    return p


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    """The bundled sample corpus built once, through the real CLI, with the defaults."""
    work = tmp_path_factory.mktemp("sample")
    kg("build", "-q", "--jobs", "2", cwd=work)
    return work / "output"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's package, which .ci/run installs) driven by Playwright.
    Outside CI a machine without Chromium skips the browser tests; in CI it fails."""
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed (apt-get install chromium)")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield b
        b.close()


class PageRun:
    """A page opened in Chromium, with every request, console message and dialog recorded."""

    def __init__(self, browser, url):
        import time
        self.page = browser.new_page()
        self.requests, self.console, self.dialogs = [], [], []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.console.append(("pageerror", str(e))))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(url)
        deadline = time.monotonic() + 120
        while not self.page.evaluate("() => !!(window.kgView && window.kgView.ready)"):
            if time.monotonic() > deadline:
                raise AssertionError("the page did not draw within 120 s")
            time.sleep(0.1)

    def js(self, expr):
        return self.page.evaluate(f"() => {expr}")

    def errors(self):
        return [c for c in self.console if c[0] in ("error", "pageerror")]


@pytest.fixture(scope="session")
def replicated_build(tmp_path_factory):
    """The sample corpus three times over under other file names and bytes (so three
    documents state each triple), built once through the real CLI."""
    from kg.pipeline import sample_corpus
    work = tmp_path_factory.mktemp("replicated")
    (work / "in").mkdir()
    for copy in range(3):
        for f in sorted(sample_corpus().glob("*.txt")):
            # a line of spaces (which normalization drops) makes each copy other bytes:
            # the same bytes twice are built once
            (work / "in" / f"{f.stem}_{copy}.txt").write_bytes(f.read_bytes() + b"\n" + b" " * (copy + 1) + b"\n")
    kg("build", "-q", "--jobs", "2", "--no-html", work / "in", "-o", work / "output")
    return work / "output"
