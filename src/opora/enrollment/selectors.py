"""Read-side queries of enrolment shared by the cabinet, the back office and the API.

Who sees what:

- a parent: the children they are a guardian of, and those children's applications
  (``children_of``, ``applications_of``);
- organization staff: applications to their organization's groups and the children
  who filed them; МОЦ operators and education authorities: the applications to the
  groups of their municipality and the children who live there; the РМЦ: all
  (``visible_children``, ``visible_applications``).

Lookups by id for one user (``child_for``, ``application_for``) answer NotFound for
rows outside that user's view, so ids cannot be probed.
"""

import difflib
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from opora.accounts import scope
from opora.accounts.models import Role
from opora.enrollment import rules
from opora.enrollment.models import (
    LIVE,
    SEAT_HOLDING,
    Application,
    ApplicationStatus,
    Child,
    DistinctChildren,
    EnrolmentSettings,
    Guardianship,
)
from opora.errors import NotFound
from opora.registry.choices import ProgramStatus
from opora.registry.models import Group, ScheduleLine

APPLICATION_RELATED = ("child", "group__module__program__organization")


def _is_parent(user) -> bool:
    return (user is not None and user.is_authenticated and user.is_active
            and user.role == Role.PARENT and not user.is_superuser)


def is_guardian(user, child) -> bool:
    return (_is_parent(user)
            and Guardianship.objects.filter(parent=user, child_id=child.pk,
                                            confirmed_at__isnull=False).exists())


# --- children ------------------------------------------------------------------------


def children_of(parent):
    if not _is_parent(parent):
        return Child.objects.none()
    return Child.objects.filter(guardianships__parent=parent,
                                guardianships__confirmed_at__isnull=False)


def visible_children(user):
    """Children a user may read (see the module docstring)."""
    if _is_parent(user):
        return children_of(user)
    if user is not None and user.is_authenticated and user.role == Role.ORGANIZATION_STAFF \
            and not user.is_superuser:
        if not user.is_active or user.organization_id is None:
            return Child.objects.none()
        applied = Application.objects.filter(
            group__module__program__organization_id=user.organization_id,
            status__in=[*LIVE, ApplicationStatus.EXPELLED, ApplicationStatus.COMPLETED])
        return Child.objects.filter(pk__in=applied.values("child_id"))
    return scope.visible(user, Child.objects.all())


def child_for(user, child_uuid) -> Child:
    child = visible_children(user).filter(uuid=child_uuid).first()
    if child is None:
        raise NotFound(_("Ребёнок не найден."))
    return child


# --- applications and positions ------------------------------------------------------


def _position_subquery():
    ahead = Application.objects.filter(group_id=OuterRef("group_id"),
                                       status=ApplicationStatus.WAITLISTED,
                                       queue_number__lte=OuterRef("queue_number"))
    return Subquery(ahead.order_by().values("group_id").annotate(n=Count("pk")).values("n"),
                    output_field=IntegerField())


def with_positions(queryset):
    """Annotate ``position``: the rank of a waitlisted application among the waitlisted
    applications of its group (1 is next in line); None for the others. No stored
    position is ever renumbered."""
    from django.db.models import Case, When

    return queryset.annotate(position=Case(
        When(status=ApplicationStatus.WAITLISTED, then=_position_subquery()),
        default=Value(None), output_field=IntegerField()))


def position_of(application: Application) -> int | None:
    if application.status != ApplicationStatus.WAITLISTED:
        return None
    return Application.objects.filter(group_id=application.group_id,
                                      status=ApplicationStatus.WAITLISTED,
                                      queue_number__lte=application.queue_number).count()


def applications_of(parent):
    """A parent's applications, newest first, with child, group, program, organization
    and position in one query."""
    if not _is_parent(parent):
        return Application.objects.none()
    return with_positions(Application.objects.filter(
        child__guardianships__parent=parent, child__guardianships__confirmed_at__isnull=False)
                          .select_related(*APPLICATION_RELATED))


def visible_applications(user, *, status=None, group=None, program=None, search=""):
    """Applications a back-office user may read, with filters and positions, in one query
    (parents: their own). ``search`` matches words of the child's full name, whatever
    their case and ё."""
    if _is_parent(user):
        queryset = applications_of(user)
    else:
        queryset = with_positions(scope.visible(user, Application.objects.all())
                                  .select_related(*APPLICATION_RELATED))
    if status:
        queryset = queryset.filter(status__in=[status] if isinstance(status, str) else status)
    if group is not None:
        queryset = queryset.filter(group=group)
    if program is not None:
        queryset = queryset.filter(group__module__program=program)
    for word in rules.normalize_name(search).split():
        # the identity key is already case-folded with ё = е, on SQLite as on PostgreSQL
        queryset = queryset.filter(child__identity_key__contains=word)
    return queryset


def application_for(user, application_uuid) -> Application:
    application = visible_applications(user).filter(uuid=application_uuid).first()
    if application is None:
        raise NotFound(_("Заявка не найдена."))
    return application


# --- seats ---------------------------------------------------------------------------


def with_seats(groups):
    """Annotate groups with ``seats_taken`` (applications holding a seat), ``waitlisted``
    and ``free_seats`` (never below zero when the capacity was lowered)."""
    from django.db.models import F
    from django.db.models.functions import Greatest

    def count(statuses):
        rows = (Application.objects.filter(group_id=OuterRef("pk"), status__in=statuses)
                .order_by().values("group_id").annotate(n=Count("pk")).values("n"))
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    return groups.annotate(seats_taken=count(SEAT_HOLDING),
                           waitlisted=count([ApplicationStatus.WAITLISTED])).annotate(
        free_seats=Greatest(F("capacity_max") - F("seats_taken"), 0))


