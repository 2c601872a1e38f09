"""Pages of the bank of best practices.

Back office under ``office/practices/``: a provider's practices (write, attach files,
submit, archive); the МОЦ's, the authority's and the РМЦ's list and a practice's review
page (experts, scores, publication, return, forwarding, the regional mark) with the Excel
export; the expert's practices and sheet. Public under ``practices/``: the bank with its
filters and search, a practice's page and its files."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opora import audit
from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.core.forms import attach_errors
from opora.core.http import found_or_404
from opora.core.pages import page_of
from opora.errors import DomainError, NotFound
from opora.practices import selectors, services
from opora.practices.exporters import PracticesExporter
from opora.practices.forms import (
    AppealDecisionForm,
    AppealForm,
    FileForm,
    PracticeForm,
    RemarksForm,
    ReviewForm,
    SettingsForm,
)
from opora.practices.models import (
    AppealStatus,
    AssignmentStatus,
    PracticeAppeal,
    PracticeKind,
    PracticeStatus,
    TargetGroup,
)
from opora.quality.models import AssignmentKind, Decision
from opora.registry.choices import Direction
from opora.registry.models import Municipality

app_name = "practices"


def _refused(request, error: DomainError):
    problems = getattr(error, "errors", None) or {"": [error.message]}
    for message in (m for group in problems.values() for m in group):
        messages.error(request, message)


def _download(practice_file):
    if not practice_file.file:
        raise Http404
    return FileResponse(practice_file.file.open("rb"), as_attachment=True, filename=practice_file.name)


# --- the provider ------------------------------------------------------------------------------


@section_page("practices.edit")
def mine(request):
    practices = selectors.practices_for(request.user).order_by("-created_at", "-pk")
    return render(request, "practices/mine.html", {"page": page_of(request, practices)})


def _initial(practice):
    return {"title": practice.title, "authors": practice.authors, "direction": practice.direction,
            "target_group": practice.target_group, "kind": practice.kind, "summary": practice.summary,
            "goals": practice.goals, "resources": practice.resources, "results": practice.results,
            "replication": practice.replication, "links": "\n".join(practice.links),
            "programs": [str(pk) for pk in practice.programs.values_list("pk", flat=True)]}


@section_page("practices.edit")
def edit(request, pk=None):
    user = request.user
    practice = found_or_404(selectors.practice_for, user, pk) if pk else None
    organization = practice.organization if practice else user.organization
    form = PracticeForm(request.POST or None, programs=services.linkable_programs(organization),
                        initial=_initial(practice) if practice else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_practice(user, form.cleaned_data, practice)
        except DomainError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Практика сохранена."))
            return redirect("practices:my_practice", pk=saved.pk)
    return render(request, "practices/form.html", {"form": form, "practice": practice},
                  status=400 if form.errors else 200)


@section_page("practices.edit")
def my_practice(request, pk):
    user = request.user
    practice = found_or_404(selectors.practice_for, user, pk)
    form = FileForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "file":
                services.add_file(user, practice, request.FILES.get("file"))
                messages.success(request, _("Файл приложен."))
            elif action == "remove_file":
                found = practice.files.filter(pk=request.POST.get("file")).first()
                if found is None:
                    raise NotFound(_("Файл не найден."))
                services.remove_file(user, found)
                messages.success(request, _("Файл удалён."))
            elif action == "submit":
                services.submit(user, practice)
                messages.success(request, _("Практика подана в МОЦ."))
            elif action == "archive":
                services.archive(user, practice)
                messages.success(request, _("Практика перенесена в архив."))
            elif action == "appeal":
                appeal_form = AppealForm(request.POST)
                services.file_appeal(user, practice, request.POST.get("reason", ""))
                messages.success(request, _("Апелляция подана в МОЦ."))
            else:
                raise NotFound(_("Нет такого действия."))
        except NotFound as error:
            raise Http404(error.message) from None
        except DomainError as error:
            if action == "file":
                attach_errors(form, error)
                return render(request, "practices/my_practice.html", _provider_context(practice, form), status=400)
            if action == "appeal" and getattr(error, "errors", None):
                attach_errors(appeal_form, error)
                return render(request, "practices/my_practice.html",
                              _provider_context(practice, form, appeal_form), status=400)
            _refused(request, error)
        return redirect("practices:my_practice", pk=pk)
    return render(request, "practices/my_practice.html", _provider_context(practice, form))


def _appeal_of_round(practice):
    return PracticeAppeal.objects.filter(practice=practice, round=practice.review_round).first()


def _provider_context(practice, form, appeal_form=None):
    appeal = _appeal_of_round(practice)
    return {"practice": practice, "file_form": form, "statuses": PracticeStatus,
            "editable": practice.status in services.EDITABLE and not (appeal and appeal.status == AppealStatus.FILED),
            "appeal": appeal, "appeal_statuses": AppealStatus,
            "may_appeal": services.may_appeal(practice), "appeal_deadline": services.appeal_deadline(practice),
            "appeal_form": appeal_form or AppealForm(), "events": audit.timeline(practice)}


# --- the МОЦ, the authority, the РМЦ --------------------------------------------------------------


@section_page("practices")
def office(request):
    user = request.user
    practices = selectors.practices_for(user)
    status = request.GET.get("status", "")
    if status in PracticeStatus.values:
        practices = practices.filter(status=status)
    if request.GET.get("regional") == "1":
        practices = practices.filter(is_regional=True)
    if request.GET.get("format") == "xlsx":
        return PracticesExporter(practices).response("xlsx")
    return render(request, "practices/office.html", {
        "page": page_of(request, practices.order_by("status", "-submitted_at", "-pk")),
        "status": status,
        # a draft is its organization's own: the back office's filter offers the other statuses
        "statuses": [(value, label) for value, label in PracticeStatus.choices if value != PracticeStatus.DRAFT],
        "regional": request.GET.get("regional") == "1",
        "is_regional_centre": scope.holds(user, "practices.regional"),
        "reviews_here": scope.holds(user, "practices.review") and user.municipality_id is not None,
    })


@section_page("practices")
def practice(request, pk, appeal_form=None, status=200):
    user = request.user
    found = found_or_404(selectors.practice_for, user, pk)
    reviews = scope.can(user, "practices.review", found)
    sheets, rows = selectors.scores_table(found)
    taken = {a.expert_id for a in sheets}
    experts = [e for e in services.experts_for(found) if services.conflict(found, e) is None]
    appeal = _appeal_of_round(found)
    return render(request, "practices/practice.html", {
        "appeal": appeal, "appeal_statuses": AppealStatus, "kinds": AssignmentKind, "decisions": Decision,
        "appeal_sheet": next((a for a in sheets if a.kind == AssignmentKind.APPEAL), None),
        "appeal_candidates": services.appeal_candidates(found) if appeal else [],
        "appeal_form": appeal_form or AppealDecisionForm(),
        "practice": found, "reviews": reviews, "sheets": sheets, "rows": rows,
        "marks": scope.can(user, "practices.regional", found),
        "review_form": ReviewForm(experts=experts),
        "candidates": [e for e in experts if e.user_id not in taken],
        "remarks_form": RemarksForm(initial={"remarks": found.remarks or services.expert_remarks(found)}),
        "statuses": PracticeStatus, "assignment_statuses": AssignmentStatus,
        "events": audit.timeline(found),
    }, status=status)


@require_POST
@section_page("practices")
def practice_action(request, pk, action):
    user = request.user
    found = found_or_404(selectors.practice_for, user, pk)
    post = request.POST
    try:
        if action == "review":
            services.start_review(user, found, post.getlist("experts") or None, post.get("due_on") or None)
            messages.success(request, _("Практика передана экспертам."))
        elif action == "assign":
            services.assign_expert(user, found, post.get("expert"))
            messages.success(request, _("Эксперт назначен."))
        elif action == "withdraw":
            assignment = found.assignments.filter(pk=post.get("assignment")).first()
            if assignment is None:
                raise NotFound(_("Назначение не найдено."))
            services.withdraw_assignment(user, assignment)
            messages.success(request, _("Эксперт снят с практики."))
        elif action == "publish":
            services.publish(user, found)
            messages.success(request, _("Практика опубликована в банке лучших практик."))
        elif action == "return":
            services.return_practice(user, found, post.get("remarks", ""))
            messages.success(request, _("Практика возвращена организации на доработку."))
        elif action == "archive":
            services.archive(user, found)
            messages.success(request, _("Практика перенесена в архив."))
        elif action == "forward":
            services.forward(user, found)
            messages.success(request, _("Практика передана в РМЦ."))
        elif action in ("appeal_expert", "appeal_decide"):
            appeal = found.appeals.filter(round=found.review_round).first()
            if appeal is None:
                raise NotFound(_("Апелляция не найдена."))
            if action == "appeal_expert":
                services.assign_appeal_expert(user, appeal, post.get("expert") or None)
                messages.success(request, _("Апелляция передана новому эксперту."))
            else:
                form = AppealDecisionForm(post)
                if not form.is_valid():
                    return practice(request, pk, appeal_form=form, status=400)
                services.decide_appeal(user, appeal, upheld=form.cleaned_data["upheld"],
                                       answer=form.cleaned_data["answer"])
                messages.success(request, _("Решение по апелляции принято."))
        elif action in ("regional", "not_regional"):
            services.mark_regional(user, found, action == "regional")
            messages.success(request, _("Отметка сохранена."))
        else:
            raise NotFound(_("Нет такого действия."))
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        _refused(request, error)
    return redirect("practices:practice", pk=pk)


@section_page("practices")
def review_settings(request):
    """The МОЦ's rules of reviewing its municipality's practices."""
    user = request.user
    municipality = user.municipality
    if municipality is None or not scope.holds(user, "practices.review"):
        raise PermissionDenied
    found = services.settings_of(municipality)
    form = SettingsForm(request.POST or None, initial={
        "spread_limit": f"{Decimal(found.spread_limit).normalize():f}", "appeal_days": found.appeal_days,
        "experts_per_practice": found.experts_per_practice})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_settings(user, municipality, **form.cleaned_data)
        except DomainError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Правила экспертизы практик сохранены."))
            return redirect("practices:settings")
    return render(request, "practices/settings.html", {"form": form, "municipality": municipality},
                  status=400 if form.errors else 200)


@section_page("practices.files")
def file(request, pk):
    """A file of a practice the user sees in the back office, or is assigned to score."""
    return _download(found_or_404(selectors.file_for, request.user, pk))


# --- the expert ------------------------------------------------------------------------------------


@section_page("practices.score")
def assignments(request):
    return render(request, "practices/assignments.html", {
        "page": page_of(request, selectors.assignments_of(request.user)), "statuses": AssignmentStatus})


@section_page("practices.score")
def assignment(request, pk):
    user = request.user
    found = found_or_404(selectors.assignment_of, user, pk)
    errors = {}
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        values = {c.pk: (request.POST.get(f"score-{c.pk}", ""), request.POST.get(f"comment-{c.pk}", ""))
                  for c in found.practice.criteria_set.criteria.all()}
        try:
            services.save_sheet(user, found, values, submit=submit)
        except DomainError as error:
            errors = getattr(error, "errors", None) or {"": [error.message]}
        else:
            messages.success(request, _("Лист сдан. Спасибо!") if submit else _("Черновик сохранён."))
            return redirect("practices:assignment", pk=pk)
    lines = selectors.sheet(found)
    if errors:  # keep what the expert typed
        for line in lines:
            line.value = request.POST.get(f"score-{line.criterion.pk}", "")
            line.comment = request.POST.get(f"comment-{line.criterion.pk}", "")
            line.errors = errors.get(f"score-{line.criterion.pk}", []) + errors.get(f"comment-{line.criterion.pk}", [])
    for line in lines:
        line.choices = range(line.criterion.scale_max + 1)
    return render(request, "practices/assignment.html", {
        "assignment": found, "practice": found.practice, "lines": lines,
        "errors": [m for key, group in errors.items() if not key.startswith(("score-", "comment-")) for m in group],
        "has_errors": bool(errors),
        "editable": found.status == AssignmentStatus.ASSIGNED and (
            found.practice.status == PracticeStatus.REVIEW
            or (found.kind == AssignmentKind.APPEAL and found.practice.status == PracticeStatus.RETURNED)),
        "kinds": AssignmentKind,
    }, status=400 if errors else 200)


# --- public ----------------------------------------------------------------------------------------


def bank(request):
    query = selectors.BankQuery.from_get(request.GET)
    practices = selectors.public_practices(query)
    return render(request, "practices/bank.html", {
        "page": page_of(request, practices), "query": query,
        "directions": Direction.choices, "target_groups": TargetGroup.choices, "kinds": PracticeKind.choices,
        "municipalities": Municipality.objects.order_by("name"),
    })


def bank_practice(request, pk):
    return render(request, "practices/bank_practice.html", {"practice": found_or_404(selectors.public_practice, pk)})


def public_file(request, pk):
    return _download(found_or_404(selectors.public_file, pk))


urlpatterns = [
    path("office/practices/", office, name="office"),
    path("office/practices/settings/", review_settings, name="settings"),
    path("office/practices/<int:pk>/", practice, name="practice"),
    path("office/practices/<int:pk>/<slug:action>/", practice_action, name="practice_action"),
    path("office/practices/files/<int:pk>/", file, name="file"),
    path("office/practices/my/", mine, name="mine"),
    path("office/practices/my/new/", edit, name="create"),
    path("office/practices/my/<int:pk>/", my_practice, name="my_practice"),
    path("office/practices/my/<int:pk>/edit/", edit, name="edit"),
    path("office/practices/assignments/", assignments, name="assignments"),
    path("office/practices/assignments/<int:pk>/", assignment, name="assignment"),
    path("practices/", bank, name="bank"),
    path("practices/<int:pk>/", bank_practice, name="bank_practice"),
    path("practices/files/<int:pk>/", public_file, name="public_file"),
]
