"""The xlsx template of the program import, built from the same column lists the
importer reads, so the two cannot drift apart.

Sheets «Программы» and «Группы»: a bold header whose cells carry a note on what
to enter, an example row, drop-down lists on choice columns and number formats
on dates and times. Sheet «Справочники»: every allowed value, with the
organization's own teachers, which the drop-downs refer to.
"""

import datetime as dt
import io

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

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
    PROGRAM_COLUMNS,
    PROGRAMS_SHEET,
)
from opora.registry.excel_values import iso_date, time_of_day
from opora.registry.models import Specialisation, Teacher

HEADER_FILL = PatternFill("solid", start_color="DDEBF7")
REQUIRED_FILL = PatternFill("solid", start_color="FCE4D6")

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


def _list_ranges(sheet, lists):
    ranges = {}
    bold = Font(bold=True)
    for index, (key, header, values) in enumerate(lists, start=1):
        letter = get_column_letter(index)
        sheet.cell(row=1, column=index, value=str(header)).font = bold
        for row, value in enumerate(values, start=2):
            sheet.cell(row=row, column=index, value=str(value))
        sheet.column_dimensions[letter].width = max(18, min(45, max((len(str(v)) for v in values), default=0) + 2))
        last = max(len(values), 1) + 1
        ranges[key] = f"{quote_sheetname(sheet.title)}!${letter}$2:${letter}${last}"
    sheet.freeze_panes = "A2"
    return ranges


def _data_sheet(sheet, columns, example, ranges):
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        label = str(column.label)
        cell = sheet.cell(row=1, column=index, value=f"{label}*" if column.required else label)
        cell.font = Font(bold=True)
        cell.alignment = wrap
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        note = " ".join(part for part in (_("Обязательное поле.") if column.required else "",
                                          str(column.hint)) if part)
        if note:
            cell.comment = Comment(note, _("Опора"), width=320, height=140)
        sheet.column_dimensions[letter].width = column.width
        value = example.get(column.attr)
        if isinstance(value, Promise):
            value = str(value)
        example_cell = sheet.cell(row=2, column=index, value=value if value != "" else None)
        cells = f"{letter}2:{letter}{MAX_ROWS + 1}"
        if column.parse is iso_date or column.attr in ("enrolment_from", "enrolment_to"):
            example_cell.number_format = "DD.MM.YYYY"
        elif column.parse is time_of_day:
            example_cell.number_format = "HH:MM"
        source = DROPDOWNS.get(column.attr)
        if source:
            validation = DataValidation(
                type="list", formula1=f"={ranges[source]}", allow_blank=True, showErrorMessage=True,
                errorTitle=_("Недопустимое значение"), error=_("Выберите значение из списка."))
            if column.attr == "specialisation":
                validation.showErrorMessage = False  # names are checked against the direction on import
            validation.add(cells)
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "B2"


def build_template(organization) -> bytes:
    """The xlsx template for ``organization``: its teachers are on «Справочники» and the
    example group names the first of them."""
    with translation.override("ru"):
        lists = _lists(organization)
        teachers = next(values for key, _header, values in lists if key == "teachers")
        program_example, group_example = _example(organization, teachers)
        workbook = Workbook()
        programs = workbook.active
        programs.title = PROGRAMS_SHEET
        groups = workbook.create_sheet(GROUPS_SHEET)
        reference = workbook.create_sheet(LISTS_SHEET)
        ranges = _list_ranges(reference, lists)
        _data_sheet(programs, PROGRAM_COLUMNS, program_example, ranges)
        _data_sheet(groups, GROUP_COLUMNS, group_example, ranges)
        stream = io.BytesIO()
        workbook.save(stream)
    return stream.getvalue()
