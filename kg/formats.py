"""Stage 1, formats: the text of each kind of file kg reads.

Plain text and Markdown are decoded as they are (kg.ingest detects the encoding);
HTML is reduced to its text with block elements kept as line breaks; a PDF's text
layer is read with pypdfium2, page by page, with the offset where each page starts
kept so provenance can name the page; a DOCX is read with python-docx, its
paragraphs and tables in document order (a table row is one line, its cells
separated by " | "; a one-cell row, a frame around text, is read as the text
it holds); a legacy Word .doc goes through antiword or catdoc when one is on PATH.

Each failure is a typed InputError whose message says what the file is and what
to do with it: a scan needs OCR, a WPS or OFD file needs saving as DOCX or PDF,
a password-protected file needs its password removed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from kg.errors import (ConverterMissingError, CorruptDocumentError, EncryptedDocumentError, InputError,
                       NoTextLayerError, UnsupportedFormatError)

PLAIN, MARKDOWN, HTML = "text/plain", "text/markdown", "text/html"
PDF, DOC = "application/pdf", "application/msword"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MEDIA_TYPES = {".txt": PLAIN, ".md": MARKDOWN, ".html": HTML, ".htm": HTML, ".pdf": PDF, ".docx": DOCX, ".doc": DOC}
SUFFIXES = tuple(MEDIA_TYPES)
TEXT_TYPES = (PLAIN, MARKDOWN, HTML)    # decoded by kg.ingest
CONVERTERS = (("antiword", ("-m", "UTF-8.txt", "-w", "0")), ("catdoc", ("-d", "utf-8", "-w")))
CONVERT_TIMEOUT = 120.0     # seconds antiword or catdoc may take over one file
CELL_SEPARATOR = " | "
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"     # the compound-file header of .doc, .wps and encrypted Office files

_IMAGE = "an image: kg reads text; run OCR on it first (e.g. tesseract FILE out -l chi_sim) and build the text"
_SHEET = "a spreadsheet: kg reads reports, not tables; save the sheet as PDF if its text is wanted"
_SLIDES = "a presentation: save it as PDF and build that"
_ARCHIVE = "an archive: unpack it and build the folder"
HINTS = {
    ".wps": "a WPS Office document, which kg cannot read: save it as DOCX or PDF in WPS Office, "
            "or convert it with LibreOffice (soffice --headless --convert-to docx FILE)",
    ".ofd": "an OFD document (GB/T 33190), which kg cannot read: export it to PDF with an OFD reader",
    ".rtf": "an RTF document, which kg cannot read: save it as DOCX",
    ".odt": "an OpenDocument text, which kg cannot read: save it as DOCX",
    **dict.fromkeys((".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp"), _IMAGE),
    **dict.fromkeys((".xls", ".xlsx", ".et", ".ods", ".csv"), _SHEET),
    **dict.fromkeys((".ppt", ".pptx", ".dps", ".odp"), _SLIDES),
    **dict.fromkeys((".zip", ".rar", ".7z", ".tar", ".gz"), _ARCHIVE),
}


def unsupported(suffix: str) -> str:
    """Why a file with this suffix is not read, and what to do about it."""
    return HINTS.get(suffix.lower()) or \
        f"unsupported file type {suffix or '(none)'}; kg reads {' '.join(SUFFIXES)}"


def media_type(path: Path, data: bytes) -> str:
    """The format of a file with a readable suffix, from its suffix and, for the
    suffixes that often lie (.doc: Word saves web pages and DOCX under it), its bytes."""
    mt = MEDIA_TYPES.get(path.suffix.lower())
    if mt is None:
        raise UnsupportedFormatError(unsupported(path.suffix))
    if mt == DOC:
        if data.startswith(b"PK\x03\x04"):
            return DOCX
        if data.startswith(b"{\\rtf"):
            raise UnsupportedFormatError(HINTS[".rtf"] + " (it is named .doc)")
        if not data.startswith(_OLE) and data.lstrip()[:1] == b"<":
            return HTML     # a web page saved as .doc
    return mt


@dataclass(frozen=True, slots=True)
class FileText:
    """The text a binary format holds, with where each page starts (paged formats)."""
    text: str
    pages: tuple[int, ...] = ()


def read_binary(mt: str, data: bytes) -> FileText:
    """The text of a PDF, DOCX or .doc file's bytes."""
    return {PDF: pdf_text, DOCX: docx_text, DOC: doc_text}[mt](data)


