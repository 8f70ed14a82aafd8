"""Name grammars: organizations, sites, bases, events and projects by suffix, and
administrative areas from the gazetteer.

A name is found from its suffix (``names.tsv``) and extended to the left over
tokens that can be part of a name, stopping at punctuation, function words and cue
verbs (``stopwords.tsv``). A candidate is kept only when something in it is
specific (a place, a proper noun, an unknown word, a number, a quote): 机关党支部
alone names no particular thing. A candidate that begins with a context prefix
(区委, 市, 街道 …) is kept for the resolver to complete from the document.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from kg import gazetteer
from kg.extract import Context, read_table, register, word_set
from kg.segment import tag_of

NAME_TAGS = {"n", "nr", "nr1", "nr2", "nrj", "nrf", "nrfg", "nrt", "ns", "nsf", "nt", "nz", "nl", "ng",
             "j", "vn", "b", "x", "m", "eng", "an", "s", "a"}
SPECIFIC_TAGS = {"nr", "nr1", "nr2", "nrj", "nrf", "nrfg", "nrt", "ns", "nsf", "nz", "x", "eng", "m", "j", "nt"}


@lru_cache(maxsize=1)
def _grammar():
    rows = sorted(read_table("names.tsv"), key=lambda r: -len(r[0]))
    table = {r[0]: (r[1], int(r[2])) for r in rows}
    pattern = re.compile("|".join(re.escape(r[0]) for r in rows))
    return table, pattern


@lru_cache(maxsize=1)
def _context_prefixes() -> tuple[str, ...]:
    return tuple(sorted((r[0] for r in read_table("context.tsv")), key=len, reverse=True))


def _starts(ctx: Context) -> list[int]:
    starts = getattr(ctx, "_tok_starts", None)
    if starts is None:
        starts = [t.start for t in ctx.tokens]
        ctx._tok_starts = starts
    return starts


def _token_index(ctx: Context, pos: int) -> int:
    return bisect_right(_starts(ctx), pos) - 1


def find_name(ctx: Context, s: int, e: int, maxlen: int) -> tuple[int, bool] | None:
    """Start of the name whose suffix spans [s, e), and whether it is specific;
    None when the suffix is part of an ordinary word (格局, 思路, 路线)."""
    toks = ctx.tokens
    ti = _token_index(ctx, s)
    last = _token_index(ctx, e - 1)
    if toks[last].end != e:
        return None  # the suffix runs into the next word
    stop = word_set("stopwords.tsv")
    start = toks[ti].start
    specific = False
    if start < s:
        whole = toks[ti]
        if whole.end == e and whole.tag not in SPECIFIC_TAGS:
            return None  # the candidate is itself an ordinary dictionary word
        specific = whole.tag in SPECIFIC_TAGS
    j = ti - 1
    while j >= 0:
        t = toks[j]
        if t.text == "”":
            # a quoted part of a name: “中原统战云”新阶层人士实践创新基地
            k = j - 1
            while k >= 0 and toks[k].text != "“" and toks[k].tag != "w" and e - toks[k].start <= maxlen:
                k -= 1
            if k < 0 or toks[k].text != "“" or e - toks[k].start > maxlen:
                break
            start, specific, j = toks[k].start, True, k - 1
            continue
        if t.tag not in NAME_TAGS or t.text in stop or e - t.start > maxlen:
            break
        start = t.start
        specific = specific or t.tag in SPECIFIC_TAGS
        j -= 1
    return start, specific


def _strip_leading(text: str) -> int:
    for w in sorted(word_set("leading.tsv"), key=len, reverse=True):
        if text.startswith(w) and len(text) > len(w) + 1:
            return len(w)
    return 0


@register("name_grammar", produces="mentions", priority=1)
def name_grammar(ctx: Context):
    table, pattern = _grammar()
    prefixes = _context_prefixes()
    text = ctx.doc.text
    for m in pattern.finditer(text):
        s, e = m.span()
        cls, maxlen = table[m.group()]
        found = find_name(ctx, s, e, maxlen)
        if found is None:
            continue
        start, specific = found
        start += _strip_leading(text[start:e])
        if start >= s:
            continue  # a bare suffix (统战部, 街道) names nothing by itself
        name = text[start:e]
        if not specific and not name.startswith(prefixes):
            continue
        yield ctx.mention(start, e, cls, "name_grammar", 0.7 if specific else 0.6)


@register("gazetteer_places", produces="mentions", priority=2)
def gazetteer_places(ctx: Context):
    """Administrative areas the gazetteer knows, matched over up to six tokens."""
    gaz = gazetteer.load()
    skip = word_set("places.tsv")
    toks = ctx.tokens
    i = 0
    while i < len(toks):
        best = None
        acc = ""
        for j in range(i, min(i + 6, len(toks))):
            acc += toks[j].text
            if len(acc) > gaz.max_len:
                break
            if acc not in skip and len(acc) >= 2 and gaz.lookup(acc) and (len(acc) >= 3 or gaz.lookup(acc)[0].level != "town"):
                best = j
        if best is None:
            i += 1
            continue
        s, e = toks[i].start, toks[best].end
        surface = ctx.doc.text[s:e]
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
    words = {r[0] for r in read_table("context.tsv") if r[0].startswith(("我", "全", "本", "该"))}
    pat = re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True)))
    for m in pat.finditer(ctx.doc.text):
        yield ctx.mention(m.start(), m.end(), "AdministrativeArea", "context_words", 0.5)
