"""Registry exports: the exact cells of the xlsx and csv files, the download name, and a
query count that does not grow with the number of programs."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from opora.registry.choices import FundingSource, Level, OvzKind, ProgramStatus, Register
from opora.registry.exporters import OrganizationRegistryExporter, ProgramRegistryExporter
from opora.registry.models import GroupFunding, Organization, Program, Specialisation
from tests import factories as f
from tests.spreadsheets import COUNT, DATETIME, TEXT_ID, ods_book, ods_cells, ods_formats, xlsx_book, xlsx_formats


def _content(response):
    return b"".join(response.streaming_content)


def _csv_rows(response):
    text = _content(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


@pytest.fixture
def programs(provider):
    chess = f.program(
        provider, title="Шахматы", direction="sports", specialisation=Specialisation.objects.get(name="Шахматы"),
        levels=Level.START | Level.BASE, is_network=True, age_min=7, age_max=14, duration_months=9,
        hours_total=72, registers=Register.SIGNIFICANT, ovz_kinds=OvzKind.SPEECH | OvzKind.AUTISM,
        status=ProgramStatus.PUBLISHED)
    f.group(chess, capacity_max=12)
    paid = f.group(chess, capacity_max=15)
    GroupFunding.objects.create(group=paid, source=FundingSource.PAID, monthly_price=Decimal("1500.50"))
    closed = f.group(chess, capacity_max=40, is_active=False)
    GroupFunding.objects.create(group=closed, source=FundingSource.CERTIFICATE, monthly_price=Decimal("900"))
    robots = f.program(provider, title="Робототехника", is_distance=True, seasonal_kind="summer_school")
    return Program.objects.filter(pk__in=[chess.pk, robots.pk])


HEADER = [
    "Идентификатор", "Название", "Организация", "ИНН", "Муниципалитет", "Направленность", "Специализация",
    "Вид программы", "Уровень", "Форма обучения", "Дистанционно", "Сетевая форма", "Возраст от", "Возраст до",
    "Месяцев", "Часов", "ОВЗ", "Реестры", "Сезонность", "Статус", "Активных групп", "Мест в группах",
    "Источники финансирования", "Стоимость в месяц от, ₽", "Изменено",
]


def _expected(provider, chess, robots):
    org = [provider.short_name, provider.inn, provider.municipality.name]
    return [
        [str(robots.uuid), "Робототехника", *org, "Техническая", "", "Общеразвивающая",
         "Стартовый (ознакомительный)", "Очная", "да", "нет", 7, 14, 9, 72, "", "", "Летняя школа", "Черновик",
         0, 0, "", "", _local(robots.updated_at)],
        [str(chess.uuid), "Шахматы", *org, "Физкультурно-спортивная", "Шахматы", "Общеразвивающая",
         "Стартовый (ознакомительный), Базовый", "Очная", "нет", "да", 7, 14, 9, 72,
         "Нарушения речи, Расстройства аутистического спектра", "Значимые", "", "Опубликовано",
         2, 27, "Бюджет (бесплатно), Внебюджет (платно)", Decimal("1500.50"), _local(chess.updated_at)],
    ]


def test_program_register_xlsx_has_one_row_per_program_with_exact_values(provider, programs):
    robots, chess = programs.get(title="Робототехника"), programs.get(title="Шахматы")

    response = ProgramRegistryExporter(programs).response("xlsx")

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"programs.xlsx\"; "
        "filename*=UTF-8''%D0%A0%D0%B5%D0%B5%D1%81%D1%82%D1%80%20%D0%BF%D1%80%D0%BE%D0%B3%D1%80%D0%B0%D0%BC%D0%BC.xlsx")
    content = _content(response)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert (sheet.title, sheet.freeze_panes, sheet["A1"].font.bold, sheet["B2"].font.bold) == (
        "Программы", "A2", True, False)
    # Widths fit the content («Робототехника») and the header's longest word («Дистанционно»).
    assert (sheet.column_dimensions["B"].width, sheet.column_dimensions["K"].width) == (16, 15)
    formats = {sheet.cell(row=1, column=n).value: sheet.cell(row=3, column=n).number_format for n in range(1, 26)}
    assert (formats["ИНН"], formats["Стоимость в месяц от, ₽"], formats["Изменено"], formats["Мест в группах"]) == (
        "@", "#,##0.00", "DD.MM.YYYY HH:MM", "#,##0")
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    expected = _expected(provider, chess, robots)
    for row in expected:
        row[:] = [None if value == "" else value for value in row]
        row[23] = float(row[23]) if row[23] is not None else None
    assert rows == [HEADER, *expected]


def test_program_register_csv_is_excel_friendly_text(provider, programs):
    robots, chess = programs.get(title="Робототехника"), programs.get(title="Шахматы")

    response = ProgramRegistryExporter(programs).response("csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="programs.csv"; filename*=UTF-8\'\'')
    expected = [[_csv(value) for value in row] for row in _expected(provider, chess, robots)]
    for row in expected:  # an ИНН keeps its leading zeros in a spreadsheet
        row[3] = f'="{provider.inn}"'
    assert _csv_rows(response) == [HEADER, *expected]
    assert expected[1][23] == "1500,50"


def _csv(value):
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    return str(value).replace(".", ",") if isinstance(value, Decimal) else str(value)


def _programs_with_groups(provider, count):
    for n in range(count):
        program = f.program(provider, title=f"Программа {n}",
                            specialisation=Specialisation.objects.get(name="Робототехника"))
        f.group(program)
    return Program.objects.filter(organization=provider)


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_program_register_export_query_count_does_not_grow(
        provider, count, file_format, django_assert_max_num_queries):
    queryset = _programs_with_groups(provider, count)
    with django_assert_max_num_queries(1):
        content = _content(ProgramRegistryExporter(queryset).response(file_format))
    assert len(content) > 0


def test_organization_register_counts_programs_and_teachers(provider, other_provider, programs):
    f.teacher(provider)
    f.teacher(provider, is_active=False)
    provider.refresh_from_db()

    rows = _csv_rows(OrganizationRegistryExporter(
        Organization.objects.filter(pk__in=[provider.pk, other_provider.pk])).response("csv"))

    assert rows[0][:4] == ["Идентификатор", "Полное наименование", "Краткое наименование", "ИНН"]
    assert rows[0][-4:] == ["Программ всего", "Программ опубликовано", "Педагогов", "Изменено"]
    by_inn = {row[3]: row for row in rows[1:]}
    assert by_inn[f'="{provider.inn}"'] == [
        str(provider.uuid), provider.full_name, provider.short_name, f'="{provider.inn}"', "",
        "Организация дополнительного образования", "Образование", "Муниципальная", provider.municipality.name,
        provider.address, "нет", "", "", "", "", "", "", "да", "нет", "2", "1", "1",
        _csv(_local(provider.updated_at)),
    ]
    assert by_inn[f'="{other_provider.inn}"'][-4:-1] == ["0", "0", "0"]


@pytest.mark.parametrize("count", [3, 30])
def test_organization_register_query_count_does_not_grow(city, count, django_assert_max_num_queries):
    for _n in range(count):
        f.program(f.organization(city))
    with django_assert_max_num_queries(1):
        _content(OrganizationRegistryExporter(Organization.objects.all()).response("xlsx"))


def test_text_that_looks_like_a_formula_stays_text(provider):
    program = f.program(provider, title="=HYPERLINK(\"http://example.org\")")
    queryset = Program.objects.filter(pk=program.pk)

    sheet = openpyxl.load_workbook(io.BytesIO(_content(ProgramRegistryExporter(queryset).response("xlsx")))).active
    assert (sheet["B2"].value, sheet["B2"].data_type) == ('=HYPERLINK("http://example.org")', "s")
    assert _csv_rows(ProgramRegistryExporter(queryset).response("csv"))[1][1] == "'=HYPERLINK(\"http://example.org\")"


def test_a_formula_after_leading_spaces_stays_text(provider):
    program = f.program(provider, title="  @SUM(1+1)*cmd")
    queryset = Program.objects.filter(pk=program.pk)

    assert _csv_rows(ProgramRegistryExporter(queryset).response("csv"))[1][1] == "'  @SUM(1+1)*cmd"


def test_program_register_xlsx_is_set_up_for_print_and_filtered(provider, programs):
    sheet = xlsx_book(_content(ProgramRegistryExporter(programs).response("xlsx"))).active

    assert sheet.auto_filter.ref == "A1:Y3" and sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"  # 25 columns


def test_program_register_ods_has_the_same_rows_typed(provider, programs):
    response = ProgramRegistryExporter(programs).response("ods")
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert response["Content-Disposition"].startswith('attachment; filename="programs.ods"')

    document = ods_book(_content(response))
    rows = ods_cells(document, "Программы")
    assert [cell["value"] for cell in rows[0]] == HEADER
    formats = ods_formats(document, "Программы", 0, 2)
    assert (formats["ИНН"], formats["Мест в группах"], formats["Стоимость в месяц от, ₽"], formats["Изменено"]) == (
        ("string", "N_id"), ("float", "N_count"), ("float", "N_money"), ("date", "N_datetime"))
    chess = rows[2]
    assert (chess[1]["value"], chess[3]["value"], chess[23]["value"]) == ("Шахматы", provider.inn, 1500.5)


def test_organization_register_in_both_formats(provider, programs):
    queryset = Organization.objects.filter(pk=provider.pk)
    sheet = xlsx_book(_content(OrganizationRegistryExporter(queryset).response("xlsx"))).active
    formats = xlsx_formats(sheet)
    assert (formats["ИНН"], formats["ОГРН"], formats["Программ всего"], formats["Изменено"]) == (
        TEXT_ID, "General", COUNT, DATETIME)
    document = ods_book(_content(OrganizationRegistryExporter(queryset).response("ods")))
    assert ods_cells(document, "Организации")[1][3] == {"value": provider.inn, "type": "string", "format": "N_id"}
