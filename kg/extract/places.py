"""Places: administrative areas from the gazetteer, the villages and communities it
lists, and the words that stand for a document's own area (我区, 全市)."""
from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

from kg import gazetteer
from kg.extract import Context, Words, read_table, register, word_set
from kg.extract.names import _is_generic


def _char_chain(gaz, text: str, pos: int, skip) -> list[str]:
    """Places that follow each other from ``pos``, longest first at each step
    (信阳新县 → 信阳, 新县), whatever the tokens say."""
    chain = []
    first_two, prefixes, names, n = gaz.first_two, gaz.prefixes, gaz.area_names, len(text)
    while pos < n and text[pos:pos + 2] in first_two:
        best, k = None, 2
        while pos + k <= n and (piece := text[pos:pos + k]) in prefixes:
            if piece in names and piece not in skip:
                best = piece
            k += 1
        if best is None:
            break
        chain.append(best)
        pos += len(best)
    return chain


@register("gazetteer_places", produces="mentions", priority=2)
def gazetteer_places(ctx: Context):
    """Administrative areas the gazetteer knows, matched over up to six tokens; where
    jieba cut across two names (信/阳新县 for 信阳新县), a chain of names matched
    character by character that ends on a token boundary and covers more wins."""
    gaz = gazetteer.load()
    skip = word_set("places.tsv")
    toks = ctx.tokens
    text = ctx.doc.text
    first_two, names = gaz.first_two, gaz.area_names
    # every name and alias has two or more characters: most tokens start none
    starting = [k for k, t in enumerate(toks) if text[t.start:t.start + 2] in first_two]
    i = 0
    while (at := bisect_left(starting, i)) < len(starting):
        i = starting[at]
        best = None
        acc = ""
        for j in range(i, min(i + 6, len(toks))):
            acc += toks[j].text
            if acc not in gaz.prefixes:
                break
            if acc in names and acc not in skip:
                best = j
        chain = _char_chain(gaz, text, toks[i].start, skip)
        chain_end = toks[i].start + sum(map(len, chain))
        if len(chain) >= 2 and (chain_end == len(text) or chain_end in ctx.token_start_set) and (
                best is None or chain_end > toks[best].end):
            pos = toks[i].start
            for name in chain:
                full = name if name in gaz.by_name else gaz.aliases[name]
                yield ctx.mention(pos, pos + len(name), "AdministrativeArea", "gazetteer_places", 0.8, full)
                pos += len(name)
            i = ctx.token_index(chain_end) if chain_end < len(text) else len(toks)
            continue
        if best is None:
            i += 1
            continue
        s, e = toks[i].start, toks[best].end
        surface = text[s:e]
        full = surface if surface in gaz.by_name else gaz.aliases[surface]
        # an alias glued to more name (郑州中央文化区) is part of that name, not the city
        nxt = toks[best + 1] if best + 1 < len(toks) else None
        if full != surface and nxt is not None and nxt.tag in ("n", "ns", "nz", "x"):
            i = best + 1
            continue
        yield ctx.mention(s, e, "AdministrativeArea", "gazetteer_places", 0.9 if full == surface else 0.8, full)
        i = best + 1


@register("context_words", produces="mentions", priority=0)
def context_words(ctx: Context):
    """我区, 全市, 该街道 …: words that stand for the document's own area."""
    for s, e, _ in _context_words().finditer(ctx.doc.text):
        yield ctx.mention(s, e, "AdministrativeArea", "context_words", 0.5)


@lru_cache(maxsize=1)
def _context_words() -> Words:
    return Words(r[0] for r in read_table("context.tsv") if r[0].startswith(("我", "全", "本", "该")))


_VILLAGE = re.compile(r"社区|村")


def _inside_a_word(ctx: Context, s: int) -> bool:
    """The name at ``s`` would continue a word to its left: a lone character before
    it (线/上社区) that is no function word and no level word ending a place (某镇/丰山村)."""
    i = ctx.token_index(s)
    if i == 0:
        return False
    t = ctx.tokens[i - 1]
    return len(t.text) == 1 and "\u4e00" <= t.text <= "\u9fff" and t.tag not in ("p", "c", "u", "uj", "d", "r", "v") \
        and t.text not in word_set("stopwords.tsv") and t.text not in "省市区县旗镇乡街道"


