"""The personified financing API: a parent requests a certificate and the МОЦ decides,
a parent answers a contract offer, a provider keeps completeness and submits its
invoices, the payer settles months; nobody reaches another family's, organization's or
municipality's rows by guessing ids; money travels as exact strings."""

import datetime as dt
from decimal import Decimal

import pytest

from opora.accounts.models import Role
from opora.enrollment.models import Application
from opora.enrollment.models import ApplicationStatus as AS
from opora.financing import certificates as certificate_service
from opora.financing import settlement
from opora.financing.models import (
    Certificate,
    CertificateLedger,
    CertificateStatus,
    Contract,
    ContractStatus,
    Invoice,
    InvoiceLine,
)
from tests import factories as f
from tests.api.conftest import ApiClient
from tests.enrollment.conftest import add_child, open_group
from tests.financing.conftest import NOV, OCT, make_certificate, make_contract, make_period, on_day, snapshot

D = Decimal


@pytest.fixture
def other_parent(city):
    """A parent of another family in the same municipality."""
    return f.user(Role.PARENT, municipality=city, email="neighbour@example.org")


@pytest.fixture
def other_child(other_parent):
    return add_child(other_parent, first_name="Вера", last_name="Соседова", patronymic="Ивановна")


def certificate_state():
    return (list(Certificate.objects.order_by("pk").values_list("pk", "status", "kind", "number", "reason")),
            list(CertificateLedger.objects.order_by("pk").values_list("pk", "nominal", "reserved", "paid",
                                                                      "frozen_nominal")))


# --- certificates --------------------------------------------------------------------


def test_parent_requests_operator_issues_and_parent_sees_the_balance(parent, child, operator, period):
    requested = ApiClient(parent).post("/certificates", {"child": child.pk})

    assert requested.status_code == 201
    body = requested.json()
    certificate = Certificate.objects.get()
    assert (body["id"], body["status"], body["status_label"], body["number"]) == (
        certificate.pk, "requested", "Заявление подано", None)
    assert body["child"] == {"id": child.pk, "uuid": str(child.uuid), "full_name": "Смирнова Алёна Игоревна"}
    assert (body["wants_financing"], body["current_balance"], body["ledgers"]) == (True, None, [])

    again = ApiClient(parent).post("/certificates", {"child": str(child.uuid), "wants_financing": False})
    assert (again.status_code, again.json()["id"]) == (200, certificate.pk)
    assert Certificate.objects.get().wants_financing is True  # the live request is kept as it was

    issued = ApiClient(operator).post(f"/certificates/{certificate.pk}/issue")

    assert issued.status_code == 200
    body = issued.json()
    certificate.refresh_from_db()
    assert (certificate.status, certificate.kind) == ("issued", "financing")
    assert len(certificate.number) == 10
    assert (body["status"], body["kind"], body["kind_label"], body["number"]) == (
        "issued", "financing", "Сертификат финансирования", certificate.number)
    assert body["ledgers"] == [{
        "period": {"id": period.pk, "title": period.title, "starts_on": period.starts_on.isoformat(),
                   "ends_on": period.ends_on.isoformat()},
        "nominal": "30000.00", "reserved": "0.00", "paid": "0.00", "balance": "30000.00",
        "frozen_nominal": None}]

    listed = ApiClient(parent).get("/certificates").json()

    assert listed["count"] == 1
    item = listed["items"][0]
    assert (item["id"], item["number"], item["status"]) == (certificate.pk, certificate.number, "issued")
    assert (item["current_nominal"], item["current_reserved"], item["current_paid"], item["current_balance"]) == (
        "30000.00", "0.00", "0.00", "30000.00")


def test_a_refused_request_asked_again_is_filed_with_201(parent, child, operator, period):
    first = ApiClient(parent).post("/certificates", {"child": child.pk}).json()
    ApiClient(operator).post(f"/certificates/{first['id']}/refuse", {"reason": "Нет документов"})

    again = ApiClient(parent).post("/certificates", {"child": child.pk})

    assert (again.status_code, again.json()["id"], again.json()["status"]) == (201, first["id"], "requested")


