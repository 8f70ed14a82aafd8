"""The resolution steps, in the order they run (see kg.resolve)."""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from kg import gazetteer, vocab
from kg.extract import Context, read_table
from kg.extract.relations import Sentence as RelSentence
from kg.model import FAMILY, Entity, EntityKey, Mention, Metric, Relation, key_order
from kg.naming import _QUOTE_CORE, area_for, canonical, core_key, full_form, is_short_form, own_words, party_name
from kg.periods import document_year, period_years
from kg.resolve import ACTOR_CLASSES, Resolution, step
from kg.resolve.context import article_headers, document_context, person_scopes, section_contexts, section_of

_ABBREV = re.compile(r"[（(](?:以下)?简称[“\"]?([^”\"（）()]{2,12})[”\"]?[）)]")
_PAREN = re.compile(r"[（(]([A-Za-z]{2,8}|[\u4e00-\u9fff]{2,8})[）)]")
COMPLETING = ("title_chains", "elections")   # extractors whose names complete what the text leaves out


@step("document_context", produces="context")
def context_of_document(r: Resolution) -> None:
    """The areas the document and each of its sections are about."""
    r.context = document_context(r.ctx)
    r.sec = section_of(r.ctx.sentences)
    r.sec_context = section_contexts(r.ctx, r.context, r.sec)


def _in_force(r: Resolution, i: int) -> dict[str, str]:
    """The context of mention i; for a standard body written bare (工商联), the last
    county, city or province named before it in its sentence is its own (漳州市委常委
    带队，各民主党派、工商联…: 漳州市's)."""
    ctx, m = r.ctx, r.ctx.mentions[i]
    c = r.context_at(m.start)
    if m.text not in own_words():
        return c
    gaz = gazetteer.load()
    text = ctx.doc.text
    # back through its sentence, but not past a few clauses (a line may be a megabyte)
    for p in range(m.start - 2, max(ctx.sentence_at(m.start).start, m.start - 200) - 1, -1):
        if text[p:p + 2] not in gaz.first_two:
            continue      # no area's name starts here (most places)
        areas = [a for a in map(gaz.best, gaz.leading_places(text[p:min(m.start, p + 40)])) if a]
        if areas and areas[0].level in ("county", "city", "province"):
            return {**c, "own": areas[-1].name if areas[-1].level != "town" else areas[0].name}
    return c


@step("collect_aliases", produces="keys", requires=("context",))
def collect_aliases(r: Resolution) -> None:
    """Each mention's entity key (its canonical name in context) and the aliases it shows."""
    ctx, doc = r.ctx, r.ctx.doc
    scopes = person_scopes(ctx, r.context, lambda m: r.context_at(m.start))
    for i, m in enumerate(ctx.mentions):
        naming = canonical(m, _in_force(r, i))
        if naming is None or FAMILY.get(m.cls) is None:
            continue
        name = naming.name
        key = EntityKey(FAMILY[m.cls], name, scopes.get(name, scopes[""]) if m.cls == "Person" else "")
        r.key_of[(m.start, m.end, m.name)] = key
        r.groups[key].append(m)
        surface = m.text.replace(" ", "")
        r.aliases[key].update(n for n in naming.others if n != name)
        # 区委统战部 completed to 西湖区委统战部 is no name of its own: not an alias;
        # nor is a body a title chain completed (统战部 after 绵阳市委常委, 区长 → 区政府)
        if surface != name and not naming.contextual and (m.extractor not in COMPLETING or name in surface) \
                and not (m.cls == "Event" and ("、" in surface or m.name.endswith(surface))):
            # 全国、全市…会议 names several; 召开换届选举大会 named after its convener is no name alone
            r.aliases[key].add(surface)
        core = _QUOTE_CORE.fullmatch(surface) or (_QUOTE_CORE.match(surface) if FAMILY[m.cls] in ("Program", "Base") else None)
        if core and core.group(1) != name:
            r.aliases[key].add(core.group(1))
        ab = _ABBREV.match(doc.text, m.end) or _PAREN.match(doc.text, m.end)
        if ab and (ab.re is _ABBREV or is_short_form(ab.group(1), name)):
            r.aliases[key].add(ab.group(1))


