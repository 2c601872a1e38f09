"""Exporters: one small class per report and one base that writes every spreadsheet
of the project — .xlsx (openpyxl), .ods (``opora.core.ods``) and csv — formatted once,
here, so no export formats a cell by hand.

A report declares its columns: a Russian header, a function of the row and the
column's ``Kind`` (money, percentage, count, date, month, identifier, text…). The
kind decides the cell's type and number format (money ``# ##0,00``, percentage
``0,0 %`` of a fraction, counts as integers, dates and months as real dates,
identifiers such as ИНН and certificate numbers as text), how the csv for people
writes it, and how wide the column is. Every sheet gets a bold, wrapped header row
tall enough for its lines, widths fitted to the content (capped), the header frozen
and filtered, and a print setup: A4, landscape when the table is wide, fitted to the
page width, the header repeated on every page, «Страница N из M» in the footer.
A sheet may carry a title block above its table (an invoice says which invoice it
is) and labelled totals below it.

The base streams rows from the database in chunks, so a register of fifty thousand
programs never sits in memory as model instances: csv goes out as a
``StreamingHttpResponse``; xlsx and ods are written row by row into a temporary
file that the response then streams (only the first ``SAMPLE_ROWS`` rows are held,
to fit the column widths).

CSV has two audiences and one writer (``csv_stream``): ``PEOPLE`` — what a person
opens by double-click in Excel or LibreOffice Calc with Russian settings (BOM,
``;``, decimal comma, dd.mm.yyyy, identifiers as ``="0012"`` so leading zeros
survive) — and ``OPEN_DATA`` — the documented machine dialect of the open data
(RFC 4180: UTF-8 without BOM, ``,``, every cell quoted, ISO dates, decimal point,
list items separated by ``|``). Both neutralise text a spreadsheet would run as a
formula.

The caller scopes the queryset (``scope.visible``); an exporter never widens it.
"""

import csv
import datetime as dt
import itertools
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from urllib.parse import quote

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS_CONTENT_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "ods", "csv")
CONTENT_TYPES = {"xlsx": XLSX_CONTENT_TYPE, "ods": ODS_CONTENT_TYPE, "csv": CSV_CONTENT_TYPE}


def export_format(request, default="xlsx", allowed=FORMATS) -> str:
    """The format a download asks for with ``?format=`` (xlsx when absent or unknown)."""
    value = request.GET.get("format", "")
    return value if value in allowed else default


class Kind(StrEnum):
    """What a column holds; decides its cell type, number format and csv text."""

    TEXT = "text"
    ID = "id"  # identifiers kept as text: ИНН, ОГРН, certificate and contract numbers
    MONEY = "money"  # roubles, two decimals
    PERCENT = "percent"  # the value is in percentage points (95.5); the cell holds 0.955
    COUNT = "count"  # integers
    NUMBER = "number"  # other numbers as they are
    DATE = "date"
    DATETIME = "datetime"
    MONTH = "month"  # a date (the first of the month) shown as month and year
    TIME = "time"


# Excel number formats; the ods writer translates them into ODF data styles. The
# separators are the file's, not the reader's: «#,##0.00» shows as «4 000,00» in Russian.
NUMBER_FORMATS = {
    Kind.ID: "@",
    Kind.MONEY: "#,##0.00",
    Kind.PERCENT: "0.0%",
    Kind.COUNT: "#,##0",
    Kind.DATE: "DD.MM.YYYY",
    Kind.DATETIME: "DD.MM.YYYY HH:MM",
    Kind.MONTH: "MM.YYYY",
    Kind.TIME: "HH:MM",
}
DATE_FORMAT = NUMBER_FORMATS[Kind.DATE]
DATETIME_FORMAT = NUMBER_FORMATS[Kind.DATETIME]
RIGHT_KINDS = {Kind.MONEY, Kind.PERCENT, Kind.COUNT, Kind.NUMBER}

# Column widths in characters: fitted to the header's longest word and the content of
# the first SAMPLE_ROWS rows, between MIN_WIDTH and the column's cap.
SAMPLE_ROWS = 300
MIN_WIDTH = 6
MAX_WIDTH = 60
# A table wider than this (characters) prints in landscape.
PORTRAIT_WIDTH = 100
HEADER_LINE_HEIGHT = 15  # points per line of the header


