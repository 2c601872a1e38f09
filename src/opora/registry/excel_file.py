"""An uploaded xlsx file as a whole: checked by what it is and how big it is before a
row of it is read, so a hostile or oversized file is refused in a fraction of a second.

An xlsx is a zip of XML parts. The zip's central directory states each part's
unpacked size, and Python's ``zipfile`` never unpacks a part beyond the size stated
(a part that holds more fails its checksum and reads as damaged), so those stated
sizes bound all the XML openpyxl will ever parse: a zip bomb is refused by them
without being unpacked. A sheet's own statement of its size (the ``dimension`` tag)
may lie or be absent, so it serves only to refuse early; the rows are read with
bounds of their own (``excel_import._read_bounds``).
"""

import re
import zipfile

from django.utils.translation import gettext_lazy as _

from opora.errors import ValidationFailed

MAX_FILE_SIZE = 5 * 1024 * 1024
# All the parts of the file together, unpacked. A full template (5,000 rows on each
# sheet, long texts) unpacks to a few megabytes; parsing this much XML of tiny cells
# costs openpyxl a couple of seconds at worst.
MAX_UNPACKED_SIZE = 40 * 1024 * 1024
MAX_SHEETS = 20
MAX_PARTS = 500
# Columns a sheet may have: the template's 23 and room for a user's own notes.
MAX_COLUMNS = 60
# Cells (filled or only formatted) of one sheet: 5,000 rows of the template's 23 columns
# are 115,000. openpyxl parses every cell of a row it reads, even beyond the columns
# asked for, so this bounds the parsing whatever the rows hold.
MAX_SHEET_CELLS = 300_000
# A cell's start tag, with or without a namespace prefix: <c r="A1">, <x:c>, <c/>.
CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")


def max_file_megabytes(limit=None):
    return f"{(limit or MAX_FILE_SIZE) / 1024 / 1024:g}"


def file_error(message):
    return ValidationFailed({"file": [str(message)]})


def damaged():
    return file_error(_("Файл не является таблицей Excel (.xlsx) или повреждён."))


def check_file(file):
    """Refuse a file that is too large, of another format, or whose parts unpack to too
    much; read only its first bytes and the zip's directory."""
    name = getattr(file, "name", "") or ""
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    if size > MAX_FILE_SIZE:
        raise file_error(_("Файл больше %(limit)s МБ. Разделите его на несколько файлов.")
                         % {"limit": max_file_megabytes()})
    file.seek(0)
    magic = file.read(8)
    file.seek(0)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_error(_("Файл в старом формате .xls. Сохраните его в Excel как «Книга Excel (.xlsx)»."))
    if name and not name.lower().endswith(".xlsx"):
        raise file_error(_("Загрузите таблицу Excel в формате .xlsx."))
    if not magic.startswith(b"PK\x03\x04"):
        raise damaged()
    _check_archive(file)
    file.seek(0)


def _check_archive(file):
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise damaged() from None
    if len(parts) > MAX_PARTS:
        raise damaged()
    sheets = sum(1 for part in parts if part.filename.startswith("xl/worksheets/")
                 and part.filename.endswith(".xml"))
    if sheets > MAX_SHEETS:
        raise file_error(_("В файле больше %(limit)s листов. Оставьте листы «Программы» и «Группы».")
                         % {"limit": MAX_SHEETS})
    if sum(part.file_size for part in parts) > MAX_UNPACKED_SIZE:
        raise file_error(_("Файл слишком большой в распакованном виде (больше %(limit)s МБ). Удалите лишние "
                           "листы, строки и оформление или разделите файл на несколько.")
                         % {"limit": max_file_megabytes(MAX_UNPACKED_SIZE)})
    try:
        with zipfile.ZipFile(file) as archive:
            for part in parts:
                if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                    _check_cells(archive, part)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise damaged() from None


def _check_cells(archive, part):
    """Count a sheet's cells in its raw XML, a megabyte at a time (the unpacked size is
    already bounded): far cheaper than parsing them."""
    cells, tail = 0, b""
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(1024 * 1024)
            data = tail + chunk
            # A tag cut by the chunk's end is counted with the next chunk: a match holds
            # no "<" but its first, so every match before the last "<" is whole.
            cut = data.rfind(b"<") if chunk else len(data)
            cut = len(data) if cut < 0 else cut
            cells += len(CELL_TAG.findall(data, 0, cut))
            tail = data[cut:]
            if cells > MAX_SHEET_CELLS:
                raise file_error(_("На одном из листов больше %(limit)s ячеек (заполненных или оформленных). "
                                   "Удалите лишние строки, столбцы и оформление или разделите файл на несколько.")
                                 % {"limit": f"{MAX_SHEET_CELLS:,}".replace(",", " ")})
            if not chunk:
                return


def check_dimensions(sheet, worksheet, max_rows):
    """Refuse a sheet whose stated size is beyond the limits, before a row is read.
    ``max_rows`` counts the rows below the header."""
    if (worksheet.max_row or 0) > max_rows + 1:
        raise too_many_rows(sheet, max_rows)
    if (worksheet.max_column or 0) > MAX_COLUMNS:
        raise file_error(_("На листе «%(sheet)s» больше %(limit)s столбцов. Удалите лишние столбцы или скачайте "
                           "шаблон заново.") % {"sheet": sheet, "limit": MAX_COLUMNS})


def too_many_rows(sheet, max_rows):
    return file_error(_("На листе «%(sheet)s» больше %(limit)s строк. Разделите файл на несколько.")
                      % {"sheet": sheet, "limit": max_rows})
