"""How build, store, queries, exports and the view scale with the corpus: 1x/4x/16x.

    python bench/bench_scale.py [--sizes 1,4,16] [--repeat 5] [--jobs N]
                                [--query-timeout 60] [--query-budget 120]
                                [--store-only] [--workdir DIR] [--keep]

1x is 35 documents, 4x 140, 16x 560. Every document is one of the bundled sample
reports (kg/data/corpus) in which the home places (the province, city, counties and
streets/towns of the reports' own district, with their short forms: 中原区/中原) are
replaced, consistently within a copy, by other real areas of the same level and kind
from the gazetteer (district→district, 街道→街道), chosen by a seeded random draw so
that no two copies share them; the people's surnames are varied the same way. So
entities do not all merge as they would with verbatim copies.

Per size it prints: build time and peak memory (main process and largest worker:
their VmHWM; tree: the largest sum of the tree's VmRSS at one sample, at least the
main's peak; sampled from /proc every 50 ms), the store's size on disk, p50/p95 of
every named query through the CLI (`kg query NAME`, one process per run) and over
HTTP (`kg serve`, GET /query/NAME?format=json: pages of 100, the first and one at
offset 2,000 in turn; the CLI gives the whole answer), export times (Turtle, N-Quads),
the view time (`kg view --top 500`), and the cost of adding one new document to
the store against building it into an empty store. Then the targets with pass/fail.

Only the CLI is measured (`python -m kg ...` subprocesses), so every figure is a
whole process. To bench another checkout, put it first on PYTHONPATH.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import random
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

DOCS_PER_X = 35            # 1x = 35 documents (7 copies of the 5 sample reports)
GIB = 1024 ** 3
HTTP_P50_MS = 100          # target: every named query p50 < 100 ms over HTTP at 16x
MEM_MAX = 1 * GIB          # target: peak build memory <= 1 GiB ...
MEM_RATIO = 1.5            # ... and within 1.5x of the 1x figure
ADD_RATIO = 2.0            # target: adding one document <= 2x building it into an empty store
KG = [sys.executable, "-m", "kg"]


class BenchError(Exception):
    """A step failed; the message is one line."""


# ---------------------------------------------------------------- processes

@dataclass
class Run:
    cmd: list[str]
    rc: int | None = None
    seconds: float = 0.0
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    main_peak: int = 0       # bytes: VmHWM of the process we started
    worker_peak: int = 0     # bytes: largest VmHWM among its descendants
    tree_peak: int = 0       # bytes: largest sum of VmRSS over the whole tree at one sample
    maxrss: int = 0          # bytes: ru_maxrss from wait4 (largest single process in the tree)

    @property
    def ok(self) -> bool:
        return self.rc == 0 and not self.timed_out

    def why(self) -> str:
        if self.timed_out:
            return f"timed out after {self.seconds:.0f} s"
        last = [ln for ln in (self.stderr or self.stdout).strip().splitlines() if ln.strip()]
        return f"exit {self.rc}: {last[-1][:200] if last else 'no output'}"


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of one process, in bytes (empty if it is gone)."""
    out = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    k, v = line.split(":", 1)
                    out[k] = int(v.split()[0]) * 1024
    except (OSError, ValueError):
        pass
    return out


