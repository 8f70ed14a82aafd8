"""Canonical names: how a mention is named in its document's context.

Part of stage 5 (resolve): a context-dependent name is completed from the areas the
document is about (区委统战部 → 西湖区委统战部, 民进省委 → 民进浙江省委), a leading place
that only repeats the context is dropped, a short organization word gets its full
form, and a meeting's name carries the area that holds it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg import gazetteer
from kg.extract import read_table
from kg.model import FAMILY, Mention

_QUOTE_CORE = re.compile(r"“([^“”]+)”")

# The functions of a name alone (tables and gazetteer are fixed) are cached: a
# document names the same bodies over and over, and so does a corpus.
_NAME_CACHE = 1 << 16


@lru_cache(maxsize=1)
def _context_rules() -> list[tuple[str, str, str]]:
    return sorted(((r[0], r[1], r[2]) for r in read_table("context.tsv")), key=lambda r: -len(r[0]))


@lru_cache(maxsize=1)
def _context_word_levels() -> dict[str, str]:
    """A context word (我区, 全市) -> the level of its first rule."""
    out: dict[str, str] = {}
    for word, level, _ in _context_rules():
        out.setdefault(word, level)
    return out


@lru_cache(maxsize=1)
def _completing_rules() -> dict[str, tuple[tuple[str, str, str], ...]]:
    """The rules that complete a name from its context (区委… → 某区委…), longest
    first, by their first character: a name is tried against the few that can
    begin it, not every rule (most names start with none)."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for rule in _context_rules():
        if rule[0] and not rule[0].startswith(("我", "全", "本", "该")):
            out.setdefault(rule[0][0], []).append(rule)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def own_words() -> frozenset[str]:
    """Standard bodies written bare that are the document's own (context.tsv, level own: 工商联)."""
    return frozenset(r[0] for r in _context_rules() if r[1] == "own")


def _strip_context(name: str, cls: str, areas: set[str]) -> str:
    return _stripped(name, FAMILY.get(cls) in ("Place", "Base", "Project"), frozenset(areas))


@lru_cache(maxsize=_NAME_CACHE)
def _stripped(name: str, any_rest: bool, areas: frozenset[str]) -> str:
    """Drop leading places that only repeat the context, while what is left still
    begins with a place (中原区汝河路街道党工委 → 汝河路街道党工委)."""
    gaz = gazetteer.load()
    changed = True
    while changed:
        changed = False
        for a in sorted(areas, key=len, reverse=True):
            rest = name[len(a):]
            if name.startswith(a) and len(rest) >= 2 and rest[0] not in "委人政党":
                starts_with_place = any(rest.startswith(p) for p in areas) or any(
                    gaz.lookup(rest[:k]) for k in range(2, min(len(rest), 10) + 1))
                if starts_with_place or any_rest:
                    name, changed = rest, True
                    break
    return name


@lru_cache(maxsize=_NAME_CACHE)
def strip_parents(name: str) -> str:
    """Drop leading places that only say where the next one lies (保定市竞秀区委统战部
    → 竞秀区委统战部, 河北省保定市委 → 保定市委): the county names the body already."""
    gaz = gazetteer.load()
    lead = gaz.leading_places(name)
    while len(lead) >= 2:
        inner = gaz.best(lead[1], (lead[0],))
        if inner is None or lead[0] not in gaz.parent_of(inner) | {inner.parent}:
            break
        name, lead = name[len(lead[0]):], lead[1:]
    return name


def _party_area(name: str) -> str:
    """The part of a name after a democratic party's short name (民建竞秀区 → 竞秀区)."""
    return name[len(_party_prefix(name)):]


@lru_cache(maxsize=1)
def _body_forms() -> list[tuple[str, str]]:
    """(short, full) rows of body_forms.tsv, longest short form first."""
    return sorted(((r[0], r[1]) for r in read_table("body_forms.tsv")), key=lambda r: -len(r[0]))


@lru_cache(maxsize=1)
def _by_full_form() -> list[tuple[str, str, str, str]]:
    """(short, full, before the area, after it) of body_forms.tsv, longest full form first."""
    rows = [(short, full, *(full.split("{}") if "{}" in full else ("", full))) for short, full in _body_forms()]
    return sorted(rows, key=lambda r: -len(r[1]))


def _an_area(text: str) -> bool:
    """``text`` is a chain of areas (中原区, 民建竞秀区: 民建某区委会 = 民建某区委员会)."""
    place = _party_area(text)
    return bool(place) and "".join(gazetteer.load().leading_places(place)) == place


