"""Financing fixtures on top of the shared personas: the city's current financing
period, a child of «parent» with an issued financing certificate and its ledger, and a
program of «provider» with a certified module and a group funded by certificates only.

They build rows directly (the services are tested on their own); ``make_certificate``
gives any child an issued certificate with a ledger in a period, ``make_contract`` a
contract with hand-chosen monthly amounts for the settlement's tests."""

import csv
import datetime as dt
import io
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from opora.audit.models import AuditEvent
from opora.enrollment.models import Application, ApplicationStatus, Channel
from opora.enrollment.seats import recount_seats
from opora.financing import settlement
from opora.financing.models import (
    Certificate,
    CertificateKind,
    CertificateLedger,
    CertificateStatus,
    CertificationStatus,
    Contract,
    ContractMonth,
    ContractStatus,
    FinancingPeriod,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    ModuleCertification,
)
from opora.registry.choices import FundingSource, ProgramStatus
from opora.registry.models import Group, GroupFunding
from tests import factories as f
from tests.enrollment.conftest import add_child, open_group


def make_period(municipality, **kw):
    today = timezone.localdate()
    kw.setdefault("title", f"ПФДО {today.year}")
    kw.setdefault("starts_on", dt.date(today.year, 1, 1))
    kw.setdefault("ends_on", dt.date(today.year + 1, 8, 31))
    kw.setdefault("budget", Decimal("1000000.00"))
    kw.setdefault("certificates_cap", 100)
    kw.setdefault("nominal", Decimal("30000.00"))
    return FinancingPeriod.objects.create(municipality=municipality, **kw)


def make_certificate(child, period=None, *, number=None, nominal=None, kind=CertificateKind.FINANCING):
    """An issued certificate of ``child`` with a ledger in ``period`` (financing)."""
    now = timezone.now()
    certificate = Certificate.objects.create(
        child=child, municipality=child.municipality, kind=kind, status=CertificateStatus.ISSUED,
        number=number or f"{child.pk:010d}", requested_at=now, decided_at=now,
        valid_until=dt.date(child.birth_date.year + 18, child.birth_date.month, 1))
    if period is not None and kind == CertificateKind.FINANCING:
        CertificateLedger.objects.create(certificate=certificate, period=period,
                                         nominal=nominal if nominal is not None else period.nominal)
        FinancingPeriod.objects.filter(pk=period.pk).update(
            financing_places=period.financing_places + 1)
        period.refresh_from_db()
    return certificate


NEXT_YEAR = timezone.localdate().year + 1


def paid_only_by(group, source=FundingSource.CERTIFICATE, *, monthly_price=Decimal("9000.00"),
                 total_price=Decimal("36000.00")):
    """Make ``group`` paid for by ``source`` only (36,000 ₽ a module by default)."""
    group.funding.all().delete()
    GroupFunding.objects.create(group=group, source=source, monthly_price=monthly_price,
                                total_price=total_price)
    return group


def certificate_only(program, start, end, source=FundingSource.CERTIFICATE, **kw):
    """A group of ``program`` from ``start`` to ``end`` taking applications now, paid for
    by ``source`` only (36,000 ₽ a module)."""
    kw.setdefault("capacity_max", 5)
    return paid_only_by(open_group(program, start_date=start, end_date=end, **kw), source)


def autumn_group(program, source=FundingSource.CERTIFICATE, **kw):
    """A group of 1 September – 31 December of next year (122 days) taking applications
    now, paid for by ``source`` only."""
    return certificate_only(program, dt.date(NEXT_YEAR, 9, 1), dt.date(NEXT_YEAR, 12, 31), source, **kw)


def certify(module, price=Decimal("36000.00"), normative=Decimal("30000.00")):
    return ModuleCertification.objects.create(
        module=module, status=CertificationStatus.CERTIFIED, price=price, normative_cost=normative,
        requested_at=timezone.now(), decided_at=timezone.now())


