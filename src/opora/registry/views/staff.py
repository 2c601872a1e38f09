"""Pages of a provider's staff: their programs, modules, groups and teachers.

Every object is looked up among the rows the user may edit (``scope.actionable``),
so another organization's program, group or teacher is a 404. Changes go through
the registry services; their refusals are shown on the form fields."""

import copy

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.core.pages import page_of
from opora.errors import DomainError
from opora.registry import forms as f
from opora.registry import prices, revisions, services
from opora.registry.choices import ProgramStatus
from opora.registry.models import (
    Group,
    GroupFunding,
    Module,
    Program,
    ProgramRevision,
    ProposedFunding,
    ScheduleLine,
    Teacher,
)

S = ProgramStatus


def _own(request, queryset):
    return scope.actionable(request.user, "registry.edit", queryset)


def _get(request, queryset, pk):
    return get_object_or_404(_own(request, queryset), pk=pk)


def _program_groups_url(program_id):
    return reverse("registry:program_groups", args=[program_id])


# --- programs ------------------------------------------------------------------------


@section_page("registry.edit")
def my_programs(request):
    status = request.GET.get("status", "")
    programs = _own(request, Program.objects.all())
    counts = dict(programs.order_by().values_list("status").annotate(n=Count("pk")))
    listed = programs.annotate(groups_count=Count("modules__groups")).order_by("-updated_at", "pk")
    if status in S.values:
        listed = listed.filter(status=status)
    else:
        status = ""
    page = page_of(request, listed)
    statuses = [(value, label, counts.get(value, 0)) for value, label in S.choices]
    return render(request, "registry/staff/programs.html", {
        "page": page, "status": status, "statuses": statuses, "total": sum(counts.values()),
    })


def _moderated_fields(form):
    """Labels of the form's fields that do and do not send a published program back to
    moderation."""
    public = {*Program.PUBLIC_FIELDS, "partners"}
    labels = {True: [], False: []}
    for name, field in form.fields.items():
        label = str(field.label)
        labels[name in public].append(label[:1].lower() + label[1:])
    return labels[True], labels[False]


@section_page("registry.edit")
def program_create(request):
    form = f.ProgramForm(request.POST or None, request.FILES or None,
                         organization=request.user.organization)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.create_program(
                request.user, request.user.organization, f.service_data(form, exclude={"partners"}),
                partners=form.cleaned_data["partners"])
        except DomainError as error:
            f.attach_errors(form, error)
        else:
            messages.success(request, _("Программа «%(title)s» создана как черновик. Добавьте "
                                        "группы и отправьте её на модерацию.")
                             % {"title": program.title})
            return redirect(_program_groups_url(program.pk))
    return render(request, "registry/staff/program_form.html", {"form": form, "program": None})


@section_page("registry.edit")
def program_edit(request, pk):
    program = _get(request, Program.objects.all(), pk)
    was_published = program.status == S.PUBLISHED
    revision = ProgramRevision.objects.filter(program=program).first() if was_published else None
    if program.status in (S.MODERATING, S.ARCHIVE) or (revision is not None and revision.is_moderating):
        return render(request, "registry/staff/program_form.html",
                      {"program": program, "form": None, "revision": revision})
    # The form fills in a copy (of the published program with its edit so far): after a
    # refusal the page still names the saved program.
    shown = revisions.proposed(program, revision) if revision is not None else copy.copy(program)
    initial = ({"partners": revisions.partner_ids(program, revision)}
               if revision is not None and revision.partners is not None else None)
    form = f.ProgramForm(request.POST or None, request.FILES or None, instance=shown,
                         initial=initial, organization=request.user.organization)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.update_program(
                request.user, program, f.service_data(form, exclude={"partners"}),
                partners=form.cleaned_data["partners"])
        except DomainError as error:
            f.attach_errors(form, error)
        else:
            pending = ProgramRevision.objects.filter(
                program=program, status=ProgramRevision.Status.MODERATING).exists()
            if was_published and pending:
                messages.warning(request, _("Изменения отправлены на модерацию в МОЦ. До решения "
                                            "МОЦ родители видят опубликованную версию программы "
                                            "и могут на неё записываться."))
            else:
                messages.success(request, _("Изменения сохранены."))
            return redirect("registry:program_detail", pk=program.pk)
    public_fields, internal_fields = _moderated_fields(form) if was_published else (None, None)
    return render(request, "registry/staff/program_form.html", {
        "form": form, "program": program, "revision": revision,
        "public_fields": public_fields, "internal_fields": internal_fields,
    })


def _program_action(service, done_message, *, with_reason=False):
    @require_POST
    @section_page("registry.edit")
    def view(request, pk):
        program = _get(request, Program.objects.all(), pk)
        extra = {"reason": request.POST.get("reason", "")} if with_reason else {}
        try:
            service(request.user, program, **extra)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done_message)
        return redirect("registry:program_detail", pk=program.pk)

    return view


