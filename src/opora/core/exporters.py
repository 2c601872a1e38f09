"""Exporters: one small class per report, a shared base that writes xlsx and csv, and
the project's one csv writer (``csv_stream``/``csv_response``), which the open data
uses as well.

A report declares its columns (a Russian header and a function of the row) and,
when it needs them, the joins and annotations that keep its query count fixed.
The base streams rows from the database in chunks, so a register of fifty
thousand programs never sits in memory as model instances: csv goes out as a
``StreamingHttpResponse``; xlsx is written by openpyxl's write-only mode into a
temporary file that the response then streams.

The caller scopes the queryset (``scope.visible``); an exporter never widens it.
"""

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")

DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"


@dataclass(frozen=True)
class Column:
    """One column of a report: its header and how to get the value from a row."""

    label: str
    value: Callable
    width: int | None = None


class Exporter:
    """Base of every report. Subclasses set ``columns``, ``filename`` (Russian),
    ``ascii_filename`` and ``sheet_title``, and may override ``get_queryset`` to add
    the joins their columns need."""

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

    def rows(self) -> Iterator[list]:
        """Plain Python values of every row, in column order."""
        for obj in self.get_queryset().iterator(chunk_size=self.chunk_size):
            yield [plain(column.value(obj)) for column in self.columns]

    # --- xlsx ---------------------------------------------------------------------

    def write_xlsx(self, stream) -> None:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(str(self.sheet_title)[:31])
        # Column widths and the frozen header must be set before the first row.
        for index, column in enumerate(self.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column_width(column)
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        wrap = Alignment(wrap_text=True, vertical="top")
        header = []
        for label in self.headers():
            cell = WriteOnlyCell(sheet, value=label)
            cell.font = bold
            cell.alignment = wrap
            header.append(cell)
        sheet.append(header)
        for values in self.rows():
            sheet.append([self._xlsx_cell(sheet, value) for value in values])
        workbook.save(stream)

    @staticmethod
    def _xlsx_cell(sheet, value):
        if isinstance(value, str) and looks_like_formula(value):
            # Text typed by users is never a formula in our files: an explicit string cell
            # (openpyxl would otherwise write a text starting with «=» as a formula).
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
        if isinstance(value, dt.datetime):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = DATETIME_FORMAT
            return cell
        if isinstance(value, dt.date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = DATE_FORMAT
            return cell
        return value

    # --- csv ----------------------------------------------------------------------

    def csv_chunks(self) -> Iterator[str]:
        return csv_stream(self.headers(), self.rows())

    # --- response -----------------------------------------------------------------

    def response(self, file_format: str = "xlsx"):
        """A download of the whole report in ``xlsx`` or ``csv``."""
        if file_format not in FORMATS:
            raise ValueError(f"unknown export format {file_format!r}")
        name, fallback = f"{self.filename}.{file_format}", f"{self.ascii_filename}.{file_format}"
        if file_format == "csv":
            return csv_response(self.csv_chunks(), name, fallback)
        # Write-only openpyxl keeps rows on disk, not in memory; the file is
        # deleted when the response closes it.
        stream = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        self.write_xlsx(stream)
        stream.seek(0)
        response = FileResponse(stream, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = attachment_header(name, fallback)
        return response


# --- csv: the one writer of every csv file --------------------------------------------

BOM = "\ufeff"


class _Echo:
    """A file-like object whose ``write`` returns what it is given: lets csv.writer
    produce lines for a streaming response without a buffer."""

    def write(self, value):
        return value


def csv_stream(header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
    """Every csv file of the project, line by line as ``rows`` are pulled (nothing is
    built in memory): a BOM so Excel reads UTF-8, ``;`` between cells (the separator
    Excel expects where the decimal separator is a comma), CRLF line ends, quotes only
    where needed, and each cell through ``csv_text`` — so text that a spreadsheet would
    run as a formula never leaves as one."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield BOM + writer.writerow([csv_text(value) for value in header])
    for values in rows:
        yield writer.writerow([csv_text(value) for value in values])


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


def csv_text(value) -> str:
    """How a plain value reads in a Russian spreadsheet: empty for None, dd.mm.yyyy,
    decimal comma; text that a spreadsheet would run as a formula gets a leading
    apostrophe (the OWASP advice against csv injection)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if looks_like_formula(value) else value
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    return str(value)
