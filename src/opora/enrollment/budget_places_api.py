"""The API of budget places (``opora.enrollment.budget_places``): the municipal task and
its fulfilment — a provider reads its own organization, the МОЦ and the education
authority their municipality's organizations, the РМЦ any municipality's. Added to the
enrolment router by ``opora.enrollment.api``; setting the task stays on its page."""

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from opora.accounts import scope
from opora.api.schemas import ErrorOut
from opora.enrollment import budget_places
from opora.errors import NotFound, ValidationFailed
from opora.registry.models import Municipality, Organization

router = Router(tags=["Запись в группы"])


class TaskRowOut(Schema):
    direction: str = Field(description="Код направленности")
    direction_label: str
    places: int | None = Field(description="Бюджетных мест по заданию; нет — задание не установлено")
    filled: int = Field(description="Занято бюджетных мест (зачисленные дети)")
    free: int | None
    over: int = Field(description="Сверх задания")
    percent: int | None = Field(description="Выполнение, целых процентов")


class OrganizationTaskOut(Schema):
    organization_id: int
    short_name: str
    rows: list[TaskRowOut]


class TaskOut(Schema):
    year: int = Field(description="Учебный год (год начала: 2026 — 2026/27)")
    year_label: str
    task_overrun: str = Field(description="refuse — подтверждение сверх задания запрещено, warn — с предупреждением")
    organizations: list[OrganizationTaskOut]


class TaskFilters(Schema):
    year: int | None = Field(None, description="Учебный год (год начала); по умолчанию текущий")
    municipality: int | None = Field(None, description="Муниципалитет (id) — для РМЦ; остальным — свой")


def _year(value) -> int:
    year = budget_places.current_year() if value is None else value
    if year not in budget_places.year_choices():
        raise ValidationFailed({"year": [_("Учебный год должен быть от %(first)s до %(last)s.") % {
            "first": budget_places.year_label(budget_places.year_choices()[0]),
            "last": budget_places.year_label(budget_places.year_choices()[-1])}]})
    return year


def _rows(organization, rows):
    return {"organization_id": organization.pk, "short_name": organization.short_name,
            "rows": [{"direction": r.direction, "direction_label": str(r.direction_label), "places": r.places,
                      "filled": r.filled, "free": r.free, "over": r.over, "percent": r.percent} for r in rows]}


@router.get("municipal-tasks", response={200: TaskOut, 404: ErrorOut},
            summary="Муниципальное задание и его выполнение",
            description="Сотрудник организации видит свою организацию, МОЦ и управление образования — "
                        "организации своего муниципалитета, РМЦ — выбранного муниципалитета.")
def municipal_tasks(request, filters: Query[TaskFilters]):
    user = request.auth
    year = _year(filters.year)
    if user.organization_id and not scope.reads_territory(user):
        organization = user.organization
        rows = budget_places.organization_fulfilment(user, organization, year)
        return {"year": year, "year_label": budget_places.year_label(year),
                "task_overrun": budget_places.overrun_rule(organization.municipality_id),
                "organizations": [_rows(organization, rows)]}
    municipality_id = filters.municipality or user.municipality_id
    municipality = scope.territory(user, Municipality.objects.filter(pk=municipality_id)).first()
    if municipality is None:
        raise NotFound(_("Муниципалитет не найден."), field="municipality")
    listed = budget_places.municipality_fulfilment(user, municipality, year)
    return {"year": year, "year_label": budget_places.year_label(year),
            "task_overrun": budget_places.overrun_rule(municipality.pk),
            "organizations": [_rows(o, rows) for o, rows in listed]}


@router.get("organizations/{organization_id}/municipal-task", response={200: OrganizationTaskOut, 404: ErrorOut},
            summary="Муниципальное задание одной организации и его выполнение")
def organization_task(request, organization_id: int, year: int | None = None):
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise NotFound(_("Организация не найдена."), field="organization_id")
    return _rows(organization, budget_places.organization_fulfilment(request.auth, organization, _year(year)))
