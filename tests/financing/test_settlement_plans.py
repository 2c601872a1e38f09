# ruff: noqa: F811 — the tests take the fixtures imported from settlement_fixtures
"""The settlement's INSERT … SELECT statements on PostgreSQL, planned on empty invoice
tables with fresh statistics — a region's first month, or a month after ``VACUUM``.

A statement that reads the table it fills through a nested loop or a correlated subplan
rescans, for every new row, the pages it has itself written: the advances of a 265,000-
month region ran for more than six minutes that way (bench/README.md, close_month.py).
Each INSERT … SELECT is explained right before it runs, on the same connection and
statistics, and no scan of its target may be re-executed per row; the month's lines must
still be right and a second run must change nothing. No timing: the plan is the property."""

import json
import re
from decimal import Decimal

import pytest
from django.db import connection

from opora.financing import settlement
from opora.financing.models import Invoice
from tests.financing.conftest import OCT, snapshot
from tests.financing.settlement_fixtures import (  # noqa: F401 — fixtures
    _after_october,
    groups,
    period,
    second_certificate,
    second_child,
    two_contracts,
)

pytestmark = pytest.mark.postgres
D = Decimal
INSERT_SELECT = re.compile(r"^\s*INSERT INTO (\w+)\s*\([^)]*\)\s*SELECT\b", re.IGNORECASE)


def _rescans(node, target: str, per_row: bool = False) -> list[str]:
    """Scans of ``target`` in the plan ``node`` that run again for every outer row."""
    found = []
    if per_row and node.get("Relation Name") == target and node["Node Type"] != "ModifyTable":
        found.append(f"{node['Node Type']} on {target}")
    for child in node.get("Plans", []):
        relationship = child.get("Parent Relationship")
        again = relationship == "SubPlan" or (node["Node Type"] == "Nested Loop" and relationship == "Inner")
        found += _rescans(child, target, per_row or again)
    return found


@pytest.fixture
def plans():
    """(target table, plan) of every INSERT … SELECT run inside the block, explained
    right before it runs."""
    explained = []

    def explain(execute, sql, params, many, context):
        matched = INSERT_SELECT.match(sql)
        if matched and not many:
            context["cursor"].execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = context["cursor"].fetchone()[0]
            explained.append((matched.group(1).lower(), plan if isinstance(plan, list) else json.loads(plan)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain):
        yield explained


def _empty_and_analyzed():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE financing_invoice")
        cursor.execute("ANALYZE financing_invoiceline")


def test_first_advances_do_not_rescan_the_table_they_fill(operator, period, two_contracts, plans):
    a, b = two_contracts
    _empty_and_analyzed()

    opened = settlement.open_month(operator, period.municipality, OCT)

    targets = sorted({target for target, _plan in plans})
    assert targets == ["financing_invoice", "financing_invoiceline"]
    assert {target: _rescans(plan[0]["Plan"], target) for target, plan in plans} == dict.fromkeys(targets, [])
    # the lines are those of the advance: 80 % floored, 3,200.00 and ⌊2,666.664⌋ = 2,666.66
    assert (opened.invoices_created, opened.lines_created) == (1, 2)
    advance = Invoice.objects.get(kind="advance")
    assert {line.contract_id: line.amount for line in advance.lines.all()} == {a.pk: D("3200.00"),
                                                                                b.pk: D("2666.66")}
    assert advance.amount == D("5866.66")

    before = snapshot()
    again = settlement.open_month(operator, period.municipality, OCT)
    assert again.changed == 0 and snapshot() == before


def test_first_final_invoices_do_not_rescan_the_table_they_fill(operator, period, two_contracts, plans):
    _empty_and_analyzed()

    closed = settlement.close_month(operator, period.municipality, OCT)

    assert {target for target, _plan in plans} == {"financing_invoice", "financing_invoiceline"}
    assert [(target, _rescans(plan[0]["Plan"], target)) for target, plan in plans] == [
        (target, []) for target, _plan in plans]
    assert (closed.invoices_created, closed.lines_created, closed.months_settled) == (1, 2, 2)
    assert Invoice.objects.get(kind="final").amount == D("7333.33")
    before = snapshot()
    assert settlement.close_month(operator, period.municipality, OCT).changed == 0
    assert snapshot() == before
