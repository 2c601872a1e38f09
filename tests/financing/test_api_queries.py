"""The financing API's lists read a page in a fixed number of queries: 3 rows or 30,
the same count (what a row shows comes in the page's query, not one query per row)."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from opora.financing.models import Invoice, InvoiceKind
from tests.api.conftest import ApiClient
from tests.enrollment.conftest import add_child, open_group
from tests.financing.conftest import NOV, OCT, make_certificate, make_contract

SIZES = (3, 30)


def _queries_per_size(client, path, add_rows):
    """For 3 rows, then 30: the list's count, its items and the queries it ran."""
    seen = []
    for size in SIZES:
        add_rows(size - (seen[-1][0] if seen else 0))
        with CaptureQueriesContext(connection) as queries:
            body = client.get(path, page_size=100).json()
        seen.append((body["count"], len(body["items"]), len(queries)))
    return seen


def _children(parent, n, offset):
    return [add_child(parent, first_name=f"Ребёнок{offset + i}", last_name=f"Фамилия{offset + i}")
            for i in range(n)]


def test_certificates_list_runs_the_same_queries_for_3_and_30_rows(operator, parent, period):
    made = []

    def add(n):
        made.extend(make_certificate(kid, period) for kid in _children(parent, n, len(made)))

    (few, few_items, few_queries), (many, many_items, many_queries) = _queries_per_size(
        ApiClient(operator), "/certificates", add)

    assert (few, few_items, many, many_items) == (3, 3, 30, 30)
    assert many_queries == few_queries


def test_contracts_list_runs_the_same_queries_for_3_and_30_rows(staff, parent, certified_program, period):
    group = open_group(certified_program, capacity_max=40)
    made = []

    def add(n):
        for kid in _children(parent, n, len(made)):
            made.append(make_contract(make_certificate(kid, period), group, period,
                                      {OCT: Decimal("4000.00"), NOV: Decimal("4000.00")}))

    (few, few_items, few_queries), (many, many_items, many_queries) = _queries_per_size(
        ApiClient(staff), "/contracts", add)

    assert (few, few_items, many, many_items) == (3, 3, 30, 30)
    assert many_queries == few_queries


def test_invoices_list_runs_the_same_queries_for_3_and_30_rows(operator, provider):
    made = []

    def add(n):
        for i in range(len(made), len(made) + n):
            made.append(Invoice.objects.create(
                municipality=provider.municipality, organization=provider,
                month=dt.date(2020 + i // 24, i // 2 % 12 + 1, 1),
                kind=(InvoiceKind.ADVANCE, InvoiceKind.FINAL)[i % 2], amount=Decimal("1000.00")))

    (few, few_items, few_queries), (many, many_items, many_queries) = _queries_per_size(
        ApiClient(operator), "/invoices", add)

    assert (few, few_items, many, many_items) == (3, 3, 30, 30)
    assert many_queries == few_queries
