"""Excel (and csv) exports of settlement: one invoice with its lines, the invoices of a
month, and the financing reports. Built on ``opora.core.exporters``: each export is one
query (or a report's few aggregate queries) however many rows it holds; the caller
scopes what it passes in."""

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opora.core.exporters import Column, Exporter, Kind, RowsExporter
from opora.financing.reports import BREAKDOWN_LABELS


class InvoiceLinesExporter(Exporter):
    """One invoice as the payer checks and files it: a title block (number, provider,
    payer, month, kind, status, date), its lines — contract, certificate, the month's
    amount, completeness and the amount asked — and labelled totals. Landscape, fitted
    to the page width: a short invoice prints on one A4 page."""

    sheet_title = _("Счёт")
    columns = (
        Column(_("№ п/п"), lambda line: line.position, 6, Kind.COUNT),
        Column(_("Номер договора"), lambda line: line.contract_number, 18, Kind.ID),
        Column(_("Номер сертификата"), lambda line: line.certificate_number, 14, Kind.ID),
        Column(_("Программа"), lambda line: line.contract.module.program.title, 45, Kind.TEXT),
        Column(_("По графику, ₽"), lambda line: line.month_amount, 14, Kind.MONEY),
        Column(_("Полнота оказания услуги, %"), lambda line: line.completeness, 12, Kind.PERCENT),
        Column(_("К оплате, ₽"), lambda line: line.amount, 14, Kind.MONEY),
    )

    def __init__(self, invoice):
        super().__init__(invoice.lines.all())
        self.invoice = invoice
        kind = invoice.get_kind_display().lower()
        self.filename = f"Счёт {kind} {invoice.organization.short_name} {invoice.month:%m.%Y}"
        self.ascii_filename = f"invoice-{invoice.pk}-{invoice.month:%Y-%m}"

    def get_queryset(self):
        return self.queryset.select_related("contract__module__program").order_by("contract_number", "pk")

    def objects(self):
        for position, line in enumerate(super().objects(), start=1):
            line.position = position
            yield line

    def caption(self):
        invoice = self.invoice
        return _("%(kind)s № %(number)s за %(month)s") % {
            "kind": invoice.get_kind_display(), "number": invoice.pk, "month": f"{invoice.month:%m.%Y}"}

    def heading(self):
        invoice = self.invoice
        organization = invoice.organization
        return [
            (_("Номер счёта"), str(invoice.pk)),
            (_("Поставщик услуг"), _("%(name)s, ИНН %(inn)s") % {
                "name": organization.full_name or organization.short_name, "inn": organization.inn}),
            (_("Плательщик"), invoice.municipality.name),
            (_("Месяц"), f"{invoice.month:%m.%Y}"),
            (_("Вид счёта"), invoice.get_kind_display()),
            (_("Статус"), invoice.get_status_display()),
            (_("Дата формирования"), timezone.localtime(invoice.created_at).date()),
        ]

    def totals(self):
        invoice = self.invoice
        totals = [(_("Итого по счёту, ₽"), {6: invoice.amount})]
        if invoice.kind == "final":
            totals += [(_("Выплаченный аванс, ₽"), {6: invoice.advance}),
                       (_("К оплате с учётом аванса, ₽"), {6: invoice.due})]
        return totals


class InvoicesExporter(Exporter):
    """Invoices of a month (or any filtered list): payer, provider, kind, status, sums."""

    filename = "Счета"
    ascii_filename = "invoices"
    sheet_title = _("Счета")
    columns = (
        Column(_("Месяц"), lambda invoice: invoice.month, 10, Kind.MONTH),
        Column(_("Плательщик"), lambda invoice: invoice.municipality.name, 30, Kind.TEXT),
        Column(_("Организация"), lambda invoice: invoice.organization.short_name, 40, Kind.TEXT),
        Column(_("ИНН"), lambda invoice: invoice.organization.inn, 14, Kind.ID),
        Column(_("Вид"), lambda invoice: invoice.get_kind_display(), 16, Kind.TEXT),
        Column(_("Статус"), lambda invoice: invoice.get_status_display(), 14, Kind.TEXT),
        Column(_("Договоров"), lambda invoice: invoice.lines_count, 10, Kind.COUNT),
        Column(_("Сумма, ₽"), lambda invoice: invoice.amount, 14, Kind.MONEY),
        Column(_("Аванс, ₽"), lambda invoice: invoice.advance, 14, Kind.MONEY),
        Column(_("К оплате, ₽"), lambda invoice: invoice.due, 14, Kind.MONEY),
        Column(_("Сформирован"), lambda invoice: invoice.created_at, 18, Kind.DATETIME),
    )

    def get_queryset(self):
        return (self.queryset.select_related("municipality", "organization")
                .annotate(lines_count=Count("lines")).order_by("-month", "organization__short_name", "kind", "pk"))


