"""Budget places in the demo (docs/domain.md §4, «Budget places»): every municipal or
regional organization has a municipal task for the current school year in each direction
it enrols budget children in, a little above the places filled. The house of creativity
of «staff@demo.opora» is one place short of its task in the direction with the most
budget applications waiting, so confirming one fills it and the next is refused (the
city refuses beyond the task); Озёрск confirms beyond the task with a warning. The
city's tasks are set by «authority@demo.opora» and in its audit trail."""

from opora import audit
from opora.enrollment import budget_places
from opora.enrollment.models import Application, EnrolmentSettings, MunicipalTask, TaskOverrun
from opora.enrollment.models import ApplicationStatus as S
from opora.registry.choices import FundingSource, Ownership
from opora.registry.models import Organization

AUTHORITY = "authority@demo.opora"
WARNING_PLACE = "town"


def build_budget_places(ctx, municipalities: dict, users: dict) -> int:
    """Tasks of the demo's public organizations; returns how many task rows were made."""
    year = ctx.year_start.year
    rng = ctx.rng("budget-places")
    staff = users.get("staff@demo.opora")
    authority = users.get(AUTHORITY)
    organizations = list(Organization.objects.filter(
        municipality__in=municipalities.values(), is_active=True,
        ownership__in=(Ownership.MUNICIPAL, Ownership.REGIONAL)).order_by("pk"))
    filled = budget_places.fulfilment([o.pk for o in organizations], year)
    showcase_direction = _waiting_direction(staff.organization_id, year) if staff else None
    tasks = []
    for organization in organizations:
        rows = filled[organization.pk]
        if organization.pk == getattr(staff, "organization_id", None) and showcase_direction and \
                showcase_direction not in {row.direction for row in rows}:
            rows.append(budget_places.Row(organization.pk, showcase_direction, None, 0))
        for row in rows:
            if organization.pk == getattr(staff, "organization_id", None) and \
                    row.direction == showcase_direction:
                places = row.filled + 1
            else:
                places = row.filled + max(2, row.filled * rng.randint(5, 25) // 100)
            tasks.append(MunicipalTask(organization=organization, year=year,
                                       direction=row.direction, places=places))
    MunicipalTask.objects.bulk_create(tasks)
    city = authority.municipality_id if authority else None
    audit.record_many(
        audit.event(authority if task.organization.municipality_id == city else None,
                    "enrollment.municipal_task.set", task.organization, at=ctx.moment(ctx.year_start),
                    year=year, direction=task.direction, places_before=None, places_after=task.places)
        for task in tasks)
    town = municipalities.get(WARNING_PLACE)
    if town is not None:
        EnrolmentSettings.objects.update_or_create(municipality=town,
                                                   defaults={"task_overrun": TaskOverrun.WARN})
    return len(tasks)


def _waiting_direction(organization_id, year) -> str | None:
    """The direction of the organization with the most budget applications waiting for
    confirmation in the school year: where a near-filled task shows."""
    waiting = (Application.objects.filter(
        status=S.NEW, group__module__program__organization_id=organization_id,
        group__funding__source=FundingSource.BUDGET,
        group__start_date__gte=f"{year}-09-01", group__start_date__lt=f"{year + 1}-09-01")
        .values_list("group__module__program__direction", flat=True))
    counts = {}
    for direction in waiting:
        counts[direction] = counts.get(direction, 0) + 1
    return max(sorted(counts), key=counts.get) if counts else None
