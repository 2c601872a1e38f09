"""Reads of staff development shared by pages, the API and the exports: which events a user
sees, the registrations they see on one, each teacher's hours over three years and the
list of those without any, and the indicators of a territory."""

import datetime as dt

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from opora.accounts import scope
from opora.accounts.models import Role
from opora.errors import NotFound
from opora.monitoring import indicators as monitoring
from opora.monitoring.indicators import years_before
from opora.monitoring.models import Indicator
from opora.plans.models import Plan
from opora.plans.selectors import plans_for
from opora.registry.choices import QualificationCategory
from opora.registry.models import Teacher
from opora.training.kinds import PLAN_KIND
from opora.training.models import (
    AUDIENCE_FIELDS,
    SEATED,
    EventStatus,
    ExternalTraining,
    Registration,
    RegistrationStatus,
    TrainingEvent,
    audience_of,
)

AUDIENCE_LABELS = {"teachers": _("педагоги"), "heads": _("руководители"), "methodists": _("методисты")}
YEARS = 3  # the period a teacher's professional development is counted over
ZERO = Value(0, output_field=DecimalField(max_digits=7, decimal_places=1))


def _municipality_id(user) -> int | None:
    if user.role == Role.ORGANIZATION_STAFF and user.organization_id:
        return user.organization.municipality_id
    return user.municipality_id


def events_for(user):
    """Events a back-office user sees: the РМЦ every one; others those of their
    municipality and the regional ones, drafts only if they may manage them."""
    events = TrainingEvent.objects.select_related("kind", "organization", "municipality")
    if not scope.reads_back_office(user):
        return events.none()
    if not scope.reads_territory(user) or user.role != Role.REGIONAL_CENTRE and not user.is_superuser:
        municipality = _municipality_id(user)
        events = events.filter(Q(municipality_id=municipality) | Q(municipality__isnull=True))
        managed = scope.actionable(user, "training.manage", TrainingEvent.objects.all())
        events = events.filter(~Q(status=EventStatus.DRAFT) | Q(pk__in=managed.values("pk")))
    return events


def own_teacher(user) -> Teacher | None:
    """The teacher whose own account ``user`` is (the role «Педагог»), or None."""
    if not scope.holds(user, "training.enrol_self"):
        return None
    return Teacher.objects.select_related("organization__municipality").filter(pk=user.teacher_id).first()


def events_open_to(teacher: Teacher, today: dt.date):
    """Published events not yet over that are for the teacher's audience: the regional
    ones and those of the teacher's municipality, soonest first."""
    return (TrainingEvent.objects.select_related("kind", "organization", "municipality")
            .filter(status=EventStatus.PUBLISHED, ends_on__gte=today,
                    **{AUDIENCE_FIELDS[audience_of(teacher)]: True})
            .filter(Q(municipality__isnull=True) | Q(municipality_id=teacher.organization.municipality_id))
            .order_by("starts_on", "pk"))


def with_seats(events):
    return events.annotate(taken=Count("registrations", filter=Q(registrations__status__in=SEATED)))


def event_for(user, pk) -> TrainingEvent:
    event = with_seats(events_for(user)).filter(pk=pk).first()
    if event is None:
        raise NotFound("Мероприятие не найдено.")
    return event


def registrations_for(user, event: TrainingEvent):
    """The organizer sees every registration of its event; others the registrations of
    their own teachers (an organization) or municipality (the МОЦ)."""
    registrations = event.registrations.select_related("teacher__organization")
    if scope.can(user, "training.manage", event):
        return registrations
    return scope.territory(user, registrations)


def teachers_for(user):
    """Working teachers of the user's territory: an organization's own, a municipality's,
    the region's."""
    return scope.territory(user, Teacher.objects.filter(is_active=True, organization__is_active=True)
                           .select_related("organization"))


def _attended(since: dt.date, until: dt.date, teacher="pk"):
    return Registration.objects.filter(teacher=OuterRef(teacher), status=RegistrationStatus.ATTENDED,
                                       event__ends_on__gte=since, event__ends_on__lte=until)


def _external(since: dt.date, until: dt.date, teacher="pk"):
    return ExternalTraining.objects.filter(teacher=OuterRef(teacher), finished_on__gte=since,
                                           finished_on__lte=until)


def _sum(queryset, field):
    return Coalesce(Subquery(queryset.order_by().values("teacher").annotate(s=Sum(field)).values("s")),
                    ZERO)


