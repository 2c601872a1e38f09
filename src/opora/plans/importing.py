"""Reading a plan's table as the documents print it (docs/domain.md §7).

The table comes pasted from Word or a PDF (tab-separated lines; Excel's quoted cells),
or as an .xlsx or .docx file. Columns are recognised by their headers in any order: «№ (п/п)»,
«Наименование мероприятия» / «Мероприятия», «Сроки», «Ответственный» (…), «Результат»
(optional). Lines before the header are the document's title; a header repeated in the
middle (a table split across pages) is skipped; a line of one cell is a section heading;
a cell written on several lines (Word puts each line of a cell on a line of its own) is
joined back; HTML list markup in a cell becomes lines.

``read_text`` / ``read_xlsx`` / ``read_docx`` give the table's records; ``preview(records, period)``
gives the rows as they will be saved, each with its deadline and its problems in
Russian: ``errors`` stop the import, ``warnings`` (an unrecognised deadline, no
responsible person) are saved flagged. Nothing here writes to the database.
"""

import csv
import datetime as dt
import html
import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from opora.plans import deadlines

NUMBER, TITLE, DEADLINE, RESPONSIBLE, RESULT = "number", "title", "deadline", "responsible", "result"
REQUIRED = (NUMBER, TITLE, DEADLINE, RESPONSIBLE)
MAX_ROWS = 1000
NUMBER_RE = re.compile(r"№?\s*(\d{1,3}(?:\.\d{1,3})*)\.?")
NAME_RE = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ]\.\s?[А-ЯЁ]\.")


def _header_key(cell: str) -> str | None:
    text = re.sub(r"[^\w№/ ]+", " ", cell.lower().replace("ё", "е"))
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return None
    if text.startswith("№") or text in ("n п/п", "п/п", "номер", "n", "no") or text.startswith("номер"):
        return NUMBER
    if text.startswith(("наименование", "мероприяти", "содержание", "название")):
        return TITLE
    if text.startswith(("срок", "дата", "период")):
        return DEADLINE
    if text.startswith(("ответственн", "исполнител")):
        return RESPONSIBLE
    if text.startswith(("результат", "ожидаемый результат", "планируемый результат")):
        return RESULT
    return None


def _header(cells: list[str]) -> dict[str, int] | None:
    """Column of each recognised header, if ``cells`` is the header row."""
    columns = {}
    for index, cell in enumerate(cells):
        key = _header_key(cell)
        if key and key not in columns:
            columns[key] = index
    return columns if TITLE in columns and len(columns) >= 2 else None


def clean_cell(value) -> str:
    """A cell's text: HTML markup to lines, entities decoded, spaces tidied."""
    text = "" if value is None else str(value)
    if "<" in text and re.search(r"</?\w+[^>]*>", text):
        listed = bool(re.search(r"<(ol|ul|li)\b", text, re.I))
        text = re.sub(r"<br\s*/?>|</p>|</li>|<li[^>]*>|<ol[^>]*>|<ul[^>]*>", "\n", text, flags=re.I)
        text = re.sub(r"<[^>]+>", "", text)
        if listed:  # «…детей.2. Дистанционные…»: the numbers of a list start lines
            text = re.sub(r"(?<=[.;:!?])\s*(?=\d{1,2}\.\s)", "\n", text)
    text = html.unescape(text).replace("\u00a0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


@dataclass
class Record:
    line: int
    cells: list[str]


def read_text(text: str) -> list[Record]:
    """Records of pasted text: one per line, cells split by tabs (Excel quotes honoured)."""
    records = []
    reader = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")),
                        delimiter="\t", quotechar='"', strict=False)
    line = 1
    for cells in reader:
        records.append(Record(line, cells))
        line = reader.line_num + 1
    return records


def read_xlsx(file) -> list[Record]:
    """Records of the first sheet of an .xlsx or .ods workbook; ValueError if it is not one."""
    from opora.core.ods import load_workbook

    try:
        workbook = load_workbook(file)
    except Exception as error:  # openpyxl and odfdo raise many kinds for a file that is not a workbook
        raise ValueError(_("Файл не читается как таблица Excel (.xlsx) или LibreOffice Calc (.ods). "
                           "Откройте его и сохраните заново в одном из этих форматов.")) from error
    records = []
    sheet = workbook.worksheets[0]
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = []
        for value in row:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, dt.datetime | dt.date):
                value = value.strftime("%d.%m.%Y")
            cells.append("" if value is None else str(value))
        records.append(Record(number, cells))
        if number > MAX_ROWS * 3:
            break
    workbook.close()
    return records


def read_docx(file) -> list[Record]:
    """Records of every table of a Word document (.docx), in the document's order: a
    table split across pages is one table whose header row repeats, or several tables
    each with its header — both are read as one. A cell merged across columns (a section
    heading) is read once, the rest of its row empty. ValueError if it is not a .docx."""
    from docx import Document

    try:
        document = Document(file)
    except Exception as error:  # python-docx raises several kinds for a file that is not one
        raise ValueError(_("Файл не читается как документ Word (.docx).")) from error
    records, line = [], 0
    for table in document.tables:
        for row in table.rows:
            line += 1
            cells, seen = [], set()
            for cell in row.cells:
                cells.append("" if id(cell._tc) in seen else cell.text)
                seen.add(id(cell._tc))
            records.append(Record(line, cells))
            if line > MAX_ROWS * 3:
                return records
    if not records:
        raise ValueError(_("В документе нет таблицы: план должен быть таблицей Word."))
    return records


