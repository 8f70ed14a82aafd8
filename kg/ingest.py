"""Stage 1: find input files, give each its document id, and read them to text.

Discovery: a folder is read recursively, and every file in it that is not built is
reported with the reason (an unsupported type names what to do with it). Hidden
files and folders (a name starting with "."; .git, .DS_Store …), Office lock files
(~$…) and Windows' Thumbs.db and desktop.ini are not documents anyone wrote and
are passed over silently. A file named on the command line is always tried.

Identity: a document's id is its path relative to the build root (the folder
named on the command line) without the suffix, "北京/工作总结" for
reports/北京/工作总结.txt built as ``kg build reports``; a file named directly
is its own root, so its id is its stem. Two inputs with one id keep the first;
files with the same bytes are built once (``duplicates``).

Encodings are detected, not assumed: a BOM wins; then strict UTF-8; then UTF-16
without BOM (judged by its characters); then GB18030 (a superset of GBK and
GB2312) or Big5 (with its cp950 and HKSCS extensions), whichever reads as more
plausible Chinese (both decode most byte pairs, so the frequent characters
decide); charset-normalizer decides what is left. The formats are kg.formats.
"""
from __future__ import annotations

import codecs
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from kg import formats, script
from kg.errors import DecodeError, InputError
from kg.model import InputFile, RawDocument, SourceFile

SUFFIXES = formats.SUFFIXES
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_NOT_DOCUMENTS = {"thumbs.db", "desktop.ini"}
BIG5 = ("big5", "cp950", "big5hkscs")


def _ignored(name: str) -> bool:
    """Files no one wrote as a document: hidden ones, Office lock files, Windows' folder files."""
    return name.startswith((".", "~$")) or name.lower() in _NOT_DOCUMENTS


def input_file(path: str | Path) -> InputFile:
    """A file named directly: its own root, so its id is its stem."""
    p = Path(path)
    return InputFile(str(p), p.stem, p.name)


def _in_folder(root: Path, problems: list[tuple[str, str]]) -> list[InputFile]:
    """The readable files under ``root``, sorted, each with its id relative to ``root``;
    every other file goes to ``problems`` with its reason."""
    out = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not _ignored(d))
        base = Path(folder)
        for name in sorted(names) + [d for d in dirs if (base / d).is_symlink()]:
            f = base / name
            if _ignored(name):
                continue
            if f.is_symlink() and f.is_dir():
                problems.append((str(f), "a symbolic link to a folder; name the folder itself to build it"))
            elif not f.exists():
                problems.append((str(f), "a symbolic link to nothing"))
            elif f.suffix.lower() not in SUFFIXES:
                problems.append((str(f), formats.unsupported(f.suffix)))
            else:
                rel = f.relative_to(root)
                out.append(InputFile(str(f), rel.with_suffix("").as_posix(), rel.as_posix()))
    return sorted(out, key=lambda f: Path(f.path))


def discover(paths: Iterable[str | Path]) -> tuple[list[InputFile], list[tuple[str, str]]]:
    """Files to read under ``paths`` (folders recursively) with their document ids,
    and (path, reason) for every input and every file under a folder that is not
    built. Order is sorted within a folder, so builds are reproducible."""
    found: list[InputFile] = []
    problems: list[tuple[str, str]] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += _in_folder(p, problems)
        elif p.is_file():
            if p.suffix.lower() in SUFFIXES:
                found.append(input_file(p))
            else:
                problems.append((str(p), formats.unsupported(p.suffix)))
        else:
            problems.append((str(p), "no such file or folder"))
    files, real, ids = [], set(), {}
    for f in found:
        r = Path(f.path).resolve()
        if r in real:
            continue            # the same file reached twice (a folder and a file in it)
        real.add(r)
        if f.id in ids:
            keep = "rename one" if Path(f.path).parent == Path(ids[f.id]).parent else "name the folder that holds both"
            problems.append((f.path, f"same document id {f.id!r} as {ids[f.id]}; only the first is built "
                                     f"({keep} to keep both)"))
            continue
        ids[f.id] = f.path
        files.append(f)
    return files, problems