def with_hours(teachers, today: dt.date):
    """Each teacher with ``hours`` (attended events and courses elsewhere that ended in the
    last three years up to ``today``), ``last_event_on`` and ``last_external_on`` (the
    latest ever) — one query whatever the number of teachers."""
    since = years_before(today, YEARS)
    attended_ever = Registration.objects.filter(teacher=OuterRef("pk"), status=RegistrationStatus.ATTENDED)
    external_ever = ExternalTraining.objects.filter(teacher=OuterRef("pk"))
    return teachers.annotate(
        event_hours=_sum(_attended(since, today), "event__hours"),
        external_hours=_sum(_external(since, today), "hours"),
        last_event_on=Subquery(attended_ever.order_by().values("teacher")
                               .annotate(m=Max("event__ends_on")).values("m")),
        last_external_on=Subquery(external_ever.order_by().values("teacher")
                                  .annotate(m=Max("finished_on")).values("m")),
    )


def without_training(teachers, today: dt.date):
    """Teachers with no event attended and no course elsewhere in the last three years."""
    since = years_before(today, YEARS)
    return teachers.exclude(Exists(_attended(since, today))).exclude(Exists(_external(since, today)))


def last_on(teacher) -> dt.date | None:
    dates = [day for day in (teacher.last_event_on, teacher.last_external_on) if day]
    return max(dates) if dates else None


def record(teacher: Teacher, today: dt.date) -> dict:
    """A teacher's record: attended events and courses elsewhere, newest first, with the
    hours of the last three years and the last date."""
    since = years_before(today, YEARS)
    attended = list(teacher.training_registrations.filter(status=RegistrationStatus.ATTENDED)
                    .select_related("event__kind").order_by("-event__ends_on"))
    external = list(teacher.external_trainings.all())
    hours = (sum((r.event.hours for r in attended if since <= r.event.ends_on <= today), start=0)
             + sum((e.hours for e in external if since <= e.finished_on <= today), start=0))
    dates = [r.event.ends_on for r in attended] + [e.finished_on for e in external]
    upcoming = list(teacher.training_registrations.filter(status=RegistrationStatus.REGISTERED)
                    .select_related("event__kind").order_by("event__starts_on"))
    return {"attended": attended, "external": external, "upcoming": upcoming, "hours": hours,
            "last_on": max(dates) if dates else None, "since": since}


def indicators(teachers, today: dt.date) -> dict:
    """The staff indicators of the given working teachers: the share with the first or
    highest category (as the monitoring counts it) and the share trained this calendar
    year (an event attended or a course elsewhere finished since 1 January)."""
    counts = teachers.aggregate(
        total=Count("pk"),
        categorised=Count("pk", filter=Q(category__in=(QualificationCategory.FIRST,
                                                       QualificationCategory.HIGHEST))),
        trained=Count("pk", filter=_trained_this_year(today)),
    )
    gap = without_training(teachers, today).count()

    def percent(numerator, denominator):
        return round(100 * numerator / denominator, 1) if denominator else None

    return {
        "total": counts["total"], "trained": counts["trained"], "gap": gap,
        "trained_share": percent(counts["trained"], counts["total"]),
        "categorised": counts["categorised"],
        "category_share": percent(counts["categorised"], counts["total"]),
    }


def _trained_this_year(day: dt.date) -> Q:
    """An event attended or a course elsewhere finished between 1 January and ``day``."""
    start = dt.date(day.year, 1, 1)
    return Q(Exists(_attended(start, day))) | Q(Exists(_external(start, day)))


@monitoring.register(Indicator.TEACHERS_TRAINED)
def trained_share(day: dt.date, municipality_id: int | None = None) -> tuple[int, int]:
    """The monitoring's figure: (teachers trained this year up to ``day``, teachers working
    at the territory's active providers). The registry keeps no history of teachers, so
    the denominator is today's teachers, as for the monitoring's other staff figures."""
    working = Teacher.objects.filter(is_active=True, organization__is_active=True)
    if municipality_id is not None:
        working = working.filter(organization__municipality_id=municipality_id)
    counts = working.aggregate(total=Count("pk"), trained=Count("pk", filter=_trained_this_year(day)))
    return counts["trained"], counts["total"]


def training_plans(user):
    """The plans of professional development (a plan kind of ``opora.plans``) the user sees."""
    return plans_for(user).filter(kind__code=PLAN_KIND[0]).select_related("municipality", "kind")


def plan_items(plan: Plan):
    return plan.items.select_related("section").prefetch_related("training_events__kind").annotate(
        attended=Count("training_events__registrations",
                       filter=Q(training_events__registrations__status=RegistrationStatus.ATTENDED)))
