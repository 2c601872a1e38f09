"""Pages of cooperation agreements between municipalities («Соглашения о сотрудничестве»):
the list of the user's municipality's agreements (both sides; the region's for the РМЦ)
with the form to propose one, an agreement with its use and the buttons of its side
(agree, cancel, end), and the report of flows between municipalities with its export.
Every change goes through ``opora.financing.agreements``."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opora import audit
from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.core.exporters import export_format
from opora.core.http import found_or_404
from opora.core.pages import page_of
from opora.errors import DomainError, ValidationFailed
from opora.financing import agreements, flows
from opora.financing.agreement_models import EXPIRED
from opora.financing.models import AgreementStatus, FinancingPeriod
from opora.financing.views.invoices import MonthField
from opora.registry.models import Municipality

WE_PAY, THEY_PAY = "we_pay", "they_pay"


class StatusFilter(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Статус"), required=False,
                               choices=[("", gettext_lazy("Все")), *AgreementStatus.choices,
                                        (EXPIRED, gettext_lazy("Истекло"))])


# ``<input type="date">`` takes only ГГГГ-ММ-ДД: without the format the Russian locale's
# ДД.ММ.ГГГГ would be written and the browser would show the field empty.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProposalForm(forms.Form):
    counterpart = forms.ModelChoiceField(label=gettext_lazy("Другой муниципалитет"),
                                         queryset=Municipality.objects.none())
    direction = forms.ChoiceField(label=gettext_lazy("Кто платит"), widget=forms.RadioSelect, initial=WE_PAY,
                                  choices=[(WE_PAY, gettext_lazy("Наш муниципалитет — за своих детей в "
                                                                 "организациях другого")),
                                           (THEY_PAY, gettext_lazy("Другой муниципалитет — за своих детей в "
                                                                   "наших организациях"))])
    valid_from = forms.DateField(label=gettext_lazy("Действует с"), widget=DATE)
    valid_to = forms.DateField(label=gettext_lazy("Действует по"), widget=DATE)
    max_children = forms.IntegerField(label=gettext_lazy("Не более детей"), required=False, min_value=1,
                                      help_text=gettext_lazy("Пусто — без ограничения."))
    max_amount = forms.DecimalField(label=gettext_lazy("Не более, ₽"), required=False, min_value=0.01,
                                    max_digits=14, decimal_places=2,
                                    help_text=gettext_lazy("Сумма сертификатов по договорам; пусто — без "
                                                           "ограничения."))
    document = forms.CharField(label=gettext_lazy("Реквизиты соглашения"), required=False, max_length=200,
                               help_text=gettext_lazy("Номер и дата документа, если он подписан."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counterpart"].queryset = agreements.counterparts(user)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Причина"), required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class FlowFilter(forms.Form):
    """The period filter of the flows: a financing period and/or months «from» and «to»."""

    period = forms.ModelChoiceField(label=gettext_lazy("Период финансирования плательщика"), required=False,
                                    queryset=FinancingPeriod.objects.none(), to_field_name="uuid",
                                    empty_label=gettext_lazy("Все периоды"))
    month_from = MonthField(label=gettext_lazy("С месяца"), required=False)
    month_to = MonthField(label=gettext_lazy("По месяц"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = flows.periods(user)
        self.fields["period"].label_from_instance = lambda p: f"{p.municipality.name}: {p.title}"

    def selection(self, user) -> flows.Selection:
        """The checked filter (an unbound or invalid form selects everything)."""
        if not self.is_bound or not self.is_valid():
            return flows.Selection()
        data = self.cleaned_data
        try:
            return flows.select(user, data.get("period"), data.get("month_from"), data.get("month_to"))
        except ValidationFailed as error:
            for field, texts in error.errors.items():
                for text in texts:
                    self.add_error(field if field in self.fields else None, text)
            return flows.Selection()


def _may_propose(user) -> bool:
    return user.municipality_id is not None and scope.can(user, agreements.ACTION, user.municipality)


@section_page("territory")
def index(request):
    """The agreements of the user's municipality (the region's for the РМЦ); the payer's
    form to propose one."""
    user = request.user
    filters = StatusFilter(request.GET or None)
    status = filters.cleaned_data.get("status") if filters.is_bound and filters.is_valid() else ""
    form = None
    if _may_propose(user):
        form = ProposalForm(request.POST if request.method == "POST" else None, user=user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            own, other = user.municipality, data["counterpart"]
            payer, host = (own, other) if data["direction"] == WE_PAY else (other, own)
            try:
                agreement = agreements.propose_agreement(
                    user, payer=payer, host=host, valid_from=data["valid_from"], valid_to=data["valid_to"],
                    max_children=data["max_children"], max_amount=data["max_amount"], document=data["document"])
            except ValidationFailed as error:
                for field, texts in error.errors.items():
                    for text in texts:
                        form.add_error(field if field in form.fields else None, text)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Соглашение предложено: муниципалитет «%(name)s» получит его на "
                                            "согласование.") % {"name": other.name})
                return redirect("financing:agreement", uuid=agreement.uuid)
    listed = agreements.visible_agreements(user, status=status or None)
    return render(request, "financing/agreements/list.html", {
        "filters": filters, "form": form, "page": page_of(request, listed)})


def _found(request, uuid):
    return found_or_404(agreements.agreement_for, request.user, uuid)


@section_page("territory")
def detail(request, uuid):
    agreement = _found(request, uuid)
    return render(request, "financing/agreements/detail.html", {
        "agreement": agreement, "usage": agreements.usage(agreement),
        "actions": agreements.allowed_actions(request.user, agreement), "reason_form": ReasonForm(),
        "events": audit.timeline(agreement)})


def _step(call, success):
    @require_POST
    @section_page("territory")
    def view(request, uuid):
        agreement = _found(request, uuid)
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else request.POST.get("reason", "")
        try:
            call(request.user, agreement, reason)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, success)
        return redirect("financing:agreement", uuid=agreement.uuid)
    return view


agree = _step(lambda user, agreement, _reason: agreements.agree_agreement(user, agreement),
              gettext_lazy("Соглашение согласовано и действует."))
cancel = _step(agreements.cancel_agreement, gettext_lazy("Предложение соглашения отменено."))
end = _step(agreements.end_agreement, gettext_lazy(
    "Соглашение прекращено: новые договоры по нему не заключаются, заключённые действуют до окончания."))


@section_page("territory")
def flows_page(request):
    form = FlowFilter(request.GET or None, user=request.user)
    selection = form.selection(request.user)
    rows = flows.flows(request.user, selection)
    return render(request, "financing/agreements/flows.html", {
        "rows": rows, "totals": flows.totals(rows), "form": form, "selection": selection})


@section_page("territory")
def flows_export(request):
    form = FlowFilter(request.GET or None, user=request.user)
    selection = form.selection(request.user)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Исправьте фильтр периода: выгрузка не сделана."))
        return redirect(f"{reverse('financing:agreement_flows')}?{request.GET.urlencode()}")
    return flows.FlowsExporter(flows.flows(request.user, selection)).response(export_format(request))


urlpatterns = [
    path("office/financing/agreements/", index, name="agreements"),
    path("office/financing/agreements/flows/", flows_page, name="agreement_flows"),
    path("office/financing/agreements/flows/export/", flows_export, name="agreement_flows_export"),
    path("office/financing/agreements/<uuid:uuid>/", detail, name="agreement"),
    path("office/financing/agreements/<uuid:uuid>/agree/", agree, name="agreement_agree"),
    path("office/financing/agreements/<uuid:uuid>/cancel/", cancel, name="agreement_cancel"),
    path("office/financing/agreements/<uuid:uuid>/end/", end, name="agreement_end"),
]
