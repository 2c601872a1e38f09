"""Pages of contracts paid with a certificate: the parent's list and contract with the
buttons «Принять договор» and «Отказаться» (``cabinet/contracts/``), the back office's
list with filters and the contract with its history (``office/contracts/``: staff see
their organization's, the МОЦ and the authority their municipality's, the РМЦ all),
and the printable contract for whoever may read it (``contracts/<uuid>/print/``)."""


from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opora import audit
from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.accounts.models import Role
from opora.core.http import found_or_404
from opora.core.pages import page_of
from opora.enrollment.models import Guardianship
from opora.errors import DomainError
from opora.financing import contracts, prolongation
from opora.financing.models import Contract, ContractStatus
from opora.financing.views import switching as switch_views
from opora.registry.models import Group, Organization


def _found(user, uuid) -> Contract:
    return found_or_404(contracts.contract_for, user, uuid)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Причина отказа (необязательно)"), required=False,
                             max_length=contracts.REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ContractFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Номер договора"), required=False, max_length=30,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": gettext_lazy("0000000001-1")}))
    status = forms.ChoiceField(label=gettext_lazy("Статус"), required=False,
                               choices=[("", gettext_lazy("Все")), *ContractStatus.choices])
    group = forms.ModelChoiceField(label=gettext_lazy("Группа"), required=False,
                                   queryset=Group.objects.none(), empty_label=gettext_lazy("Все"))
    organization = forms.ModelChoiceField(label=gettext_lazy("Организация"), required=False,
                                          queryset=Organization.objects.none(),
                                          empty_label=gettext_lazy("Все"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == Role.ORGANIZATION_STAFF and not user.is_superuser:
            del self.fields["organization"]
            self.fields["group"].queryset = (
                Group.objects.filter(module__program__organization_id=user.organization_id)
                .select_related("module__program").order_by("module__program__title", "name", "pk"))
            self.fields["group"].label_from_instance = lambda g: f"{g.name} ({g.module.program.title})"
        else:
            del self.fields["group"]
            self.fields["organization"].queryset = Organization.objects.filter(
                pk__in=contracts.visible_contracts(user).values("organization_id")
            ).order_by("short_name", "pk")
            self.fields["organization"].label_from_instance = lambda o: o.short_name


def _contract_context(contract: Contract) -> dict:
    months = contracts.schedule_of(contract)
    return {"contract": contract, "months": months, "program": contract.module.program,
            "child": contract.application.child, "offer": prolongation.offer_for_contract(contract)}


# --- the parent's cabinet ------------------------------------------------------------


@section_page("cabinet")
def cabinet_contracts(request):
    listed = contracts.visible_contracts(request.user).select_related("prolongation__period")
    return render(request, "financing/contracts/cabinet_list.html", {"page": page_of(request, listed)})


@section_page("cabinet")
def cabinet_contract(request, uuid):
    contract = _found(request.user, uuid)
    context = _contract_context(contract)
    context["decline_form"] = DeclineForm()
    context["can_decide"] = contract.status == ContractStatus.CONFIRMED
    context.update(switch_views.switch_context(request.user, contract, cabinet=True))
    return render(request, "financing/contracts/cabinet_detail.html", context)


@require_POST
@section_page("cabinet")
def accept(request, uuid):
    contract = _found(request.user, uuid)
    try:
        contracts.accept_contract(request.user, contract)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Договор № %(number)s принят: ребёнок зачислен в группу.")
                         % {"number": contract.number})
    return redirect("financing:cabinet_contract", uuid=contract.uuid)


@require_POST
@section_page("cabinet")
def decline(request, uuid):
    contract = _found(request.user, uuid)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Причина отказа не длиннее %(n)s символов.")
                       % {"n": contracts.REASON_MAX_LENGTH})
        return redirect("financing:cabinet_contract", uuid=contract.uuid)
    try:
        contracts.decline_contract(request.user, contract, form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Вы отказались от договора № %(number)s; заявка отозвана.")
                         % {"number": contract.number})
    return redirect("financing:cabinet_contract", uuid=contract.uuid)


# --- the back office -----------------------------------------------------------------


@section_page("back_office")
def office_contracts(request):
    form = ContractFilterForm(request.GET or None, user=request.user)
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    listed = contracts.visible_contracts(
        request.user, status=chosen.get("status") or None, group=chosen.get("group"),
        organization=chosen.get("organization"), search=chosen.get("q") or "")
    return render(request, "financing/contracts/office_list.html", {
        "form": form, "page": page_of(request, listed),
        "is_staff_view": request.user.role == Role.ORGANIZATION_STAFF})


@section_page("back_office")
def office_contract(request, uuid):
    contract = _found(request.user, uuid)
    context = _contract_context(contract)
    context["events"] = audit.timeline(contract)
    context["can_process"] = scope.can(request.user, "enrollment.process", contract.application)
    context.update(switch_views.switch_context(request.user, contract, cabinet=False))
    return render(request, "financing/contracts/office_detail.html", context)


@login_required
def print_contract(request, uuid):
    """The contract as a plain document to print or save as PDF from the browser."""
    contract = _found(request.user, uuid)
    context = _contract_context(contract)
    context["customer"] = contracts.accepted_by(contract)
    context["guardians"] = [g.parent for g in Guardianship.objects.filter(
        child_id=contract.application.child_id, confirmed_at__isnull=False)
        .select_related("parent").order_by("created_at", "pk")]
    context["printed_at"] = timezone.localtime()
    return render(request, "financing/contracts/print.html", context)


urlpatterns = [
    path("cabinet/contracts/", cabinet_contracts, name="cabinet_contracts"),
    path("cabinet/contracts/<uuid:uuid>/", cabinet_contract, name="cabinet_contract"),
    path("cabinet/contracts/<uuid:uuid>/accept/", accept, name="contract_accept"),
    path("cabinet/contracts/<uuid:uuid>/decline/", decline, name="contract_decline"),
    path("office/contracts/", office_contracts, name="office_contracts"),
    path("office/contracts/<uuid:uuid>/", office_contract, name="office_contract"),
    path("contracts/<uuid:uuid>/print/", print_contract, name="contract_print"),
]
