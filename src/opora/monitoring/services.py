"""Use cases of monitoring: the population of children 5–17 and the targets (kept by the
МОЦ or the education authority of a municipality and by the РМЦ), the Excel import of the
population of every municipality at once, and the snapshots of the indicators.

Every change is recorded in the audit trail; bad input changes nothing.
"""

import datetime as dt
from io import BytesIO

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking
from opora.accounts import scope
from opora.core.ods import load_workbook
from opora.errors import PermissionDenied, ValidationFailed
from opora.monitoring import indicators
from opora.monitoring import statform as statforms
from opora.monitoring.models import Indicator, IndicatorTarget, Snapshot, StatFormLayout
from opora.registry.models import Municipality, MunicipalityPopulation, Organization

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_POPULATION = 10_000_000
MAX_IMPORT_ROWS = 1000
EARLIEST = dt.date(2000, 1, 1)


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed({"year": [_("Год указывается числом, например 2026.")]}) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed({"year": [_("Год должен быть между 2000 и 2100.")]})
    return year


def _children(value) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        number = int(str(value).strip().replace(" ", "").replace("\xa0", ""))
    except (TypeError, ValueError):
        raise ValidationFailed({"children_5_17": [
            _("Численность детей указывается целым числом.")]}) from None
    if not 0 < number <= MAX_POPULATION:
        raise ValidationFailed({"children_5_17": [
            _("Численность детей должна быть больше нуля и не больше 10 000 000.")]})
    return number


def _write_population(actor, municipality: Municipality, year: int, children: int, source: str):
    row = locking.first(MunicipalityPopulation.objects.filter(municipality=municipality, year=year))
    before = row.children_5_17 if row else None
    if row is None:
        row = MunicipalityPopulation.objects.create(municipality=municipality, year=year,
                                                    children_5_17=children)
    elif before != children:
        row.children_5_17 = children
        row.save(update_fields=["children_5_17"])
    else:
        return row, False
    audit.record(actor, "monitoring.population.saved", row, year=year, before=before,
                 after=children, source=source)
    return row, True


def save_population(actor, municipality: Municipality, year, children_5_17) -> MunicipalityPopulation:
    """Set the number of children aged 5–17 living in a municipality in a year."""
    scope.require(actor, "monitoring.configure", municipality)
    year, children = _year(year), _children(children_5_17)
    with transaction.atomic():
        row, _changed = _write_population(actor, municipality, year, children, "form")
    return row


HEADERS = {"октмо": "oktmo", "муниципалитет": "name", "год": "year",
           "детей 5–17 лет": "children", "детей 5-17 лет": "children",
           "численность детей 5–17 лет": "children", "численность детей 5-17 лет": "children"}


