"""Pages of staff development under ``office/training/``: the calendar of events for
teachers and heads, an event (registration, attendance, protocol, materials), the new and
edit forms, the teachers' records with the three-year gap list and its export, a
teacher's record, the printable certificate of attendance, the plan of professional
development with its execution; a teacher's own page (the events open to them, their
registrations and record); the invitation link a teacher opens to set a password; and the
public check of a certificate's code."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit
from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.accounts.models import Role
from opora.core import pdf
from opora.core.forms import attach_errors
from opora.core.http import found_or_404
from opora.core.pages import page_of
from opora.errors import DomainError
from opora.plans.models import Audience
from opora.plans.models import Item as PlanItem
from opora.registry.models import Organization, Teacher
from opora.training import invitations, selectors, services
from opora.training.exporters import TeachersExporter
from opora.training.forms import (
    AcceptForm,
    CancelForm,
    EventForm,
    ExternalForm,
    InviteForm,
    MaterialForm,
    ProtocolForm,
)
from opora.training.kinds import PLAN_KIND
from opora.training.models import (
    EventStatus,
    ExternalTraining,
    Material,
    Organizer,
    Registration,
    RegistrationStatus,
    TrainingKind,
)

WHEN = {"upcoming": _("Предстоящие"), "past": _("Прошедшие"), "all": _("Все")}


@section_page("training")
def events(request):
    today = timezone.localdate()
    listed = selectors.with_seats(selectors.events_for(request.user))
    when = request.GET.get("when") if request.GET.get("when") in WHEN else "upcoming"
    if when == "upcoming":
        listed = listed.filter(ends_on__gte=today).order_by("starts_on", "pk")
    elif when == "past":
        listed = listed.filter(ends_on__lt=today).order_by("-starts_on", "-pk")
    kind = request.GET.get("kind", "")
    if kind:
        listed = listed.filter(kind__code=kind)
    return render(request, "training/events.html", {
        "page": page_of(request, listed), "when": when, "whens": WHEN, "kind": kind,
        "kinds": TrainingKind.objects.all(), "may_create": scope.holds(request.user, "training.manage"),
    })


def _plan_items(user, municipality_id):
    if municipality_id is None:
        return None
    return PlanItem.objects.filter(plan__kind__code=PLAN_KIND[0], plan__municipality_id=municipality_id
                                   ).select_related("plan").order_by("-plan__year", "position", "pk")


def _event_form(request, event=None):
    user = request.user
    organizations = None
    if user.role == Role.SUPPORT_CENTRE and (event is None or event.organizer != Organizer.RMC):
        organizations = Organization.objects.filter(municipality_id=user.municipality_id, is_active=True)
    municipality_id = event.municipality_id if event else (
        None if user.role == Role.REGIONAL_CENTRE or user.is_superuser
        else selectors._municipality_id(user))
    initial = {}
    if event is not None:
        initial = {name: getattr(event, name) for name in services.EVENT_FIELDS}
        initial["hours"] = str(event.hours).replace(".", ",").removesuffix(",0")
    return EventForm(request.POST or None, initial=initial, organizations=organizations,
                     plan_items=_plan_items(user, municipality_id))


def _save_event(request, form, event=None):
    data = {**form.cleaned_data}
    data["hours"] = form.data.get("hours", "")
    try:
        saved = services.save_event(request.user, data, event)
    except DomainError as error:
        attach_errors(form, error)
        return None
    return saved


@section_page("training")
def event_create(request):
    if not scope.holds(request.user, "training.manage"):
        raise PermissionDenied
    form = _event_form(request)
    if request.method == "POST" and form.is_valid():
        event = _save_event(request, form)
        if event is not None:
            messages.success(request, _("Мероприятие сохранено как черновик. Проверьте его и опубликуйте."))
            return redirect("training:event", pk=event.pk)
    return render(request, "training/event_form.html", {"form": form},
                  status=400 if form.errors else 200)


@section_page("training")
def event_edit(request, pk):
    event = found_or_404(selectors.event_for, request.user, pk)
    if not scope.can(request.user, "training.manage", event):
        raise PermissionDenied
    form = _event_form(request, event)
    if request.method == "POST" and form.is_valid() and _save_event(request, form, event) is not None:
        messages.success(request, _("Изменения сохранены."))
        return redirect("training:event", pk=event.pk)
    return render(request, "training/event_form.html", {"form": form, "event": event},
                  status=400 if form.errors else 200)


def _detail(request, event, **forms):
    user = request.user
    today = timezone.localdate()
    manages = scope.can(user, "training.manage", event)
    registrations = list(selectors.registrations_for(user, event))
    registered = {registration.teacher_id for registration in registrations
                  if registration.status != RegistrationStatus.CANCELLED}
    candidates = []
    refusal = services.registration_refusal(event, today)
    if scope.holds(user, "training.register") and refusal is None:
        candidates = [teacher for teacher in selectors.teachers_for(user)
                      if teacher.pk not in registered and (
                          event.municipality_id is None
                          or teacher.organization.municipality_id == event.municipality_id)]
    context = {
        "event": event, "manages": manages, "registrations": registrations,
        "candidates": candidates[:500], "refusal": refusal,
        "free": max(event.capacity - event.taken, 0),
        "may_register": scope.holds(user, "training.register"),
        "show_organization": scope.reads_territory(user),
        "may_mark": manages and event.status in (EventStatus.PUBLISHED, EventStatus.HELD)
        and event.starts_on <= today,
        "may_cancel_registration": refusal is None,
        "may_protocol": manages and event.kind.produces_protocol and event.starts_on <= today
        and event.status != EventStatus.CANCELLED,
        "materials": event.materials.all(),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "protocol_form": forms.get("protocol_form") or ProtocolForm(initial={"text": event.protocol_text}),
        "material_form": forms.get("material_form") or MaterialForm(),
        "events": audit.timeline(event) if manages else [],
    }
    return render(request, "training/event.html", context,
                  status=400 if any(form.errors for form in forms.values()) else 200)


@section_page("training")
def event_detail(request, pk):
    event = found_or_404(selectors.event_for, request.user, pk)
    if request.method != "POST":
        return _detail(request, event)
    user, action = request.user, request.POST.get("form", "")
    forms = {}
    try:
        if action == "publish":
            services.publish(user, event)
            messages.success(request, _("Мероприятие опубликовано: организации могут записывать педагогов."))
        elif action == "register":
            chosen = selectors.teachers_for(user).filter(pk__in=request.POST.getlist("teachers"))
            done = services.register(user, event, chosen)
            messages.success(request, _("Записано педагогов: %(n)d.") % {"n": len(done)})
        elif action == "unregister":
            registration = found_registration(user, event, request.POST.get("registration"))
            services.cancel_registration(user, registration)
            messages.success(request, _("Запись отменена, место освободилось."))
        elif action == "attendance":
            counts = services.mark_attendance(user, event, request.POST.getlist("present"))
            messages.success(request, _("Посещаемость отмечена: присутствовали %(attended)d, "
                                        "не явились %(absent)d.") % counts)
        elif action == "cancel":
            form = forms["cancel_form"] = CancelForm(request.POST)
            if form.is_valid():
                services.cancel_event(user, event, form.cleaned_data["reason"])
                messages.success(request, _("Мероприятие отменено."))
        elif action == "protocol":
            form = forms["protocol_form"] = ProtocolForm(request.POST, request.FILES)
            if form.is_valid():
                services.save_protocol(user, event, text=form.cleaned_data["text"],
                                       file=form.cleaned_data["file"])
                messages.success(request, _("Протокол сохранён."))
        elif action == "material":
            form = forms["material_form"] = MaterialForm(request.POST, request.FILES)
            if form.is_valid():
                services.add_material(user, event, title=form.cleaned_data["title"],
                                      file=form.cleaned_data["file"], url=form.cleaned_data["url"])
                messages.success(request, _("Материал добавлен."))
        else:
            raise Http404
    except DomainError as error:
        form = next(iter(forms.values()), None)
        if form is not None:
            attach_errors(form, error)
        else:
            messages.error(request, error.message)
            return redirect("training:event", pk=event.pk)
    if any(form.errors for form in forms.values()):
        return _detail(request, found_or_404(selectors.event_for, user, pk), **forms)
    return redirect("training:event", pk=event.pk)


def found_registration(user, event, pk) -> Registration:
    registration = selectors.registrations_for(user, event).filter(pk=pk if str(pk).isdigit() else None).first()
    if registration is None:
        raise Http404
    return registration


@section_page("training")
def material_file(request, pk):
    material = Material.objects.filter(pk=pk).exclude(file="").first()
    if material is None:
        raise Http404
    found_or_404(selectors.event_for, request.user, material.event_id)
    return FileResponse(material.file.open("rb"), as_attachment=True,
                        filename=material.file.name.rsplit("/", 1)[-1])


@section_page("training")
def protocol_file(request, pk):
    event = found_or_404(selectors.event_for, request.user, pk)
    if not event.protocol_file:
        raise Http404
    return FileResponse(event.protocol_file.open("rb"), as_attachment=True,
                        filename=event.protocol_file.name.rsplit("/", 1)[-1])


# --- teachers -------------------------------------------------------------------------


@section_page("training")
def teachers(request):
    today = timezone.localdate()
    working = selectors.teachers_for(request.user)
    gap = request.GET.get("gap") == "1"
    listed = selectors.with_hours(selectors.without_training(working, today) if gap else working, today)
    listed = listed.order_by("organization__short_name", "last_name", "first_name", "pk")
    export = request.GET.get("format")
    if export in ("xlsx", "csv"):
        return TeachersExporter(listed, gap=gap).response(export)
    page = page_of(request, listed)
    for teacher in page:
        teacher.last_on = selectors.last_on(teacher)
        teacher.hours_total = teacher.event_hours + teacher.external_hours
    return render(request, "training/teachers.html", {
        "page": page, "gap": gap, "indicators": selectors.indicators(working, today),
        "since": selectors.years_before(today, selectors.YEARS), "year": today.year,
    })


def _teacher_for(user, pk) -> Teacher:
    teacher = scope.territory(user, Teacher.objects.select_related("organization")).filter(pk=pk).first()
    if teacher is None:
        raise Http404(_("Педагог не найден."))
    return teacher


def _origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _invite(request, teacher):
    """The organization invites its teacher (or invites again): the form with its errors,
    or None when the letter went out."""
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitations.invite(request.user, teacher, form.cleaned_data["email"], _origin(request))
        except DomainError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Приглашение отправлено на %(email)s.") % form.cleaned_data)
            return None
    return form


@section_page("training")
def teacher_record(request, pk):
    teacher = _teacher_for(request.user, pk)
    may_record = scope.can(request.user, "training.record", teacher)
    may_invite = scope.can(request.user, "training.invite", teacher)
    form = ExternalForm(request.POST or None, request.FILES or None) if may_record else None
    invite_form = InviteForm() if may_invite else None
    if request.method == "POST" and request.POST.get("form") == "invite":
        if not may_invite:
            raise PermissionDenied
        invite_form = _invite(request, teacher)
        if invite_form is None:
            return redirect("training:teacher", pk=teacher.pk)
        form = ExternalForm() if may_record else None
    elif request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = {**form.cleaned_data, "hours": form.data.get("hours", "")}
            try:
                services.record_external(request.user, teacher, data, file=data.pop("file"))
            except DomainError as error:
                attach_errors(form, error)
            else:
                messages.success(request, _("Обучение записано."))
                return redirect("training:teacher", pk=teacher.pk)
    return render(request, "training/teacher.html", {
        "teacher": teacher, "record": selectors.record(teacher, timezone.localdate()), "form": form,
        "invite_form": invite_form,
        "invitation": invitations.invitation_state(teacher) if may_invite else None,
    }, status=400 if any(f is not None and f.errors for f in (form, invite_form)) else 200)


# --- a teacher's own pages --------------------------------------------------------------


@section_page("training.mine")
def mine(request):
    """The teacher's own page: the events open to them (registering themselves or
    withdrawing) and their record of professional development."""
    teacher = selectors.own_teacher(request.user)
    if teacher is None:
        raise PermissionDenied
    if request.method == "POST":
        try:
            if request.POST.get("form") == "enrol":
                event = selectors.events_open_to(teacher, timezone.localdate()).filter(
                    pk=_number(request.POST.get("event"))).first()
                if event is None:
                    raise Http404
                services.enrol_self(request.user, event)
                messages.success(request, _("Вы записаны на мероприятие «%(title)s».") % {"title": event.title})
            elif request.POST.get("form") == "withdraw":
                registration = teacher.training_registrations.filter(
                    pk=_number(request.POST.get("registration"))).first()
                if registration is None:
                    raise Http404
                services.cancel_registration(request.user, registration)
                messages.success(request, _("Запись отменена."))
            else:
                raise Http404
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("training:mine")
    today = timezone.localdate()
    mine_by_event = {registration.event_id: registration for registration in
                     teacher.training_registrations.exclude(status=RegistrationStatus.CANCELLED)}
    events = list(selectors.with_seats(selectors.events_open_to(teacher, today)))
    for event in events:
        event.free = max(event.capacity - event.taken, 0)
        event.mine = mine_by_event.get(event.pk)
        event.refusal = services.registration_refusal(event, today)
    return render(request, "training/mine.html", {
        "teacher": teacher, "events": events, "record": selectors.record(teacher, today),
        "audience": selectors.AUDIENCE_LABELS[selectors.audience_of(teacher)],
    })


def _number(value):
    return int(value) if str(value or "").isdigit() else None


def invitation(request, uidb64, token):
    """The link of the invitation letter: the teacher sets a password and is signed in."""
    try:
        account = invitations.invited_account(uidb64, token)
    except DomainError as error:
        return render(request, "training/invitation.html", {"error": error.message}, status=400)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = invitations.accept(uidb64, token, password=form.cleaned_data["password1"],
                                         consent=form.cleaned_data["consent"])
        except DomainError as error:
            errors = getattr(error, "errors", None) or {error.field or "__all__": [error.message]}
            error.errors = {"password1" if key == "password" else key: value for key, value in errors.items()}
            attach_errors(form, error)
        else:
            login(request, account, backend="opora.accounts.backends.UserBackend")
            messages.success(request, _("Учётная запись открыта. Здесь мероприятия, открытые для вас, "
                                        "и ваше повышение квалификации."))
            return redirect("training:mine")
    return render(request, "training/invitation.html", {"form": form, "account": account},
                  status=400 if form.errors else 200)


@section_page("training")
def external_file(request, pk):
    training = ExternalTraining.objects.filter(pk=pk).exclude(file="").first()
    if training is None:
        raise Http404
    _teacher_for(request.user, training.teacher_id)
    return FileResponse(training.file.open("rb"), as_attachment=True,
                        filename=training.file.name.rsplit("/", 1)[-1])


# --- certificates -----------------------------------------------------------------------


def _certificate_for(user, pk) -> Registration:
    """A certificate the user may open: of a teacher of their territory, of an event they
    organize, or their own (a teacher's account)."""
    registration = (Registration.objects.select_related("event__kind", "event__organization",
                                                        "event__municipality", "teacher__organization")
                    .filter(pk=pk, status=RegistrationStatus.ATTENDED).first())
    if registration is None or not (
            scope.territory(user, Registration.objects.filter(pk=pk)).exists()
            or scope.can(user, "training.manage", registration.event)
            or scope.can(user, "training.enrol_self", registration)):
        raise Http404(_("Сертификат не найден."))
    return registration


@section_page("training.certificate")
def certificate(request, pk):
    registration = _certificate_for(request.user, pk)
    return render(request, "training/certificate.html", {
        "registration": registration, "event": registration.event,
        "own": scope.can(request.user, "training.enrol_self", registration),
        "verify_url": request.build_absolute_uri(
            f"{_verify_path()}?code={registration.certificate_code}"),
        "pdf": pdf.available(),
    })


def _issuer(event) -> str:
    if event.organizer == "organization":
        return event.organization.full_name
    if event.organizer == "rmc":
        return _("Региональный модельный центр дополнительного образования детей")
    centre = _("Муниципальный опорный центр дополнительного образования детей")
    return f"{centre}, {event.municipality.name}" if event.municipality else centre


@section_page("training.certificate")
def certificate_pdf(request, pk):
    """The certificate of attendance as an A4 PDF, the same text as the printable page."""
    registration = _certificate_for(request.user, pk)
    if not pdf.available():
        raise Http404
    event, teacher = registration.event, registration.teacher
    dates = event.ends_on.strftime("%d.%m.%Y")
    if event.ends_on != event.starts_on:
        dates = f"{event.starts_on:%d.%m.%Y} – {dates}"
    hours = floatformat(event.hours, "-1")
    content = pdf.award_sheet(f"{_('Сертификат')} {registration.certificate_code}", [
        pdf.Line(_issuer(event), 12, colour=pdf.GREY, space=8),
        pdf.Line(_("СЕРТИФИКАТ"), 40, bold=True, colour=pdf.GOLD, space=4),
        pdf.Line(_("подтверждает, что"), 14, space=4),
        pdf.Line(teacher.full_name, 26, bold=True, space=4),
        pdf.Line(f"{teacher.position}, {teacher.organization.short_name}", 13, space=8),
        pdf.Line(_("принял(а) участие: %(kind)s") % {"kind": event.kind.title.lower()}, 14, space=2),
        pdf.Line(f"«{event.title}»", 16, bold=True, space=4),
        pdf.Line(_("%(dates)s, в объёме %(hours)s ч.") % {"dates": dates, "hours": hours}, 13),
    ], [f"{_('Код проверки')}: {registration.certificate_code}",
        f"{_('Проверить подлинность')}: "
        + request.build_absolute_uri(f"{_verify_path()}?code={registration.certificate_code}")])
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{registration.certificate_code}.pdf"'
    return response


def _verify_path():
    return reverse("training:verify")


def verify(request):
    """Anyone checks a certificate of attendance by its code: whose, which event, hours."""
    code = request.GET.get("code", "").strip().upper()
    found = None
    if code:
        found = (Registration.objects.select_related("event__kind", "teacher")
                 .filter(certificate_code=code, status=RegistrationStatus.ATTENDED).first())
    return render(request, "training/verify.html", {"code": code, "found": found})


# --- the plan ---------------------------------------------------------------------------


@section_page("training.plan")
def plan(request):
    plans = list(selectors.training_plans(request.user))
    chosen = None
    if plans:
        wanted = request.GET.get("plan")
        chosen = next((p for p in plans if str(p.pk) == wanted), plans[0])
    audience = _number(request.GET.get("audience"))
    audience = Audience(audience) if audience in {member.value for member in Audience} else None
    items = selectors.plan_items(chosen) if chosen else []
    if chosen and audience is not None:
        items = items.filter(audience__hasflag=audience)
    return render(request, "training/plan.html", {
        "plans": plans, "plan": chosen, "items": list(items), "audience": audience, "audiences": Audience,
        "may_create_plan": scope.holds(request.user, "plans.edit"),
    })


app_name = "training"
urlpatterns = [
    path("office/training/", events, name="events"),
    path("office/training/new/", event_create, name="event_create"),
    path("office/training/<int:pk>/", event_detail, name="event"),
    path("office/training/<int:pk>/edit/", event_edit, name="event_edit"),
    path("office/training/<int:pk>/protocol/", protocol_file, name="protocol"),
    path("office/training/materials/<int:pk>/", material_file, name="material"),
    path("office/training/teachers/", teachers, name="teachers"),
    path("office/training/teachers/<int:pk>/", teacher_record, name="teacher"),
    path("office/training/external/<int:pk>/", external_file, name="external_file"),
    path("office/training/certificates/<int:pk>/", certificate, name="certificate"),
    path("office/training/certificates/<int:pk>/pdf/", certificate_pdf, name="certificate_pdf"),
    path("office/training/plan/", plan, name="plan"),
    path("office/training/mine/", mine, name="mine"),
    path("training/invitation/<uidb64>/<token>/", invitation, name="invitation"),
    path("training/verify/", verify, name="verify"),
]
