"""The parent's cabinet — children, applications with their history, withdrawal — and the
apply page of a group, which anyone may open and a confirmed parent may submit."""


from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opora import audit
from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.accounts.services import may_enrol
from opora.core.forms import attach_errors
from opora.core.http import found_or_404
from opora.core.pages import page_of
from opora.enrollment import children as children_service
from opora.enrollment import favourites as favourites_service
from opora.enrollment import notices, rules, selectors, services
from opora.enrollment.forms import ApplyForm, ChildForm, NewChildForm, WithdrawForm
from opora.enrollment.models import LIVE, Application, ApplicationStatus
from opora.errors import DomainError
from opora.locking import Busy
from opora.registry.models import Group, GroupFunding, ScheduleLine

S = ApplicationStatus
WITHDRAWABLE = (S.NEW, S.WAITLISTED, S.AWAITING_CONTRACT)


def _confirm_first(request):
    """What an unconfirmed parent sees instead of a form that needs the confirmed e-mail."""
    return render(request, "enrollment/confirm_first.html", status=403)


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return ""


# --- children ------------------------------------------------------------------------


@section_page("cabinet")
def cabinet(request):
    """«Мои дети»: the parent's children with the number of their live applications."""
    listed = selectors.children_of(request.user).select_related("municipality").annotate(
        live_applications=Count("applications", filter=Q(applications__status__in=LIVE),
                                distinct=True))
    return render(request, "enrollment/cabinet.html", {
        "children": list(listed), "walk_ins": list(children_service.walk_ins_to_accept(request.user))})


@require_POST
@section_page("cabinet")
def walk_in_accept(request, pk):
    """The parent confirms a child an organization recorded on their e-mail."""
    link = get_object_or_404(children_service.walk_ins_to_accept(request.user), pk=pk)
    children_service.accept_walk_in(request.user, link)
    messages.success(request, _("Ребёнок добавлен в ваш кабинет: %(name)s.")
                     % {"name": link.child.full_name})
    return redirect("enrollment:cabinet")


@section_page("cabinet")
def child_add(request):
    if not may_enrol(request.user):
        return _confirm_first(request)
    next_url = _next(request)
    form = NewChildForm(request.POST or None,
                        initial={"municipality": request.user.municipality_id})
    if request.method == "POST" and form.is_valid():
        try:
            child, created = children_service.register_child(
                request.user, form.child_data(), consent=form.cleaned_data["consent"])
        except DomainError as error:
            attach_errors(form, error)
        else:
            if created:
                messages.success(request, _("Ребёнок добавлен: %(name)s.")
                                 % {"name": child.full_name})
            elif selectors.is_guardian(request.user, child):
                messages.info(request, _("Этот ребёнок уже есть в вашем кабинете."))
            else:
                # Neutral on purpose: nothing about the record or who else is linked to it.
                messages.info(request, _(
                    "Ребёнок с такими данными уже есть в системе. Муниципальный опорный центр "
                    "проверит, что вы его законный представитель, и ребёнок появится в вашем "
                    "кабинете; возможно, вас попросят показать документы."))
            return redirect(next_url or "enrollment:cabinet")
    return render(request, "enrollment/child_form.html",
                  {"form": form, "child": None, "next": next_url})


@section_page("cabinet")
def child_edit(request, uuid):
    child = found_or_404(selectors.child_for, request.user, uuid)
    form = ChildForm(request.POST or None, initial=ChildForm.initial_of(child))
    if request.method == "POST" and form.is_valid():
        try:
            child = children_service.update_child(request.user, child, form.child_data())
        except DomainError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Сведения о ребёнке сохранены."))
            return redirect("enrollment:cabinet")
    return render(request, "enrollment/child_form.html", {"form": form, "child": child})


# --- applications --------------------------------------------------------------------


@section_page("cabinet")
def applications(request):
    listed = selectors.applications_of(request.user).order_by("-created_at", "-pk")
    return render(request, "enrollment/applications.html", {"page": page_of(request, listed)})


MERGE_NOTE = _("Записи о ребёнке объединены: эта заявка повторяла другую заявку в ту же группу.")
REASON_SHOWN = {"enrollment.application.rejected", "enrollment.application.expelled",
                "enrollment.application.withdrawn"}


def parent_timeline(application, parent) -> list[dict]:
    """The status steps of an application as its family sees them: when, what, to which
    status and why; no names of staff, and no reason written by the МОЦ about a merge
    (it may speak of another family's record)."""
    steps = []
    for event in audit.timeline(application):
        if not event.action.startswith("enrollment.application."):
            continue
        reason = event.reason if event.action in REASON_SHOWN else ""
        if event.data.get("merge"):
            reason = str(MERGE_NOTE)
        steps.append({"at": event.created_at, "label": event.action_label,
                      "status": event.to_label, "reason": reason,
                      "by_you": event.actor_id == parent.pk})
    return steps


def _schedule_prefetch():
    return (Prefetch("schedule", queryset=ScheduleLine.objects.order_by("time_from", "pk")),
            Prefetch("funding", queryset=GroupFunding.objects.order_by("source")))