def test_a_request_filed_meanwhile_from_another_device_answers_200(monkeypatch, parent, child, period):
    """Whether this call filed the request is the service's answer, not a look before it:
    another device's request landing in between is found, and the answer is 200."""
    real, filed = certificate_service.age_refusal, []

    def another_device_first(kid, *args):
        monkeypatch.setattr(certificate_service, "age_refusal", real)
        filed.append(certificate_service.request_certificate(parent, child)[0])
        return real(kid, *args)

    monkeypatch.setattr(certificate_service, "age_refusal", another_device_first)

    response = ApiClient(parent).post("/certificates", {"child": child.pk})

    assert (response.status_code, response.json()["id"]) == (200, filed[0].pk)
    assert Certificate.objects.count() == 1


def test_parent_cannot_request_for_another_familys_child(parent, other_child):
    by_id = ApiClient(parent).post("/certificates", {"child": other_child.pk})
    by_uuid = ApiClient(parent).post("/certificates", {"child": str(other_child.uuid)})

    assert by_id.status_code == by_uuid.status_code == 404
    assert by_id.json() == {"detail": "Ребёнок не найден.", "field": "child", "code": "NotFound"}
    assert not Certificate.objects.exists()


def test_operator_lists_the_register_with_filters(operator, parent, child, certificate, other_parent,
                                                  other_child, other_operator):
    requested, _ = certificate_service.request_certificate(other_parent, other_child)
    client = ApiClient(operator)

    everything = client.get("/certificates").json()
    issued = client.get("/certificates", status="issued").json()
    by_number = client.get("/certificates", q=certificate.number).json()
    by_name = client.get("/certificates", q="Соседова").json()
    financing = client.get("/certificates", kind="financing").json()
    queued = client.get("/certificates", queue="true").json()

    assert everything["count"] == 2
    assert {item["id"] for item in everything["items"]} == {certificate.pk, requested.pk}
    assert [item["id"] for item in issued["items"]] == [certificate.pk]
    assert issued["items"][0]["current_balance"] == "30000.00"
    assert [item["id"] for item in by_number["items"]] == [certificate.pk]
    assert [item["id"] for item in by_name["items"]] == [requested.pk]
    assert [item["id"] for item in financing["items"]] == [certificate.pk]
    assert queued["count"] == 0  # nobody waits for a financing place
    # the district's МОЦ sees nothing of the city's register
    assert ApiClient(other_operator).get("/certificates").json() == {"count": 0, "items": []}


def test_register_is_paginated(operator, family_of_three):
    first = ApiClient(operator).get("/certificates", page_size=2).json()
    second = ApiClient(operator).get("/certificates", page_size=2, page=2).json()
    too_big = ApiClient(operator).get("/certificates", page_size=101)
    far = ApiClient(operator).get("/certificates", page="99999999999999999999")

    assert (first["count"], len(first["items"]), len(second["items"])) == (3, 2, 1)
    assert {i["id"] for i in first["items"] + second["items"]} == {c.pk for c in family_of_three}
    assert (too_big.status_code, too_big.json()["field"]) == (422, "page_size")
    assert (far.status_code, far.json()["field"]) == (422, "page")  # not a 500 from the database


@pytest.fixture
def family_of_three(city):
    result = []
    for i in range(3):
        parent = f.user(Role.PARENT, municipality=city)
        child = add_child(parent, first_name=f"Ребёнок{i}", last_name=f"Фамилия{i}")
        result.append(certificate_service.request_certificate(parent, child)[0])
    return result


