"""The municipal task (муниципальное задание): its fulfilment per organization and
direction — a provider its own, the МОЦ and the education authority their
municipality's organizations, the РМЦ any municipality's — and the authority's form of
one organization's task and of the rule beyond it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.enrollment import budget_places
from opora.enrollment.models import MunicipalTask, TaskOverrun
from opora.errors import DomainError
from opora.registry.choices import Direction
from opora.registry.models import Municipality, Organization


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return budget_places.current_year()
    return year if year in budget_places.year_choices() else budget_places.current_year()


def _years(year):
    return [{"value": y, "label": budget_places.year_label(y), "selected": y == year}
            for y in budget_places.year_choices()]


def _municipality(request):
    """The municipality shown: the user's own; the РМЦ picks one (the first by name)."""
    municipalities = scope.territory(request.user, Municipality.objects.all()).order_by("name", "pk")
    if request.user.municipality_id and not scope.holds_region(request.user, "monitoring.view"):
        return municipalities.filter(pk=request.user.municipality_id).first(), []
    listed = list(municipalities)
    chosen = next((m for m in listed if str(m.pk) == request.GET.get("municipality")), None)
    return chosen or (listed[0] if listed else None), listed


@section_page("back_office")
def overview(request):
    year = _year(request)
    context = {"year": year, "year_label": budget_places.year_label(year), "years": _years(year)}
    if request.user.organization_id and not scope.reads_territory(request.user):
        organization = request.user.organization
        context.update(organization=organization,
                       rows=budget_places.organization_fulfilment(request.user, organization, year))
        return render(request, "enrollment/office/municipal_task.html", context)
    municipality, municipalities = _municipality(request)
    may_set = municipality is not None and scope.can(request.user, "enrollment.municipal_task", municipality)
    context.update(
        municipality=municipality, municipalities=municipalities, may_set=may_set,
        organizations=(budget_places.municipality_fulfilment(request.user, municipality, year)
                       if municipality else []),
        rule=budget_places.overrun_rule(municipality.pk) if municipality else TaskOverrun.REFUSE,
        rules=TaskOverrun.choices)
    return render(request, "enrollment/office/municipal_tasks.html", context)


@section_page("enrollment.municipal_task")
def edit(request, pk):
    organization = get_object_or_404(
        scope.actionable(request.user, "enrollment.municipal_task", Organization.objects.all()), pk=pk)
    if request.method == "POST":
        year = request.POST.get("year", "")
        values = {direction: request.POST.get(f"places_{direction}", "") for direction in Direction.values}
        try:
            budget_places.set_tasks(request.user, organization, year, values)
        except DomainError as error:
            errors = getattr(error, "errors", None) or {"__all__": [error.message]}
            try:
                year = int(year)
            except ValueError:
                year = budget_places.current_year()
            return _edit_page(request, organization, year, values, errors, status=400)
        messages.success(request, _("Муниципальное задание на %(year)s учебный год сохранено.") % {
            "year": budget_places.year_label(int(year))})
        return redirect(f"{reverse('enrollment:municipal_tasks')}?year={int(year)}")
    year = _year(request)
    current = dict(MunicipalTask.objects.filter(organization=organization, year=year)
                   .values_list("direction", "places"))
    return _edit_page(request, organization, year, {d: current.get(d, "") for d in Direction.values}, {})


def _edit_page(request, organization, year, values, errors, status=200):
    rows = {row.direction: row for row in budget_places.fulfilment([organization.pk], year)[organization.pk]}
    fields = [{"code": code, "label": label, "value": values.get(code, ""),
               "errors": errors.get(code, []), "filled": rows[code].filled if code in rows else 0}
              for code, label in Direction.choices]
    general = [message for key, messages_ in errors.items() if key not in Direction.values
               for message in messages_]
    return render(request, "enrollment/office/municipal_task_form.html", {
        "organization": organization, "year": year, "year_label": budget_places.year_label(year),
        "years": _years(year), "fields": fields, "general_errors": general,
    }, status=status)


@require_POST
@section_page("enrollment.municipal_task")
def save_rule(request):
    municipality = get_object_or_404(Municipality, pk=request.user.municipality_id)
    try:
        budget_places.save_overrun_rule(request.user, municipality, request.POST.get("task_overrun", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Правило сохранено."))
    return redirect("enrollment:municipal_tasks")
