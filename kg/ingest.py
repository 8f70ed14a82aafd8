"""Stage 1: find input files and decode them to text.

Encodings are detected, not assumed: a BOM wins; then strict UTF-8; then UTF-16
without BOM (recognised by its NUL bytes); then GB18030 (a superset of GBK and
GB2312); charset-normalizer decides what is left. HTML is reduced to its text with
block elements kept as line breaks.
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

from kg.errors import DecodeError, InputError
from kg.model import RawDocument

SUFFIXES = (".txt", ".md", ".html", ".htm")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to read under ``paths`` (folders recursively), and (path, reason) for
    every input that cannot be used. Order is sorted, so builds are reproducible."""
    found: list[Path] = []
    problems: list[tuple[str, str]] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
            problems += [(str(f), "a symbolic link to nothing") for f in sorted(p.rglob("*"))
                         if f.suffix.lower() in SUFFIXES and f.is_symlink() and not f.exists()]
        elif p.is_file():
            if p.suffix.lower() in SUFFIXES:
                found.append(p)
            else:
                problems.append((str(p), f"unsupported file type {p.suffix or '(none)'}; allowed: {', '.join(SUFFIXES)}"))
        else:
            problems.append((str(p), "no such file or folder"))
    seen: set[Path] = set()
    unique = []
    for f in found:
        r = f.resolve()
        if r not in seen:
            seen.add(r)
            unique.append(f)
    return unique, problems


def _plausible(ch: str) -> bool:
    o = ord(ch)
    return (0x20 <= o < 0x7F or ch in "\n\r\t" or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F
            or 0xFF00 <= o <= 0xFFEF or 0x2010 <= o <= 0x206F)


def decode(data: bytes) -> tuple[str, str, int]:
    """Text, the name of the encoding it was decoded from, and how many bytes did
    not decode (read as U+FFFD): UTF-8 with a few bad bytes stays UTF-8 rather than
    being taken for another encoding and read as nonsense."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            text = data.decode(enc, errors="replace")
            return text, enc, text.count("\ufffd") - data.count("\ufffd".encode(enc.replace("-sig", "").replace(
                "utf-16", "utf-16-le" if bom == b"\xff\xfe" else "utf-16-be") if enc == "utf-16" else enc.replace("-sig", "")))
    try:
        return data.decode("utf-8"), "utf-8", 0
    except UnicodeDecodeError:
        pass
    if len(data) % 2 == 0:
        # UTF-16 without a BOM: accept the byte order whose text is plausible
        # (Chinese text has no NUL bytes to go by, so judge the decoded characters).
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if text and sum(map(_plausible, text)) >= 0.97 * len(text):
                return text, enc, 0
    # UTF-8 with a few bad bytes: few against its non-ASCII bytes, so mostly-ASCII
    # GBK (a page of markup with a few Chinese words) is not taken for it
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    non_ascii = sum(1 for b in data if b > 0x7F)
    if bad <= max(8, len(data) // 1000) and 50 * bad <= non_ascii:
        return text, "utf-8", bad
    try:
        return data.decode("gb18030"), "gb18030", 0
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise DecodeError("not text in any supported encoding (UTF-8, UTF-16, GB18030/GBK, or one charset-normalizer detects)")
    return str(best), best.encoding, 0


class _TextOfHtml(HTMLParser):
    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section",
             "article", "header", "footer", "table", "ul", "ol", "title", "blockquote", "pre"}
    SKIP = {"script", "style", "noscript", "template", "head"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.title: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        elif tag in self.SKIP:
            self.skipping += 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag in self.SKIP and self.skipping:
            self.skipping -= 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title.append(data)
        elif not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    p = _TextOfHtml()
    p.feed(html)
    p.close()
    body = "".join(p.parts)
    title = "".join(p.title).strip()
    if title and title not in body:
        body = title + "\n" + body
    return re.sub(r"[ \t]*\n[ \t\n]*", "\n", body).strip() + "\n"


def doc_id(path: Path) -> str:
    return path.stem


def read(path: str | Path) -> RawDocument:
    """Read one file. Raises InputError/DecodeError naming the file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputError(f"{p}: cannot read ({e.strerror or e})") from e
    return from_bytes(p, data)


def from_bytes(path: str | Path, data: bytes) -> RawDocument:
    """A document from the bytes of the file at ``path`` (read elsewhere, e.g. by
    the process that hands work to a cluster)."""
    p = Path(path)
    try:
        text, enc, replaced = decode(data)
    except DecodeError as e:
        raise DecodeError(f"{p}: {e}") from e
    if p.suffix.lower() in (".html", ".htm"):
        text = html_to_text(text)
    if not text.strip():
        raise InputError(f"{p}: empty document")
    return RawDocument(id=doc_id(p), path=str(p), raw=text, encoding=enc, replaced=replaced)