def test_operator_freezes_and_unfreezes_with_a_reason(operator, parent, certificate, period):
    client = ApiClient(operator)

    frozen = client.post(f"/certificates/{certificate.pk}/freeze", {"reason": "Проверка документов"})

    assert frozen.status_code == 200
    body = frozen.json()
    assert (body["status"], body["reason"], body["current_balance"]) == ("frozen", "Проверка документов", "0.00")
    assert [(x["nominal"], x["balance"], x["frozen_nominal"]) for x in body["ledgers"]] == [
        ("0.00", "0.00", "30000.00")]
    ledger = CertificateLedger.objects.get(certificate=certificate)
    assert (ledger.nominal, ledger.frozen_nominal) == (D("0.00"), D("30000.00"))

    thawed = client.post(f"/certificates/{certificate.pk}/unfreeze")

    assert thawed.status_code == 200
    body = thawed.json()
    assert (body["status"], body["reason"], body["current_balance"]) == ("issued", "", "30000.00")
    assert [(x["nominal"], x["frozen_nominal"]) for x in body["ledgers"]] == [("30000.00", None)]
    # the parent reads the same certificate again
    assert ApiClient(parent).get(f"/certificates/{certificate.pk}").json()["current_balance"] == "30000.00"


@pytest.mark.parametrize(("body", "detail"), [
    ({"reason": "   "}, "Укажите причину заморозки."),
    ({}, "Поле «reason»: обязательное значение не указано."),
])
def test_freezing_without_a_reason_is_422_and_changes_nothing(operator, certificate, body, detail):
    before = certificate_state()

    response = ApiClient(operator).post(f"/certificates/{certificate.pk}/freeze", body)

    assert response.status_code == 422
    assert (response.json()["detail"], response.json()["field"]) == (detail, "reason")
    assert certificate_state() == before


def test_unfreeze_refuses_a_body_that_is_not_an_object(operator, certificate):
    certificate_service.freeze_certificate(operator, certificate, "Проверка документов")
    before = certificate_state()

    response = ApiClient(operator).post(f"/certificates/{certificate.pk}/unfreeze", [None, None])

    assert response.status_code == 422
    assert response.json()["detail"] == "Тело запроса: ожидается объект."
    assert certificate_state() == before


def test_issuing_twice_is_409(operator, certificate):
    before = certificate_state()

    response = ApiClient(operator).post(f"/certificates/{certificate.pk}/issue")

    assert (response.status_code, response.json()["code"]) == (409, "InvalidTransition")
    assert response.json()["detail"] == "Сертификат в статусе «Выдан» нельзя выдать."
    assert certificate_state() == before


def test_refusal_needs_a_reason_and_is_shown_to_the_parent(operator, parent, child, period):
    requested, _ = certificate_service.request_certificate(parent, child)
    client = ApiClient(operator)

    empty = client.post(f"/certificates/{requested.pk}/refuse", {"reason": ""})
    refused = client.post(f"/certificates/{requested.pk}/refuse", {"reason": "Нет документов"})

    assert (empty.status_code, empty.json()["detail"]) == (422, "Укажите причину отказа.")
    assert refused.status_code == 200
    mine = ApiClient(parent).get(f"/certificates/{requested.pk}").json()
    assert (mine["status"], mine["reason"]) == ("refused", "Нет документов")


def test_parent_sees_their_certificate_but_cannot_issue_it(parent, child, period):
    requested, _ = certificate_service.request_certificate(parent, child)
    client = ApiClient(parent)

    assert client.get(f"/certificates/{requested.pk}").status_code == 200
    response = client.post(f"/certificates/{requested.pk}/issue")

    assert (response.status_code, response.json()["code"]) == (403, "PermissionDenied")
    requested.refresh_from_db()
    assert (requested.status, requested.number) == (CertificateStatus.REQUESTED, None)
    assert not CertificateLedger.objects.exists()


@pytest.mark.parametrize("persona", ["other_parent", "other_operator", "staff"])
def test_another_familys_certificate_answers_like_a_missing_one(request, certificate, persona):
    client = ApiClient(request.getfixturevalue(persona))
    before = certificate_state()

    hidden = client.get(f"/certificates/{certificate.pk}")
    missing = client.get(f"/certificates/{certificate.pk + 1000}")
    freeze = client.post(f"/certificates/{certificate.pk}/freeze", {"reason": "Проверка"})

    assert hidden.status_code == freeze.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "Сертификат не найден.", "field": "certificate_id",
                                               "code": "NotFound"}
    assert client.get("/certificates").json()["count"] == 0
    assert certificate_state() == before


