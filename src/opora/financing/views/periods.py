"""Pages of the payer's settings under ``office/financing/``: the financing periods of
the municipality (list, new, edit with warnings and the history of changes) and the
parameters of the normative cost (town and rural sets). The МОЦ operator and the
education authority change them; the РМЦ reads the periods of the region."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from opora import audit
from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.core.forms import attach_errors
from opora.core.http import found_or_404
from opora.core.pages import page_of
from opora.errors import DomainError
from opora.financing import periods as service
from opora.financing import selectors
from opora.financing.forms import CostParametersForm, PeriodForm
from opora.financing.models import CostParameters

# The service names shares as fractions; the form asks for percents.
FORM_FIELDS = {"advance_share": "advance_percent", "price_cap_share": "price_cap_percent",
               "staff_development_share": "staff_development_percent"}


def _attach(form, error: DomainError) -> None:
    errors = getattr(error, "errors", None)
    if errors:
        error.errors = {FORM_FIELDS.get(field, field): messages_ for field, messages_ in errors.items()}
    elif error.field in FORM_FIELDS:
        error.field = FORM_FIELDS[error.field]
    attach_errors(form, error)


def _configures(user) -> bool:
    return user.municipality_id is not None and scope.can(user, "financing.configure",
                                                          user.municipality)


@section_page("territory")
def periods(request):
    listed = selectors.periods_for(request.user)
    page = page_of(request, listed)
    for period in page:
        period.warnings = selectors.period_warnings(period)
    return render(request, "financing/periods/list.html", {
        "page": page, "may_edit": _configures(request.user)})


@section_page("territory")
def period_create(request):
    if not _configures(request.user):
        raise PermissionDenied
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period = service.save_period(request.user, request.user.municipality, form.period_data())
        except DomainError as error:
            _attach(form, error)
        else:
            messages.success(request, _("Период «%(title)s» создан.") % {"title": period.title})
            return redirect("financing:period_edit", pk=period.pk)
    return render(request, "financing/periods/form.html", {"form": form, "period": None},
                  status=400 if form.errors else 200)


@section_page("territory")
def period_edit(request, pk):
    period = found_or_404(selectors.period_for, request.user, pk)
    may_edit = scope.can(request.user, "financing.configure", period)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    form = PeriodForm(request.POST or None, initial=PeriodForm.initial_of(period))
    if request.method == "POST" and form.is_valid():
        try:
            period = service.save_period(request.user, period.municipality, form.period_data(),
                                         period=period)
        except DomainError as error:
            _attach(form, error)
        else:
            messages.success(request, _("Период сохранён."))
            return redirect("financing:period_edit", pk=period.pk)
    return render(request, "financing/periods/form.html", {
        "form": form, "period": period, "may_edit": may_edit,
        "warnings": selectors.period_warnings(period),
        "events": audit.timeline(period),
    }, status=400 if form.errors else 200)


@section_page("territory")
def cost_parameters(request):
    user = request.user
    municipality = user.municipality
    if municipality is None or not scope.can(user, "financing.configure", municipality):
        raise PermissionDenied
    current = {p.is_rural: p for p in CostParameters.objects.filter(municipality=municipality)}
    forms_ = {}
    for is_rural, prefix in ((False, "town"), (True, "rural")):
        posted = request.method == "POST" and request.POST.get("area") == prefix
        forms_[prefix] = CostParametersForm(request.POST if posted else None, prefix=prefix,
                                            initial=CostParametersForm.initial_of(current.get(is_rural)))
        form = forms_[prefix]
        if posted and form.is_valid():
            try:
                service.save_cost_parameters(user, municipality, is_rural, form.parameters_data())
            except DomainError as error:
                _attach(form, error)
            else:
                messages.success(request, _("Параметры сохранены."))
                return redirect("financing:cost_parameters")
    events = sorted((e for p in current.values() for e in audit.timeline(p)),
                    key=lambda e: (e.created_at, e.pk))
    failed = any(f.errors for f in forms_.values())
    return render(request, "financing/periods/cost_parameters.html", {
        "town": forms_["town"], "rural": forms_["rural"], "municipality": municipality,
        "events": events,
    }, status=400 if failed else 200)


urlpatterns = [
    path("office/financing/periods/", periods, name="periods"),
    path("office/financing/periods/new/", period_create, name="period_create"),
    path("office/financing/periods/<int:pk>/", period_edit, name="period_edit"),
    path("office/financing/cost-parameters/", cost_parameters, name="cost_parameters"),
]
