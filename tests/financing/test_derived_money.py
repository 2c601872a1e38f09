# ruff: noqa: F811 — the tests take the fixtures imported from settlement_fixtures
"""A contract month's ``settled`` and a ledger's ``paid`` and ``reserved`` are derived from
the invoice lines (docs/decisions.md, «A month close writes only its lines»): closing a
month writes its invoices and lines and nothing per month or per ledger, and the derived
values are right however a row is reached."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from opora.financing import settlement
from opora.financing.models import CertificateLedger, Contract, ContractMonth
from tests.financing.conftest import NOV, OCT
from tests.financing.settlement_fixtures import (  # noqa: F401 — fixtures
    _after_october,
    groups,
    period,
    second_certificate,
    second_child,
    two_contracts,
)

D = Decimal


def test_closing_writes_no_month_and_no_ledger(operator, period, certificate, two_contracts):
    a, _b = two_contracts
    settlement.open_month(operator, period.municipality, OCT)
    committed = list(CertificateLedger.objects.order_by("pk").values_list("committed", flat=True))

    with CaptureQueriesContext(connection) as queries:
        closed = settlement.close_month(operator, period.municipality, OCT)

    written = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]
    assert not [sql for sql in written if "financing_contractmonth" in sql.split("SET")[0].split("SELECT")[0]]
    assert not [sql for sql in written if sql.lstrip().upper().startswith("UPDATE FINANCING_CERTIFICATELEDGER")]
    assert closed.months_settled == 2
    assert list(CertificateLedger.objects.order_by("pk").values_list("committed", flat=True)) == committed
    # what the lines say: October settled and paid, November still reserved
    assert [(m.month, m.settled) for m in a.months.order_by("month")] == [(OCT, True), (NOV, False)]
    ledger = CertificateLedger.objects.get(certificate=certificate)
    assert (ledger.reserved, ledger.paid, ledger.balance) == (D("4000.00"), D("4000.00"), D("22000.00"))


def test_rows_not_read_through_their_manager_look_the_values_up(operator, period, certificate, two_contracts):
    a, _b = two_contracts
    settlement.close_month(operator, period.municipality, OCT)

    contract = Contract.objects.select_related("ledger").get(pk=a.pk)  # a join carries no annotation
    assert (contract.ledger.reserved, contract.ledger.paid) == (D("4000.00"), D("4000.00"))
    made = ContractMonth(contract=a, month=OCT, certificate_amount=D("1.00"), parent_amount=D("0.00"))
    assert made.settled  # October's line is on the final invoice
    october = ContractMonth.objects.get(contract=a, month=OCT)
    ledger = CertificateLedger.objects.get(certificate=certificate)
    assert (october.settled, ledger.paid) == (True, D("4000.00"))

    settlement.cancel_invoice(operator, a.invoice_lines.get(invoice__kind="final").invoice, "Проверка")

    october.refresh_from_db()
    ledger.refresh_from_db()  # a refresh reads the derived values again
    assert (october.settled, ledger.paid, ledger.reserved) == (False, D("0.00"), D("8000.00"))