def _descendants(pid: int) -> list[int]:
    try:
        import psutil
        try:
            return [c.pid for c in psutil.Process(pid).children(recursive=True)]
        except psutil.Error:
            return []
    except ImportError:
        pass
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", encoding="ascii", errors="replace") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [pid]
    while todo:
        for c in kids.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def run(cmd: list[str], timeout: float, cwd: Path, measure: bool = False, interval: float = 0.05) -> Run:
    """Run ``cmd`` in its own process group; kill the group after ``timeout`` s.
    With ``measure``, sample the memory of the process and its descendants."""
    r = Run(cmd)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        try:
            p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
        except OSError as e:
            raise BenchError(f"cannot start {' '.join(cmd[:4])}: {e}") from e
        deadline = t0 + timeout
        status, usage = None, None
        try:
            while True:
                pid, st, ru = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    status, usage = st, ru
                    break
                if measure:
                    s = _status(p.pid)
                    r.main_peak = max(r.main_peak, s.get("VmHWM", 0))
                    tree = s.get("VmRSS", 0)
                    for c in _descendants(p.pid):
                        cs = _status(c)
                        r.worker_peak = max(r.worker_peak, cs.get("VmHWM", 0))
                        tree += cs.get("VmRSS", 0)
                    r.tree_peak = max(r.tree_peak, tree)
                if time.perf_counter() > deadline:
                    r.timed_out = True
                    _kill_group(p.pid)
                    _, status, usage = os.wait4(p.pid, 0)
                    break
                time.sleep(interval if measure else 0.002)
        except BaseException:
            _kill_group(p.pid)
            try:
                os.wait4(p.pid, 0)
            except ChildProcessError:
                pass
            p.returncode = -9
            raise
        r.seconds = time.perf_counter() - t0
        _kill_group(p.pid)   # leftover workers, if any
        r.rc = p.returncode = os.waitstatus_to_exitcode(status)
        r.maxrss = usage.ru_maxrss * 1024 if usage else 0
        r.tree_peak = max(r.tree_peak, r.main_peak)
        out.seek(0)
        err.seek(0)
        r.stdout = out.read().decode("utf-8", errors="replace")
        r.stderr = err.read().decode("utf-8", errors="replace")
    return r


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class Server:
    """`kg serve --port 0` in its own process group; stopped by stop() in any case."""

    def __init__(self, store: Path, cwd: Path, timeout: float, start_timeout: float = 60):
        cmd = KG + ["serve", "--store", str(store), "--port", "0", "--timeout", f"{timeout:g}"]
        self.proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        self.base = None
        line, end = b"", time.monotonic() + start_timeout
        while time.monotonic() < end and self.proc.poll() is None:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                line = self.proc.stdout.readline()
                m = re.search(rb"(http://[^\s/]+:\d+)/", line)
                if m:
                    self.base = m.group(1).decode()
                    break
        if self.base is None:
            err = b""
            if self.proc.poll() is not None:
                err = self.proc.stderr.read()
            self.stop()
            last = (err or line).decode("utf-8", "replace").strip().splitlines()
            raise BenchError(f"kg serve did not start: {last[-1][:200] if last else 'no address printed'}")
        # drain stderr so a chatty server cannot block on a full pipe
        import threading
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def get(self, path: str, timeout: float) -> tuple[int, bytes, float]:
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(self.base + path, timeout=timeout) as r:
                body = r.read()
                return r.status, body, time.perf_counter() - t0
        except urllib.error.HTTPError as e:
            return e.code, e.read(), time.perf_counter() - t0
        except (urllib.error.URLError, OSError) as e:   # socket timeout included
            reason = getattr(e, "reason", e)
            code = -1 if "timed out" in str(reason) else -2
            return code, str(reason).encode(), time.perf_counter() - t0

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(10)
            except (ProcessLookupError, PermissionError):
                pass
            except subprocess.TimeoutExpired:
                _kill_group(self.proc.pid)
                self.proc.wait(10)
        _kill_group(self.proc.pid)


# ---------------------------------------------------------------- corpus

SUFFIXES = ("街道", "族乡", "镇", "乡")


def _kind(area) -> str:
    """What sort of area: level plus its suffix (街道/镇/乡 for towns, 区/县/市 for counties)."""
    if area.level == "town":
        return "town:" + next((s for s in SUFFIXES if area.name.endswith(s)), "")
    if area.level == "county":
        return "county:" + area.name[-1]
    return area.level + ":" + area.name[-1]


def _short(area) -> str | None:
    """The short form a report uses: 中原区 → 中原, 汝河路街道 → 汝河路, 郑州市 → 郑州."""
    if area.level == "town":
        s = next((s for s in SUFFIXES if area.name.endswith(s)), None)
        stem = area.name[: -len(s)] if s else None
        return stem if stem and len(stem) >= 2 else None
    a = area.alias
    return a if a and len(a) >= 2 and a != area.name and area.name.startswith(a) else None