@section_page("cabinet")
def application(request, uuid):
    found = found_or_404(selectors.application_for, request.user, uuid)
    group = Group.objects.prefetch_related(*_schedule_prefetch()).get(pk=found.group_id)
    return render(request, "enrollment/application.html", {
        "application": found, "group": group, "program": found.group.module.program,
        "steps": parent_timeline(found, request.user),
        "withdraw_form": WithdrawForm() if found.status in WITHDRAWABLE else None,
    })


@require_POST
@section_page("cabinet")
def withdraw(request, uuid):
    found = found_or_404(selectors.application_for, request.user, uuid)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.withdraw_application(request.user, found, reason)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Заявка отозвана."))
    return redirect("enrollment:application", uuid=found.uuid)


# --- the apply page ------------------------------------------------------------------

GROUP_GATES = ("group_inactive", "enrolment_switched_off", "enrolment_not_started",
               "enrolment_finished", "group_finished", "no_schedule", "program_not_published",
               "organization_inactive")


def _group_refusals(group_id, now) -> list[str]:
    """Why nobody can apply to the group now, whoever the child (the child's own gates
    are shown next to each child)."""
    facts = selectors.group_facts(group_id)
    return [message for message in (
        rules.group_inactive(facts.is_active),
        rules.enrolment_switched_off(facts.enrolment_open),
        rules.enrolment_not_started(facts.enrolment_from, now),
        rules.enrolment_finished(facts.enrolment_to, now),
        rules.group_finished(facts.end_date, timezone.localdate(now)),
        rules.no_schedule(facts.has_schedule),
    ) if message]


def _public_group(group_id):
    queryset = selectors.with_seats(
        Group.objects.filter(Group.public_q())
        .select_related("module__program__organization__municipality")
        .prefetch_related(*_schedule_prefetch()))
    return get_object_or_404(queryset, pk=group_id)


def _children_at(user, group, now):
    """The parent's children, each with ``refusals`` (its own gates) and ``application``
    (a live application to this group, if any)."""
    kids = list(selectors.children_of(user).order_by("birth_date", "pk"))
    live = {a.child_id: a for a in Application.objects.filter(
        child__in=kids, group=group, status__in=LIVE)}
    for child in kids:
        child.application = live.get(child.pk)
        child.refusals = [r.message for r in selectors.eligibility(child, group, now=now)
                          if r.code not in GROUP_GATES and r.code != "already_applied"]
    return kids


def apply(request, group_id):
    """The group's facts and seats; for a confirmed parent, the choice of a child and the
    button. Submitting again returns the first application (the service is idempotent)."""
    group = _public_group(group_id)
    now = timezone.now()
    user = request.user
    context = {"group": group, "program": group.module.program,
               "group_refusals": _group_refusals(group.pk, now)}
    status = 200
    if user.is_authenticated and scope.is_parent(user) and may_enrol(user):
        kids = _children_at(user, group, now)
        eligible = [c for c in kids if not c.refusals and c.application is None]
        errors = []
        if request.method == "POST":
            # Every child of the parent is a valid choice here: a second press after the
            # first one filed the application must find it, not a form error.
            posted = ApplyForm(request.POST, children=kids)
            if not posted.is_valid():
                errors.append(_("Выберите ребёнка из списка."))
            else:
                child = next(c for c in kids if str(c.uuid) == posted.cleaned_data["child"])
                try:
                    filed, _created = services.submit_application(user, child, group)
                except Busy as error:
                    errors.append(error.message)
                    status = 503
                except DomainError as error:
                    errors.append(error.message)
                else:
                    return redirect("enrollment:application", uuid=filed.uuid)
        found = notices.for_children(group, kids)
        for child in kids:
            child.notices = found.get(child.pk, [])
        context.update(children=kids, form=ApplyForm(children=eligible), errors=errors,
                       can_submit=bool(eligible) and not context["group_refusals"])
    elif request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        if scope.is_parent(user):
            return _confirm_first(request)
        raise PermissionDenied
    return render(request, "enrollment/apply.html", context, status=status)


# --- favourites ----------------------------------------------------------------------


@section_page("cabinet")
def favourites(request):
    """«Избранное»: the programs the parent saved, newest first."""
    return render(request, "enrollment/favourites.html", {
        "favourites": list(favourites_service.of(request.user))})


@require_POST
@section_page("cabinet")
def favourite(request, program_id: int):
    """The star of a catalog card or a program page: save (or, with ``action=remove``,
    remove) the program, and go back where the parent was (``next``, else the page the
    star was on: a catalog filtered through htmx has moved on from its first address)."""
    try:
        if request.POST.get("action") == "remove":
            favourites_service.remove(request.user, program_id)
            messages.success(request, _("Программа удалена из избранного."))
        else:
            favourites_service.save(request.user, program_id)
            messages.success(request, _("Программа сохранена в избранном."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(_next(request) or _referer(request) or reverse("enrollment:favourites"))


def _referer(request) -> str:
    target = request.META.get("HTTP_REFERER", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return ""
