"""The template of the program import, as .xlsx or .ods, built from the same column
lists the importer reads, so the two cannot drift apart, and written by the exporter
base (``opora.core.exporters``), so it is formatted as every other file.

Sheets «Программы», «Группы» and «Организация» (the organization's coordinates,
filled with those it has): a bold header whose cells carry a note on what
to enter (required columns marked «*» and coloured), an example row, drop-down
lists on choice columns and number formats on dates and times. Sheet
«Справочники»: every allowed value, with the organization's own teachers, which
the drop-downs refer to.
"""

import datetime as dt
import io

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from opora.core.exporters import Choices, Column, Kind, Sheet, write_xlsx
from opora.registry.choices import (
    Direction,
    FundingSource,
    Level,
    OvzKind,
    ProgramType,
    Register,
    SeasonalKind,
    StudyForm,
    Weekday,
)
from opora.registry.excel_import import (
    GROUP_COLUMNS,
    GROUPS_SHEET,
    LISTS_SHEET,
    MAX_ROWS,
    ORGANIZATION_COLUMNS,
    ORGANIZATION_SHEET,
    PROGRAM_COLUMNS,
    PROGRAMS_SHEET,
)
from opora.registry.excel_values import iso_date, time_of_day
from opora.registry.models import Specialisation, Teacher

# Choice columns whose drop-down takes its values from a list on «Справочники».
DROPDOWNS = {
    "direction": "directions",
    "specialisation": "specialisations",
    "program_type": "program_types",
    "study_form": "study_forms",
    "seasonal_kind": "seasonal_kinds",
    "is_distance": "yes_no",
    "is_network": "yes_no",
    "is_for_disabled": "yes_no",
    "source": "funding_sources",
    "enrolment_open": "yes_no",
}


def _lists(organization):
    """(key, header, values) of every list on «Справочники», in column order."""
    specialisations = list(Specialisation.objects.order_by("direction", "name"))
    teachers = Teacher.objects.filter(organization=organization, is_active=True).order_by(
        "last_name", "first_name", "patronymic")
    return [
        ("directions", _("Направленность"), Direction.labels),
        ("specialisations", _("Специализация"), [s.name for s in specialisations]),
        ("specialisation_directions", _("Направленность специализации"),
         [s.get_direction_display() for s in specialisations]),
        ("program_types", _("Вид программы"), ProgramType.labels),
        ("levels", _("Уровень"), [m.label for m in Level]),
        ("study_forms", _("Форма обучения"), StudyForm.labels),
        ("seasonal_kinds", _("Сезонность"), SeasonalKind.labels),
        ("ovz_kinds", _("ОВЗ"), [m.label for m in OvzKind]),
        ("registers", _("Реестры"), [m.label for m in Register]),
        ("weekdays", _("Дни недели"), [m.label for m in Weekday]),
        ("funding_sources", _("Источник финансирования"), FundingSource.labels),
        ("yes_no", _("Да/нет"), [_("да"), _("нет")]),
        ("teachers", _("Педагоги организации"), [t.full_name for t in teachers]),
    ]


def _example(organization, teachers):
    """A program and a group that import as they are, dated for the coming school year."""
    today = timezone.localdate()
    year = today.year if today < dt.date(today.year, 8, 1) else today.year + 1
    title = _("Робототехника для начинающих (пример)")
    program = {
        "title": title, "direction": Direction.TECHNICAL.label, "specialisation": "Робототехника",
        "program_type": ProgramType.GENERAL.label, "levels": f"{Level.START.label}, {Level.BASE.label}",
        "study_form": StudyForm.FULL_TIME.label, "is_distance": _("нет"), "is_network": _("нет"),
        "age_min": 7, "age_max": 12, "duration_months": 9, "hours_total": 72,
        "group_size_min": 8, "group_size_max": 15, "ovz_kinds": OvzKind.SPEECH.label,
        "is_for_disabled": _("нет"), "registers": Register.SIGNIFICANT.label,
        "seasonal_kind": SeasonalKind.NONE.label,
        "description": _("Дети собирают и программируют роботов из образовательных конструкторов."),
        "goals": _("Развитие инженерного мышления и интереса к техническому творчеству."),
        "expected_results": _("Ребёнок собирает модель по схеме и пишет для неё простую программу."),
        "material_base": _("Наборы образовательной робототехники, ноутбуки."),
        "address": organization.address,
    }
    group = {
        "program": title, "name": _("Группа 1"), "start_date": dt.date(year, 9, 1),
        "end_date": dt.date(year + 1, 5, 31), "hours_per_year": 72, "capacity_min": 8,
        "capacity_max": 15, "age_min": 7, "age_max": 10,
        "teachers": teachers[0] if teachers else "", "weekdays": f"{Weekday.MON.label}, {Weekday.WED.label}",
        "time_from": dt.time(15, 0), "time_to": dt.time(16, 30), "lesson_minutes": 40, "break_minutes": 10,
        "address": organization.address, "source": FundingSource.BUDGET.label, "monthly_price": 0,
        "enrolment_open": _("да"), "enrolment_from": dt.date(year, 8, 15), "enrolment_to": dt.date(year, 9, 30),
    }
    return program, group


