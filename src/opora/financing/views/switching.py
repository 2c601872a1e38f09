"""Pages of group switches and disputes: on the parent's contract the move to another
group (choose the group and month, see the amounts before and after, confirm), the
provider's proposal with «Согласен» / «Отказаться», the history of switches and the
contract's invoice lines with «Оспорить»; on the back office's contract the provider's
proposal; on an invoice the disputes of its lines with the provider's answer and the
payer's hold and decision. Every change goes through ``opora.financing.switching`` and
``opora.financing.disputes``."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.core.http import found_or_404
from opora.errors import DomainError
from opora.financing import contracts, disputes, settlement, switching
from opora.financing.models import ContractStatus, InvoiceLine, SwitchStatus


class SwitchForm(forms.Form):
    group = forms.TypedChoiceField(label=gettext_lazy("Группа"), coerce=int)
    month = forms.TypedChoiceField(label=gettext_lazy("С месяца"),
                                   coerce=lambda v: dt.date.fromisoformat(v))

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [
            (g.pk, _("%(name)s (%(start)s – %(end)s), свободных мест: %(free)s") % {
                "name": g.name, "start": g.start_date.strftime("%d.%m.%Y"), "end": g.end_date.strftime("%d.%m.%Y"),
                "free": max(g.capacity_max - g.seats_taken, 0)})
            for g in switching.switch_targets(contract)]
        self.fields["month"].choices = [(m.isoformat(), settlement.month_label(m).capitalize())
                                        for m in switching.effective_months(contract)]


class DisputeForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Почему вы не согласны"), max_length=disputes.TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))
    claimed_completeness = forms.CharField(label=gettext_lazy("Сколько услуги, по-вашему, оказано, % (необязательно)"),
                                           required=False, max_length=10)


def switch_context(user, contract, *, cabinet: bool) -> dict:
    """What the contract pages show about switches (and, in the cabinet, invoice lines)."""
    context = {"switches": [s for s in switching.switches_of(contract) if s.status != SwitchStatus.PROPOSED],
               "proposal": switching.proposed_switch(contract)}
    may_switch = contract.status == ContractStatus.ACTIVE and (
        cabinet or scope.can(user, "financing.provide", contract))
    form = SwitchForm(contract=contract) if may_switch else None
    context["switch_form"] = form if form is not None and form.fields["group"].choices \
        and form.fields["month"].choices else None
    if cabinet:
        context["lines"] = disputes.lines_of_contract(contract)
        context["dispute_form"] = DisputeForm()
    return context


def _found(user, uuid):
    return found_or_404(contracts.contract_for, user, uuid)


def _back(contract, cabinet: bool):
    return redirect("financing:cabinet_contract" if cabinet else "financing:office_contract", uuid=contract.uuid)


def _switch_request(request, contract):
    form = SwitchForm(request.POST, contract=contract)
    if not form.is_valid():
        messages.error(request, _("Выберите группу и месяц из списка."))
        return None
    return form.cleaned_data["group"], form.cleaned_data["month"]


@require_POST
@section_page("cabinet")
def cabinet_preview(request, uuid):
    """The parent sees the amounts before and after and confirms (or goes back)."""
    contract = _found(request.user, uuid)
    chosen = _switch_request(request, contract)
    if chosen is None:
        return _back(contract, True)
    group = get_object_or_404(switching.switch_targets(contract), pk=chosen[0])
    try:
        amendment = switching.preview(request.user, contract, group, chosen[1])
    except DomainError as error:
        messages.error(request, error.message)
        return _back(contract, True)
    return render(request, "financing/switching/preview.html", {
        "contract": contract, "group": group, "amendment": amendment,
        "month_label": settlement.month_label(amendment.effective_on)})


@require_POST
@section_page("cabinet")
def cabinet_switch(request, uuid):
    contract = _found(request.user, uuid)
    chosen = _switch_request(request, contract)
    if chosen is not None:
        try:
            switch = switching.switch_group(request.user, contract, chosen[0], chosen[1])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Ребёнок переведён в группу «%(group)s» с %(month)s; суммы договора "
                                        "пересчитаны.") % {"group": switch.to_group.name,
                                                           "month": switch.effective_on.strftime("%d.%m.%Y")})
    return _back(contract, True)


@require_POST
@section_page("back_office")
def office_propose(request, uuid):
    contract = _found(request.user, uuid)
    chosen = _switch_request(request, contract)
    if chosen is not None:
        try:
            switching.propose_switch(request.user, contract, chosen[0], chosen[1])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Предложение о переводе направлено родителю."))
    return _back(contract, False)


def _decision(step, success, *, cabinet: bool):
    @require_POST
    @section_page("cabinet" if cabinet else "back_office")
    def view(request, uuid):
        switch = found_or_404(switching.switch_for, request.user, uuid)
        try:
            step(request.user, switch)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, success)
        return _back(switch.contract, cabinet)

    return view


accept = _decision(switching.accept_switch, gettext_lazy("Перевод выполнен: суммы договора пересчитаны."),
                   cabinet=True)
decline = _decision(switching.decline_switch, gettext_lazy("Вы отказались от перевода."), cabinet=True)
withdraw = _decision(switching.withdraw_switch, gettext_lazy("Предложение о переводе отозвано."), cabinet=False)


# --- disputes ----------------------------------------------------------------------------


@require_POST
@section_page("cabinet")
def open_dispute(request, uuid, line_pk):
    contract = _found(request.user, uuid)
    line = get_object_or_404(InvoiceLine, pk=line_pk, contract=contract)
    form = DisputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Опишите, с чем вы не согласны (не длиннее %(n)s символов).")
                       % {"n": disputes.TEXT_MAX})
        return _back(contract, True)
    try:
        disputes.open_dispute(request.user, line, form.cleaned_data["text"],
                              form.cleaned_data["claimed_completeness"] or None)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Спор открыт: плательщик и организация его увидят."))
    return redirect(f"{_back(contract, True).url}#invoice-lines")


def _dispute_step(request, uuid, call, success):
    dispute = found_or_404(disputes.dispute_for, request.user, uuid)
    try:
        call(dispute)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(f"{redirect('financing:invoice', pk=dispute.line.invoice_id).url}#disputes")


@require_POST
@section_page("back_office")
def answer_dispute(request, uuid):
    return _dispute_step(request, uuid, lambda d: disputes.answer_dispute(request.user, d, request.POST.get("answer")),
                         _("Ответ родителю сохранён."))


@require_POST
@section_page("back_office")
def hold_dispute(request, uuid):
    held = request.POST.get("held") == "yes"
    return _dispute_step(request, uuid, lambda d: disputes.hold_line(request.user, d, held),
                         _("Строка удержана до решения спора.") if held else _("Удержание снято."))


@require_POST
@section_page("back_office")
def resolve_dispute(request, uuid):
    return _dispute_step(request, uuid, lambda d: disputes.resolve_dispute(
        request.user, d, request.POST.get("outcome", ""), request.POST.get("completeness"),
        request.POST.get("resolution", "")), _("Спор решён."))


def invoice_context(user, invoice) -> dict:
    """What the invoice page shows about its disputes and who may act on them."""
    listed = list(disputes.visible_disputes(user).filter(line__invoice=invoice).order_by("opened_at", "pk"))
    return {"disputes": listed, "disputed_lines": {d.line_id: d for d in listed},
            "can_answer": scope.can(user, "financing.provide", invoice),
            "can_decide": scope.can(user, "financing.settle", invoice)
            and invoice.status in disputes.OPEN_INVOICE}


urlpatterns = [
    path("cabinet/contracts/<uuid:uuid>/switch/preview/", cabinet_preview, name="switch_preview"),
    path("cabinet/contracts/<uuid:uuid>/switch/", cabinet_switch, name="switch"),
    path("cabinet/switches/<uuid:uuid>/accept/", accept, name="switch_accept"),
    path("cabinet/switches/<uuid:uuid>/decline/", decline, name="switch_decline"),
    path("cabinet/contracts/<uuid:uuid>/lines/<int:line_pk>/dispute/", open_dispute, name="dispute_open"),
    path("office/contracts/<uuid:uuid>/switch/", office_propose, name="switch_propose"),
    path("office/switches/<uuid:uuid>/withdraw/", withdraw, name="switch_withdraw"),
    path("office/financing/disputes/<uuid:uuid>/answer/", answer_dispute, name="dispute_answer"),
    path("office/financing/disputes/<uuid:uuid>/hold/", hold_dispute, name="dispute_hold"),
    path("office/financing/disputes/<uuid:uuid>/resolve/", resolve_dispute, name="dispute_resolve"),
]
