"""Excel (and csv) exports of settlement: one invoice with its lines, the invoices of a
month, and the financing reports. Built on ``opora.core.exporters``: each export is one
query (or a report's few aggregate queries) however many rows it holds; the caller
scopes what it passes in."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from opora.core.exporters import Column, Exporter, plain
from opora.financing.reports import BREAKDOWN_LABELS


class InvoiceLinesExporter(Exporter):
    """The lines of one invoice: contract, certificate, the month's amount, completeness
    and the amount asked, as the payer checks them."""

    sheet_title = _("Счёт")
    columns = (
        Column(_("№ п/п"), lambda line: line.position, 8),
        Column(_("Номер договора"), lambda line: line.contract_number, 18),
        Column(_("Номер сертификата"), lambda line: line.certificate_number, 18),
        Column(_("Программа"), lambda line: line.contract.module.program.title, 40),
        Column(_("По графику, ₽"), lambda line: line.month_amount, 14),
        Column(_("Полнота оказания услуги, %"), lambda line: line.completeness, 14),
        Column(_("К оплате, ₽"), lambda line: line.amount, 14),
    )

    def __init__(self, invoice):
        super().__init__(invoice.lines.all())
        self.invoice = invoice
        kind = invoice.get_kind_display().lower()
        self.filename = f"Счёт {kind} {invoice.organization.short_name} {invoice.month:%m.%Y}"
        self.ascii_filename = f"invoice-{invoice.pk}-{invoice.month:%Y-%m}"

    def get_queryset(self):
        return self.queryset.select_related("contract__module__program").order_by("contract_number", "pk")

    def rows(self):
        for position, line in enumerate(self.get_queryset().iterator(chunk_size=self.chunk_size), start=1):
            line.position = position
            yield [plain(column.value(line)) for column in self.columns]
        invoice = self.invoice
        yield []
        yield ["", "", "", str(_("Итого")), "", "", invoice.amount]
        if invoice.kind == "final":
            yield ["", "", "", str(_("Аванс")), "", "", invoice.advance]
            yield ["", "", "", str(_("К оплате с учётом аванса")), "", "", invoice.due]


class InvoicesExporter(Exporter):
    """Invoices of a month (or any filtered list): payer, provider, kind, status, sums."""

    filename = "Счета"
    ascii_filename = "invoices"
    sheet_title = _("Счета")
    columns = (
        Column(_("Месяц"), lambda invoice: f"{invoice.month:%m.%Y}", 10),
        Column(_("Плательщик"), lambda invoice: invoice.municipality.name, 30),
        Column(_("Организация"), lambda invoice: invoice.organization.short_name, 40),
        Column(_("ИНН"), lambda invoice: invoice.organization.inn, 14),
        Column(_("Вид"), lambda invoice: invoice.get_kind_display(), 16),
        Column(_("Статус"), lambda invoice: invoice.get_status_display(), 14),
        Column(_("Договоров"), lambda invoice: invoice.lines_count, 10),
        Column(_("Сумма, ₽"), lambda invoice: invoice.amount, 14),
        Column(_("Аванс, ₽"), lambda invoice: invoice.advance, 14),
        Column(_("К оплате, ₽"), lambda invoice: invoice.due, 14),
        Column(_("Сформирован"), lambda invoice: invoice.created_at, 18),
    )

    def get_queryset(self):
        return (self.queryset.select_related("municipality", "organization")
                .annotate(lines_count=Count("lines")).order_by("-month", "organization__short_name", "kind", "pk"))


class RowsExporter(Exporter):
    """A report already computed as a list of dicts."""

    def rows(self):
        for row in self.queryset:
            yield [plain(column.value(row)) for column in self.columns]


def funds_exporter(rows, by: str):
    detail = {"provider": _("Муниципалитет"), "program": _("Организация")}.get(by)
    columns = [Column(BREAKDOWN_LABELS[by], lambda row: row["label"], 40)]
    if detail:
        columns.append(Column(detail, lambda row: row["detail"], 36))
    columns += [
        Column(_("Договоров"), lambda row: row["contracts"], 10),
        Column(_("По графику, ₽"), lambda row: row["scheduled"], 16),
        Column(_("Авансы, ₽"), lambda row: row["advances"], 16),
        Column(_("Итоговые счета, ₽"), lambda row: row["invoiced"], 16),
        Column(_("Возвращено на сертификаты, ₽"), lambda row: row["returned"], 16),
        Column(_("Оплачено по итоговым счетам, ₽"), lambda row: row["paid"], 16),
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
        Column(_("Начало"), lambda row: row["starts_on"], 12),
        Column(_("Окончание"), lambda row: row["ends_on"], 12),
        Column(_("Бюджет, ₽"), lambda row: row["budget"], 16),
        Column(_("Сертификатов с номиналом"), lambda row: row["certificates"], 12),
        Column(_("Социальных сертификатов"), lambda row: row["social_certificates"], 12),
        Column(_("Номинал, ₽"), lambda row: row["nominal"], 16),
        Column(_("Зарезервировано, ₽"), lambda row: row["reserved"], 16),
        Column(_("Оплачено, ₽"), lambda row: row["paid"], 16),
        Column(_("Остаток, ₽"), lambda row: row["balance"], 16),
        Column(_("Использовано, %"), lambda row: row["used_share"], 12),
    )


class UsageExporter(RowsExporter):
    filename = "Использование сертификатов"
    ascii_filename = "certificate-usage"
    sheet_title = _("Использование")
    columns = (
        Column(_("Муниципалитет"), lambda row: row["municipality"], 30),
        Column(_("Вид сертификата"), lambda row: row["kind_label"], 26),
        Column(_("Всего"), lambda row: row["total"], 10),
        Column(_("Без договоров"), lambda row: row["zero"], 12),
        Column(_("В 1 договоре"), lambda row: row["one"], 12),
        Column(_("В 2 договорах"), lambda row: row["two"], 12),
        Column(_("В 3 и более"), lambda row: row["more"], 12),
    )