# --- contracts -----------------------------------------------------------------------


@pytest.fixture
def offer(parent, child, staff, certificate, certificate_group):
    """The parent applied through the API and the provider confirmed through it: the
    certificate-only group makes a confirmed contract with its part reserved."""
    applied = ApiClient(parent).post("/applications", {"child": child.pk, "group": certificate_group.pk})
    confirmed = ApiClient(staff).post(f"/applications/{applied.json()['id']}/confirm")
    assert confirmed.json()["status"] == "awaiting_contract"
    return Contract.objects.get()


def test_parent_reads_the_offer_with_its_months(parent, child, certificate, offer, period, certificate_group):
    client = ApiClient(parent)

    listed = client.get("/contracts").json()
    body = client.get(f"/contracts/{offer.uuid}").json()

    assert listed["count"] == 1 and listed["items"][0]["uuid"] == str(offer.uuid)
    assert "months" not in listed["items"][0]
    assert (body["id"], body["number"], body["status"], body["status_label"]) == (
        offer.pk, f"{certificate.number}-1", "confirmed", "Оферта направлена (средства зарезервированы)")
    assert (body["certificate"], body["social_certificate"]) == (certificate.number, None)
    assert body["child"]["id"] == child.pk
    assert body["group"]["id"] == certificate_group.pk
    assert body["organization"]["id"] == certificate_group.module.program.organization_id
    assert body["program"] == {"id": certificate_group.module.program_id,
                               "title": certificate_group.module.program.title}
    assert body["module"]["id"] == certificate_group.module_id
    assert body["period"]["id"] == period.pk
    assert (body["total"], body["certificate_part"], body["parent_part"]) == (
        f"{offer.total:.2f}", f"{offer.certificate_part:.2f}", f"{offer.parent_part:.2f}")
    assert D(body["certificate_part"]) > 0
    months = body["months"]
    assert len(months) == offer.months.count() > 1
    assert sum(D(m["certificate_amount"]) for m in months) == D(body["certificate_part"])
    assert sum(D(m["parent_amount"]) for m in months) == D(body["parent_part"])
    assert all(isinstance(m["certificate_amount"], str) for m in months)
    assert not any(m["cancelled"] or m["settled"] for m in months)
    # the reserve shows on the certificate
    mine = client.get(f"/certificates/{certificate.pk}").json()
    assert mine["ledgers"][0]["reserved"] == body["certificate_part"]


def test_parent_accepts_the_offer_and_the_child_is_enrolled(parent, offer):
    response = ApiClient(parent).post(f"/contracts/{offer.uuid}/accept")

    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert response.json()["accepted_at"] is not None
    offer.refresh_from_db()
    assert offer.status == ContractStatus.ACTIVE
    assert Application.objects.get().status == AS.ENROLLED

    again = ApiClient(parent).post(f"/contracts/{offer.uuid}/accept")
    assert (again.status_code, again.json()["code"]) == (409, "InvalidTransition")


def test_parent_declines_the_offer_and_the_reserve_returns(parent, certificate, offer, period):
    ledger = CertificateLedger.objects.get(certificate=certificate)
    assert ledger.reserved == offer.certificate_part > 0

    response = ApiClient(parent).post(f"/contracts/{offer.uuid}/decline", {"reason": "Переезжаем"})

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "refused"
    assert body["reason"].endswith(": Переезжаем")
    ledger.refresh_from_db()
    assert (ledger.reserved, ledger.balance) == (D("0.00"), D("30000.00"))
    period.refresh_from_db()
    assert period.committed == D("0.00")
    assert Application.objects.get().status == AS.WITHDRAWN
    assert all(m["cancelled"] for m in body["months"])