# ---------------------------------------------------------------- PDF

def pdf_text(data: bytes) -> FileText:
    """The text layer, pages joined by line breaks, and each page's start offset."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedDocumentError("a password-protected PDF: remove the password "
                                         "(e.g. qpdf --decrypt --password=… in.pdf out.pdf) and build the copy") from e
        raise CorruptDocumentError(f"not a readable PDF ({e})") from e
    try:
        texts = []
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n"))
            textpage.close()
            page.close()
    finally:
        pdf.close()
    if not any(t.strip() for t in texts):
        n = len(texts)
        raise NoTextLayerError(f"a PDF with no text layer ({n} page{'s' if n != 1 else ''}, a scan?): run OCR "
                               "first (e.g. ocrmypdf -l chi_sim in.pdf out.pdf) and build the result")
    starts, pos = [], 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + 1
    return FileText("\n".join(texts), tuple(starts))


# ---------------------------------------------------------------- DOCX

def docx_text(data: bytes) -> FileText:
    # the readers import what they need when a file needs it: a worker that only
    # reads plain text never pays for python-docx, zip, subprocess or pdfium
    import io
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError
    if data.startswith(_OLE):
        raise EncryptedDocumentError("a password-protected DOCX (or an old .doc named .docx): remove the "
                                     "password, or save it as DOCX again, and build the copy")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError) as e:
        raise CorruptDocumentError(f"not a readable DOCX ({type(e).__name__}: {e})") from e
    lines: list[str] = []
    _blocks(document, lines)
    return FileText("\n".join(lines))


def _blocks(container, lines: list[str]) -> None:
    """Paragraphs and tables of ``container`` (the body or a cell) in document order."""
    from docx.table import Table
    for block in container.iter_inner_content():
        if not isinstance(block, Table):
            lines.append(block.text)
            continue
        shown: list = []     # cells already read (kept, so their XML proxies stay the same objects)
        for row in block.rows:
            cells = []
            for cell in row.cells:       # a merged cell comes once per grid column it spans
                if not any(cell._tc is c._tc for c in shown):
                    shown.append(cell)
                    cells.append(cell)
            if len(cells) == 1:
                _blocks(cells[0], lines)
            elif cells:
                lines.append(CELL_SEPARATOR.join(_cell_text(c) for c in cells))


def _cell_text(cell) -> str:
    inner: list[str] = []
    _blocks(cell, inner)
    return " ".join(t.strip() for t in inner if t.strip())


# ---------------------------------------------------------------- legacy .doc

def doc_text(data: bytes) -> FileText:
    """A Word 97–2003 document's text through antiword or catdoc (whichever is on PATH)."""
    import shutil
    for name, args in CONVERTERS:
        exe = shutil.which(name)
        if exe:
            return FileText(_convert(exe, args, data))
    raise ConverterMissingError("a legacy Word .doc: install antiword or catdoc (apt-get install antiword) "
                                "so kg can read it, or save it as DOCX")


def _convert(exe: str, args: tuple[str, ...], data: bytes) -> str:
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory(prefix="kg-doc-") as tmp:
        f = Path(tmp) / "in.doc"
        f.write_bytes(data)
        try:
            r = subprocess.run([exe, *args, str(f)], capture_output=True, timeout=CONVERT_TIMEOUT)
        except subprocess.TimeoutExpired as e:
            raise InputError(f"{Path(exe).name} took longer than {CONVERT_TIMEOUT:g} s; save it as DOCX") from e
        except OSError as e:
            raise ConverterMissingError(f"cannot run {exe} ({e.strerror or e})") from e
    if r.returncode != 0:
        why = (r.stderr.decode("utf-8", "replace").strip().splitlines() or [f"exit status {r.returncode}"])[-1]
        raise CorruptDocumentError(f"{Path(exe).name} cannot read it ({why.replace(str(f), 'the file')}); "
                                   "save it as DOCX")
    return r.stdout.decode("utf-8", "replace")


# ---------------------------------------------------------------- HTML

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
