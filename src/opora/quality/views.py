"""Pages of the quality assessment.

Back office under ``office/quality/``: the МОЦ's campaigns (a campaign, a program on
assessment with its sheets and appeal, the export), the criteria sets and their versions,
the experts, the municipality's setting; the provider's programs on assessment (apply,
appeal); the expert's assignments and the sheet. Public under ``quality/``: the
published results."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opora import audit
from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.accounts.models import Role, User
from opora.core.forms import attach_errors
from opora.core.http import found_or_404
from opora.core.pages import page_of
from opora.errors import DomainError, NotFound
from opora.quality import selectors, services
from opora.quality.exporters import CampaignScoresExporter
from opora.quality.forms import (
    AppealDecisionForm,
    AppealForm,
    AssignForm,
    CampaignForm,
    CriteriaSetForm,
    CriterionFormSet,
    ExpertForm,
    IncludeForm,
    ReasonForm,
    RemarksForm,
    SettingsForm,
)
from opora.quality.models import (
    Appeal,
    AppealStatus,
    AssignmentKind,
    AssignmentStatus,
    CampaignStatus,
    CriteriaPurpose,
    CriteriaSet,
    Decision,
    EntryStatus,
)
from opora.registry.choices import ProgramStatus
from opora.registry.models import Municipality, Organization, Program

app_name = "quality"


def _refused(request, error: DomainError):
    problems = getattr(error, "errors", None) or {"": [error.message]}
    for message in (m for group in problems.values() for m in group):
        messages.error(request, message)


def _territory_of(user):
    """The municipality a user's campaigns and sets belong to: the МОЦ's; None for the РМЦ."""
    return user.municipality if user.role == Role.SUPPORT_CENTRE else None


# --- campaigns ------------------------------------------------------------------------------


@section_page("quality")
def campaigns(request):
    user = request.user
    municipality_id = user.municipality_id if user.role != Role.REGIONAL_CENTRE and not user.is_superuser else None
    return render(request, "quality/campaigns.html", {
        "page": page_of(request, selectors.campaigns_for(user)),
        "may_manage": scope.holds(user, "quality.manage"),
        "indicator": selectors.indicator(municipality_id),
    })


@section_page("quality")
def campaign_create(request):
    user = request.user
    if not scope.holds(user, "quality.manage"):
        raise PermissionDenied
    municipality = _territory_of(user)
    sets = CriteriaSet.objects.filter(Q(municipality=municipality) | Q(municipality=None),
                                      purpose=CriteriaPurpose.PROGRAMS).order_by(
        "municipality", "title", "-version")
    current = services.current_set(municipality)
    form = CampaignForm(request.POST or None, criteria_sets=sets,
                        initial={"criteria_set": current.pk if current else None})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(user, municipality, form.cleaned_data)
        except DomainError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Кампания создана. Включите в неё программы."))
            return redirect("quality:campaign", pk=campaign.pk)
    return render(request, "quality/campaign_form.html", {"form": form}, status=400 if form.errors else 200)


@section_page("quality")
def campaign(request, pk):
    user = request.user
    found = found_or_404(selectors.campaign_for, user, pk)
    manages = scope.can(user, "quality.manage", found)
    entries = list(selectors.entries_of(found))
    for item in entries:
        item.submitted_count = sum(1 for a in item.live_assignments if a.status == AssignmentStatus.SUBMITTED)
    include_form = None
    if manages and found.status != CampaignStatus.PUBLISHED:
        include_form = IncludeForm(programs=selectors.programs_to_include(found)[:500])
    return render(request, "quality/campaign.html", {
        "campaign": found, "entries": entries, "manages": manages, "include_form": include_form,
        "statuses": CampaignStatus, "entry_statuses": EntryStatus,
        "criteria": found.criteria_set.criteria.all(),
        "appeal_deadline": services.appeal_deadline(found),
        "events": audit.timeline(found),
    })


@require_POST
@section_page("quality")
def campaign_action(request, pk, action):
    user = request.user
    found = found_or_404(selectors.campaign_for, user, pk)
    try:
        if action == "include":
            form = IncludeForm(request.POST, programs=selectors.programs_to_include(found))
            if not form.is_valid():
                messages.error(request, _("Отметьте программы, которые включить в оценку."))
                return redirect("quality:campaign", pk=pk)
            added = services.include_programs(user, found, form.cleaned_data["programs"])
            messages.success(request, _("Программ включено в оценку: %(n)d.") % {"n": added})
        elif action == "start":
            summary = services.start_campaign(user, found)
            messages.success(request, _("Экспертиза начата. Назначено экспертов: %(n)d.") % {
                "n": summary["assigned"]})
            if summary["short"]:
                messages.warning(request, _("Не хватило экспертов без конфликта интересов для "
                                            "программ: %(n)d. Назначьте их вручную.") % {
                    "n": len(summary["short"])})
        elif action == "assign":
            summary = services.assign_automatically(user, found)
            messages.success(request, _("Назначено экспертов: %(n)d.") % {"n": summary["assigned"]})
            if summary["short"]:
                messages.warning(request, _("Не хватило экспертов для программ: %(n)d.") % {
                    "n": len(summary["short"])})
        elif action == "publish":
            services.publish_results(user, found)
            messages.success(request, _("Результаты опубликованы в навигаторе."))
        else:
            raise NotFound(_("Нет такого действия."))
    except NotFound:
        raise
    except DomainError as error:
        _refused(request, error)
    return redirect("quality:campaign", pk=pk)


@section_page("quality")
def campaign_export(request, pk):
    found = found_or_404(selectors.campaign_for, request.user, pk)
    return CampaignScoresExporter.of(found).response(request.GET.get("format", "xlsx")
                                                     if request.GET.get("format") == "csv" else "xlsx")


# --- a program on assessment (the МОЦ) --------------------------------------------------------


def _entry_context(request, entry, **forms):
    user = request.user
    manages = scope.can(user, "quality.manage", entry.campaign)
    sheets, rows = selectors.scores_table(entry)
    appeal = Appeal.objects.filter(entry=entry).first()
    taken = {a.expert_id for a in sheets}
    candidates = [e for e in services.experts_for(entry.campaign)
                  if e.user_id not in taken and services.conflict(entry.campaign, entry.program, e) is None]
    return {
        "entry": entry, "campaign": entry.campaign, "rows": rows, "sheets": sheets,
        "manages": manages, "appeal": appeal,
        "assign_form": forms.get("assign_form") or AssignForm(experts=candidates),
        "remarks_form": forms.get("remarks_form") or RemarksForm(initial={"remarks": entry.remarks}),
        "decline_form": forms.get("decline_form") or ReasonForm(),
        "appeal_form": forms.get("appeal_form") or AppealDecisionForm(),
        "appeal_expert_form": AssignForm(experts=candidates),
        "appeal_sheet": next((a for a in sheets if a.kind == AssignmentKind.APPEAL), None),
        "statuses": EntryStatus, "assignment_statuses": AssignmentStatus, "appeal_statuses": AppealStatus,
        "events": audit.timeline(entry),
    }


@section_page("quality")
def entry(request, pk):
    found = found_or_404(selectors.entry_for, request.user, pk)
    return render(request, "quality/entry.html", _entry_context(request, found))


@require_POST
@section_page("quality")
def entry_action(request, pk, action):
    user = request.user
    found = found_or_404(selectors.entry_for, user, pk)
    try:
        if action == "assign":
            services.assign_expert(user, found, request.POST.get("expert"))
            messages.success(request, _("Эксперт назначен."))
        elif action == "withdraw":
            assignment = found.assignments.filter(pk=request.POST.get("assignment")).first()
            if assignment is None:
                raise NotFound(_("Назначение не найдено."))
            services.withdraw_assignment(user, assignment, request.POST.get("reason", ""))
            messages.success(request, _("Эксперт снят с программы."))
        elif action == "remarks":
            services.set_remarks(user, found, request.POST.get("remarks", ""))
            messages.success(request, _("Замечания сохранены."))
        elif action == "decline":
            services.decline_entry(user, found, request.POST.get("reason", ""))
            messages.success(request, _("Программа исключена из оценки."))
        elif action == "appeal_expert":
            appeal = Appeal.objects.get(entry=found)
            services.assign_appeal_expert(user, appeal, request.POST.get("expert") or None)
            messages.success(request, _("Апелляция передана новому эксперту."))
        elif action == "appeal_decide":
            form = AppealDecisionForm(request.POST)
            appeal = Appeal.objects.filter(entry=found).first()
            if appeal is None:
                raise NotFound(_("Апелляция не найдена."))
            if not form.is_valid():
                return render(request, "quality/entry.html", _entry_context(request, found, appeal_form=form),
                              status=400)
            services.decide_appeal(user, appeal, upheld=form.cleaned_data["upheld"],
                                   answer=form.cleaned_data["answer"])
            messages.success(request, _("Апелляция рассмотрена."))
        else:
            raise NotFound(_("Нет такого действия."))
    except NotFound:
        raise
    except (DomainError, Appeal.DoesNotExist) as error:
        if isinstance(error, DomainError):
            _refused(request, error)
    return redirect("quality:entry", pk=pk)


# --- criteria, experts, settings ------------------------------------------------------------------


@section_page("quality")
def criteria(request):
    user = request.user
    own = scope.territory(user, CriteriaSet.objects.all())
    sets = (CriteriaSet.objects.filter(Q(pk__in=own.values("pk")) | Q(municipality=None))
            .select_related("municipality").prefetch_related("criteria").order_by("municipality", "title", "-version"))
    territory = _territory_of(user)
    current = {services.current_set(territory), services.current_set(territory, CriteriaPurpose.PRACTICES)}
    return render(request, "quality/criteria.html", {
        "sets": sets, "current": current, "may_manage": scope.holds(user, "quality.manage")})


@section_page("quality")
def criteria_new(request, pk):
    user = request.user
    if not scope.holds(user, "quality.manage"):
        raise PermissionDenied
    base = CriteriaSet.objects.filter(pk=pk).first()
    if base is None or not (base.municipality_id is None or scope.can(user, "quality.manage", base)):
        raise PermissionDenied
    criteria_rows = [{"title": c.title, "description": c.description, "scale_max": c.scale_max,
                      "weight": c.weight, "is_knock_out": c.is_knock_out} for c in base.criteria.all()]
    form = CriteriaSetForm(request.POST or None, initial={
        "title": base.title, "pass_threshold": base.pass_threshold, "revise_threshold": base.revise_threshold})
    formset = CriterionFormSet(request.POST or None, initial=criteria_rows, prefix="criteria")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [row for row in formset.cleaned_data if row.get("title")]
        try:
            created = services.save_criteria_set(
                user, _territory_of(user), title=form.cleaned_data["title"], criteria=rows,
                pass_threshold=form.cleaned_data["pass_threshold"],
                revise_threshold=form.cleaned_data["revise_threshold"], based_on=base)
        except DomainError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Сохранена версия %(v)d. Кампании, начатые раньше, оцениваются по "
                                        "своей версии.") % {"v": created.version})
            return redirect("quality:criteria")
    return render(request, "quality/criteria_form.html", {"form": form, "formset": formset, "base": base},
                  status=400 if request.method == "POST" else 200)


@section_page("quality")
def experts(request):
    user = request.user
    manages = scope.holds(user, "quality.manage")
    form = None
    if manages:
        municipality = _territory_of(user)
        free = User.objects.filter(role=Role.EXPERT, is_active=True, expert_profile__isnull=True).order_by(
            "last_name", "first_name")
        organizations = Organization.objects.filter(is_active=True).order_by("short_name")
        if municipality is not None:
            organizations = organizations.filter(municipality=municipality)
        form = ExpertForm(request.POST or None, users=free, organizations=organizations)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.save_expert(
                    user, User.objects.get(pk=data["user"]), municipality=municipality,
                    organization=organizations.filter(pk=data["organization"] or None).first(),
                    position=data["position"], directions=data["directions"])
            except DomainError as error:
                attach_errors(form, error)
            else:
                messages.success(request, _("Эксперт добавлен."))
                return redirect("quality:experts")
    return render(request, "quality/experts.html", {
        "page": page_of(request, selectors.experts_for_user(user)), "form": form},
        status=400 if form is not None and form.errors else 200)


@section_page("quality")
def quality_settings(request):
    user = request.user
    municipality = user.municipality
    if municipality is None:
        raise PermissionDenied
    found = services.settings_of(municipality)
    may_change = scope.can(user, "quality.configure", found)
    form = SettingsForm(request.POST or None, initial={
        "passed_required_for_certification": found.passed_required_for_certification})
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid():
            services.set_certification_rule(user, municipality, form.cleaned_data["passed_required_for_certification"])
            messages.success(request, _("Настройка сохранена."))
            return redirect("quality:settings")
    return render(request, "quality/settings.html", {"form": form, "may_change": may_change,
                                                     "municipality": municipality})


# --- the provider -----------------------------------------------------------------------------


@section_page("quality.apply")
def provider(request):
    user = request.user
    open_campaigns = list(selectors.open_campaigns_for(user))
    programs = scope.territory(user, Program.objects.filter(status=ProgramStatus.PUBLISHED)).order_by("title")
    return render(request, "quality/provider.html", {
        "entries": selectors.provider_entries(user), "open_campaigns": open_campaigns, "programs": programs,
        "campaign_statuses": CampaignStatus,
    })


@require_POST
@section_page("quality.apply")
def provider_apply(request):
    user = request.user
    found = selectors.open_campaigns_for(user).filter(pk=request.POST.get("campaign")).first()
    program = scope.territory(user, Program.objects.all()).filter(pk=request.POST.get("program")).first()
    if found is None or program is None:
        messages.error(request, _("Выберите кампанию и программу."))
        return redirect("quality:provider")
    try:
        services.apply_for_assessment(user, found, program)
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Заявка на оценку подана. МОЦ рассмотрит её."))
    return redirect("quality:provider")


@section_page("quality.apply")
def provider_entry(request, pk):
    user = request.user
    found = found_or_404(selectors.provider_entry, user, pk)
    published = found.campaign.status == CampaignStatus.PUBLISHED and found.status == EntryStatus.DECIDED
    appeal = Appeal.objects.filter(entry=found).first()
    deadline = services.appeal_deadline(found.campaign)
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.file_appeal(user, found, form.cleaned_data["reason"])
        except DomainError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Апелляция подана. МОЦ передаст программу новому эксперту."))
            return redirect("quality:provider_entry", pk=pk)
    return render(request, "quality/provider_entry.html", {
        "entry": found, "published": published, "appeal": appeal, "form": form, "deadline": deadline,
        "may_appeal": published and appeal is None and found.decision != Decision.PASSED,
        "criteria": found.campaign.criteria_set.criteria.all() if published else [],
    }, status=400 if form.errors else 200)


# --- the expert ----------------------------------------------------------------------------------


@section_page("quality.score")
def assignments(request):
    return render(request, "quality/assignments.html", {
        "page": page_of(request, selectors.assignments_of(request.user)), "statuses": AssignmentStatus,
        "kinds": AssignmentKind})


@section_page("quality.score")
def assignment(request, pk):
    user = request.user
    found = found_or_404(selectors.assignment_of, user, pk)
    errors = {}
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        values = {c.pk: (request.POST.get(f"score-{c.pk}", ""), request.POST.get(f"comment-{c.pk}", ""))
                  for c in found.entry.campaign.criteria_set.criteria.all()}
        try:
            services.save_sheet(user, found, values, submit=submit)
        except DomainError as error:
            errors = getattr(error, "errors", None) or {"": [error.message]}
        else:
            messages.success(request, _("Лист сдан. Спасибо!") if submit else _("Черновик сохранён."))
            return redirect("quality:assignment", pk=pk)
        found = selectors.assignment_of(user, pk)
    lines = selectors.sheet(found)
    if errors:  # keep what the expert typed
        for line in lines:
            line.value = request.POST.get(f"score-{line.criterion.pk}", "")
            line.comment = request.POST.get(f"comment-{line.criterion.pk}", "")
            line.errors = errors.get(f"score-{line.criterion.pk}", []) + errors.get(f"comment-{line.criterion.pk}", [])
    for line in lines:
        line.choices = range(line.criterion.scale_max + 1)
    return render(request, "quality/assignment.html", {
        "assignment": found, "entry": found.entry, "program": found.entry.program, "lines": lines,
        "errors": [m for key, group in errors.items() if not key.startswith(("score-", "comment-")) for m in group],
        "has_errors": bool(errors), "editable": found.status == AssignmentStatus.ASSIGNED,
        "statuses": AssignmentStatus,
    }, status=400 if errors else 200)


# --- public ---------------------------------------------------------------------------------------


def public(request):
    return render(request, "quality/public.html", {
        "campaigns": page_of(request, selectors.public_campaigns()),
        "municipalities": Municipality.objects.order_by("name"),
    })


def public_campaign(request, pk):
    found = found_or_404(selectors.public_campaign, pk)
    decision = request.GET.get("decision", "")
    results = selectors.public_results(found)
    if decision in Decision.values:
        results = results.filter(decision=decision)
    return render(request, "quality/public_campaign.html", {
        "campaign": found, "page": page_of(request, results), "decision": decision,
        "decisions": Decision.choices, "criteria": found.criteria_set.criteria.all(),
        "program_statuses": ProgramStatus,
    })


urlpatterns = [
    path("office/quality/", campaigns, name="campaigns"),
    path("office/quality/campaigns/new/", campaign_create, name="campaign_create"),
    path("office/quality/campaigns/<int:pk>/", campaign, name="campaign"),
    path("office/quality/campaigns/<int:pk>/results.xlsx", campaign_export, name="campaign_export"),
    path("office/quality/campaigns/<int:pk>/<slug:action>/", campaign_action, name="campaign_action"),
    path("office/quality/entries/<int:pk>/", entry, name="entry"),
    path("office/quality/entries/<int:pk>/<slug:action>/", entry_action, name="entry_action"),
    path("office/quality/criteria/", criteria, name="criteria"),
    path("office/quality/criteria/<int:pk>/new-version/", criteria_new, name="criteria_new"),
    path("office/quality/experts/", experts, name="experts"),
    path("office/quality/settings/", quality_settings, name="settings"),
    path("office/quality/my/", provider, name="provider"),
    path("office/quality/my/apply/", provider_apply, name="provider_apply"),
    path("office/quality/my/<int:pk>/", provider_entry, name="provider_entry"),
    path("office/quality/assignments/", assignments, name="assignments"),
    path("office/quality/assignments/<int:pk>/", assignment, name="assignment"),
    path("quality/", public, name="public"),
    path("quality/<int:pk>/", public_campaign, name="public_campaign"),
]
