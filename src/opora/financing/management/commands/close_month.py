"""Close (or, with ``--advance``, open) a month of personified financing for the whole
region or one municipality:

    opora close_month --month 2026-10 [--municipality 45000001] [--advance]

Runs ``settlement.close_month_for_region`` (``open_month_for_region``): a few set-based
statements for every contract of the month; running it again changes nothing."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from opora.errors import DomainError
from opora.financing import settlement
from opora.registry.models import Municipality


def _month(value: str) -> dt.date:
    try:
        month = dt.datetime.strptime(value, "%Y-%m").date()
        if not settlement.FIRST_YEAR <= month.year <= settlement.LAST_YEAR:
            raise ValueError(value)
        return month
    except ValueError:
        raise CommandError(_("Месяц указывается как ГГГГ-ММ, например 2026-10, а не «%(value)s».")
                           % {"value": value}) from None


class Command(BaseCommand):
    help = ("Сформировать итоговые счета за месяц (с --advance — авансы) по договорам сертификатов "
            "всего региона или одного муниципалитета.")

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, type=_month, help="месяц, ГГГГ-ММ")
        parser.add_argument("--municipality", metavar="ОКТМО", help="код ОКТМО муниципалитета")
        parser.add_argument("--advance", action="store_true", help="сформировать авансы, а не итоговые счета")

    def handle(self, *args, month, municipality, advance, **options):
        found = None
        if municipality:
            found = Municipality.objects.filter(oktmo=municipality.strip()).first()
            if found is None:
                raise CommandError(_("Муниципалитет с кодом ОКТМО %(code)s не найден.") % {"code": municipality})
        run = settlement.open_month_for_region if advance else settlement.close_month_for_region
        started = time.perf_counter()
        try:
            result = run(month, municipality=found)
        except DomainError as error:
            raise CommandError(error.message) from error
        what = _("Авансы") if advance else _("Итоговые счета")
        text = _("%(what)s за %(month)s: счетов создано %(created)s, строк добавлено %(lines)s, "
                 "счетов пересчитано %(updated)s") % {
            "what": what, "month": settlement.month_label(result.month), "created": result.invoices_created,
            "lines": result.lines_created, "updated": result.invoices_updated}
        if found:
            text += f" ({found.name})"
        if not advance:
            text += _(", месяцев договоров рассчитано %(n)s") % {"n": result.months_settled}
            if result.months_left_out:
                text += _(", не вошли (итоговый счёт организации уже направлен) %(n)s") % {
                    "n": result.months_left_out}
        self.stdout.write(text + _("; %(seconds).1f с.") % {"seconds": time.perf_counter() - started})
