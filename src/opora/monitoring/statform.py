"""The statistics form shaped like the federal form 1-ДОП: counts as of 31 December.

The form's sections, rows and columns are data: a layout the РМЦ edits as text, one line
per section, row or column (``DEFAULT_LAYOUT`` is the default and its documentation)::

    раздел 2 | Численность обучающихся | дети
    строка 01 | Всего |
    строка 02 | техническая | направленность=техническая
    столбец 3 | из них девочки | пол=ж

A section counts one measure: ``дети`` (distinct children with a live enrolment on the
date), ``программы`` (published programs) or ``педагоги`` (working teachers). A row and a
column each carry conditions (``ключ=значение`` or a bare flag, separated by commas); a
cell counts what meets the conditions of both. A child is counted once in a cell however
many of the organization's programs meet it; the form of a municipality or the region
is the sum of the forms of its organizations, as a statistics office sums them (a child
studying with two organizations is counted by each).

``parse`` turns the text into the layout (plain data, stored next to the text) or
reports every bad line by its number; ``compute`` fills the cells in one grouped query
per section, whatever the number of rows, columns and organizations.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opora.enrollment.models import Application, ApplicationStatus, Sex
from opora.errors import ValidationFailed
from opora.monitoring.indicators import years_before
from opora.registry.choices import Direction, ProgramStatus, ProgramType, QualificationCategory
from opora.registry.models import Program, Teacher

S = ApplicationStatus
PROGRAM = "group__module__program"

MEASURES = {
    "дети": "children",
    "программы": "programs",
    "педагоги": "teachers",
}
MEASURE_LABELS = {
    "children": gettext_lazy("человек"),
    "programs": gettext_lazy("программ"),
    "teachers": gettext_lazy("человек"),
}


def _choice(choices, value: str):
    """The code of a choice named by its Russian label or its code, any case."""
    wanted = value.strip().lower().replace("ё", "е")
    for code, label in choices:
        if wanted in (str(code).lower(), str(label).lower().replace("ё", "е")):
            return code
    return None


def _age(value: str, day: dt.date, prefix: str) -> Q | None:
    """«5-9» (full years on the date, both ends included), «до 5», «18+»."""
    value = value.replace(" ", "").replace("–", "-").lower()
    if match := re.fullmatch(r"(\d{1,2})-(\d{1,2})", value):
        low, high = int(match[1]), int(match[2])
        if low > high:
            return None
    elif match := re.fullmatch(r"до(\d{1,2})", value):
        low, high = 0, int(match[1]) - 1
    elif match := re.fullmatch(r"(\d{1,2})\+", value):
        low, high = int(match[1]), 200
    else:
        return None
    return Q(**{f"{prefix}birth_date__lte": years_before(day, low),
                f"{prefix}birth_date__gt": years_before(day, high + 1)})


SEXES = {"ж": Sex.FEMALE, "м": Sex.MALE, "женский": Sex.FEMALE, "мужской": Sex.MALE}


@dataclass(frozen=True)
class Key:
    """A condition a layout may use: what it is called in the layout, what it means (for
    the editor's help), the measures it applies to, and how it becomes a filter."""

    name: str
    help: str
    measures: tuple[str, ...]
    flag: bool = False  # a bare word without «=value»


KEYS = {
    "направленность": Key("направленность", gettext_lazy(
        "направленность программы: техническая, естественнонаучная, художественная, "
        "туристско-краеведческая, социально-гуманитарная, физкультурно-спортивная"),
        ("children", "programs")),
    "тип": Key("тип", gettext_lazy(
        "вид программы: общеразвивающая, предпрофессиональная, спортивной подготовки"),
        ("children", "programs")),
    "дистанционно": Key("дистанционно", gettext_lazy(
        "программа с применением дистанционных технологий"), ("children", "programs"), flag=True),
    "сетевая": Key("сетевая", gettext_lazy("программа в сетевой форме"),
                   ("children", "programs"), flag=True),
    "пол": Key("пол", gettext_lazy("пол ребёнка: ж или м"), ("children",)),
    "возраст": Key("возраст", gettext_lazy(
        "полных лет на отчётную дату: 5-9, до 5, 18+"), ("children",)),
    "сельские": Key("сельские", gettext_lazy("проживают в сельской местности"), ("children",),
                    flag=True),
    "овз": Key("ОВЗ", gettext_lazy("с ограниченными возможностями здоровья"), ("children",),
               flag=True),
    "инвалиды": Key("инвалиды", gettext_lazy("дети-инвалиды"), ("children",), flag=True),
    "тжс": Key("ТЖС", gettext_lazy("в трудной жизненной ситуации"), ("children",), flag=True),
    "категория": Key("категория", gettext_lazy(
        "квалификационная категория педагога: высшая, первая, соответствие занимаемой "
        "должности, без категории"), ("teachers",)),
}

# Where the attributes are, seen from each measure's rows.
PATHS = {
    "children": {"program": f"{PROGRAM}__", "child": "child__"},
    "programs": {"program": "", "child": None},
    "teachers": {"program": None, "child": None},
}


def _condition(measure: str, key: str, value: str | None, day: dt.date) -> Q | None:
    """The filter of one condition, or None when the value is not understood."""
    program = PATHS[measure]["program"]
    child = PATHS[measure]["child"]
    if key == "направленность":
        code = _choice(Direction.choices, value)
        return None if code is None else Q(**{f"{program}direction": code})
    if key == "тип":
        code = _choice(ProgramType.choices, value)
        return None if code is None else Q(**{f"{program}program_type": code})
    if key == "дистанционно":
        return Q(**{f"{program}is_distance": True})
    if key == "сетевая":
        return Q(**{f"{program}is_network": True})
    if key == "пол":
        code = SEXES.get(value.strip().lower()) or _choice(Sex.choices, value)
        return None if code is None else Q(**{f"{child}sex": code})
    if key == "возраст":
        return _age(value, day, child)
    flags = {"сельские": "is_rural", "овз": "has_ovz", "инвалиды": "is_disabled",
             "тжс": "difficult_situation"}
    if key in flags:
        return Q(**{f"{child}{flags[key]}": True})
    if key == "категория":
        code = _choice(QualificationCategory.choices, value)
        return None if code is None else Q(category=code)
    return None


def _conditions(text: str) -> list[tuple[str, str | None]]:
    found = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        found.append((key.strip().lower().replace("ё", "е"), value.strip() if sep else None))
    return found


def _check_conditions(measure: str, text: str) -> str | None:
    """The reason ``text`` is not a valid list of conditions of ``measure``, or None."""
    probe = dt.date(2000, 12, 31)
    for key, value in _conditions(text):
        spec = KEYS.get(key)
        if spec is None:
            return _("неизвестное условие «%(key)s»") % {"key": key}
        if measure not in spec.measures:
            return _("условие «%(key)s» не относится к разделу «%(measure)s»") % {
                "key": spec.name, "measure": next(k for k, v in MEASURES.items() if v == measure)}
        if spec.flag and value is not None:
            return _("у условия «%(key)s» не бывает значения") % {"key": spec.name}
        if not spec.flag and not value:
            return _("у условия «%(key)s» нет значения после «=»") % {"key": spec.name}
        if _condition(measure, key, value, probe) is None:
            return _("значение «%(value)s» условия «%(key)s» не распознано") % {
                "value": value, "key": spec.name}
    return None


def parse(text: str) -> dict:
    """The layout of ``text``: ``{"sections": [{code, title, measure, rows, columns}]}``,
    each row and column ``{code, label, where}``. Every bad line is reported by its
    number in one ``ValidationFailed``."""
    errors, sections = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        head, _sep, rest = line.partition(" ")
        parts = [p.strip() for p in rest.split("|")]
        kind = head.lower()
        if kind not in ("раздел", "строка", "столбец") or len(parts) != 3 or not parts[0] or not parts[1]:
            errors.append(_("Строка %(n)s: ожидается «раздел|строка|столбец код | название | "
                            "условия».") % {"n": number})
            continue
        code, label, conditions = parts
        if kind == "раздел":
            measure = MEASURES.get(conditions.lower())
            if measure is None:
                errors.append(_("Строка %(n)s: раздел считает «дети», «программы» или «педагоги», "
                                "а не «%(value)s».") % {"n": number, "value": conditions})
                continue
            if any(s["code"] == code for s in sections):
                errors.append(_("Строка %(n)s: раздел %(code)s уже есть.") % {"n": number, "code": code})
            sections.append({"code": code, "title": label, "measure": measure, "rows": [],
                             "columns": []})
            continue
        if not sections:
            errors.append(_("Строка %(n)s: строка или столбец до первого раздела.") % {"n": number})
            continue
        section = sections[-1]
        reason = _check_conditions(section["measure"], conditions)
        if reason:
            errors.append(_("Строка %(n)s: %(reason)s.") % {"n": number, "reason": reason})
            continue
        items = section["rows" if kind == "строка" else "columns"]
        if any(item["code"] == code for item in items):
            errors.append(_("Строка %(n)s: код %(code)s в разделе %(section)s повторяется.") % {
                "n": number, "code": code, "section": section["code"]})
            continue
        items.append({"code": code, "label": label, "where": conditions})
    for section in sections:
        if not section["rows"] or not section["columns"]:
            errors.append(_("В разделе %(code)s нужны хотя бы одна строка и один столбец.") % {
                "code": section["code"]})
    if not sections and not errors:
        errors.append(_("В макете нет ни одного раздела."))
    if errors:
        raise ValidationFailed(" ".join(errors))
    return {"sections": sections}


def _q(measure: str, text: str, day: dt.date) -> Q:
    q = Q()
    for key, value in _conditions(text):
        q &= _condition(measure, key, value, day)
    return q


def enrolments_on(day: dt.date):
    """Applications that are live enrolments on ``day``, of children of any age (the form
    counts those under 5 and 18 or older in columns of their own)."""
    return (Application.objects
            .annotate(ended=Coalesce("ended_on", TruncDate("status_changed_at")))
            .filter(enrolled_on__isnull=False, enrolled_on__lte=day,
                    status__in=(S.ENROLLED, S.EXPELLED, S.COMPLETED, S.WITHDRAWN),
                    group__start_date__lte=day, group__end_date__gte=day)
            .filter(Q(status=S.ENROLLED) | Q(ended__gte=day)))


def _base(measure: str, day: dt.date):
    """The rows a measure counts, and the path to their organization."""
    if measure == "children":
        return enrolments_on(day), f"{PROGRAM}__organization", "child_id"
    if measure == "programs":
        return (Program.objects.filter(status=ProgramStatus.PUBLISHED, published_at__date__lte=day),
                "organization", "pk")
    return Teacher.objects.filter(is_active=True, organization__is_active=True), "organization", "pk"


def compute(layout: dict, year: int, *, organization_id: int | None = None,
            municipality_id: int | None = None) -> list[dict]:
    """The sections of the form for 31 December of ``year``: of one organization, of the
    organizations of a municipality (summed), or of the region (neither given). Each
    section: its code, title, measure, columns and rows with their cells (ints)."""
    day = dt.date(year, 12, 31)
    result = []
    for section in layout["sections"]:
        measure = section["measure"]
        rows, organization, counted = _base(measure, day)
        if organization_id is not None:
            rows = rows.filter(**{f"{organization}_id": organization_id})
        elif municipality_id is not None:
            rows = rows.filter(**{f"{organization}__municipality_id": municipality_id})
        aggregates = {}
        for i, row in enumerate(section["rows"]):
            row_q = _q(measure, row["where"], day)
            for j, column in enumerate(section["columns"]):
                where = row_q & _q(measure, column["where"], day)
                aggregates[f"c{i}_{j}"] = Count(counted, distinct=True, filter=where or None)
        # Counted per organization, then summed: a child is counted once per organization.
        totals = dict.fromkeys(aggregates, 0)
        for values in (rows.values(f"{organization}_id").annotate(**aggregates)
                       .values(*aggregates).order_by()):
            for name, value in values.items():
                totals[name] += value
        result.append({
            "code": section["code"], "title": section["title"], "measure": measure,
            "unit": str(MEASURE_LABELS[measure]),
            "columns": section["columns"],
            "rows": [{**row, "cells": [totals[f"c{i}_{j}"] for j in range(len(section["columns"]))]}
                     for i, row in enumerate(section["rows"])],
        })
    return result


DIRECTION_ROWS = "\n".join(
    f"строка {index:02d} | {label.lower()} | направленность={label.lower()}"
    for index, (_code, label) in enumerate(Direction.choices, start=2))

# The default layout: the form's sections as a statistics office asks for them. The РМЦ
# adjusts it to the year's form (its rows and columns change from time to time).
DEFAULT_LAYOUT = f"""\
# Форма 1-ДОП «Сведения о дополнительном образовании детей», по состоянию на 31 декабря.
# Каждая строка макета: «раздел|строка|столбец код | название | условия».
раздел 1 | Дополнительные общеобразовательные программы | программы
строка 01 | Всего |
{DIRECTION_ROWS}
столбец 3 | Всего программ |
столбец 4 | из них предпрофессиональных | тип=предпрофессиональная
столбец 5 | реализуемых с применением дистанционных технологий | дистанционно
столбец 6 | реализуемых в сетевой форме | сетевая

раздел 2 | Численность обучающихся по дополнительным общеобразовательным программам | дети
строка 01 | Всего |
{DIRECTION_ROWS}
столбец 3 | Всего |
столбец 4 | из них девочки | пол=ж
столбец 5 | моложе 5 лет | возраст=до 5
столбец 6 | 5–9 лет | возраст=5-9
столбец 7 | 10–14 лет | возраст=10-14
столбец 8 | 15–17 лет | возраст=15-17
столбец 9 | 18 лет и старше | возраст=18+
столбец 10 | проживают в сельской местности | сельские
столбец 11 | с ОВЗ | ОВЗ
столбец 12 | дети-инвалиды | инвалиды
столбец 13 | с применением дистанционных технологий | дистанционно
столбец 14 | по предпрофессиональным программам | тип=предпрофессиональная
столбец 15 | по программам спортивной подготовки | тип=спортивной подготовки

раздел 3 | Педагогические работники | педагоги
строка 01 | Всего |
столбец 3 | Всего |
столбец 4 | высшая категория | категория=высшая
столбец 5 | первая категория | категория=первая
столбец 6 | без категории | категория=без категории
"""
