"""Live figures a number field may start from (``Prefill``): small counts the apps
already hold, per organization and per municipality, each in one grouped query.

- ``programs``: published programs of the organization (of the municipality's
  organizations);
- ``enrolled_children``: distinct children with an application in the «Обучается»
  status in the organization's groups (in the groups of the municipality's
  organizations; a child enrolled with two providers of a municipality counts once).
"""

from django.db.models import Count

from opora.enrollment.models import Application, ApplicationStatus
from opora.registry.choices import ProgramStatus
from opora.registry.models import Program
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


FIGURES = {Prefill.PROGRAMS: _programs, Prefill.ENROLLED_CHILDREN: _enrolled}


def figures(prefill: str, by: str, ids) -> dict[int, int]:
    """``{id: value}`` of the figure for each organization or municipality id (absent ids
    have none of it: 0)."""
    ids = list(ids)
    if prefill not in FIGURES or not ids:
        return {}
    found = FIGURES[prefill](by, ids)
    return {pk: found.get(pk, 0) for pk in ids}
