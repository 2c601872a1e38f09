"""Excel import of programs and groups: every bad row reported, all or nothing unless
asked to keep the good rows, the organization's own teachers and programs, the template."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opora.audit.models import AuditEvent
from opora.errors import PermissionDenied, ValidationFailed
from opora.navigator.models import CatalogEntry
from opora.registry import excel_file, excel_import, services
from opora.registry.choices import (
    Direction,
    FundingSource,
    Level,
    OvzKind,
    ProgramStatus,
    ProgramType,
    Register,
    SeasonalKind,
    StudyForm,
    Weekday,
)
from opora.registry.excel_import import RowError
from opora.registry.excel_template import build_template
from opora.registry.models import Group, GroupFunding, Module, Program, ScheduleLine
from tests import factories as f
from tests.registry.workbooks import PROGRAM, G, P, probe, with_dimension, xlsx, zip_without_workbook


@pytest.fixture
def teachers(provider):
    return [f.teacher(provider), f.teacher(provider, last_name="Сидоров", first_name="Иван", patronymic="")]


def _counts():
    return (Program.objects.count(), Module.objects.count(), Group.objects.count(),
            ScheduleLine.objects.count(), GroupFunding.objects.count(), AuditEvent.objects.count())


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None)


def test_good_file_creates_programs_with_modules_groups_schedule_funding_and_teachers(
        provider, staff, teachers):
    upload = xlsx(
        programs=[{}, {
            "title": "Робототехника", "direction": "техническая", "specialisation": "робототехника",
            "program_type": "pre_professional", "levels": "базовый, Продвинутый", "study_form": "mixed",
            "is_distance": "Да", "is_network": True, "age_min": "8", "age_max": "14", "duration_months": 9.0,
            "hours_total": "144", "group_size_min": None, "group_size_max": None,
            "ovz_kinds": "Нарушения речи; слабовидящие", "is_for_disabled": "да",
            "registers": "Сертифицированные, Платные", "seasonal_kind": "Летняя школа",
            "description": "Собираем роботов.", "goals": "Инженерное мышление",
        }],
        groups=[{}, {
            "program": "робототехника", "name": "Роботы-1", "start_date": "01.09.2026", "end_date": "31.05.2027",
            "hours_per_year": "144", "capacity_min": None, "capacity_max": "10", "age_min": 9, "age_max": 13,
            "teachers": "Иванова Мария Петровна, Сидоров И.", "weekdays": "вт, чт, Сб", "time_from": "17.00",
            "time_to": "18:30", "lesson_minutes": None, "break_minutes": None, "address": "каб. 12",
            "source": "Внебюджет (платно)", "monthly_price": "1 500,50", "enrolment_open": None,
            "enrolment_from": None, "enrolment_to": None,
        }],
    )

    result = services.import_programs(staff, provider, upload)

    assert result.errors == []
    assert (result.programs_created, result.groups_created) == (2, 2)
    chess, robots = sorted(result.programs, key=lambda p: p.title, reverse=True)
    chess.refresh_from_db()
    robots.refresh_from_db()
    assert (chess.organization, chess.status, chess.direction, chess.specialisation.name) == (
        provider, ProgramStatus.INITIAL, Direction.SPORTS, "Шахматы")
    assert (chess.levels, chess.study_form, chess.is_distance, chess.is_network) == (
        Level.START, StudyForm.FULL_TIME, False, False)
    assert (chess.age_min, chess.age_max, chess.duration_months, chess.hours_total) == (7, 12, 9, 72)
    assert (chess.group_size_min, chess.group_size_max, chess.ovz_kinds, chess.registers) == (
        5, 12, 0, Register.SIGNIFICANT)
    assert (chess.seasonal_kind, chess.description, chess.address) == (
        SeasonalKind.NONE, "Учимся играть в шахматы.", "ул. Шахматная, 1")
    assert (robots.direction, robots.specialisation.name, robots.program_type) == (
        Direction.TECHNICAL, "Робототехника", ProgramType.PRE_PROFESSIONAL)
    assert (robots.levels, robots.study_form, robots.is_distance, robots.is_network) == (
        Level.BASE | Level.ADVANCED, StudyForm.MIXED, True, True)
    assert (robots.age_min, robots.age_max, robots.hours_total, robots.group_size_min, robots.group_size_max) == (
        8, 14, 144, 1, 15)
    assert (robots.ovz_kinds, robots.is_for_disabled) == (OvzKind.SPEECH | OvzKind.VISUALLY_IMPAIRED, True)
    assert (robots.registers, robots.seasonal_kind, robots.goals) == (
        Register.CERTIFIED | Register.PAID, SeasonalKind.SUMMER_SCHOOL, "Инженерное мышление")

    assert [(m.year_of_study, m.title, m.hours) for m in robots.modules.all()] == [
        (1, "Робототехника. 1-й год обучения", 144)]
    group = Group.objects.get(module__program=chess)
    assert (group.name, group.start_date, group.end_date, group.hours_per_year) == (
        "Группа А", dt.date(2026, 9, 1), dt.date(2027, 5, 31), 72)
    assert (group.capacity_min, group.capacity_max, group.age_min, group.age_max) == (5, 12, 7, 12)
    assert (group.enrolment_open, _local(group.enrolment_from), _local(group.enrolment_to)) == (
        True, dt.datetime(2026, 8, 15, 0, 0), dt.datetime(2026, 9, 30, 23, 59))
    assert list(group.teachers.all()) == [teachers[0]]
    assert [(s.weekdays, s.time_from, s.time_to, s.lesson_minutes, s.break_minutes)
            for s in group.schedule.all()] == [(Weekday.MON | Weekday.WED, dt.time(15), dt.time(16, 30), 40, 10)]
    assert [(x.source, x.monthly_price) for x in group.funding.all()] == [(FundingSource.BUDGET, Decimal("0"))]

    group = Group.objects.get(module__program=robots)
    assert (group.name, group.capacity_min, group.capacity_max, group.age_min, group.age_max, group.address) == (
        "Роботы-1", 1, 10, 9, 13, "каб. 12")
    assert (group.enrolment_open, group.enrolment_from, group.enrolment_to) == (False, None, None)
    assert sorted(t.last_name for t in group.teachers.all()) == ["Иванова", "Сидоров"]
    assert [(s.weekdays, s.time_from, s.time_to, s.lesson_minutes, s.break_minutes)
            for s in group.schedule.all()] == [
        (Weekday.TUE | Weekday.THU | Weekday.SAT, dt.time(17), dt.time(18, 30), 45, 10)]
    assert [(x.source, x.monthly_price) for x in group.funding.all()] == [(FundingSource.PAID, Decimal("1500.50"))]

    events = AuditEvent.objects.filter(action="registry.program.imported").order_by("target_id")
    assert [(e.actor_id, e.target_id, e.to_state) for e in events] == [
        (staff.pk, str(chess.pk), ProgramStatus.INITIAL), (staff.pk, str(robots.pk), ProgramStatus.INITIAL)]
    assert chess.history.count() == 1


def test_bad_file_reports_every_error_with_row_and_column_and_saves_nothing(provider, staff, teachers):
    f.program(provider, title="Уже есть")
    before = _counts()
    upload = xlsx(
        programs=[
            {},  # row 2: good
            {"title": None, "direction": "Кулинарная"},  # row 3
            {"title": "Шахматы для начинающих"},  # row 4: duplicate of row 2
            {"title": "уже есть"},  # row 5: the organization already has it
            {"title": "Футбол", "age_min": 12, "age_max": 7, "specialisation": "Робототехника"},  # row 6
            {"title": "Театр", "specialisation": "Кукольный театр", "levels": "Средний",
             "is_distance": "может быть", "age_max": 25},  # row 7
        ],
        groups=[
            {},  # row 2: good
            {"program": "Нет такой", "teachers": "Петров Пётр"},  # row 3
            {"name": "Группа В", "start_date": "31.02.2026", "time_from": "25:00", "capacity_min": 15,
             "capacity_max": 10},  # row 4
            {"name": "Группа Б", "end_date": dt.date(2026, 8, 1), "time_from": dt.time(17),
             "time_to": dt.time(16), "monthly_price": 500, "age_min": 5},  # row 5
        ],
    )

    result = services.import_programs(staff, provider, upload)

    assert (result.programs_created, result.groups_created, result.programs) == (0, 0, [])
    assert result.errors == [
        RowError(P, 3, "Название", "Заполните это поле."),
        RowError(P, 3, "Направленность", "Недопустимое значение «Кулинарная». Выберите одно из: Техническая, "
                 "Естественнонаучная, Художественная, Туристско-краеведческая, Социально-гуманитарная, "
                 "Физкультурно-спортивная."),
        RowError(P, 4, "Название", "Программа «Шахматы для начинающих» уже есть в файле, в строке 2."),
        RowError(P, 5, "Название", "У организации уже есть программа «уже есть»."),
        RowError(P, 6, "Специализация", "Специализация не относится к выбранной направленности."),
        RowError(P, 6, "Возраст до", "Возраст «до» не может быть меньше возраста «от»."),
        RowError(P, 7, "Специализация", "Неизвестная специализация «Кукольный театр». Выберите её из листа "
                 "«Справочники»."),
        RowError(P, 7, "Уровни", "Недопустимые значения: «Средний». Допустимые: Стартовый (ознакомительный), "
                 "Базовый, Продвинутый (углублённый)."),
        RowError(P, 7, "Дистанционно", "Введите «да» или «нет»."),
        RowError(P, 7, "Возраст до", "Убедитесь, что это значение меньше либо равно 18."),
        RowError(G, 3, "Программа", "Программа «Нет такой» не найдена ни в файле, ни среди программ организации."),
        RowError(G, 3, "Педагоги", "Педагог «Петров Пётр» не найден среди педагогов организации."),
        RowError(G, 4, "Начало занятий", "Введите дату в формате ДД.ММ.ГГГГ, например 01.09.2025."),
        RowError(G, 4, "Мест максимум", "Мест максимум не может быть меньше, чем мест минимум."),
        RowError(G, 4, "Время с", "Введите время в формате ЧЧ:ММ, например 15:30."),
        RowError(G, 5, "Окончание занятий", "Окончание занятий должно быть позже их начала."),
        RowError(G, 5, "Возраст от", "Возраст группы должен быть в пределах возраста программы (7–12 лет)."),
        RowError(G, 5, "Время до", "Время окончания должно быть позже времени начала."),
        RowError(G, 5, "Стоимость в месяц, ₽", "Обучение за счёт бюджета бесплатно."),
    ]
    assert _counts() == before


def test_keep_valid_saves_good_programs_with_their_good_groups_and_reports_the_rest(provider, staff, teachers):
    upload = xlsx(
        programs=[{"title": "Первая"}, {"title": "Вторая"}, {"title": "Третья", "age_min": 15, "age_max": 9}],
        groups=[
            {"program": "Первая", "name": "1А"},
            {"program": "Первая", "name": "1Б", "capacity_max": 0},
            {"program": "Вторая", "name": "2А", "teachers": "Никто Никтович"},
            {"program": "Третья", "name": "3А", "age_min": 10, "age_max": 11},
        ],
    )

    result = services.import_programs(staff, provider, upload, keep_valid=True)

    assert sorted(p.title for p in result.programs) == ["Вторая", "Первая"]
    assert result.groups_created == 1
    assert result.errors == [
        RowError(P, 4, "Возраст до", "Возраст «до» не может быть меньше возраста «от»."),
        RowError(G, 3, "Мест максимум", "Убедитесь, что это значение больше либо равно 1."),
        RowError(G, 4, "Педагоги", "Педагог «Никто Никтович» не найден среди педагогов организации."),
        RowError(G, 5, "Программа", "Группа не загружена: в строке 4 листа «Программы» есть ошибки."),
    ]
    assert sorted(Program.objects.filter(organization=provider).values_list("title", flat=True)) == [
        "Вторая", "Первая"]
    assert list(Group.objects.values_list("module__program__title", "name")) == [("Первая", "1А")]
    assert AuditEvent.objects.filter(action="registry.program.imported").count() == 2


def test_duplicate_titles_are_compared_without_case_spaces_and_yo(provider, staff):
    f.program(provider, title="Ёлочка  зелёная")
    before = _counts()
    upload = xlsx(programs=[{"title": "Танцы"}, {"title": "  танцы "}, {"title": "елочка зеленая"}],
                  with_groups_sheet=False)

    result = services.import_programs(staff, provider, upload, keep_valid=True)

    assert [p.title for p in result.programs] == ["Танцы"]
    assert result.errors == [
        RowError(P, 3, "Название", "Программа «танцы» уже есть в файле, в строке 2."),
        RowError(P, 4, "Название", "У организации уже есть программа «елочка зеленая»."),
    ]
    assert _counts()[0] == before[0] + 1


def test_a_program_of_another_organization_does_not_count_as_duplicate_or_target(
        provider, other_provider, staff, teachers):
    f.program(other_provider, title="Шахматы для начинающих")
    result = services.import_programs(staff, provider, xlsx(programs=[{}], groups=[{}]))
    assert (result.errors, result.programs_created, result.groups_created) == ([], 1, 1)


def test_unknown_and_ambiguous_teachers_are_reported(provider, other_provider, staff, teachers):
    f.teacher(provider, last_name="Смирнова", first_name="Анна", patronymic="")
    f.teacher(provider, last_name="Смирнова", first_name="Анна", patronymic="")
    f.teacher(provider, last_name="Орлов", first_name="Олег", patronymic="", is_active=False)
    f.teacher(other_provider, last_name="Чужой", first_name="Педагог", patronymic="")
    upload = xlsx(programs=[{}], groups=[{"teachers": "Смирнова Анна; Орлов Олег, Чужой Педагог, сидоров  и."}])

    result = services.import_programs(staff, provider, upload)

    assert result.errors == [
        RowError(G, 2, "Педагоги", "В организации несколько педагогов «Смирнова Анна»: добавьте группе педагога "
                 "вручную."),
        RowError(G, 2, "Педагоги", "Педагог «Орлов Олег» не найден среди педагогов организации."),
        RowError(G, 2, "Педагоги", "Педагог «Чужой Педагог» не найден среди педагогов организации."),
    ]
    assert Program.objects.filter(organization=provider).count() == 0


def test_groups_are_added_to_existing_programs_of_the_organization(provider, staff, teachers):
    program = f.program(provider, title="Шахматы для начинающих", age_min=6, age_max=16)
    f.group(program, name="Старая группа")
    archived = f.program(provider, title="Архивная", status=ProgramStatus.ARCHIVE)
    upload = xlsx(groups=[{}, {"name": "старая   группа"}, {"program": archived.title}, {"name": "Б", "age_min": 5}])

    result = services.import_programs(staff, provider, upload, keep_valid=True)

    assert (result.programs_created, result.groups_created) == (0, 1)
    assert result.errors == [
        RowError(G, 3, "Название группы", "В программе уже есть группа «старая   группа»."),
        RowError(G, 4, "Программа", "Программа «Архивная» в архиве: группы в неё не добавляются."),
        RowError(G, 5, "Возраст от", "Возраст группы должен быть в пределах возраста программы (6–16 лет)."),
    ]
    group = program.modules.get().groups.get(name="Группа А")
    assert (group.age_min, group.age_max) == (6, 16)
    assert not AuditEvent.objects.filter(action="registry.program.imported").exists()


def test_groups_imported_into_a_published_program_reach_the_catalog(provider, staff, teachers):
    program = f.program(provider, title="Шахматы для начинающих", age_min=6, age_max=16,
                        status=ProgramStatus.PUBLISHED)
    entry = CatalogEntry.objects.get(program=program)
    assert (entry.next_start, entry.free_seats) == (None, 0)

    services.import_programs(staff, provider, xlsx(groups=[{}]))

    group = program.modules.get().groups.get()
    entry.refresh_from_db()
    assert (entry.next_start, entry.free_seats) == (group.start_date, group.capacity_max)
    # the new group's price is recorded, as every price set on the pages is
    line = group.funding.get()
    event = AuditEvent.objects.get(action="registry.group.price_changed")
    assert (event.actor, event.target_id, event.data["group"], event.data["source"],
            event.data["old"], event.data["new"]) == (
        staff, str(program.pk), group.pk, line.source, None, f"{line.monthly_price:.2f}")
    assert line.history.count() == 1


def test_missing_required_column_is_reported_on_the_header_row(provider, staff):
    workbook = openpyxl.Workbook()
    workbook.active.title = P
    workbook.active.append(["Название", "Направленность"])
    workbook.active.append(["Шахматы", "Физкультурно-спортивная"])
    stream = io.BytesIO()
    workbook.save(stream)

    result = services.import_programs(staff, provider, SimpleUploadedFile("a.xlsx", stream.getvalue()))

    assert [(e.sheet, e.row, e.column) for e in result.errors] == [
        (P, 1, "Уровни"), (P, 1, "Возраст от"), (P, 1, "Возраст до"), (P, 1, "Месяцев"), (P, 1, "Часов"),
        (P, 1, "Описание")]
    assert {e.message for e in result.errors} == {"В заголовке нет этого обязательного столбца."}
    assert Program.objects.count() == 0


@pytest.mark.parametrize("persona", ["other_staff", "other_operator", "parent", "authority", "regional"])
def test_only_own_staff_and_the_municipality_support_centre_may_import(request, provider, persona):
    before = _counts()
    with pytest.raises(PermissionDenied):
        services.import_programs(request.getfixturevalue(persona), provider, xlsx(programs=[{}]))
    assert _counts() == before


def test_support_centre_of_the_municipality_imports_for_its_organization(provider, operator):
    result = services.import_programs(operator, provider, xlsx(programs=[{}], groups=[{"teachers": None}]))
    assert (result.errors, result.programs_created, result.groups_created) == ([], 1, 1)
    assert AuditEvent.objects.get(action="registry.program.imported").actor == operator


DAMAGED = ("Файл не является таблицей Excel (.xlsx) или LibreOffice Calc (.ods) или повреждён. "
           "Откройте его и сохраните заново.")


@pytest.mark.parametrize(("name", "content", "message"), [
    ("programs.xlsx", b"PK\x03\x04 this is not really a zip", DAMAGED),
    ("programs.xlsx", zip_without_workbook(), DAMAGED),
    ("programs.xlsx", "Название;Направленность".encode(), DAMAGED),
    ("programs.ods", b"PK\x03\x04 this is not really a zip", DAMAGED),
    ("programs.csv", b"PK\x03\x04", "Загрузите таблицу в формате .xlsx (Excel) или .ods (LibreOffice Calc)."),
    ("programs.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Файл в старом формате .xls. Сохраните его в новом формате."),
])
def test_files_that_are_not_a_readable_xlsx_are_refused(provider, staff, name, content, message):
    with pytest.raises(ValidationFailed) as refused:
        services.import_programs(staff, provider, SimpleUploadedFile(name, content))
    assert refused.value.field == "file" and refused.value.message.startswith(message)
    # every message about the format says how to re-save the file in Excel and in LibreOffice
    assert "В Excel: «Файл» → «Сохранить как»" in refused.value.message
    assert "В LibreOffice Calc: «Файл» → «Сохранить как» → «Электронная таблица ODF (.ods)»" in refused.value.message
    assert Program.objects.count() == 0


def test_too_large_and_too_long_files_are_refused(provider, staff, monkeypatch):
    monkeypatch.setattr(excel_file, "MAX_FILE_SIZE", 1024 * 1024)
    with pytest.raises(ValidationFailed) as refused:
        services.import_programs(staff, provider, SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"0" * 1024 * 1024))
    assert refused.value.message == "Файл больше 1 МБ. Разделите его на несколько файлов."

    monkeypatch.setattr(excel_file, "MAX_FILE_SIZE", 10**6)
    monkeypatch.setattr(excel_import, "MAX_ROWS", 2)
    with pytest.raises(ValidationFailed) as refused:
        services.import_programs(staff, provider, xlsx(programs=[{"title": f"П{n}"} for n in range(3)]))
    assert refused.value.message == "На листе «Программы» больше 2 строк. Разделите файл на несколько."

    # Empty rows count towards the bound too, so a sheet styled far down is not read for minutes.
    upload = xlsx(programs=[{"title": "П1"}] + [dict.fromkeys(PROGRAM, None)] * 2)
    with pytest.raises(ValidationFailed) as refused:
        services.import_programs(staff, provider, upload)
    assert refused.value.message == "На листе «Программы» больше 2 строк. Разделите файл на несколько."
    assert Program.objects.count() == 0


def test_empty_file_is_refused(provider, staff):
    with pytest.raises(ValidationFailed) as refused:
        services.import_programs(staff, provider, xlsx())
    assert refused.value.message == "В файле нет ни одной заполненной строки."


def test_template_has_sheets_hints_dropdowns_and_the_organizations_teachers(provider, teachers):
    workbook = openpyxl.load_workbook(io.BytesIO(build_template(provider)))

    assert workbook.sheetnames == [P, G, "Организация", "Справочники"]
    programs, groups, lists = workbook[P], workbook[G], workbook["Справочники"]
    assert [c.value for c in programs[1]][:3] == ["Название*", "Направленность*", "Специализация"]
    assert programs["A1"].font.bold and programs.freeze_panes == "B2"
    assert "Строка 2 — пример" in programs["A1"].comment.text
    assert programs["B2"].value == "Техническая"
    assert [c.value for c in lists[1]][-1] == "Педагоги организации"
    teacher_column = [row[-1] for row in lists.iter_rows(min_row=2, values_only=True) if row[-1]]
    assert teacher_column == ["Иванова Мария Петровна", "Сидоров Иван"]
    assert groups["J2"].value == "Иванова Мария Петровна"
    dropdowns = {str(v.sqref): v.formula1 for v in programs.data_validations.dataValidation}
    assert dropdowns["B2:B5001"] == "='Справочники'!$A$2:$A$7"
    assert {str(v.sqref) for v in groups.data_validations.dataValidation} >= {"Q2:Q5001"}


def test_template_example_rows_import_as_they_are(provider, staff, teachers):
    upload = SimpleUploadedFile("шаблон.xlsx", build_template(provider))

    result = services.import_programs(staff, provider, upload)

    assert (result.errors, result.programs_created, result.groups_created) == ([], 1, 1)
    program = result.programs[0]
    assert (program.title, program.direction, program.specialisation.name, program.levels) == (
        "Робототехника для начинающих (пример)", Direction.TECHNICAL, "Робототехника", Level.START | Level.BASE)
    group = Group.objects.get(module__program=program)
    assert (group.name, group.age_min, group.age_max, list(group.teachers.all())) == (
        "Группа 1", 7, 10, [teachers[0]])


def test_template_filled_in_by_a_user_round_trips(provider, staff, teachers):
    workbook = openpyxl.load_workbook(io.BytesIO(build_template(provider)))
    programs, groups = workbook[P], workbook[G]
    programs["A2"] = "Юные шахматисты"
    programs["B2"] = "Физкультурно-спортивная"
    programs["C2"] = "Шахматы"
    groups["A2"] = "Юные шахматисты"
    groups["J2"] = "Сидоров И."
    programs.append([cell.value for cell in programs[2]])
    programs["A3"] = "Шахматы для взрослых детей"
    stream = io.BytesIO()
    workbook.save(stream)

    result = services.import_programs(staff, provider, SimpleUploadedFile("мой.xlsx", stream.getvalue()))

    assert result.errors == []
    assert sorted(p.title for p in result.programs) == ["Шахматы для взрослых детей", "Юные шахматисты"]
    group = Group.objects.get()
    assert (group.module.program.title, [t.last_name for t in group.teachers.all()]) == (
        "Юные шахматисты", ["Сидоров"])


def test_import_writes_in_bulk_one_audit_insert_per_program(provider, staff, teachers):
    # 20 programs still fit in one INSERT on SQLite, which caps a statement at 999 parameters.
    def queries(count, offset):
        upload = xlsx(programs=[{"title": f"Программа {offset + n}"} for n in range(count)],
                      groups=[{"program": f"Программа {offset + n}"} for n in range(count)])
        with CaptureQueriesContext(connection) as captured:
            result = services.import_programs(staff, provider, upload)
        assert (result.errors, result.programs_created, result.groups_created) == ([], count, count)
        return len(captured.captured_queries)

    assert queries(20, 100) - queries(3, 0) == 17


# --- hostile and oversized files: refused by their size before the rows are walked ------




@pytest.fixture
def rows_read(monkeypatch):
    """How many rows of sheet XML openpyxl parsed."""
    from openpyxl.worksheet._reader import WorkSheetParser

    parsed = []
    parse_row = WorkSheetParser.parse_row
    monkeypatch.setattr(WorkSheetParser, "parse_row", lambda self, row: parsed.append(1) or parse_row(self, row))
    return parsed


def test_a_sheet_stating_too_many_rows_is_refused_without_reading_a_row(provider, staff, monkeypatch, rows_read):
    monkeypatch.setattr(excel_import, "MAX_ROWS", 50)
    content = with_dimension(probe(600, 40), "A1:AN601")

    with pytest.raises(ValidationFailed) as refused:
        services.import_programs(staff, provider, SimpleUploadedFile("probe.xlsx", content))

    assert refused.value.message == "На листе «Программы» больше 50 строк. Разделите файл на несколько."
    assert rows_read == []
    assert Program.objects.count() == 0


def test_a_sheet_stating_too_many_columns_is_refused_without_reading_a_row(provider, staff, rows_read):
    content = with_dimension(probe(3, 1000), "A1:ALL4")

    with pytest.raises(ValidationFailed) as refused:
        services.import_programs(staff, provider, SimpleUploadedFile("wide.xlsx", content))

    assert refused.value.message == (
        "На листе «Программы» больше 60 столбцов. Удалите лишние столбцы или скачайте шаблон заново.")
    assert rows_read == []


@pytest.mark.parametrize("ref", ["A1:B2", None])
def test_a_sheet_understating_or_not_stating_its_size_is_read_no_further_than_the_limit(
        provider, staff, monkeypatch, rows_read, ref):
    monkeypatch.setattr(excel_import, "MAX_ROWS", 50)
    content = probe(600, 40)
    if ref:
        content = with_dimension(content, ref)

    with pytest.raises(ValidationFailed) as refused:
        services.import_programs(staff, provider, SimpleUploadedFile("liar.xlsx", content))

    assert refused.value.message == "На листе «Программы» больше 50 строк. Разделите файл на несколько."
    assert len(rows_read) <= 50 + 2  # the header, the rows allowed and the one that tells
    assert Program.objects.count() == 0


def test_only_the_columns_a_sheet_may_have_are_taken_from_a_row(monkeypatch):
    # A row's cells beyond the allowed columns are not even kept in memory.
    worksheet_rows = []
    original = excel_import._read_sheet

    def spy(sheet, worksheet, columns, errors):
        rows = list(worksheet.iter_rows(**excel_import._read_bounds(), values_only=True))
        worksheet_rows.extend(rows)
        return original(sheet, worksheet, columns, errors)

    monkeypatch.setattr(excel_import, "_read_sheet", spy)
    with pytest.raises(ValidationFailed):  # every row is empty in the columns the import reads
        excel_import.read_workbook(SimpleUploadedFile("a.xlsx", probe(3, 200)))
    assert len(worksheet_rows) == 4
    assert {len(row) for row in worksheet_rows} == {excel_file.MAX_COLUMNS}


def _bomb(member, size):
    """A valid xlsx with one part padded to ``size`` bytes of XML whitespace: a few
    kilobytes packed, ``size`` unpacked."""
    source, stream = zipfile.ZipFile(io.BytesIO(xlsx(programs=[{}]).read())), io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == member:
                data = data + b" " * (size - len(data))
            target.writestr(info.filename, data)
    return stream.getvalue()


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/theme/theme1.xml", "xl/styles.xml"])
def test_a_zip_bomb_is_refused_by_its_unpacked_size_before_it_is_unpacked(provider, staff, monkeypatch, member):
    monkeypatch.setattr(excel_file, "MAX_UNPACKED_SIZE", 2 * 1024 * 1024)
    content = _bomb(member, 3 * 1024 * 1024)
    assert len(content) < 50 * 1024
    opened = []
    monkeypatch.setattr(excel_import.ods, "load_workbook", lambda *a, **kw: opened.append(1))

    with pytest.raises(ValidationFailed) as refused:
        services.import_programs(staff, provider, SimpleUploadedFile("bomb.xlsx", content))

    assert refused.value.message == (
        "Файл слишком большой в распакованном виде (больше 2 МБ). Удалите лишние листы, строки и оформление "
        "или разделите файл на несколько.")
    assert opened == []
    assert Program.objects.count() == 0


def test_a_file_with_too_many_sheets_is_refused_before_they_are_opened(provider, staff, monkeypatch):
    workbook = openpyxl.Workbook(write_only=True)
    for n in range(21):
        workbook.create_sheet(P if n == 0 else f"Лист {n}").append(["Название"])
    stream = io.BytesIO()
    workbook.save(stream)
    opened = []
    monkeypatch.setattr(excel_import.ods, "load_workbook", lambda *a, **kw: opened.append(1))

    with pytest.raises(ValidationFailed) as refused:
        services.import_programs(staff, provider, SimpleUploadedFile("sheets.xlsx", stream.getvalue()))

    assert refused.value.message == (
        "В файле больше 20 листов. Оставьте листы «Программы» и «Группы».")
    assert opened == []


def test_a_sheet_of_too_many_cells_is_refused_whatever_size_it_states(provider, staff, monkeypatch, rows_read):
    # openpyxl parses every cell of a row it reads, even right of the columns asked for:
    # the cells are counted in the raw XML first.
    monkeypatch.setattr(excel_file, "MAX_SHEET_CELLS", 1000)
    content = with_dimension(probe(40, 60), "A1:B2")  # 40 rows of 37 cells

    with pytest.raises(ValidationFailed) as refused:
        services.import_programs(staff, provider, SimpleUploadedFile("cells.xlsx", content))

    assert refused.value.message == (
        "На одном из листов больше 1 000 ячеек (заполненных или оформленных). Удалите лишние строки, столбцы "
        "и оформление или разделите файл на несколько.")
    assert rows_read == []


def test_cells_are_counted_across_the_chunks_the_sheet_is_read_in(monkeypatch):
    # A sheet of about 1.5 MB, read a megabyte at a time: 30,000 rows of 2 cells, the header's 23.
    content = probe(30_000, 25)
    monkeypatch.setattr(excel_file, "MAX_SHEET_CELLS", 30_000 * 2 + 23)
    excel_file.check_file(SimpleUploadedFile("a.xlsx", content))  # exactly at the limit

    monkeypatch.setattr(excel_file, "MAX_SHEET_CELLS", 30_000 * 2 + 22)
    with pytest.raises(ValidationFailed):
        excel_file.check_file(SimpleUploadedFile("a.xlsx", content))


def test_a_sheet_kept_elsewhere_in_the_zip_is_still_counted(provider, staff, monkeypatch, rows_read):
    # openpyxl finds a sheet through the workbook's relationships, wherever the part is.
    monkeypatch.setattr(excel_file, "MAX_SHEET_CELLS", 1000)
    source, stream = zipfile.ZipFile(io.BytesIO(probe(40, 60))), io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            name = info.filename.replace("xl/worksheets/sheet1.xml", "xl/elsewhere/data.xml")
            target.writestr(name, data.replace(b"/xl/worksheets/sheet1.xml", b"/xl/elsewhere/data.xml"))
    assert "xl/elsewhere/data.xml" in zipfile.ZipFile(stream).namelist()

    with pytest.raises(ValidationFailed) as refused:
        services.import_programs(staff, provider, SimpleUploadedFile("moved.xlsx", stream.getvalue()))

    assert refused.value.message.startswith("На одном из листов больше 1 000 ячеек")
    assert rows_read == []
