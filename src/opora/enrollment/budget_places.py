"""Budget places: an organization's municipal task (муниципальное задание) and how much
of it is filled (docs/domain.md §4, «Budget places»).

- ``set_tasks(actor, organization, year, places)`` — the education authority of the
  organization's municipality sets or replaces the task of one school year: ``places``
  maps each direction's code to a number of places, or to nothing (no task for it).
- ``save_overrun_rule(actor, municipality, rule)`` — the same authority decides whether
  confirming beyond the task is refused or warned (``EnrolmentSettings.task_overrun``).
- ``fulfilment(organization_ids, year)`` — the task against the places filled per
  organization and direction, two queries whatever the number of organizations;
  ``organization_fulfilment`` and ``municipality_fulfilment`` check who reads.
- ``task_fulfilment(year, municipality_ids=None)`` — the totals per municipality and
  direction, for monitoring.
- ``check_confirmation(actor, group)`` — for ``services.confirm_application``, under the
  group's lock: refuses (``InvalidTransition``) or returns a warning when the task of the
  group's organization, direction and school year is filled.

What counts. A budget place is an application in status «enrolled» to a group with a
budget funding line: contracts are made only in groups paid for by certificates alone,
so in a mixed group (budget and certificate) every confirmed child studies on the free
line. The year of a group is the school year holding its start date (1 September –
31 August, named by the year it starts in). A task of N places allows N such
enrolments; confirming the (N + 1)-th is «beyond the task». No task row for a direction
means no task (no limit); a task of 0 allows none.

Concurrency. Two confirmations in different groups of one organization and direction
hold different group locks, so the task row itself is locked (``SELECT … FOR UPDATE``,
the lock «municipal-task») before the enrolments are counted: the second waits, then
counts the first one's enrolment. Lock order: group, application, task row.
"""

import dataclasses
import datetime as dt

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking
from opora.accounts import scope
from opora.enrollment.models import (
    Application,
    EnrolmentSettings,
    MunicipalTask,
    TaskOverrun,
)
from opora.enrollment.models import ApplicationStatus as S
from opora.errors import InvalidTransition, NotFound, ValidationFailed
from opora.registry.choices import Direction, FundingSource
from opora.registry.models import Group, Municipality, Organization, Program

LOCK = "municipal-task"
MAX_PLACES = 100_000
# Tasks are set for the school years around the current one: two back (corrections of a
# year just closed) and one ahead (the next enrolment campaign).
YEARS_BACK, YEARS_AHEAD = 2, 1


def school_year(day: dt.date) -> int:
    """The school year holding ``day``, named by the year it starts in."""
    return day.year if day.month >= 9 else day.year - 1


def current_year() -> int:
    return school_year(timezone.localdate())


def year_choices() -> list[int]:
    now = current_year()
    return list(range(now - YEARS_BACK, now + YEARS_AHEAD + 1))


def year_label(year: int) -> str:
    return f"{year}/{str(year + 1)[-2:]}"


def budget_enrolments():
    """Applications holding a budget place (see the module docstring). A group has at
    most one budget line, so the join never doubles a row."""
    return Application.objects.filter(status=S.ENROLLED, group__funding__source=FundingSource.BUDGET)


def _in_year(year: int) -> dict:
    return {"group__start_date__gte": dt.date(year, 9, 1),
            "group__start_date__lt": dt.date(year + 1, 9, 1)}


def _group_year():
    start = "group__start_date"
    return ExtractYear(start) - Case(When(**{f"{start}__month__lt": 9}, then=Value(1)),
                                     default=Value(0), output_field=IntegerField())


# --- reading -------------------------------------------------------------------------


@dataclasses.dataclass
class Row:
    """One direction of one organization in a year: the task (None: none set) and the
    budget places filled."""

    organization_id: int
    direction: str
    places: int | None
    filled: int

    @property
    def direction_label(self) -> str:
        return Direction(self.direction).label

    @property
    def free(self) -> int | None:
        return None if self.places is None else max(self.places - self.filled, 0)

    @property
    def over(self) -> int:
        return 0 if self.places is None else max(self.filled - self.places, 0)

    @property
    def percent(self) -> int | None:
        if not self.places:
            return None
        return self.filled * 100 // self.places


