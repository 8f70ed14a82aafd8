"""Real input files made in a test: PDFs (reportlab, its built-in CID font
STSong-Light), DOCX (python-docx), and one made-up county report in simplified
characters with its traditional twin, written out by hand (not by OpenCC, so the
conversion is checked against text it did not make)."""
from __future__ import annotations

from pathlib import Path

# A made-up report: a county returned-overseas-Chinese federation (侨联) and its
# programs, each line one sentence that gives a relation or statistic.
REPORT = [
    "青禾县归国华侨联合会2023年工作总结",
    "2023年，青禾县侨联开展“侨心暖万家”活动，走访慰问归侨侨眷320户，发放慰问金12.5万元。",
    "县侨联联合县工商联举办“侨商讲堂”培训班3期，参训人员达到260人次。",
    "青禾县侨联在东坡镇建立“侨胞之家”，为侨胞提供法律咨询服务。",
]
REPORT_HANT = [
    "青禾縣歸國華僑聯合會2023年工作總結",
    "2023年，青禾縣僑聯開展「僑心暖萬家」活動，走訪慰問歸僑僑眷320戶，發放慰問金12.5萬元。",
    "縣僑聯聯合縣工商聯舉辦「僑商講堂」培訓班3期，參訓人員達到260人次。",
    "青禾縣僑聯在東坡鎮建立「僑胞之家」，為僑胞提供法律諮詢服務。",
]
# The same report in a second county, for files that share a name but not a text.
OTHER = [line.replace("青禾县", "石门县") for line in REPORT]


def text_file(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def pdf(path: Path, pages: list[list[str]], password: str | None = None) -> Path:
    """A PDF with a text layer: each page's lines drawn in STSong-Light."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), encrypt=password)
    for lines in pages:
        c.setFont("STSong-Light", 10)
        for i, line in enumerate(lines):
            c.drawString(40, 800 - 16 * i, line)
        c.showPage()
    c.save()
    return path


def scanned_pdf(path: Path, pages: int = 2) -> Path:
    """A PDF as a scanner makes it: marks on the page, no text layer."""
    from reportlab.pdfgen import canvas
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path))
    for i in range(pages):
        c.rect(60, 200 + 10 * i, 400, 300, fill=1)
        c.showPage()
    c.save()
    return path


def docx(path: Path, blocks: list) -> Path:
    """A DOCX of paragraphs (str) and tables (lists of rows, each a list of cell texts)."""
    import docx as python_docx
    d = python_docx.Document()
    for b in blocks:
        if isinstance(b, str):
            d.add_paragraph(b)
        else:
            t = d.add_table(rows=len(b), cols=len(b[0]))
            for row, cells in zip(t.rows, b):
                for cell, text in zip(row.cells, cells):
                    cell.text = text
    path.parent.mkdir(parents=True, exist_ok=True)
    d.save(str(path))
    return path
