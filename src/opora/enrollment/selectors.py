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
from uuid import UUID

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import rows
from opora.accounts import scope
from opora.accounts.models import Role
from opora.enrollment import rules
from opora.enrollment.models import (
    LIVE,
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
from opora.registry.selectors import free_seats_expression

APPLICATION_RELATED = ("child", "group__module__program__organization")


def is_guardian(user, child) -> bool:
    return (scope.is_parent(user)
            and Guardianship.objects.filter(parent=user, child_id=child.pk,
                                            confirmed_at__isnull=False).exists())


# --- children ------------------------------------------------------------------------


def children_of(parent):
    if not scope.is_parent(parent):
        return Child.objects.none()
    return Child.objects.filter(guardianships__parent=parent,
                                guardianships__confirmed_at__isnull=False)


def visible_children(user):
    """Children a user may read (see the module docstring)."""
    if scope.is_parent(user):
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
    """The position of a waitlisted application (1 is next in line), None for the others.
    Written out: a waitlisted answer on opening day reads it, and compiling the count
    with the ORM cost more than running it."""
    if application.status != ApplicationStatus.WAITLISTED:
        return None
    table = connection.ops.quote_name(Application._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE group_id = %s AND status = %s "
                       "AND queue_number <= %s",
                       [application.group_id, ApplicationStatus.WAITLISTED.value,
                        application.queue_number])
        return cursor.fetchone()[0]


def applications_of(parent):
    """A parent's applications, newest first, with child, group, program, organization
    and position in one query."""
    if not scope.is_parent(parent):
        return Application.objects.none()
    return with_positions(Application.objects.filter(
        child__guardianships__parent=parent, child__guardianships__confirmed_at__isnull=False)
                          .select_related(*APPLICATION_RELATED))


def visible_applications(user, *, status=None, group=None, program=None, search=""):
    """Applications a back-office user may read, with filters and positions, in one query
    (parents: their own). ``search`` matches words of the child's full name, whatever
    their case and ё."""
    if scope.is_parent(user):
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
    """Annotate groups with ``waitlisted`` and ``free_seats`` (never below zero when the
    capacity was lowered); the seats held are the group's ``seats_taken``."""
    waitlisted = (Application.objects.filter(group_id=OuterRef("pk"), status=ApplicationStatus.WAITLISTED)
                  .order_by().values("group_id").annotate(n=Count("pk")).values("n"))
    return groups.annotate(waitlisted=Coalesce(Subquery(waitlisted, output_field=IntegerField()), 0),
                           free_seats=free_seats_expression())


def seats_of(group: Group):
    return with_seats(Group.objects.filter(pk=group.pk)).values(
        "capacity_max", "seats_taken", "waitlisted", "free_seats").get()


# --- eligibility ---------------------------------------------------------------------


# The columns a submission reads: the gates' facts and what the answer shows.
_SUBMISSION_FIELDS = (
    "id", "name", "start_date", "end_date", "age_min", "age_max", "is_active",
    "enrolment_open", "enrolment_from", "enrolment_to", "capacity_max",
    "module__id", "module__program__id", "module__program__title", "module__program__status",
    "module__program__organization__id", "module__program__organization__short_name",
    "module__program__organization__is_active")


class SubmissionNotFound(Exception):
    """What ``submission_facts`` could not find: "child" or "group"."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


_FACTS_PARTS = {}


def _facts_parts():
    """What a submission's statement reads, built once per database from the models'
    own column names: ``(columns, joins, parts)`` — the SELECT list over the child ``c``
    and the group ``g`` with its module, program and organization, then ``has_schedule``,
    the child's live application to the group, the child's live applications and the
    municipality's limit on them; the joins from ``g`` on (the caller joins ``c`` and
    ``g`` itself); the column groups ``facts_from_row`` reads back."""
    if connection.vendor in _FACTS_PARTS:
        return _FACTS_PARTS[connection.vendor]
    from opora.registry.models import Module, Organization, Program

    q = connection.ops.quote_name
    parts = {
        "child": (Child, "c", rows.columns(Child, None)),
        "group": (Group, "g", rows.columns(Group, ["id", "name", "start_date", "end_date", "age_min",
                                               "age_max", "is_active", "enrolment_open",
                                               "enrolment_from", "enrolment_to", "capacity_max",
                                               "module"])),
        "module": (Module, "m", rows.columns(Module, ["id", "program"])),
        "program": (Program, "p", rows.columns(Program, ["id", "title", "status", "organization"])),
        "organization": (Organization, "o", rows.columns(Organization, ["id", "short_name", "is_active"])),
    }
    select = [f"{alias}.{q(field.column)}" for _m, alias, columns in parts.values()
              for field, _e, _c in columns]
    live = ", ".join(f"'{status}'" for status in LIVE)
    table = {model: q(model._meta.db_table) for model in
             (Group, Module, Program, Organization, Application, ScheduleLine, EnrolmentSettings)}
    columns = (
        f"{', '.join(select)}, "
        f"EXISTS (SELECT 1 FROM {table[ScheduleLine]} s WHERE s.group_id = g.id), "
        f"(SELECT a.id FROM {table[Application]} a WHERE a.child_id = c.id AND a.group_id = g.id "
        f"AND a.status IN ({live}) LIMIT 1), "
        f"(SELECT count(*) FROM {table[Application]} a WHERE a.child_id = c.id AND a.status IN ({live})), "
        f"(SELECT e.max_live_applications FROM {table[EnrolmentSettings]} e "
        f"WHERE e.municipality_id = c.municipality_id)")
    joins = (f"LEFT JOIN {table[Module]} m ON m.id = g.module_id "
             f"LEFT JOIN {table[Program]} p ON p.id = m.program_id "
             f"LEFT JOIN {table[Organization]} o ON o.id = p.organization_id ")
    _FACTS_PARTS[connection.vendor] = columns, joins, list(parts.values())
    return _FACTS_PARTS[connection.vendor]


def facts_from_row(row) -> tuple[Child | None, Group | None]:
    """The child and the group (``has_schedule``, ``live_application``, ``child_live``
    and ``live_limit`` set on it) from the columns of ``_facts_parts`` at the start of
    ``row``; None for a part the row does not have."""
    _columns_sql, _joins, parts = _facts_parts()
    made, at = {}, 0
    for name, (model, _alias, columns) in zip(("child", "group", "module", "program", "organization"),
                                               parts, strict=True):
        values = row[at:at + len(columns)]
        at += len(columns)
        made[name] = None if values[0] is None else rows.instance(model, columns, values)
    group = made["group"]
    if group is not None:
        program = made["program"]
        program.organization = made["organization"]
        made["module"].program = program
        group.module = made["module"]
        has_schedule, live_application, child_live, live_limit = row[at:at + 4]
        group.has_schedule = bool(has_schedule)
        group.live_application, group.child_live = live_application, child_live
        group.live_limit = live_limit
    return made["child"], group


_SUBMISSION_SQL = {}


def _submission_sql(by_uuid: bool, guardian: bool) -> str:
    """The statement of ``submission_facts`` for one form (by key or uuid, with or
    without the guardian's check)."""
    key = (connection.vendor, by_uuid, guardian)
    if key not in _SUBMISSION_SQL:
        q = connection.ops.quote_name
        columns, joins, _parts = _facts_parts()
        guardianship = (f"JOIN {q(Guardianship._meta.db_table)} gu ON gu.child_id = c.id "
                        f"AND gu.parent_id = %s AND gu.confirmed_at IS NOT NULL "
                        if guardian else "")
        _SUBMISSION_SQL[key] = (
            f"SELECT {columns} FROM {q(Child._meta.db_table)} c {guardianship}"
            f"LEFT JOIN {q(Group._meta.db_table)} g ON g.id = %s {joins}"
            f"WHERE c.{'uuid' if by_uuid else 'id'} = %s")
    return _SUBMISSION_SQL[key]


def submission_facts(child, group_id, guardian=None) -> tuple[Child, Group]:
    """The child (an instance, its primary key or its uuid) and the group it applies to
    with everything the submission needs, in one statement: the child's row, the group
    with its program and organization, ``has_schedule``, the child's live application
    to it (``live_application``, a primary key or None), the child's live applications
    (``child_live``) and the municipality's limit on them (``live_limit``). Given a
    ``guardian``, only a child that user is a confirmed guardian of is found.
    ``SubmissionNotFound("child")`` or ``("group")`` when there is none. The statement is
    written out (built once from the models' columns): it is the opening-day path, where
    compiling the same query with the ORM cost more than running it."""
    if guardian is not None and not scope.is_parent(guardian):
        raise SubmissionNotFound("child")
    key = getattr(child, "pk", child)
    try:
        group_id = int(group_id)
    except (TypeError, ValueError):
        raise SubmissionNotFound("group") from None
    by_uuid = isinstance(key, UUID)
    params = [*([guardian.pk] if guardian is not None else []), group_id,
              Child._meta.get_field("uuid").get_db_prep_value(key, connection) if by_uuid else key]
    with connection.cursor() as cursor:
        cursor.execute(_submission_sql(by_uuid, guardian is not None), params)
        row = cursor.fetchone()
    if row is None:
        raise SubmissionNotFound("child")
    found, group = facts_from_row(row)
    if group is None:
        raise SubmissionNotFound("group")
    return found if isinstance(child, (int, UUID)) else child, group


def group_for_application(group_id, child: Child) -> Group | None:
    """The group a child applies to, read by ``submission_facts`` (no guardian check);
    None when there is no such group."""
    try:
        return submission_facts(child, group_id)[1]
    except SubmissionNotFound:
        return None


def facts_of(group: Group) -> rules.GroupFacts:
    """The gates' facts of a group read by ``group_for_application``."""
    program = group.module.program
    return rules.GroupFacts(
        program_published=program.status == ProgramStatus.PUBLISHED,
        organization_active=program.organization.is_active,
        is_active=group.is_active, enrolment_open=group.enrolment_open,
        enrolment_from=group.enrolment_from, enrolment_to=group.enrolment_to,
        start_date=group.start_date, end_date=group.end_date, age_min=group.age_min,
        age_max=group.age_max, has_schedule=group.has_schedule)


def group_facts(group_id) -> rules.GroupFacts:
    """What the gates need about a group, in one query."""
    return facts_of(Group.objects.select_related("module__program__organization")
                    .only(*_SUBMISSION_FIELDS)
                    .annotate(has_schedule=Exists(ScheduleLine.objects.filter(group_id=OuterRef("pk"))))
                    .get(pk=group_id))


def refusals_for(child: Child, group: Group, *, now=None) -> list[rules.Refusal]:
    """Every gate ``child`` fails for a group read by ``group_for_application``."""
    from django.conf import settings

    now = now or timezone.now()
    return rules.refusals(
        facts_of(group), child.birth_date, now=now, today=timezone.localdate(now),
        age_reference=getattr(settings, "OPORA_AGE_REFERENCE", "group_start"),
        has_live_application=group.live_application is not None,
        live_applications=group.child_live, live_limit=group.live_limit)


def eligibility(child: Child, group: Group, *, now=None) -> list[rules.Refusal]:
    """Every reason ``child`` cannot apply to ``group`` now (empty: the button may show)."""
    return refusals_for(child, group_for_application(group.pk, child), now=now)


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
