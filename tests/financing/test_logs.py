"""One log line per state change of money, with identifiers only, written once the
transaction commits (``opora.logs``): a certificate issued, a contract made, signed and
ended with its reserve made and released."""

import datetime as dt
import json
import logging

import pytest
from django.db import transaction
from django.utils import timezone

from opora.enrollment import services
from opora.enrollment.models import ApplicationStatus as S
from opora.financing import certificates, contracts, settlement
from opora.financing.models import (
    CertificateKind,
    CertificateLedger,
    Contract,
    ContractStatus,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
)
from opora.logs import JsonFormatter
from tests.financing.conftest import certificate_only, make_certificate

pytestmark = pytest.mark.django_db

Y = timezone.localdate().year + 1


@pytest.fixture
def lines(caplog):
    caplog.set_level(logging.INFO, logger="opora")

    def read():
        return [(r.getMessage(), r.state) for r in caplog.records if hasattr(r, "state")]
    return read


def written(caplog) -> str:
    return "\n".join(JsonFormatter().format(r) for r in caplog.records if hasattr(r, "state"))


def test_issuing_a_certificate_is_one_line_without_personal_data(parent, child, operator, period, lines,
                                                                 caplog, django_capture_on_commit_callbacks):
    requested, _created = certificates.request_certificate(parent, child)

    with django_capture_on_commit_callbacks(execute=True):
        issued = certificates.issue_certificate(operator, requested)

    assert lines() == [("certificate.issued", {
        "certificate": issued.pk, "child": child.pk, "municipality": child.municipality_id,
        "kind": CertificateKind.FINANCING, "period": period.pk})]
    line = written(caplog)
    assert json.loads(line)["logger"] == "opora.financing.certificates"
    for personal in (child.last_name, child.first_name, child.birth_date.isoformat(), parent.email,
                     issued.number):
        assert personal not in line


def test_a_contract_logs_its_reserve_signature_and_end(staff, parent, child, next_period, certified_program,
                                                       lines, django_capture_on_commit_callbacks):
    certificate = make_certificate(child, next_period)
    group = certificate_only(certified_program, dt.date(Y, 9, 1), dt.date(Y, 12, 31), name="Осень")
    application = services.submit_application(parent, child, group)[0]
    ledger = CertificateLedger.objects.get(certificate=certificate, period=next_period)

    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_application(staff, application)
    contract = Contract.objects.get(application=application)
    ids = {"contract": contract.pk, "application": application.pk, "certificate": certificate.pk,
           "group": group.pk}
    assert lines() == [
        ("reserve.made", {"ledger": ledger.pk, "period": next_period.pk, "amount": "30000.00"}),
        ("contract.created", {**ids, "from_status": "", "to_status": ContractStatus.CONFIRMED}),
        ("application.status_changed", {"application": application.pk, "group": group.pk,
                                        "from_status": S.NEW, "to_status": S.AWAITING_CONTRACT}),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        contracts.accept_contract(parent, contract)
    assert lines()[3:] == [
        ("contract.signed", {**ids, "from_status": ContractStatus.CONFIRMED, "to_status": ContractStatus.ACTIVE}),
        ("application.status_changed", {"application": application.pk, "group": group.pk,
                                        "from_status": S.AWAITING_CONTRACT, "to_status": S.ENROLLED}),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        services.expel(staff, application, "Переезд")
    events = [event for event, _fields in lines()[5:]]
    assert events == ["reserve.released", "contract.ended", "application.status_changed", "seat.released"]
    assert lines()[6][1]["to_status"] == ContractStatus.CLOSED


def test_a_refused_confirmation_logs_nothing(staff, parent, child, next_period, certified_program, lines,
                                             django_capture_on_commit_callbacks):
    make_certificate(child, next_period)
    group = certificate_only(certified_program, dt.date(Y, 9, 1), dt.date(Y, 12, 31), name="Осень")
    application = services.submit_application(parent, child, group)[0]

    with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError),
          transaction.atomic()):
        services.confirm_application(staff, application)
        raise RuntimeError("rolled back after the reserve was made")

    assert callbacks == [] and lines() == []
    assert not Contract.objects.exists()


def test_an_invoice_sent_to_the_payer_is_one_line(staff, provider, lines, django_capture_on_commit_callbacks):
    invoice = Invoice.objects.create(municipality=provider.municipality, organization=provider,
                                     month=dt.date(Y, 10, 1), kind=InvoiceKind.FINAL)

    with django_capture_on_commit_callbacks(execute=True):
        settlement.submit_invoice(staff, invoice)

    assert lines() == [("invoice.status_changed", {
        "invoice": invoice.pk, "municipality": provider.municipality_id, "organization": provider.pk,
        "from_status": InvoiceStatus.DRAFT, "to_status": InvoiceStatus.SUBMITTED})]
