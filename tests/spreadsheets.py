"""Reading back the spreadsheets the exporter base writes, with openpyxl (.xlsx) and odfdo
(.ods), and checking what every sheet of every export must have: the header frozen,
filtered, bold, wrapped and tall enough for its lines, widths within bounds, and a print
setup (A4, fitted to the page width, the header repeated, page numbers in the footer)."""

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import openpyxl
from odfdo import Document

from opora.core import ods
from opora.core.exporters import HEADER_LINE_HEIGHT, MAX_WIDTH, MIN_WIDTH, wrap_words

MONEY, PERCENT, COUNT, DATE, DATETIME, MONTH, TEXT_ID = (
    "#,##0.00", "0.0%", "#,##0", "DD.MM.YYYY", "DD.MM.YYYY HH:MM", "MM.YYYY", "@")


def content_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- xlsx --------------------------------------------------------------------------------


def header_row(sheet) -> int:
    """The header's row: the one repeated on every printed page."""
    found = re.fullmatch(r"\$(\d+):\$(\d+)", sheet.print_title_rows or "")
    assert found, f"no header rows repeated on print on «{sheet.title}»"
    return int(found.group(1))


def assert_xlsx_layout(sheet, filtered=True):
    row = header_row(sheet)
    assert re.fullmatch(rf"[A-Z]+{row + 1}", sheet.freeze_panes or ""), sheet.freeze_panes
    if filtered:
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith(f"A{row}:")
    setup = sheet.page_setup
    assert (int(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == (9, 1, 0)  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert setup.orientation in ("landscape", "portrait")
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    header = [cell for cell in sheet[row] if cell.value is not None]
    assert header and all(cell.font.bold and cell.alignment.wrap_text for cell in header)
    widths = {cell.column_letter: sheet.column_dimensions[cell.column_letter].width for cell in header}
    assert all(MIN_WIDTH <= width <= MAX_WIDTH + 1 for width in widths.values()), widths
    lines = max(len(wrap_words(str(cell.value), widths[cell.column_letter] - 1)) for cell in header)
    assert sheet.row_dimensions[row].height >= HEADER_LINE_HEIGHT * lines
    if sum(widths.values()) > 110:
        assert setup.orientation == "landscape"


def xlsx_book(content: bytes, filtered=True):
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        assert_xlsx_layout(sheet, filtered=filtered)
    return book


def xlsx_formats(sheet, data_row: int | None = None) -> dict[str, str]:
    """{header: the number format of its cell in ``data_row`` (the first data row)}."""
    row = header_row(sheet)
    data_row = data_row or row + 1
    return {str(cell.value): sheet.cell(row=data_row, column=cell.column).number_format
            for cell in sheet[row] if cell.value is not None}


# --- ods ---------------------------------------------------------------------------------

TABLE = ods.TABLE
OFFICE = ods.OFFICE


def ods_book(content: bytes, filtered=True) -> Document:
    """The document, every sheet checked: the header in ``table:table-header-rows`` with a
    row height set, frozen below it, an autofilter, a page style fitted to the width with
    page numbers in the footer."""
    document = Document(io.BytesIO(content))
    settings = document.get_part("settings.xml").serialize().decode()
    ranges = "".join(element.serialize() for element in document.body.get_elements("table:database-ranges"))
    for table in document.body.get_tables():
        element = ods._lxml(table)
        head = element.find(f"{TABLE}table-header-rows")
        assert head is not None, f"no header rows on «{table.name}»"
        row_style = document.get_style("table-row", head[0].get(f"{TABLE}style-name"))
        assert 'style:use-optimal-row-height="false"' in row_style.serialize()
        assert "fo:wrap-option=\"wrap\"" in document.get_style(
            "table-cell", head[0][0].get(f"{TABLE}style-name")).serialize()
        children = list(element)
        rows_above = sum(1 for child in children[:children.index(head)] if child.tag == f"{TABLE}table-row")
        assert re.search(rf'config:name="{re.escape(table.name)}">.*?"VerticalSplitPosition" '
                         rf'config:type="int">{rows_above + 1}<', settings, re.S), table.name
        if filtered:
            assert f"'{table.name}'.A{rows_above + 1}:" in ranges and 'display-filter-buttons="true"' in ranges
        table_style = document.get_style("table", table.get_attribute("table:style-name"))
        master = document.get_style("master-page", table_style.get_attribute("style:master-page-name"))
        assert "<text:page-number>" in master.serialize() and "<text:page-count>" in master.serialize()
        layout = document.get_style("page-layout", master.get_attribute("style:page-layout-name")).serialize()
        assert 'style:scale-to-X="1"' in layout and 'style:print-orientation=' in layout
    return document


def ods_cells(document, title: str) -> list[list[dict]]:
    """The rows of a sheet as cells {value, type, format}: the value as the importers read
    it, the ODF value type and the data style's name ("N_money", …)."""
    table = ods.sheets_of(document)[title]
    rows = []
    for row in ods._row_elements(ods._lxml(table)):
        cells = []
        for cell in row:
            if cell.tag != f"{TABLE}table-cell":
                continue
            style = cell.get(f"{TABLE}style-name")
            data_style = document.get_style("table-cell", style).get_attribute("style:data-style-name") if style \
                else None
            cells.append({"value": ods._cell_value(cell), "type": cell.get(f"{OFFICE}value-type"),
                          "format": data_style})
        rows.append(cells)
    return rows


def ods_formats(document, title: str, header_index: int, data_index: int | None = None) -> dict[str, tuple]:
    """{header: (value type, data style)} of the first data row below the header."""
    rows = ods_cells(document, title)
    header, data = rows[header_index], rows[data_index or header_index + 1]
    return {cell["value"]: (data[n]["type"], data[n]["format"]) for n, cell in enumerate(header)
            if n < len(data) and cell["value"]}


# --- pdf (LibreOffice, when installed) ----------------------------------------------------


def soffice():
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_pages(content: bytes, suffix: str) -> int:
    """The pages of the file printed to PDF by LibreOffice (headless)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, f"export.{suffix}")
        source.write_bytes(content)
        subprocess.run([soffice(), "--headless", "--convert-to", "pdf", "--outdir", folder, str(source)],
                       check=True, capture_output=True, timeout=120)
        pdf = Path(folder, "export.pdf").read_bytes()
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def is_zip(content: bytes) -> bool:
    return zipfile.is_zipfile(io.BytesIO(content))
