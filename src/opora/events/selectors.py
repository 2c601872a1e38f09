"""Read-side queries of events and of the register of gifted children, shared by pages,
the API and reports."""

import datetime as dt

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q
from django.utils import timezone

from opora.accounts import scope
from opora.accounts.models import Role
from opora.enrollment.models import Application, ApplicationStatus, Child, Guardianship
from opora.errors import NotFound
from opora.events.models import (
    PLACE_HOLDING,
    Event,
    EventSession,
    EventStatus,
    GiftedRecord,
    GiftedStatus,
    Registration,
    RegistrationStatus,
)

R = RegistrationStatus


def pupils_of(organization_id):
    """Children studying in the organization's groups now."""
    return Child.objects.filter(pk__in=Application.objects.filter(
        group__module__program__organization_id=organization_id,
        status=ApplicationStatus.ENROLLED).values("child_id"))


def with_places(events):
    taken = Count("registrations", filter=Q(registrations__status__in=PLACE_HOLDING))
    return events.annotate(
        taken=taken, free_places=F("capacity") - taken,
        waiting=Count("registrations", filter=Q(registrations__status=R.WAITLISTED)))


# --- the public list -------------------------------------------------------------------


def public_events(*, q="", kind="", level="", direction="", age=None, municipality=None,
                  free=None, upcoming=True, now=None):
    """Published events, filtered; by default those whose last session is still ahead."""
    now = now or timezone.now()
    events = Event.objects.filter(status=EventStatus.PUBLISHED)
    if upcoming:
        events = events.filter(Exists(EventSession.objects.filter(event=OuterRef("pk"),
                                                                  ends_at__gte=now)))
    for word in (q or "").lower().split()[:8]:
        events = events.filter(search_text__contains=word)
    if kind:
        events = events.filter(kind__code=kind)
    if level:
        events = events.filter(level=level)
    if direction:
        events = events.filter(direction=direction)
    if age is not None:
        events = events.filter(age_from__lte=age, age_to__gte=age)
    if municipality:
        events = events.filter(Q(municipality_id=municipality) | Q(municipality__isnull=True))
    if free is not None:
        events = events.filter(is_free=free)
    first = EventSession.objects.order_by("starts_at")
    return (with_places(events).select_related("kind", "organization", "municipality")
            .prefetch_related(Prefetch("sessions", queryset=first))
            .order_by("registration_to", "pk"))


# An event's public page shows it in these statuses (an archived one stays readable).
ON_PUBLIC_PAGE = (EventStatus.PUBLISHED, EventStatus.ARCHIVE)


def public_event(pk) -> Event:
    event = (Event.objects.filter(status__in=ON_PUBLIC_PAGE, pk=pk)
             .select_related("kind", "organization", "municipality", "stage_of").first())
    if event is None:
        raise NotFound("Мероприятие не найдено.")
    return event


# --- the back office -------------------------------------------------------------------


def organized_by(user):
    """The events a user organizes: a provider its own, a МОЦ its municipality's, the РМЦ
    every event."""
    return with_places(scope.actionable(user, "events.organize", Event.objects.all())
                       ).select_related("kind", "organization", "municipality")


def moderation_queue(user):
    events = scope.actionable(user, "events.moderate", Event.objects.filter(
        status=EventStatus.MODERATING))
    if user.role == Role.SUPPORT_CENTRE:
        events = events.exclude(municipality__isnull=True)
    return events.select_related("kind", "organization", "municipality").order_by("updated_at")


def event_for(user, pk) -> Event:
    """An event the user organizes or moderates, else NotFound."""
    event = (Event.objects.filter(pk=pk).select_related("kind", "organization", "municipality",
                                                        "stage_of").first())
    if event is None or not (scope.can(user, "events.organize", event)
                             or (event.status != EventStatus.INITIAL
                                 and scope.can(user, "events.moderate", event))
                             or (event.municipality_id is None and event.status != EventStatus.INITIAL
                                 and scope.holds_region(user, "events.moderate"))):
        raise NotFound("Мероприятие не найдено.")
    return event


