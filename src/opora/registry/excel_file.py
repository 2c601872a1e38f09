"""An uploaded spreadsheet (.xlsx, or .ods saved by LibreOffice Calc) as a whole: checked
by what it is and how big it is before a row of it is read, so a hostile or oversized
file is refused in a fraction of a second.

An .ods is a zip too, whose sheets are all in one XML part (``content.xml``): its
unpacked size is bounded the same way, its cells are counted in its raw XML, and a
part that declares a DTD or entities is refused before any XML parser sees it.

An xlsx is a zip of XML parts. The zip's central directory states each part's
unpacked size, and Python's ``zipfile`` never unpacks a part beyond the size stated
(a part that holds more fails its checksum and reads as damaged), so those stated
sizes bound all the XML openpyxl will ever parse: a zip bomb is refused by them
without being unpacked. A sheet's own statement of its size (the ``dimension`` tag)
may lie or be absent, so it serves only to refuse early; the rows are read with
bounds of their own (``excel_import._read_bounds``).
"""

import posixpath
import re
import zipfile
from xml.etree import ElementTree

from django.utils.translation import gettext_lazy as _
from openpyxl.utils.cell import range_boundaries

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
# The size a sheet states, near the start of its XML (before its rows).
DIMENSION_TAG = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref="([A-Za-z]{1,3}[0-9]{1,7}(?::[A-Za-z]{1,3}[0-9]{1,7})?)"')
SHEET_HEAD = 64 * 1024
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def max_file_megabytes(limit=None):
    return f"{(limit or MAX_FILE_SIZE) / 1024 / 1024:g}"


def file_error(message):
    return ValidationFailed({"file": [str(message)]})


RESAVE_HINT = _("В Excel: «Файл» → «Сохранить как» → «Книга Excel (.xlsx)». В LibreOffice Calc: «Файл» → "
                "«Сохранить как» → «Электронная таблица ODF (.ods)» или «Excel 2007–365 (.xlsx)».")


def damaged():
    return file_error(_("Файл не является таблицей Excel (.xlsx) или LibreOffice Calc (.ods) или повреждён. "
                        "Откройте его и сохраните заново. %(hint)s") % {"hint": RESAVE_HINT})


def wrong_format():
    return file_error(_("Загрузите таблицу в формате .xlsx (Excel) или .ods (LibreOffice Calc). %(hint)s")
                      % {"hint": RESAVE_HINT})


def old_format():
    return file_error(_("Файл в старом формате .xls. Сохраните его в новом формате. %(hint)s")
                      % {"hint": RESAVE_HINT})


ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# An .ods cell's start tag: <table:table-cell …>, <table:covered-table-cell/>.
ODS_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:covered-)?table-cell[\s>/]")
ODS_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
ODS_MAX_CELLS = 3 * MAX_SHEET_CELLS


def check_file(file) -> dict[str, tuple[int, int]]:
    """Refuse a file that is too large, of another format, whose parts unpack to too much
    or whose sheets hold too many cells; read only its first bytes, the zip's directory,
    the workbook's list of sheets and the sheets' raw XML (no sheet is parsed). Returns
    the size each sheet states, {title: (last row, last column)}; a sheet stating none
    is left out."""
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
        raise old_format()
    if name and not name.lower().endswith((".xlsx", ".ods")):
        raise wrong_format()
    if not magic.startswith(b"PK\x03\x04"):
        raise damaged()
    try:
        with zipfile.ZipFile(file) as archive:
            if _is_ods(archive):
                return _check_ods(archive)
            return _check_archive(archive)
    except (KeyError, StopIteration, ElementTree.ParseError, ValueError, TypeError, EOFError, OSError,
            zipfile.BadZipFile):
        raise damaged() from None
    finally:
        file.seek(0)


def _is_ods(archive) -> bool:
    names = archive.namelist()
    return bool(names) and names[0] == "mimetype" and archive.read("mimetype").strip() == ODS_MIMETYPE


def _check_parts(archive):
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise damaged()
    if sum(part.file_size for part in parts) > MAX_UNPACKED_SIZE:
        raise file_error(_("Файл слишком большой в распакованном виде (больше %(limit)s МБ). Удалите лишние "
                           "листы, строки и оформление или разделите файл на несколько.")
                         % {"limit": max_file_megabytes(MAX_UNPACKED_SIZE)})