_LEVEL_BEFORE = {"市": "city", "区": "county", "县": "county", "省": "province", "镇": "town", "街道": "town"}


@step("level_before_a_quote", produces="keys", requires=("keys",))
def level_before_a_quote(r: Resolution) -> None:
    """A level word right before a quoted base or program is its area (市“某某之家” → 某市“某某之家”)."""
    text = r.ctx.doc.text
    for m in r.ctx.mentions:
        k = r.key(m)
        if k is None or k.family not in ("Base", "Program") or not m.text.startswith("“"):
            continue
        for word, level in _LEVEL_BEFORE.items():
            a = m.start - len(word)
            if a >= 0 and text.startswith(word, a) and (a == 0 or not "\u4e00" <= text[a - 1] <= "\u9fff"
                                                          or text[a - 1] in "的在由和与及、"):
                area = area_for(level, r.context_at(m.start))
                if area and k in r.groups:
                    full = EntityKey(k.family, area + k.name)
                    r.merge(k, full, alias=True)
                break


@step("area_prefixes", produces="keys", requires=("keys",))
def area_prefixes(r: Resolution) -> None:
    """Places written in front of a place's name are mentioned there too (杭州市滨江区长河街道)."""
    gaz = gazetteer.load()
    for m in list(r.ctx.mentions):
        k = r.key(m)
        if k is None or k.family != "Place" or m.text.startswith(k.name):
            continue      # not so inside organization names
        offset = 0
        for place in gaz.leading_places(m.text):
            if m.text[offset:].startswith(k.name):
                break
            pm = Mention(place, m.start + offset, m.start + offset + len(place), "AdministrativeArea", "name_prefix", 0.8)
            pk = EntityKey("Place", place)
            r.key_of[(pm.start, pm.end, pm.name)] = pk
            r.groups[pk].append(pm)
            offset += len(place)


@step("written_with_area", produces="keys", requires=("keys",))
def written_with_area(r: Resolution) -> None:
    """A site, base or village written right after its area's name is named so too (某市“某某之家”)."""
    text = r.ctx.doc.text
    ms = r.ctx.mentions
    for a, b in zip(ms, ms[1:]):
        kb = r.key(b)
        if a.end == b.start and a.cls == "AdministrativeArea" and kb is not None and r.key(a) is not None \
                and (b.cls in ("Site", "Base") or b.cls == "AdministrativeArea" and b.text.endswith(("村", "社区"))):
            r.aliases[kb].add(text[a.start:b.end].replace(" ", ""))


@step("declared_short_forms", produces="keys", requires=("keys",))
def declared_short_forms(r: Resolution) -> None:
    """A short form an organization's name declares (简称…) stands for it where used later."""
    short = {a: k for k, al in r.aliases.items() for a in al if k.family == "Organization"}
    for key in list(r.groups):
        full = short.get(key.name)
        if full and full != key:
            r.merge(key, full)


@step("short_form_merging", produces="keys", requires=("keys",))
def short_form_merging(r: Resolution) -> None:
    """An organization's short name beside its one full name in the report is that body (市住建局)."""
    orgs = [k for k in r.groups if k.family == "Organization"]
    by_last: dict[str, list[EntityKey]] = defaultdict(list)   # only names with the same last character pair up
    for k in orgs:
        by_last[k.name[-1:]].append(k)
    for a in sorted(orgs, key=lambda k: len(k.name)):
        # characters taken in order, the same last one (中医院 ≠ 中心医院), one full name only
        fulls = [b for b in by_last[a.name[-1:]] if b != a and b in r.groups and len(b.name) >= len(a.name) + 2
                 and b.name[-1] == a.name[-1] and is_short_form(a.name, b.name) and _abbreviates(a.name, b.name)]
        if len(fulls) == 1 and a in r.groups:
            r.merge(a, fulls[0], alias=True)


