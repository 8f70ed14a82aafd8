"""Administrative divisions from jionlp's gazetteer (provinces, cities, counties
with division codes, and town-level names including 街道).

We read jionlp's data file directly instead of importing jionlp: the import prints
a banner on stdout and loads far more than we need. Reading it takes most of a
second, so what we keep of it is written once per install to a cache file (a
marshal of plain tuples, a few hundredths of a second to load) and read from there
by every later process, lazily, on first use.
"""
from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import zipfile
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from kg.errors import KgError

LEVELS = ("province", "city", "county", "town")


class GazetteerError(KgError):
    """The gazetteer's data file cannot be found or read."""


class Area(NamedTuple):   # a tuple, so that a cached row becomes an area in one C call
    name: str
    level: str
    code: str | None
    parent: str | None   # full name of the enclosing area
    alias: str | None


@dataclass(frozen=True)
class Gazetteer:
    # full name -> (name, level, code, parent, alias) rows (town names repeat across
    # counties); plain tuples, made areas on first lookup: most names never are
    by_name: dict[str, tuple[tuple, ...]]
    aliases: dict[str, str]                # short form -> full name (provinces and cities)
    max_len: int
    first_two: frozenset[str]    # first two characters of every name, to skip fast
    prefixes: frozenset[str]     # every prefix of every name, where extending a match stops
    # the names and short forms ``is_area_name`` accepts, so that the extractors ask
    # one set (they ask for every token that could start a name)
    area_names: frozenset[str]
    _areas: dict[str, tuple[Area, ...]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_index(cls, index: list) -> Gazetteer:
        """The gazetteer of ``_index()``'s plain data (as the cache holds it)."""
        by_name, aliases, max_len, first_two, prefixes, area_names = index
        return cls(by_name, aliases, max_len, frozenset(first_two), frozenset(prefixes), frozenset(area_names))

    def areas(self, full: str) -> tuple[Area, ...]:
        """The areas whose full name is ``full``."""
        got = self._areas.get(full)
        if got is None:
            got = self._areas[full] = tuple(map(Area._make, self.by_name.get(full, ())))
        return got

    def is_area_name(self, word: str) -> bool:
        """``word`` names an area (遵义, 大同), not a two-character town the data lists
        by a common word (社区)."""
        return word in self.area_names

    def lookup(self, name: str) -> tuple[Area, ...]:
        if name in self.by_name:
            return self.areas(name)
        full = self.aliases.get(name)
        return self.areas(full) if full else ()

    def best(self, name: str, context: tuple[str, ...] = ()) -> Area | None:
        """The area meant by ``name``; among same-named towns, the one whose
        county or city is in ``context``."""
        areas = self.lookup(name)
        if not areas:
            return None
        for a in areas:
            if a.parent in context or self.parent_of(a) & set(context):
                return a
        # a name that is both a county and a town somewhere is most often the county
        return min(areas, key=lambda a: LEVELS.index(a.level))

    def leading_places(self, name: str) -> list[str]:
        """The chain of places a name starts with: 成都市武侯区委统战部 → [成都市, 武侯区]."""
        out, pos, n = [], 0, len(name)
        by_name, prefixes, names = self.by_name, self.prefixes, self.area_names
        while pos < n:
            # the longest name here: extended while it is still the start of some name
            best = 0
            for k in range(2, min(self.max_len, n - pos) + 1):
                piece = name[pos:pos + k]
                if piece not in prefixes:
                    break
                if piece in by_name and piece in names:    # a full name, no common word
                    best = k
            if not best:
                break
            out.append(name[pos:pos + best])
            pos += best
        return out

    def parent_of(self, area: Area) -> set[str]:
        out, cur = set(), area
        while cur is not None and cur.parent:
            out.add(cur.parent)
            ups = [x for x in self.areas(cur.parent) if LEVELS.index(x.level) < LEVELS.index(cur.level)]
            cur = ups[0] if ups else None
        return out


def _data_file() -> tuple[Path, Path]:
    """jionlp's china_location.txt and the zip a fresh install ships instead (jionlp
    unpacks it on its own first use)."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise GazetteerError("jionlp is not installed; install it with: pip install jionlp")
    folder = Path(list(spec.submodule_search_locations)[0]) / "dictionary"
    return folder / "china_location.txt", folder / "china_location.zip"


def _data_lines():
    """Lines of jionlp's china_location.txt, from the zip when the text is not there."""
    txt, packed = _data_file()
    try:
        if txt.is_file():
            return txt.read_text(encoding="utf-8").splitlines()
        with zipfile.ZipFile(packed) as z:
            return z.read("china_location.txt").decode("utf-8").splitlines()
    except (OSError, KeyError, zipfile.BadZipFile) as e:
        raise GazetteerError(f"cannot read jionlp's gazetteer in {txt.parent}: {e}") from e


def _rows() -> tuple[list[tuple], dict[str, str]]:
    """(name, level, code, parent, alias) of every area down to towns, in the data's
    order and without repeats, and short forms -> full names (``_short_forms``)."""
    rows: list[tuple] = []
    seen: set[tuple] = set()
    chain: list[str | None] = [None] * 4
    for line in _data_lines():
        if line.startswith("\t\t\t\t"):
            continue   # villages and communities: the suffix grammar finds those
        depth = len(line) - len(line.lstrip("\t"))
        parts = line.strip().split("\t")
        if not parts[0] or depth > 3:
            continue
        name = parts[0]
        code = parts[1] if len(parts) > 1 else None
        alias = parts[2] if len(parts) > 2 else None
        parent = chain[depth - 1] if depth else None
        if depth == 1 and parent == name:
            parent = None  # municipalities list themselves as their own city
        chain[depth] = name
        row = (name, LEVELS[depth], code, parent, alias)
        if row not in seen:
            seen.add(row)
            rows.append(row)
    return rows, _short_forms(rows)


_AUTONOMOUS = (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗"))


def _short_forms(rows: list[tuple]) -> dict[str, str]:
    """Short forms -> full names. A province's or city's short forms as the data gives
    them (several split at /: 巴州/巴音郭楞); an autonomous prefecture, county or banner
    also by its short form and level word (海北藏族自治州 → 海北州, 互助土族自治县 →
    互助县), where that names one area. A county's bare short form is none: too many
    are words (路桥, 新建, 开化)."""
    names = {r[0] for r in rows}
    out: dict[str, str] = {}
    county_forms: dict[str, set[str]] = {}
    for name, level, _code, _parent, alias in rows:
        if level == "town":
            continue
        bare = [a for a in (alias or "").split("/") if len(a) >= 2 and a != name]
        marked = [b + word for suffix, word in _AUTONOMOUS if name.endswith(suffix) for b in bare if not b.endswith(word)]
        if level in ("province", "city"):
            for a in bare + marked:
                out.setdefault(a, name)
            continue
        for a in marked:
            county_forms.setdefault(a, set()).add(name)
    for a, fulls in county_forms.items():
        if len(fulls) == 1 and a not in out and a not in names:
            out[a] = next(iter(fulls))
    return out


_CACHE_VERSION = 5


def _index() -> list:
    """[by_name, aliases, max_len, first_two, prefixes, area_names] as plain data, for ``Gazetteer``."""
    rows, aliases = _rows()
    by_name: dict[str, list[tuple]] = {}
    for row in rows:
        by_name.setdefault(row[0], []).append(row)
    names = list(by_name) + list(aliases)
    by_name = {k: tuple(v) for k, v in by_name.items()}
    return [by_name, aliases, max(map(len, names)), sorted({n[:2] for n in names}),
            sorted({n[:k] for n in names for k in range(1, len(n) + 1)}), sorted(_area_names(by_name, aliases))]


def _area_names(by_name: dict[str, tuple[tuple, ...]], aliases: dict[str, str]) -> frozenset[str]:
    """Names of areas, full or short, of two or more characters; a two-character
    one only if it is no town's (the data lists towns by common words: 社区)."""
    out = set()
    for name in (*by_name, *aliases):
        rows = by_name.get(name) or by_name.get(aliases.get(name, ""), ())
        if rows and (len(name) >= 3 or len(name) == 2 and rows[0][1] != "town"):
            out.add(name)
    return frozenset(out)


def _cached_index() -> list:
    """``_index()``, from the cache file when it was written from the same data file."""
    return _cached("gazetteer.marshal", _index)


def _cached(filename: str, build):
    """What ``build()`` makes from the data file, from the cache file ``filename``
    when that was written from the same data file by the same version of kg."""
    txt, packed = _data_file()
    src = txt if txt.is_file() else packed
    try:
        st = src.stat()
    except OSError as e:
        raise GazetteerError(f"cannot read jionlp's gazetteer in {src.parent}: {e}") from e
    key = [_CACHE_VERSION, str(src), st.st_size, st.st_mtime_ns]
    root = os.environ.get("KG_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    path = Path(root) / "kg" / filename
    try:
        got = marshal.loads(path.read_bytes())
        if got[0] == key:
            return got[1:]
    except (OSError, ValueError, EOFError, TypeError, IndexError):
        pass
    index = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps([key, *index]))
        os.replace(tmp, path)
    except OSError:
        pass   # an unwritable cache costs the reading again next time, nothing else
    return index


def _village_hashes() -> list:
    """The sorted 8-byte hashes of the village and community names, as one byte
    string (a few milliseconds to load; the names themselves take a tenth of a
    second, paid by every worker)."""
    names = {line.strip().split("\t")[0] for line in _data_lines() if line.startswith("\t\t\t\t")}
    return [array("Q", sorted(map(_name_hash, names))).tobytes()]


def _name_hash(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little")


class NameSet:
    """A set of names held as their sorted 64-bit hashes: ``name in names`` is
    exact but for a chance of 1 in 10^13 that a name not in the set shares the hash
    of one in it."""

    def __init__(self, hashes: bytes):
        self._hashes = array("Q")
        self._hashes.frombytes(hashes)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        h = _name_hash(name)
        i = bisect_left(self._hashes, h)
        return i < len(self._hashes) and self._hashes[i] == h

    def __len__(self) -> int:
        return len(self._hashes)


@lru_cache(maxsize=1)
def villages() -> NameSet:
    """The names of villages and communities (the data's fifth level, 300,000 of
    them, 30 MB), read on first use: a name the suffix grammar finds (某某村, 某某社区)
    is a real one when it is here."""
    return NameSet(_cached("villages.marshal", _village_hashes)[0])


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    return Gazetteer.from_index(_cached_index())
