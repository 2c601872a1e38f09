"""OpenDocument spreadsheets (.ods, ГОСТ Р ИСО/МЭК 26300): the writer of the exporter
base and the reader of the importers.

Writing: the same ``Sheet`` as the .xlsx, with the same formatting — typed cells
(money, percentages, dates, months, identifiers as text) with ODF data styles, a bold
wrapped header row tall enough for its lines in ``table:table-header-rows`` (so it is
repeated on every printed page), widths fitted to the content, the header frozen
(``settings.xml``), an autofilter (a sheet database range with filter buttons), and a
page style per sheet: A4, landscape when wide, scaled to the page width, «Страница N
из M» in the footer. The XML is streamed row by row into the zip, so a register of
fifty thousand rows costs no more memory than one of ten; a library that builds the
whole document tree first (odfdo does) would hold every cell.

Reading: odfdo (see docs/decisions.md) parses the file; the rows are walked on its
XML tree with the repetitions LibreOffice writes (a million empty rows stated as
one) bounded, not expanded. Values come out as openpyxl gives them for the same
data (numbers, dates as datetimes, times, text), so one importer reads both.
"""

import datetime as dt
import io
import itertools
import re
import zipfile
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _gettext

from opora.core.exporters import (
    MAX_WIDTH,
    MIN_WIDTH,
    Kind,
    Sheet,
    cell_value,
    clean_text,
    display_text,
    heading_text,
    page_footer,
    sheet_name,
)

MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
CM_PER_CHARACTER = 0.21
LINE_HEIGHT_CM = 0.53
MAX_HEADER_LINES = 8

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
    "config": "urn:oasis:names:tc:opendocument:xmlns:config:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "of": "urn:oasis:names:tc:opendocument:xmlns:of:1.2",
}
NAMESPACES = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NS.items())

# ODF data styles, by kind (the number formats of ``exporters.NUMBER_FORMATS``).
_DAY_MONTH_YEAR = ('<number:day number:style="long"/><number:text>.</number:text>'
                   '<number:month number:style="long"/><number:text>.</number:text>'
                   '<number:year number:style="long"/>')
_HOURS_MINUTES = ('<number:hours number:style="long"/><number:text>:</number:text>'
                  '<number:minutes number:style="long"/>')
DATA_STYLES = {
    Kind.MONEY: '<number:number-style style:name="N_money"><number:number number:decimal-places="2" '
                'number:min-decimal-places="2" number:min-integer-digits="1" number:grouping="true"/>'
                '</number:number-style>',
    Kind.PERCENT: '<number:percentage-style style:name="N_percent"><number:number number:decimal-places="1" '
                  'number:min-decimal-places="1" number:min-integer-digits="1"/><number:text>%</number:text>'
                  '</number:percentage-style>',
    Kind.COUNT: '<number:number-style style:name="N_count"><number:number number:decimal-places="0" '
                'number:min-decimal-places="0" number:min-integer-digits="1" number:grouping="true"/>'
                '</number:number-style>',
    Kind.DATE: f'<number:date-style style:name="N_date">{_DAY_MONTH_YEAR}</number:date-style>',
    Kind.DATETIME: f'<number:date-style style:name="N_datetime">{_DAY_MONTH_YEAR}<number:text> </number:text>'
                   f'{_HOURS_MINUTES}</number:date-style>',
    Kind.MONTH: '<number:date-style style:name="N_month"><number:month number:style="long"/>'
                '<number:text>.</number:text><number:year number:style="long"/></number:date-style>',
    Kind.TIME: f'<number:time-style style:name="N_time">{_HOURS_MINUTES}</number:time-style>',
    Kind.ID: '<number:text-style style:name="N_id"><number:text-content/></number:text-style>',
}
TOP = '<style:table-cell-properties style:vertical-align="top"/>'
WRAP = '<style:table-cell-properties style:vertical-align="top" fo:wrap-option="wrap"/>'
BOLD = '<style:text-properties fo:font-weight="bold"/>'


