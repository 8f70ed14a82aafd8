"""Stage 2: normalize OCR'd report text and split it into sentences.

The sample corpus is OCR'd newspaper pages: lines broken mid-sentence (sometimes
with a blank line in between), stray spaces between CJK characters, ASCII commas and
straight quotes in Chinese text, full-width digits. Every edit is either 1:1 (a
character replaced by one character) or a deletion, so the map back to the raw text
is a short list of anchors (see :class:`kg.model.Document`). Traditional characters
become simplified ones last, one for one (kg.script).
"""
from __future__ import annotations

import re

from kg.model import Document, RawDocument, Sentence
from kg.script import is_traditional, to_simplified

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_PUNCT = "，。、；：！？“”‘’《》（）【】〔〕…—·"
_TERMINAL = "。！？；：”’」）…"
# Full-width ASCII becomes ASCII, except the punctuation Chinese text writes full-width.
_KEEP_FULL = set("，；：！？")
_TABLE = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F) if chr(c) not in _KEEP_FULL}
_TABLE.update({0x0B: "\n", 0x0C: "\n", 0x85: "\n", 0x2028: "\n", 0x2029: "\n"})
_TABLE.update({0x3000: " ", 0xA0: " ", 0x09: " ", 0x0D: " ", 0x300C: "“", 0x300D: "”",
               0x300E: "‘", 0x300F: "’", 0x2022: "·", 0x30FB: "·", 0x2027: "·", 0xFE41: "“", 0xFE42: "”"})
# as a pattern of the characters it changes: str.translate looks every character of
# a CJK text up in the table (0.1 s a million characters), a regex skips to the few
_TO = {chr(k): v if isinstance(v, str) else chr(v) for k, v in _TABLE.items()}
_CHANGED = re.compile("[" + "".join(map(re.escape, sorted(_TO))) + "]")
_ENUM = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．])")
_SPACE_IN_BODY = re.compile(rf"(?<=[{CJK}{CJK_PUNCT}\d%])[ ]+(?=[{CJK}{CJK_PUNCT}])|(?<=[{CJK}{CJK_PUNCT}])[ ]+(?=[\d“])")
_MULTISPACE = re.compile(r"  +")
# after a Chinese character or a percent sign an ASCII comma ends a clause, whatever
# follows (达标,97.7%的行政村); between digits it groups thousands (1,000) and stays
_ASCII_PUNCT = re.compile(rf"(?<=[{CJK}”）%])[,;:!?]|[,;:!?](?=[{CJK}“])")
_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
# A byline starts a new line whatever the line before it looks like.
BYLINE = re.compile(r"^(?:本报|记者|通讯员|特约|文/|图/|责任编辑|编辑)")
_SENT_END = re.compile(r"[。！？]+[”’」）)]*|\n")
# NUL and the other control characters carry nothing a reader sees; they are
# dropped with the offsets kept (tab and CR are spacing; VT, FF, NEL and the
# Unicode line and paragraph separators end a line, in _TABLE)
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff]+")


def _is_body(line: str) -> bool:
    """A line of running text (not a headline, byline or caption)."""
    return bool(re.search("[。！？，；,]", line)) or len(line) >= 40


def _joins(line: str, nxt: str) -> bool:
    """Whether ``line`` was broken mid-sentence and continues on ``nxt``."""
    if not line or line[-1] in _TERMINAL or not nxt:
        return False
    if _ENUM.match(nxt) or _ENUM.match(line) or line.startswith("——") or BYLINE.match(nxt):
        return False
    if not re.match(rf"[{CJK}\d“‘《（(、，,\"]", nxt):
        return False
    if len(nxt) <= 30 and not re.search("[。，、；：！？,;:!?]", nxt):
        return False  # a headline or caption the page layout dropped into a paragraph
    # judged on the line alone (never on the next line's length), so that joining is
    # idempotent: a second pass sees the same lines
    return "。" in line or "！" in line or "？" in line or len(line) >= 40 or \
        (bool(re.search("[，、,；]", line)) and len(line) >= 12)