def fulfilment(organization_ids, year: int) -> dict[int, list[Row]]:
    """For each organization: a row per direction that has a task or budget places filled
    in the school year ``year``, in the order of ``Direction``. Two queries."""
    organization_ids = list(organization_ids)
    tasks = {(t["organization_id"], t["direction"]): t["places"] for t in MunicipalTask.objects
             .filter(organization_id__in=organization_ids, year=year)
             .values("organization_id", "direction", "places")}
    filled = {(c["group__module__program__organization_id"], c["group__module__program__direction"]): c["n"]
              for c in budget_enrolments()
              .filter(group__module__program__organization_id__in=organization_ids, **_in_year(year))
              .values("group__module__program__organization_id", "group__module__program__direction")
              .annotate(n=Count("pk")).order_by()}
    order = {code: i for i, code in enumerate(Direction.values)}
    result: dict[int, list[Row]] = {pk: [] for pk in organization_ids}
    for organization_id, direction in sorted(set(tasks) | set(filled),
                                             key=lambda key: (key[0], order.get(key[1], 99))):
        result[organization_id].append(Row(organization_id, direction,
                                           tasks.get((organization_id, direction)),
                                           filled.get((organization_id, direction), 0)))
    return result


def organization_fulfilment(user, organization: Organization, year: int) -> list[Row]:
    """The fulfilment of one organization, for those who read its back office: its staff,
    the МОЦ and the authority of its municipality, the РМЦ."""
    if not scope.territory(user, Organization.objects.filter(pk=organization.pk)).exists():
        raise NotFound(_("Организация не найдена."))
    return fulfilment([organization.pk], year)[organization.pk]


def municipality_fulfilment(user, municipality: Municipality, year: int) -> list[tuple[Organization, list[Row]]]:
    """The active organizations of a municipality the user reads, each with its rows."""
    organizations = list(scope.territory(user, Organization.objects.filter(
        municipality=municipality, is_active=True)).order_by("short_name", "pk"))
    rows = fulfilment([o.pk for o in organizations], year)
    return [(o, rows[o.pk]) for o in organizations]


def task_fulfilment(year: int, municipality_ids=None) -> list[dict]:
    """For monitoring: per municipality and direction with a task in ``year``, the places
    ordered and the budget places filled under those tasks (a direction without a task is
    left out: there is nothing to fulfil), and the share in whole per cent."""
    tasks = MunicipalTask.objects.filter(year=year)
    if municipality_ids is not None:
        tasks = tasks.filter(organization__municipality_id__in=list(municipality_ids))
    totals: dict[tuple[int, str], dict] = {}
    keys = set()
    for t in tasks.values("organization_id", "organization__municipality_id", "direction", "places"):
        key = (t["organization__municipality_id"], t["direction"])
        entry = totals.setdefault(key, {"municipality_id": key[0], "direction": key[1],
                                        "places": 0, "filled": 0})
        entry["places"] += t["places"]
        keys.add((t["organization_id"], t["direction"]))
    organizations = {o for o, _d in keys}
    for c in (budget_enrolments().filter(group__module__program__organization_id__in=organizations,
                                         **_in_year(year))
              .values("group__module__program__organization_id",
                      "group__module__program__organization__municipality_id",
                      "group__module__program__direction")
              .annotate(n=Count("pk")).order_by()):
        if (c["group__module__program__organization_id"], c["group__module__program__direction"]) in keys:
            totals[(c["group__module__program__organization__municipality_id"],
                    c["group__module__program__direction"])]["filled"] += c["n"]
    for entry in totals.values():
        entry["percent"] = entry["filled"] * 100 // entry["places"] if entry["places"] else None
    return sorted(totals.values(), key=lambda e: (e["municipality_id"], Direction.values.index(e["direction"])))


def overrun_rule(municipality_id) -> str:
    rule = (EnrolmentSettings.objects.filter(municipality_id=municipality_id)
            .values_list("task_overrun", flat=True).first())
    return rule or TaskOverrun.REFUSE


# --- the confirmation rule -----------------------------------------------------------


def check_confirmation(group) -> str | None:
    """Called by ``services.confirm_application`` under the group's lock, before an
    application to ``group`` becomes an enrolment on a budget place. Returns None when
    the task allows it (or there is none), a warning for the staff when the task is
    filled and the municipality warns; raises ``InvalidTransition`` when it refuses."""
    program = (Program.objects.filter(modules__groups=group.pk)
               .values("organization_id", "organization__municipality_id", "direction").get())
    year = school_year(group.start_date)
    task = locking.first(MunicipalTask.objects.filter(
        organization_id=program["organization_id"], direction=program["direction"], year=year),
        guard=LOCK)
    if task is None:
        return None
    filled = budget_enrolments().filter(
        group__module__program__organization_id=program["organization_id"],
        group__module__program__direction=program["direction"], **_in_year(year)).count()
    if filled < task.places:
        return None
    facts = {"direction": Direction(program["direction"]).label, "year": year_label(year),
             "places": task.places, "filled": filled}
    if overrun_rule(program["organization__municipality_id"]) == TaskOverrun.REFUSE:
        raise InvalidTransition(_(
            "Муниципальное задание по направленности «%(direction)s» на %(year)s учебный год "
            "выполнено: занято %(filled)s из %(places)s бюджетных мест. Подтвердить заявку "
            "сверх задания нельзя.") % facts)
    return _("Заявка подтверждена сверх муниципального задания: по направленности "
             "«%(direction)s» на %(year)s учебный год занято %(filled)s из %(places)s "
             "бюджетных мест (с этой заявкой — %(after)s).") % {**facts, "after": filled + 1}


