"""Pages of the certification of modules under ``office/financing/``: the provider's
«Сертификация» of a program (the price asked for each module next to its normative cost
and cap) and the list of requests, where the МОЦ operator certifies or refuses; the
education authority and the РМЦ read it, a provider sees its own requests."""


from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opora import audit
from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.core.forms import attach_errors
from opora.core.http import found_or_404
from opora.core.pages import page_of
from opora.errors import DomainError, ValidationFailed
from opora.financing import certification as service
from opora.financing import selectors
from opora.financing.forms import (
    CertificationDecisionForm,
    CertificationFilterForm,
    CertificationRequestForm,
)
from opora.financing.models import CertificationStatus, ModuleCertification
from opora.registry.models import Module, Program


def _module_rows(program, forms_):
    certifications = {c.module_id: c for c in ModuleCertification.objects.filter(
        module__program=program).select_related("decided_by")}
    rows = []
    for module in program.modules.all():
        module.program = program
        try:
            normative, cap, _used = service.compute(module)
            problem = ""
        except ValidationFailed as error:
            normative = cap = None
            problem = error.message
        rows.append({"module": module, "certification": certifications.get(module.pk),
                     "normative": normative, "cap": cap, "problem": problem,
                     "form": forms_.get(module.pk) or CertificationRequestForm(prefix=f"m{module.pk}")})
    return rows


@section_page("back_office")
def program_certification(request, pk):
    queryset = Program.objects.select_related("organization__municipality")
    program = get_object_or_404(scope.territory(request.user, queryset), pk=pk)
    may_request = scope.can(request.user, "financing.provide", program.organization)
    forms_, status = {}, 200
    if request.method == "POST":
        if not may_request:
            raise PermissionDenied
        module_id = request.POST.get("module", "")
        if not module_id.isdigit():
            raise Http404
        module = get_object_or_404(Module, pk=int(module_id), program=program)
        form = CertificationRequestForm(request.POST, prefix=f"m{module.pk}")
        forms_[module.pk] = form
        if form.is_valid():
            try:
                service.request_certification(request.user, module, form.cleaned_data["price"])
            except DomainError as error:
                attach_errors(form, error)
            else:
                messages.success(request, _("Модуль «%(title)s» отправлен на сертификацию.")
                                 % {"title": module.title})
                return redirect("financing:program_certification", pk=program.pk)
        status = 400
    return render(request, "financing/certification/program.html", {
        "program": program, "rows": _module_rows(program, forms_), "may_request": may_request,
        "cap_share": service.cap_share_for(program.organization.municipality),
    }, status=status)


@section_page("back_office")
def queue(request):
    form = CertificationFilterForm(request.GET or None)
    chosen = form.cleaned_data["status"] if form.is_valid() else ""
    page = page_of(request, selectors.certifications(request.user, chosen))
    for certification in page:
        certification.may_decide = (certification.status == CertificationStatus.AWAITING and scope.can(
            request.user, "financing.certify", certification))
        share = certification.parameters.get("price_cap_share")
        certification.cap = certification.parameters.get("price_cap") if share else None
    return render(request, "financing/certification/queue.html", {
        "form": form, "page": page, "decision_form": CertificationDecisionForm()})


@section_page("back_office")
def detail(request, pk):
    certification = found_or_404(selectors.certification_for, request.user, pk)
    return render(request, "financing/certification/detail.html", {
        "certification": certification,
        "may_decide": (certification.status == CertificationStatus.AWAITING
                       and scope.can(request.user, "financing.certify", certification)),
        "decision_form": CertificationDecisionForm(),
        "events": audit.timeline(certification),
    })


@require_POST
@section_page("back_office")
def decide(request, pk):
    certification = found_or_404(selectors.certification_for, request.user, pk)
    if not scope.can(request.user, "financing.certify", certification):
        raise PermissionDenied
    form = CertificationDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Выберите решение."))
        return redirect("financing:certification", pk=certification.pk)
    try:
        if form.cleaned_data["action"] == "certify":
            service.certify_module(request.user, certification)
            done = _("Модуль «%(title)s» сертифицирован.")
        else:
            service.refuse_certification(request.user, certification, form.cleaned_data["remark"])
            done = _("В сертификации модуля «%(title)s» отказано.")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"title": certification.module.title})
    if request.POST.get("back") == "queue":
        return redirect("financing:certification_queue")
    return redirect("financing:certification", pk=certification.pk)


urlpatterns = [
    path("office/financing/programs/<int:pk>/certification/", program_certification,
         name="program_certification"),
    path("office/financing/certification/", queue, name="certification_queue"),
    path("office/financing/certification/<int:pk>/", detail, name="certification"),
    path("office/financing/certification/<int:pk>/decide/", decide, name="certification_decide"),
]