def split_responsible(text: str) -> list[str]:
    """People of a cell: «Начальник отдела Иванова А.А.» is one, «Иванова А.А. Петрова Б.Б.»
    two; each keeps the position written before the name."""
    people = []
    for line in re.split(r"[\n;]+", text):
        line = line.strip(" ,")
        if not line:
            continue
        start, found = 0, False
        for match in NAME_RE.finditer(line):
            person = line[start:match.end()].strip(" ,")
            if person:
                people.append(person)
            start, found = match.end(), True
        rest = line[start:].strip(" ,")
        if rest and found and people:
            people[-1] = f"{people[-1]} {rest}"
        elif rest:
            people.append(rest)
    return people


@dataclass
class Row:
    """A row as it will be saved, with its problems."""

    line: int
    number: str = ""
    title: str = ""
    deadline_text: str = ""
    responsible_text: str = ""
    expected_result: str = ""
    section: str = ""
    deadline: deadlines.Deadline | None = None
    responsible: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    structural: list[str] = field(default_factory=list)  # the cells did not fit the header


@dataclass
class Preview:
    rows: list[Row]
    errors: list[str]
    has_result: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors and not any(row.errors for row in self.rows)

    @property
    def problems(self) -> int:
        return len(self.errors) + sum(len(row.errors) for row in self.rows)


def evaluate(rows: list[Row], period_start: dt.date, period_end: dt.date,
             taken_numbers=()) -> None:
    """Fill each row's deadline, people and problems from its text fields."""
    seen = set(taken_numbers)
    for row in rows:
        row.errors, row.warnings = list(row.structural), []
        row.title = row.title.strip()
        number = row.number.strip()
        match = NUMBER_RE.fullmatch(number)
        if not number:
            row.errors.append(_("Не указан номер пункта."))
        elif not match:
            row.errors.append(_("«%(number)s» не похоже на номер пункта.") % {"number": number})
        else:
            row.number = match[1]
            if row.number in seen:
                row.errors.append(_("Пункт № %(number)s уже есть.") % {"number": row.number})
            seen.add(row.number)
        if not row.title:
            row.errors.append(_("Не указано наименование мероприятия."))
        elif len(row.title) > 5000:
            row.errors.append(_("Наименование длиннее 5000 знаков."))
        if len(row.deadline_text) > 300:
            row.errors.append(_("Срок длиннее 300 знаков."))
        row.deadline = deadlines.parse(row.deadline_text.replace("\n", " "), period_start, period_end)
        if row.deadline.problem:
            row.warnings.append(row.deadline.problem)
        row.responsible = split_responsible(row.responsible_text)
        if not row.responsible:
            row.warnings.append(_("Не указан ответственный."))


def preview(records: list[Record], period_start: dt.date, period_end: dt.date,
            taken_numbers=()) -> Preview:
    header, columns, width = None, {}, 0
    rows: list[Row] = []
    errors: list[str] = []
    section = ""
    pending: Record | None = None

    def finish():
        nonlocal pending
        if pending is None:
            return
        record, pending = pending, None
        cells = [clean_cell(cell) for cell in record.cells]
        row = Row(line=record.line, section=section)
        for key, index in columns.items():
            value = cells[index] if index < len(cells) else ""
            setattr(row, {NUMBER: "number", TITLE: "title", DEADLINE: "deadline_text",
                          RESPONSIBLE: "responsible_text", RESULT: "expected_result"}[key], value)
        extra = [cell for cell in cells[width:] if cell]
        rows.append(row)
        if extra:
            row.structural.append(_("В строке больше столбцов, чем в заголовке: «%(extra)s».")
                              % {"extra": "; ".join(extra)[:200]})
        if len(cells) < width - (1 if RESULT in columns and columns[RESULT] == width - 1 else 0):
            row.structural.append(_("В строке меньше столбцов, чем в заголовке."))

    for record in records:
        cells = [cell.strip() for cell in record.cells]
        while cells and not cells[-1]:
            cells.pop()
        if header is None:
            found = _header(cells)
            if found:
                header, columns, width = cells, found, len(cells)
                missing = [key for key in REQUIRED if key not in columns]
                if missing:
                    names = {NUMBER: "№ п/п", DEADLINE: "Сроки", RESPONSIBLE: "Ответственный"}
                    errors.append(_("В заголовке нет столбцов: %(names)s.") % {
                        "names": ", ".join(f"«{names[key]}»" for key in missing)})
            continue
        if not cells:
            finish()
            continue
        if _header(cells):
            finish()
            continue
        first_is_number = bool(NUMBER_RE.fullmatch(clean_cell(cells[0]))) and len(cells) >= 2
        if pending is not None and len(pending.cells) < width and not first_is_number:
            joined = pending.cells[-1] + "\n" + cells[0]
            pending = Record(pending.line, [*pending.cells[:-1], joined, *cells[1:]])
            if len(pending.cells) >= width:
                finish()
            continue
        finish()
        if len([cell for cell in cells if cell]) == 1 and not NUMBER_RE.fullmatch(cells[0]):
            section = clean_cell(next(cell for cell in cells if cell))[:500]
            continue
        pending = Record(record.line, cells)
        if len(cells) >= width:
            finish()
        if len(rows) > MAX_ROWS:
            errors.append(_("В таблице больше %(max)d строк.") % {"max": MAX_ROWS})
            break
    finish()
    if header is None:
        errors.append(_("Не найдена строка заголовка таблицы: нужны столбцы «№ п/п», "
                        "«Наименование мероприятия», «Сроки», «Ответственный»."))
    elif not rows and not errors:
        errors.append(_("В таблице нет ни одного мероприятия."))
    evaluate(rows, period_start, period_end, taken_numbers)
    return Preview(rows=rows, errors=errors, has_result=RESULT in columns)
