"""The indicators API: ``GET /indicators`` — the indicators of a territory on a date with
their targets, last year's values, numerators and denominators, one breakdown, and for
the region every municipality side by side. Scoped like the «Мониторинг» page: the МОЦ
and the education authority read their municipality, the РМЦ the region or any
municipality of it; reading another territory answers 403."""

import datetime as dt
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from opora.accounts import scope
from opora.api.schemas import Day, ErrorOut, Id, MunicipalityRef
from opora.errors import NotFound, PermissionDenied
from opora.monitoring import presentation, services
from opora.monitoring.models import Indicator
from opora.registry.models import Municipality

router = Router(tags=["Мониторинг"])

BreakdownCode = Literal[tuple(presentation.BREAKDOWN_TITLES)]
IndicatorCode = Literal[tuple(Indicator.values)]


class IndicatorFilters(Schema):
    municipality: Id | None = Field(
        None, description="Муниципалитет; без него — свой муниципалитет (МОЦ, управление "
                          "образования) или весь регион (РМЦ)")
    date: Day | None = Field(None, description="Отчётная дата, не позже сегодняшней; по "
                                                   "умолчанию сегодня")
    breakdown: BreakdownCode | None = Field(None, description="Разрез охвата")


class IndicatorOut(Schema):
    code: IndicatorCode
    label: str
    value: float | None = Field(description="Значение (процент или отношение); пусто, если "
                                            "знаменатель не задан")
    target: float | None = Field(description="Целевое значение на год даты")
    last_year: float | None = Field(description="Значение год назад на ту же дату")
    numerator: int | None
    denominator: int | None


class BreakdownRowOut(Schema):
    key: str
    label: str
    children: int
    share: float | None = Field(description="Доля от охваченных детей, %")


class BreakdownOut(Schema):
    name: BreakdownCode
    title: str
    rows: list[BreakdownRowOut]


class MunicipalityRowOut(Schema):
    id: int
    name: str
    population: int | None
    children: int = Field(description="Охвачено детей, проживающих в муниципалитете")
    coverage: float | None
    provider_children: int = Field(description="Обучаются у организаций муниципалитета")
    coverage_by_provider: float | None
    certificates: int


class IndicatorsOut(Schema):
    date: dt.date
    municipality: MunicipalityRef | None = Field(description="Пусто — весь регион")
    frozen: bool = Field(description="Значения взяты из зафиксированного среза")
    recomputed: bool = Field(description="Срез рассчитан позже отчётной даты")
    population: int | None = Field(description="Детей 5–17 лет в территории за год даты")
    indicators: list[IndicatorOut]
    breakdown: BreakdownOut | None
    municipalities: list[MunicipalityRowOut] = Field(description="Для региона — все "
                                                                  "муниципалитеты")


@router.get("indicators", response={200: IndicatorsOut, 404: ErrorOut},
            summary="Показатели территории на дату",
            description="Охват детей 5–17 лет, доли с сертификатами, программы и педагоги: "
                        "значение, цель, значение год назад, числитель и знаменатель. На "
                        "сегодня — по текущим данным, на прошлую дату — из зафиксированного "
                        "среза (рассчитывается при первом запросе и помечается как пересчитанный).")
def indicators(request, filters: Query[IndicatorFilters]):
    user = request.auth
    if not scope.holds(user, "monitoring.view"):
        raise PermissionDenied(_("Недостаточно прав для этого действия."))
    if filters.municipality is not None:
        municipality = Municipality.objects.filter(pk=filters.municipality).first()
        if municipality is None:
            raise NotFound(_("Муниципалитет не найден."))
    elif scope.holds_region(user, "monitoring.view"):
        municipality = None
    else:
        municipality = Municipality.objects.get(pk=user.municipality_id)
    day = filters.date or timezone.localdate()
    values, snapshot = services.indicators_on(user, day, municipality)
    breakdown = None
    if filters.breakdown:
        names = dict(Municipality.objects.values_list("pk", "name")) \
            if filters.breakdown == "municipality" else {}
        tables = presentation.breakdown_tables(values, names)
        found = next((t for t in tables if t["name"] == filters.breakdown), None)
        breakdown = found and {**found, "title": str(found["title"])}
    return {
        "date": day, "municipality": municipality,
        "frozen": snapshot is not None, "recomputed": bool(snapshot and snapshot.recomputed),
        "population": values.get("population"),
        "indicators": [{**row, "label": str(row["label"])}
                       for row in presentation.indicator_rows(values)],
        "breakdown": breakdown,
        "municipalities": values.get("municipalities") or [],
    }
