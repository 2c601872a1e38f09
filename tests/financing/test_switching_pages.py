# ruff: noqa: F811 — the tests take the fixtures imported from the fixture modules
"""Pages of group switches, disputes and supplementary invoices: the parent previews and
confirms a switch, the provider proposes it, the parent disputes a line, the payer holds
and decides it on the invoice, the payer forms a supplementary invoice."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from opora.financing import settlement
from opora.financing.models import Contract, GroupSwitch, Invoice, InvoiceDispute
from tests.enrollment.conftest import open_group
from tests.financing.conftest import OCT, make_contract, on_day
from tests.financing.switching_fixtures import autumn, contract, second  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db
D = Decimal


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_parent_previews_then_confirms_the_switch(parent, contract, second):
    page = signed_in(parent).get(reverse("financing:cabinet_contract", args=[contract.uuid]))
    assert "Перевод в другую группу" in page.content.decode()
    month = dt.date(second.start_date.year, 11, 1).isoformat()

    preview = signed_in(parent).post(reverse("financing:switch_preview", args=[contract.uuid]),
                                     {"group": second.pk, "month": month})
    text = preview.content.decode().replace("\xa0", " ").replace("\u202f", " ")
    assert preview.status_code == 200
    assert "36 201,66" in text and "168,04" in text
    assert Contract.objects.get(pk=contract.pk).group_id != second.pk

    done = signed_in(parent).post(reverse("financing:switch", args=[contract.uuid]),
                                  {"group": second.pk, "month": month}, follow=True)
    assert "переведён в группу «Второй модуль»" in done.content.decode()
    assert "История переводов" in done.content.decode()
    assert Contract.objects.get(pk=contract.pk).group_id == second.pk


def test_bad_choice_changes_nothing(parent, contract, second):
    answer = signed_in(parent).post(reverse("financing:switch", args=[contract.uuid]),
                                    {"group": 999999, "month": "2000-01-01"}, follow=True)
    assert "Выберите группу и месяц из списка." in answer.content.decode()
    assert not GroupSwitch.objects.exists()


def test_provider_proposes_and_the_parent_agrees_on_the_page(parent, staff, contract, second):
    month = dt.date(second.start_date.year, 11, 1).isoformat()
    signed_in(staff).post(reverse("financing:switch_propose", args=[contract.uuid]),
                          {"group": second.pk, "month": month})
    proposal = GroupSwitch.objects.get()
    page = signed_in(parent).get(reverse("financing:cabinet_contract", args=[contract.uuid])).content.decode()
    assert "Согласен на перевод" in page

    signed_in(parent).post(reverse("financing:switch_accept", args=[proposal.uuid]))

    assert Contract.objects.get(pk=contract.pk).group_id == second.pk


def test_dispute_on_the_pages(parent, staff, operator, certificate, period, certified_program, monkeypatch):
    on_day(monkeypatch, dt.date(2026, 11, 5))
    a = make_contract(certificate, open_group(certified_program), period, {OCT: D("4000.00")})
    settlement.close_month(operator, period.municipality, OCT)
    line = a.invoice_lines.get()
    cabinet = signed_in(parent).get(reverse("financing:cabinet_contract", args=[a.uuid])).content.decode()
    assert "Оспорить" in cabinet

    signed_in(parent).post(reverse("financing:dispute_open", args=[a.uuid, line.pk]),
                           {"text": "Ребёнок болел", "claimed_completeness": ""})
    dispute = InvoiceDispute.objects.get()
    invoice_page = signed_in(operator).get(reverse("financing:invoice", args=[line.invoice_id])).content.decode()
    assert "Споры родителей" in invoice_page and "Ребёнок болел" in invoice_page
    signed_in(operator).post(reverse("financing:dispute_hold", args=[dispute.uuid]), {"held": "yes"})
    signed_in(operator).post(reverse("financing:dispute_resolve", args=[dispute.uuid]),
                             {"outcome": "parent", "completeness": "25"})

    dispute.refresh_from_db()
    line.refresh_from_db()
    assert (dispute.status, line.amount) == ("parent_right", D("1000.00"))
    refused = signed_in(staff).post(reverse("financing:dispute_resolve", args=[dispute.uuid]),
                                    {"outcome": "provider"})
    assert refused.status_code == 302  # the message says it is closed; nothing changes
    assert InvoiceDispute.objects.get().status == "parent_right"


def test_payer_forms_a_supplementary_invoice_on_the_settlement_page(operator, staff, certificate, period,
                                                                    certified_program, monkeypatch):
    on_day(monkeypatch, dt.date(2026, 11, 5))
    make_contract(certificate, open_group(certified_program), period, {OCT: D("1000.00")})
    settlement.close_month(operator, period.municipality, OCT)
    settlement.submit_invoice(staff, Invoice.objects.get(kind="final"))
    from tests import factories as f
    from tests.enrollment.conftest import add_child
    from tests.financing.conftest import make_certificate

    other = make_certificate(add_child(f.user(municipality=period.municipality), first_name="Вера"), period)
    make_contract(other, open_group(certified_program), period, {OCT: D("100.00")})

    answer = signed_in(operator).post(reverse("financing:settlement_run"),
                                      {"month": "2026-10", "action": "supplementary"}, follow=True)

    assert "строк добавлено 1 на 100.00" in answer.content.decode()
    assert Invoice.objects.get(kind="supplementary").amount == D("100.00")
