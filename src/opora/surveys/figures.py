"""Live figures a number field may start from (``Prefill``): small counts the apps
already hold, per organization and per municipality, each in one grouped query.

- ``programs``: published programs of the organization (of the municipality's
  organizations);
- ``enrolled_children``: distinct children with an application in the «Обучается»
  status in the organization's groups (in the groups of the municipality's
  organizations; a child enrolled with two providers of a municipality counts once);
- ``covered_children``: the coverage numerator of monitoring today — children 5–17 with
  a live enrolment — with the organization (living in the municipality: the
  monitoring's view by residence);
- ``places``: places (the groups' maximum size) of the active groups studying today;
- ``contracts``: certificate contracts in force today (signed, running, not refused or
  terminated);
- ``teachers``, ``teachers_categorised``: active teachers, and those with the first or
  highest qualification category.
"""

from django.db.models import Count, Q, Sum
from django.utils import timezone

from opora.enrollment.models import Application, ApplicationStatus
from opora.financing.models import Contract, ContractStatus
from opora.monitoring.indicators import RESIDENCE, live_enrolments
from opora.registry.choices import ProgramStatus, QualificationCategory
from opora.registry.models import Group, Program, Teacher
from opora.surveys.models import Prefill

ORGANIZATION = "organization"
MUNICIPALITY = "municipality"


def _programs(by: str, ids) -> dict[int, int]:
    key = "organization_id" if by == ORGANIZATION else "organization__municipality_id"
    rows = (Program.objects.filter(status=ProgramStatus.PUBLISHED, **{f"{key}__in": ids})
            .values(key).annotate(n=Count("pk")).values_list(key, "n"))
    return dict(rows)


def _enrolled(by: str, ids) -> dict[int, int]:
    key = ("group__module__program__organization_id" if by == ORGANIZATION
           else "group__module__program__organization__municipality_id")
    rows = (Application.objects.filter(status=ApplicationStatus.ENROLLED, **{f"{key}__in": ids})
            .values(key).annotate(n=Count("child_id", distinct=True)).values_list(key, "n"))
    return dict(rows)


def _grouped(queryset, key: str, ids, value) -> dict[int, int]:
    rows = (queryset.filter(**{f"{key}__in": ids}).order_by().values(key).annotate(n=value)
            .values_list(key, "n"))
    return {pk: n or 0 for pk, n in rows}


def _covered(by: str, ids) -> dict[int, int]:
    key = "group__module__program__organization_id" if by == ORGANIZATION else f"{RESIDENCE}_id"
    return _grouped(live_enrolments(timezone.localdate()), key, ids, Count("child_id", distinct=True))


def _places(by: str, ids) -> dict[int, int]:
    today = timezone.localdate()
    key = ("module__program__organization_id" if by == ORGANIZATION
           else "module__program__organization__municipality_id")
    groups = Group.objects.filter(is_active=True, start_date__lte=today, end_date__gte=today)
    return _grouped(groups, key, ids, Sum("capacity_max"))


def _contracts(by: str, ids) -> dict[int, int]:
    today = timezone.localdate()
    key = "organization_id" if by == ORGANIZATION else "organization__municipality_id"
    in_force = (Contract.objects.filter(signed_on__lte=today, ends_on__gte=today)
                .exclude(status=ContractStatus.REFUSED)
                .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gt=today)))
    return _grouped(in_force, key, ids, Count("pk"))


def _teachers(by: str, ids, categorised=False) -> dict[int, int]:
    key = "organization_id" if by == ORGANIZATION else "organization__municipality_id"
    working = Teacher.objects.filter(is_active=True, organization__is_active=True)
    if categorised:
        working = working.filter(category__in=(QualificationCategory.FIRST, QualificationCategory.HIGHEST))
    return _grouped(working, key, ids, Count("pk"))


FIGURES = {
    Prefill.PROGRAMS: _programs,
    Prefill.ENROLLED_CHILDREN: _enrolled,
    Prefill.COVERED_CHILDREN: _covered,
    Prefill.PLACES: _places,
    Prefill.CONTRACTS: _contracts,
    Prefill.TEACHERS: _teachers,
    Prefill.TEACHERS_CATEGORISED: lambda by, ids: _teachers(by, ids, categorised=True),
}


def figures(prefill: str, by: str, ids) -> dict[int, int]:
    """``{id: value}`` of the figure for each organization or municipality id (absent ids
    have none of it: 0)."""
    ids = list(ids)
    if prefill not in FIGURES or not ids:
        return {}
    found = FIGURES[prefill](by, ids)
    return {pk: found.get(pk, 0) for pk in ids}
