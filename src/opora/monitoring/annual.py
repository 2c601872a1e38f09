"""The МОЦ's annual report to the РМЦ on the regional project «Успех каждого ребенка»:
for a municipality (or the region) and a year, the indicators on 31 December with their
targets and last year's values, coverage by direction and age, programs, certificates,
and the money of personified financing over the year.

Everything is read from what monitoring and financing already compute: the indicators
of 31 December come from its snapshot (frozen the night after; computed and marked
recomputed when there is none), the current year's from today's live values.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from opora.core.exporters import Column, Kind, Sheet, Typed
from opora.errors import ValidationFailed
from opora.financing import reports
from opora.monitoring import presentation, services
from opora.registry.models import Municipality

COVERAGE_TABLES = ("direction", "age_band", "sex", "rural", "ovz", "disabled", "funding")
FIRST_YEAR = 2020


def report_date(year: int, today: dt.date) -> dt.date:
    """31 December of the year, or today while the year runs."""
    return min(dt.date(year, 12, 31), today)


def build(actor, year, municipality: Municipality | None) -> dict:
    """The report as plain data for the page, the Excel file and the document."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationFailed({"year": [_("Год указывается числом, например 2026.")]}) from None
    today = timezone.localdate()
    if not FIRST_YEAR <= year <= today.year:
        raise ValidationFailed({"year": [_("Отчёт составляется за год с %(first)s по %(last)s.")
                                         % {"first": FIRST_YEAR, "last": today.year}]})
    day = report_date(year, today)
    values, snapshot = services.indicators_on(actor, day, municipality)  # checks the reader
    municipality_id = municipality.pk if municipality else None
    names = dict(Municipality.objects.values_list("pk", "name"))
    tables = [table for table in presentation.breakdown_tables(values, names)
              if table["name"] in COVERAGE_TABLES]
    programs = values.get("programs") or {}
    months = reports.funds(actor, by="month", month_from=dt.date(year, 1, 1),
                           month_to=dt.date(year, 12, 1), municipality_id=municipality_id)
    periods = [row for row in reports.nominal_vs_used(actor, municipality_id)
               if row["starts_on"] <= dt.date(year, 12, 31) and row["ends_on"] >= dt.date(year, 1, 1)]
    return {
        "year": year, "day": day, "final": day == dt.date(year, 12, 31),
        "municipality": municipality, "snapshot": snapshot,
        "population": values.get("population"),
        "indicators": presentation.indicator_rows(values),
        "coverage_tables": tables,
        "programs": presentation.program_rows(values),
        "program_forms": presentation.program_form_tables(values),
        "program_totals": {
            "total": programs.get("total", 0), "stem": programs.get("stem", 0),
            "distance": programs.get("distance", 0), "network": programs.get("network", 0),
        },
        "certificates": reports.certificate_usage(actor, municipality_id),
        "periods": periods,
        "months": months,
        "money": reports.funds_totals(months) if months else None,
    }


def _columns(*columns) -> list[Column]:
    return [Column(label, None, kind=kind) for label, kind in columns]


def tables(report: dict) -> list[Sheet]:
    """The report's tables in the order of the page, for the workbook and the document."""
    count, money, percent, text = Kind.COUNT, Kind.MONEY, Kind.PERCENT, Kind.TEXT

    def indicator(row, value):
        return None if value is None else Typed(value, percent if row["percent"] else Kind.NUMBER)

    sheets = [Sheet(_("Показатели"), _columns(
        (_("Показатель"), text), (_("Значение"), None), (_("Цель"), None), (_("Год назад"), None),
        (_("Числитель"), count), (_("Знаменатель"), count)),
        [[str(r["label"]), indicator(r, r["value"]), indicator(r, r["target"]),
          indicator(r, r["last_year"]), r["numerator"], r["denominator"]] for r in report["indicators"]])]
    for table in report["coverage_tables"]:
        sheets.append(Sheet(str(table["title"]), _columns(
            (_("Значение"), text), (_("Детей"), count), (_("Доля, %"), percent)),
            [[r["label"], r["children"], r["share"]] for r in table["rows"]]))
    sheets.append(Sheet(_("Программы по направленностям"), _columns(
        (_("Направленность"), text), (_("Программ"), count)),
        [[r["label"], r["programs"]] for r in report["programs"]]))
    for table in report["program_forms"]:
        sheets.append(Sheet(str(table["title"]), _columns((_("Значение"), text), (_("Программ"), count)),
                            [[r["label"], r["programs"]] for r in table["rows"]]))
    sheets.append(Sheet(_("Сертификаты"), _columns(
        (_("Муниципалитет"), text), (_("Вид"), text), (_("Всего"), count), (_("Без договоров"), count),
        (_("1 договор"), count), (_("2 договора"), count), (_("Больше 2"), count)),
        [[r["municipality"], str(r["kind_label"]), r["total"], r["zero"], r["one"], r["two"], r["more"]]
         for r in report["certificates"]]))
    sheets.append(Sheet(_("Периоды финансирования, ₽"), _columns(
        (_("Муниципалитет"), text), (_("Период"), text), (_("Бюджет"), money), (_("Номинал"), money),
        (_("Зарезервировано"), money), (_("Оплачено"), money), (_("Остаток"), money),
        (_("Использовано, %"), percent)),
        [[r["municipality"], r["title"], r["budget"], r["nominal"], r["reserved"], r["paid"],
          r["balance"], r["used_share"]] for r in report["periods"]]))
    sheets.append(Sheet(_("Средства сертификатов по месяцам, ₽"), _columns(
        (_("Месяц"), text), (_("Договоров"), count), (_("По договорам"), money), (_("Авансы"), money),
        (_("Выставлено"), money), (_("Возвращено на сертификаты"), money), (_("Оплачено"), money)),
        [[r["label"], r["contracts"], r["scheduled"], r["advances"], r["invoiced"], r["returned"],
          r["paid"]] for r in report["months"]]))
    return sheets
