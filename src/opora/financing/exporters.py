"""Exports of personified financing, as xlsx or csv (``opora.core.exporters``).

Certificates: ``CertificateRegisterExporter`` — the register of certificates with the
money of the period current on the day of the export. Invoice exports are added below
by the settlement part of the app.
"""

from django.utils.translation import gettext_lazy as _

from opora.core.exporters import Column, Exporter, Kind
from opora.financing import selectors

# --- certificates ----------------------------------------------------------------------


def _certificate_balance(certificate):
    return selectors.balance_of(certificate)


class CertificateRegisterExporter(Exporter):
    """The register of certificates: number, child, kind, status, validity and the
    nominal, reserved, paid and balance of the current period; one query."""

    filename = _("Реестр сертификатов")
    ascii_filename = "certificates"
    sheet_title = _("Сертификаты")
    columns = (
        Column(_("Номер сертификата"), lambda c: c.number or "", width=14, kind=Kind.ID),
        Column(_("Ребёнок"), lambda c: c.child.full_name, width=35),
        Column(_("Дата рождения"), lambda c: c.child.birth_date, width=14, kind=Kind.DATE),
        Column(_("Муниципалитет"), lambda c: c.municipality.name, width=25),
        Column(_("Вид"), lambda c: c.get_kind_display(), width=28),
        Column(_("Статус"), lambda c: c.get_status_display(), width=18),
        Column(_("В очереди на финансирование с"), lambda c: c.financing_wanted_at, width=18, kind=Kind.DATETIME),
        Column(_("Действует до"), lambda c: c.valid_until, width=14, kind=Kind.DATE),
        Column(_("Номинал текущего периода, ₽"), lambda c: c.current_nominal, width=16, kind=Kind.MONEY),
        Column(_("Зарезервировано, ₽"), selectors.reserved_of, width=16, kind=Kind.MONEY),
        Column(_("Оплачено, ₽"), lambda c: c.current_paid, width=16, kind=Kind.MONEY),
        Column(_("Остаток, ₽"), _certificate_balance, width=16, kind=Kind.MONEY),
    )

    def get_queryset(self):
        return selectors.with_current_ledger(self.queryset.select_related("child", "municipality"))