program_submit = _program_action(services.submit_program,
                                 gettext_lazy("Программа отправлена на модерацию в МОЦ."))
program_restore = _program_action(services.restore_program,
                                  gettext_lazy("Программа возвращена из архива в черновики."))
program_archive = _program_action(services.archive_program,
                                  gettext_lazy("Программа перенесена в архив."), with_reason=True)


@require_POST
@section_page("registry.edit")
def program_delete(request, pk):
    program = _get(request, Program.objects.all(), pk)
    try:
        services.delete_program(request.user, program)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_program_groups_url(program.pk))
    messages.success(request, _("Черновик «%(title)s» удалён.") % {"title": program.title})
    return redirect("registry:my_programs")


@section_page("registry.edit")
def program_groups(request, pk):
    """The program's modules with their groups: what staff keep between moderations."""
    groups = Group.objects.prefetch_related(
        Prefetch("schedule", queryset=ScheduleLine.objects.order_by("time_from", "pk")),
        Prefetch("funding", queryset=GroupFunding.objects.order_by("source")),
        Prefetch("proposed_funding", queryset=ProposedFunding.objects.order_by("source")),
        "teachers",
    )
    program = _get(request, Program.objects.prefetch_related(
        Prefetch("modules__groups", queryset=groups)), pk)
    return render(request, "registry/staff/program_groups.html", {
        "program": program, "editable": program.status != S.ARCHIVE,
        "deletable": program.status == S.INITIAL and program.published_at is None,
    })


# --- modules ---------------------------------------------------------------------------