VILLAGE_MAX = 8     # characters of a village's or community's name, suffix included


@register("villages", produces="mentions", priority=2)
def villages(ctx: Context):
    """Villages and communities the gazetteer lists (某某村, 某某社区, 某某村委会), the
    longest that ends at the suffix and starts a word, and whose name is more than
    generic words (幸福社区 is a kind where the text says no more)."""
    names = gazetteer.villages()
    text = ctx.doc.text
    starts = ctx.token_start_set
    for m in _VILLAGE.finditer(text):
        e = m.end()
        for k in range(min(VILLAGE_MAX, e), len(m.group()) + 1, -1):
            s = e - k
            if s in starts and text[s:e] in names:
                if not _is_generic(ctx, s, m.start()) and not _inside_a_word(ctx, s):
                    end = e + 2 if text.startswith("委会", e) else e
                    yield ctx.mention(s, end, "AdministrativeArea", "villages", 0.8, text[s:e])
                break


@lru_cache(maxsize=1)
def _countries() -> tuple[dict[str, str], Words]:
    """Each country's names -> its canonical name, and a finder of all of them."""
    names = {n: row[0] for row in read_table("countries.tsv") for n in row}
    return names, Words(names)


@register("countries", produces="mentions", priority=2)
def countries(ctx: Context):
    """Countries (countries.tsv) where a word starts and ends (美国, 印尼, 马来西亚; 美国人
    says the country too), not inside another word (印度 in 印度尼西亚, 中美)."""
    names, finder = _countries()
    found = finder.finditer(ctx.doc.text)
    if not found:
        return
    starts, ends = ctx.token_start_set, {t.end for t in ctx.tokens}
    for s, e, name in found:
        if s in starts and (e in ends or e == len(ctx.doc.text)):
            yield ctx.mention(s, e, "AdministrativeArea", "countries", 0.8, names[name])


@lru_cache(maxsize=1)
def _county_short_forms() -> dict[str, str]:
    """Bare short forms of counties (开化 for 开化县) that name one county, -> its name."""
    gaz = gazetteer.load()
    forms: dict[str, set[str]] = {}
    for full, rows in gaz.by_name.items():
        for _name, level, _code, _parent, alias in rows:
            if level == "county" and alias and len(alias) >= 2 and alias != full and full[-1] in "县区市旗":
                forms.setdefault(alias, set()).add(full)
    return {a: next(iter(f)) for a, f in forms.items() if len(f) == 1 and not gaz.lookup(a)}


_OWN_BODIES = "委|政府|人大|政协|领导|纪委|人民政府|委书记"


@register("county_short_forms", produces="mentions", priority=1)
def county_short_forms(ctx: Context):
    """A county named by its bare short form (开化 for 开化县; too many are words to
    take anywhere): only in a report that calls its own bodies 县委, 县领导 … by the
    county's level word, names no county in full, and writes that short form as a
    word of its own at least twice (宣传开化、推介开化)."""
    text = ctx.doc.text
    gaz = gazetteer.load()
    if any(m.cls == "AdministrativeArea" and (a := gaz.best(m.name or m.text)) and a.level == "county"
           for m in ctx.mentions):
        return
    forms = _county_short_forms()
    starts, ends = ctx.token_start_set, {t.end for t in ctx.tokens}
    found: dict[str, list[int]] = {}
    for t in ctx.tokens:
        if t.text in forms:
            found.setdefault(t.text, []).append(t.start)
    for short, at in found.items():
        full = forms[short]
        if len(at) < 2 or not re.search(rf"(?<![\u4e00-\u9fff]){full[-1]}(?:{_OWN_BODIES})", text):
            continue
        for s in at:
            if s in starts and s + len(short) in ends:
                yield ctx.mention(s, s + len(short), "AdministrativeArea", "county_short_forms", 0.6, full)