@dataclass(frozen=True)
class Column:
    """One column of a report: its header, how to get the value from a row, its kind
    (None: guessed from each value's type) and, when set, the widest it may be."""

    label: str
    value: Callable
    width: int | None = None
    kind: Kind | None = None


@dataclass(frozen=True)
class Choices:
    """A drop-down list: the values of rows 2.. ``last_row`` of column ``column`` (1-based)
    of the sheet ``sheet``; ``strict`` refuses any other value."""

    sheet: str
    column: int
    last_row: int
    strict: bool = True


@dataclass(frozen=True)
class Typed:
    """A value whose kind is its own, not its column's (a table of indicators where one
    row is a percentage and the next a count)."""

    value: object
    kind: Kind


@dataclass
class Sheet:
    """One sheet of a file: a table (header and rows of plain values in column order),
    with an optional title block above it and labelled totals below it.

    ``heading``: lines above the table, the first in bold («Счёт № 12 от 05.12.2026»),
    then (label, value) pairs. ``totals``: (label, {column index: value}) rows written
    after a blank row, the label in the column before the first value."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[list]
    caption: str = ""
    heading: Sequence[tuple[str, object]] = ()
    totals: Sequence[tuple[str, dict]] = ()
    # A form to fill in (the import template): notes on header cells, required columns
    # marked, drop-down lists ({column index: Choices}) on ``input_rows`` rows below the
    # header, and columns frozen at the left.
    notes: dict[int, str] = field(default_factory=dict)
    required: frozenset[int] = frozenset()
    choices: dict[int, "Choices"] = field(default_factory=dict)
    input_rows: int = 0
    frozen_columns: int = 0
    filter: bool = True
    widths: list[float] = field(default_factory=list)

    @property
    def header_row(self) -> int:
        """The 1-based row of the table's header."""
        lines = (1 if self.caption else 0) + len(self.heading)
        return lines + 1 if lines else 1

    def prepare(self) -> Iterator[list]:
        """The rows, after the first ``SAMPLE_ROWS`` have fitted the column widths."""
        rows = iter(self.rows)
        sample = list(itertools.islice(rows, SAMPLE_ROWS))
        self.widths = fitted_widths(self.columns, sample)
        return itertools.chain(sample, rows)

    def typed(self, index: int, value) -> tuple[Kind, object]:
        """The kind and the plain value of a cell of column ``index``."""
        if isinstance(value, Typed):
            return value.kind, value.value
        kind = self.columns[index].kind if index < len(self.columns) else None
        return kind or guess_kind(value), value

    @property
    def landscape(self) -> bool:
        return sum(self.widths) > PORTRAIT_WIDTH

    def header_lines(self) -> int:
        return max((len(wrap_words(str(column.label), width)) for column, width
                    in zip(self.columns, self.widths, strict=False)), default=1)


class Exporter:
    """Base of every report. Subclasses set ``columns``, ``filename`` (Russian),
    ``ascii_filename`` and ``sheet_title``, and may override ``get_queryset`` to add
    the joins their columns need, ``caption``/``heading``/``totals`` for a title block
    and totals, or ``sheets`` for a workbook of several sheets."""

    columns: tuple[Column, ...] = ()
    filename = "export"
    ascii_filename = "export"
    sheet_title = _("Данные")
    chunk_size = 2000

    def __init__(self, queryset):
        self.queryset = queryset

    def get_queryset(self):
        return self.queryset

    def headers(self) -> list[str]:
        return [str(column.label) for column in self.columns]

    def objects(self) -> Iterable:
        return self.get_queryset().iterator(chunk_size=self.chunk_size)

    def rows(self) -> Iterator[list]:
        """Plain Python values of every row, in column order."""
        for obj in self.objects():
            yield [plain(column.value(obj)) for column in self.columns]

    def caption(self) -> str:
        return ""

    def heading(self) -> list[tuple[str, object]]:
        return []

    def totals(self) -> list[tuple[str, dict]]:
        return []

    def sheets(self) -> list[Sheet]:
        return [Sheet(str(self.sheet_title), self.columns, self.rows(), caption=self.caption(),
                      heading=self.heading(), totals=self.totals())]

    # --- files --------------------------------------------------------------------

    def write_xlsx(self, stream) -> None:
        write_xlsx(self.sheets(), stream)

    def write_ods(self, stream) -> None:
        from opora.core import ods  # the ods writer only where an .ods is asked for

        ods.write_ods(self.sheets(), stream)

    def csv_chunks(self) -> Iterator[str]:
        """The table of the first sheet, then its totals after a blank line (a csv has no
        room for a title block: its first line is the header)."""
        sheet = self.sheets()[0]
        return csv_stream(self.headers(), itertools.chain(sheet.rows, totals_rows(sheet)),
                          kinds=[c.kind for c in sheet.columns])

    # --- response -----------------------------------------------------------------

    def response(self, file_format: str = "xlsx"):
        """A download of the whole report in ``xlsx``, ``ods`` or ``csv``."""
        if file_format not in FORMATS:
            raise ValueError(f"unknown export format {file_format!r}")
        name, fallback = f"{self.filename}.{file_format}", f"{self.ascii_filename}.{file_format}"
        if file_format == "csv":
            return csv_response(self.csv_chunks(), name, fallback)
        return file_response(self.write_ods if file_format == "ods" else self.write_xlsx, file_format,
                             name, fallback)