def _check_ods(archive):
    """An .ods: its parts' sizes, no DTD, no more cells than the limits allow (counted
    in the raw XML). It states no sizes of its sheets: returns {}."""
    _check_parts(archive)
    if "content.xml" not in archive.namelist():
        raise damaged()
    cells, tail = 0, b""
    with archive.open("content.xml") as stream:
        first = True
        while True:
            chunk = stream.read(1024 * 1024)
            data = tail + chunk
            if first and ODS_DOCTYPE.search(data, 0, SHEET_HEAD):
                raise damaged()
            first = False
            cut = data.rfind(b"<") if chunk else len(data)
            cut = len(data) if cut < 0 else cut
            cells += len(ODS_CELL_TAG.findall(data, 0, cut))
            tail = data[cut:]
            if cells > ODS_MAX_CELLS:
                raise file_error(_("В файле больше %(limit)s ячеек (заполненных или оформленных). Удалите лишние "
                                   "строки, столбцы и оформление или разделите файл на несколько.")
                                 % {"limit": f"{ODS_MAX_CELLS:,}".replace(",", " ")})
            if not chunk:
                return {}


def _check_archive(archive):
    _check_parts(archive)
    # The sheets as openpyxl finds them: the workbook named by the package's
    # relationships, its sheets by the workbook's.
    book_path = next(iter(_targets(archive, "_rels/.rels", "/officeDocument").values()))
    book = ElementTree.fromstring(archive.read(book_path))
    folder, name = posixpath.split(book_path)
    paths = _targets(archive, posixpath.join(folder, "_rels", f"{name}.rels"), "/worksheet", folder)
    sheets = [(sheet.get("name", ""), paths.get(sheet.get(f"{REL_NS}id"))) for sheet in book.iter(f"{MAIN_NS}sheet")]
    if len(sheets) > MAX_SHEETS:
        raise file_error(_("В файле больше %(limit)s листов. Оставьте листы «Программы» и «Группы».")
                         % {"limit": MAX_SHEETS})
    sizes = {}
    for title, path in sheets:
        if path is not None:
            stated = _scan_sheet(archive, path)
            if stated is not None:
                sizes[title] = stated
    return sizes


def _targets(archive, rels_path, kind, folder=""):
    """{relationship id: part path} of the relationships of one kind in a .rels part."""
    rels = ElementTree.fromstring(archive.read(rels_path))
    found = {}
    for rel in rels.iter(f"{PACKAGE_REL_NS}Relationship"):
        if (rel.get("Type") or "").endswith(kind):
            target = rel.get("Target") or ""
            found[rel.get("Id")] = (target.lstrip("/") if target.startswith("/")
                                    else posixpath.normpath(posixpath.join(folder, target)))
    return found


def _scan_sheet(archive, path):
    """The size a sheet states in its first kilobytes, or None; refused if its raw XML
    holds too many cells, counted a megabyte at a time (the unpacked size is already
    bounded) — far cheaper than parsing them."""
    stated, cells, tail = None, 0, b""
    with archive.open(path) as stream:
        while True:
            chunk = stream.read(1024 * 1024)
            if stated is None and not cells and not tail:
                found = DIMENSION_TAG.search(chunk, 0, SHEET_HEAD)
                if found:
                    _min_col, _min_row, max_col, max_row = range_boundaries(found.group(1).decode().upper())
                    stated = (max_row or 0, max_col or 0)
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
                return stated


def check_dimensions(sheet, max_row, max_column, max_rows):
    """Refuse a sheet whose stated size is beyond the limits, before a row is read.
    ``max_rows`` counts the rows below the header."""
    if (max_row or 0) > max_rows + 1:
        raise too_many_rows(sheet, max_rows)
    if (max_column or 0) > MAX_COLUMNS:
        raise file_error(_("На листе «%(sheet)s» больше %(limit)s столбцов. Удалите лишние столбцы или скачайте "
                           "шаблон заново.") % {"sheet": sheet, "limit": MAX_COLUMNS})


def too_many_rows(sheet, max_rows):
    return file_error(_("На листе «%(sheet)s» больше %(limit)s строк. Разделите файл на несколько.")
                      % {"sheet": sheet, "limit": max_rows})
