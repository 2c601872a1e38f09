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
        "program_totals": {
            "total": programs.get("total", 0), "stem": programs.get("stem", 0),
            "distance": programs.get("distance", 0), "network": programs.get("network", 0),
        },
        "certificates": reports.certificate_usage(actor, municipality_id),
        "periods": periods,
        "months": months,
        "money": reports.funds_totals(months) if months else None,
    }


def tables(report: dict, *, money=lambda value: value) -> list[tuple[str, list, list]]:
    """The report's tables as (title, header, rows), in the order of the page, for the
    Excel file and the document; ``money`` formats sums (the document writes them as
    text, the workbook keeps numbers)."""
    result = [(_("Показатели"), [
        _("Показатель"), _("Значение"), _("Цель"), _("Год назад"), _("Числитель"),
        _("Знаменатель")],
        [[str(r["label"]), r["value"], r["target"], r["last_year"], r["numerator"],
          r["denominator"]] for r in report["indicators"]])]
    for table in report["coverage_tables"]:
        result.append((str(table["title"]), [_("Значение"), _("Детей"), _("Доля, %")],
                       [[r["label"], r["children"], r["share"]] for r in table["rows"]]))
    result.append((_("Программы по направленностям"), [_("Направленность"), _("Программ")],
                   [[r["label"], r["programs"]] for r in report["programs"]]))
    result.append((_("Сертификаты"), [
        _("Муниципалитет"), _("Вид"), _("Всего"), _("Без договоров"), _("1 договор"),
        _("2 договора"), _("Больше 2")],
        [[r["municipality"], str(r["kind_label"]), r["total"], r["zero"], r["one"], r["two"],
          r["more"]] for r in report["certificates"]]))
    result.append((_("Периоды финансирования, ₽"), [
        _("Муниципалитет"), _("Период"), _("Бюджет"), _("Номинал"), _("Зарезервировано"),
        _("Оплачено"), _("Остаток"), _("Использовано, %")],
        [[r["municipality"], r["title"], money(r["budget"]), money(r["nominal"]),
          money(r["reserved"]), money(r["paid"]), money(r["balance"]), r["used_share"]]
         for r in report["periods"]]))
    result.append((_("Средства сертификатов по месяцам, ₽"), [
        _("Месяц"), _("Договоров"), _("По договорам"), _("Авансы"), _("Выставлено"),
        _("Возвращено на сертификаты"), _("Оплачено")],
        [[r["label"], r["contracts"], money(r["scheduled"]), money(r["advances"]),
          money(r["invoiced"]), money(r["returned"]), money(r["paid"])] for r in report["months"]]))
    return result
