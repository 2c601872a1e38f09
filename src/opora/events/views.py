"""Pages of events: the public list «Мероприятия» and event pages with .ics files, the
diploma and its public check; the parent's «Мероприятия» in the cabinet; the organizer's
events, registrations and results, the МОЦ's moderation, the involvement report, and the
register of gifted children."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opora import audit
from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.core import pdf
from opora.core.forms import attach_errors
from opora.core.http import found_or_404
from opora.core.pages import page_of
from opora.enrollment.models import Child
from opora.errors import DomainError
from opora.events import gifted, ics, images, rules, selectors, services
from opora.events.exporters import InvolvementExporter
from opora.events.forms import (
    EventForm,
    MeasureForm,
    NominateForm,
    PeriodForm,
    RemarkForm,
    ResultForm,
    SessionFormSet,
)
from opora.events.models import (
    EventKind,
    EventLevel,
    EventStatus,
    GiftedStatus,
    Registration,
    RegistrationStatus,
    Result,
)
from opora.registry.choices import Direction
from opora.registry.models import Teacher

R = RegistrationStatus


# --- public --------------------------------------------------------------------------------


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def event_list(request):
    get = request.GET
    free = {"1": True, "0": False}.get(get.get("free", ""))
    events = selectors.public_events(
        q=get.get("q", "")[:200], kind=get.get("kind", ""), level=get.get("level", ""),
        direction=get.get("direction", ""), age=_int(get.get("age")),
        municipality=_int(get.get("municipality")), free=free)
    page = page_of(request, events, 20)
    from opora.registry.models import Municipality

    return render(request, "events/list.html", {
        "page": page, "events": page.object_list, "kinds": EventKind.objects.all(),
        "levels": EventLevel.choices, "directions": Direction.choices,
        "municipalities": Municipality.objects.order_by("name"), "filters": get})


def event_detail(request, pk):
    event = found_or_404(selectors.public_event, pk)
    sessions = list(event.sessions.all())
    children, may_register = [], False
    if scope.is_parent(request.user):
        children = list(Child.objects.filter(guardianships__parent=request.user,
                                             guardianships__confirmed_at__isnull=False).distinct())
        for child in children:
            child.registration = Registration.objects.filter(
                event=event, child=child, status__in=(R.NEW, R.WAITLISTED, R.CONFIRMED,
                                                      R.PARTICIPANT)).first()
            child.refusals = [] if child.registration else services.refusals(event, child)
        may_register = True
    taken = event.registrations.filter(status__in=(R.NEW, R.CONFIRMED, R.PARTICIPANT)).count()
    now = timezone.now()
    return render(request, "events/detail.html", {
        "event": event, "sessions": sessions, "children": children, "may_register": may_register,
        "free_places": max(event.capacity - taken, 0),
        "window_open": event.registration_from <= now <= event.registration_to
        and event.status == EventStatus.PUBLISHED,
        "registers_pupils": scope.holds(request.user, "events.register"),
        "nominations": list(event.nominations.all()),
        "age_categories": list(event.age_categories.all()),
        "stages": event.stages.filter(status=EventStatus.PUBLISHED).select_related("municipality"),
        "may_open_stage": request.user.is_authenticated and request.user.role == "support_centre"
        and event.level not in (EventLevel.SCHOOL, EventLevel.MUNICIPAL) and not event.stage_of_id})


def session_ics(request, pk):
    from opora.events.models import EventSession

    session = EventSession.objects.filter(pk=pk, event__status=EventStatus.PUBLISHED).select_related(
        "event").first()
    if session is None:
        raise Http404
    url = request.build_absolute_uri(f"/events/{session.event_id}/")
    response = HttpResponse(ics.calendar(session, url), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{session.event_id}-{pk}.ics"'
    return response


@login_required
@require_POST
def register(request, pk):
    event = found_or_404(selectors.public_event, pk)
    child = Child.objects.filter(pk=_int(request.POST.get("child")), guardianships__parent=request.user,
                                 guardianships__confirmed_at__isnull=False).first()
    if child is None:
        messages.error(request, _("Выберите ребёнка."))
        return redirect("events:detail", pk=pk)
    try:
        registration, created = services.register_child(
            request.user, event, child, nomination=request.POST.get("nomination") or None,
            age_category=request.POST.get("age_category") or None)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("events:detail", pk=pk)
    if registration.status == R.WAITLISTED:
        messages.warning(request, _("Мест нет: ребёнок в листе ожидания под номером %(n)s. Если место "
                                    "освободится, запись станет новой.") % {"n": registration.queue_number})
    elif created:
        messages.success(request, _("Ребёнок записан. Организатор подтвердит запись."))
    else:
        messages.info(request, _("Ребёнок уже записан на это мероприятие."))
    return redirect("events:cabinet")


def verify(request):
    code = rules.normalized_code(request.GET.get("code", ""))[:24]
    found = selectors.diploma_by_code(code) if code else None
    return render(request, "events/verify.html", {"code": code, "found": found,
                                                  "asked": "code" in request.GET})


def _verify_url(request, registration) -> str:
    return request.build_absolute_uri(reverse("events:verify")) + f"?code={registration.diploma_code}"


@login_required
def diploma(request, pk):
    registration = found_or_404(selectors.registration_for_diploma, request.user, pk)
    return render(request, "events/diploma.html", {
        "r": registration, "verify_url": _verify_url(request, registration), "pdf": pdf.available()})


DEGREES = {Result.WINNER: gettext_lazy("победителя"), Result.PRIZE_2: gettext_lazy("призёра (II место)"),
           Result.PRIZE_3: gettext_lazy("призёра (III место)")}


@login_required
def diploma_pdf(request, pk):
    """The diploma (or the certificate of participation) as an A4 PDF, the same text as
    the printable page."""
    registration = found_or_404(selectors.registration_for_diploma, request.user, pk)
    if not pdf.available():
        raise Http404
    event, participant = registration.event, registration.result == Result.PARTICIPANT
    details = [f"{event.get_level_display()} {_('уровень')}"]
    if registration.nomination:
        details.append(f"{_('Номинация')}: {registration.nomination.title}")
    if registration.age_category:
        details.append(f"{_('Возрастная категория')}: {registration.age_category.title}")
    title = _("Сертификат") if participant else _("Диплом")
    lines = [
        pdf.Line(event.organizer_name, 12, colour=pdf.GREY, space=8),
        pdf.Line(title.upper(), 40, bold=True, colour=pdf.GOLD, space=2),
        pdf.Line(str(DEGREES.get(registration.result, _("участника"))), 18, space=6),
        pdf.Line(_("выдан") if participant else _("награждается"), 14, space=4),
        pdf.Line(registration.child.full_name, 26, bold=True, space=8),
        pdf.Line(_("за участие в мероприятии") if participant
                 else _("за успешное выступление в мероприятии"), 14, space=2),
        pdf.Line(event.title, 16, bold=True, space=2),
        *(pdf.Line(text, 12, space=1) for text in details),
        pdf.Line(date_format(registration.result_at, "j E Y") if registration.result_at else "", 12,
                 colour=pdf.GREY),
    ]
    content = pdf.award_sheet(f"{title} · {event.title}", lines, [
        _("Подлинность можно проверить по коду %(code)s") % {"code": registration.diploma_code},
        _verify_url(request, registration)])
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="diploma-{registration.diploma_code}.pdf"'
    return response


# --- the parent's cabinet ----------------------------------------------------------------


@section_page("cabinet")
def cabinet(request):
    registrations = list(selectors.registrations_of_parent(request.user))
    records = (selectors.gifted_for(request.user).select_related("child", "mentor")
               .prefetch_related("achievements", "measures"))
    return render(request, "events/cabinet.html", {"registrations": registrations,
                                                   "records": records})


@section_page("cabinet")
@require_POST
def cabinet_cancel(request, pk):
    registration = Registration.objects.filter(pk=pk).first()
    if registration is None:
        raise Http404
    try:
        services.cancel_registration(request.user, registration)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Запись отменена."))
    return redirect("events:cabinet")


# --- the organizer ------------------------------------------------------------------------


@section_page("events")
def office_list(request):
    events = selectors.organized_by(request.user).order_by("-created_at", "-pk")
    page = page_of(request, events, 25)
    return render(request, "events/office/list.html", {"page": page, "events": page.object_list})


def _session_rows(formset):
    return [f for f in formset.forms if f.has_changed() and not f.errors]


def _event_form(request, event=None):
    initial = None
    session_initial = None
    if event is not None:
        initial = {name: getattr(event, name) for name in services.EVENT_FIELDS
                   if name not in ("poster", "regulations")}
        initial["registration_from"] = timezone.localtime(event.registration_from)
        initial["registration_to"] = timezone.localtime(event.registration_to)
        initial["nominations"] = "\n".join(event.nominations.values_list("title", flat=True))
        initial["age_categories"] = "\n".join(
            f"{c.title}; {c.age_from}; {c.age_to}" for c in event.age_categories.all())
        session_initial = [{"starts_at": timezone.localtime(s.starts_at),
                            "ends_at": timezone.localtime(s.ends_at), "place": s.place,
                            "online_url": s.online_url} for s in event.sessions.all()]
    form = EventForm(request.POST or None, request.FILES or None, initial=initial)
    formset = SessionFormSet(request.POST or None, prefix="sessions", initial=session_initial)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = dict(form.cleaned_data)
        nominations, categories = data.pop("nominations"), data.pop("age_categories")
        rows = _session_rows(formset)
        sessions = [row.cleaned_data for row in rows]
        try:
            if data.get("poster"):
                data["poster"] = images.resized_poster(data["poster"])
            else:
                data.pop("poster", None)
            if not data.get("regulations"):
                data.pop("regulations", None)
            if event is None:
                event = services.create_event(request.user, data, sessions=sessions,
                                              nominations=nominations, age_categories=categories)
                messages.success(request, _("Мероприятие сохранено как черновик. Отправьте его на "
                                            "модерацию, когда всё готово."))
            else:
                event = services.update_event(request.user, event, data, sessions=sessions,
                                              nominations=nominations, age_categories=categories)
                messages.success(request, _("Изменения сохранены."))
        except DomainError as error:
            attach_errors(form, error, {"sessions": (formset, rows)})
        else:
            return redirect("events:manage", pk=event.pk)
    return render(request, "events/office/form.html", {"form": form, "formset": formset, "event": event},
                  status=400 if request.method == "POST" else 200)


@section_page("events")
def event_create(request):
    return _event_form(request)


@section_page("events")
def event_edit(request, pk):
    event = found_or_404(selectors.event_for, request.user, pk)
    if not scope.can(request.user, "events.organize", event):
        raise PermissionDenied
    return _event_form(request, event)


@section_page("back_office")
def manage(request, pk):
    event = found_or_404(selectors.event_for, request.user, pk)
    organizer = scope.can(request.user, "events.organize", event)
    moderator = (event.status == EventStatus.MODERATING and (
        services._may_moderate(request.user, event)))
    registrations = list(selectors.registrations_of(event)) if organizer else []
    return render(request, "events/office/manage.html", {
        "event": event, "organizer": organizer, "moderator": moderator,
        "sessions": list(event.sessions.all()), "registrations": registrations,
        "nominations": list(event.nominations.all()),
        "results": ResultForm().fields["result"].choices,
        "remark_form": RemarkForm(), "timeline": audit.timeline(event)})


@section_page("back_office")
@require_POST
def event_action(request, pk, action):
    event = found_or_404(selectors.event_for, request.user, pk)
    try:
        if action == "submit":
            services.submit_event(request.user, event)
            messages.success(request, _("Мероприятие отправлено на модерацию."))
        elif action == "publish":
            services.publish_event(request.user, event)
            messages.success(request, _("Мероприятие опубликовано в навигаторе."))
        elif action == "return":
            services.return_event(request.user, event, request.POST.get("remark", ""))
            messages.success(request, _("Мероприятие возвращено организатору."))
        elif action == "archive":
            services.archive_event(request.user, event)
            messages.success(request, _("Мероприятие перенесено в архив."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("events:manage", pk=event.pk)


@login_required
@require_POST
def open_stage(request, pk):
    event = found_or_404(selectors.public_event, pk)
    try:
        stage = services.create_stage(request.user, event)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("events:detail", pk=pk)
    messages.success(request, _("Муниципальный этап создан. Проверьте даты и место и опубликуйте его."))
    return redirect("events:manage", pk=stage.pk)


@section_page("events")
@require_POST
def registration_action(request, pk, action):
    registration = found_or_404(selectors.registration_for_organizer, request.user, pk)
    actor, post = request.user, request.POST
    try:
        if action == "confirm":
            services.confirm_registration(actor, registration, post.get("comment", ""))
        elif action == "reject":
            services.reject_registration(actor, registration, post.get("reason", ""))
        elif action == "attend":
            services.mark_attendance(actor, registration)
        elif action == "result":
            services.set_result(actor, registration, post.get("result", ""))
        elif action == "nominate":
            services.nominate_to_next_stage(actor, registration)
            messages.success(request, _("Ребёнок выдвинут на следующий этап."))
        elif action == "cancel":
            services.cancel_registration(actor, registration)
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(f"{_manage_url(registration.event_id)}#registration-{registration.pk}")


def _manage_url(pk):
    from django.urls import reverse

    return reverse("events:manage", args=[pk])


@section_page("events")
def register_pupils(request, pk):
    event = found_or_404(selectors.public_event, pk)
    if not scope.holds(request.user, "events.register"):
        raise PermissionDenied
    pupils = list(selectors.pupils_of(request.user.organization_id).order_by("last_name", "first_name"))
    if request.method == "POST":
        chosen = [c for c in pupils if str(c.pk) in request.POST.getlist("children")]
        try:
            made = services.register_pupils(
                request.user, event, chosen, team_name=request.POST.get("team_name", ""),
                nomination=request.POST.get("nomination") or None,
                age_category=request.POST.get("age_category") or None)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            waiting = sum(1 for r in made if r.status == R.WAITLISTED)
            messages.success(request, _("Записано детей: %(n)s.") % {"n": len(made)}
                             + (" " + _("В листе ожидания: %(n)s.") % {"n": waiting} if waiting else ""))
            return redirect("events:detail", pk=pk)
    return render(request, "events/office/pupils.html", {
        "event": event, "pupils": pupils, "nominations": event.nominations.all(),
        "age_categories": event.age_categories.all()})


@section_page("events.moderate")
def moderation(request):
    return render(request, "events/office/moderation.html",
                  {"events": selectors.moderation_queue(request.user)})


@section_page("events.involvement")
def involvement(request):
    today = timezone.localdate()
    start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    form = PeriodForm(request.GET or None, initial={"date_from": start, "date_to": today})
    date_from, date_to = start, today
    if form.is_bound and form.is_valid():
        date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    by_event = selectors.involvement_by_event(request.user, date_from, date_to)
    by_municipality = selectors.involvement_by_municipality(request.user, date_from, date_to)
    export = request.GET.get("export")
    if export in ("events", "municipalities"):
        rows = by_event if export == "events" else by_municipality
        return InvolvementExporter(rows, per=export).response("xlsx")
    return render(request, "events/office/involvement.html", {
        "form": form, "by_event": by_event, "by_municipality": by_municipality,
        "total": selectors.involvement_total(request.user, date_from, date_to),
        "query": request.GET.urlencode()})


# --- the register of gifted children --------------------------------------------------------


@section_page("gifted")
def gifted_list(request):
    status = request.GET.get("status", "")
    records = selectors.gifted_for(request.user).select_related("child", "municipality", "mentor",
                                                                "proposed_by_organization")
    if status in GiftedStatus.values:
        records = records.filter(status=status)
    page = page_of(request, records.order_by("status", "-created_at", "-pk"), 25)
    return render(request, "events/gifted/list.html", {
        "page": page, "records": page.object_list, "status": status, "statuses": GiftedStatus.choices,
        "may_nominate": scope.holds(request.user, "gifted.nominate"),
        "proposed": selectors.gifted_for(request.user).filter(status=GiftedStatus.PROPOSED).count()})


@section_page("gifted")
def gifted_record(request, pk):
    record = found_or_404(selectors.gifted_record_for, request.user, pk)
    manage_ = scope.can(request.user, "gifted.manage", record)
    if request.method == "POST":
        if not manage_:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "confirm":
                gifted.confirm(request.user, record, request.POST.get("comment", ""))
                messages.success(request, _("Ребёнок включён в реестр."))
            elif action == "decline":
                gifted.decline(request.user, record, request.POST.get("comment", ""))
                messages.success(request, _("Предложение отклонено."))
            elif action == "measure":
                form = MeasureForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("Заполните меру поддержки и даты."))
                else:
                    gifted.add_measure(request.user, record, **form.cleaned_data)
                    messages.success(request, _("Мера поддержки добавлена."))
            elif action == "mentor":
                mentor = Teacher.objects.filter(pk=_int(request.POST.get("mentor"))).first()
                gifted.set_mentor(request.user, record, mentor)
                messages.success(request, _("Наставник сохранён."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("events:gifted_record", pk=pk)
    teachers = []
    if manage_:
        teachers = Teacher.objects.filter(organization__municipality_id=record.municipality_id
                                          ).select_related("organization").order_by("last_name")[:500]
    return render(request, "events/gifted/record.html", {
        "record": record, "manage": manage_, "measure_form": MeasureForm(),
        "achievements": record.achievements.all(), "measures": record.measures.all(),
        "teachers": teachers})


@section_page("gifted")
def gifted_nominate(request):
    if not scope.holds(request.user, "gifted.nominate"):
        raise PermissionDenied
    organization_id = request.user.organization_id
    pupils = list(selectors.pupils_of(organization_id).exclude(
        gifted_record__status=GiftedStatus.CONFIRMED).order_by("last_name", "first_name")[:1000])
    teachers = list(Teacher.objects.filter(organization_id=organization_id).order_by("last_name"))
    form = NominateForm(request.POST or None, pupils=pupils, teachers=teachers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        child = next(c for c in pupils if c.pk == data["child"])
        mentor = next((t for t in teachers if t.pk == data["mentor"]), None)
        try:
            record = gifted.nominate(request.user, child, direction=data["direction"],
                                     grounds=data["grounds"], mentor=mentor)
        except DomainError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Представление отправлено в МОЦ."))
            return redirect("events:gifted_record", pk=record.pk)
    return render(request, "events/gifted/nominate.html", {"form": form})


app_name = "events"
urlpatterns = [
    path("events/", event_list, name="list"),
    path("events/verify/", verify, name="verify"),
    path("events/<int:pk>/", event_detail, name="detail"),
    path("events/<int:pk>/register/", register, name="register"),
    path("events/<int:pk>/stage/", open_stage, name="open_stage"),
    path("events/sessions/<int:pk>/calendar.ics", session_ics, name="ics"),
    path("events/diplomas/<int:pk>/", diploma, name="diploma"),
    path("events/diplomas/<int:pk>/pdf/", diploma_pdf, name="diploma_pdf"),
    path("cabinet/events/", cabinet, name="cabinet"),
    path("cabinet/events/<int:pk>/cancel/", cabinet_cancel, name="cabinet_cancel"),
    path("office/events/", office_list, name="office"),
    path("office/events/new/", event_create, name="create"),
    path("office/events/moderation/", moderation, name="moderation"),
    path("office/events/involvement/", involvement, name="involvement"),
    path("office/events/<int:pk>/", manage, name="manage"),
    path("office/events/<int:pk>/edit/", event_edit, name="edit"),
    path("office/events/<int:pk>/pupils/", register_pupils, name="pupils"),
    path("office/events/<int:pk>/<slug:action>/", event_action, name="action"),
    path("office/events/registrations/<int:pk>/<slug:action>/", registration_action,
         name="registration_action"),
    path("office/gifted/", gifted_list, name="gifted"),
    path("office/gifted/nominate/", gifted_nominate, name="gifted_nominate"),
    path("office/gifted/<int:pk>/", gifted_record, name="gifted_record"),
]