def lock_tasks(group_ids) -> None:
    """For a bulk confirmation, after its groups are locked: lock the task rows of all of
    its groups at once, in key order, so two bulks confirming in several directions never
    wait for each other's task rows in opposite orders."""
    keys = {(g["module__program__organization_id"], g["module__program__direction"],
             school_year(g["start_date"]))
            for g in Group.objects.filter(pk__in=set(group_ids))
            .values("module__program__organization_id", "module__program__direction", "start_date")}
    if not keys:
        return
    wanted = Q()
    for organization_id, direction, year in keys:
        wanted |= Q(organization_id=organization_id, direction=direction, year=year)
    locking.rows(MunicipalTask.objects.filter(wanted), guard=LOCK)


# --- the authority's settings --------------------------------------------------------


def _parse_places(value) -> tuple[int | None, str | None]:
    """A number of places from a form or JSON: (places, None), (None, None) for «no
    task», or (None, the Russian error)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool):
        return None, _("Введите целое число мест.")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not text.lstrip("-").isdigit():
            return None, _("Введите целое число мест.")
        number = int(text)
    if number < 0:
        return None, _("Число мест не может быть отрицательным.")
    if number > MAX_PLACES:
        return None, _("Число мест не может быть больше %(max)s.") % {"max": MAX_PLACES}
    return number, None


def _check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = None
    if year not in year_choices():
        choices = year_choices()
        raise ValidationFailed({"year": [_("Учебный год должен быть от %(first)s до %(last)s.") % {
            "first": year_label(choices[0]), "last": year_label(choices[-1])}]})
    return year


def set_tasks(actor, organization: Organization, year, places: dict) -> list[MunicipalTask]:
    """The education authority sets the organization's task for the school year ``year``:
    ``places`` maps direction codes to a number (0 and above) or to nothing (the task of
    that direction is removed); directions not named are left as they are. All or
    nothing: any bad value refuses the whole change in Russian. Each changed direction is
    one audit event of the organization. Returns the organization's tasks of the year."""
    scope.require(actor, "enrollment.municipal_task", organization)
    year = _check_year(year)
    errors, wanted = {}, {}
    for direction, value in places.items():
        if direction not in Direction.values:
            errors.setdefault("places", []).append(
                _("Неизвестная направленность «%(code)s».") % {"code": direction})
            continue
        number, error = _parse_places(value)
        if error:
            errors[direction] = [error]
        else:
            wanted[direction] = number
    if errors:
        raise ValidationFailed(errors)
    with locking.atomic():
        locking.advisory(LOCK, organization.pk)
        current = {t.direction: t for t in locking.rows(
            MunicipalTask.objects.filter(organization=organization, year=year), guard=LOCK)}
        for direction, number in wanted.items():
            task = current.get(direction)
            before = task.places if task is not None else None
            if before == number:
                continue
            if number is None:
                task.delete()
            elif task is None:
                MunicipalTask.objects.create(organization=organization, year=year,
                                             direction=direction, places=number)
            else:
                task.places = number
                task.save(update_fields=["places"])
            audit.record(actor, "enrollment.municipal_task.set", organization, year=year,
                         direction=direction, places_before=before, places_after=number)
    return list(MunicipalTask.objects.filter(organization=organization, year=year))


def save_overrun_rule(actor, municipality: Municipality, rule: str) -> EnrolmentSettings:
    """The education authority decides what confirming beyond the task does in its
    municipality: refuse (the default) or confirm with a warning."""
    scope.require(actor, "enrollment.municipal_task", municipality)
    if rule not in TaskOverrun.values:
        raise ValidationFailed({"task_overrun": [_("Выберите: отказывать или предупреждать.")]})
    with locking.atomic():
        current = locking.first(EnrolmentSettings.objects.filter(municipality=municipality))
        if current is None:
            current, _created = EnrolmentSettings.objects.get_or_create(municipality=municipality)
        before = current.task_overrun
        if before != rule:
            current.task_overrun = rule
            current.save(update_fields=["task_overrun"])
            audit.record(actor, "enrollment.settings.task_overrun", current,
                         task_overrun_before=before, task_overrun_after=rule)
    return current
