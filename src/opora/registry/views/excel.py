"""Import of programs and groups from Excel: the template to fill in, the upload, and
the import's own page: its progress while the background task runs, then the result
(the created programs, or every bad row with its sheet, row and column).

Staff import into their own organization; a МОЦ operator chooses an organization
of their municipality. Both lists come from ``scope.actionable``; the service
checks the permission again.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.accounts.models import Role
from opora.core.exporters import CONTENT_TYPES, ODS_CONTENT_TYPE, XLSX_CONTENT_TYPE, attachment_header, export_format
from opora.errors import PermissionDenied as DomainPermissionDenied
from opora.errors import ValidationFailed
from opora.registry import excel_file, excel_import, import_jobs
from opora.registry.choices import ImportStatus
from opora.registry.models import Organization

XLSX_ACCEPT = f".xlsx,.ods,{XLSX_CONTENT_TYPE},{ODS_CONTENT_TYPE}"
RECENT_JOBS = 10


def _organizations(user):
    return scope.actionable(user, "registry.import",
                            Organization.objects.select_related("municipality").order_by("short_name", "pk"))


class ImportForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Организация"),
                                          empty_label=_("— выберите организацию —"))
    file = forms.FileField(
        label=_("Файл таблицы (.xlsx или .ods)"),
        help_text=_("Заполненный шаблон: листы «Программы» и «Группы»."),
        widget=forms.ClearableFileInput(attrs={"accept": XLSX_ACCEPT}),
    )
    keep_valid = forms.BooleanField(
        label=_("Сохранить корректные строки, пропустить ошибочные"), required=False,
        help_text=_("Без отметки файл с ошибками не загружается совсем."))

    def __init__(self, *args, organizations, single=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.single = single
        if single is not None:
            del self.fields["organization"]

    def chosen_organization(self):
        return self.single or self.cleaned_data["organization"]


@section_page("registry.import")
def import_page(request):
    organizations = _organizations(request.user)
    if not organizations.exists():
        raise PermissionDenied
    # Staff import into their own organization: nothing to choose.
    single = organizations.first() if request.user.role == Role.ORGANIZATION_STAFF else None
    form = ImportForm(request.POST or None, request.FILES or None, organizations=organizations, single=single)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_jobs.queue_import(request.user, form.chosen_organization(), form.cleaned_data["file"],
                                           keep_valid=form.cleaned_data["keep_valid"])
        except ValidationFailed as error:
            form.add_error("file", error.message)
        except DomainPermissionDenied:
            raise PermissionDenied from None
        else:
            return redirect("registry:import_job", job.pk)
    return render(request, "registry/excel/import.html", {
        "form": form,
        "organizations": organizations,
        "jobs": import_jobs.visible_jobs(request.user)[:RECENT_JOBS],
        "section": "import",
        "max_megabytes": excel_file.max_file_megabytes(),
        "max_rows": excel_import.MAX_ROWS,
        "max_columns": excel_file.MAX_COLUMNS,
    }, status=400 if form.errors else 200)


@section_page("registry.import")
def import_job(request, pk):
    """One import: its progress while the worker reads the file (the page asks again every
    few seconds), then its result. Roles that import nothing get a 403; those who may
    import, but not for this organization, a 404."""
    job = get_object_or_404(import_jobs.visible_jobs(request.user), pk=pk)
    return render(request, "registry/excel/job.html", {
        "job": job,
        "result": import_jobs.outcome(job) if job.status == ImportStatus.DONE else None,
        "organization": job.organization,
        "percent": job.rows_checked * 100 // job.rows_total if job.rows_total else 0,
        "section": "import",
    })


@section_page("registry.import")
def import_template(request):
    """The template for one organization, .xlsx or (``?format=ods``) .ods: its teachers fill
    the list on «Справочники»."""
    from opora.registry.excel_template import build_template  # openpyxl only when needed

    organizations = _organizations(request.user)
    if not organizations.exists():
        raise PermissionDenied
    chosen = request.GET.get("organization", "")
    if chosen.isdigit():
        organization = get_object_or_404(organizations, pk=chosen)
    elif request.user.role == Role.ORGANIZATION_STAFF:
        organization = organizations.first()
    else:
        return redirect("registry:import")
    file_format = export_format(request, allowed=("xlsx", "ods"))
    response = HttpResponse(build_template(organization, file_format), content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = attachment_header(
        _("Шаблон загрузки программ — %(organization)s") % {"organization": organization.short_name}
        + f".{file_format}", f"programs-import-template.{file_format}")
    return response


urlpatterns = [
    path("import/", import_page, name="import"),
    path("import/template/", import_template, name="import_template"),
    path("import/<int:pk>/", import_job, name="import_job"),
]
