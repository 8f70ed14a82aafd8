"""Make docs/view.png, the README's picture of the view, from the current build.

    python docs/make_view_png.py [--focus NAME] [--depth 1]

Builds the bundled sample corpus into a temporary folder, writes the view of one
entity's neighbourhood, and screenshots it in headless Chromium (Debian's
chromium, driven by Playwright without a browser download).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--focus", default="中原区委统战部")
    ap.add_argument("--depth", type=int, default=1)
    ap.add_argument("-o", "--output", default=str(Path(__file__).parent / "view.png"))
    a = ap.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("needs Chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp:
        kg = [sys.executable, "-m", "kg"]
        subprocess.run(kg + ["build", "-o", tmp, "-q", "--no-files"], check=True)
        page_path = Path(tmp) / "view.html"
        subprocess.run(kg + ["view", "--store", f"{tmp}/store", "-o", str(page_path), "--focus", a.focus,
                             "--depth", str(a.depth)], check=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 860}, device_scale_factor=1)
            page.goto(page_path.as_uri())
            page.wait_for_function("() => window.kgView && window.kgView.ready", timeout=120000)
            time.sleep(4)       # let physics settle
            page.evaluate("() => kgView.network.fit()")
            time.sleep(1)
            page.screenshot(path=a.output)
            browser.close()
    print(f"wrote {a.output}")


if __name__ == "__main__":
    main()