def _cell_styles():
    styles = [
        '<style:style style:name="ce_header" style:family="table-cell" style:parent-style-name="Default">'
        '<style:table-cell-properties fo:wrap-option="wrap" style:vertical-align="middle" '
        'fo:background-color="#ddebf7" fo:border="0.06pt solid #999999"/>'
        '<style:paragraph-properties fo:text-align="center"/>' + BOLD + "</style:style>",
        '<style:style style:name="ce_header_required" style:family="table-cell" style:parent-style-name="Default">'
        '<style:table-cell-properties fo:wrap-option="wrap" style:vertical-align="middle" '
        'fo:background-color="#fce4d6" fo:border="0.06pt solid #999999"/>'
        '<style:paragraph-properties fo:text-align="center"/>' + BOLD + "</style:style>",
        '<style:style style:name="ce_caption" style:family="table-cell" style:parent-style-name="Default">'
        '<style:text-properties fo:font-weight="bold" fo:font-size="13pt"/></style:style>',
        f'<style:style style:name="ce_text" style:family="table-cell" style:parent-style-name="Default">{TOP}'
        "</style:style>",
        f'<style:style style:name="ce_wrap" style:family="table-cell" style:parent-style-name="Default">{WRAP}'
        "</style:style>",
        f'<style:style style:name="ce_text_bold" style:family="table-cell" style:parent-style-name="Default">'
        f"{TOP}{BOLD}</style:style>",
        f'<style:style style:name="ce_number" style:family="table-cell" style:parent-style-name="Default">{TOP}'
        "</style:style>",
        f'<style:style style:name="ce_label" style:family="table-cell" style:parent-style-name="Default">{TOP}'
        f'<style:paragraph-properties fo:text-align="end"/>{BOLD}</style:style>',
    ]
    for kind in DATA_STYLES:
        for suffix, text in (("", ""), ("_bold", BOLD)):
            styles.append(f'<style:style style:name="ce_{kind}{suffix}" style:family="table-cell" '
                          f'style:parent-style-name="Default" style:data-style-name="N_{kind}">{TOP}{text}'
                          "</style:style>")
    return "".join(styles)


def _column_styles():
    return "".join(
        f'<style:style style:name="co{width}" style:family="table-column"><style:table-column-properties '
        f'fo:break-before="auto" style:column-width="{(width + 1) * CM_PER_CHARACTER:.3f}cm"/></style:style>'
        for width in range(MIN_WIDTH, MAX_WIDTH + 1))


def _row_styles():
    return "".join(
        f'<style:style style:name="ro_head{lines}" style:family="table-row"><style:table-row-properties '
        f'style:row-height="{lines * LINE_HEIGHT_CM + 0.15:.2f}cm" style:use-optimal-row-height="false" '
        'fo:break-before="auto"/></style:style>'
        for lines in range(1, MAX_HEADER_LINES + 1))


TABLE_STYLES = "".join(
    f'<style:style style:name="ta_{name}" style:family="table" style:master-page-name="{master}">'
    '<style:table-properties table:display="true" style:writing-mode="lr-tb"/></style:style>'
    for name, master in (("landscape", "Landscape"), ("portrait", "Portrait")))


def _styles_xml() -> str:
    footer = escape(page_footer()).replace("%(page)s", '<text:page-number>1</text:page-number>').replace(
        "%(pages)s", '<text:page-count>1</text:page-count>')
    layouts, masters = [], []
    for name, width, height in (("Landscape", "29.7cm", "21cm"), ("Portrait", "21cm", "29.7cm")):
        layouts.append(
            f'<style:page-layout style:name="pm_{name}"><style:page-layout-properties fo:page-width="{width}" '
            f'fo:page-height="{height}" style:print-orientation="{name.lower()}" fo:margin-top="1cm" '
            'fo:margin-bottom="0.8cm" fo:margin-left="1cm" fo:margin-right="1cm" style:scale-to-X="1" '
            'style:print-page-order="ttb" style:first-page-number="continue"/>'
            '<style:footer-style><style:header-footer-properties fo:min-height="0.5cm" fo:margin-top="0.2cm"/>'
            "</style:footer-style></style:page-layout>")
        masters.append(
            f'<style:master-page style:name="{name}" style:page-layout-name="pm_{name}">'
            '<style:header style:display="false"/><style:footer><text:p>'
            f"{footer}</text:p></style:footer></style:master-page>")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {NAMESPACES} office:version="1.3">'
        '<office:styles><style:default-style style:family="table-cell"><style:text-properties '
        'fo:font-size="10pt"/></style:default-style><style:style style:name="Default" '
        'style:family="table-cell"/></office:styles>'
        f'<office:automatic-styles>{"".join(layouts)}</office:automatic-styles>'
        f'<office:master-styles>{"".join(masters)}</office:master-styles></office:document-styles>')


