"""Excel uploads built the way a user fills the import template: one valid program and
group row to vary per test, and ``xlsx`` to put rows on the sheets."""

import datetime as dt
import io
import zipfile

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from opora.registry.excel_import import GROUP_COLUMNS, ORGANIZATION_COLUMNS, PROGRAM_COLUMNS

P, G, ORG = "Программы", "Группы", "Организация"

PROGRAM = {
    "title": "Шахматы для начинающих", "direction": "Физкультурно-спортивная", "specialisation": "Шахматы",
    "program_type": "Общеразвивающая", "levels": "Стартовый (ознакомительный)", "study_form": "Очная",
    "is_distance": "нет", "is_network": "нет", "age_min": 7, "age_max": 12, "duration_months": 9,
    "hours_total": 72, "group_size_min": 5, "group_size_max": 12, "ovz_kinds": None, "is_for_disabled": "нет",
    "registers": "Значимые", "seasonal_kind": None, "description": "Учимся играть в шахматы.", "goals": None,
    "expected_results": None, "material_base": None, "address": "ул. Шахматная, 1",
}
GROUP = {
    "program": "Шахматы для начинающих", "name": "Группа А", "start_date": dt.date(2026, 9, 1),
    "end_date": dt.date(2027, 5, 31), "hours_per_year": 72, "capacity_min": 5, "capacity_max": 12,
    "age_min": None, "age_max": None, "teachers": "Иванова Мария Петровна", "weekdays": "Пн, Ср",
    "time_from": dt.time(15, 0), "time_to": dt.time(16, 30), "lesson_minutes": 40, "break_minutes": 10,
    "address": None, "source": "Бюджет (бесплатно)", "monthly_price": 0, "enrolment_open": "да",
    "enrolment_from": dt.date(2026, 8, 15), "enrolment_to": dt.date(2026, 9, 30),
}


def _sheet(workbook, title, columns, rows):
    sheet = workbook.create_sheet(title)
    sheet.append([str(c.label) for c in columns])
    for row in rows:
        sheet.append([row.get(c.attr) for c in columns])


def xlsx(programs=(), groups=(), *, with_groups_sheet=True, organization=None, with_programs_sheet=True,
         name="программы.xlsx"):
    """An upload built the way a user fills the template: one dict of attr → cell per row;
    ``organization``, if given, the rows of the sheet «Организация»."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    if with_programs_sheet:
        _sheet(workbook, P, PROGRAM_COLUMNS, [{**PROGRAM, **row} for row in programs])
    if with_groups_sheet:
        _sheet(workbook, G, GROUP_COLUMNS, [{**GROUP, **row} for row in groups])
    if organization is not None:
        _sheet(workbook, ORG, ORGANIZATION_COLUMNS, organization)
    stream = io.BytesIO()
    workbook.save(stream)
    return SimpleUploadedFile(name, stream.getvalue())


def _ods_cell(value):
    from odfdo import Cell

    if value is None:
        return Cell()
    if isinstance(value, dt.time):  # Calc stores a time of day as a duration
        return Cell(value=dt.timedelta(hours=value.hour, minutes=value.minute))
    return Cell(value=value)


def ods_content(programs=(), groups=(), *, with_groups_sheet=True):
    """The same upload as ``xlsx`` saved by LibreOffice Calc: typed cells (numbers as
    floats, dates, times as durations) written by odfdo, and the repetitions Calc writes
    — a thousand empty columns on each row, a million empty rows after the last."""
    from odfdo import Document, Row, Table

    document = Document("spreadsheet")
    document.body.clear()
    sheets = [(P, PROGRAM_COLUMNS, [{**PROGRAM, **row} for row in programs])]
    if with_groups_sheet:
        sheets.append((G, GROUP_COLUMNS, [{**GROUP, **row} for row in groups]))
    for title, columns, rows in sheets:
        table = Table(title)
        document.body.append(table)
        for values in [[str(c.label) for c in columns], *([row.get(c.attr) for c in columns] for row in rows)]:
            row = Row()
            for value in values:
                row.append(_ods_cell(value))
            row.append(_ods_cell(None))
            row.last_cell().set_attribute("table:number-columns-repeated", "1000")
            table.append(row)
        table.append(Row(repeated=1_048_000))
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def ods(programs=(), groups=(), *, with_groups_sheet=True, name="программы.ods"):
    return SimpleUploadedFile(name, ods_content(programs, groups, with_groups_sheet=with_groups_sheet))


# --- hostile and oversized files ---------------------------------------------------

def zip_without_workbook():
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("hello.txt", "привет")
    return stream.getvalue()


def with_dimension(content, ref):
    """The same xlsx with the first sheet stating ``ref`` as its size (write-only
    workbooks state none), the way Excel writes it."""
    source, stream = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetViews>", f'<dimension ref="{ref}" /><sheetViews>'.encode(), 1)
            target.writestr(info.filename, data)
    return stream.getvalue()


def probe(rows, columns, *, header=PROGRAM_COLUMNS):
    """A file like the denial-of-service probe: the template's header, then many rows of
    many small cells, all right of the columns the import reads (so every row looks
    empty to it), written the cheap way, as a streaming writer does."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(P)
    sheet.append([str(c.label) for c in header])
    cells = [None] * len(header) + list(range(columns - len(header)))
    for _row in range(rows):
        sheet.append(cells)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