def import_population(actor, content: bytes) -> int:
    """The РМЦ loads the population of every municipality from an Excel file whose first
    sheet has the columns «ОКТМО» (or «Муниципалитет»), «Год», «Детей 5–17 лет». Any bad
    row refuses the whole file with every bad row named by its number; nothing is saved.
    Returns the number of figures changed."""
    if not scope.holds_region(actor, "monitoring.configure"):
        raise PermissionDenied(_("Загрузить численность всех муниципалитетов может только РМЦ."))
    try:
        sheet = load_workbook(BytesIO(content)).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True, max_row=MAX_IMPORT_ROWS + 2))
    except Exception:  # noqa: BLE001 (openpyxl and odfdo raise many kinds for a file that is no workbook)
        raise ValidationFailed({"file": [_(
            "Файл не читается: загрузите таблицу Excel (.xlsx) или LibreOffice Calc (.ods). В Excel: «Файл» → "
            "«Сохранить как» → «Книга Excel (.xlsx)»; в LibreOffice Calc: «Файл» → «Сохранить как» → "
            "«Электронная таблица ODF (.ods)».")]}) from None
    if not rows:
        raise ValidationFailed({"file": [_("Файл пуст.")]})
    columns = {HEADERS.get(str(title or "").strip().lower()): index
               for index, title in enumerate(rows[0])}
    columns.pop(None, None)
    if "year" not in columns or "children" not in columns or not (
            "oktmo" in columns or "name" in columns):
        raise ValidationFailed({"file": [_(
            "В первой строке должны быть столбцы «ОКТМО» (или «Муниципалитет»), «Год» и "
            "«Детей 5–17 лет».")]})
    if len(rows) > MAX_IMPORT_ROWS + 1:
        raise ValidationFailed({"file": [_("В файле больше 1000 строк.")]})
    by_oktmo = {m.oktmo: m for m in Municipality.objects.all()}
    by_name = {m.name.strip().lower(): m for m in by_oktmo.values()}
    errors, parsed, seen = [], [], {}

    def cell(values, key):
        index = columns.get(key)
        return values[index] if index is not None and index < len(values) else None

    for number, values in enumerate(rows[1:], start=2):
        if all(value in (None, "") for value in values):
            continue
        problems = []
        oktmo, name = cell(values, "oktmo"), cell(values, "name")
        municipality = None
        if oktmo not in (None, ""):
            municipality = by_oktmo.get(str(oktmo).strip().split(".")[0])
        elif name not in (None, ""):
            municipality = by_name.get(str(name).strip().lower())
        if municipality is None:
            problems.append(_("муниципалитет не найден"))
        year = children = None
        try:
            year = _year(cell(values, "year"))
        except ValidationFailed as error:
            problems.append(str(error).rstrip(".").lower())
        try:
            children = _children(cell(values, "children"))
        except ValidationFailed as error:
            problems.append(str(error).rstrip(".").lower())
        if municipality and year:
            earlier = seen.setdefault((municipality.pk, year), number)
            if earlier != number:
                problems.append(_("муниципалитет и год уже указаны в строке %(row)s")
                                % {"row": earlier})
        if problems:
            errors.append(_("Строка %(row)s: %(problems)s.") % {
                "row": number, "problems": "; ".join(problems)})
        else:
            parsed.append((municipality, year, children))
    if errors:
        raise ValidationFailed({"file": errors})
    if not parsed:
        raise ValidationFailed({"file": [_("В файле нет ни одной строки с данными.")]})
    changed = 0
    with transaction.atomic():
        for municipality, year, children in parsed:
            changed += _write_population(actor, municipality, year, children, "import")[1]
    return changed


def save_target(actor, municipality: Municipality | None, year, indicator: str, value
                ) -> IndicatorTarget:
    """Set the target of an indicator for a year: a municipality's own (its МОЦ, its
    authority, the РМЦ) or the region's default (the РМЦ only, ``municipality`` None)."""
    if municipality is None:
        if not scope.holds_region(actor, "monitoring.configure"):
            raise PermissionDenied(_("Целевые значения для всего региона задаёт РМЦ."))
    else:
        scope.require(actor, "monitoring.configure", municipality)
    year = _year(year)
    if indicator not in Indicator.values:
        raise ValidationFailed({"indicator": [_("Выберите показатель из списка.")]})
    try:
        value = round(float(str(value).replace(",", ".")), 2)
    except (TypeError, ValueError):
        raise ValidationFailed({"value": [_("Целевое значение указывается числом.")]}) from None
    if not 0 <= value <= (100 if indicator != Indicator.CHILDREN_PER_TEACHER else 10_000):
        raise ValidationFailed({"value": [_("Доля указывается от 0 до 100 %.")]})
    with transaction.atomic():
        target, created = IndicatorTarget.objects.get_or_create(
            municipality=municipality, year=year, indicator=indicator, defaults={"value": value})
        if not created:
            target = locking.row(IndicatorTarget, target.pk)
        before = None if created else float(target.value)
        if not created:
            target.value = value
            target.save(update_fields=["value"])
        audit.record(actor, "monitoring.target.saved", target, before=before, after=value,
                     year=year, indicator=indicator)
    return target


# --- snapshots ------------------------------------------------------------------------


def _store(municipality_id: int | None, day: dt.date, *, recomputed: bool) -> Snapshot:
    values = indicators.compute(day, municipality_id)
    try:
        with transaction.atomic():
            snapshot, _created = Snapshot.objects.update_or_create(
                municipality_id=municipality_id, on_date=day,
                defaults={"values": values, "recomputed": recomputed})
    except IntegrityError:  # a concurrent request stored it first: theirs stands
        snapshot = Snapshot.objects.get(municipality_id=municipality_id, on_date=day)
    return snapshot


def take_snapshots(day: dt.date | None = None) -> int:
    """Freeze the indicators of the region and of every municipality on ``day``
    (yesterday by default: the nightly run closes the day that has just ended). Taken
    on the day after, a snapshot is not «recomputed»; a later run marks it so. Returns
    the number of snapshots written."""
    today = timezone.localdate()
    day = day or today - dt.timedelta(days=1)
    recomputed = (today - day).days > 1
    count = 0
    for municipality_id in [None, *Municipality.objects.order_by("pk").values_list("pk", flat=True)]:
        _store(municipality_id, day, recomputed=recomputed)
        count += 1
    return count