@step("program_names", produces="keys", requires=("keys",))
def program_names(r: Resolution) -> None:
    """One program, several names: “三送一强” and “三送一强”活动; a bare quote joins its program."""
    by_core: dict[str, list[EntityKey]] = defaultdict(list)
    for key in r.groups:
        if key.family in ("Program", "Concept") and "“" in key.name:
            by_core[core_key(key.name)].append(key)
    for keys in by_core.values():
        programs = [k for k in keys if k.family == "Program"]
        if not programs or len(keys) < 2:
            continue
        main = max(programs, key=lambda k: (len(k.name), k.name))
        for k in keys:
            if k != main:
                r.merge(k, main, alias=True)


@step("make_entities", produces="entities", requires=("keys",))
def make_entities(r: Resolution) -> None:
    """One entity per key: the finest class its mentions give, aliases, an area's code and parent."""
    gaz = gazetteer.load()
    for key, ms in sorted(r.groups.items(), key=lambda kv: key_order(kv[0])):
        classes: dict[str, int] = {}      # (a Counter's own set-up costs more than the counting here)
        for m in ms:
            classes[m.cls] = classes.get(m.cls, 0) + 1
        # most frequent first, ties in order of first mention (as Counter.most_common)
        fine = [c for c in sorted(classes, key=classes.__getitem__, reverse=True)
                if c != key.family and FAMILY[c] == key.family]
        cls = fine[0] if fine else key.family
        code = within = None
        if cls == "AdministrativeArea":
            area = gaz.best(key.name, tuple(r.context.values()))
            if area:
                code = area.code
                within = EntityKey("Place", area.parent) if area.parent else None
        r.entities.append(Entity(key, cls, tuple(sorted(r.aliases[key] - {key.name})),
                                 tuple(sorted({m.extractor for m in ms})), max(m.confidence for m in ms),
                                 code, within, tuple(sorted({(m.start, m.end) for m in ms}))))


def _actor_area(gaz, key: EntityKey, cls: str, own: str | None = None) -> bool:
    """An organization, or an area low enough to act (a county or town, or unknown),
    or the document's own area whatever its level (a province's report)."""
    area = gaz.best(key.name) if cls == "AdministrativeArea" else None
    return area is None or area.level in ("county", "town") or area.name == own


# 根据国家统计局反馈, 据某局统计, 某局发布消息: the body that reports a figure is its source, not its actor
_SOURCE_BEFORE = re.compile(r"(?:根据|依据|据|来自|经)$")
_SOURCE_AFTER = re.compile(r"(?:发布|通报|公布|披露|反馈|统计|消息|数据显示|介绍)")


def _source(ctx, m: Mention) -> bool:
    text = ctx.doc.text
    return bool(_SOURCE_BEFORE.search(text[max(0, m.start - 2):m.start]) or _SOURCE_AFTER.match(text, m.end))


def _innermost(r: Resolution, mentions, i: int) -> EntityKey:
    """The last of a chain of places and bodies written together from mention i
    (库尔勒市电力社区: the community, not the city)."""
    while i + 1 < len(mentions) and mentions[i + 1].start == mentions[i].end and r.key(mentions[i + 1]) \
            and mentions[i].cls == "AdministrativeArea" and mentions[i + 1].cls in ACTOR_CLASSES:
        i += 1
    return r.key(mentions[i])