def _delete(text: str, segs: list[list[int]], spans: list[tuple[int, int]]):
    """Remove ``spans`` (sorted, disjoint, in ``text`` coordinates) and keep the
    segment map [out_start, raw_start, length] in step."""
    if not spans:
        return text, segs
    out_parts, new = [], []
    pos = 0
    keep = []  # kept [a, b) ranges of the old text
    for a, b in spans:
        if a > pos:
            keep.append((pos, a))
        pos = max(pos, b)
    if pos < len(text):
        keep.append((pos, len(text)))
    si = 0
    out = 0
    for a, b in keep:
        out_parts.append(text[a:b])
        while a < b:
            while segs[si][0] + segs[si][2] <= a:
                si += 1
            s0, r0, ln = segs[si]
            take = min(b, s0 + ln) - a
            if new and new[-1][0] + new[-1][2] == out and new[-1][1] + new[-1][2] == r0 + (a - s0):
                new[-1][2] += take
            else:
                new.append([out, r0 + (a - s0), take])
            out += take
            a += take
    return "".join(out_parts), new


def _quote_line(line: str) -> str:
    if '"' not in line or not re.search(f"[{CJK}]", line):
        return line
    out, opening = [], True
    for ch in line:
        if ch == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(ch)
    return "".join(out)


def normalize(raw: RawDocument) -> Document:
    """Normalized :class:`Document` of ``raw`` with its offset anchors."""
    text = _CHANGED.sub(lambda m: _TO[m.group()], raw.raw)
    segs = [[0, 0, len(text)]]
    text, segs = _delete(text, segs, [m.span() for m in _CONTROL.finditer(text)])
    # 1. Lines: strip, drop blank ones, join those broken mid-sentence.
    lines = []  # (start, end) of stripped content
    pos = 0
    for line in text.split("\n"):
        core = line.strip(" ")
        if core:
            a = pos + len(line) - len(line.lstrip(" "))
            lines.append((a, a + len(core)))
        pos += len(line) + 1
    dels = []
    if lines:
        dels.append((0, lines[0][0]))
        logical = lines[0][0]  # where the line being built by joins starts
        for (_, b), (c, d) in zip(lines, lines[1:]):
            # judge the whole joined line so far, so that normalizing twice joins nothing more
            if _joins(text[logical:b].replace("\n", ""), text[c:d]):
                dels.append((b, c))
            else:
                dels.append((b, b + text[b:c].index("\n")))      # keep one newline
                dels.append((b + text[b:c].index("\n") + 1, c))
                logical = c
        dels.append((lines[-1][1], len(text)))
    else:
        dels.append((0, len(text)))
    text, segs = _delete(text, segs, [(a, b) for a, b in dels if b > a])
    text = "\n".join(_quote_line(line) for line in text.split("\n"))
    text = _ASCII_PUNCT.sub(lambda m: _FULL[m.group()], text)
    # 2. Spaces: OCR leaves stray ones inside running text; headlines and bylines
    # use them as separators, so there they are only collapsed.
    dels = []
    pos = 0
    for line in text.split("\n"):
        pat = _SPACE_IN_BODY if _is_body(line) else _MULTISPACE
        for m in pat.finditer(line):
            a = m.start() + (0 if pat is _SPACE_IN_BODY else 1)
            dels.append((pos + a, pos + m.end()))
        pos += len(line) + 1
    text, segs = _delete(text, segs, dels)
    anchors = tuple((o, r) for o, r, _ in segs) or ((0, 0),)
    # 3. Script: the rules read simplified characters; a traditional text is read
    # through its simplified form, of the same length, and keeps its own (kg.script)
    hans, original = "Hans", ""
    if is_traditional(text):
        hans, original, text = "Hant", text, to_simplified(text)
    return Document(id=raw.id, path=raw.path, text=text, raw=raw.raw, encoding=raw.encoding, anchors=anchors,
                    replaced=raw.replaced, source=raw.source, script=hans, original=original)


def split_sentences(doc: Document) -> tuple[Sentence, ...]:
    """Sentences end at 。！？ (with any closing quote) or at a line end; each line is
    a paragraph, and a short line without sentence punctuation is a heading."""
    out = []
    para = 0
    pos = 0
    text = doc.text
    for line in text.split("\n"):
        heading = not _is_body(line)
        start = 0
        for m in _SENT_END.finditer(line + "\n"):
            end = min(m.end(), len(line))
            seg = line[start:end]
            if seg.strip():
                lead = len(seg) - len(seg.lstrip())
                trail = len(seg.rstrip())
                s, e = pos + start + lead, pos + start + trail
                out.append(Sentence(doc.id, len(out), s, e, text[s:e], para, heading))
            start = end
        pos += len(line) + 1
        para += 1
    return tuple(out)