def _module_page(request, program, module=None):
    if program.status == S.ARCHIVE:
        raise Http404
    initial = {}
    if module is None:
        next_year = max((m.year_of_study for m in program.modules.all()), default=0) + 1
        initial = {"year_of_study": next_year, "hours": program.hours_total,
                   "title": _("%(title)s. %(year)s-й год обучения")
                   % {"title": program.title, "year": next_year}}
    form = f.ModuleForm(request.POST or None, instance=module, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_module(request.user, program, f.service_data(form), module=module)
        except DomainError as error:
            f.attach_errors(form, error)
        else:
            messages.success(request, _("Модуль сохранён."))
            return redirect(_program_groups_url(program.pk))
    return render(request, "registry/staff/module_form.html",
                  {"form": form, "program": program, "module": module})


@section_page("registry.edit")
def module_create(request, pk):
    return _module_page(request, _get(request, Program.objects.all(), pk))


@section_page("registry.edit")
def module_edit(request, pk):
    module = _get(request, Module.objects.select_related("program"), pk)
    return _module_page(request, module.program, module)


@require_POST
@section_page("registry.edit")
def module_delete(request, pk):
    module = _get(request, Module.objects.all(), pk)
    try:
        services.delete_module(request.user, module)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Модуль «%(title)s» удалён.") % {"title": module.title})
    return redirect(_program_groups_url(module.program_id))


# --- groups ----------------------------------------------------------------------------


def _line_formsets(data, group):
    schedule = f.schedule_initial(group) if group else []
    funding = f.funding_initial(group) if group else []
    return (f.ScheduleFormSet(data, prefix="schedule", initial=schedule),
            f.FundingFormSet(data, prefix="funding", initial=funding))


def _line_data(rows):
    return [{name: value for name, value in row.cleaned_data.items() if name != "DELETE"}
            for row in rows]


def _group_page(request, module, group=None):
    program = module.program
    if program.status == S.ARCHIVE:
        raise Http404
    data = request.POST if request.method == "POST" else None
    initial = {} if group else {
        "age_min": program.age_min, "age_max": program.age_max, "hours_per_year": module.hours,
        "capacity_min": program.group_size_min, "capacity_max": program.group_size_max,
    }
    # The form and the service work on a copy: after a refusal the page still names the
    # saved group.
    form = f.GroupForm(data, instance=copy.copy(group) if group else Group(module=module),
                       initial=initial, organization=request.user.organization)
    schedule, funding = _line_formsets(data, group)
    # Validate all three, so every error shows at once.
    if data is not None and all([x.is_valid() for x in (form, schedule, funding)]):
        schedule_rows, funding_rows = f.filled_rows(schedule), f.filled_rows(funding)
        try:
            saved = services.save_group(
                request.user, module, f.service_data(form, exclude={"teachers"}),
                schedule=_line_data(schedule_rows), funding=_line_data(funding_rows),
                teachers=form.cleaned_data["teachers"], group=form.instance if group else None)
        except DomainError as error:
            f.attach_errors(form, error, {"schedule": (schedule, schedule_rows),
                                          "funding": (funding, funding_rows)})
        else:
            if saved.proposed_funding.exists():
                messages.warning(request, _(
                    "Группа «%(name)s» сохранена. Новая стоимость появится в навигаторе после "
                    "проверки МОЦ, до тех пор родители видят прежнюю.") % {"name": saved.name})
            else:
                messages.success(request, _("Группа «%(name)s» сохранена.") % {"name": saved.name})
            return redirect(_program_groups_url(program.pk))
    moderated = group is not None and program.status in prices.MODERATED
    return render(request, "registry/staff/group_form.html", {
        "form": form, "module": module, "program": program, "group": group,
        "prices_moderated": moderated,
        "published_funding": group.funding.order_by("source") if moderated else (),
        "price_proposed": moderated and group.proposed_funding.exists(),
        # the schedule's and funding's errors are far down a phone's page: the top says so too
        "lines_refused": data is not None and any(x.total_error_count() for x in (schedule, funding)),
        "line_formsets": [
            ("schedule", schedule, _("Расписание"), _("Добавить строку расписания")),
            ("funding", funding, _("Источники финансирования"),
             _("Добавить источник финансирования")),
        ],
    })


@section_page("registry.edit")
def group_create(request, pk):
    return _group_page(request, _get(request, Module.objects.select_related("program"), pk))


@section_page("registry.edit")
def group_edit(request, pk):
    group = _get(request, Group.objects.select_related("module__program"), pk)
    return _group_page(request, group.module, group)


@section_page("registry.edit")
def group_row(request, kind):
    """One blank formset row for htmx's «Добавить строку», with the formset's new total."""
    formset_class = f.LINE_FORMSETS.get(kind)
    if formset_class is None:
        raise Http404
    try:
        index = max(int(request.GET.get(f"{kind}-TOTAL_FORMS", 0)), 0)
    except ValueError:
        index = 0
    formset = formset_class(prefix=kind)
    row = formset.form(prefix=formset.add_prefix(index), empty_permitted=True,
                       use_required_attribute=False)
    formset.add_fields(row, None)
    return render(request, "registry/staff/_line_row.html", {
        "row": row, "kind": kind, "number": index + 1, "total": index + 1, "oob": True,
    })


@require_POST
@section_page("registry.edit")
def group_delete(request, pk):
    group = _get(request, Group.objects.select_related("module"), pk)
    try:
        services.delete_group(request.user, group)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Группа «%(name)s» удалена.") % {"name": group.name})
    return redirect(_program_groups_url(group.module.program_id))


# --- teachers ------------------------------------------------------------------------


@section_page("registry.edit")
def teachers(request):
    listed = _own(request, Teacher.objects.annotate(groups_count=Count("groups"))).order_by(
        "-is_active", "last_name", "first_name", "pk")
    page = page_of(request, listed)
    return render(request, "registry/staff/teachers.html", {"page": page})


def _teacher_page(request, teacher=None):
    form = f.TeacherForm(request.POST or None, instance=teacher)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_teacher(request.user, request.user.organization,
                                          f.service_data(form), teacher=teacher)
        except DomainError as error:
            f.attach_errors(form, error)
        else:
            messages.success(request, _("Педагог %(name)s сохранён.") % {"name": saved.full_name})
            return redirect("registry:teachers")
    return render(request, "registry/staff/teacher_form.html", {"form": form, "teacher": teacher})


@section_page("registry.edit")
def teacher_create(request):
    return _teacher_page(request)


@section_page("registry.edit")
def teacher_edit(request, pk):
    return _teacher_page(request, _get(request, Teacher.objects.all(), pk))


urlpatterns = [
    path("my/programs/", my_programs, name="my_programs"),
    path("my/programs/new/", program_create, name="program_create"),
    path("my/programs/<int:pk>/edit/", program_edit, name="program_edit"),
    path("my/programs/<int:pk>/groups/", program_groups, name="program_groups"),
    path("my/programs/<int:pk>/submit/", program_submit, name="program_submit"),
    path("my/programs/<int:pk>/restore/", program_restore, name="program_restore"),
    path("my/programs/<int:pk>/archive/", program_archive, name="program_archive"),
    path("my/programs/<int:pk>/delete/", program_delete, name="program_delete"),
    path("my/programs/<int:pk>/modules/new/", module_create, name="module_create"),
    path("my/modules/<int:pk>/edit/", module_edit, name="module_edit"),
    path("my/modules/<int:pk>/delete/", module_delete, name="module_delete"),
    path("my/modules/<int:pk>/groups/new/", group_create, name="group_create"),
    path("my/groups/<int:pk>/edit/", group_edit, name="group_edit"),
    path("my/groups/<int:pk>/delete/", group_delete, name="group_delete"),
    path("my/groups/row/<slug:kind>/", group_row, name="group_row"),
    path("my/teachers/", teachers, name="teachers"),
    path("my/teachers/new/", teacher_create, name="teacher_create"),
    path("my/teachers/<int:pk>/edit/", teacher_edit, name="teacher_edit"),
]