@step("actors", produces="actors", requires=("keys",))
def actors(r: Resolution) -> None:
    """Who acts where no clause says: the document's, each article's and each section's actor."""
    gaz = gazetteer.load()
    ctx, sents = r.ctx, r.ctx.sentences
    # the document's: the first organization or county named in its opening lines
    own = area_for("own", r.context)
    for i, m in enumerate(ctx.mentions):
        k = r.key(m)
        if k and m.cls in ACTOR_CLASSES and ctx.sentence_at(m.start).index < 4 and m.extractor != "bylines" \
                and _actor_area(gaz, k, m.cls, own) and not _source(ctx, m):
            r.actor = _innermost(r, ctx.mentions, i)
            break
    # each article's: the organization or area its header names (中原区西流湖街道)
    article_actor: list[tuple[int, EntityKey | None]] = [(0, r.actor)]
    for header in article_headers(sents):
        found = next((k for m in ctx.mentions_between(sents[header[0]].start, sents[header[-1]].end)
                      if (k := r.key(m)) and m.cls in ACTOR_CLASSES and m.extractor != "context_words"
                      and _actor_area(gaz, k, m.cls, own) and not _source(ctx, m)), None)
        article_actor.append((header[0], found or r.actor))

    def actor_at(sentence: int) -> EntityKey | None:
        return max((a for a in article_actor if a[0] <= sentence), key=lambda a: a[0])[1]

    # each section's: the organization or area opening its first paragraph
    # (近年来，汝河路街道党工委始终…), else its article's
    first_of: dict[int, int] = {}
    first_body = {}
    for x in sents:
        first_of.setdefault(r.sec[x.index], x.index)
        if not x.heading:
            first_body.setdefault(r.sec[x.index], x)
    for k in set(r.sec):
        first = first_body.get(k)
        r.sec_actor[k] = actor_at(first.index if first else first_of[k])
        if first is None:
            continue
        inside = ctx.mentions_between(first.start, first.end)
        opener = RelSentence(ctx, first.index, [m for m in inside if m.cls != "Concept"]).opening(set(ACTOR_CLASSES))
        key = r.key(opener) if opener else None
        if key and opener.extractor != "context_words" and _actor_area(gaz, key, opener.cls, own) \
                and not _source(ctx, opener):
            r.sec_actor[k] = key


@step("attribute_relations", produces="relations", requires=("keys", "entities", "actors"))
def attribute_relations(r: Resolution) -> None:
    """Relation candidates with their entities; one without a subject takes the paragraph's topic or the actor."""
    sents = r.ctx.sentences
    topic: dict[int, EntityKey] = {}
    present = {e.key for e in r.entities}

    def area_of(sentence: int) -> EntityKey | None:
        """The area a section is about, if the document names it."""
        c = r.sec_context[r.sec[sentence]]
        for level in ("town", "county", "city"):
            if c.get(level) and EntityKey("Place", c[level]) in present:
                return EntityKey("Place", c[level])
        return None

    for rc in sorted(r.ctx.relations, key=lambda x: (x.sentence, x.object.start if x.object else -1)):
        para = sents[rc.sentence].paragraph
        obj = area_of(rc.sentence) if rc.object is None else r.key(rc.object)
        if rc.subject is not None:
            subj = r.key(rc.subject)
            if subj is not None and rc.rule.startswith("cue:"):
                topic[para] = subj  # only a clause's own subject becomes the paragraph's topic
                r.topics_seen[para].append((rc.sentence, subj))
        else:
            subj = topic.get(para, r.sec_actor[r.sec[rc.sentence]])
        if subj is None or obj is None or subj == obj:
            continue
        r.relations.add(Relation(subj, rc.predicate, obj, r.prov(rc.sentence, rc.rule, rc.confidence),
                                 rc.post, rc.post_text))


@step("composed_relations", produces="relations", requires=("keys", "entities", "context"))
def name_relations(r: Resolution) -> None:
    """Relations names state by their make-up (locatedIn from prefixes, subOrganizationOf)."""
    present = {e.key for e in r.entities}
    for s, p, o, si, rule in composed_relations(r.ctx, r.key_of, r.entities, r.sec, r.sec_context):
        if s in present and o in present and s != o:
            r.relations.add(Relation(s, p, o, r.prov(si, rule, 0.7)))


