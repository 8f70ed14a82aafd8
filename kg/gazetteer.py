"""Administrative divisions from jionlp's gazetteer (provinces, cities, counties
with division codes, and town-level names including 街道).

We read jionlp's data file directly instead of importing jionlp: the import prints
a banner on stdout and loads far more than we need. The file is read once per
process, lazily, on first use.
"""
from __future__ import annotations

import importlib.util
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import KgError

LEVELS = ("province", "city", "county", "town")


class GazetteerError(KgError):
    """The gazetteer's data file cannot be found or read."""


@dataclass(frozen=True, slots=True)
class Area:
    name: str
    level: str
    code: str | None
    parent: str | None   # full name of the enclosing area
    alias: str | None


@dataclass(frozen=True)
class Gazetteer:
    by_name: dict[str, tuple[Area, ...]]   # full name -> areas (town names repeat across counties)
    aliases: dict[str, str]                # short form -> full name (provinces and cities)
    max_len: int
    first_two: frozenset[str] = frozenset()  # first two characters of every name, to skip fast
    prefixes: frozenset[str] = frozenset()   # every prefix of every name, to stop extending early

    def lookup(self, name: str) -> tuple[Area, ...]:
        if name in self.by_name:
            return self.by_name[name]
        full = self.aliases.get(name)
        return self.by_name.get(full, ()) if full else ()

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
        out, pos = [], 0
        while pos < len(name):
            for k in range(min(self.max_len, len(name) - pos), 1, -1):
                piece = name[pos:pos + k]
                if piece in self.by_name and (k >= 3 or self.by_name[piece][0].level != "town"):
                    out.append(piece)
                    pos += k
                    break
            else:
                break
        return out

    def parent_of(self, area: Area) -> set[str]:
        out, cur = set(), area
        while cur is not None and cur.parent:
            out.add(cur.parent)
            ups = [x for x in self.by_name.get(cur.parent, ()) if LEVELS.index(x.level) < LEVELS.index(cur.level)]
            cur = ups[0] if ups else None
        return out


def _data_lines():
    """Lines of jionlp's china_location.txt. A fresh install ships it zipped (jionlp
    unpacks it on its own first use), so read the zip when the text is not there."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise GazetteerError("jionlp is not installed; install it with: pip install jionlp")
    folder = Path(list(spec.submodule_search_locations)[0]) / "dictionary"
    txt, packed = folder / "china_location.txt", folder / "china_location.zip"
    try:
        if txt.is_file():
            return txt.read_text(encoding="utf-8").splitlines()
        with zipfile.ZipFile(packed) as z:
            return z.read("china_location.txt").decode("utf-8").splitlines()
    except (OSError, KeyError, zipfile.BadZipFile) as e:
        raise GazetteerError(f"cannot read jionlp's gazetteer in {folder}: {e}") from e


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    by_name: dict[str, list[Area]] = {}
    aliases: dict[str, str] = {}
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
        area = Area(name, LEVELS[depth], code, parent, alias)
        lst = by_name.setdefault(name, [])
        if area not in lst:
            lst.append(area)
        if depth <= 1 and alias and len(alias) >= 2 and alias != name:
            aliases.setdefault(alias, name)
    names = list(by_name) + list(aliases)
    return Gazetteer({k: tuple(v) for k, v in by_name.items()}, aliases, max(map(len, names)),
                     frozenset(n[:2] for n in names), frozenset(n[:k] for n in names for k in range(1, len(n) + 1)))
