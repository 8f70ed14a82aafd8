"""The document context resolution reads names in: the areas a report is about
(its county, city, province and subdistrict), each section's, and the area each
person is named within."""
from __future__ import annotations

import re
from collections import Counter, defaultdict

from kg import gazetteer
from kg.extract import Context
from kg.naming import _strip_context, canonical
from kg.normalize import BYLINE


def _names_of(gaz, full: str) -> list[str]:
    area = gaz.best(full)
    return [full] + ([area.alias] if area and area.alias and len(area.alias) >= 2 else [])


def document_context(ctx: Context) -> dict[str, str]:
    """The areas a document is about: for each level, the area it names most,
    preferring areas that contain or lie in the chosen county."""
    gaz = gazetteer.load()
    text = ctx.doc.text
    names = set()
    for m in ctx.mentions:
        names.update(gazetteer.load().leading_places(m.name or m.text) if m.extractor != "gazetteer_places" else [m.name or m.text])
    counts: dict[str, Counter] = defaultdict(Counter)
    # in order of first appearance, so that of areas named equally often the first wins
    for n in sorted(names, key=lambda n: (text.find(n) if n in text else len(text), n)):
        area = gaz.best(n)
        if area:
            counts[area.level][n] = text.count(n) + text.count(area.alias or "\0") * (area.level != "county")
    out: dict[str, str] = {}
    top = counts["county"].most_common(2)
    if top and not (len(top) == 2 and top[0][1] == top[1][1] and counts["city"]):
        # several districts named equally in a city's report: none of them is its own
        out["county"] = top[0][0]
        # same-named counties (西湖区 in 杭州 and in 南昌): the one whose city the text
        # names most, by full name or short form
        choices = gaz.lookup(out["county"])
        a = max(choices, key=lambda c: sum(text.count(n) for n in _names_of(gaz, c.parent)) if c.parent else 0)
        if a and a.parent:
            out["city"] = a.parent
            c = gaz.best(a.parent)
            if c and c.parent:
                out["province"] = c.parent
    for level in ("city", "province"):
        if level not in out and counts[level]:
            out[level] = counts[level].most_common(1)[0][0]
    if _PROVINCE_OWN.search(text) and not _LOWER_OWN.search(text):
        # a province's report (全省…) names its cities as parts of it: none is its own
        for level in ("county", "city"):
            out.pop(level, None)
    if "province" not in out and "city" in out:
        c = gaz.best(out["city"])
        if c and c.parent:
            out["province"] = c.parent
    if "county" not in out:
        _unlisted_county(gaz, text, out)
    towns = [(n, k) for n, k in counts["town"].most_common()
             if "county" not in out or (gaz.best(n, (out["county"],)) or gaz.best(n)).parent == out["county"]]
    if towns:
        out["town"] = towns[0][0]
        _complete_upwards(gaz, out)
    return out


_PROVINCE_OWN = re.compile(r"全省|我省|本省")
_LOWER_OWN = re.compile(r"全市|我市|本市|全区|我区|本区|全县|我县|本县|全州|我州|全旗")
_COUNTY_BODY = re.compile(r"([\u4e00-\u9fff]{2,5}?[区县旗])(?=[区县旗]委|[区县旗]人民政府|[区县旗]政府|[区县旗]人大|[区县旗]政协)")


def _unlisted_county(gaz, text: str, out: dict[str, str]) -> None:
    """A district the gazetteer lacks (merged or renamed: 某某区区委组织部) is the
    report's own when its bodies are named after it (the one named most)."""
    found = Counter(m.group(1) for m in _COUNTY_BODY.finditer(text) if not gaz.lookup(m.group(1)))
    name = found.most_common(1)[0][0] if found else ""
    if name and not any(ch in name for ch in "的在和与"):   # a function word: no district's name
        out["county"] = name


def _complete_upwards(gaz, out: dict[str, str]) -> None:
    """A report that names only its subdistrict or town: the county, city and
    province above it, where the town's name settles them (one such town)."""
    if "county" in out or out.get("city"):
        return
    areas = [a for a in gaz.lookup(out["town"]) if a.level == "town"]
    if len(areas) != 1 or not areas[0].parent:
        return
    county = gaz.best(areas[0].parent)
    if county is None or county.level != "county":
        return
    out["county"] = county.name
    city = gaz.best(county.parent) if county.parent else None
    if city is not None:
        out["city"] = city.name
        if city.parent:
            out["province"] = city.parent


def section_of(sentences) -> list[int]:
    """Section number of each sentence: a section is a run of headings and the body
    paragraphs after them. Newspaper pages interleave articles by section, so the
    section is the unit that context follows."""
    out, cur, prev_heading = [], 0, True
    for s in sentences:
        if s.heading and not prev_heading:
            cur += 1
        out.append(cur)
        prev_heading = s.heading
    return out


def article_headers(sentences) -> list[list[int]]:
    """The header of each article after the first: the headings right before a byline
    (中原区西流湖街道 / 对标“三标”… / 本报记者 …). A report may hold several articles."""
    out = []
    for s in sentences:
        if s.heading and BYLINE.match(s.text) and s.index > 0:
            j = s.index
            while j > 0 and sentences[j - 1].heading and s.index - j < 3:
                j -= 1
            if j < s.index:
                out.append(list(range(j, s.index)))
    return out


def section_contexts(ctx: Context, context: dict[str, str], sec: list[int]) -> dict[int, dict[str, str]]:
    """Each section's context: the document's, with the subdistrict or town the
    section itself names most."""
    gaz = gazetteer.load()
    towns: dict[int, Counter] = defaultdict(Counter)
    for m in ctx.mentions:
        if m.cls != "AdministrativeArea":
            continue
        name = m.name or m.text
        area = gaz.best(name, tuple(context.values()))
        if (area and area.level == "town") or re.search("(?:街道|镇|乡)$", name):
            name = _strip_context(name, "AdministrativeArea", set(context.values()))
            towns[sec[ctx.sentence_at(m.start).index]][name] += 1
    # an article's header names its subdistrict: the default of its sections
    header_town: list[tuple[int, str]] = []
    for header in article_headers(ctx.sentences):
        named = [n for k in {sec[i] for i in header} for n in towns[k]]
        if named:
            header_town.append((header[0], named[0]))
    out = {}
    first_of: dict[int, int] = {}
    for i, k in enumerate(sec):
        first_of.setdefault(k, i)
    for k, first in first_of.items():
        c = dict(context)
        inherited = [t for i, t in header_town if i <= first]
        if towns[k]:
            c["town"] = towns[k].most_common(1)[0][0]
        elif inherited:
            c["town"] = inherited[-1]
        out[k] = c
    return out


def _scope_area(name: str) -> str | None:
    """The county, city or province a body's name begins with (its most specific)."""
    gaz = gazetteer.load()
    found = None
    for place in gaz.leading_places(name):
        area = gaz.best(place)
        if area is not None and area.level in ("county", "city", "province"):
            found = area.name
    return found


def person_scopes(ctx: Context, context: dict[str, str], context_at) -> dict[str, str]:
    """The area each person is named within: the area of the first body a title
    chain says they serve, else the document's own (county, city or province);
    the document's is under the key ""."""
    default = next((context[lv] for lv in ("county", "city", "province") if context.get(lv)), "")
    out = {"": default}
    for rc in ctx.relations:
        if rc.predicate != "memberOf" or rc.subject is None or rc.object is None:
            continue
        person = rc.subject.name or rc.subject.text
        naming = canonical(rc.object, context_at(rc.object))
        if person not in out and naming is not None:
            out[person] = _scope_area(naming.name) or default
    return out
