"""Sums of money are kept and compared in whole kopecks on both databases: SQLite stores
decimals as binary floats, where 0.10 + 0.20 is not 0.30 and 26568.26 + 5313.65 is not
31881.91, so a certificate spent to the last kopeck or a contract whose parts add up must
not be refused there."""

import datetime as dt
from decimal import Decimal

from opora.financing import reserves
from opora.financing.models import CertificateLedger, Contract, FinancingPeriod
from tests.financing.conftest import make_contract


def test_a_contract_whose_parts_add_up_in_kopecks_is_stored(certificate, certificate_group, period):
    contract = make_contract(certificate, certificate_group, period, {dt.date(2026, 10, 1): Decimal("1.00")})
    contract.total, contract.certificate_part, contract.parent_part = (
        Decimal("31881.91"), Decimal("26568.26"), Decimal("5313.65"))
    contract.save()

    stored = Contract.objects.get(pk=contract.pk)
    assert (stored.total, stored.certificate_part, stored.parent_part) == (
        Decimal("31881.91"), Decimal("26568.26"), Decimal("5313.65"))


def test_a_certificate_can_be_spent_to_the_last_kopeck(certificate, period):
    ledger = CertificateLedger.objects.get(certificate=certificate, period=period)
    CertificateLedger.objects.filter(pk=ledger.pk).update(nominal=Decimal("0.30"))
    FinancingPeriod.objects.filter(pk=period.pk).update(budget=Decimal("0.30"), committed=0)
    period.refresh_from_db()

    reserves.reserve(ledger, period, Decimal("0.10"))
    reserves.reserve(ledger, period, Decimal("0.20"))

    ledger.refresh_from_db()
    period.refresh_from_db()
    assert (ledger.reserved, ledger.balance, period.committed) == (
        Decimal("0.30"), Decimal("0.00"), Decimal("0.30"))
