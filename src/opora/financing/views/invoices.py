"""Pages of settlement: the provider's «Счета» (its invoices, an invoice with its lines,
completeness on a draft final invoice, submission), the payer's «Расчёты» (opening and
closing a month after a confirmation, the month's invoices, accepting, recording the
payment, cancelling), Excel exports, and the financing reports.

Who sees what comes from ``scope``: staff their organization's invoices, the МОЦ and the
education authority their municipality's, the РМЦ the region's (reading only). Every
change goes through ``opora.financing.settlement``."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from opora import audit
from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.core.exporters import export_format
from opora.core.pages import page_of, paginator
from opora.errors import DomainError
from opora.financing import reports, settlement, supplementary
from opora.financing.invoice_exports import (
    InvoiceLinesExporter,
    InvoicesExporter,
    NominalExporter,
    UsageExporter,
    funds_exporter,
)
from opora.financing.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)
from opora.financing.views import switching as switch_views
from opora.registry.models import Organization

LINES_PER_PAGE = 50


# --- forms ------------------------------------------------------------------------------------


class MonthField(forms.DateField):
    """A month typed as ГГГГ-ММ (``<input type="month">``), kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%m.%Y"]
    default_error_messages = {"invalid": gettext_lazy("Укажите месяц в виде ГГГГ-ММ.")}

    def to_python(self, value):
        value = super().to_python(value)
        if value and not settlement.FIRST_YEAR <= value.year <= settlement.LAST_YEAR:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value.replace(day=1) if value else value


class InvoiceFilterForm(forms.Form):
    month = MonthField(label=gettext_lazy("Месяц"), required=False)
    organization = forms.ModelChoiceField(label=gettext_lazy("Организация"), queryset=Organization.objects.none(),
                                          required=False, empty_label=gettext_lazy("Все"))
    kind = forms.ChoiceField(label=gettext_lazy("Вид"), required=False,
                             choices=[("", gettext_lazy("Все"))] + InvoiceKind.choices)
    status = forms.ChoiceField(label=gettext_lazy("Статус"), required=False,
                               choices=[("", gettext_lazy("Все"))] + InvoiceStatus.choices)

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is None:
            del self.fields["organization"]
        else:
            self.fields["organization"].queryset = organizations

    def filter(self, invoices):
        if not self.is_bound or not self.is_valid():
            return invoices
        data = self.cleaned_data
        if data.get("month"):
            invoices = invoices.filter(month=data["month"])
        if data.get("organization"):
            invoices = invoices.filter(organization=data["organization"])
        if data.get("kind"):
            invoices = invoices.filter(kind=data["kind"])
        if data.get("status"):
            invoices = invoices.filter(status=data["status"])
        return invoices


class RunForm(forms.Form):
    ACTIONS = [("open", gettext_lazy("Сформировать авансы")), ("close", gettext_lazy("Закрыть месяц")),
               ("supplementary", gettext_lazy("Сформировать дополнительные счета"))]
    month = MonthField(label=gettext_lazy("Месяц"))
    action = forms.ChoiceField(label=gettext_lazy("Действие"), choices=ACTIONS, widget=forms.RadioSelect)


class ReportForm(forms.Form):
    month_from = MonthField(label=gettext_lazy("С месяца"), required=False)
    month_to = MonthField(label=gettext_lazy("По месяц"), required=False)
    by = forms.ChoiceField(label=gettext_lazy("Разрез"), required=False,
                           choices=[(code, b.label) for code, b in reports.BREAKDOWNS.items()])


# --- access ------------------------------------------------------------------------------------


def _visible_invoices(user):
    return scope.territory(user, Invoice.objects.all())


def _is_payer(user) -> bool:
    return user.municipality_id is not None and scope.can(user, "financing.settle", user.municipality)


def _reads_region_or_municipality(user) -> bool:
    return reports.municipalities(user).exists()


def _listed(request, invoices, filter_form):
    invoices = (filter_form.filter(invoices).select_related("organization", "municipality")
                .annotate(lines_count=Count("lines")).order_by("-month", "organization__short_name", "kind", "pk"))
    return page_of(request, invoices)


# --- the provider's invoices ------------------------------------------------------------------------


@section_page("financing.provide")
def invoices(request):
    """«Счета»: the invoices of the user's organization (or territory), newest month first."""
    form = InvoiceFilterForm(request.GET or None)
    return render(request, "financing/invoices/list.html", {
        "form": form, "page": _listed(request, _visible_invoices(request.user), form)})


@section_page("back_office")
def invoice(request, pk):
    found = get_object_or_404(_visible_invoices(request.user).select_related("organization", "municipality"),
                              pk=pk)
    return _invoice_page(request, found, request.GET.get("page"))