def _manifest() -> str:
    entries = "".join(f'<manifest:file-entry manifest:full-path="{path}" manifest:media-type="text/xml"/>'
                      for path in ("content.xml", "styles.xml", "settings.xml", "meta.xml"))
    return ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
            f'<manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="{MIMETYPE}"/>'
            f"{entries}</manifest:manifest>")


def _meta() -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {NAMESPACES} office:version="1.3">'
            "<office:meta><meta:generator>Opora</meta:generator></office:meta></office:document-meta>")


def _settings(frozen: list[tuple[str, int, int]]) -> str:
    def item(name, kind, value):
        return f'<config:config-item config:name="{name}" config:type="{kind}">{value}</config:config-item>'

    tables = "".join(
        f"<config:config-item-map-entry config:name={quoteattr(title)}>"
        + item("HorizontalSplitMode", "short", 2 if columns else 0) + item("VerticalSplitMode", "short", 2)
        + item("HorizontalSplitPosition", "int", columns) + item("VerticalSplitPosition", "int", rows)
        + item("ActiveSplitRange", "short", 3 if columns else 2) + item("PositionLeft", "int", 0)
        + item("PositionRight", "int", columns) + item("PositionTop", "int", 0)
        + item("PositionBottom", "int", rows) + "</config:config-item-map-entry>"
        for title, rows, columns in frozen)
    active = escape(frozen[0][0]) if frozen else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><office:document-settings {NAMESPACES} office:version="1.3">'
            '<office:settings><config:config-item-set config:name="ooo:view-settings">'
            '<config:config-item-map-indexed config:name="Views"><config:config-item-map-entry>'
            + item("ViewId", "string", "view1")
            + f'<config:config-item-map-named config:name="Tables">{tables}</config:config-item-map-named>'
            + item("ActiveTable", "string", active)
            + "</config:config-item-map-entry></config:config-item-map-indexed></config:config-item-set>"
            "</office:settings></office:document-settings>")


