"""Pages of prolongation into the next period («Продление договоров»): the provider's
groups with continuing children and the proposal of one group (children all checked,
the next module's group chosen), the payer's report of its next period with the bulk run
and the rule of automatic acceptance, the РМЦ's report of the region. Every change goes
through ``opora.financing.prolongation``."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.core.pages import page_of
from opora.errors import DomainError
from opora.financing import prolongation
from opora.financing.models import Contract, ContractStatus, ProlongationOffer, ProlongationStatus
from opora.registry.models import Group


class StatusFilter(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Статус"), required=False,
                               choices=[("", gettext_lazy("Все")), *ProlongationStatus.choices])


class SettingsForm(forms.Form):
    auto_accept_days = forms.IntegerField(
        label=gettext_lazy("Принимать оферту автоматически через, дней"), required=False,
        min_value=1, max_value=90,
        help_text=gettext_lazy("Пусто — оферту принимает только родитель."))


class ProposalForm(forms.Form):
    target = forms.ModelChoiceField(label=gettext_lazy("Группа на новый период"),
                                    queryset=Group.objects.none(), empty_label=None)
    contracts = forms.TypedMultipleChoiceField(label=gettext_lazy("Дети, которые продолжают обучение"),
                                               coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, targets, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Group.objects.filter(pk__in=[g.pk for g in targets]).select_related(
            "module").order_by("start_date", "name", "pk")
        self.fields["target"].label_from_instance = lambda g: _("%(group)s — %(module)s, с %(start)s") % {
            "group": g.name, "module": g.module.title, "start": g.start_date.strftime("%d.%m.%Y")}
        self.fields["contracts"].choices = [
            (c.pk, f"{c.application.child.full_name} · № {c.number}") for c in sources]


def _next_periods_offers(user):
    today = timezone.localdate()
    return prolongation.visible_offers(user).filter(period__starts_on__gt=today)


@section_page("back_office")
def index(request):
    """Staff: their groups to prolong. The payer and the РМЦ: the report of next periods."""
    user = request.user
    form = StatusFilter(request.GET or None)
    status = form.cleaned_data.get("status") if form.is_bound and form.is_valid() else ""
    offers = _next_periods_offers(user)
    counts = prolongation.counts(offers)
    context = {"form": form, "totals": [(s.value, s.label, counts[s.value]) for s in ProlongationStatus],
               "page": page_of(request, offers.filter(status=status) if status else offers)}
    if scope.holds(user, "financing.provide"):
        context["groups"] = prolongation.groups_to_prolong(user)
    if scope.holds(user, "financing.prolong") and user.municipality_id:
        context["can_run"] = True
        context["next_period"] = prolongation.next_period(user.municipality_id)
    if scope.holds(user, "financing.configure") and user.municipality_id:
        rule = prolongation.settings_of(user.municipality)
        context["settings_form"] = SettingsForm(initial={"auto_accept_days": rule.auto_accept_days})
    return render(request, "financing/prolongation/index.html", context)


@require_POST
@section_page("back_office")
def run(request):
    try:
        report = prolongation.run_prolongation(request.user, request.user.municipality)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _(
            "Продление на период «%(period)s» выполнено: направлено оферт — %(made)s, не удалось "
            "продлить — %(refused)s, принято автоматически — %(auto)s.") % {
            "period": report.period.title, "made": report.made, "refused": report.refused,
            "auto": report.accepted_automatically})
    return redirect("financing:prolongation")


@require_POST
@section_page("back_office")
def save_settings(request):
    form = SettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Число дней — от 1 до 90, или оставьте поле пустым."))
        return redirect("financing:prolongation")
    try:
        prolongation.save_prolongation_settings(request.user, request.user.municipality,
                                                form.cleaned_data["auto_accept_days"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Правила продления сохранены."))
    return redirect("financing:prolongation")


@section_page("financing.provide")
def group(request, pk):
    """The provider proposes the continuing children of one group."""
    source_group = get_object_or_404(Group.objects.select_related("module__program"), pk=pk,
                                     module__program__organization_id=request.user.organization_id)
    sources = list(Contract.objects.filter(group=source_group, status=ContractStatus.ACTIVE)
                   .select_related("application__child", "period").order_by("number"))
    periods = {s.period.municipality_id: prolongation.next_period(s.period.municipality_id) for s in sources}
    period = next((p for p in periods.values() if p is not None), None)
    targets = prolongation.targets_for(period, source_group) if period else []
    default = prolongation.default_targets(period, [source_group]).get(source_group.pk) if period else None
    offers = {o.source_id: o for o in ProlongationOffer.objects.filter(
        source__in=sources, period__starts_on__gt=timezone.localdate()).select_related("group", "contract")}
    if request.method == "POST":
        form = ProposalForm(request.POST, targets=targets, sources=sources)
        if form.is_valid():
            try:
                made = prolongation.propose_prolongation(request.user, source_group, form.cleaned_data["target"],
                                                         form.cleaned_data["contracts"])
            except DomainError as error:
                messages.error(request, error.message)
            else:
                offered = sum(o.status == ProlongationStatus.OFFERED for o in made)
                messages.success(request, _("Оферт на новый период направлено родителям: %(n)s.") % {"n": offered})
                return redirect("financing:prolongation_group", pk=source_group.pk)
    else:
        form = ProposalForm(targets=targets, sources=sources, initial={
            "target": default, "contracts": [s.pk for s in sources if s.pk not in offers
                                             or offers[s.pk].status != ProlongationStatus.LEFT_OUT]})
    rows = [{"contract": s, "offer": offers.get(s.pk)} for s in sources]
    return render(request, "financing/prolongation/group.html", {
        "group": source_group, "form": form, "rows": rows, "period": period, "targets": targets})


urlpatterns = [
    path("office/financing/prolongation/", index, name="prolongation"),
    path("office/financing/prolongation/run/", run, name="prolongation_run"),
    path("office/financing/prolongation/settings/", save_settings, name="prolongation_settings"),
    path("office/financing/prolongation/groups/<int:pk>/", group, name="prolongation_group"),
]
