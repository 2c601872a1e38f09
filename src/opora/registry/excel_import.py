"""Loading a provider's programs and groups from an .xlsx file or an .ods saved by
LibreOffice Calc (read by ``opora.core.ods`` into the same values openpyxl gives).

The file has a sheet «Программы» (one row per program), a sheet «Группы»
(one row per group, naming its program by title: a program of the same file or
one the organization already has) and an optional sheet «Организация» whose one
row gives the coordinates of the organization's building (empty: left as they are). Reading happens in three steps:

1. ``read_workbook`` checks the file and turns each sheet into numbered rows of
   raw cell values, keyed by column (headers are matched by their Russian name,
   so columns may be reordered or optional ones left out);
2. ``plan_import`` parses every cell, builds unsaved model instances and runs
   the models' own ``full_clean``, collecting every problem as a ``RowError``
   that names the sheet, the row and the column; nothing is written;
3. ``save_plan`` writes the good rows with a handful of bulk INSERTs.

The use case itself (permission, transaction, audit) is
``services.import_programs``. The template a user fills in is built by
``opora.registry.excel_template`` from the same column lists.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from opora.core import ods
from opora.errors import ValidationFailed
from opora.registry import excel_file
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
from opora.registry.excel_values import (
    CellError,
    choice,
    decimal,
    degrees,
    end_moment,
    flags,
    integer,
    iso_date,
    normalized,
    start_moment,
    text,
    time_of_day,
    yes_no,
)
from opora.registry.models import Group, GroupFunding, Module, Program, ScheduleLine, Specialisation, Teacher

# Rows below a sheet's header, empty ones included: a sheet that reaches further
# (stated by its size or found while reading) is refused without reading on.
MAX_ROWS = 5000
# Rows checked between two reports of progress.
PROGRESS_STEP = 100

PROGRAMS_SHEET = "Программы"
GROUPS_SHEET = "Группы"
ORGANIZATION_SHEET = "Организация"
LISTS_SHEET = "Справочники"
SHEET_ORDER = {PROGRAMS_SHEET: 0, GROUPS_SHEET: 1, ORGANIZATION_SHEET: 2}

HISTORY_REASON = "Загружена из Excel"


@dataclass(frozen=True)
class RowError:
    """One problem of an imported file. ``row`` is the row number as Excel shows it
    (None for the file as a whole); ``column`` is the header of the column, or empty."""

    sheet: str
    row: int | None
    column: str
    message: str


@dataclass
class ImportResult:
    programs: list = field(default_factory=list)
    groups_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    # The organization's (latitude, longitude) written by this import, if any.
    location: tuple | None = None

    @property
    def programs_created(self) -> int:
        return len(self.programs)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Column:
    """A column of an import sheet: its header, the model field it fills (on the
    group itself, its schedule line or its financing line) and how a cell is read."""

    label: str
    attr: str
    parse: object = text
    required: bool = False
    hint: str = ""
    target: str = "main"
    width: int = 18


LIST_HINT = _("Одно или несколько значений из листа «Справочники» через запятую.")
YES_NO_HINT = _("«да» или «нет»; пусто — «нет».")

PROGRAM_COLUMNS = (
    Column(_("Название"), "title", required=True, width=40,
           hint=_("Строка 2 — пример: замените её своими программами. "
                  "Название не должно повторяться в файле и среди программ организации.")),
    Column(_("Направленность"), "direction", choice(Direction, {
        "социально-педагогическая": Direction.SOCIAL, "естественно-научная": Direction.NATURAL_SCIENCE,
    }), required=True, width=26, hint=_("Значение из списка (лист «Справочники»).")),
    Column(_("Специализация"), "specialisation", width=26,
           hint=_("Специализация выбранной направленности (лист «Справочники»); можно оставить пустой.")),
    Column(_("Вид программы"), "program_type", choice(ProgramType), width=20,
           hint=_("Значение из списка; пусто — «Общеразвивающая».")),
    Column(_("Уровни"), "levels", flags(Level), required=True, width=30, hint=LIST_HINT),
    Column(_("Форма обучения"), "study_form", choice(StudyForm), hint=_("Значение из списка; пусто — «Очная».")),
    Column(_("Дистанционно"), "is_distance", yes_no, width=14,
           hint=_("С применением дистанционных технологий и/или электронного обучения: «да» или «нет».")),
    Column(_("Сетевая форма"), "is_network", yes_no, width=14, hint=YES_NO_HINT),
    Column(_("Возраст от"), "age_min", integer, required=True, width=12, hint=_("Целое число лет, от 3 до 18.")),
    Column(_("Возраст до"), "age_max", integer, required=True, width=12, hint=_("Целое число лет, от 3 до 18.")),
    Column(_("Месяцев"), "duration_months", integer, required=True, width=12,
           hint=_("Продолжительность обучения, месяцев.")),
    Column(_("Часов"), "hours_total", integer, required=True, width=12,
           hint=_("Объём программы, академических часов.")),
    Column(_("Наполняемость от"), "group_size_min", integer, width=14, hint=_("Детей в группе; пусто — 1.")),
    Column(_("Наполняемость до"), "group_size_max", integer, width=14, hint=_("Детей в группе; пусто — 15.")),
    Column(_("ОВЗ"), "ovz_kinds", flags(OvzKind), width=30,
           hint=_("Для каких детей с ОВЗ адаптирована: значения из листа «Справочники» через запятую; "
                  "пусто — не адаптирована.")),
    Column(_("Для детей-инвалидов"), "is_for_disabled", yes_no, width=14, hint=YES_NO_HINT),
    Column(_("Реестры"), "registers", flags(Register), width=24, hint=LIST_HINT),
    Column(_("Сезонность"), "seasonal_kind", choice(SeasonalKind, {"нет": SeasonalKind.NONE}), width=18,
           hint=_("Значение из списка; пусто — «Не сезонная».")),
    Column(_("Описание"), "description", required=True, width=40),
    Column(_("Цели и задачи"), "goals", width=30),
    Column(_("Ожидаемые результаты"), "expected_results", width=30),
    Column(_("Материально-техническая база"), "material_base", width=30),
    Column(_("Адрес проведения"), "address", width=30),
)

GROUP_COLUMNS = (
    Column(_("Программа"), "program", required=True, width=40,
           hint=_("Название программы с листа «Программы» или уже существующей программы организации. "
                  "Строка 2 — пример.")),
    Column(_("Название группы"), "name", required=True, width=20),
    Column(_("Начало занятий"), "start_date", iso_date, required=True, width=14, hint=_("Дата ДД.ММ.ГГГГ.")),
    Column(_("Окончание занятий"), "end_date", iso_date, required=True, width=14,
           hint=_("Дата ДД.ММ.ГГГГ, позже начала.")),
    Column(_("Часов в год"), "hours_per_year", integer, required=True, width=12),
    Column(_("Мест минимум"), "capacity_min", integer, width=12, hint=_("Пусто — 1.")),
    Column(_("Мест максимум"), "capacity_max", integer, required=True, width=12),
    Column(_("Возраст от"), "age_min", integer, width=12,
           hint=_("В пределах возраста программы; пусто — как у программы.")),
    Column(_("Возраст до"), "age_max", integer, width=12,
           hint=_("В пределах возраста программы; пусто — как у программы.")),
    Column(_("Педагоги"), "teachers", width=34,
           hint=_("ФИО педагогов организации через запятую (лист «Справочники»).")),
    Column(_("Дни недели"), "weekdays", flags(Weekday, {
        "понедельник": Weekday.MON, "вторник": Weekday.TUE, "среда": Weekday.WED, "четверг": Weekday.THU,
        "пятница": Weekday.FRI, "суббота": Weekday.SAT, "воскресенье": Weekday.SUN,
    }), required=True, target="schedule", width=14, hint=_("Через запятую, например «Пн, Ср».")),
    Column(_("Время с"), "time_from", time_of_day, required=True, target="schedule", width=10,
           hint=_("ЧЧ:ММ, например 15:00.")),
    Column(_("Время до"), "time_to", time_of_day, required=True, target="schedule", width=10,
           hint=_("ЧЧ:ММ, позже начала.")),
    Column(_("Длительность занятия, мин"), "lesson_minutes", integer, target="schedule", width=14,
           hint=_("Пусто — 45.")),
    Column(_("Перерыв, мин"), "break_minutes", integer, target="schedule", width=12, hint=_("Пусто — 10.")),
    Column(_("Адрес"), "address", width=30, hint=_("Где занимается группа.")),
    Column(_("Источник финансирования"), "source", choice(FundingSource, {
        "бесплатно": FundingSource.BUDGET, "платно": FundingSource.PAID, "платное": FundingSource.PAID,
    }), required=True, target="funding", width=22, hint=_("Значение из списка.")),
    Column(_("Стоимость в месяц, ₽"), "monthly_price", decimal, target="funding", width=14,
           hint=_("Для бюджета — 0 или пусто.")),
    Column(_("Запись открыта"), "enrolment_open", yes_no, width=12, hint=YES_NO_HINT),
    Column(_("Запись с"), "enrolment_from", start_moment, width=14, hint=_("Дата ДД.ММ.ГГГГ (с начала дня).")),
    Column(_("Запись по"), "enrolment_to", end_moment, width=14,
           hint=_("Дата ДД.ММ.ГГГГ (до конца дня), позже начала записи.")),
)

COORDINATE_HINT = _("Градусы с запятой или точкой, например 56,6014 или 56.6014; в пределах области. "
                    "Указываются обе координаты; пусто — координаты организации не меняются.")

ORGANIZATION_COLUMNS = (
    Column(_("Широта"), "latitude", degrees, width=16,
           hint=format_lazy("{} {}", _("Координаты здания организации для карты каталога и поиска "
                                       "«Рядом со мной»."), COORDINATE_HINT)),
    Column(_("Долгота"), "longitude", degrees, width=16, hint=COORDINATE_HINT),
)

SHEETS = {PROGRAMS_SHEET: PROGRAM_COLUMNS, GROUPS_SHEET: GROUP_COLUMNS, ORGANIZATION_SHEET: ORGANIZATION_COLUMNS}


# --- reading the file --------------------------------------------------------------


@dataclass
class Book:
    """The data rows of each sheet: (row number, {attr: raw cell value})."""

    rows: dict[str, list[tuple[int, dict]]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def read_workbook(file) -> Book:
    """The rows of the import sheets of an uploaded xlsx file. A file that is not an
    xlsx, is damaged, too large or too long is refused as a whole; its stated sizes are
    checked before any row is read, and no more rows or columns than allowed are read
    whatever it states."""
    book = Book()
    with _import_sheets(file) as sheets:
        for sheet, worksheet in sheets:
            book.rows[sheet] = _read_sheet(sheet, worksheet, SHEETS[sheet], book.errors)
    if not book.rows:
        raise excel_file.file_error(
            _("В файле нет листа «Программы», «Группы» или «Организация». Скачайте шаблон и заполните его."))
    if not any(book.rows.values()) and not book.errors:
        raise excel_file.file_error(_("В файле нет ни одной заполненной строки."))
    return book


def check_upload(file):
    """What can be told of a file without parsing a sheet: its format, its packed and
    unpacked size, its sheets' cells and the size its import sheets state. Cheap enough
    to run while the user waits for the page."""
    _check_stated_sizes(excel_file.check_file(file))


def _check_stated_sizes(sizes):
    sizes = {normalized(title): size for title, size in sizes.items()}
    for sheet in SHEETS:
        if normalized(sheet) in sizes:
            excel_file.check_dimensions(sheet, *sizes[normalized(sheet)], MAX_ROWS)


@contextmanager
def _import_sheets(file):
    """The workbook's import sheets as (sheet, worksheet), the file refused first if it
    states a size beyond the limits; any other failure while they are read means a
    damaged file."""
    _check_stated_sizes(excel_file.check_file(file))
    try:
        workbook = ods.load_workbook(file)
    except Exception:  # openpyxl and odfdo raise many kinds of errors on a damaged file
        raise excel_file.damaged() from None
    try:
        titles = {normalized(title): title for title in workbook.sheetnames}
        yield [(sheet, workbook[titles[normalized(sheet)]]) for sheet in SHEETS if normalized(sheet) in titles]
    except ValidationFailed:
        raise
    except Exception:  # a damaged sheet shows itself only while it is read
        raise excel_file.damaged() from None
    finally:
        workbook.close()


def _read_bounds():
    """How far a sheet is read: the header, the rows allowed and one more that tells the
    sheet is too long; the columns a sheet may have."""
    return {"max_row": MAX_ROWS + 2, "max_col": excel_file.MAX_COLUMNS}


def _read_sheet(sheet, worksheet, columns, errors):
    rows = iter(worksheet.iter_rows(**_read_bounds(), values_only=True))
    header = next(rows, ())
    by_label = {normalized(str(column.label)): column for column in columns}
    positions = {}
    for index, value in enumerate(header):
        column = by_label.get(normalized(str(value or "").replace("*", "")))
        if column is not None and column.attr not in positions:
            positions[column.attr] = index
    missing = [column for column in columns if column.required and column.attr not in positions]
    for column in missing:
        errors.append(RowError(sheet, 1, str(column.label), str(_("В заголовке нет этого обязательного столбца."))))
    if missing:
        return []
    data = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise excel_file.too_many_rows(sheet, MAX_ROWS)
        raw = {attr: values[index] for attr, index in positions.items() if index < len(values)}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw.values()):
            continue
        data.append((number, raw))
    return data


# --- checking the rows ----------------------------------------------------------------


@dataclass
class ProgramRow:
    number: int
    program: Program
    ok: bool = True
    module: Module | None = None


@dataclass
class GroupRow:
    number: int
    group: Group
    schedule: ScheduleLine
    funding: GroupFunding
    teachers: list
    program_row: ProgramRow | None = None
    existing_module: Module | None = None
    ok: bool = True


@dataclass
class Plan:
    programs: list[ProgramRow] = field(default_factory=list)
    groups: list[GroupRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    lookups: object = None
    # (latitude, longitude) from the sheet «Организация» when its row is good.
    location: tuple | None = None

    def sorted_errors(self) -> list[RowError]:
        order = {sheet: {str(c.label): i for i, c in enumerate(columns)} for sheet, columns in SHEETS.items()}

        def key(error):
            return (SHEET_ORDER.get(error.sheet, 9), error.row or 0,
                    order.get(error.sheet, {}).get(error.column, -1))

        unique = list(dict.fromkeys(self.errors))
        return sorted(unique, key=key)


class _RowCheck:
    """Collects the errors of one row and remembers which fields failed to parse, so
    the model's validation does not report them a second time."""

    def __init__(self, plan, sheet, number, columns):
        self.plan, self.sheet, self.number = plan, sheet, number
        self.labels = {(c.target, c.attr): str(c.label) for c in columns}
        self.skip = {"main": set(), "schedule": set(), "funding": set()}
        self.failed = False

    def add(self, column, message):
        self.failed = True
        self.plan.errors.append(RowError(self.sheet, self.number, str(column), str(message)))

    def parse(self, columns, raw):
        values = {"main": {}, "schedule": {}, "funding": {}}
        for column in columns:
            value = raw.get(column.attr)
            if value is None or (isinstance(value, str) and not value.strip()):
                if column.required:
                    self.add(column.label, _("Заполните это поле."))
                    self.skip[column.target].add(column.attr)
                continue
            try:
                values[column.target][column.attr] = column.parse(value)
            except CellError as error:
                self.add(column.label, error.message)
                self.skip[column.target].add(column.attr)
        return values

    def validate(self, instance, target, exclude=()):
        """The model's own rules (field validators and ``clean``), errors mapped to columns.
        Uniqueness and constraints are left to the database: they would cost a query a row."""
        try:
            instance.full_clean(exclude=set(exclude) | self.skip[target],
                                validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                label = self.labels.get((target, name))
                if label is None and name != "__all__":
                    label = str(instance._meta.get_field(name).verbose_name).capitalize()
                for message in messages:
                    self.add(label or "", message)


class _Lookups:
    """What the rows refer to, read once per file: specialisations, the organization's
    programs and teachers."""

    def __init__(self, organization):
        self.specialisations = {}
        self.specialisations_by_name = {}
        for spec in Specialisation.objects.all():
            self.specialisations[(spec.direction, normalized(spec.name))] = spec
            self.specialisations_by_name.setdefault(normalized(spec.name), spec)
        self.existing = {normalized(title): (pk, status) for pk, title, status in
                         Program.objects.filter(organization=organization).values_list("pk", "title", "status")}
        self.teachers = {}
        for teacher in Teacher.objects.filter(organization=organization, is_active=True):
            for name in {normalized(teacher.full_name), normalized(teacher.short_name)}:
                self.teachers.setdefault(name, []).append(teacher)

    def load_modules(self, program_ids):
        """The first module of each existing program the groups name, and the names of
        the groups those programs already have."""
        self.program_ids = set(program_ids)
        self.modules, self.group_names = {}, set()
        for module in (Module.objects.filter(program_id__in=program_ids).select_related("program")
                       .order_by("program_id", "year_of_study", "pk")):
            self.modules.setdefault(module.program_id, module)
        for program_id, name in Group.objects.filter(module__program_id__in=program_ids).values_list(
                "module__program_id", "name"):
            self.group_names.add((program_id, normalized(name)))

    def state(self):
        """What the rows were checked against; equal states give the same plan."""
        return ({key: spec.pk for key, spec in self.specialisations.items()}, self.existing,
                {name: [t.pk for t in teachers] for name, teachers in self.teachers.items()},
                {pk: module.pk for pk, module in self.modules.items()}, self.group_names)


def plan_is_current(plan, organization) -> bool:
    """Whether nothing the plan's rows refer to (the organization's programs, their
    groups, its teachers, the specialisations) has changed since it was made."""
    fresh = _Lookups(organization)
    fresh.load_modules(plan.lookups.program_ids)
    return fresh.state() == plan.lookups.state()


def plan_import(organization, book: Book, keep_valid: bool = False, progress=None) -> Plan:
    """Parse and validate every row of the file; write nothing. ``progress(checked, total)``,
    if given, is told every ``PROGRESS_STEP`` rows and at the end."""
    plan = Plan(errors=list(book.errors))
    plan.lookups = lookups = _Lookups(organization)
    total = sum(len(rows) for rows in book.rows.values())
    checked = 0
    if progress is not None:
        progress(0, total)

    def tick():
        nonlocal checked
        checked += 1
        if progress is not None and (checked % PROGRESS_STEP == 0 or checked == total):
            progress(checked, total)

    titles = {}
    for number, raw in book.rows.get(PROGRAMS_SHEET, []):
        row = _program_row(plan, organization, lookups, titles, number, raw)
        plan.programs.append(row)
        if row.program.title:
            titles.setdefault(normalized(row.program.title), row)
        tick()

    organization_rows = book.rows.get(ORGANIZATION_SHEET, [])
    if organization_rows:
        plan.location = _location(plan, organization_rows)
        checked += len(organization_rows) - 1
        tick()

    group_rows = book.rows.get(GROUPS_SHEET, [])
    existing_ids = {lookups.existing[key][0] for key in
                    {normalized(text(raw.get("program") or "")) for _n, raw in group_rows}
                    if key in lookups.existing and key not in titles}
    lookups.load_modules(existing_ids)
    seen_groups = {}
    for number, raw in group_rows:
        plan.groups.append(_group_row(plan, lookups, titles, seen_groups, number, raw, keep_valid))
        tick()
    plan.errors = plan.sorted_errors()
    return plan


def _program_row(plan, organization, lookups, titles, number, raw):
    check = _RowCheck(plan, PROGRAMS_SHEET, number, PROGRAM_COLUMNS)
    values = check.parse(PROGRAM_COLUMNS, raw)["main"]
    specialisation = values.pop("specialisation", None)
    program = Program(organization=organization, status=ProgramStatus.INITIAL, **values)
    if specialisation:
        # A specialisation of another direction is found by name, so that the
        # model's own rule names the mismatch.
        found = (lookups.specialisations.get((program.direction, normalized(specialisation)))
                 or lookups.specialisations_by_name.get(normalized(specialisation)))
        if found is None:
            check.add(_("Специализация"),
                      _("Неизвестная специализация «%(name)s». Выберите её из листа «Справочники».")
                      % {"name": specialisation})
        elif program.direction:
            program.specialisation = found
    if program.title:
        key = normalized(program.title)
        if key in titles:
            check.add(_("Название"), _("Программа «%(title)s» уже есть в файле, в строке %(row)s.")
                      % {"title": program.title, "row": titles[key].number})
        elif key in lookups.existing:
            check.add(_("Название"), _("У организации уже есть программа «%(title)s».") % {"title": program.title})
    check.validate(program, "main", exclude={"organization", "specialisation", "photo"})
    return ProgramRow(number, program, ok=not check.failed)


def _group_row(plan, lookups, titles, seen_groups, number, raw, keep_valid):
    check = _RowCheck(plan, GROUPS_SHEET, number, GROUP_COLUMNS)
    values = check.parse(GROUP_COLUMNS, raw)
    main = values["main"]
    program_title = main.pop("program", "")
    teacher_names = main.pop("teachers", "")
    group = Group(**main)
    row = GroupRow(number, group, ScheduleLine(**values["schedule"]), GroupFunding(**values["funding"]), [])

    program = None
    key = normalized(program_title)
    if not key:
        pass  # the empty cell is already reported
    elif key in titles:
        row.program_row = titles[key]
        program = row.program_row.program
        if keep_valid and not row.program_row.ok:
            check.add(_("Программа"), _("Группа не загружена: в строке %(row)s листа «Программы» есть ошибки.")
                      % {"row": row.program_row.number})
    elif key in lookups.existing:
        pk, status = lookups.existing[key]
        row.existing_module = lookups.modules.get(pk)
        if status == ProgramStatus.ARCHIVE:
            check.add(_("Программа"), _("Программа «%(title)s» в архиве: группы в неё не добавляются.")
                      % {"title": program_title})
        elif row.existing_module is None:
            check.add(_("Программа"), _("В программе «%(title)s» нет модуля для группы.") % {"title": program_title})
        else:
            program = row.existing_module.program
    elif program_title:
        check.add(_("Программа"), _("Программа «%(title)s» не найдена ни в файле, ни среди программ организации.")
                  % {"title": program_title})

    if program is not None:
        for attr in ("age_min", "age_max"):
            if getattr(group, attr) is None and attr not in check.skip["main"]:
                setattr(group, attr, getattr(program, attr))
        if row.existing_module is not None:
            group.module = row.existing_module
        elif row.program_row.ok:
            # An unsaved module lets Group.clean compare the ages with the program's
            # before anything is written; save_plan sets the real module.
            group.module = Module(program=program)
    for attr in ("age_min", "age_max"):
        if getattr(group, attr) is None:
            check.skip["main"].add(attr)  # the program row or reference already explains why

    if group.name and (row.program_row or row.existing_module):
        group_key = (id(row.program_row) if row.program_row else row.existing_module.program_id,
                     normalized(group.name))
        if group_key in seen_groups:
            check.add(_("Название группы"), _("Группа «%(name)s» этой программы уже есть в строке %(row)s.")
                      % {"name": group.name, "row": seen_groups[group_key]})
        elif row.existing_module is not None and group_key in lookups.group_names:
            check.add(_("Название группы"), _("В программе уже есть группа «%(name)s».") % {"name": group.name})
        seen_groups.setdefault(group_key, number)

    row.teachers = _teachers(check, lookups, teacher_names)
    check.validate(group, "main", exclude={"module"})
    check.validate(row.schedule, "schedule", exclude={"group"})
    check.validate(row.funding, "funding", exclude={"group"})
    row.ok = not check.failed
    return row


def _location(plan, rows):
    """The (latitude, longitude) of the sheet «Организация»: one row, both values or
    neither, inside the region's box (the model's own rules); None on any error."""
    from opora.registry.models import coordinate_errors

    (number, raw), *extra = rows
    check = _RowCheck(plan, ORGANIZATION_SHEET, number, ORGANIZATION_COLUMNS)
    for other, _raw in extra:
        check.add("", _("На листе «Организация» заполняется одна строка — строка %(row)s; "
                        "удалите строку %(other)s.") % {"row": number, "other": other})
    values = check.parse(ORGANIZATION_COLUMNS, raw)["main"]
    latitude, longitude = values.get("latitude"), values.get("longitude")
    labels = {column.attr: column.label for column in ORGANIZATION_COLUMNS}
    for attr, value in (("latitude", latitude), ("longitude", longitude)):
        if value is None and attr not in check.skip["main"]:
            check.add(labels[attr], _("Укажите и широту, и долготу (или ни то, ни другое)."))
    for attr, message in coordinate_errors(latitude, longitude).items():
        check.add(labels[attr], message)
    return None if check.failed else (latitude, longitude)


def _teachers(check, lookups, names):
    teachers = []
    for name in (part.strip() for part in (names or "").replace(";", ",").split(",")):
        if not name:
            continue
        found = lookups.teachers.get(normalized(name), [])
        if not found:
            check.add(_("Педагоги"), _("Педагог «%(name)s» не найден среди педагогов организации.") % {"name": name})
        elif len(found) > 1:
            check.add(_("Педагоги"), _("В организации несколько педагогов «%(name)s»: добавьте группе педагога "
                                       "вручную.") % {"name": name})
        elif found[0] not in teachers:
            teachers.append(found[0])
    return teachers


# --- writing --------------------------------------------------------------------------


def save_location(plan: Plan, organization) -> bool:
    """Set the organization's coordinates from the sheet «Организация» (with its history);
    whether they changed. Call inside a transaction, with the organization locked."""
    if plan.location is None or (organization.latitude, organization.longitude) == plan.location:
        return False
    organization.latitude, organization.longitude = plan.location
    organization._change_reason = HISTORY_REASON
    organization.save(update_fields=["latitude", "longitude", "updated_at"])
    return True


def save_plan(plan: Plan, actor) -> tuple[list[Program], int]:
    """Write the good programs, each with its first module, and the good groups with
    their timetable line, financing line and teachers: a few bulk INSERTs in all.
    Call inside a transaction."""
    programs = [row for row in plan.programs if row.ok]
    history = {"default_user": actor if getattr(actor, "is_authenticated", False) else None,
               "default_change_reason": HISTORY_REASON}
    bulk_create_with_history([row.program for row in programs], Program, **history)
    for row in programs:
        row.module = Module(program=row.program, year_of_study=1,
                            title=f"{row.program.title}. 1-й год обучения", hours=row.program.hours_total)
    bulk_create_with_history([row.module for row in programs], Module, **history)

    groups = []
    for row in plan.groups:
        module = row.existing_module or (row.program_row.module if row.program_row else None)
        if row.ok and module is not None:
            row.group.module = module
            groups.append(row)
    bulk_create_with_history([row.group for row in groups], Group, **history)
    for row in groups:
        row.schedule.group = row.group
        row.funding.group = row.group
    ScheduleLine.objects.bulk_create([row.schedule for row in groups])
    bulk_create_with_history([row.funding for row in groups], GroupFunding, **history)
    Group.teachers.through.objects.bulk_create(
        [Group.teachers.through(group_id=row.group.pk, teacher_id=teacher.pk)
         for row in groups for teacher in row.teachers])
    return [row.program for row in programs], len(groups)