def totals_rows(sheet: Sheet) -> Iterator[list]:
    """The labelled totals of a sheet as plain rows, after an empty one."""
    if not sheet.totals:
        return
    yield []
    columns = len(sheet.columns)
    for label, values in sheet.totals:
        row = [None] * columns
        row[max((min(values) if values else columns) - 1, 0)] = str(label)
        for index, value in values.items():
            row[index] = value
        yield row


def file_response(write: Callable, file_format: str, filename: str, fallback: str = "") -> FileResponse:
    """A download of a spreadsheet that ``write(stream)`` writes. The rows go to a
    temporary file, not memory; the file is deleted when the response closes it."""
    stream = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    write(stream)
    stream.seek(0)
    response = FileResponse(stream, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = attachment_header(filename, fallback)
    return response


def sheets_response(request, sheets: list, name: str, fallback: str) -> FileResponse:
    """A download of ready ``sheets`` as .xlsx, or .ods when ``?format=ods`` asks for it:
    ``name`` (and the ASCII ``fallback``) without the extension."""
    file_format = export_format(request, allowed=("xlsx", "ods"))
    if file_format == "ods":
        from opora.core import ods  # the ods writer only where an .ods is asked for

        def write(stream):
            ods.write_ods(sheets, stream)
    else:
        def write(stream):
            write_xlsx(sheets, stream)
    return file_response(write, file_format, f"{name}.{file_format}", f"{fallback}.{file_format}")


class RowsExporter(Exporter):
    """A report already computed as a list of rows (dicts or objects)."""

    def objects(self):
        return self.queryset


# --- kinds, values, widths -------------------------------------------------------------


def guess_kind(value) -> Kind:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return Kind.TEXT
    if isinstance(value, int):
        return Kind.COUNT
    if isinstance(value, Decimal | float):
        return Kind.NUMBER
    if isinstance(value, dt.datetime):
        return Kind.DATETIME
    if isinstance(value, dt.date):
        return Kind.DATE
    if isinstance(value, dt.time):
        return Kind.TIME
    return Kind.TEXT


def cell_value(value, kind: Kind):
    """The value a spreadsheet cell holds for a plain ``value`` of a column of ``kind``:
    text for identifiers, a fraction for percentages, the first of the month for a
    month; None for an empty cell."""
    if value is None or value == "":
        return None
    if kind == Kind.ID or kind == Kind.TEXT:
        return str(value) if not isinstance(value, str) else value
    if kind == Kind.PERCENT and isinstance(value, int | float | Decimal):
        return Decimal(value) / 100
    if kind == Kind.MONTH and isinstance(value, dt.date):
        return (value.date() if isinstance(value, dt.datetime) else value).replace(day=1)
    return value


def display_text(value, kind: Kind) -> str:
    """How a cell reads in a Russian spreadsheet: its width and the csv for people."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if kind == Kind.MONEY and isinstance(value, int | float | Decimal):
        return f"{Decimal(value):,.2f}".replace(",", " ").replace(".", ",")
    if kind == Kind.PERCENT and isinstance(value, int | float | Decimal):
        return f"{Decimal(value):.1f}%".replace(".", ",")
    if kind == Kind.MONTH and isinstance(value, dt.date):
        return value.strftime("%m.%Y")
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, int) and kind == Kind.COUNT:
        return f"{value:,}".replace(",", " ")
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    return str(value)


def wrap_words(text: str, width: float) -> list[str]:
    """``text`` broken into lines of at most ``width`` characters at spaces (a longer
    word takes a line of its own), as a spreadsheet wraps a cell."""
    lines = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return lines


def fitted_widths(columns: Sequence[Column], sample: list[list]) -> list[float]:
    """The width of each column in characters: wide enough for the header's longest
    word and for the longest line of the sampled cells, at most the column's cap."""
    widths = []
    for index, column in enumerate(columns):
        cap = min(column.width or MAX_WIDTH, MAX_WIDTH)
        words = max((len(word) for word in str(column.label).split()), default=0)
        content = 0
        for row in sample:
            if index < len(row):
                value = row[index]
                kind, value = (value.kind, value.value) if isinstance(value, Typed) else (
                    column.kind or guess_kind(value), value)
                text = display_text(value, kind)
                content = max(content, max((len(line) for line in text.splitlines()), default=0))
        widths.append(float(max(MIN_WIDTH, min(cap, max(words, content) + 2))))
    return widths


# Characters XML 1.0 cannot hold (openpyxl refuses them; an ods would not open).
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(text: str) -> str:
    return ILLEGAL_CHARACTERS.sub("", text)


# --- xlsx ------------------------------------------------------------------------------


def write_xlsx(sheets: Iterable[Sheet], stream) -> None:
    """Every sheet into one .xlsx, row by row (openpyxl's write-only mode)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for sheet in sheets:
        _XlsxSheet(workbook, sheet).write()
    if not workbook.worksheets:
        workbook.create_sheet(str(_("Данные")))
    workbook.save(stream)


class _XlsxSheet:
    def __init__(self, workbook, sheet: Sheet):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.sheet = sheet
        self.rows = sheet.prepare()
        self.ws = workbook.create_sheet(sheet_name(sheet.title))
        self.bold = Font(bold=True)
        self.caption_font = Font(bold=True, size=13)
        self.header_alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        self.header_fill = PatternFill("solid", start_color="DDEBF7")
        self.required_fill = PatternFill("solid", start_color="FCE4D6")
        thin = Side(style="thin", color="999999")
        self.header_border = Border(bottom=thin, top=thin, left=thin, right=thin)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")
        self.right = Alignment(horizontal="right", vertical="top")

    def write(self):
        from openpyxl.utils import get_column_letter

        sheet, ws = self.sheet, self.ws
        # Widths, heights, the frozen header and the page setup go before the first row.
        for index, width in enumerate(sheet.widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width + 1
        header_row = sheet.header_row
        ws.row_dimensions[header_row].height = HEADER_LINE_HEIGHT * sheet.header_lines() + 4
        ws.freeze_panes = f"{get_column_letter(sheet.frozen_columns + 1)}{header_row + 1}"
        self._print_setup(header_row)
        if sheet.caption:
            ws.append([self._cell(sheet.caption, font=self.caption_font)])
        for label, value in sheet.heading:
            ws.append([self._cell(f"{label}: {heading_text(value)}")])
        ws.append([self._header(index, column) for index, column in enumerate(sheet.columns)])
        self._choices(header_row)
        last = header_row
        for values in self.rows:
            ws.append([self._value(sheet, index, value) for index, value in enumerate(values)])
            last += 1
        columns = max(len(sheet.columns), 1)
        if sheet.totals:
            ws.append([])
            for label, values in sheet.totals:
                first = min(values) if values else columns
                row = [None] * columns
                # right-aligned, the label runs into the empty cells on its left
                row[max(first - 1, 0)] = self._cell(str(label), font=self.bold, alignment=self.right)
                for index, value in values.items():
                    row[index] = self._value(sheet, index, value, font=self.bold)
                ws.append(row)
        if sheet.filter:
            ws.auto_filter.ref = f"A{header_row}:{get_column_letter(columns)}{last}"

    def _header(self, index, column):
        from openpyxl.comments import Comment

        cell = self._cell(str(column.label), font=self.bold, alignment=self.header_alignment,
                          fill=self.required_fill if index in self.sheet.required else self.header_fill,
                          border=self.header_border)
        note = self.sheet.notes.get(index)
        if note:
            cell.comment = Comment(note, "Опора", width=320, height=140)
        return cell

    def _choices(self, header_row):
        from openpyxl.utils import get_column_letter, quote_sheetname
        from openpyxl.worksheet.datavalidation import DataValidation

        for index, choices in self.sheet.choices.items():
            letter, source = get_column_letter(index + 1), get_column_letter(choices.column)
            validation = DataValidation(
                type="list", formula1=f"={quote_sheetname(choices.sheet)}!${source}$2:${source}${choices.last_row}",
                allow_blank=True, showErrorMessage=choices.strict, errorTitle=_gettext("Недопустимое значение"),
                error=_gettext("Выберите значение из списка."))
            validation.add(f"{letter}{header_row + 1}:{letter}{header_row + self.sheet.input_rows}")
            self.ws.data_validations.append(validation)

    def _print_setup(self, header_row):
        from openpyxl.worksheet.properties import PageSetupProperties

        ws = self.ws
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.orientation = "landscape" if self.sheet.landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.oddFooter.center.text = page_footer() % {"page": "&P", "pages": "&N"}
        ws.oddFooter.center.size = 9

    def _cell(self, value, font=None, alignment=None, fill=None, border=None, number_format=None):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.ws, value=clean_text(value) if isinstance(value, str) else value)
        if isinstance(value, str):
            cell.data_type = "s"  # text is never a formula in our files
        if font is not None:
            cell.font = font
        if alignment is not None:
            cell.alignment = alignment
        if fill is not None:
            cell.fill = fill
        if border is not None:
            cell.border = border
        if number_format:
            cell.number_format = number_format
        return cell

    def _value(self, sheet, index, value, font=None):
        kind, value = sheet.typed(index, value)
        value = cell_value(value, kind)
        if value is None:
            return None
        if isinstance(value, str):
            alignment = self.wrap if "\n" in value or len(value) > (sheet.widths[index]
                                                                     if index < len(sheet.widths) else MAX_WIDTH) \
                else self.top
            return self._cell(value, font=font, alignment=alignment,
                              number_format=NUMBER_FORMATS[Kind.ID] if kind == Kind.ID else None)
        number_format = NUMBER_FORMATS.get(kind) if kind != Kind.ID else None
        if number_format is None and isinstance(value, Decimal | float):
            number_format = "General"
        return self._cell(value, font=font, alignment=self.top, number_format=number_format)


def page_footer() -> str:
    """The footer of every printed page, with ``%(page)s`` and ``%(pages)s``."""
    return _gettext("Страница %(page)s из %(pages)s")


def heading_text(value) -> str:
    if isinstance(value, dt.datetime):
        return plain(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, Decimal):
        return display_text(value, Kind.MONEY)
    return display_text(plain(value), Kind.TEXT)


INVALID_SHEET_TITLE = re.compile(r"[\\/*?:\[\]]")


def sheet_name(title: str) -> str:
    """A title a spreadsheet accepts: no \\ / * ? : [ ], at most 31 characters."""
    return INVALID_SHEET_TITLE.sub(" ", clean_text(str(title))).strip()[:31] or str(_("Данные"))


# --- csv: the one writer of every csv file --------------------------------------------

BOM = "\ufeff"


class _Echo:
    """A file-like object whose ``write`` returns what it is given: lets csv.writer
    produce lines for a streaming response without a buffer."""

    def write(self, value):
        return value


class Audience(StrEnum):
    PEOPLE = "people"
    OPEN_DATA = "open_data"


# The open-data dialect, as documented on /opendata/ and in docs/guide.
OPEN_DATA_DELIMITER = ","
OPEN_DATA_LIST_SEPARATOR = "|"


class OpenDataDialect(csv.Dialect):
    """RFC 4180: «,» between cells, every cell in double quotes (a quote inside doubled),
    CRLF line ends; UTF-8 without BOM."""

    delimiter = OPEN_DATA_DELIMITER
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_ALL


class PeopleDialect(csv.Dialect):
    """What Excel and LibreOffice Calc with Russian settings open by double-click: «;»
    between cells (the decimal separator is a comma), quotes only where needed."""

    delimiter = ";"
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL


def csv_stream(header: Iterable, rows: Iterable[Iterable], kinds: Sequence[Kind | None] = (),
               audience: Audience = Audience.PEOPLE) -> Iterator[str]:
    """Every csv file of the project, line by line as ``rows`` are pulled (nothing is
    built in memory), each cell through ``csv_text`` — so text that a spreadsheet would
    run as a formula never leaves as one.

    ``PEOPLE``: a BOM so Excel reads UTF-8, ``;``, decimal comma, dd.mm.yyyy, an
    identifier of digits as ``="0012"`` (a spreadsheet keeps it as text, zeros and all).
    ``OPEN_DATA``: ``OpenDataDialect``, no BOM, ISO dates, decimal point, lists joined
    by ``|``, booleans ``true``/``false``."""
    if audience == Audience.OPEN_DATA:
        writer, text, start = csv.writer(_Echo(), OpenDataDialect), open_data_text, ""
    else:
        writer, text, start = csv.writer(_Echo(), PeopleDialect), csv_text, BOM
    kinds = list(kinds)
    yield start + writer.writerow([text(value) for value in header])
    for values in rows:
        yield writer.writerow([text(value.value, value.kind) if isinstance(value, Typed)
                               else text(value, kinds[index] if index < len(kinds) else None)
                               for index, value in enumerate(values)])


def csv_response(chunks: Iterator[str], filename: str, fallback: str = "") -> StreamingHttpResponse:
    """A streamed download of ``csv_stream`` output."""
    response = StreamingHttpResponse(chunks, content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(filename, fallback)
    return response


def attachment_header(filename: str, fallback: str = "") -> str:
    """``Content-Disposition`` for a download whose name may be in Russian: the real
    name as ``filename*`` (RFC 6266) and an ASCII name for clients that ignore it."""
    extension = filename.rpartition(".")[2]
    if not fallback:
        fallback = filename if filename.isascii() else f"export.{extension}"
    fallback = "".join(c for c in fallback if c.isascii() and c.isprintable() and c not in '"\\')
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def column_width(column: Column) -> float:
    if column.width:
        return column.width
    return min(max(len(str(column.label)) + 2, 10), 40)


def plain(value):
    """A value openpyxl and csv can write: text for lazy strings, lists and uuids,
    «да»/«нет» for booleans, local naive datetimes (Excel has no time zones)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _gettext("да") if value else _gettext("нет")
    if isinstance(value, int | float | Decimal | str):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, dt.date | dt.time):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(plain(item)) for item in value)
    return str(value)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula: it starts with one of
    ``FORMULA_STARTS``, also after leading spaces (some spreadsheets skip them)."""
    return text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS)


def neutralised(text: str) -> str:
    """Text a spreadsheet would run as a formula with a leading apostrophe (the OWASP
    advice against csv injection)."""
    return "'" + text if looks_like_formula(text) else text


DIGITS = re.compile(r"\d+")


def csv_text(value, kind: Kind | None = None) -> str:
    """How a plain value reads in a Russian spreadsheet: empty for None, dd.mm.yyyy,
    decimal comma, money with two decimals, a percentage as «95,5%», a month as its
    first day; an identifier of digits as ``="0012"`` so its zeros survive; text
    neutralised (``neutralised``)."""
    if value is None or value == "":
        return ""
    if kind == Kind.ID:
        text = str(value)
        return f'="{text}"' if DIGITS.fullmatch(text) else neutralised(text)
    if isinstance(value, str):
        return neutralised(value)
    if kind == Kind.MONEY and isinstance(value, int | float | Decimal):
        return f"{Decimal(value):.2f}".replace(".", ",")
    if kind == Kind.PERCENT and isinstance(value, int | float | Decimal):
        return f"{value}%".replace(".", ",")
    if kind == Kind.MONTH and isinstance(value, dt.date):
        value = cell_value(value, kind)
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    return str(value)


def open_data_text(value, kind: Kind | None = None) -> str:
    """A value in the open-data dialect: empty for None, ``true``/``false``, ISO 8601
    dates and times, a decimal point, list items joined by ``|`` (an item never holds
    one: it is replaced by «/»), text neutralised (``neutralised``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return OPEN_DATA_LIST_SEPARATOR.join(
            neutralised(str(item).replace(OPEN_DATA_LIST_SEPARATOR, "/")) for item in value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, str):
        return neutralised(value)
    return str(value)


def restore_neutralised(text: str) -> str:
    """The text ``neutralised`` was given (for readers of the open data)."""
    return text[1:] if text.startswith("'") and looks_like_formula(text[1:]) else text