def column_letters(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _paragraphs(text: str) -> str:
    return "".join(f"<text:p>{escape(line)}</text:p>" for line in clean_text(text).split("\n"))


def _text_cell(text: str, style: str) -> str:
    return (f'<table:table-cell table:style-name="{style}" office:value-type="string">{_paragraphs(text)}'
            "</table:table-cell>")


EMPTY_CELL = "<table:table-cell/>"


def _cell(sheet: Sheet, index: int, value, bold: bool = False) -> str:
    kind, value = sheet.typed(index, value)
    stored = cell_value(value, kind)
    if stored is None:
        return EMPTY_CELL
    suffix = "_bold" if bold else ""
    if isinstance(stored, str):
        if kind == Kind.ID:
            return _text_cell(stored, f"ce_id{suffix}")
        width = sheet.widths[index] if index < len(sheet.widths) else MAX_WIDTH
        style = "ce_text_bold" if bold else ("ce_wrap" if "\n" in stored or len(stored) > width else "ce_text")
        return _text_cell(stored, style)
    shown = escape(display_text(value, kind))
    style = f"ce_{kind}{suffix}" if kind in DATA_STYLES else ("ce_text_bold" if bold else "ce_number")
    if isinstance(stored, dt.datetime):
        attrs = f'office:value-type="date" office:date-value="{stored.replace(microsecond=0).isoformat()}"'
    elif isinstance(stored, dt.date):
        attrs = f'office:value-type="date" office:date-value="{stored.isoformat()}"'
    elif isinstance(stored, dt.time):
        duration = f"PT{stored.hour:02d}H{stored.minute:02d}M{stored.second:02d}S"
        attrs = f'office:value-type="time" office:time-value="{duration}"'
    elif isinstance(stored, int | float | Decimal):
        value_type = "percentage" if kind == Kind.PERCENT else "float"
        number = format(Decimal(stored).normalize(), "f") if isinstance(stored, Decimal) else repr(stored)
        attrs = f'office:value-type="{value_type}" office:value="{number}"'
    else:
        return _text_cell(str(stored), style)
    return f'<table:table-cell table:style-name="{style}" {attrs}><text:p>{shown}</text:p></table:table-cell>'


def _row(cells: list[str], style: str = "") -> str:
    while cells and cells[-1] == EMPTY_CELL:
        cells.pop()
    styled = f' table:style-name="{style}"' if style else ""
    return f"<table:table-row{styled}>{''.join(cells) or EMPTY_CELL}</table:table-row>"


def _quoted_sheet(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _validated(cell: str, name: str | None) -> str:
    if not name:
        return cell
    return cell.replace("<table:table-cell", f'<table:table-cell table:content-validation-name="{name}"', 1)


def _header_cell(sheet: Sheet, index: int, label: str) -> str:
    style = "ce_header_required" if index in sheet.required else "ce_header"
    note = sheet.notes.get(index)
    annotation = (f"<office:annotation><dc:creator>Опора</dc:creator>{_paragraphs(note)}</office:annotation>"
                  if note else "")
    return (f'<table:table-cell table:style-name="{style}" office:value-type="string">{annotation}'
            f"{_paragraphs(label)}</table:table-cell>")


def _validations(prepared: list[tuple[Sheet, str]]) -> tuple[str, dict]:
    """The drop-down lists of every sheet as content validations, and their names by
    (sheet title, column index)."""
    names, parts = {}, []
    for number, (sheet, title) in enumerate(prepared):
        for index, choices in sheet.choices.items():
            name = f"val{number}_{index}"
            names[(title, index)] = name
            letter = column_letters(choices.column)
            source = f"[$'{choices.sheet}'.${letter}$2:.${letter}${choices.last_row}]"
            error = (f'<table:error-message table:title={quoteattr(_gettext("Недопустимое значение"))} '
                     f'table:display="{"true" if choices.strict else "false"}" table:message-type="stop">'
                     f'{_paragraphs(_gettext("Выберите значение из списка."))}</table:error-message>')
            parts.append(
                f'<table:content-validation table:name="{name}" '
                f'table:condition={quoteattr(f"of:cell-content-is-in-list({source})")} '
                f'table:allow-empty-cell="true" table:display-list="unsorted" '
                f'table:base-cell-address={quoteattr(f"{_quoted_sheet(title)}.{letter}{sheet.header_row + 1}")}>'
                f"{error}</table:content-validation>")
    return (f"<table:content-validations>{''.join(parts)}</table:content-validations>" if parts else ""), names


def _write_table(out, sheet: Sheet, title: str, validations: dict) -> tuple[str, int]:
    """One table; returns the autofilter range and the rows above the data."""
    rows = sheet.rows  # prepared by write_ods
    checked = {index: validations.get((title, index)) for index in sheet.choices}
    widths = [int(min(max(round(width), MIN_WIDTH), MAX_WIDTH)) for width in sheet.widths]
    style = "ta_landscape" if sheet.landscape else "ta_portrait"
    out.write(f'<table:table table:name={quoteattr(title)} table:style-name="{style}">'.encode())
    out.write("".join(f'<table:table-column table:style-name="co{width}"/>' for width in widths).encode())
    if sheet.caption:
        out.write(_row([_text_cell(sheet.caption, "ce_caption")]).encode())
    for label, value in sheet.heading:
        out.write(_row([_text_cell(f"{label}: {heading_text(value)}", "ce_text")]).encode())
    header_row = sheet.header_row
    lines = min(sheet.header_lines(), MAX_HEADER_LINES)
    header = _row([_header_cell(sheet, index, str(column.label)) for index, column in enumerate(sheet.columns)],
                  f"ro_head{lines}")
    out.write(f"<table:table-header-rows>{header}</table:table-header-rows>".encode())
    last = header_row
    for values in rows:
        cells = [_cell(sheet, index, value) for index, value in enumerate(values)]
        if checked:
            cells += [EMPTY_CELL] * (len(sheet.columns) - len(cells))
            cells = [_validated(cell, checked.get(index)) for index, cell in enumerate(cells)]
        out.write(_row(cells).encode())
        last += 1
    columns = max(len(sheet.columns), 1)
    blank = sheet.input_rows - (last - header_row)
    if checked and blank > 0:
        cells = [_validated(EMPTY_CELL, checked.get(index)) for index in range(columns)]
        out.write(_row(cells).replace("<table:table-row", f'<table:table-row table:number-rows-repeated="{blank}"',
                                      1).encode())
    if sheet.totals:
        out.write(_row([]).encode())
        for label, values in sheet.totals:
            first = min(values) if values else columns
            cells = [EMPTY_CELL] * columns
            cells[max(first - 1, 0)] = _text_cell(str(label), "ce_label")
            for index, value in values.items():
                cells[index] = _cell(sheet, index, value, bold=True)
            out.write(_row(cells).encode())
    out.write(b"</table:table>")
    quoted = _quoted_sheet(title)
    return f"{quoted}.A{header_row}:{quoted}.{column_letters(columns)}{last}" if sheet.filter else "", header_row


def write_ods(sheets, stream) -> None:
    """Every sheet into one .ods, streamed row by row into the zip."""
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # The mimetype first and stored, as ODF requires.
        archive.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, compress_type=zipfile.ZIP_STORED)
        ranges, frozen, used = [], [], set()
        with archive.open("content.xml", "w", force_zip64=True) as out:
            out.write(f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NAMESPACES} '
                      'office:version="1.3"><office:automatic-styles>'.encode())
            out.write(("".join(DATA_STYLES.values()) + _cell_styles() + _column_styles() + _row_styles()
                       + TABLE_STYLES).encode())
            out.write(b"</office:automatic-styles><office:body><office:spreadsheet>")
            prepared = []
            for sheet in sheets:
                sheet.rows = sheet.prepare()  # the widths, before any table is written
                prepared.append((sheet, _unique(sheet_name(sheet.title), used)))
            content_validations, names = _validations(prepared)
            out.write(content_validations.encode())
            for number, (sheet, title) in enumerate(prepared):
                target, header_row = _write_table(out, sheet, title, names)
                if target:
                    ranges.append((number, target))
                frozen.append((title, header_row, sheet.frozen_columns))
            if not frozen:
                out.write(b'<table:table table:name="1"><table:table-row><table:table-cell/></table:table-row>'
                          b"</table:table>")
            if ranges:
                out.write(b"<table:database-ranges>")
                for number, target in ranges:
                    # LibreOffice's name for the one unnamed range (the autofilter) of sheet ``number``.
                    out.write(f'<table:database-range table:name="__Anonymous_Sheet_DB__{number}" '
                              f'table:target-range-address={quoteattr(target)} '
                              'table:display-filter-buttons="true"/>'.encode())
                out.write(b"</table:database-ranges>")
            out.write(b"</office:spreadsheet></office:body></office:document-content>")
        archive.writestr("styles.xml", _styles_xml())
        archive.writestr("settings.xml", _settings(frozen))
        archive.writestr("meta.xml", _meta())
        archive.writestr("META-INF/manifest.xml", _manifest())


