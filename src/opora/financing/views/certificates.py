"""Pages of certificates: the parent's ``cabinet/certificate/`` (a card per child: request,
number, kind, status, validity, money of the current and next period, contracts) and the
register of the МОЦ, the education authority and the РМЦ under
``office/financing/certificates/`` (filters, Excel, the card with the decisions and the
history). Decisions are the МОЦ operator's; the others read."""


from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opora import audit
from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.core.exporters import export_format
from opora.core.http import found_or_404
from opora.core.pages import page_of
from opora.enrollment import selectors as enrollment_selectors
from opora.errors import DomainError
from opora.financing import certificates as service
from opora.financing import selectors
from opora.financing.forms import CertificateDecisionForm, CertificateFilterForm, CertificateRequestForm
from opora.financing.models import CertificateStatus
from opora.registry.models import Municipality

S = CertificateStatus


# --- the parent's cabinet ------------------------------------------------------------


@section_page("cabinet")
def cabinet(request):
    return render(request, "financing/certificates/cabinet.html", {
        "cards": selectors.certificate_cards(request.user),
        "request_form": CertificateRequestForm(),
    })


def _child_of(request, uuid):
    return found_or_404(enrollment_selectors.child_for, request.user, uuid)


@require_POST
@section_page("cabinet")
def request_certificate(request, uuid):
    child = _child_of(request, uuid)
    form = CertificateRequestForm(request.POST)
    wants = form.cleaned_data["wants_financing"] if form.is_valid() else True
    try:
        certificate, _created = service.request_certificate(request.user, child, wants_financing=wants)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if certificate.status == S.REQUESTED:
            messages.success(request, _("Заявление на сертификат для ребёнка %(name)s подано. "
                                        "Муниципальный опорный центр проверит документы и выдаст "
                                        "сертификат.") % {"name": child.full_name})
        else:
            messages.info(request, _("У ребёнка уже есть сертификат."))
    # Asked for on the apply page of a group: back there, to file the application.
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("financing:cabinet_certificate")


@require_POST
@section_page("cabinet")
def ask_for_financing(request, uuid):
    child = _child_of(request, uuid)
    certificate = getattr(child, "certificate", None)
    if certificate is None:
        raise Http404(_("Сертификат не найден."))
    try:
        certificate = service.ask_for_financing(request.user, certificate)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if certificate.kind == "financing":
            messages.success(request, _("Сертификат стал сертификатом финансирования."))
        else:
            messages.success(request, _("Сертификат поставлен в очередь на финансирование."))
    return redirect("financing:cabinet_certificate")


# --- the register --------------------------------------------------------------------


def _filtered(request):
    form = CertificateFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    return form, selectors.filter_certificates(selectors.register(request.user), params)


def _decides(user) -> bool:
    """May the user issue and refuse certificates of their municipality?"""
    municipality_id = scope.acting_municipality_id(user) or user.municipality_id
    return bool(municipality_id) and scope.can(user, "financing.certificates",
                                               Municipality(pk=municipality_id))


@section_page("financing.certificates")
def register(request):
    form, queryset = _filtered(request)
    queryset = selectors.with_current_ledger(queryset, paid=False).order_by("-requested_at", "-pk")
    page = page_of(request, queryset)
    for certificate in page:
        certificate.balance = selectors.balance_of(certificate)
    return render(request, "financing/certificates/register.html", {
        "form": form, "page": page,
        "may_decide": _decides(request.user),
    })


@section_page("financing.certificates")
def register_export(request):
    from opora.financing.exporters import CertificateRegisterExporter

    _form, queryset = _filtered(request)
    return CertificateRegisterExporter(queryset.order_by("number", "pk")).response(export_format(request))


def _render_card(request, certificate, form=None, status=200):
    ledgers = list(certificate.ledgers.select_related("period").order_by("period__starts_on"))
    return render(request, "financing/certificates/card.html", {
        "certificate": certificate,
        "ledgers": ledgers,
        "contracts": list(certificate.contracts.select_related(*selectors.CONTRACT_RELATED)
                          .order_by("-starts_on", "-pk")),
        "queue_position": selectors.queue_position(certificate),
        "may_decide": scope.can(request.user, "financing.certificates", certificate),
        "form": form or CertificateDecisionForm(),
        "events": audit.timeline(certificate),
    }, status=status)


DECISIONS = {
    "issue": (lambda actor, c, reason: service.issue_certificate(actor, c),
              gettext_lazy("Сертификат выдан.")),
    "refuse": (service.refuse_certificate, gettext_lazy("В выдаче сертификата отказано.")),
    "freeze": (service.freeze_certificate, gettext_lazy("Сертификат заморожен.")),
    "unfreeze": (service.unfreeze_certificate, gettext_lazy("Сертификат разморожен.")),
}


@section_page("financing.certificates")
def card(request, pk):
    certificate = found_or_404(selectors.certificate_for, request.user, pk)
    if request.method != "POST":
        return _render_card(request, certificate)
    if not scope.can(request.user, "financing.certificates", certificate):
        raise PermissionDenied
    form = CertificateDecisionForm(request.POST)
    if not form.is_valid():
        return _render_card(request, certificate, form, status=400)
    decide, done = DECISIONS[form.cleaned_data["action"]]
    try:
        decide(request.user, certificate, form.cleaned_data["reason"])
    except DomainError as error:
        form.add_error("reason" if error.field == "reason" else None, error.message)
        return _render_card(request, certificate, form, status=400)
    messages.success(request, done)
    return redirect("financing:certificate", pk=certificate.pk)


urlpatterns = [
    path("cabinet/certificate/", cabinet, name="cabinet_certificate"),
    path("cabinet/certificate/<uuid:uuid>/request/", request_certificate,
         name="certificate_request"),
    path("cabinet/certificate/<uuid:uuid>/financing/", ask_for_financing,
         name="certificate_financing"),
    path("office/financing/certificates/", register, name="certificates"),
    path("office/financing/certificates/export/", register_export, name="certificates_export"),
    path("office/financing/certificates/<int:pk>/", card, name="certificate"),
]