def duplicates(files: list[InputFile]) -> tuple[list[InputFile], list[tuple[str, str]]]:
    """``files`` less those whose bytes equal an earlier one's, and (path, note) for
    each left out. Only files of equal size are read here, so a corpus without
    duplicates costs one stat per file."""
    by_size: dict[int, list[int]] = {}
    for i, f in enumerate(files):
        try:
            by_size.setdefault(os.stat(f.path).st_size, []).append(i)
        except OSError:
            continue            # reported when the worker reads it
    drop, notes = set(), []
    for group in by_size.values():
        if len(group) < 2:
            continue
        first: dict[str, int] = {}
        for i in group:
            try:
                h = hashlib.sha256(Path(files[i].path).read_bytes()).hexdigest()
            except OSError:
                continue
            if h in first:
                drop.add(i)
                notes.append((files[i].path, f"the same bytes as {files[first[h]].path} (sha256 {h[:12]}…); "
                                             "built once, as that document"))
            else:
                first[h] = i
    return [f for i, f in enumerate(files) if i not in drop], sorted(notes)


def _plausible(ch: str) -> bool:
    o = ord(ch)
    return (0x20 <= o < 0x7F or ch in "\n\r\t" or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F
            or 0xFF00 <= o <= 0xFFEF or 0x2010 <= o <= 0x206F)


def _bom(data: bytes, bom: bytes, enc: str) -> tuple[str, str, int]:
    text = data.decode(enc, errors="replace")
    plain = enc.replace("-sig", "")
    if enc == "utf-16":
        plain = "utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be"
    return text, enc, text.count("\ufffd") - data.count("\ufffd".encode(plain))


def decode(data: bytes) -> tuple[str, str, int]:
    """Text, the name of the encoding it was decoded from, and how many bytes did
    not decode (read as U+FFFD): UTF-8 with a few bad bytes stays UTF-8 rather than
    being taken for another encoding and read as nonsense."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return _bom(data, bom, enc)
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
    found = _gb_or_big5(data)
    if found is not None:
        return found[0], found[1], 0
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise DecodeError("not text in any supported encoding (UTF-8, UTF-16, GB18030/GBK, Big5/Big5-HKSCS, "
                          "or one charset-normalizer detects)")
    return str(best), best.encoding, 0


def _strict(data: bytes, enc: str) -> str | None:
    try:
        return data.decode(enc)
    except UnicodeDecodeError:
        return None


def _gb_or_big5(data: bytes) -> tuple[str, str] | None:
    """The GB18030 or Big5 reading of ``data``, whichever decodes and reads as more
    plausible Chinese (GB18030 on a tie: most files are from the mainland)."""
    gb = _strict(data, "gb18030")
    big5 = next(((t, e) for e in BIG5 if (t := _strict(data, e)) is not None), None)
    if big5 is None:
        return None if gb is None else (gb, "gb18030")
    if gb is None or script.plausibility(big5[0]) > script.plausibility(gb):
        return big5
    return gb, "gb18030"


def doc_id(path: Path) -> str:
    """The id of a file named directly (see ``discover`` for files under a folder)."""
    return input_file(path).id


def read(src: InputFile | str | Path) -> RawDocument:
    """Read one file. Raises InputError/DecodeError naming the file."""
    f = src if isinstance(src, InputFile) else input_file(src)
    try:
        data = Path(f.path).read_bytes()
    except OSError as e:
        raise InputError(f"{f.path}: cannot read ({e.strerror or e})") from e
    return from_bytes(f, data)


def from_bytes(src: InputFile | str | Path, data: bytes) -> RawDocument:
    """A document from the bytes of a file (read elsewhere, e.g. by the process
    that hands work to a cluster). Raises InputError subclasses naming the file."""
    f = src if isinstance(src, InputFile) else input_file(src)
    p = Path(f.path)
    try:
        mt = formats.media_type(p, data)
        pages: tuple[int, ...] = ()
        replaced = 0
        if mt in formats.TEXT_TYPES:
            text, enc, replaced = decode(data)
            if mt == formats.HTML:
                text = formats.html_to_text(text)
        else:
            got = formats.read_binary(mt, data)
            text, enc, pages = got.text, "", got.pages
    except InputError as e:
        raise type(e)(f"{p}: {e}") from e
    if not text.strip():
        raise InputError(f"{p}: empty document")
    source = SourceFile(f.name, mt, len(data), hashlib.sha256(data).hexdigest(), pages)
    return RawDocument(id=f.id, path=f.path, raw=text, encoding=enc, replaced=replaced, source=source)