def _unique(title: str, used: set) -> str:
    base, n = title, 1
    while title.lower() in used:
        n += 1
        title = f"{base[:27]} ({n})"
    used.add(title.lower())
    return title


# --- reading --------------------------------------------------------------------------

OFFICE = "{" + NS["office"] + "}"
TABLE = "{" + NS["table"] + "}"
TEXT = "{" + NS["text"] + "}"
DURATION = re.compile(r"^-?P(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


def is_ods(head: bytes) -> bool:
    """Whether the first bytes of a file are those of an ODF spreadsheet (a zip whose
    first entry is the stored ``mimetype``)."""
    return head.startswith(b"PK\x03\x04") and head[30:38] == b"mimetype" and MIMETYPE.encode() in head[:100]


def open_document(file):
    """The document odfdo reads from an uploaded file."""
    from odfdo import Document

    file.seek(0)
    if not isinstance(file, io.BytesIO):  # odfdo takes a path or a BytesIO, not an uploaded file
        file = io.BytesIO(file.read())
    return Document(file)


def sheets_of(document) -> dict[str, object]:
    """{title: the table's XML element} of every sheet of a spreadsheet."""
    body = document.body
    return {table.name: table for table in body.get_tables()}


def iter_rows(table, max_row: int, max_col: int):
    """The values of the rows of an odfdo ``Table``, as openpyxl's ``iter_rows(values_only=True)``
    gives them: a tuple per row, at most ``max_row`` rows of ``max_col`` values; repeated
    rows and cells are counted, never expanded past those bounds. Empty rows at the end
    (LibreOffice states a million of them as one) are not given at all, as openpyxl
    gives none for an .xlsx."""
    produced, empty = 0, 0
    for row in _row_elements(_lxml(table)):
        repeat = int(row.get(f"{TABLE}number-rows-repeated", "1") or 1)
        values = _row_values(row, max_col)
        if not values:
            empty += repeat  # given only if a row with values follows
            continue
        for row_values in itertools.chain(itertools.repeat((), empty), itertools.repeat(values, repeat)):
            if produced >= max_row:
                return
            yield row_values
            produced += 1
        empty = 0


def _lxml(element):
    """The lxml element under an odfdo ``Element``."""
    return element._Element__element


class OdsWorksheet:
    """A sheet of an .ods with the one method of openpyxl's worksheet the importers use."""

    def __init__(self, table):
        self.table = table
        self.title = table.name

    def iter_rows(self, min_row=1, max_row=None, max_col=None, values_only=True):
        rows = iter_rows(self.table, max_row or 10**9, max_col or 16_384)
        return itertools.islice(rows, min_row - 1, None)


class OdsWorkbook:
    """An .ods read by odfdo, as the importers read an openpyxl workbook: ``sheetnames``,
    ``worksheets``, ``book[title]`` and ``close()``."""

    def __init__(self, file):
        self.document = open_document(file)
        self._sheets = {title: OdsWorksheet(table) for title, table in sheets_of(self.document).items()}

    @property
    def sheetnames(self):
        return list(self._sheets)

    @property
    def worksheets(self):
        return list(self._sheets.values())

    def __getitem__(self, title):
        return self._sheets[title]

    def close(self):
        pass


# The most XML an .ods may unpack to before odfdo parses it (a zip bomb is refused by the
# sizes its zip states; ``registry.excel_file`` checks an import's file more closely).
MAX_CONTENT_SIZE = 40 * 1024 * 1024


def _check_package(file):
    with zipfile.ZipFile(file) as archive:
        if sum(part.file_size for part in archive.infolist()) > MAX_CONTENT_SIZE:
            raise ValueError("the package unpacks to too much")
        with archive.open("content.xml") as stream:
            if re.search(rb"<!(?:DOCTYPE|ENTITY)", stream.read(64 * 1024), re.IGNORECASE):
                raise ValueError("a DTD in content.xml")
    file.seek(0)


def load_workbook(file):
    """The workbook of an uploaded .xlsx or .ods, told by its content: openpyxl's
    (read-only, values) or an ``OdsWorkbook``. Either raises on a damaged file."""
    file.seek(0)
    head = file.read(100)
    file.seek(0)
    if is_ods(head):
        _check_package(file)
        return OdsWorkbook(file)
    import openpyxl

    return openpyxl.load_workbook(file, read_only=True, data_only=True)


def _row_elements(element):
    for child in element:
        tag = child.tag
        if tag == f"{TABLE}table-row":
            yield child
        elif tag in (f"{TABLE}table-header-rows", f"{TABLE}table-rows", f"{TABLE}table-row-group"):
            yield from _row_elements(child)


def _row_values(row, max_col):
    values = []
    for cell in row:
        if cell.tag not in (f"{TABLE}table-cell", f"{TABLE}covered-table-cell"):
            continue
        repeat = int(cell.get(f"{TABLE}number-columns-repeated", "1") or 1)
        value = _cell_value(cell)
        for _ in range(min(repeat, max_col - len(values))):
            values.append(value)
        if len(values) >= max_col:
            break
    while values and values[-1] is None:
        values.pop()
    return tuple(values)


def _cell_value(cell):
    value_type = cell.get(f"{OFFICE}value-type")
    if value_type in ("float", "percentage", "currency"):
        number = Decimal(cell.get(f"{OFFICE}value", "0"))
        return int(number) if number == number.to_integral_value() else float(number)
    if value_type == "date":
        text = cell.get(f"{OFFICE}date-value", "")
        moment = dt.datetime.fromisoformat(text[:19]) if "T" in text else dt.datetime.fromisoformat(text[:10])
        return moment
    if value_type == "time":
        found = DURATION.match(cell.get(f"{OFFICE}time-value", ""))
        if found:
            days, hours, minutes, seconds = (float(part or 0) for part in found.groups())
            hours = int(days * 24 + hours)
            return dt.time(hours % 24, int(minutes), int(seconds))
        return None
    if value_type == "boolean":
        return cell.get(f"{OFFICE}boolean-value") == "true"
    if value_type == "string" and cell.get(f"{OFFICE}string-value") is not None:
        return cell.get(f"{OFFICE}string-value")
    paragraphs = [_text_of(p) for p in cell if p.tag == f"{TEXT}p"]
    text = "\n".join(paragraphs)
    return text if text or value_type == "string" else None


def _text_of(element) -> str:
    """The text of a paragraph: spans, spaces (``text:s``), tabs and line breaks."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag
        if tag == f"{TEXT}s":
            parts.append(" " * int(child.get(f"{TEXT}c", "1") or 1))
        elif tag == f"{TEXT}tab":
            parts.append("\t")
        elif tag == f"{TEXT}line-break":
            parts.append("\n")
        else:
            parts.append(_text_of(child))
        parts.append(child.tail or "")
    return "".join(parts)
