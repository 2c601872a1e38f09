# ruff: noqa: F811 — the tests take the fixtures imported from settlement_fixtures
"""An invoice line's contract and invoice are proven by triggers, one anti-join per
statement (migration 0010), instead of a foreign key's check per row: each rule the
foreign keys kept must still hold, and a broken row must be caught."""

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from opora.financing import settlement
from opora.financing.models import Contract, Invoice, InvoiceLine
from tests.financing.conftest import OCT
from tests.financing.settlement_fixtures import (  # noqa: F401 — fixtures
    _after_october,
    groups,
    period,
    second_certificate,
    second_child,
    two_contracts,
)

COLUMNS = "(invoice_id, contract_id, contract_number, certificate_number, month_amount, completeness, amount)"


@pytest.fixture
def advance(operator, period, two_contracts):
    """The October advance of the two contracts: one invoice with two lines."""
    settlement.open_month(operator, period.municipality, OCT)
    invoice = Invoice.objects.get()
    assert invoice.lines.count() == 2
    return invoice


def missing_id(model):
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def insert_line(invoice_id, contract_id):
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO financing_invoiceline {COLUMNS} VALUES (%s, %s, 'X', '', 10, 100, 10)",
                       [invoice_id, contract_id])


def test_a_line_of_a_missing_contract_is_refused(advance):
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_line(advance.pk, missing_id(Contract))
    assert InvoiceLine.objects.count() == 2


def test_a_line_of_a_missing_invoice_is_refused(advance, two_contracts):
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_line(missing_id(Invoice), two_contracts[0].pk)
    assert InvoiceLine.objects.count() == 2


def test_one_broken_row_refuses_the_whole_statement(advance, two_contracts):
    """The bulk INSERT … SELECT of a month close: one line naming no contract among
    good ones, and nothing of the statement is written."""
    a, b = two_contracts
    InvoiceLine.objects.all().delete()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"""INSERT INTO financing_invoiceline {COLUMNS}
                           SELECT %s, id, number, '', 10, 100, 10 FROM financing_contract
                           UNION ALL SELECT %s, %s, 'X', '', 10, 100, 10""",
                       [advance.pk, advance.pk, missing_id(Contract)])
    assert not InvoiceLine.objects.exists()
    # the same statement without the broken row passes: the check is not a refusal of all
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO financing_invoiceline {COLUMNS} "
                       "SELECT %s, id, number, '', 10, 100, 10 FROM financing_contract", [advance.pk])
    assert set(InvoiceLine.objects.values_list("contract_id", flat=True)) == {a.pk, b.pk}


def test_a_line_moved_to_a_missing_contract_or_invoice_is_refused(advance):
    line = advance.lines.first()
    for field, model in (("contract_id", Contract), ("invoice_id", Invoice)):
        with pytest.raises(IntegrityError), transaction.atomic():
            InvoiceLine.objects.filter(pk=line.pk).update(**{field: missing_id(model)})
    line.refresh_from_db()
    assert line.invoice_id == advance.pk


def test_django_still_protects_and_cascades(advance, two_contracts):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        two_contracts[0].delete()
    advance.delete()
    assert not InvoiceLine.objects.exists()
    assert Contract.objects.count() == 2


@pytest.mark.postgres
def test_deleting_what_a_line_names_is_refused(advance, two_contracts):
    """Below Django's PROTECT: the check runs at COMMIT, as the foreign key's did
    (``SET CONSTRAINTS … IMMEDIATE`` runs it now, the test being one transaction)."""
    for table, pk in (("financing_contract", two_contracts[0].pk), ("financing_invoice", advance.pk)):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert Contract.objects.count() == 2 and Invoice.objects.filter(pk=advance.pk).exists()


@pytest.mark.postgres
def test_an_id_never_changes(advance, two_contracts):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=two_contracts[0].pk).update(id=missing_id(Contract))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_line_being_written_holds_back_the_deletion_of_its_contract(operator, period, two_contracts):
    """Two real connections: one writes a line and has not committed; the other deletes
    the line's contract. A statement check alone would see neither the other's line nor
    the deletion; the deletion's check waits for the line's transaction and then sees it."""
    settlement.open_month(operator, period.municipality, OCT)
    invoice = Invoice.objects.get()
    spare = two_contracts[1]
    InvoiceLine.objects.filter(contract=spare).delete()
    written, outcome = threading.Event(), {}

    def delete_the_contract():
        try:
            written.wait(10)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("DELETE FROM financing_contractmonth WHERE contract_id = %s", [spare.pk])
                cursor.execute("DELETE FROM financing_contract WHERE id = %s", [spare.pk])
            outcome["deleted"] = True
        except IntegrityError as error:
            outcome["refused"] = str(error)
        finally:
            connections.close_all()

    other = threading.Thread(target=delete_the_contract)
    other.start()
    with transaction.atomic():
        insert_line(invoice.pk, spare.pk)
        written.set()
        other.join(1)  # the deletion reaches its check at COMMIT and waits there for us
        assert other.is_alive()
    other.join(10)
    assert outcome == {"refused": outcome.get("refused")} and "cannot be deleted" in outcome["refused"]
    assert Contract.objects.filter(pk=spare.pk).exists()
    assert InvoiceLine.objects.filter(contract=spare).exists()


@pytest.mark.postgres
def test_a_truncate_that_would_leave_lines_is_refused(advance, two_contracts):
    """A CASCADE follows foreign keys only: truncating the contracts (or the applications
    they hang on) would leave the lines naming ids the next contracts get."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the fixtures' pending checks, before a TRUNCATE
    with pytest.raises(IntegrityError, match="truncate financing_invoiceline"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("TRUNCATE financing_contract CASCADE")
    assert Contract.objects.count() == 2 and InvoiceLine.objects.count() == 2
    with transaction.atomic(), connection.cursor() as cursor:  # with the lines, it goes
        cursor.execute("TRUNCATE financing_contract, financing_invoiceline CASCADE")
        assert not Contract.objects.exists() and not InvoiceLine.objects.exists()
        transaction.set_rollback(True)