def test_decline_reason_is_documented_with_the_length_the_service_keeps(parent, offer):
    document = ApiClient().get("/openapi.json").json()
    body = document["paths"]["/api/v1/contracts/{contract_uuid}/decline"]["post"]["requestBody"]
    [ref] = [s["$ref"] for s in body["content"]["application/json"]["schema"]["anyOf"] if "$ref" in s]
    reason = document["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]["reason"]

    too_long = ApiClient(parent).post(f"/contracts/{offer.uuid}/decline", {"reason": "а" * 501})
    longest = ApiClient(parent).post(f"/contracts/{offer.uuid}/decline", {"reason": "а" * 500})

    assert reason["maxLength"] == 500
    assert (too_long.status_code, too_long.json()["errors"]) == (
        422, {"reason": ["Слишком длинное значение (не больше 500 симв.)."]})
    assert (longest.status_code, longest.json()["status"]) == (200, "refused")


@pytest.mark.parametrize("persona", ["other_parent", "other_operator", "other_staff"])
def test_another_familys_contract_answers_like_a_missing_one(request, offer, persona):
    client = ApiClient(request.getfixturevalue(persona))

    hidden = client.get(f"/contracts/{offer.uuid}")
    missing = client.get("/contracts/1c0b1a9e-8e0d-4c39-9b9a-2a6c9d7a1f00")
    accepted = client.post(f"/contracts/{offer.uuid}/accept")
    declined = client.post(f"/contracts/{offer.uuid}/decline", {})

    assert hidden.status_code == accepted.status_code == declined.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "Договор не найден.", "field": None, "code": "NotFound"}
    assert client.get("/contracts").json()["count"] == 0
    offer.refresh_from_db()
    assert offer.status == ContractStatus.CONFIRMED


def test_staff_read_their_contracts_by_status_but_do_not_answer_for_the_parent(staff, offer):
    client = ApiClient(staff)

    assert client.get("/contracts", status="confirmed").json()["count"] == 1
    assert client.get("/contracts", status="active").json()["count"] == 0
    assert client.get("/contracts", status="nonsense").status_code == 422
    response = client.post(f"/contracts/{offer.uuid}/accept")

    assert response.status_code == 404
    offer.refresh_from_db()
    assert offer.status == ContractStatus.CONFIRMED


# --- invoices and settlement ---------------------------------------------------------


@pytest.fixture
def paying_period(city, monkeypatch):
    """The city's period of 2026–2027; the settlement stands on 5 November 2026."""
    on_day(monkeypatch, dt.date(2026, 11, 5))
    return make_period(city, title="ПФДО 2026", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 8, 31))


@pytest.fixture
def billed(parent, child, certified_program, paying_period):
    """A: 4,000.00 in October; B: 3,333.33 in October and 3,333.34 in November."""
    first = make_certificate(child, paying_period)
    second = make_certificate(add_child(parent, first_name="Борис"), paying_period)
    a = make_contract(first, open_group(certified_program, name="А"), paying_period, {OCT: D("4000.00")})
    b = make_contract(second, open_group(certified_program, name="Б"), paying_period,
                      {OCT: D("3333.33"), NOV: D("3333.34")})
    return a, b


@pytest.fixture
def final(operator, paying_period, billed):
    settlement.open_month(operator, paying_period.municipality, OCT)
    settlement.close_month(operator, paying_period.municipality, OCT)
    return Invoice.objects.get(kind="final")


def test_staff_set_completeness_and_the_rest_returns_to_the_certificate(staff, provider, final, billed,
                                                                       paying_period):
    _a, b = billed
    line = final.lines.get(contract=b)

    response = ApiClient(staff).post(f"/invoices/{final.pk}/lines/{line.pk}/completeness",
                                     {"completeness": "85,5"})

    assert response.status_code == 200
    body = response.json()
    # ⌊3,333.33 × 0.855⌋ = ⌊2,849.99715⌋ = 2,849.99; 483.34 goes back
    shown = {x["id"]: x for x in body["lines"]}[line.pk]
    assert shown == {"id": line.pk, "contract_uuid": str(b.uuid), "contract_number": b.number,
                     "certificate_number": b.certificate.number, "month_amount": "3333.33",
                     "completeness": "85.50", "amount": "2849.99"}
    # 4,000.00 + 2,849.99; the advance was 3,200.00 + 2,666.66
    assert (body["amount"], body["advance"], body["due"]) == ("6849.99", "5866.66", "983.33")
    assert (body["kind"], body["status"], body["organization"]["id"], body["lines_count"]) == (
        "final", "draft", provider.pk, 2)
    line.refresh_from_db()
    assert (line.completeness, line.amount) == (D("85.50"), D("2849.99"))
    ledger = CertificateLedger.objects.get(pk=b.ledger_id)
    assert (ledger.reserved, ledger.paid, ledger.balance) == (D("3333.34"), D("2849.99"), D("23816.67"))
    paying_period.refresh_from_db()
    assert paying_period.committed == D("10183.33")  # 4,000.00 + 6,666.67 reserved, 483.34 back