def indicators_on(actor, day: dt.date, municipality: Municipality | None) -> tuple[dict, Snapshot | None]:
    """The indicators of a territory on ``day`` as the actor may read them: live for
    today; for a past date the frozen snapshot, computed now (and marked recomputed)
    when there is none. Returns the values and the snapshot they come from (None: live)."""
    if municipality is None:
        if not scope.holds_region(actor, "monitoring.view"):
            raise PermissionDenied(_("Показатели всего региона видит РМЦ."))
    else:
        scope.require(actor, "monitoring.view", municipality)
    today = timezone.localdate()
    if day > today:
        raise ValidationFailed({"date": [_("Дата не может быть позже сегодняшней.")]})
    if day < EARLIEST:
        raise ValidationFailed({"date": [_("Дата не может быть раньше 2000 года.")]})
    municipality_id = municipality.pk if municipality else None
    if day == today:
        return indicators.compute(day, municipality_id), None
    snapshot = Snapshot.objects.filter(municipality_id=municipality_id, on_date=day).first()
    if snapshot is None:
        snapshot = _store(municipality_id, day, recomputed=True)
    return snapshot.values, snapshot


# --- the statistics form 1-ДОП ------------------------------------------------------


def statform_layout() -> tuple[str, dict, StatFormLayout | None]:
    """The text and the parsed layout of the form: the РМЦ's, else the default one."""
    stored = StatFormLayout.objects.select_related("updated_by").filter(kind="1-dop").first()
    if stored is not None:
        return stored.text, stored.layout, stored
    return statforms.DEFAULT_LAYOUT, statforms.parse(statforms.DEFAULT_LAYOUT), None


def save_statform_layout(actor, text: str) -> StatFormLayout:
    """The РМЦ changes the layout of the form; a text with a bad line changes nothing."""
    if not scope.holds_region(actor, "monitoring.statform_layout"):
        raise PermissionDenied(_("Макет формы 1-ДОП меняет РМЦ."))
    text = (text or "").replace("\r\n", "\n").strip() + "\n"
    if len(text) > 20_000:
        raise ValidationFailed({"text": [_("Макет длиннее 20 000 знаков.")]})
    try:
        layout = statforms.parse(text)
    except ValidationFailed as error:
        raise ValidationFailed({"text": [str(error)]}) from None
    with transaction.atomic():
        row = locking.first(StatFormLayout.objects.filter(kind="1-dop"))
        before = row.text if row else statforms.DEFAULT_LAYOUT
        if row is None:
            row = StatFormLayout(kind="1-dop")
        row.text, row.layout, row.updated_by = text, layout, actor
        row.save()
        audit.record(actor, "monitoring.statform_layout.saved", row, before=before, after=text)
    return row


def reset_statform_layout(actor) -> None:
    """The РМЦ goes back to the default layout."""
    if not scope.holds_region(actor, "monitoring.statform_layout"):
        raise PermissionDenied(_("Макет формы 1-ДОП меняет РМЦ."))
    with transaction.atomic():
        row = locking.first(StatFormLayout.objects.filter(kind="1-dop"))
        if row is not None:
            audit.record(actor, "monitoring.statform_layout.reset", row, before=row.text)
            row.delete()


def statform(actor, year, *, organization: Organization | None = None,
             municipality: Municipality | None = None) -> list[dict]:
    """The form for 31 December of ``year`` of an organization, a municipality (the sum of
    its organizations) or the region, as the actor may read it."""
    year = _year(year)
    if year > timezone.localdate().year:
        raise ValidationFailed({"year": [_("Форму можно составить за текущий или прошедший год.")]})
    if organization is not None:
        scope.require(actor, "monitoring.statform", organization)
    elif municipality is not None:
        scope.require(actor, "monitoring.statform", municipality)
    elif not scope.holds_region(actor, "monitoring.statform"):
        raise PermissionDenied(_("Сводную форму региона видит РМЦ."))
    _text, layout, _stored = statform_layout()
    return statforms.compute(layout, year,
                             organization_id=organization.pk if organization else None,
                             municipality_id=municipality.pk if municipality else None)
