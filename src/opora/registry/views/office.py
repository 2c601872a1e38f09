"""Pages of the МОЦ operator, the education authority and the РМЦ: the registry of
programs and organizations, the moderation queue, the program card with its
moderation actions, the inventory and the exports.

Every page reads the user's own territory through ``scope`` (via the selectors) and every change goes
through a service; the views only parse input and choose what to render.
"""


from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opora import audit
from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.core.exporters import export_format
from opora.core.pages import page_of
from opora.errors import DomainError
from opora.registry import hooks, prices, revisions, selectors, services
from opora.registry.choices import ProgramStatus
from opora.registry.forms_office import (
    ArchiveForm,
    OrganizationActivityForm,
    OrganizationForm,
    ReturnForm,
    add_domain_error,
)
from opora.registry.models import Group, Module, Organization, Program, ProgramRevision, Teacher


def _export_format(request):
    return export_format(request)


# --- programs -------------------------------------------------------------------


@section_page("territory")
def programs(request):
    form = selectors.program_filter_form(request.GET, request.user)
    queryset = selectors.filter_programs(selectors.registry_programs(request.user), form)
    queryset = selectors.program_rows(queryset)
    return render(request, "registry/office/programs.html", {
        "form": form,
        "ignored": form.ignored(),
        "page": page_of(request, queryset.order_by("title", "pk")),
    })


@section_page("territory")
def programs_export(request):
    # openpyxl is loaded only by the pages that write a file.
    from opora.registry.exporters import ProgramRegistryExporter

    queryset = selectors.filter_programs(
        selectors.registry_programs(request.user), request.GET, request.user)
    return ProgramRegistryExporter(queryset).response(_export_format(request))


@section_page("territory")
def moderation(request):
    return render(request, "registry/office/moderation.html", {
        "page": page_of(request, selectors.moderation_queue(request.user)),
    })


def _program_for(user, pk):
    queryset = (Program.objects
                .select_related("organization__municipality", "specialisation")
                .prefetch_related(
                    "partners",
                    Prefetch("modules", Module.objects.prefetch_related(Prefetch(
                        "groups", Group.objects.prefetch_related("teachers", "schedule",
                                                                 "funding"))))))
    # The back-office card is the territory's own; others read the public navigator page.
    return get_object_or_404(scope.territory(user, queryset), pk=pk)


def _render_program(request, program, *, return_form=None, archive_form=None, status=200):
    user = request.user
    moderates = scope.can(user, "registry.moderate", program)
    edits = scope.can(user, "registry.edit", program)
    draft = program.status in (ProgramStatus.INITIAL, ProgramStatus.WAIT_FOR_EDITING)
    price_changes = prices.pending(program)
    revision = (ProgramRevision.objects.filter(program=program).first()
                if program.status == ProgramStatus.PUBLISHED else None)
    revision_pending = revision is not None and revision.is_moderating
    return render(request, "registry/program_detail.html", {
        "revision": revision,
        "revision_changes": revisions.changes(program, revision) if revision else [],
        "program": program,
        "modules": program.modules.all(),
        "events": audit.timeline(program),
        "panels": hooks.panels_of(user, program),
        "price_changes": price_changes,
        "can_moderate": moderates and (program.status == ProgramStatus.MODERATING
                                       or revision_pending),
        "can_moderate_prices": (moderates and program.status == ProgramStatus.PUBLISHED
                                and bool(price_changes)),
        "can_archive": (moderates or edits) and program.status == ProgramStatus.PUBLISHED,
        "return_form": return_form or ReturnForm(auto_id="id_return_%s"),
        "archive_form": archive_form or ArchiveForm(auto_id="id_archive_%s"),
        "edit_url": reverse("registry:program_edit", args=[program.pk])
        if edits and program.status not in (ProgramStatus.MODERATING, ProgramStatus.ARCHIVE)
        and not revision_pending else "",
        "groups_url": reverse("registry:program_groups", args=[program.pk])
        if edits and program.status != ProgramStatus.ARCHIVE else "",
        "submit_url": reverse("registry:program_submit", args=[program.pk])
        if edits and (draft or (revision is not None and not revision_pending)) else "",
        "restore_url": reverse("registry:program_restore", args=[program.pk])
        if edits and program.status == ProgramStatus.ARCHIVE else "",
    }, status=status)