def openable(user, events):
    """Of ``events``, those whose page ``user`` may open: the public page of a published or
    archived event (anyone), the back-office page of any other when ``event_for`` would
    find it (its organizer; its moderator once it left the draft)."""
    organized = scope.actionable(user, "events.organize", Event.objects.all()).values("pk")
    moderated = scope.actionable(user, "events.moderate",
                                 Event.objects.exclude(status=EventStatus.INITIAL)).values("pk")
    allowed = Q(status__in=ON_PUBLIC_PAGE) | Q(pk__in=organized) | Q(pk__in=moderated)
    if scope.holds_region(user, "events.moderate"):
        allowed |= Q(municipality__isnull=True) & ~Q(status=EventStatus.INITIAL)
    return events.filter(allowed)


def held_between(user, municipality_id, date_from: dt.date, date_to: dt.date):
    """The events of a municipality (its МОЦ's, its providers' and the municipal stages it
    runs) with a session between the two dates (inclusive, local time) whose page ``user``
    may open, with ``held_from`` and ``held_to``: the start of the first session and the
    end of the last, earliest first."""
    start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
    sessions = EventSession.objects.filter(event=OuterRef("pk"), starts_at__lt=end, ends_at__gte=start)
    events = Event.objects.filter(Exists(sessions), municipality_id=municipality_id)
    return (openable(user, events).annotate(held_from=Min("sessions__starts_at"),
                                            held_to=Max("sessions__ends_at"))
            .order_by("held_from", "pk"))


def registrations_of(event):
    return (event.registrations.select_related("child", "nomination", "age_category", "team",
                                               "organization")
            .order_by("status", "queue_number", "created_at", "pk"))


def registration_for_organizer(user, pk) -> Registration:
    registration = Registration.objects.filter(pk=pk).select_related("event", "child").first()
    if registration is None or not scope.can(user, "events.organize", registration.event):
        raise NotFound("Запись не найдена.")
    return registration


def registrations_of_parent(parent):
    children = Guardianship.objects.filter(parent=parent, confirmed_at__isnull=False).values("child_id")
    return (Registration.objects.filter(child_id__in=children)
            .select_related("event", "event__kind", "child", "nomination")
            .order_by("-created_at", "-pk"))


def registration_for_diploma(user, pk) -> Registration:
    """The registration whose diploma ``user`` may open: the child's guardian, the event's
    organizer, the provider who registered the child."""
    registration = (Registration.objects.filter(pk=pk).exclude(diploma_code=None)
                    .select_related("event", "event__kind", "event__organization",
                                    "event__municipality", "child", "nomination",
                                    "age_category").first())
    if registration is None:
        raise NotFound("Диплом не найден.")
    allowed = (
        Guardianship.objects.filter(parent=user, child_id=registration.child_id,
                                    confirmed_at__isnull=False).exists()
        or scope.can(user, "events.organize", registration.event)
        or (registration.organization_id is not None
            and scope.can(user, "events.register", registration.organization)))
    if not allowed:
        raise NotFound("Диплом не найден.")
    return registration


def diploma_by_code(code: str) -> Registration | None:
    if not code:
        return None
    return (Registration.objects.filter(diploma_code=code)
            .select_related("event", "event__kind", "child", "nomination").first())


# --- involvement -----------------------------------------------------------------------

FLAGS = (("rural", "child__is_rural"), ("ovz", "child__has_ovz"),
         ("difficult", "child__difficult_situation"))


def _shares(row: dict) -> dict:
    total = row["total"]
    for name, _path in FLAGS:
        row[f"{name}_share"] = round(100 * row[name] / total, 1) if total else None
    return row


def _counts(participants, *group_by) -> list[dict]:
    aggregates = {"total": Count("child", distinct=True)}
    for name, path in FLAGS:
        aggregates[name] = Count("child", distinct=True, filter=Q(**{path: True}))
    return [_shares(row) for row in participants.values(*group_by).annotate(**aggregates)
            .order_by(*group_by)]


