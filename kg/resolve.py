"""Stage 5: resolve mentions to entities, one per real thing.

The document's context (its district, city, province and subdistrict, from the
places it names most) completes context-dependent names (区委统战部 → 中原区委统战部,
我区 → 中原区); a leading place that only repeats the context is dropped from the
canonical name and kept as an alias; declared abbreviations become aliases; relation
and metric candidates get entity keys and provenance; a candidate without a subject
of its own takes the paragraph's topic subject, or the document's actor.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache

from kg import gazetteer
from kg.extract import Context, read_table
from kg.extract.relations import Sentence as RelSentence
from kg.normalize import BYLINE
from kg.naming import _QUOTE_CORE, _strip_context, canonical, core_key, is_short_form
from kg.periods import document_year, period_years
from kg.model import (FAMILY, Entity, EntityKey, Extraction, Mention, Metric, Provenance, Relation, Sentence)

_ABBREV = re.compile(r"[（(](?:以下)?简称[“\"]?([^”\"（）()]{2,12})[”\"]?[）)]")
_PAREN = re.compile(r"[（(]([A-Za-z]{2,8}|[\u4e00-\u9fff]{2,8})[）)]")
COMPLETING = ("title_chains", "elections")   # extractors whose names complete what the text leaves out
ACTOR_CLASSES = ("PartyOrganization", "GovernmentAgency", "MassOrganization", "DemocraticParty",
                 "Organization", "AdministrativeArea")



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


@lru_cache(maxsize=1)
def _sub_org_rules() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(r[0]), r[1]) for r in read_table("sub_orgs.tsv")]


_RANKS = (("省", "自治区"), ("市", "州", "盟"), ("区", "县", "旗"), ("街道", "镇", "乡"), ("社区", "村"))


def _rank(name: str) -> int:
    """How low an area's level is by its suffix (省 0 … 社区/村 4; unknown 9); the
    longest suffix decides (社区 is no 区)."""
    ranked = sorted(((sfx, i) for i, group in enumerate(_RANKS) for sfx in group), key=lambda x: -len(x[0]))
    return next((i for sfx, i in ranked if name.endswith(sfx)), 9)


def composed_relations(ctx: Context, key_of, entities, sec, sec_context):
    """(subject, property, object, sentence, rule) that names state by their make-up:
    - a place, base or project whose name begins with another place's or site's name
      lies in it (中原区汝河路街道, 宏河路2号院, 文化宫路断头路打通工程);
    - a gazetteer area written right after its parent lies in it (信阳新县);
    - a department belongs to the body its name composes with (sub_orgs.tsv)."""
    gaz = gazetteer.load()
    names: dict[str, EntityKey] = {}
    for e in entities:
        if e.key.family == "Place":
            for n in (e.key.name, *e.aliases):
                if len(n) >= 2:
                    names.setdefault(n, e.key)
    by_len = sorted(names, key=len, reverse=True)
    for m in ctx.mentions:
        k = key_of.get((m.start, m.end, m.name))
        if k is None or k.family not in ("Place", "Base", "Project"):
            continue
        si = ctx.sentence_at(m.start).index
        for full in {m.text.replace(" ", ""), k.name}:
            # the chain of places the name starts with; the last one is the parent
            # (杭州市滨江区长河街道: 长河街道 in 滨江区, 滨江区 in 杭州市)
            chain, pos = [], 0
            while pos < len(full):
                n = next((n for n in by_len if full.startswith(n, pos) and names[n] != k and len(n) < len(full) - pos), None)
                if n is None:
                    break
                chain.append(names[n])
                pos += len(n)
            if chain:
                yield k, "locatedIn", chain[-1], si, "name-prefix"
            for a, b in zip(chain, chain[1:]):
                yield b, "locatedIn", a, si, "name-prefix"
    places = [m for m in ctx.mentions if m.cls == "AdministrativeArea" and (m.start, m.end, m.name) in key_of]
    for a, b in zip(places, places[1:]):
        if a.end == b.start:
            ka, kb = key_of[(a.start, a.end, a.name)], key_of[(b.start, b.end, b.name)]
            area = gaz.best(kb.name, (ka.name,))
            if (area and ka.name in gaz.parent_of(area)) or _rank(ka.name) < _rank(kb.name):
                yield kb, "locatedIn", ka, ctx.sentence_at(b.start).index, "name-chain"
    first = {}
    for m in ctx.mentions:
        k = key_of.get((m.start, m.end, m.name))
        if k is not None and k.family == "Organization" and k not in first:
            first[k] = m
    for k, m in first.items():
        si = ctx.sentence_at(m.start).index
        c = sec_context[sec[si]]
        for pat, template in _sub_org_rules():
            hit = pat.match(k.name)
            if hit:
                try:
                    parent = template.format(**{**c, **hit.groupdict()})
                except KeyError:
                    continue
                yield k, "subOrganizationOf", EntityKey("Organization", parent), si, "name-composition"
                break


def _abbreviates(short: str, full: str) -> bool:
    """After what the two names share at the start, the short one still holds a word
    of its own (市住建局 of 市住房和城乡建设局), not a bare level or body word (区委 is
    no short form of 区纪委监委 nor of 区委政法委)."""
    k = 0
    while k < len(short) and short[k] == full[k]:
        k += 1
    return len(short) - k >= 2


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


def resolve(ctx: Context) -> Extraction:
    gaz = gazetteer.load()
    doc = ctx.doc
    context = document_context(ctx)
    sec = section_of(ctx.sentences)
    sec_context = section_contexts(ctx, context, sec)
    # 1. mentions -> keys
    key_of: dict[tuple[int, int, str], EntityKey] = {}
    groups: dict[EntityKey, list[Mention]] = defaultdict(list)
    aliases: dict[EntityKey, set[str]] = defaultdict(set)
    scopes = person_scopes(ctx, context, lambda m: sec_context[sec[ctx.sentence_at(m.start).index]])
    for m in ctx.mentions:
        naming = canonical(m, sec_context[sec[ctx.sentence_at(m.start).index]])
        if naming is None or FAMILY.get(m.cls) is None:
            continue
        name = naming.name
        key = EntityKey(FAMILY[m.cls], name, scopes.get(name, scopes[""]) if m.cls == "Person" else "")
        key_of[(m.start, m.end, m.name)] = key
        groups[key].append(m)
        surface = m.text.replace(" ", "")
        aliases[key].update(n for n in naming.others if n != name)
        # 区委统战部 completed to 西湖区委统战部 is no name of its own: not an alias;
        # nor is a body a title chain completed (统战部 after 绵阳市委常委, 区长 → 区政府)
        if surface != name and not naming.contextual and (m.extractor not in COMPLETING or name in surface) \
                and not (m.cls == "Event" and ("、" in surface or m.name.endswith(surface))):
            # 全国、全市…会议 names several; 召开换届选举大会 named after its convener is no name alone
            aliases[key].add(surface)
        core = _QUOTE_CORE.fullmatch(surface) or (_QUOTE_CORE.match(surface) if FAMILY[m.cls] in ("Program", "Base") else None)
        if core and core.group(1) != name:
            aliases[key].add(core.group(1))
        ab = _ABBREV.match(doc.text, m.end) or _PAREN.match(doc.text, m.end)
        if ab and (ab.re is _ABBREV or is_short_form(ab.group(1), name)):
            aliases[key].add(ab.group(1))
    # places written in front of a place's name are places mentioned there too:
    # 杭州市滨江区长河街道 names 杭州市 and 滨江区 (not so inside organization names)
    for m in list(ctx.mentions):
        k = key_of.get((m.start, m.end, m.name))
        if k is None or k.family != "Place" or m.text.startswith(k.name):
            continue
        offset = 0
        for place in gaz.leading_places(m.text):
            if m.text[offset:].startswith(k.name):
                break
            pm = Mention(place, m.start + offset, m.start + offset + len(place), "AdministrativeArea", "name_prefix", 0.8)
            pk = EntityKey("Place", place)
            key_of[(pm.start, pm.end, pm.name)] = pk
            groups[pk].append(pm)
            offset += len(place)
    # a declared short form used later stands for the full name
    short = {a: k for k, al in aliases.items() for a in al if k.family == "Organization"}
    for key in list(groups):
        full = short.get(key.name)
        if full and full != key:
            for m in groups.pop(key):
                key_of[(m.start, m.end, m.name)] = full
                groups[full].append(m)
            aliases[full] |= aliases.pop(key, set())
    # an organization's short name beside its full name in one report (市住建局 and
    # 市住房和城乡建设局): characters taken in order, the same last one, one full name only
    orgs = [k for k in groups if k.family == "Organization"]
    by_last: dict[str, list[EntityKey]] = defaultdict(list)   # only names with the same last character pair up
    for k in orgs:
        by_last[k.name[-1:]].append(k)
    for a in sorted(orgs, key=lambda k: len(k.name)):
        fulls = [b for b in by_last[a.name[-1:]] if b != a and b in groups and len(b.name) >= len(a.name) + 2
                 and b.name[-1] == a.name[-1] and is_short_form(a.name, b.name)   # 中医院 ≠ 中心医院
                 and _abbreviates(a.name, b.name)]
        if len(fulls) == 1 and a in groups:
            full = fulls[0]
            for m in groups.pop(a):
                key_of[(m.start, m.end, m.name)] = full
                groups[full].append(m)
            aliases[full] |= aliases.pop(a, set()) | {a.name}
    # one program, several names: “三送一强” and “三送一强”活动; a bare quote taken for a
    # formulation joins the program with the same core
    by_core: dict[str, list[EntityKey]] = defaultdict(list)
    for key in groups:
        if key.family in ("Program", "Concept") and "“" in key.name:
            by_core[core_key(key.name)].append(key)
    for keys in by_core.values():
        programs = [k for k in keys if k.family == "Program"]
        if not programs or len(keys) < 2:
            continue
        main = max(programs, key=lambda k: (len(k.name), k.name))
        for k in keys:
            if k != main:
                for m in groups.pop(k):
                    key_of[(m.start, m.end, m.name)] = main
                    groups[main].append(m)
                aliases[main] |= aliases.pop(k, set()) | {k.name}
    entities = []
    for key, ms in sorted(groups.items()):
        classes = Counter(m.cls for m in ms)
        fine = [c for c, _ in classes.most_common() if c != key.family and FAMILY[c] == key.family]
        cls = fine[0] if fine else key.family
        code = within = None
        if cls == "AdministrativeArea":
            area = gaz.best(key.name, tuple(context.values()))
            if area:
                code = area.code
                within = EntityKey("Place", area.parent) if area.parent else None
        entities.append(Entity(key, cls, tuple(sorted(aliases[key] - {key.name})),
                               tuple(sorted({m.extractor for m in ms})), max(m.confidence for m in ms),
                               code, within, tuple(sorted({(m.start, m.end) for m in ms}))))
    # 2. the document's actor: the first organization or county named in its opening lines
    actor = None
    for m in ctx.mentions:
        k = key_of.get((m.start, m.end, m.name))
        if k and m.cls in ACTOR_CLASSES and ctx.sentence_at(m.start).index < 4 and m.extractor != "bylines" \
                and (m.cls != "AdministrativeArea" or gaz.best(k.name) is None or gaz.best(k.name).level in ("county", "town")):
            actor = k
            break
    sents = ctx.sentences
    # each article's actor: the organization or area its header names (中原区西流湖街道)
    article_actor: list[tuple[int, EntityKey | None]] = [(0, actor)]
    for header in article_headers(sents):
        hs, he = sents[header[0]].start, sents[header[-1]].end
        found = None
        for m in ctx.mentions_between(hs, he):
            key = key_of.get((m.start, m.end, m.name))
            if key and m.cls in ACTOR_CLASSES and m.extractor != "context_words":
                area = gaz.best(key.name) if m.cls == "AdministrativeArea" else None
                if area is None or area.level in ("county", "town"):
                    found = key
                    break
        article_actor.append((header[0], found or actor))

    def actor_at(sentence: int) -> EntityKey | None:
        return max((a for a in article_actor if a[0] <= sentence), key=lambda a: a[0])[1]

    # each section's actor: the organization or area opening its first paragraph
    # (近年来，汝河路街道党工委始终…), else its article's
    sec_actor: dict[int, EntityKey | None] = {}
    first_of: dict[int, int] = {}       # section -> its first sentence
    first_body: dict[int, Sentence] = {}  # section -> its first body sentence
    for x in sents:
        first_of.setdefault(sec[x.index], x.index)
        if not x.heading:
            first_body.setdefault(sec[x.index], x)
    for k in set(sec):
        first = first_body.get(k)
        sec_actor[k] = actor_at(first.index if first else first_of[k])
        if first is None:
            continue
        inside = ctx.mentions_between(first.start, first.end)
        opener = RelSentence(ctx, first.index, [m for m in inside if m.cls != "Concept"]).opening(set(ACTOR_CLASSES))
        key = key_of.get((opener.start, opener.end, opener.name)) if opener else None
        if key and opener.extractor != "context_words":
            area = gaz.best(key.name) if opener.cls == "AdministrativeArea" else None
            if area is None or area.level in ("county", "town"):
                sec_actor[k] = key

    def prov(sent_index: int, rule: str, conf: float) -> Provenance:
        s = sents[sent_index]
        return Provenance(doc.id, s.index, s.start, s.end, rule, conf)

    relations: set[Relation] = set()
    topic: dict[int, EntityKey] = {}
    topics_seen: dict[int, list[tuple[int, EntityKey]]] = defaultdict(list)  # paragraph -> (sentence, subject)

    present = {e.key for e in entities}

    def area_of(sentence: int) -> EntityKey | None:
        """The area a section is about, if the document names it."""
        c = sec_context[sec[sentence]]
        for level in ("town", "county", "city"):
            if c.get(level) and EntityKey("Place", c[level]) in present:
                return EntityKey("Place", c[level])
        return None

    for rc in sorted(ctx.relations, key=lambda r: (r.sentence, r.object.start if r.object else -1)):
        para = sents[rc.sentence].paragraph
        if rc.object is None:
            obj = area_of(rc.sentence)
        else:
            obj = key_of.get((rc.object.start, rc.object.end, rc.object.name))
        if rc.subject is not None:
            subj = key_of.get((rc.subject.start, rc.subject.end, rc.subject.name))
            if subj is not None and rc.rule.startswith("cue:"):
                topic[para] = subj  # only a clause's own subject becomes the paragraph's topic
                topics_seen[para].append((rc.sentence, subj))
        else:
            subj = topic.get(para, sec_actor[sec[rc.sentence]])
        if subj is None or obj is None or subj == obj:
            continue
        relations.add(Relation(subj, rc.predicate, obj, prov(rc.sentence, rc.rule, rc.confidence),
                               rc.post, rc.post_text))
    # 3. relations stated by names themselves
    for r in composed_relations(ctx, key_of, entities, sec, sec_context):
        if r[0] in present and r[2] in present and r[0] != r[2]:
            relations.add(Relation(r[0], r[1], r[2], prov(r[3], r[4], 0.7)))
    metrics = []
    year = document_year(ctx.sentences)
    for mc in ctx.metrics:
        if mc.about is not None:
            about = key_of.get((mc.about.start, mc.about.end, mc.about.name))
        else:
            # the topic as it stands at the figure's sentence, not one set later
            earlier = [k for si, k in topics_seen[sents[mc.sentence].paragraph] if si <= mc.sentence]
            about = earlier[-1] if earlier else sec_actor[sec[mc.sentence]]
        metrics.append(Metric(about, mc.indicator, mc.value, mc.unit, mc.approximate, mc.period,
                              mc.text, mc.start, mc.end, prov(mc.sentence, mc.rule, mc.confidence),
                              period_years(mc.period, year)))
    return Extraction(doc, ctx.sentences, tuple(ctx.mentions), tuple(entities),
                      tuple(sorted(relations, key=lambda r: (r.provenance.sentence, r.predicate, r.subject, r.object))),
                      tuple(metrics), context)