def _with_area(template: str, area: str) -> str:
    return template.replace("{}", area) if "{}" in template else area + template


@lru_cache(maxsize=_NAME_CACHE)
def full_form(name: str) -> str:
    """中原区法院 → 中原区人民法院, 某区政协 → 政协某区委员会: an area's name followed by
    the short form of a standard body (body_forms.tsv) is named by the full form."""
    ends = {full: post for _, full, _, post in _by_full_form()}
    for short, full in _body_forms():
        if name.endswith(short) and not name.endswith(ends[full]):
            area = name[:-len(short)]
            if _an_area(area):
                return _with_area(full, area)
    return name


@lru_cache(maxsize=_NAME_CACHE)
def short_form(name: str) -> str | None:
    """The short form of a standard body named in full (某县工商业联合会 → 某县工商联), the
    first its table lists; None for any other name."""
    for short, _full, pre, post in _by_full_form():
        if len(name) > len(pre) + len(post) and name.startswith(pre) and name.endswith(post):
            area = name[len(pre):len(name) - len(post)]
            if _an_area(area) and area + short != name:
                return area + short
    return None


def is_short_form(short: str, full: str) -> bool:
    """A parenthesised short form of a name: a Latin acronym (CCD), or characters
    taken in order from the name (中原区新联会 of 中原区新的社会阶层人士联谊会), not a
    qualifier such as 中关村e谷(郑州)."""
    if short.isascii():
        return short.isupper()
    if len(short) >= len(full) or short[0] != full[0]:
        return False
    it = iter(full)
    return all(ch in it for ch in short)


def core_key(name: str) -> str:
    """What two names of one program share: the quoted core without marks and
    enumeration commas (“听、讲、看、送”活动 and “听讲看送” → 听讲看送)."""
    m = _QUOTE_CORE.search(name)
    core = m.group(1) if m else name
    return re.sub(r"[、·\s]", "", core)


def area_for(level: str, context: dict[str, str]) -> str | None:
    """The area a level word means: 市 in a report from a county-level city
    (绵竹市) is that city, not the prefecture above it."""
    if level == "prefecture":   # 州 means the city only in an autonomous prefecture's report
        return context["city"] if context.get("city", "").endswith("州") and context["city"] != context.get("county") else None
    if level == "own":      # the area in force where it is written, else the document's most specific
        return context.get("own") or next((context[lv] for lv in ("county", "city", "province") if context.get(lv)), None)
    if level == "city" and context.get("county", "").endswith("市"):
        return context["county"]
    return context.get(level)


@dataclass(frozen=True)
class Naming:
    """How a mention is named: its canonical name, the other names it gives the
    entity (a completed short form 西湖区法院 beside 西湖区人民法院, a full form with
    the context's places), and whether its surface depends on context (区委统战部)."""
    name: str
    others: tuple[str, ...] = ()
    contextual: bool = False


@lru_cache(maxsize=1)
def _party_names() -> dict[str, str]:
    return {r[0]: r[1] for r in read_table("party_names.tsv")}


def party_name(short: str) -> str:
    """A democratic party's full name for its short one (民进 → 中国民主促进会), else ``short``."""
    return _party_names().get(short, short)


@lru_cache(maxsize=_NAME_CACHE)
def _party_prefix(name: str) -> str:
    """A democratic party's short name before a committee (民进省委 → 民进)."""
    from kg.extract.officials import _party_prefixes
    return next((p for p in _party_prefixes() if name.startswith(p) and len(name) > len(p)), "")


_EVENT_SCOPE = re.compile(r"全(国|自治区|省|市|区|县|州|旗|盟|镇|乡|街道)")
_SCOPE_LEVEL = {"自治区": "province", "省": "province", "市": "city", "州": "city", "盟": "city", "区": "county", "县": "county",
                "旗": "county", "镇": "town", "乡": "town", "街道": "town"}
# meetings above any one area: named as written
_ACROSS = ("两岸", "海峡", "国际", "世界")   # anywhere in a name: above any one area
_NATIONAL = re.compile(r"(?:(?:19|20)\d\d年?)?(?:第[一二三四五六七八九十\d]+[次届])?全国")
_BEYOND = ("全国", "中央", "党的", "中共中央", "国务院", "国家", "中国", "中华", "两岸", "国际", "世界", "亚洲", "海峡")