def _participants(date_from: dt.date, date_to: dt.date):
    """Registrations of children who took part in an event held (a session began) in the
    period."""
    held = EventSession.objects.filter(event=OuterRef("event_id"), starts_at__date__gte=date_from,
                                       starts_at__date__lte=date_to)
    return Registration.objects.filter(Exists(held), status=R.PARTICIPANT)


def involvement_by_event(user, date_from, date_to) -> list[dict]:
    """Per event of the user's territory held in the period: children who took part and
    the shares of the rural, those with ОВЗ and those in a difficult life situation."""
    events = scope.visible(user, Event.objects.all()) if not scope.reads_territory(user) else (
        Event.objects.all() if user.role == Role.REGIONAL_CENTRE or user.is_superuser
        else Event.objects.filter(Q(municipality_id=user.municipality_id)
                                  | Q(registrations__child__municipality_id=user.municipality_id)
                                  ).distinct())
    rows = _counts(_participants(date_from, date_to).filter(event__in=events.values("pk")),
                   "event_id", "event__title", "event__level")
    return rows


def involvement_by_municipality(user, date_from, date_to) -> list[dict]:
    """Per municipality of the children's residence: distinct children who took part in an
    event held in the period, and the shares. A МОЦ and the authority see their own."""
    participants = _participants(date_from, date_to)
    if not (user.role == Role.REGIONAL_CENTRE or user.is_superuser):
        participants = participants.filter(child__municipality_id=user.municipality_id)
    return _counts(participants, "child__municipality_id", "child__municipality__name")


def involvement_total(user, date_from, date_to) -> dict:
    participants = _participants(date_from, date_to)
    if not (user.role == Role.REGIONAL_CENTRE or user.is_superuser):
        participants = participants.filter(child__municipality_id=user.municipality_id)
    aggregates = {"total": Count("child", distinct=True)}
    for name, path in FLAGS:
        aggregates[name] = Count("child", distinct=True, filter=Q(**{path: True}))
    return _shares(participants.aggregate(**aggregates))


# --- the register of gifted children ---------------------------------------------------


def gifted_for(user):
    """Records a user may read: the МОЦ of the child's municipality, the РМЦ, a provider
    its pupils' records (and those it proposed), a parent their children's. Nobody else."""
    records = GiftedRecord.objects.all()
    if user is None or not user.is_authenticated or not user.is_active:
        return records.none()
    if user.is_superuser or user.role == Role.REGIONAL_CENTRE:
        return records
    if user.role == Role.SUPPORT_CENTRE and user.municipality_id:
        return records.filter(municipality_id=user.municipality_id)
    if user.role == Role.ORGANIZATION_STAFF and user.organization_id:
        return records.filter(Q(child__in=pupils_of(user.organization_id))
                              | Q(proposed_by_organization_id=user.organization_id))
    if scope.is_parent(user):
        return records.filter(child__in=Guardianship.objects.filter(
            parent=user, confirmed_at__isnull=False).values("child_id"))
    return records.none()


def gifted_record_for(user, pk) -> GiftedRecord:
    record = (gifted_for(user).filter(pk=pk)
              .select_related("child", "municipality", "mentor", "proposed_by_organization")
              .first())
    if record is None:
        raise NotFound("Запись реестра не найдена.")
    return record


def gifted_count(day: dt.date, municipality_id: int | None = None) -> int:
    """Children 5–17 on ``day`` (turning 5 on the day counts, turning 18 does not) in the
    register on that day (confirmed on or before it), of the municipality or the region:
    the numerator of the monitoring's indicator «доля одарённых детей» (target 1 % of
    children 5–17 by 2030)."""
    records = GiftedRecord.objects.filter(status=GiftedStatus.CONFIRMED, decided_at__date__lte=day,
                                          child__birth_date__lte=_years_before(day, 5),
                                          child__birth_date__gt=_years_before(day, 18))
    if municipality_id is not None:
        records = records.filter(municipality_id=municipality_id)
    return records.count()


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