def _invoice_page(request, found, page_number, refused=None, status=200):
    """The invoice with a page of its lines; ``refused`` = (line pk, typed value, message):
    a completeness the service refused, shown in its own row with the value as typed and
    the field focused, where the user is looking, not at the top of a long page."""
    lines = (found.lines.select_related("contract__module__program").order_by("contract_number", "pk"))
    page = paginator(lines, LINES_PER_PAGE).get_page(page_number)
    page.object_list = list(page.object_list)
    if refused is not None:
        for line in page.object_list:
            if line.pk == refused[0]:
                line.typed, line.error = refused[1], refused[2]
    user = request.user
    is_draft = found.status == InvoiceStatus.DRAFT
    disputes = switch_views.invoice_context(user, found)
    for line in page.object_list:
        line.dispute = disputes["disputed_lines"].get(line.pk)
    return render(request, "financing/invoices/detail.html", {
        "invoice": found, "page": page, "events": audit.timeline(found),
        "can_edit": found.kind in settlement.BILLED_BY_COMPLETENESS and is_draft
        and scope.can(user, "financing.provide", found),
        "can_submit": is_draft and scope.can(user, "financing.provide", found),
        "can_accept": found.status == InvoiceStatus.SUBMITTED and scope.can(user, "financing.settle", found),
        "can_pay": found.status == InvoiceStatus.ACCEPTED and scope.can(user, "financing.settle", found),
        "can_cancel": found.status in (InvoiceStatus.DRAFT, InvoiceStatus.SUBMITTED)
        and scope.can(user, "financing.settle", found),
        # back to the list the user came from: the provider's invoices, or the payer's month
        "back": reverse("financing:invoices") if scope.may_open(user, "financing.provide")
        else reverse("financing:settlement"),
        "returned": found.lines.aggregate(total=Sum("month_amount") - Sum("amount"))["total"]
        if found.kind in settlement.BILLED_BY_COMPLETENESS else None,
        **disputes,
    }, status=status)


def _invoice_for(request, pk) -> Invoice:
    return get_object_or_404(_visible_invoices(request.user), pk=pk)


def _done(request, call, success: str):
    try:
        call()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)


@require_POST
@section_page("back_office")
def line_completeness(request, pk, line_pk):
    found = _invoice_for(request, pk)
    line = get_object_or_404(InvoiceLine.objects.select_related("invoice"), pk=line_pk, invoice=found)
    typed = request.POST.get("completeness", "")
    page = request.POST.get("page", "")
    try:
        settlement.set_completeness(request.user, line, typed)
    except DomainError as error:
        return _invoice_page(request, found, page, refused=(line.pk, typed, error.message), status=400)
    messages.success(request, _("Полнота по договору № %(number)s сохранена.") % {"number": line.contract_number})
    target = reverse("financing:invoice", args=[found.pk])
    return redirect(f"{target}?page={page}#line-{line.pk}" if page.isdigit() else f"{target}#line-{line.pk}")


def _transition(step, success):
    @require_POST
    @section_page("back_office")
    def view(request, pk):
        found = _invoice_for(request, pk)
        if step is settlement.cancel_invoice:
            call = lambda: step(request.user, found, request.POST.get("reason", ""))  # noqa: E731
        else:
            call = lambda: step(request.user, found)  # noqa: E731
        _done(request, call, success)
        return redirect("financing:invoice", pk=found.pk)

    return view


submit = _transition(settlement.submit_invoice, gettext_lazy("Счёт направлен плательщику."))
accept = _transition(settlement.accept_invoice, gettext_lazy("Счёт принят."))
paid = _transition(settlement.mark_paid, gettext_lazy("Оплата счёта отмечена."))
cancel = _transition(settlement.cancel_invoice, gettext_lazy("Счёт отменён."))


@section_page("back_office")
def invoice_export(request, pk):
    found = get_object_or_404(_visible_invoices(request.user).select_related("organization"), pk=pk)
    return InvoiceLinesExporter(found).response(export_format(request))


# --- the payer's settlement ---------------------------------------------------------------------------


def _payer_organizations(user):
    """The providers the user's invoices are with — wherever they are: the payer is the
    certificate's municipality, and children study in neighbouring ones too."""
    return (Organization.objects.filter(pk__in=_visible_invoices(user).values("organization_id"))
            .order_by("short_name", "pk"))


@section_page("territory")
def settlement_page(request):
    """«Расчёты»: run a month, the invoices of the territory by month, provider and status."""
    user = request.user
    form = InvoiceFilterForm(request.GET or None, organizations=_payer_organizations(user))
    page = _listed(request, _visible_invoices(user), form)
    last_month = settlement.first_day(settlement.local_today().replace(day=1) - dt.timedelta(days=1))
    return render(request, "financing/invoices/settlement.html", {
        "form": form, "page": page, "can_run": _is_payer(user),
        "run_form": RunForm(initial={"month": last_month, "action": "close"}),
    })