def _lists_sheet(lists) -> Sheet:
    """«Справочники»: a column per list."""
    longest = max((len(values) for _key, _header, values in lists), default=0)
    columns = [Column(str(header), None, 45, Kind.TEXT) for _key, header, _values in lists]
    rows = [[str(values[row]) if row < len(values) else None for _key, _header, values in lists]
            for row in range(longest)]
    return Sheet(LISTS_SHEET, columns, rows, filter=False)


def _kind(column):
    if column.parse is iso_date or column.attr in ("enrolment_from", "enrolment_to"):
        return Kind.DATE
    if column.parse is time_of_day:
        return Kind.TIME
    return None


def _data_sheet(title, columns, example, lists, input_rows=MAX_ROWS) -> Sheet:
    """A sheet to fill in: a header of the importer's own columns (required ones marked
    with «*» and coloured, each with a note on what to enter), the example row and
    drop-down lists from «Справочники» on the choice columns."""
    positions = {key: (index, len(values)) for index, (key, _header, values) in enumerate(lists, start=1)}
    notes, required, choices, row = {}, set(), {}, []
    for index, column in enumerate(columns):
        note = " ".join(part for part in (_("Обязательное поле.") if column.required else "",
                                          str(column.hint)) if part)
        if note:
            notes[index] = note
        if column.required:
            required.add(index)
        source = DROPDOWNS.get(column.attr)
        if source:
            list_column, count = positions[source]
            # Specialisation names are checked against the direction on import.
            choices[index] = Choices(LISTS_SHEET, list_column, max(count, 1) + 1,
                                     strict=column.attr != "specialisation")
        value = example.get(column.attr)
        row.append(str(value) if isinstance(value, Promise) else (None if value == "" else value))
    header = [Column(f"{column.label}*" if column.required else str(column.label), None, column.width,
                     _kind(column)) for column in columns]
    return Sheet(title, header, [row], notes=notes, required=frozenset(required), choices=choices,
                 input_rows=input_rows, frozen_columns=1, filter=False)


def template_sheets(organization) -> list[Sheet]:
    """The sheets of the template for ``organization``: its teachers are on «Справочники»
    and the example group names the first of them."""
    with translation.override("ru"):
        lists = _lists(organization)
        teachers = next(values for key, _header, values in lists if key == "teachers")
        program_example, group_example = _example(organization, teachers)
        return [_data_sheet(PROGRAMS_SHEET, PROGRAM_COLUMNS, program_example, lists),
                _data_sheet(GROUPS_SHEET, GROUP_COLUMNS, group_example, lists),
                _data_sheet(ORGANIZATION_SHEET, ORGANIZATION_COLUMNS,
                            {"latitude": organization.latitude, "longitude": organization.longitude},
                            lists, input_rows=1),
                _lists_sheet(lists)]


def build_template(organization, file_format: str = "xlsx") -> bytes:
    """The template for ``organization`` as .xlsx or .ods, written by the exporter base."""
    sheets = template_sheets(organization)
    stream = io.BytesIO()
    with translation.override("ru"):
        if file_format == "ods":
            from opora.core.ods import write_ods

            write_ods(sheets, stream)
        else:
            write_xlsx(sheets, stream)
    return stream.getvalue()