def test_completeness_as_a_json_number_is_read_exactly(staff, final, billed):
    line = final.lines.get(contract=billed[1])

    response = ApiClient(staff).post(f"/invoices/{final.pk}/lines/{line.pk}/completeness",
                                     {"completeness": 85.5})

    assert response.status_code == 200
    line.refresh_from_db()
    assert (line.completeness, line.amount) == (D("85.50"), D("2849.99"))


@pytest.mark.parametrize("typed", ["101", "abc", "", "12,345", 12.345, "-1"])
def test_bad_completeness_is_422_and_changes_nothing(staff, final, typed):
    line = final.lines.first()
    before = snapshot()

    response = ApiClient(staff).post(f"/invoices/{final.pk}/lines/{line.pk}/completeness",
                                     {"completeness": typed})

    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["field"]) == ("ValidationFailed", "completeness")
    assert body["detail"] == ("Укажите полноту оказания услуги числом от 0 до 100, не более двух знаков "
                              "после запятой.")
    assert snapshot() == before


def test_completeness_of_a_line_of_another_invoice_is_404(staff, final):
    advance = Invoice.objects.get(kind="advance")
    line = advance.lines.first()
    before = snapshot()

    response = ApiClient(staff).post(f"/invoices/{final.pk}/lines/{line.pk}/completeness",
                                     {"completeness": "50"})

    assert response.json() == {"detail": "Строка счёта не найдена.", "field": "line_id", "code": "NotFound"}
    assert snapshot() == before


def test_completeness_on_an_advance_is_409(staff, final):
    advance = Invoice.objects.get(kind="advance")
    line = advance.lines.first()

    response = ApiClient(staff).post(f"/invoices/{advance.pk}/lines/{line.pk}/completeness",
                                     {"completeness": "50"})

    assert (response.status_code, response.json()["code"]) == (409, "InvalidTransition")
    line.refresh_from_db()
    assert line.completeness == D("100.00")


def test_invoice_is_submitted_accepted_and_paid(staff, operator, final):
    provider_client, payer = ApiClient(staff), ApiClient(operator)

    submitted = provider_client.post(f"/invoices/{final.pk}/submit")
    refused = provider_client.post(f"/invoices/{final.pk}/accept")

    assert (submitted.status_code, submitted.json()["status"], submitted.json()["status_label"]) == (
        200, "submitted", "Направлен")
    assert (refused.status_code, refused.json()["code"]) == (403, "PermissionDenied")
    final.refresh_from_db()
    assert final.status == "submitted"

    accepted = payer.post(f"/invoices/{final.pk}/accept")
    paid = payer.post(f"/invoices/{final.pk}/pay")
    paid_again = payer.post(f"/invoices/{final.pk}/pay")

    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
    assert (paid.status_code, paid.json()["status"], paid.json()["due"]) == (200, "paid", "1466.67")
    assert (paid_again.status_code, paid_again.json()["code"]) == (409, "InvalidTransition")
    final.refresh_from_db()
    assert final.status == "paid"


