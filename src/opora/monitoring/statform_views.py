"""«Форма 1-ДОП»: the statistics form of an organization (its staff), of a municipality
and any of its organizations (the МОЦ, the education authority), of the region and any
territory (the РМЦ); its Excel file; the layout the РМЦ edits."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.accounts.models import Role
from opora.core.exporters import Column, Kind, Sheet, sheets_response
from opora.errors import PermissionDenied, ValidationFailed
from opora.monitoring import services, statform
from opora.registry.models import Municipality, Organization

FIRST_YEAR = 2020


def default_year(today) -> int:
    """The form is filed in January for the year before; in December the year is nearly
    over, and the form of the current year (as of today's data) is the one being prepared."""
    return today.year if today.month == 12 else today.year - 1


class StatFormFilter(forms.Form):
    year = forms.TypedChoiceField(label=_("Год (на 31 декабря)"), coerce=int)
    municipality = forms.ModelChoiceField(label=_("Муниципалитет"), required=False,
                                          queryset=Municipality.objects.none(),
                                          empty_label=_("Весь регион"))
    organization = forms.ModelChoiceField(label=_("Организация"), required=False,
                                          queryset=Organization.objects.none(),
                                          empty_label=_("Все организации (сводная)"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].choices = [(y, y) for y in range(today.year, FIRST_YEAR - 1, -1)]
        self.fields["year"].initial = default_year(today)
        self.region = scope.holds_region(user, "monitoring.statform")
        municipalities = scope.actionable(user, "monitoring.statform",
                                          Municipality.objects.order_by("name"))
        organizations = scope.actionable(user, "monitoring.statform",
                                         Organization.objects.order_by("short_name", "pk"))
        self.fields["municipality"].queryset = municipalities
        self.fields["organization"].queryset = organizations.only("pk", "short_name",
                                                                   "municipality_id")
        if not self.region:
            del self.fields["municipality"]
        self.own_organization = user.role == Role.ORGANIZATION_STAFF
        if self.own_organization:
            self.fields["organization"].empty_label = None

    def territory(self):
        """(year, organization, municipality) chosen; the default of a field that is not
        given or not valid."""
        data = {}
        if self.is_bound:
            self.is_valid()  # fills cleaned_data with the fields that are valid
            data = self.cleaned_data
        year = data.get("year") or self.fields["year"].initial
        organization = data.get("organization")
        municipality = data.get("municipality")
        if organization is None and "municipality" not in self.fields:
            own = self.fields["organization"].queryset
            if self.own_organization:
                organization = own.first()
            else:
                municipality = Municipality.objects.filter(
                    pk__in=own.values("municipality_id")).first()
        if organization is not None:
            municipality = None
        return year, organization, municipality


def _form(request):
    form = StatFormFilter(request.GET or None, user=request.user)
    year, organization, municipality = form.territory()
    sections = services.statform(request.user, year, organization=organization,
                                 municipality=municipality)
    if organization is not None:
        subject = organization.short_name
    elif municipality is not None:
        subject = gettext("%(name)s: сумма по организациям") % {"name": municipality.name}
    else:
        subject = gettext("Регион: сумма по организациям")
    return form, year, subject, sections


@section_page("monitoring.statform")
def page(request):
    form, year, subject, sections = _form(request)
    return render(request, "monitoring/statform.html", {
        "form": form, "year": year, "subject": subject, "sections": sections,
        "query": request.GET.urlencode(),
        "may_edit_layout": scope.may_open(request.user, "monitoring.statform_layout"),
    })


def sheets(sections, year, subject) -> list[Sheet]:
    """The form's sections as sheets of the exporter base: the section and the date named
    above each table, rows and columns with the codes the statistics office uses."""
    result = []
    for section in sections:
        columns = [Column(gettext("Наименование"), None, kind=Kind.TEXT),
                   Column(gettext("№ строки"), None, kind=Kind.ID),
                   *[Column(f"{column['code']}. {column['label']}", None, kind=Kind.COUNT)
                     for column in section["columns"]]]
        result.append(Sheet(
            gettext("Раздел %(code)s") % {"code": section["code"]}, columns,
            [[row["label"], row["code"], *row["cells"]] for row in section["rows"]],
            caption=gettext("Форма 1-ДОП. Раздел %(code)s. %(title)s") % section,
            heading=[(gettext("Организация или территория"), subject),
                     (gettext("По состоянию на"), f"31.12.{year}"),
                     (gettext("Единица"), section["unit"])]))
    return result


@section_page("monitoring.statform")
def export(request):
    """The form as a workbook (.xlsx, or .ods): a sheet per section."""
    _form_, year, subject, sections = _form(request)
    found = sheets(sections, year, subject)
    return sheets_response(request, found, f"1-ДОП {year}", f"1-dop-{year}")


class LayoutForm(forms.Form):
    text = forms.CharField(label=_("Макет формы"), widget=forms.Textarea(attrs={
        "rows": 30, "spellcheck": "false", "class": "code"}))


@section_page("monitoring.statform_layout")
def layout(request):
    text, _layout, stored = services.statform_layout()
    form = LayoutForm(request.POST or None, initial={"text": text})
    if request.method == "POST":
        try:
            if "reset" in request.POST:
                services.reset_statform_layout(request.user)
                messages.success(request, gettext("Восстановлен макет по умолчанию."))
                return redirect("monitoring:statform_layout")
            if form.is_valid():
                services.save_statform_layout(request.user, form.cleaned_data["text"])
                messages.success(request, gettext("Макет формы сохранён."))
                return redirect("monitoring:statform_layout")
        except ValidationFailed as error:
            for problems in error.errors.values():
                for problem in problems:
                    form.add_error("text", problem)
        except PermissionDenied as error:
            form.add_error(None, str(error))
    return render(request, "monitoring/statform_layout.html", {
        "form": form, "stored": stored,
        "keys": statform.KEYS.values(), "measures": statform.MEASURES,
    })