def funds_exporter(rows, by: str):
    detail = {"provider": _("Муниципалитет"), "program": _("Организация")}.get(by)
    columns = [Column(BREAKDOWN_LABELS[by], lambda row: row["label"], 40, Kind.TEXT)]
    if detail:
        columns.append(Column(detail, lambda row: row["detail"], 36, Kind.TEXT))
    columns += [
        Column(_("Договоров"), lambda row: row["contracts"], 10, Kind.COUNT),
        Column(_("По графику, ₽"), lambda row: row["scheduled"], 16, Kind.MONEY),
        Column(_("Авансы, ₽"), lambda row: row["advances"], 16, Kind.MONEY),
        Column(_("Итоговые счета, ₽"), lambda row: row["invoiced"], 16, Kind.MONEY),
        Column(_("Возвращено на сертификаты, ₽"), lambda row: row["returned"], 16, Kind.MONEY),
        Column(_("Оплачено по итоговым счетам, ₽"), lambda row: row["paid"], 16, Kind.MONEY),
    ]
    exporter = RowsExporter(rows)
    exporter.columns = tuple(columns)
    exporter.filename, exporter.ascii_filename = "Средства сертификатов", f"funds-by-{by}"
    exporter.sheet_title = _("Средства")
    return exporter


class NominalExporter(RowsExporter):
    filename = "Номинал и использование"
    ascii_filename = "nominal-vs-used"
    sheet_title = _("Номинал")
    columns = (
        Column(_("Муниципалитет"), lambda row: row["municipality"], 30),
        Column(_("Период"), lambda row: row["title"], 24),
        Column(_("Начало"), lambda row: row["starts_on"], 12, Kind.DATE),
        Column(_("Окончание"), lambda row: row["ends_on"], 12, Kind.DATE),
        Column(_("Бюджет, ₽"), lambda row: row["budget"], 16, Kind.MONEY),
        Column(_("Сертификатов с номиналом"), lambda row: row["certificates"], 12, Kind.COUNT),
        Column(_("Социальных сертификатов"), lambda row: row["social_certificates"], 12, Kind.COUNT),
        Column(_("Номинал, ₽"), lambda row: row["nominal"], 16, Kind.MONEY),
        Column(_("Зарезервировано, ₽"), lambda row: row["reserved"], 16, Kind.MONEY),
        Column(_("Оплачено, ₽"), lambda row: row["paid"], 16, Kind.MONEY),
        Column(_("Остаток, ₽"), lambda row: row["balance"], 16, Kind.MONEY),
        Column(_("Использовано, %"), lambda row: row["used_share"], 12, Kind.PERCENT),
    )


class UsageExporter(RowsExporter):
    filename = "Использование сертификатов"
    ascii_filename = "certificate-usage"
    sheet_title = _("Использование")
    columns = (
        Column(_("Муниципалитет"), lambda row: row["municipality"], 30),
        Column(_("Вид сертификата"), lambda row: row["kind_label"], 26),
        Column(_("Всего"), lambda row: row["total"], 10, Kind.COUNT),
        Column(_("Без договоров"), lambda row: row["zero"], 12, Kind.COUNT),
        Column(_("В 1 договоре"), lambda row: row["one"], 12, Kind.COUNT),
        Column(_("В 2 договорах"), lambda row: row["two"], 12, Kind.COUNT),
        Column(_("В 3 и более"), lambda row: row["more"], 12, Kind.COUNT),
    )
