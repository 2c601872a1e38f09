"""From the plain values of ``indicators.compute`` (or a snapshot) to what people read:
labelled indicators and breakdown tables, the same for the page, the Excel file and
the API."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from opora.enrollment.models import Sex
from opora.monitoring.indicators import AGE_BANDS, LEVELS
from opora.monitoring.models import Indicator
from opora.registry.choices import (
    Direction,
    FounderSector,
    FundingSource,
    OrganizationKind,
    ProgramType,
    SeasonalKind,
    StudyForm,
)

PERCENT = {Indicator.COVERAGE, Indicator.COVERAGE_BY_PROVIDER, Indicator.CERTIFICATES,
           Indicator.FINANCING_CERTIFICATES, Indicator.CERTIFICATES_USED, Indicator.TECHNICAL_PROGRAMS,
           Indicator.TEACHER_CATEGORY, Indicator.GIFTED, Indicator.TEACHERS_TRAINED}

YES_NO = {"yes": _("да"), "no": _("нет")}
BREAKDOWN_TITLES = {
    "municipality": _("Муниципалитет проживания"),
    "direction": _("Направленность (ребёнок учитывается в каждой своей направленности)"),
    "sex": _("Пол"),
    "age_band": _("Возраст"),
    "rural": _("Проживает в сельской местности"),
    "ovz": _("Дети с ОВЗ"),
    "disabled": _("Дети-инвалиды"),
    "difficult_situation": _("Трудная жизненная ситуация"),
    "provider_kind": _("Тип организации"),
    "sector": _("Ведомственная принадлежность организации"),
    "funding": _("Источник финансирования"),
    "level": _("Уровень программы (ребёнок учитывается в каждом уровне)"),
    "distance": _("С дистанционными технологиями"),
    "network": _("Сетевая форма"),
    "seasonal": _("Сезонность"),
    "program_type": _("Вид программы"),
}
CHOICES = {
    "direction": dict(Direction.choices),
    "sex": dict(Sex.choices),
    "age_band": {key: f"{low}–{high - 1}" for key, low, high in AGE_BANDS},
    "provider_kind": dict(OrganizationKind.choices),
    "sector": dict(FounderSector.choices),
    "funding": {**dict(FundingSource.choices), FundingSource.PAID.value: _("Платно или иное")},
    "level": {str(level.value): level.label for level in LEVELS},
    "seasonal": dict(SeasonalKind.choices),
    "program_type": dict(ProgramType.choices),
    "study_form": dict(StudyForm.choices),
}
for _flag in ("rural", "ovz", "disabled", "difficult_situation", "distance", "network"):
    CHOICES[_flag] = YES_NO


def indicator_rows(values: dict) -> list[dict]:
    """Every indicator with its label, value, target, last year's value, numerator and
    denominator."""
    rows = []
    targets, last_year = values.get("targets", {}), values.get("last_year", {})
    for code in Indicator:
        found = values["indicators"].get(code.value)
        if found is None:
            continue
        target = targets.get(code.value)
        value = found["value"]
        rows.append({
            "code": code.value, "label": code.label, "value": value, "target": target,
            "last_year": last_year.get(code.value), "numerator": found["numerator"],
            "denominator": found["denominator"], "percent": code in PERCENT,
            "reached": None if value is None or target is None else (
                value <= target if code == Indicator.CHILDREN_PER_TEACHER else value >= target),
        })
    return rows


def breakdown_tables(values: dict, municipality_names: dict[int, str]) -> list[dict]:
    """Each breakdown as a titled table of (label, children, share of the total)."""
    total = values["indicators"]["coverage"]["numerator"]
    tables = []
    for name, title in BREAKDOWN_TITLES.items():
        counts = values.get("breakdowns", {}).get(name)
        if counts is None:
            continue
        labels = CHOICES.get(name, {})
        rows = []
        for key, children in counts.items():
            if children is None:
                continue
            label = municipality_names.get(int(key), key) if name == "municipality" else \
                labels.get(key, key or _("не указано"))
            rows.append({"key": key, "label": str(label), "children": children,
                         "share": round(100 * children / total, 1) if total else None})
        rows.sort(key=lambda row: -row["children"])
        tables.append({"name": name, "title": title, "rows": rows})
    return tables


def program_rows(values: dict) -> list[dict]:
    programs = values.get("programs")
    if not programs:
        return []
    rows = [{"label": str(label), "programs": programs["direction"].get(key, 0),
             "stem": key in (Direction.TECHNICAL, Direction.NATURAL_SCIENCE)}
            for key, label in Direction.choices]
    return rows


def place_rows(values: dict) -> list[dict]:
    places = values.get("places") or {}
    return [{"label": str(label), **{"places": 0, "taken": 0, "applications": 0, "waitlisted": 0},
             **places.get(key, {})} for key, label in Direction.choices if key in places]


def program_form_tables(values: dict) -> list[dict]:
    """Published programs by level and by form of study, each a titled table of (label,
    programs); a program of several levels counts under each."""
    programs = values.get("programs")
    if not programs:
        return []
    tables = []
    for name, title in (("level", _("Программы по уровням (программа учитывается в каждом своём уровне)")),
                        ("study_form", _("Программы по формам обучения"))):
        labels = CHOICES[name]
        counts = programs.get(name) or {}
        tables.append({"name": name, "title": title, "rows": [
            {"label": str(labels.get(key, key or _("не указано"))), "programs": n}
            for key, n in sorted(counts.items(), key=lambda item: -item[1]) if n]})
    return [table for table in tables if table["rows"]]


def certificate_use(values: dict) -> dict | None:
    """Issued certificates by the number of contracts in force, and the nominal of the
    current financing periods against what is used (None in snapshots made before these
    figures were kept)."""
    use = values.get("certificate_use")
    if use is None:
        return None
    issued = use["issued"]
    rows = [{"label": str(label), "certificates": use[key],
             "share": round(100 * use[key] / issued, 1) if issued else None}
            for key, label in (("zero", _("Ни одного договора")), ("one", _("Один договор")),
                               ("two", _("Два договора")), ("more", _("Больше двух договоров")))]
    nominal, used = Decimal(use["nominal"]), Decimal(use["used"])
    return {"issued": issued, "rows": rows, "nominal": nominal, "used": used,
            "balance": nominal - used,
            "used_share": (used * 100 / nominal).quantize(Decimal("0.1")) if nominal else None}