def event_name(name: str, context: dict[str, str]) -> Naming | None:
    """A meeting's canonical name carries the area that holds it: 全区统战工作会议 in a
    西湖区 report is 西湖区统战工作会议; a name without an area (青年干部培训班) takes
    the report's own (county, else city, else province). National meetings and names
    that begin with a place, a body or a democratic party stay as written."""
    bare = name.strip("“”")
    scope = _EVENT_SCOPE.match(name)
    if scope and scope.group(1) != "国":
        area = area_for(_SCOPE_LEVEL[scope.group(1)], context)
        return Naming(area + name[scope.end():], (), True) if area else None
    gaz = gazetteer.load()
    level = re.match(r"[省市区县州旗]", bare)
    if level and not any(gaz.lookup(bare[:k]) for k in range(2, min(len(bare), 9))):
        area = area_for(_SCOPE_LEVEL[level.group()], context)   # 市…联席会议: the city's
        return Naming(name.replace(level.group(), area, 1), (), True) if area else None
    if bare.startswith(_BEYOND) or _NATIONAL.match(bare) or any(w in bare for w in _ACROSS) or _party_prefix(bare):
        return Naming(name)
    if any(gaz.lookup(bare[:k]) for k in range(2, min(len(bare), 9))):
        # 北京市朝阳区政协…会议: a place that only repeats the context goes
        short = strip_parents(_strip_context(name, "Event", set(context.values())))
        return Naming(short, (name,)) if short != name else Naming(name)
    if re.match(r"(?:19|20)\d\d年?", bare) and any(gaz.lookup(bare[i:i + k]) for i in range(4, 6)
                                                  for k in range(2, 8)):
        return Naming(name)   # 2023年西湖区…座谈会
    area = next((context[lv] for lv in ("county", "city", "province") if context.get(lv)), None)
    if area is None:
        return Naming(name)
    return Naming(area + name, (name,))


@lru_cache(maxsize=_NAME_CACHE)
def _party_named(name: str) -> str:
    """中共某区委员会 → 某区委, 中共某区委统战部 → 某区委统战部: the Party's name before an
    area is dropped (中共中央, with no area after it, stays)."""
    rest = name.removeprefix("中共")
    if rest == name or not gazetteer.load().leading_places(rest):
        return name
    area = "".join(gazetteer.load().leading_places(rest))
    return area + "委" if rest == area + "委员会" else rest


@lru_cache(maxsize=_NAME_CACHE)
def _short_written(name: str) -> str:
    """A body whose full form puts its area inside (政协某市某区委员会) by its short
    form (某市某区政协), so that the places in front can be read as in any name."""
    short = short_form(name)
    if short and any("{}" in full and short.endswith(s) for s, full in _body_forms()):
        return short
    return name


def canonical(m: Mention, context: dict[str, str]) -> Naming | None:
    """The naming of a mention in this document, or None if it cannot be resolved."""
    name = (m.name or m.text).replace(" ", "")
    if m.extractor == "context_words":
        level = _context_word_levels().get(name)
        if level is None:
            return None
        area = area_for(level, context)
        return Naming(area, (), True) if area else None
    contextual = False
    if m.cls == "Event" and m.extractor != "congresses":
        return event_name(name, context)
    plenum = m.extractor == "congresses" and name.startswith(("区委", "县委", "市委", "省委"))  # 区委十一届三次全会
    # an honor named after a level (省民族团结进步模范集体) is that area's; 省级… names a rank
    if FAMILY.get(m.cls) == "Organization" or m.cls in ("Document", "Honor") or FAMILY.get(m.cls) == "Place" or plenum:
        lead = "《" if m.cls == "Document" else _party_prefix(name)   # 《区委…》, 民进省委
        body = name[len(lead):]
        for prefix, level, template in _completing_rules().get(body[:1], ()):
            if body.startswith(prefix) and not (
                    level == "own" and gazetteer.load().leading_places(body[len(prefix):])) and not (
                    m.cls == "Honor" and (level == "own" or body[len(prefix):].startswith("级"))):  # 政协某区委员会
                area = area_for(level, context)
                if area is None:
                    return None if m.cls not in ("Document", "Honor") else Naming(name)
                name = lead + template.format(area=area) + body[len(prefix):]
                contextual = True
                break
    others = []
    if FAMILY.get(m.cls) == "Organization":
        written = name
        name = _short_written(_party_named(name))
        if name != written:
            others.append(written)
    if m.cls != "Document":
        stripped = _strip_context(name, m.cls, set(context.values()))
        if stripped != name:
            others.append(name)
            name = stripped
    if FAMILY.get(m.cls) == "Organization":
        bare = strip_parents(name)
        if bare != name:
            others.append(name)
            name = bare
        full = full_form(name)
        if full != name:
            others.append(name)
            name = full
        else:
            short = short_form(name)
            if short:
                others.append(short)
    return Naming(name, tuple(others), contextual)
