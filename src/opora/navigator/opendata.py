"""The published catalog as open data: every public program in one CSV or JSON file,
streamed row by row from a database cursor, never built in memory.

Column names are stable English codes (documented on /opendata/ in Russian); values
are what the program page shows. No personal data: teachers are not listed here.
"""

import json

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opora.core.exporters import csv_stream
from opora.navigator import codes
from opora.navigator.selectors import public_programs
from opora.registry.choices import Direction, SeasonalKind

CHUNK = 2000

# code, Russian description
COLUMNS = [
    ("id", _("номер программы в навигаторе")),
    ("uuid", _("постоянный идентификатор для обмена с другими системами")),
    ("url", _("страница программы")),
    ("title", _("название")),
    ("direction", _("код направленности")),
    ("direction_name", _("направленность")),
    ("specialisation", _("специализация")),
    ("levels", _("уровни через «; »")),
    ("forms", _("формы обучения через «; »")),
    ("age_min", _("возраст от, лет")),
    ("age_max", _("возраст до, лет")),
    ("duration_months", _("продолжительность, месяцев")),
    ("hours_total", _("объём, академических часов")),
    ("ovz", _("адаптирована для детей с ОВЗ (виды через «; »)")),
    ("seasonal", _("сезонность")),
    ("free", _("возможно бесплатное обучение (true/false)")),
    ("certificate", _("возможна оплата сертификатом (true/false)")),
    ("paid", _("возможно платное обучение (true/false)")),
    ("min_monthly_price", _("наименьшая стоимость в месяц по всем источникам, ₽")),
    ("min_paid_monthly_price", _("наименьшая стоимость платного обучения в месяц, ₽")),
    ("next_start", _("начало ближайшей группы (ГГГГ-ММ-ДД)")),
    ("free_seats", _("свободных мест в идущих и будущих группах")),
    ("organization_id", _("номер организации")),
    ("organization", _("организация")),
    ("organization_inn", _("ИНН организации")),
    ("municipality", _("муниципалитет")),
    ("address", _("адрес проведения занятий")),
    ("phone", _("телефон организации")),
    ("email", _("e-mail организации")),
    ("website", _("сайт организации")),
    ("updated_at", _("последнее изменение карточки")),
]
FIELDS = [
    "pk", "uuid", "title", "direction", "specialisation__name", "catalog_entry__levels",
    "catalog_entry__forms", "age_min", "age_max", "duration_months", "hours_total",
    "catalog_entry__ovz_kinds", "seasonal_kind", "catalog_entry__payment", "catalog_entry__min_price",
    "catalog_entry__min_paid_price", "catalog_entry__next_start", "catalog_entry__free_seats",
    "organization_id", "organization__short_name", "organization__inn",
    "organization__municipality__name", "address", "organization__address", "organization__phone",
    "organization__email", "organization__website", "updated_at",
]


def _join(labels):
    return "; ".join(str(label) for label in labels)


def _price(value):
    return None if value is None else str(value)


def records(base_url=""):
    """One dict per public program, in the order of COLUMNS."""
    directions = dict(Direction.choices)
    seasons = dict(SeasonalKind.choices)
    page = reverse("navigator:program", args=[0])[:-2]
    rows = (public_programs().filter(catalog_entry__isnull=False).order_by("pk")
            .values_list(*FIELDS).iterator(chunk_size=CHUNK))
    for row in rows:
        v = dict(zip(FIELDS, row, strict=True))
        payment = v["catalog_entry__payment"]
        next_start = v["catalog_entry__next_start"]
        yield {
            "id": v["pk"], "uuid": str(v["uuid"]), "url": f"{base_url}{page}{v['pk']}/",
            "title": v["title"], "direction": v["direction"],
            "direction_name": str(directions.get(v["direction"], "")),
            "specialisation": v["specialisation__name"] or "",
            "levels": _join(codes.labels_of(codes.LEVELS, v["catalog_entry__levels"])),
            "forms": _join(codes.labels_of(codes.FORMS, v["catalog_entry__forms"])),
            "age_min": v["age_min"], "age_max": v["age_max"],
            "duration_months": v["duration_months"], "hours_total": v["hours_total"],
            "ovz": _join(codes.labels_of(codes.OVZ, v["catalog_entry__ovz_kinds"])),
            "seasonal": str(seasons.get(v["seasonal_kind"], "")) if v["seasonal_kind"] else "",
            **{code: bool(payment & codes.bit_of(codes.PAYMENTS, code)) for code in ("free", "certificate", "paid")},
            "min_monthly_price": _price(v["catalog_entry__min_price"]),
            "min_paid_monthly_price": _price(v["catalog_entry__min_paid_price"]),
            "next_start": next_start.isoformat() if next_start else None,
            "free_seats": v["catalog_entry__free_seats"],
            "organization_id": v["organization_id"], "organization": v["organization__short_name"],
            "organization_inn": v["organization__inn"],
            "municipality": v["organization__municipality__name"],
            "address": v["address"] or v["organization__address"],
            "phone": v["organization__phone"], "email": v["organization__email"],
            "website": v["organization__website"], "updated_at": v["updated_at"].isoformat(),
        }


def csv_lines(base_url=""):
    """The CSV through the project's one csv writer (``opora.core.exporters.csv_stream``):
    a BOM, ``;``, and no cell a spreadsheet would run as a formula."""
    rows = ([_csv_value(record[code]) for code, _label in COLUMNS] for record in records(base_url))
    return csv_stream([code for code, _label in COLUMNS], rows)


def _csv_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def json_chunks(base_url=""):
    """A JSON array, one program per line."""
    yield "[\n"
    first = True
    for record in records(base_url):
        yield ("" if first else ",\n") + json.dumps(record, ensure_ascii=False)
        first = False
    yield "\n]\n"
