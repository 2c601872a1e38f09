"""The confirmation of a run shows what the run will bill: ``settlement.preview`` reads the
run's own selection without writing, so it equals what opening or closing the month then
adds — also where a rebuild of the rule in the ORM did not (settled months, a final invoice
already sent, an advance after the final invoice)."""
# ruff: noqa: F811  (the fixtures of settlement_fixtures are imported, and requested by name)

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from opora.errors import PermissionDenied
from opora.financing import settlement
from opora.financing.models import Invoice, InvoiceKind, InvoiceLine
from tests.enrollment.conftest import add_child
from tests.financing.conftest import NOV, OCT, make_certificate, make_contract, on_day, snapshot
from tests.financing.settlement_fixtures import (  # noqa: F401 — fixtures
    _after_october,
    groups,
    period,
    second_certificate,
    second_child,
    two_contracts,
)

D = Decimal
FINAL, ADVANCE = InvoiceKind.FINAL, InvoiceKind.ADVANCE


def previewed(actor, period, month, kind):
    shown = settlement.preview(actor, period.municipality, month, kind)
    return shown.lines, shown.providers, shown.amount, shown.months_left_out


def billed(actor, period, month, kind):
    """Run the month; what it added, in the preview's terms."""
    before = set(InvoiceLine.objects.values_list("pk", flat=True))
    run = settlement.close_month if kind == FINAL else settlement.open_month
    result = run(actor, period.municipality, month)
    added = InvoiceLine.objects.exclude(pk__in=before)
    amount = added.aggregate(total=Sum("amount"))["total"] or D("0.00")
    return (result.lines_created, added.values("invoice__organization").distinct().count(), amount,
            result.months_left_out)


@pytest.fixture
def third_certificate(parent, period):
    return make_certificate(add_child(parent, first_name="Вера", last_name="Смирнова"), period)


def test_a_first_close_bills_what_its_preview_shows(operator, period, two_contracts):
    before = snapshot()

    shown = previewed(operator, period, OCT, FINAL)

    assert snapshot() == before  # the preview writes nothing
    assert shown == (2, 1, D("7333.33"), 0)
    assert billed(operator, period, OCT, FINAL) == shown


def test_months_already_settled_are_not_promised_again(operator, period, two_contracts, third_certificate,
                                                       groups):
    settlement.close_month(operator, period.municipality, OCT)
    make_contract(third_certificate, groups[2], period, {OCT: D("1000.00")})

    shown = previewed(operator, period, OCT, FINAL)

    assert shown == (1, 1, D("1000.00"), 0)
    assert billed(operator, period, OCT, FINAL) == shown


def test_months_of_a_provider_whose_final_invoice_was_sent_are_shown_as_left_out(
        operator, staff, period, two_contracts, third_certificate, groups):
    settlement.close_month(operator, period.municipality, OCT)
    settlement.submit_invoice(staff, Invoice.objects.get(kind=FINAL))
    make_contract(third_certificate, groups[2], period, {OCT: D("1000.00")})

    shown = previewed(operator, period, OCT, FINAL)

    assert shown == (0, 0, D("0.00"), 1)
    assert billed(operator, period, OCT, FINAL) == shown


def test_advances_show_the_advance_share_of_the_months_not_on_the_draft_yet(
        operator, period, two_contracts, third_certificate, groups):
    # 80 %: ⌊4,000.00 × 0.8⌋ = 3,200.00 and ⌊3,333.34 × 0.8⌋ = 2,666.67
    shown = previewed(operator, period, NOV, ADVANCE)
    assert shown == (2, 1, D("5866.67"), 0)
    assert billed(operator, period, NOV, ADVANCE) == shown

    make_contract(third_certificate, groups[2], period, {NOV: D("1000.00")})

    shown = previewed(operator, period, NOV, ADVANCE)
    assert shown == (1, 1, D("800.00"), 0)
    assert billed(operator, period, NOV, ADVANCE) == shown


def test_no_advance_is_promised_once_the_final_invoice_is_formed(monkeypatch, operator, period, two_contracts):
    on_day(monkeypatch, dt.date(2026, 12, 2))
    settlement.close_month(operator, period.municipality, NOV)

    shown = previewed(operator, period, NOV, ADVANCE)

    assert shown == (0, 0, D("0.00"), 0)
    assert billed(operator, period, NOV, ADVANCE) == shown


def test_only_the_payer_previews(staff, period, two_contracts):
    with pytest.raises(PermissionDenied):
        settlement.preview(staff, period.municipality, OCT, FINAL)