class Places:
    """The reports' home places and, per copy, a consistent substitution of them."""

    SKIP_PROVINCES = {"台湾省", "香港特别行政区", "澳门特别行政区"}

    def __init__(self, texts: list[str], seed: int):
        from kg.gazetteer import load
        self.g = g = load()
        self.seed = seed
        found: dict[str, object] = {}
        joined = "\n".join(texts)
        for name in g.by_name:
            areas = g.areas(name)
            if len(name) >= 3 and name in joined and len(areas) == 1:
                found[name] = areas[0]
        for short, full in g.aliases.items():
            if short in joined and full in g.by_name and len(g.by_name[full]) >= 1:
                a = next(x for x in g.areas(full) if x.level in ("province", "city"))
                found.setdefault(full, a)
        counties = [a for a in found.values() if a.level == "county"]
        if not counties:
            raise BenchError("no county of the gazetteer occurs in the sample reports")
        top = max(counties, key=lambda a: joined.count(a.name) + (joined.count(_short(a)) if _short(a) else 0))
        city = top.parent
        self.home_city = next(a for a in g.areas(city) if a.level == "city")
        self.home_province = next((a for a in g.areas(self.home_city.parent or "") if a.level == "province"), None)

        def home(a) -> bool:
            return a is self.home_city or a is self.home_province or city in g.parent_of(a)

        self.home = sorted((a for a in found.values() if home(a)),
                           key=lambda a: (("province", "city", "county", "town").index(a.level), a.name))
        # indexes of the gazetteer: children by parent name (only where the parent's name is unique)
        self.children: dict[str, list] = {}
        for areas in map(g.areas, g.by_name):
            for a in areas:
                if a.parent:
                    self.children.setdefault(a.parent, []).append(a)
        self.towns_by_kind: dict[str, list] = {}
        for areas in map(g.areas, g.by_name):
            for a in areas:
                if a.level == "town" and _short(a):
                    self.towns_by_kind.setdefault(_kind(a), []).append(a)
        for v in self.towns_by_kind.values():
            v.sort(key=lambda a: (a.parent or "", a.name))
        home_counties = [a for a in self.home if a.level == "county"]
        cities = []
        for areas in map(g.areas, g.by_name):
            for a in areas:
                if (a.level == "city" and a.parent and a.parent not in self.SKIP_PROVINCES
                        and a.name != self.home_city.name and a.name.endswith("市") and _short(a)
                        and len(self._counties(a)) >= len(home_counties)):
                    cities.append(a)
        cities.sort(key=lambda a: a.code or a.name)
        random.Random(f"{seed}:cities").shuffle(cities)
        self.cities = cities
        if not cities:
            raise BenchError("no city of the gazetteer has enough counties to stand in for the home city")

    def _counties(self, city) -> list:
        out = []
        for a in self.children.get(city.name, []):
            if a.level == "county" and len(self.g.areas(a.name)) == 1 and _short(a):
                out.append(a)
        return sorted(out, key=lambda a: a.code or a.name)

    def mapping(self, copy: int) -> dict[str, str]:
        """Full and short names of the home places → their stand-ins in copy ``copy``."""
        rng = random.Random(f"{self.seed}:copy:{copy}")
        city = self.cities[copy % len(self.cities)]
        prov = next((a for a in self.g.areas(city.parent) if a.level == "province"), None)
        sub: dict[object, object] = {self.home_city: city}
        if self.home_province is not None and prov is not None:
            sub[self.home_province] = prov
        counties = self._counties(city)
        rng.shuffle(counties)
        used = {city.name, _short(city)} | ({prov.name, _short(prov)} if prov else set())

        def free(c) -> bool:   # neither its name nor its short form stands in for another place
            return c.name not in used and _short(c) not in used

        def take(old, new) -> None:
            sub[old] = new
            used.update({new.name, _short(new)})

        for a in (x for x in self.home if x.level == "county"):
            pick = next((c for c in counties if _kind(c) == _kind(a) and free(c)), None)
            pick = pick or next((c for c in counties if free(c)), None)
            if pick is not None:
                take(a, pick)
        for a in (x for x in self.home if x.level == "town"):
            parent = next((c for c in self.home if c.name == a.parent), None)
            new_parent = sub.get(parent)
            pool = [t for t in self.children.get(new_parent.name, []) if t.level == "town"] if new_parent else []
            pool = [t for t in pool if _kind(t) == _kind(a) and _short(t) and free(t)]
            if not pool:   # the stand-in county has none of this kind left: any town of the kind
                kinds = self.towns_by_kind.get(_kind(a)) or self.towns_by_kind["town:街道"]
                pool = [kinds[rng.randrange(len(kinds))] for _ in range(50)]
                pool = [t for t in pool if free(t)]
            if pool:
                take(a, pool[rng.randrange(len(pool))])
        out: dict[str, str] = {}
        for old, new in sub.items():
            out[old.name] = new.name
            s_old, s_new = _short(old), _short(new)
            if s_old:
                out.setdefault(s_old, s_new or new.name)
        return out