def today_is(monkeypatch, day):
    """Move «today» of the services (the enrolment date checks and the contracts)."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


# --- settlement: contracts built directly with hand-chosen monthly amounts -------------

OCT = dt.date(2026, 10, 1)
NOV = dt.date(2026, 11, 1)
DEC = dt.date(2026, 12, 1)
_contract_numbers = itertools.count(1)


def on_day(monkeypatch, day: dt.date):
    """Move «today» of the settlement."""
    monkeypatch.setattr(settlement, "local_today", lambda: day)


def make_contract(certificate, group, period, months, *, status=ContractStatus.ACTIVE, cancelled=()):
    """A contract of ``certificate`` in ``group`` with the certificate paying ``months``
    ({first day: amount}); its reserve is put on the ledger and the period, as the
    contract's confirmation does."""
    application = Application.objects.create(
        child=certificate.child, group=group, status=ApplicationStatus.ENROLLED, channel=Channel.CABINET,
        status_changed_at=timezone.now())
    recount_seats(Group.objects.filter(pk=group.pk))
    first, last = min(months), max(months)
    part = sum(months.values(), Decimal("0.00"))
    ledger = CertificateLedger.objects.get(certificate=certificate, period=period)
    contract = Contract.objects.create(
        number=f"Д-{next(_contract_numbers):05d}", application=application, certificate=certificate,
        period=period, ledger=ledger,
        organization=group.module.program.organization, module=group.module, group=group, status=status,
        signed_on=first, starts_on=first, ends_on=dt.date(last.year, last.month, 28), total=part,
        normative=part, certificate_part=part, parent_part=Decimal("0.00"))
    ContractMonth.objects.bulk_create([
        ContractMonth(contract=contract, month=month, certificate_amount=amount, parent_amount=Decimal("0.00"),
                      cancelled=month in cancelled)
        for month, amount in months.items()])
    reserve = sum((a for m, a in months.items() if m not in cancelled), Decimal("0.00"))
    ledger.committed += reserve
    ledger.save()
    FinancingPeriod.objects.filter(pk=period.pk).update(committed=period.committed + reserve)
    period.refresh_from_db()
    return contract


def settle_early(contract, *months):
    """Settle ``months`` of ``contract`` as a final invoice does — its line on the
    provider's final invoice of the month — without the money (a test moves the ledger
    itself when it matters)."""
    for row in contract.months.filter(month__in=months):
        invoice, _ = Invoice.objects.get_or_create(
            municipality=contract.period.municipality, organization=contract.organization, month=row.month,
            kind=InvoiceKind.FINAL)
        InvoiceLine.objects.create(invoice=invoice, contract=contract, contract_number=contract.number,
                                   certificate_number="", month_amount=row.certificate_amount,
                                   amount=row.certificate_amount)


def snapshot():
    """Every row settlement may touch, as plain values."""
    return {
        "invoices": list(Invoice.objects.order_by("pk").values()),
        "lines": list(InvoiceLine.objects.order_by("pk").values()),
        "ledgers": list(CertificateLedger.objects.order_by("pk").values()),
        "months": list(ContractMonth.objects.order_by("pk").values()),
        "periods": list(FinancingPeriod.objects.order_by("pk").values()),
        "events": AuditEvent.objects.count(),
    }


@pytest.fixture
def period(city):
    return make_period(city)


@pytest.fixture
def certified_program(provider):
    program = f.program(provider, status=ProgramStatus.PUBLISHED, title="Робототехника ПФДО")
    certify(program.modules.get())
    return program


@pytest.fixture
def certificate_group(certified_program):
    """A group open for enrolment, paid for by certificates only (36,000 ₽ a module)."""
    return paid_only_by(open_group(certified_program, name="Роботы-сертификат", capacity_max=5),
                        monthly_price=Decimal("4000.00"))


@pytest.fixture
def next_period(city):
    """The city's financing period holding next year's autumn: nominal 30,000 ₽."""
    return make_period(city, title=f"ПФДО {NEXT_YEAR}", starts_on=dt.date(NEXT_YEAR, 1, 1),
                       ends_on=dt.date(NEXT_YEAR + 1, 8, 31))


@pytest.fixture
def child(parent):
    return add_child(parent)


@pytest.fixture
def certificate(child, period):
    return make_certificate(child, period)

def csv_rows(response):
    """The rows of a csv export, checked to be the project's one csv format."""
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
