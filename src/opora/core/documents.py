"""Word documents (.docx) for reports people print, sign and attach to letters: one small
writer over python-docx, so every report that offers a document builds it the same way —
a title, headings, paragraphs and tables with a header row — in A4 with the margins of
Russian office paperwork (ГОСТ Р 7.0.97: 20 mm left, 10 mm right, 20 mm top and bottom).
"""

import io
import tempfile
from collections.abc import Iterable
from decimal import Decimal

from django.http import FileResponse
from docx import Document as _Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from opora.core.exporters import Sheet, attachment_header, display_text, plain

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class Document:
    """A report as a Word document: ``title``, then ``heading``/``paragraph``/``table``
    calls in the reading order, then ``response``."""

    def __init__(self, title: str, *, landscape: bool = False):
        self.doc = _Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = section.page_height, section.page_width
        section.left_margin, section.right_margin = Mm(20), Mm(10)
        section.top_margin = section.bottom_margin = Mm(20)
        style = self.doc.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(12)
        self.doc.core_properties.title = title
        self.doc.add_heading(title, level=0)

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(str(text), level=level)

    def paragraph(self, text: str, *, muted: bool = False) -> None:
        run = self.doc.add_paragraph().add_run(str(text))
        if muted:
            run.italic = True

    def stamps(self, *blocks: list[str]) -> None:
        """Approval stamps side by side at the top right («СОГЛАСОВАНО», «УТВЕРЖДАЮ»):
        each block is its lines, the first in bold; a table without borders."""
        table = self.doc.add_table(rows=1, cols=len(blocks))
        for cell, lines in zip(table.rows[0].cells, blocks, strict=True):
            paragraph = cell.paragraphs[0]
            for index, line in enumerate(lines):
                run = paragraph.add_run(str(line))
                run.bold = index == 0
                if index < len(lines) - 1:
                    run.add_break()

    def table(self, header: Iterable, rows: Iterable[Iterable], *, caption: str = "") -> None:
        """A table with a header row repeated on every page; values as the exports
        write them (numbers, dates dd.mm.yyyy, «—» for nothing)."""
        if caption:
            self.doc.add_paragraph().add_run(str(caption)).bold = True
        header = [str(cell) for cell in header]
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
        _repeat_header(table.rows[0])
        for values in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, values, strict=True):
                cell.text = _text(value)

    def sheet(self, sheet: Sheet) -> None:
        """A table of the exporter base (``core.exporters.Sheet``), its cells written as a
        Russian spreadsheet shows them, its title as the caption."""
        def cells(row):
            for index, value in enumerate(row):
                kind, value = sheet.typed(index, value)
                yield display_text(value, kind) or "—"

        self.table([str(column.label) for column in sheet.columns], (list(cells(row)) for row in sheet.rows),
                   caption=sheet.title)

    def content(self) -> bytes:
        """The document's file, to store it (the portal attaches a plan's)."""
        stream = io.BytesIO()
        self.doc.save(stream)
        return stream.getvalue()

    def response(self, filename: str, fallback: str) -> FileResponse:
        stream = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        self.doc.save(stream)
        stream.seek(0)
        response = FileResponse(stream, content_type=DOCX_CONTENT_TYPE)
        response["Content-Disposition"] = attachment_header(filename, fallback)
        return response


def _text(value) -> str:
    value = plain(value)
    if value == "" or value is None:
        return "—"
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return str(value).replace(".", ",") if isinstance(value, float | Decimal) else str(value)


def _repeat_header(row) -> None:
    """Mark a table row as the header repeated at the top of every page (w:tblHeader)."""
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)