def test_cancelling_needs_a_reason_and_gives_the_months_back(operator, final, billed):
    client = ApiClient(operator)
    before = snapshot()

    empty = client.post(f"/invoices/{final.pk}/cancel", {"reason": " "})

    assert (empty.status_code, empty.json()["detail"]) == (422, "Укажите причину отмены счёта.")
    assert snapshot() == before

    cancelled = client.post(f"/invoices/{final.pk}/cancel", {"reason": "Ошибка в графике"})

    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    ledger = CertificateLedger.objects.get(pk=billed[0].ledger_id)
    assert (ledger.reserved, ledger.paid) == (D("4000.00"), D("0.00"))
    assert not InvoiceLine.objects.filter(invoice__status="draft", invoice__kind="final").exists()


def test_invoices_are_listed_with_filters(staff, operator, provider, final):
    client = ApiClient(operator)

    everything = client.get("/invoices").json()
    october_finals = client.get("/invoices", month="2026-10", kind="final").json()
    by_first_day = client.get("/invoices", month="2026-10-01", status="draft", organization=provider.pk).json()
    november = client.get("/invoices", month="2026-11").json()

    assert everything["count"] == 2
    assert [(i["kind"], i["month"]) for i in everything["items"]] == [("advance", "2026-10-01"),
                                                                      ("final", "2026-10-01")]
    assert [i["id"] for i in october_finals["items"]] == [final.pk]
    assert october_finals["items"][0]["amount"] == "7333.33"
    assert "lines" not in october_finals["items"][0]
    assert by_first_day["count"] == 2
    assert november["count"] == 0
    assert ApiClient(staff).get("/invoices").json()["count"] == 2
    assert client.get("/invoices", month="октябрь").status_code == 422


def test_invoice_organization_beyond_what_the_database_holds_is_422_not_a_server_error(operator, final):
    response = ApiClient(operator).get("/invoices", organization=str(2**70))

    assert (response.status_code, response.json()["field"]) == (422, "organization")


@pytest.mark.parametrize("month", ["0", "202610", "2026-13", "2026-10-01T00:00:00", "1"])
def test_invoice_month_is_a_month_not_any_date_pydantic_reads(operator, final, month):
    response = ApiClient(operator).get("/invoices", month=month)

    assert response.status_code == 422
    assert (response.json()["detail"], response.json()["field"]) == (
        "Параметр «month»: ожидается месяц в формате ГГГГ-ММ.", "month")


@pytest.mark.parametrize("persona", ["other_operator", "other_staff", "parent"])
def test_another_municipalitys_invoice_answers_like_a_missing_one(request, final, persona):
    client = ApiClient(request.getfixturevalue(persona))
    before = snapshot()
    line = final.lines.first()

    hidden = client.get(f"/invoices/{final.pk}")
    missing = client.get(f"/invoices/{final.pk + 1000}")
    accepted = client.post(f"/invoices/{final.pk}/accept")
    completeness = client.post(f"/invoices/{final.pk}/lines/{line.pk}/completeness", {"completeness": "50"})

    assert hidden.status_code == accepted.status_code == completeness.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "Счёт не найден.", "field": "invoice_id",
                                               "code": "NotFound"}
    assert client.get("/invoices").json()["count"] == 0
    assert snapshot() == before


def test_payer_opens_and_closes_a_month_and_a_rerun_changes_nothing(operator, billed, paying_period):
    client = ApiClient(operator)

    opened = client.post("/settlement/open", {"month": "2026-10"})
    closed = client.post("/settlement/close", {"month": "2026-10-01"})
    again = client.post("/settlement/close", {"month": "2026-10-15"})

    assert opened.status_code == closed.status_code == again.status_code == 200
    assert opened.json() == {"month": "2026-10-01", "kind": "advance", "invoices_created": 1, "lines_created": 2,
                             "invoices_updated": 0, "months_settled": 0, "months_left_out": 0}
    assert closed.json() == {"month": "2026-10-01", "kind": "final", "invoices_created": 1, "lines_created": 2,
                             "invoices_updated": 0, "months_settled": 2, "months_left_out": 0}
    assert again.json() == {"month": "2026-10-01", "kind": "final", "invoices_created": 0, "lines_created": 0,
                            "invoices_updated": 0, "months_settled": 0, "months_left_out": 0}
    final = Invoice.objects.get(kind="final")
    assert (final.amount, final.advance) == (D("7333.33"), D("5866.66"))
    assert CertificateLedger.objects.get(pk=billed[0].ledger_id).paid == D("4000.00")


