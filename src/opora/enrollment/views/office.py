"""The provider's applications: the list with filters and bulk actions, one application
with the child, the guardians and the history, and the walk-in form."""


from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from opora import audit
from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.core.forms import attach_errors
from opora.core.pages import page_of
from opora.enrollment import children as children_service
from opora.enrollment import selectors, services
from opora.enrollment.forms import ApplicationFilterForm, ProcessForm, WalkInForm
from opora.enrollment.models import Application, ApplicationStatus
from opora.errors import DomainError
from opora.registry.models import Group, Program

S = ApplicationStatus


def _own_groups(request):
    return (Group.objects.filter(module__program__organization=request.user.organization)
            .select_related("module__program").order_by("module__program__title", "name", "pk"))


@section_page("enrollment.process")
def applications(request):
    programs = Program.objects.filter(organization=request.user.organization).order_by("title", "pk")
    form = ApplicationFilterForm(request.GET or None, programs=programs,
                                 groups=_own_groups(request))
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    listed = selectors.visible_applications(
        request.user, status=chosen.get("status") or None, group=chosen.get("group"),
        program=chosen.get("program"), search=chosen.get("q") or "")
    if chosen.get("created_from"):
        listed = listed.filter(created_at__date__gte=chosen["created_from"])
    if chosen.get("created_to"):
        listed = listed.filter(created_at__date__lte=chosen["created_to"])
    listed = listed.order_by("-created_at", "-pk")
    page = page_of(request, listed)
    return render(request, "enrollment/office/applications.html", {
        "form": form, "page": page, "process_form": ProcessForm(),
        "here": request.get_full_path(),
    })


DONE = {
    "confirm": lambda n: ngettext("Подтверждена %(n)s заявка.", "Подтверждено заявок: %(n)s.", n),
    "reject": lambda n: ngettext("Отклонена %(n)s заявка.", "Отклонено заявок: %(n)s.", n),
    "expel": lambda n: ngettext("Отчислен %(n)s ребёнок.", "Отчислено детей: %(n)s.", n),
    "complete": lambda n: ngettext("Завершено обучение по %(n)s заявке.",
                                   "Завершено обучение по заявкам: %(n)s.", n),
}


@require_POST
@section_page("enrollment.process")
def process(request):
    """One action for the chosen applications, all or nothing (the service's rule)."""
    form = ProcessForm(request.POST)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("enrollment:office_applications")
    if not form.is_valid():
        messages.error(request, _("Выберите действие."))
        return redirect(target)
    data = form.cleaned_data
    try:
        done = services.process_applications(request.user, data["ids"], data["action"],
                                             reason=data["reason"], on_date=data["on_date"],
                                             by_parent=data["by_parent"])
    except DomainError as error:
        messages.error(request, error.message)
        if len(data["ids"]) > 1:  # the refusal names one; the others were not changed either
            messages.info(request, _("Ни одна из отмеченных заявок (%(n)s) не изменена.") % {"n": len(data["ids"])})
    else:
        messages.success(request, DONE[data["action"]](len(done)) % {"n": len(done)})
        for application in done:
            if getattr(application, "task_warning", None):
                messages.warning(request, application.task_warning)
    return redirect(target)


def _actions_for(application) -> set[str]:
    if application.status == S.NEW:
        return {"confirm", "reject"}
    if application.status in (S.WAITLISTED, S.AWAITING_CONTRACT):
        return {"reject"}
    if application.status == S.ENROLLED:
        return {"expel", "complete"}
    return set()


@section_page("enrollment.process")
def application(request, pk):
    queryset = selectors.with_positions(scope.actionable(
        request.user, "enrollment.process",
        Application.objects.select_related(*selectors.APPLICATION_RELATED, "child__municipality")))
    found = get_object_or_404(queryset, pk=pk)
    # Only confirmed guardians: an unconfirmed link (someone who typed the child's data,
    # or an account a walk-in named) tells the provider nothing of that person.
    links = list(found.child.guardianships.select_related("parent").order_by("created_at", "pk"))
    guardians = [link for link in links if link.confirmed_at is not None]
    return render(request, "enrollment/office/application.html", {
        "application": found, "guardians": guardians,
        "awaiting_guardian": not guardians and len(links) > 0, "events": audit.timeline(found),
        "actions": _actions_for(found), "today": timezone.localdate(),
    })


@section_page("enrollment.process")
def walk_in(request):
    groups = _own_groups(request).filter(is_active=True, end_date__gte=timezone.localdate())
    initial = {"municipality": request.user.organization.municipality_id}
    if (group_id := request.GET.get("group", "")).isdigit():
        initial["group"] = int(group_id)
    form = WalkInForm(request.POST or None, groups=groups, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            filed = children_service.enrol_walk_in(
                request.user, form.child_data(), form.cleaned_data["group"], form.parent_data(),
                consent=form.cleaned_data["consent"])
        except DomainError as error:
            attach_errors(form, error)
        else:
            if filed.status == S.WAITLISTED:
                messages.info(request, _("Свободных мест нет: ребёнок в очереди, место № "
                                         "%(n)s.") % {"n": selectors.position_of(filed)})
            else:
                messages.success(request, _("Заявка записана: %(status)s.")
                                 % {"status": filed.get_status_display()})
            return redirect("enrollment:office_application", pk=filed.pk)
    return render(request, "enrollment/office/walk_in.html", {"form": form})