def _surnames(path: Path) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        out += [s for s in line.split("\t") if len(s) == 1]
    return sorted(set(out))


def person_mapping(persons: list[str], surnames: list[str], seed: int, copy: int) -> dict[str, str]:
    rng = random.Random(f"{seed}:persons:{copy}")
    out, taken = {}, set(persons)
    for p in persons:
        if not p or p[0] not in surnames:
            continue
        for _ in range(20):
            new = rng.choice(surnames) + p[1:]
            if new not in taken:
                out[p] = new
                taken.add(new)
                break
    return out


def substitute(text: str, mapping: dict[str, str]) -> str:
    if not mapping:
        return text
    pat = re.compile("|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)))
    return pat.sub(lambda m: mapping[m.group(0)], text)


class Corpus:
    def __init__(self, work: Path, seed: int, vary_persons: bool, jobs: int, no_files: str, timeout: float):
        import kg
        data = Path(kg.__file__).parent / "data"
        self.sources = sorted((data / "corpus").glob("*.txt"))
        if not self.sources:
            raise BenchError(f"no sample reports in {data / 'corpus'}")
        self.texts = [f.read_text(encoding="utf-8") for f in self.sources]
        self.places = Places(self.texts, seed)
        self.seed = seed
        self.persons: list[str] = []
        self.surnames: list[str] = []
        if vary_persons:
            try:
                self.surnames = _surnames(data / "surnames.tsv")
            except OSError:
                self.surnames = []
            if self.surnames:
                self.persons = self._find_persons(work, jobs, no_files, timeout)

    def _find_persons(self, work: Path, jobs: int, no_files: str, timeout: float) -> list[str]:
        """The people kg itself finds in the sample reports (by building them once)."""
        out = work / "persons"
        b = run(KG + ["build", *map(str, self.sources), "-o", str(out), "-q", "-j", str(jobs), no_files],
                timeout, work)
        if not b.ok:
            print(f"note: person names not varied (building the sample failed: {b.why()})")
            return []
        q = run(KG + ["query", "SELECT DISTINCT ?n WHERE { ?e a kg:Person ; skos:prefLabel ?n }",
                      "--format", "csv", "--store", str(out / "store")], timeout, work)
        shutil.rmtree(out, ignore_errors=True)
        if not q.ok:
            print(f"note: person names not varied (query failed: {q.why()})")
            return []
        rows = list(csv.reader(io.StringIO(q.stdout)))[1:]
        return sorted({r[0] for r in rows if r and 2 <= len(r[0]) <= 4})

    def document(self, i: int) -> tuple[str, str]:
        """Document ``i``: copy i // 5 of sample report i % 5, as (file name, text)."""
        copy, k = divmod(i, len(self.sources))
        m = self.places.mapping(copy)
        if self.persons:
            m.update(person_mapping(self.persons, self.surnames, self.seed, copy))
        return f"{i:05d}_{self.sources[k].stem}.txt", substitute(self.texts[k], m)

    def write(self, folder: Path, n: int) -> int:
        folder.mkdir(parents=True, exist_ok=True)
        chars = 0
        for i in range(n):
            name, text = self.document(i)
            (folder / name).write_text(text, encoding="utf-8")
            chars += len(text)
        return chars


# ---------------------------------------------------------------- measuring

@dataclass
class QueryTimes:
    times: list[float] = field(default_factory=list)
    rows: int | None = None
    error: str | None = None     # "timeout" or a one-line error
    want: int = 0                # runs asked for (fewer are done past the time budget)

    def pct(self, q: float) -> float | None:
        if not self.times:
            return None
        s = sorted(self.times)
        return s[max(0, math.ceil(q * len(s)) - 1)]

    def cell(self) -> str:
        if self.error and not self.times:
            return self.error
        p50, p95 = self.pct(0.5), self.pct(0.95)
        text = f"{_ms(p50)} / {_ms(p95)}"
        if len(self.times) < self.want and not self.error:
            text += f" ({len(self.times)} runs)"
        return text + (f" ({self.error})" if self.error else "")


def _ms(s: float | None) -> str:
    if s is None:
        return "-"
    return f"{s * 1000:,.0f} ms" if s < 10 else f"{s:,.1f} s"


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n}"