def seats_of(group: Group):
    return with_seats(Group.objects.filter(pk=group.pk)).values(
        "capacity_max", "seats_taken", "waitlisted", "free_seats").get()


# --- eligibility ---------------------------------------------------------------------


def group_facts(group_id) -> rules.GroupFacts:
    """What the gates need about a group, in one query."""
    row = (Group.objects.filter(pk=group_id)
           .annotate(has_schedule=Exists(ScheduleLine.objects.filter(group_id=OuterRef("pk"))))
           .values("module__program__status", "module__program__organization__is_active",
                   "is_active", "enrolment_open", "enrolment_from", "enrolment_to",
                   "start_date", "end_date", "age_min", "age_max", "has_schedule")
           .get())
    return rules.GroupFacts(
        program_published=row["module__program__status"] == ProgramStatus.PUBLISHED,
        organization_active=row["module__program__organization__is_active"],
        is_active=row["is_active"], enrolment_open=row["enrolment_open"],
        enrolment_from=row["enrolment_from"], enrolment_to=row["enrolment_to"],
        start_date=row["start_date"], end_date=row["end_date"], age_min=row["age_min"],
        age_max=row["age_max"], has_schedule=row["has_schedule"])


def live_limit(municipality_id) -> int | None:
    return (EnrolmentSettings.objects.filter(municipality_id=municipality_id)
            .values_list("max_live_applications", flat=True).first())


def eligibility(child: Child, group: Group, *, now=None) -> list[rules.Refusal]:
    """Every reason ``child`` cannot apply to ``group`` now (empty: the button may show)."""
    from django.conf import settings

    now = now or timezone.now()
    limit = live_limit(child.municipality_id)
    live = Application.objects.filter(child=child, status__in=LIVE)
    return rules.refusals(
        group_facts(group.pk), child.birth_date, now=now, today=timezone.localdate(now),
        age_reference=getattr(settings, "OPORA_AGE_REFERENCE", "group_start"),
        has_live_application=live.filter(group=group).exists(),
        live_applications=live.count() if limit is not None else 0, live_limit=limit)


# --- suspected duplicates ------------------------------------------------------------

NEAR_SIMILARITY_PG = 0.5  # pg_trgm similarity of the normalized full names
NEAR_RATIO_SQLITE = 0.8   # difflib ratio of the same strings


@dataclass(frozen=True)
class DuplicatePair:
    first: Child
    second: Child
    same_identity: bool  # same normalized name and birth date (else: a near match)
    similarity: float


def _name_of_key(key: str) -> str:
    return " ".join(part for part in key.split("|")[:3] if part)


def _has_trigram() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def _candidate_pairs(children) -> list[tuple[int, int, float]]:
    """(first id, second id, similarity) of children born on the same day with the same
    or a similar normalized name."""
    if children.query.is_empty():
        return []
    if connection.vendor == "postgresql" and _has_trigram():
        sql, params = (children.order_by().values("id", "birth_date", "identity_key")
                       .query.sql_with_params())
        name = ("split_part({k}, '|', 1) || ' ' || split_part({k}, '|', 2) || ' ' "
                "|| split_part({k}, '|', 3)")
        a_name, b_name = name.format(k="a.identity_key"), name.format(k="b.identity_key")
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH c AS ({sql}) SELECT a.id, b.id, "
                f"CASE WHEN a.identity_key = b.identity_key THEN 1.0 "
                f"ELSE similarity({a_name}, {b_name}) END AS s "
                f"FROM c a JOIN c b ON a.birth_date = b.birth_date AND a.id < b.id "
                f"WHERE a.identity_key = b.identity_key OR similarity({a_name}, {b_name}) >= %s "
                f"ORDER BY s DESC, a.id, b.id",
                [*params, NEAR_SIMILARITY_PG])
            return [(a, b, float(s)) for a, b, s in cursor.fetchall()]
    shared_dates = (children.values("birth_date").annotate(n=Count("pk")).filter(n__gt=1)
                    .values("birth_date"))
    rows = list(children.filter(birth_date__in=shared_dates)
                .order_by("birth_date", "pk").values_list("pk", "birth_date", "identity_key"))
    pairs = []
    for i, (a, a_date, a_key) in enumerate(rows):
        for b, b_date, b_key in rows[i + 1:]:
            if b_date != a_date:
                break
            ratio = 1.0 if a_key == b_key else difflib.SequenceMatcher(
                None, _name_of_key(a_key), _name_of_key(b_key)).ratio()
            if ratio >= NEAR_RATIO_SQLITE:
                pairs.append((a, b, ratio))
    return sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))


def suspected_duplicates(user, limit: int = 200) -> list[DuplicatePair]:
    """Pairs of children the user's МОЦ may merge that look like one child: the same
    normalized name and birth date (so their СНИЛС differ, or one was entered before
    the other could be found), or a similar name with the same birth date. Pairs the
    МОЦ marked as different people are left out. Most similar first."""
    children = scope.actionable(user, "enrollment.merge_children", Child.objects.all())
    pairs = _candidate_pairs(children)
    if not pairs:
        return []
    decided = set(DistinctChildren.objects.filter(
        first_id__in={a for a, _b, _s in pairs}).values_list("first_id", "second_id"))
    pairs = [p for p in pairs if (p[0], p[1]) not in decided][:limit]
    by_id = Child.objects.in_bulk({i for a, b, _s in pairs for i in (a, b)})
    return [DuplicatePair(by_id[a], by_id[b], by_id[a].identity_key == by_id[b].identity_key, s)
            for a, b, s in pairs]
