"""The published catalog as open data: every public program in one CSV or JSON file,
streamed row by row from a database cursor, never built in memory.

Column names are stable English codes, each with a type (``TYPES``), documented on
/opendata/ in Russian; values are what the program page shows. The CSV is written in
the project's open-data dialect (``opora.core.exporters.OpenDataDialect``: «,», every
cell quoted, UTF-8 without BOM, ISO dates, decimal point, list items joined by «|»);
the JSON holds the same rows with lists as arrays. No personal data: teachers are not
listed here.
"""

import json

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opora.core.exporters import Audience, csv_stream
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
    ("levels", _("уровни")),
    ("forms", _("формы обучения")),
    ("age_min", _("возраст от, лет")),
    ("age_max", _("возраст до, лет")),
    ("duration_months", _("продолжительность, месяцев")),
    ("hours_total", _("объём, академических часов")),
    ("ovz", _("адаптирована для детей с ОВЗ (виды)")),
    ("seasonal", _("сезонность")),
    ("free", _("возможно бесплатное обучение")),
    ("certificate", _("возможна оплата сертификатом")),
    ("paid", _("возможно платное обучение")),
    ("min_monthly_price", _("наименьшая стоимость в месяц по всем источникам, ₽")),
    ("min_paid_monthly_price", _("наименьшая стоимость платного обучения в месяц, ₽")),
    ("next_start", _("начало ближайшей группы")),
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
# The type of each column: how its CSV cell reads (see ``TYPE_LABELS``).
TYPES = {
    "id": "integer", "age_min": "integer", "age_max": "integer", "duration_months": "integer",
    "hours_total": "integer", "free_seats": "integer", "organization_id": "integer",
    "levels": "list", "forms": "list", "ovz": "list",
    "free": "boolean", "certificate": "boolean", "paid": "boolean",
    "min_monthly_price": "decimal", "min_paid_monthly_price": "decimal",
    "next_start": "date", "updated_at": "datetime",
}
TYPE_LABELS = {
    "text": _("текст"),
    "integer": _("целое число"),
    "decimal": _("число с точкой, два знака после точки"),
    "boolean": _("true или false"),
    "list": _("список: значения через «|»; в JSON — массив"),
    "date": _("дата ГГГГ-ММ-ДД"),
    "datetime": _("дата и время ISO 8601 с часовым поясом"),
}


def column_types():
    """(code, type, description) of every column, for the open-data page."""
    return [(code, TYPE_LABELS[TYPES.get(code, "text")], label) for code, label in COLUMNS]


FIELDS = [
    "pk", "uuid", "title", "direction", "specialisation__name", "catalog_entry__levels",
    "catalog_entry__forms", "age_min", "age_max", "duration_months", "hours_total",
    "catalog_entry__ovz_kinds", "seasonal_kind", "catalog_entry__payment", "catalog_entry__min_price",
    "catalog_entry__min_paid_price", "catalog_entry__next_start", "catalog_entry__free_seats",
    "organization_id", "organization__short_name", "organization__inn",
    "organization__municipality__name", "address", "organization__address", "organization__phone",
    "organization__email", "organization__website", "updated_at",
]


def _list(labels):
    return [str(label) for label in labels]


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
            "levels": _list(codes.labels_of(codes.LEVELS, v["catalog_entry__levels"])),
            "forms": _list(codes.labels_of(codes.FORMS, v["catalog_entry__forms"])),
            "age_min": v["age_min"], "age_max": v["age_max"],
            "duration_months": v["duration_months"], "hours_total": v["hours_total"],
            "ovz": _list(codes.labels_of(codes.OVZ, v["catalog_entry__ovz_kinds"])),
            "seasonal": str(seasons.get(v["seasonal_kind"], "")) if v["seasonal_kind"] else "",
            **{code: bool(payment & codes.bit_of(codes.PAYMENTS, code)) for code in ("free", "certificate", "paid")},
            "min_monthly_price": _price(v["catalog_entry__min_price"]),
            "min_paid_monthly_price": _price(v["catalog_entry__min_paid_price"]),
            "next_start": next_start.isoformat() if next_start else None,
            "free_seats": v["catalog_entry__free_seats"],
            "organization_id": v["organization_id"], "organization": v["organization__short_name"],
            "organization_inn": v["organization__inn"] or "",
            "municipality": v["organization__municipality__name"],
            "address": v["address"] or v["organization__address"] or "",
            "phone": v["organization__phone"] or "", "email": v["organization__email"] or "",
            "website": v["organization__website"] or "", "updated_at": v["updated_at"].isoformat(),
        }


def csv_lines(base_url=""):
    """The CSV through the project's one csv writer (``opora.core.exporters.csv_stream``)
    in the open-data dialect; no cell a spreadsheet would run as a formula."""
    rows = ([record[code] for code, _label in COLUMNS] for record in records(base_url))
    return csv_stream([code for code, _label in COLUMNS], rows, audience=Audience.OPEN_DATA)


def json_chunks(base_url=""):
    """A JSON array, one program per line."""
    yield "[\n"
    first = True
    for record in records(base_url):
        yield ("" if first else ",\n") + json.dumps(record, ensure_ascii=False)
        first = False
    yield "\n]\n"