def du(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def named_queries(work: Path, server: Server | None, timeout: float) -> dict[str, dict[str, bool]]:
    """name → {param: required}: from the server's /queries, else from `kg query --list`."""
    if server is not None:
        code, body, _ = server.get("/queries", timeout)
        if code == 200:
            try:
                return {n: {p: "(optional)" not in h for p, h in q.get("params", {}).items()}
                        for n, q in json.loads(body).items()}
            except (ValueError, AttributeError):
                pass
    r = run(KG + ["query", "--list"], timeout, work)
    if not r.ok:
        raise BenchError(f"kg query --list failed: {r.why()}")
    out = {}
    for line in r.stdout.splitlines():
        if line.strip():
            name = line.split()[0]
            out[name] = {p: True for p in re.findall(r"--param (\w+)=", line)}
    return out


# SPARQL that picks a real value for a required parameter: by (query, param), else by
# param, else any organization that runs something
PICK = {
    ("metrics-of", "entity"): ["SELECT ?n WHERE { ?m a kg:Metric ; kg:about ?e . ?e skos:prefLabel ?n } LIMIT 1"],
    "person": ["SELECT ?n WHERE { ?e a kg:Person ; skos:prefLabel ?n } LIMIT 1"],
    None: ["SELECT ?n WHERE { ?e a kg:Organization ; skos:prefLabel ?n ; kg:runs ?x } LIMIT 1",
           "SELECT ?n WHERE { ?e a kg:Organization ; skos:prefLabel ?n } LIMIT 1"],
}


def pick_value(query: str, param: str, store: Path, work: Path, timeout: float, cache: dict) -> str | None:
    key = (query, param) if (query, param) in PICK else param if param in PICK else None
    if key in cache:
        return cache[key]
    cache[key] = None
    for q in PICK[key] + (PICK[None] if key is not None else []):
        r = run(KG + ["query", q, "--format", "csv", "--store", str(store)], timeout, work)
        rows = list(csv.reader(io.StringIO(r.stdout)))[1:] if r.ok else []
        if rows and rows[0]:
            cache[key] = rows[0][0]
            break
    return cache[key]


def time_cli(name: str, params: dict[str, str], store: Path, work: Path, repeat: int, timeout: float,
             budget: float) -> QueryTimes:
    qt = QueryTimes(want=repeat)
    cmd = KG + ["query", name, "--format", "csv", "--store", str(store)]
    for k, v in params.items():
        cmd += ["--param", f"{k}={v}"]
    for _ in range(repeat):
        r = run(cmd, timeout, work)
        if r.timed_out:
            qt.error = f"timeout > {timeout:g} s"
            break
        if not r.ok:
            qt.error = "error: " + r.why()
            break
        qt.times.append(r.seconds)
        qt.rows = max(0, len(list(csv.reader(io.StringIO(r.stdout)))) - 1)
        if sum(qt.times) > budget:
            break
    return qt


def time_http(server: Server, name: str, params: dict[str, str], repeat: int, timeout: float,
              budget: float) -> QueryTimes:
    """Pages of 100 (kg serve's default): the first, and one 2,000 rows/items in,
    in turn; rows are the first page's."""
    qt = QueryTimes(want=repeat)
    paths = [f"/query/{urllib.parse.quote(name)}?" + urllib.parse.urlencode({**params, "format": "json", "offset": o})
             for o in (0, DEEP_PAGE)]
    for i in range(repeat):
        code, body, secs = server.get(paths[i % 2], timeout + 5)
        if code == -1 or (code == 503 and b"timeout" in body):
            qt.error = f"timeout > {timeout:g} s"
            break
        if code != 200:
            line = body.decode("utf-8", "replace").strip().splitlines()
            qt.error = f"HTTP {code}: {line[0][:120] if line else ''}"
            break
        qt.times.append(secs)
        try:
            if i % 2 == 0:
                qt.rows = len(json.loads(body)["results"]["bindings"])
        except (ValueError, KeyError, TypeError):
            qt.rows = None
        if sum(qt.times) > budget:
            break
    return qt


DEEP_PAGE = 2000    # the offset of the second page timed over HTTP


@dataclass
class SizeResult:
    x: int
    docs: int
    chars: int
    build: Run | None = None
    store_bytes: int = 0
    out_bytes: dict[str, int] = field(default_factory=dict)
    cli: dict[str, QueryTimes] = field(default_factory=dict)
    http: dict[str, QueryTimes] = field(default_factory=dict)
    params: dict[str, dict[str, str]] = field(default_factory=dict)
    exports: dict[str, tuple[Run, int]] = field(default_factory=dict)
    view: Run | None = None
    add: list[float] = field(default_factory=list)
    empty: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def bench_size(x: int, corpus: Corpus, a, work: Path, no_files: str) -> SizeResult:
    n = DOCS_PER_X * x
    folder = work / f"corpus-{x}x"
    chars = corpus.write(folder, n)
    res = SizeResult(x, n, chars)
    out = work / f"out-{x}x"
    shutil.rmtree(out, ignore_errors=True)
    store = out / "store"
    build_cmd = KG + ["build", str(folder), "-o", str(out), "-q", "-j", str(a.jobs)]
    if a.store_only:
        build_cmd.append(no_files)
    print(f"[{x}x] building {n} documents ({chars:,} characters) ...", flush=True)
    res.build = b = run(build_cmd, a.build_timeout, work, measure=True)
    if not b.ok:
        res.notes.append(f"build failed: {b.why()}")
        return res
    res.store_bytes = du(store)
    for f in ("graph.ttl", "graph.html"):
        if (out / f).exists():
            res.out_bytes[f] = du(out / f)

    server = None
    try:
        try:
            server = Server(store, work, a.query_timeout)
        except BenchError as e:
            res.notes.append(str(e))
        queries = named_queries(work, server, a.query_timeout)
        cache: dict = {}
        for name, declared in queries.items():
            params = {}
            for p, required in declared.items():
                if required:
                    v = pick_value(name, p, store, work, a.query_timeout, cache)
                    if v is None:
                        res.notes.append(f"{name}: no value found for --param {p}")
                    else:
                        params[p] = v
            res.params[name] = params
        print(f"[{x}x] {len(queries)} named queries x {a.repeat}, CLI and HTTP ...", flush=True)
        for name, params in res.params.items():
            res.cli[name] = time_cli(name, params, store, work, a.repeat, a.query_timeout, a.query_budget)
            if server is not None:
                res.http[name] = time_http(server, name, params, a.repeat, a.query_timeout, a.query_budget)
    finally:
        if server is not None:
            server.stop()

    print(f"[{x}x] exports and view ...", flush=True)
    for fmt, ext in (("turtle", "ttl"), ("nquads", "nq")):
        f = work / f"export-{x}x.{ext}"
        r = run(KG + ["export", "--format", fmt, "-o", str(f), "--store", str(store)], a.build_timeout, work, measure=True)
        res.exports[fmt] = (r, du(f) if f.exists() else 0)
        f.unlink(missing_ok=True)
    f = work / f"view-{x}x.html"
    res.view = run(KG + ["view", "--store", str(store), "-o", str(f), "--top", "500"], a.build_timeout, work, measure=True)
    f.unlink(missing_ok=True)

    print(f"[{x}x] adding one document ...", flush=True)
    extra = work / f"extra-{x}x"
    extra.mkdir(exist_ok=True)
    copies = math.ceil(DOCS_PER_X * max(a.sizes) / len(corpus.sources))
    for j in range(a.add_repeat):
        # a document no corpus holds: a copy index past the largest corpus
        name, text = corpus.document((copies + j) * len(corpus.sources) + j % len(corpus.sources))
        doc = extra / name
        doc.write_text(text, encoding="utf-8")
        empty_out = work / f"empty-{x}x-{j}"
        shutil.rmtree(empty_out, ignore_errors=True)
        flags = ["-q", "-j", str(a.jobs), no_files]
        e = run(KG + ["build", str(doc), "-o", str(empty_out), *flags], a.build_timeout, work, measure=True)
        shutil.rmtree(empty_out, ignore_errors=True)
        r = run(KG + ["build", str(doc), "-o", str(out), *flags], a.build_timeout, work, measure=True)
        if not e.ok or not r.ok:
            res.notes.append(f"adding one document failed: {(r if not r.ok else e).why()}")
            break
        res.empty.append(e.seconds)
        res.add.append(r.seconds)
    return res


# ---------------------------------------------------------------- report

def print_size(r: SizeResult) -> None:
    print(f"\n=== {r.x}x: {r.docs} documents, {r.chars:,} characters ===")
    b = r.build
    if b is not None and b.ok:
        files = ", ".join(f"{k} {_size(v)}" for k, v in r.out_bytes.items())
        print(f"build           {b.seconds:8.1f} s   peak memory: main {_size(b.main_peak)}, "
              f"largest worker {_size(b.worker_peak)}, tree {_size(b.tree_peak)} (ru_maxrss {_size(b.maxrss)})")
        print(f"store on disk   {_size(r.store_bytes):>10}" + (f"   ({files})" if files else ""))
    if r.cli:
        w = max(map(len, r.cli))
        print(f"{'named query':<{w}}  {'CLI p50 / p95':>30}  {'HTTP p50 / p95':>30}  rows  param")
        for name, c in r.cli.items():
            h = r.http.get(name)
            rows = c.rows if c.rows is not None else (h.rows if h else None)
            hrows = f"{h.rows}" if h and h.rows is not None and h.rows != rows else ""
            param = ", ".join(f"{k}={v}" for k, v in r.params.get(name, {}).items())
            print(f"{name:<{w}}  {c.cell():>30}  {(h.cell() if h else 'n/a'):>30}  "
                  f"{'' if rows is None else rows}{'/' + hrows + ' http' if hrows else ''}  {param}")
    for fmt, (e, size) in r.exports.items():
        print(f"export {fmt:<8} {e.seconds:8.1f} s   {_size(size)}, peak {_size(e.tree_peak)}"
              + ("" if e.ok else f"   FAILED {e.why()}"))
    if r.view is not None:
        v = r.view
        print(f"view --top 500  {v.seconds:8.1f} s   peak {_size(v.tree_peak)}" + ("" if v.ok else f"   FAILED {v.why()}"))
    if r.add:
        add, empty = statistics.median(r.add), statistics.median(r.empty)
        print(f"add 1 document  {add:8.2f} s   into an empty store {empty:.2f} s   ratio {add / empty:.2f}"
              f"   ({len(r.add)} runs, medians)")
    for n in r.notes:
        print(f"note: {n}")


def summary(results: list[SizeResult]) -> bool:
    print("\n=== targets ===")
    ok_all = True

    def line(ok: bool | None, text: str) -> None:
        nonlocal ok_all
        mark = "PASS" if ok else ("n/a " if ok is None else "FAIL")
        ok_all &= ok is not False
        print(f"{mark}  {text}")

    big = max(results, key=lambda r: r.x)
    where = f"{big.x}x" + ("" if big.x == 16 else " (the target is for 16x)")
    if big.http:
        slow = []
        for name, h in big.http.items():
            p50 = h.pct(0.5)
            if p50 is None or p50 * 1000 >= HTTP_P50_MS or h.error:
                slow.append(f"{name} {h.cell()}")
        line(not slow, f"every named query p50 < {HTTP_P50_MS} ms over HTTP at {where}"
             + (f": {len(big.http) - len(slow)}/{len(big.http)} pass; slow: " + "; ".join(slow) if slow else ""))
    else:
        line(None, f"named queries over HTTP at {where}: not measured")
    base = next((r for r in results if r.x == 1 and r.build and r.build.ok), None)
    for r in results:
        b = r.build
        if b is None or not b.ok:
            line(False, f"{r.x}x build failed")
            continue
        for label, peak, ref in (("tree", b.tree_peak, base.build.tree_peak if base else None),
                                 ("main", b.main_peak, base.build.main_peak if base else None)):
            ratio = peak / ref if ref else None
            ok = peak <= MEM_MAX and (ratio is None or ratio <= MEM_RATIO)
            line(ok, f"{r.x}x peak build memory ({label}) {_size(peak)} <= 1 GiB and <= {MEM_RATIO}x of 1x"
                 + (f" ({ratio:.2f}x)" if ratio is not None else " (1x not measured)"))
    for r in results:
        if r.add:
            add, empty = statistics.median(r.add), statistics.median(r.empty)
            line(add <= ADD_RATIO * empty, f"{r.x}x adding one document {add:.2f} s <= {ADD_RATIO}x its cost "
                 f"into an empty store {empty:.2f} s ({add / empty:.2f}x)")
        else:
            line(False, f"{r.x}x adding one document: not measured")
    return ok_all


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1,4,16", help="corpus sizes as multiples of 35 documents (default 1,4,16)")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each named query, CLI and HTTP (default 5)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="kg build --jobs (default: all cores)")
    ap.add_argument("--query-timeout", type=float, default=60, help="seconds a query may run (default 60)")
    ap.add_argument("--query-budget", type=float, default=120,
                    help="stop repeating a query once its runs add up to this many seconds (default 120)")
    ap.add_argument("--build-timeout", type=float, default=3600,
                    help="seconds a build, export or view may run (default 3600)")
    ap.add_argument("--add-repeat", type=int, default=3, help="documents added one at a time (default 3)")
    ap.add_argument("--store-only", action="store_true",
                    help="build the corpus with --no-files (store only; default: a full kg build)")
    ap.add_argument("--no-persons", action="store_true", help="do not vary person names")
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--workdir", help="where corpora and stores go (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    a = ap.parse_args()
    try:
        a.sizes = sorted({int(s) for s in a.sizes.split(",") if s.strip()})
        if not a.sizes or min(a.sizes) < 1:
            raise ValueError
    except ValueError:
        print("bench_scale: error: --sizes wants positive integers like 1,4,16", file=sys.stderr)
        return 2
    if a.repeat < 1 or a.add_repeat < 1:
        print("bench_scale: error: --repeat and --add-repeat must be at least 1", file=sys.stderr)
        return 2
    if a.workdir:
        work = Path(a.workdir).resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="kg-bench-scale-"))
    results: list[SizeResult] = []
    try:
        h = run(KG + ["build", "--help"], 60, work)
        if not h.ok:
            raise BenchError(f"kg build --help failed: {h.why()}")
        no_files = "--no-files" if "--no-files" in h.stdout else "--no-html"
        if no_files != "--no-files":
            print("note: kg build has no --no-files yet; using --no-html instead (graph.ttl is still written)")
        print(f"kg from {_kg_location(work)}; work folder {work}; jobs {a.jobs}; "
              f"build {'store only (' + no_files + ')' if a.store_only else 'full (store, graph.ttl, graph.html)'}")
        corpus = Corpus(work, a.seed, not a.no_persons, a.jobs, no_files, a.build_timeout)
        home = ", ".join(x.name for x in corpus.places.home)
        print(f"home places replaced per copy: {home}; {len(corpus.persons)} person names varied")
        for x in a.sizes:
            r = bench_size(x, corpus, a, work, no_files)
            results.append(r)
            print_size(r)
        ok = summary(results)
        return 0 if ok else 1
    except BenchError as e:
        print(f"bench_scale: error: {e}", file=sys.stderr)
        if results:
            summary(results)
        return 2
    except KeyboardInterrupt:
        print("bench_scale: interrupted", file=sys.stderr)
        return 130
    finally:
        if a.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _kg_location(work: Path) -> str:
    r = run([sys.executable, "-c", "import kg, os; print(os.path.dirname(kg.__file__))"], 60, work)
    return r.stdout.strip() or "?"


if __name__ == "__main__":
    sys.exit(main())