def test_closing_a_month_not_yet_ended_is_409(operator, billed):
    before = snapshot()

    response = ApiClient(operator).post("/settlement/close", {"month": "2026-11"})

    assert (response.status_code, response.json()["code"]) == (409, "InvalidTransition")
    assert "ноябрь 2026 ещё не закончился" in response.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize("persona", ["staff", "parent", "regional", "other_operator"])
def test_only_the_payer_settles_its_own_municipality(request, billed, persona):
    before = snapshot()

    response = ApiClient(request.getfixturevalue(persona)).post("/settlement/close", {"month": "2026-10"})

    if persona == "other_operator":
        # the district's МОЦ closes the district's month: nothing of the city is billed
        assert response.json()["invoices_created"] == 0
    else:
        assert (response.status_code, response.json()["code"]) == (403, "PermissionDenied")
    assert snapshot() == before


def test_settlement_month_is_validated(operator, billed):
    bad = ApiClient(operator).post("/settlement/open", {"month": "10.2026"})
    number = ApiClient(operator).post("/settlement/open", {"month": 0})
    missing = ApiClient(operator).post("/settlement/open", {})

    assert (bad.status_code, bad.json()["field"]) == (422, "month")
    assert (number.status_code, number.json()["detail"]) == (
        422, "Поле «month»: ожидается месяц в формате ГГГГ-ММ.")
    assert (missing.status_code, missing.json()["field"]) == (422, "month")
    assert not Invoice.objects.exists()


# --- the published description -------------------------------------------------------


def test_openapi_document_lists_the_financing_endpoints(db):
    document = ApiClient().get("/openapi.json").json()

    paths = {path: sorted(methods) for path, methods in document["paths"].items()
             if path.startswith(("/api/v1/certificates", "/api/v1/contracts", "/api/v1/invoices",
                                 "/api/v1/settlement"))}
    assert paths == {
        "/api/v1/certificates": ["get", "post"],
        "/api/v1/certificates/{certificate_id}": ["get"],
        "/api/v1/certificates/{certificate_id}/issue": ["post"],
        "/api/v1/certificates/{certificate_id}/refuse": ["post"],
        "/api/v1/certificates/{certificate_id}/freeze": ["post"],
        "/api/v1/certificates/{certificate_id}/unfreeze": ["post"],
        "/api/v1/contracts": ["get"],
        "/api/v1/contracts/{contract_uuid}": ["get"],
        "/api/v1/contracts/{contract_uuid}/accept": ["post"],
        "/api/v1/contracts/{contract_uuid}/decline": ["post"],
        "/api/v1/contracts/{contract_uuid}/switch": ["get", "post"],
        "/api/v1/contracts/{contract_uuid}/switch/preview": ["post"],
        "/api/v1/invoices": ["get"],
        "/api/v1/invoices/{invoice_id}": ["get"],
        "/api/v1/invoices/{invoice_id}/lines/{line_id}/completeness": ["post"],
        "/api/v1/invoices/{invoice_id}/lines/{line_id}/dispute": ["post"],
        "/api/v1/invoices/{invoice_id}/submit": ["post"],
        "/api/v1/invoices/{invoice_id}/accept": ["post"],
        "/api/v1/invoices/{invoice_id}/pay": ["post"],
        "/api/v1/invoices/{invoice_id}/cancel": ["post"],
        "/api/v1/settlement/open": ["post"],
        "/api/v1/settlement/close": ["post"],
        "/api/v1/settlement/supplementary": ["post"],
    }
    assert {"SessionAuth": []} in document["paths"]["/api/v1/invoices"]["get"]["security"]
    assert document["paths"]["/api/v1/invoices"]["get"]["tags"] == ["Персонифицированное финансирование"]
    money = document["components"]["schemas"]["InvoiceOut"]["properties"]["amount"]
    assert money["type"] == "string"  # exact decimals, never binary floats