@step("schema_gate", produces="relations", requires=("relations", "entities"))
def schema_gate(r: Resolution) -> None:
    """Relations whose subject or object is of a class the ontology's domain or range
    of the property does not allow are dropped (SCHEMA.md: issues is an
    Organization's, a subdistrict that issues a document is its office's doing)."""
    cls = {e.key: e.cls for e in r.entities}
    r.relations = {x for x in r.relations
                   if (x.subject not in cls or vocab.fits(cls[x.subject], x.predicate, "domain"))
                   and (x.object not in cls or vocab.fits(cls[x.object], x.predicate, "range"))}


# people counted as they take part in a meeting or course: the figure describes it
_ATTENDANCE = re.compile(r"参加|参会|与会|参训|出席|列席|学员|参培|受训|集中培训")
# the meeting the text is about, referred back to (参加了此次培训, 本次培训学员)
_THIS_EVENT = re.compile(r"此次|本次|这次|该次|会议|大会")
_CLAUSE_END = re.compile(r"[，。；！？]")


def _attended(r: Resolution, mc) -> EntityKey | None:
    """The meeting or course whose attendance a count of people gives, in the figure's
    clause (46名大学生参加了此次培训): the event named in its sentence, or the last one
    named before where the clause refers back to it; None otherwise."""
    if mc.unit != "PERSON":
        return None
    text = r.ctx.doc.text
    s = r.ctx.sentences[mc.sentence]
    a = max((m.end() for m in _CLAUSE_END.finditer(text, s.start, mc.start)), default=s.start)
    b = next((m.start() for m in _CLAUSE_END.finditer(text, mc.end, s.end)), s.end)
    clause = text[a:b]
    if not _ATTENDANCE.search(clause):
        return None
    events = [(m.start, k) for m in r.ctx.mentions if m.cls == "Event" and (k := r.key(m)) is not None]
    inside = [k for pos, k in events if s.start <= pos < s.end]
    if inside:
        return inside[0]
    before = [k for pos, k in events if pos < s.start]
    return before[-1] if before and _THIS_EVENT.search(clause) else None


@step("attribute_metrics", produces="metrics", requires=("keys", "actors", "relations"))
def attribute_metrics(r: Resolution) -> None:
    """Metric candidates with their subject: their own, an attended event, the paragraph's topic, else the actor."""
    sents = r.ctx.sentences
    year = document_year(sents)
    # a figure's own subject is the topic of the figures after it in its paragraph
    # (某村海外人口达5000多人，归侨30多人), as a clause's subject is
    said: dict[int, tuple[int, EntityKey]] = {}
    for mc in sorted(r.ctx.metrics, key=lambda x: x.start):
        para = sents[mc.sentence].paragraph
        about = _attended(r, mc)
        if about is not None:
            pass
        elif mc.about is not None and r.key(mc.about) is not None:
            about = r.key(mc.about)
            said[para] = (mc.sentence, about)
        else:
            # the topic as it stands at the figure's sentence, not one set later
            earlier = [(si, k) for si, k in r.topics_seen[para] if si <= mc.sentence]
            if para in said and (not earlier or said[para][0] >= earlier[-1][0]):
                earlier.append(said[para])
            about = earlier[-1][1] if earlier else r.sec_actor[r.sec[mc.sentence]]
        r.metrics.append(Metric(about, mc.indicator, mc.value, mc.unit, mc.approximate, mc.period,
                                mc.text, mc.start, mc.end, r.prov(mc.sentence, mc.rule, mc.confidence),
                                period_years(mc.period, year)))


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
                # the parent as an entity names it: in full (某县工商业联合会), the party by its full name
                for name in dict.fromkeys((parent, full_form(parent), party_name(parent))):
                    if name != k.name:
                        yield k, "subOrganizationOf", EntityKey("Organization", name), si, "name-composition"
                break


def _abbreviates(short: str, full: str) -> bool:
    """After what the two names share at the start, the short one still holds a word
    of its own (市住建局 of 市住房和城乡建设局), not a bare level or body word (区委 is
    no short form of 区纪委监委 nor of 区委政法委)."""
    k = 0
    while k < len(short) and short[k] == full[k]:
        k += 1
    return len(short) - k >= 2