@section_page("back_office")
def program_detail(request, pk):
    return _render_program(request, _program_for(request.user, pk))


@require_POST
@section_page("back_office")
def program_moderate(request, pk):
    """Publish, return with remarks or archive a program, approve or return the prices
    proposed for its groups; one address for the card's moderation buttons, chosen by
    the ``action`` field."""
    program = _program_for(request.user, pk)
    action = request.POST.get("action")
    try:
        if action == "publish":
            edited = program.status == ProgramStatus.PUBLISHED
            services.publish_program(request.user, program)
            messages.success(request, _("Изменения утверждены и показаны в навигаторе.") if edited
                             else _("Программа опубликована в навигаторе."))
        elif action == "return":
            form = ReturnForm(request.POST, auto_id="id_return_%s")
            if not form.is_valid():
                return _render_program(request, program, return_form=form, status=400)
            edited = program.status == ProgramStatus.PUBLISHED
            services.return_program(request.user, program, form.cleaned_data["remark"])
            messages.success(request, _("Изменения возвращены на доработку, в навигаторе осталась "
                                        "опубликованная версия.") if edited
                             else _("Программа возвращена на доработку."))
        elif action == "approve_prices":
            services.approve_prices(request.user, program)
            messages.success(request, _("Новая стоимость утверждена и показана в навигаторе."))
        elif action == "return_prices":
            form = ReturnForm(request.POST, auto_id="id_return_%s")
            if not form.is_valid():
                return _render_program(request, program, return_form=form, status=400)
            services.return_prices(request.user, program, form.cleaned_data["remark"])
            messages.success(request, _("Новая стоимость возвращена организации, в навигаторе "
                                        "осталась прежняя."))
        elif action == "archive":
            form = ArchiveForm(request.POST, auto_id="id_archive_%s")
            if not form.is_valid():
                return _render_program(request, program, archive_form=form, status=400)
            services.archive_program(request.user, program, form.cleaned_data["reason"])
            messages.success(request, _("Программа перенесена в архив."))
        else:
            messages.error(request, _("Неизвестное действие."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("registry:program_detail", pk=program.pk)


# --- inventory ------------------------------------------------------------------


@section_page("territory")
def inventory(request):
    form = selectors.InventoryFilterForm(request.GET, user=request.user)
    queryset = form.filter(scope.territory(request.user, Program.objects.all()))
    return render(request, "registry/office/inventory.html", {
        "form": form,
        "ignored": form.ignored(),
        "inventory": selectors.inventory(queryset),
    })


# --- organizations --------------------------------------------------------------


def _can_create_organization(user) -> bool:
    return user.municipality_id is not None and scope.can(
        user, "registry.manage_organizations", Organization(municipality_id=user.municipality_id))


@section_page("territory")
def organizations(request):
    form = selectors.OrganizationFilterForm(request.GET, user=request.user)
    queryset = selectors.organization_rows(selectors.filter_organizations(
        selectors.registry_organizations(request.user), form))
    return render(request, "registry/office/organizations.html", {
        "form": form,
        "ignored": form.ignored(),
        "page": page_of(request, queryset.order_by("short_name", "pk")),
        "can_create": _can_create_organization(request.user),
    })


@section_page("territory")
def organizations_export(request):
    from opora.registry.exporters import OrganizationRegistryExporter

    queryset = selectors.filter_organizations(
        selectors.registry_organizations(request.user), request.GET, request.user)
    return OrganizationRegistryExporter(queryset).response(_export_format(request))


def _organization_for(user, pk):
    return get_object_or_404(
        scope.territory(user, Organization.objects.select_related("municipality")), pk=pk)


def _render_organization(request, organization, *, activity_form=None, status=200):
    user = request.user
    programs_ = (scope.visible(user, Program.objects.filter(organization=organization))
                 .order_by("title", "pk"))
    teachers = scope.visible(user, Teacher.objects.filter(organization=organization,
                                                          is_active=True))
    return render(request, "registry/office/organization_detail.html", {
        "organization": organization,
        "programs": programs_,
        "teacher_count": teachers.count(),
        "events": audit.timeline(organization),
        "can_manage": scope.can(user, "registry.manage_organizations", organization),
        "activity_form": activity_form or OrganizationActivityForm(
            initial={"active": "0" if organization.is_active else "1"}),
    }, status=status)


@section_page("territory")
def organization_detail(request, pk):
    return _render_organization(request, _organization_for(request.user, pk))


def _save_organization(request, form, organization=None):
    """Run the service on a valid form; its refusals land next to the form's fields."""
    data = form.data_for_service()
    if organization is None:
        data["municipality"] = request.user.municipality
    try:
        return services.save_organization(request.user, data, organization)
    except DomainError as error:
        add_domain_error(form, error)
        return None


@section_page("territory")
def organization_create(request):
    if not _can_create_organization(request.user):
        raise PermissionDenied
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organization = _save_organization(request, form)
        if organization is not None:
            messages.success(request, _("Организация добавлена в реестр."))
            return redirect("registry:organization_detail", pk=organization.pk)
    return render(request, "registry/office/organization_form.html", {
        "form": form,
        "organization": None,
        **_picker(),
    }, status=400 if form.errors else 200)


@section_page("territory")
def organization_edit(request, pk):
    organization = _organization_for(request.user, pk)
    if not scope.can(request.user, "registry.manage_organizations", organization):
        raise PermissionDenied
    # The form works on a copy: a refused save must not leave the page's card half-changed.
    form = OrganizationForm(request.POST or None,
                            instance=Organization.objects.get(pk=organization.pk))
    if request.method == "POST" and form.is_valid():
        saved = _save_organization(request, form, form.instance)
        if saved is not None:
            messages.success(request, _("Изменения сохранены."))
            return redirect("registry:organization_detail", pk=saved.pk)
    return render(request, "registry/office/organization_form.html", {
        "form": form,
        "organization": organization,
        **_picker(),
    }, status=400 if form.errors else 200)


def _picker() -> dict:
    """What the coordinates picker of the organization form needs: the tile server, where
    the map opens, and the region's box (docs/decisions.md, «The map»)."""
    return {"map_tiles": settings.OPORA_MAP_TILES, "map_attribution": settings.OPORA_MAP_ATTRIBUTION,
            "map_centre": ",".join(map(str, settings.OPORA_MAP_CENTRE)),
            "map_bounds": ",".join(map(str, settings.OPORA_REGION_BOUNDS))}


@require_POST
@section_page("territory")
def organization_activity(request, pk):
    """Switch an organization off (with a reason) or back on."""
    organization = _organization_for(request.user, pk)
    form = OrganizationActivityForm(request.POST)
    if not form.is_valid():
        return _render_organization(request, organization, activity_form=form, status=400)
    active = form.cleaned_data["active"]
    try:
        services.set_organization_active(request.user, organization, active,
                                         form.cleaned_data["reason"].strip())
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Организация включена.") if active
                         else _("Организация отключена."))
    return redirect("registry:organization_detail", pk=organization.pk)


urlpatterns = [
    path("programs/", programs, name="programs"),
    path("programs/export/", programs_export, name="programs_export"),
    path("programs/<int:pk>/", program_detail, name="program_detail"),
    path("programs/<int:pk>/moderate/", program_moderate, name="program_moderate"),
    path("moderation/", moderation, name="moderation"),
    path("inventory/", inventory, name="inventory"),
    path("organizations/", organizations, name="organizations"),
    path("organizations/export/", organizations_export, name="organizations_export"),
    path("organizations/new/", organization_create, name="organization_create"),
    path("organizations/<int:pk>/", organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/activity/", organization_activity,
         name="organization_activity"),
]