@section_page("territory")
def settlement_run(request):
    """Open or close a month: the first POST shows what it will bill, the second runs it."""
    user = request.user
    if not _is_payer(user):
        raise PermissionDenied
    if request.method != "POST":
        return redirect("financing:settlement")
    form = RunForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("financing:settlement")
    month, action = form.cleaned_data["month"], form.cleaned_data["action"]
    if action == "supplementary":
        return _supplementary(request, month)
    if request.POST.get("confirmed") != "yes":
        return render(request, "financing/invoices/confirm_run.html", {
            "month": month, "month_label": settlement.month_label(month), "action": action,
            "preview": settlement.preview(user, user.municipality, month,
                                          InvoiceKind.ADVANCE if action == "open" else InvoiceKind.FINAL),
            "municipality": user.municipality,
            "allowed": settlement.can_open(month) if action == "open" else settlement.can_close(month),
        })
    run = settlement.open_month if action == "open" else settlement.close_month
    try:
        result = run(user, user.municipality, month)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        what = _("Авансы за %(month)s") if action == "open" else _("Итоговые счета за %(month)s")
        messages.success(request, (what + _(": счетов создано %(created)s, строк добавлено %(lines)s, "
                                            "счетов пересчитано %(updated)s.")) % {
            "month": settlement.month_label(month), "created": result.invoices_created,
            "lines": result.lines_created, "updated": result.invoices_updated})
        if result.months_left_out:
            messages.warning(request, ngettext(
                "%(n)s договор не вошёл в счета: итоговый счёт его организации уже направлен. Сформируйте "
                "дополнительный счёт за этот месяц, чтобы учесть договор.",
                "Договоров, не вошедших в счета, — %(n)s: итоговые счета их организаций уже направлены. "
                "Сформируйте дополнительные счета за этот месяц, чтобы учесть договоры.",
                result.months_left_out) % {"n": result.months_left_out})
    return redirect(f"{reverse('financing:settlement')}?month={month:%Y-%m}")


def _supplementary(request, month):
    """Supplementary invoices of a month: exactly its months not billed yet (a rerun bills nothing)."""
    try:
        formed = supplementary.form_supplementary(request.user, request.user.municipality, month)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if formed.lines_created:
            messages.success(request, _("Дополнительные счета за %(month)s: счетов создано %(created)s, строк "
                                        "добавлено %(lines)s на %(amount)s ₽.") % {
                "month": settlement.month_label(month), "created": formed.invoices_created,
                "lines": formed.lines_created, "amount": f"{formed.amount:.2f}"})
        else:
            messages.info(request, _("За %(month)s нет договоров, не вошедших в счета.")
                          % {"month": settlement.month_label(month)})
    return redirect(f"{reverse('financing:settlement')}?month={month:%Y-%m}")


@section_page("back_office")
def settlement_export(request):
    user = request.user
    organizations = _payer_organizations(user) if _reads_region_or_municipality(user) else None
    form = InvoiceFilterForm(request.GET or None, organizations=organizations)
    exporter = InvoicesExporter(form.filter(_visible_invoices(user)))
    if form.is_bound and form.is_valid() and form.cleaned_data.get("month"):
        exporter.filename = f"Счета {form.cleaned_data['month']:%m.%Y}"
        exporter.ascii_filename = f"invoices-{form.cleaned_data['month']:%Y-%m}"
    return exporter.response(export_format(request))


# --- reports -------------------------------------------------------------------------------------------


REPORTS = {"funds", "nominal", "usage"}


def _report_args(request):
    form = ReportForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, data.get("by") or "provider", data.get("month_from"), data.get("month_to")


@section_page("territory")
def reports_page(request):
    user = request.user
    form, by, month_from, month_to = _report_args(request)
    funds = reports.funds(user, by, month_from, month_to)
    return render(request, "financing/reports/index.html", {
        "form": form, "by": by, "by_label": reports.BREAKDOWN_LABELS[by],
        "funds": page_of(request, funds, 100),
        "funds_totals": reports.funds_totals(funds),
        "nominal": reports.nominal_vs_used(user), "usage": reports.certificate_usage(user),
    })


@section_page("territory")
def report_export(request, report):
    user = request.user
    if report not in REPORTS:
        raise Http404
    _form, by, month_from, month_to = _report_args(request)
    if report == "funds":
        exporter = funds_exporter(reports.funds(user, by, month_from, month_to), by)
    elif report == "nominal":
        exporter = NominalExporter(reports.nominal_vs_used(user))
    else:
        exporter = UsageExporter(reports.certificate_usage(user))
    return exporter.response(export_format(request))


urlpatterns = [
    path("office/financing/invoices/", invoices, name="invoices"),
    path("office/financing/invoices/<int:pk>/", invoice, name="invoice"),
    path("office/financing/invoices/<int:pk>/export/", invoice_export, name="invoice_export"),
    path("office/financing/invoices/<int:pk>/lines/<int:line_pk>/", line_completeness, name="invoice_line"),
    path("office/financing/invoices/<int:pk>/submit/", submit, name="invoice_submit"),
    path("office/financing/invoices/<int:pk>/accept/", accept, name="invoice_accept"),
    path("office/financing/invoices/<int:pk>/paid/", paid, name="invoice_paid"),
    path("office/financing/invoices/<int:pk>/cancel/", cancel, name="invoice_cancel"),
    path("office/financing/settlement/", settlement_page, name="settlement"),
    path("office/financing/settlement/run/", settlement_run, name="settlement_run"),
    path("office/financing/settlement/export/", settlement_export, name="settlement_export"),
    path("office/financing/reports/", reports_page, name="reports"),
    path("office/financing/reports/<slug:report>/export/", report_export, name="report_export"),
]
