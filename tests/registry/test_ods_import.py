"""The import reads an .ods (LibreOffice Calc) as it reads an .xlsx: the same rows, the
same row and column reports, nothing saved from a bad file; the template comes in both
formats and either imports as it is."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from odfdo import Document

from opora.core import ods as ods_module
from opora.errors import ValidationFailed
from opora.registry import excel_import, services
from opora.registry.excel_template import build_template
from opora.registry.models import Group, Program
from tests import factories as f
from tests.registry.workbooks import G, P, ods, ods_content, xlsx
from tests.spreadsheets import ods_book, xlsx_book

GOOD = {"programs": [{}, {"title": "Шахматы для продолжающих", "age_min": 9}],
        "groups": [{}, {"program": "Шахматы для продолжающих", "name": "Группа Б", "monthly_price": 1500.5,
                        "source": "Внебюджет (платно)"}]}
BAD = {"programs": [{"title": None}, {"direction": "Кулинарная", "age_min": "семь"}],
       "groups": [{"program": "Нет такой", "teachers": "Кто-то", "start_date": "31.02.2026"}]}


@pytest.fixture
def teachers(provider):
    return [f.teacher(provider, last_name="Иванова", first_name="Мария", patronymic="Петровна")]


def test_an_ods_saved_by_calc_reads_as_the_same_rows_as_the_xlsx(provider, teachers):
    from_xlsx = excel_import.read_workbook(xlsx(**GOOD))
    from_ods = excel_import.read_workbook(ods(**GOOD))

    assert from_ods.rows == from_xlsx.rows
    assert set(from_ods.rows) == {P, G} and len(from_ods.rows[P]) == 2


def test_an_ods_imports_the_same_programs_and_groups(provider, staff, teachers):
    result = services.import_programs(staff, provider, ods(**GOOD))

    assert (result.errors, result.programs_created, result.groups_created) == ([], 2, 2)
    paid = Group.objects.get(name="Группа Б")
    assert (paid.module.program.title, paid.start_date.isoformat(), paid.funding.get().monthly_price) == (
        "Шахматы для продолжающих", "2026-09-01", Decimal("1500.50"))


def test_a_bad_ods_gets_the_same_row_and_column_reports_and_saves_nothing(provider, staff, teachers):
    from_xlsx = services.import_programs(staff, provider, xlsx(**BAD))
    from_ods = services.import_programs(staff, provider, ods(**BAD))

    assert from_ods.errors == from_xlsx.errors
    assert {(e.sheet, e.row) for e in from_ods.errors} >= {(P, 2), (P, 3), (G, 2)}
    assert Program.objects.count() == 0


@pytest.mark.parametrize("file_format", ["xlsx", "ods"])
def test_the_template_in_either_format_imports_as_it_is(provider, staff, teachers, file_format):
    upload = SimpleUploadedFile(f"шаблон.{file_format}", build_template(provider, file_format))

    result = services.import_programs(staff, provider, upload)

    assert (result.errors, result.programs_created, result.groups_created) == ([], 1, 1)


def test_the_ods_template_has_the_lists_notes_and_dropdowns(provider, teachers):
    document = Document(io.BytesIO(build_template(provider, "ods")))
    tables = ods_module.sheets_of(document)

    assert list(tables) == [P, G, "Организация", "Справочники"]
    programs = ods_module.OdsWorksheet(tables[P])
    header, example = list(programs.iter_rows(max_row=2, max_col=3))
    assert header == ("Название*", "Направленность*", "Специализация")
    assert example[1] == "Техническая"
    content = document.get_part("content.xml").serialize().decode()
    assert "of:cell-content-is-in-list([$'Справочники'.$A$2:.$A$7])" in content
    assert "Строка 2 — пример" in content  # the note on «Название»


def test_a_damaged_ods_is_refused_with_how_to_resave_it(provider, staff):
    content = ods_content(programs=[{}]).replace(b"content.xml", b"content.xmX")

    with pytest.raises(ValidationFailed) as refused:
        services.import_programs(staff, provider, SimpleUploadedFile("программы.ods", content))

    assert "LibreOffice Calc (.ods)" in refused.value.message
    assert "«Электронная таблица ODF (.ods)»" in refused.value.message


def test_the_template_is_set_up_as_every_export(provider, teachers):
    book = xlsx_book(build_template(provider), filtered=False)
    programs = book[P]
    assert programs.freeze_panes == "B2" and programs["A1"].fill.start_color.rgb.endswith("FCE4D6")
    assert programs["A2"].number_format == "General" and book[G]["C2"].number_format == "DD.MM.YYYY"
    assert book[G]["L2"].number_format == "HH:MM"
    ods_book(build_template(provider, "ods"), filtered=False)
