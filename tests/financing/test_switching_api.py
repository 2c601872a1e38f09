# ruff: noqa: F811 — the tests take the fixtures imported from the fixture modules
"""The API of group switches, disputes, supplementary invoices and budget places: the
same rules as the services, JSON in and out, the documented refusals."""

import datetime as dt
from decimal import Decimal

import pytest

from opora.enrollment import budget_places, services
from opora.enrollment.models import TaskOverrun
from opora.financing import settlement
from opora.financing.models import Contract, InvoiceDispute
from tests.api.conftest import ApiClient
from tests.enrollment.conftest import family, open_group, published  # noqa: F401 — fixtures
from tests.financing.conftest import OCT, make_contract, on_day
from tests.financing.switching_fixtures import autumn, contract, second  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db
D = Decimal


def test_parent_previews_and_switches_and_staff_propose(parent, staff, contract, second):
    base = f"/contracts/{contract.uuid}/switch"
    options = ApiClient(parent).get(base).json()
    assert [g["name"] for g in options["groups"]] == ["Второй модуль"]
    month = f"{second.start_date.year}-11"

    preview = ApiClient(parent).post(f"{base}/preview", {"group": second.pk, "month": month})
    assert preview.status_code == 200, preview.content
    assert (preview.json()["total_after"], preview.json()["reserve_change"]) == ("36201.66", "168.04")
    assert Contract.objects.get(pk=contract.pk).group_id != second.pk

    proposed = ApiClient(staff).post(base, {"group": second.pk, "month": month})
    assert proposed.status_code == 200 and proposed.json()["status"] == "proposed"
    accepted = ApiClient(parent).post(f"/switches/{proposed.json()['uuid']}/accept")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "applied"
    assert accepted.json()["months"][0]["certificate_after"] == "7500.00"
    assert Contract.objects.get(pk=contract.pk).group_id == second.pk
    assert ApiClient(parent).get("/switches").json()[0]["to_group"] == "Второй модуль"


def test_switch_refusals(parent, staff, other_staff, contract, second, city):
    base = f"/contracts/{contract.uuid}/switch"
    assert ApiClient(parent).post(base, {"group": second.pk, "month": "2000-01"}).status_code == 422
    assert ApiClient(parent).post(base, {"group": 999999, "month": "2000-01"}).status_code == 404
    assert ApiClient(parent).post(base, {"group": second.pk}).status_code == 422
    assert ApiClient(other_staff).post(base, {"group": second.pk, "month": "2027-11"}).status_code == 404
    assert ApiClient().post(base, {"group": second.pk, "month": "2027-11"}).status_code == 401


def test_dispute_and_supplementary_through_the_api(parent, staff, operator, certificate, period, groups,
                                                   monkeypatch, second_certificate):
    on_day(monkeypatch, dt.date(2026, 11, 5))
    a = make_contract(certificate, groups[0], period, {OCT: D("4000.00")})
    settlement.close_month(operator, period.municipality, OCT)
    final = a.invoice_lines.get().invoice
    line = a.invoice_lines.get()

    opened = ApiClient(parent).post(f"/invoices/{final.pk}/lines/{line.pk}/dispute",
                                    {"text": "Болел", "claimed_completeness": "50"})
    assert opened.status_code == 200, opened.content
    uuid = opened.json()["uuid"]
    assert ApiClient(staff).post(f"/disputes/{uuid}/hold", {"held": True}).status_code == 403
    assert ApiClient(operator).post(f"/disputes/{uuid}/hold", {"held": True}).json()["held"] is True
    assert ApiClient(staff).post(f"/disputes/{uuid}/answer", {"answer": "Был"}).json()["status"] == "answered"
    assert ApiClient(operator).post(f"/disputes/{uuid}/resolve", {"outcome": "x"}).status_code == 422
    resolved = ApiClient(operator).post(f"/disputes/{uuid}/resolve", {"outcome": "parent", "completeness": "50"})
    assert resolved.status_code == 200, resolved.content
    assert (resolved.json()["status"], resolved.json()["returned"], resolved.json()["line_amount"]) == (
        "parent_right", "2000.00", "2000.00")
    assert InvoiceDispute.objects.get().status == "parent_right"

    settlement.submit_invoice(staff, final)
    make_contract(second_certificate, groups[1], period, {OCT: D("100.00")})
    formed = ApiClient(operator).post("/settlement/supplementary", {"month": "2026-10"})
    assert formed.status_code == 200, formed.content
    assert (formed.json()["lines_created"], formed.json()["amount"]) == (1, "100.00")
    assert ApiClient(operator).post("/settlement/supplementary", {"month": "2026-10"}).json()["lines_created"] == 0
    assert ApiClient(staff).post("/settlement/supplementary", {"month": "2026-10"}).status_code == 403
    assert ApiClient(parent).get("/disputes").json()[0]["uuid"] == uuid


@pytest.fixture
def groups(certified_program):
    return [open_group(certified_program, name=f"Группа {i}") for i in range(2)]


@pytest.fixture
def second_certificate(city, period):
    from tests import factories as f
    from tests.enrollment.conftest import add_child
    from tests.financing.conftest import make_certificate

    return make_certificate(add_child(f.user(municipality=city), first_name="Борис"), period)


def test_budget_places_read_and_the_confirm_warning(authority, staff, other_staff, operator, provider, published,
                                                    family, city):
    group = open_group(published, capacity_max=5)
    year = budget_places.school_year(group.start_date)
    budget_places.set_tasks(authority, provider, year, {"technical": 1})
    budget_places.save_overrun_rule(authority, city, TaskOverrun.WARN)
    first, second_one = [services.submit_application(p, c, group)[0] for p, c in family(2)]

    ok = ApiClient(staff).post(f"/applications/{first.pk}/confirm")
    assert ok.status_code == 200 and ok.json()["task_warning"] is None
    warned = ApiClient(staff).post(f"/applications/{second_one.pk}/confirm")
    assert warned.status_code == 200
    assert "сверх муниципального задания" in warned.json()["task_warning"]

    own = ApiClient(staff).get("/municipal-tasks", year=year).json()
    assert own["task_overrun"] == "warn"
    assert [(o["short_name"], o["rows"][0]["places"], o["rows"][0]["filled"], o["rows"][0]["over"])
            for o in own["organizations"]] == [(provider.short_name, 1, 2, 1)]
    territory = ApiClient(authority).get("/municipal-tasks", year=year).json()
    assert provider.pk in [o["organization_id"] for o in territory["organizations"]]
    assert ApiClient(operator).get(f"/organizations/{provider.pk}/municipal-task", year=year).json()[
        "rows"][0]["percent"] == 200
    assert ApiClient(other_staff).get(f"/organizations/{provider.pk}/municipal-task").status_code == 404
    assert ApiClient(staff).get("/municipal-tasks", year=1990).status_code == 422


def test_refusing_municipality_answers_409(authority, staff, provider, published, family):
    group = open_group(published, capacity_max=5)
    budget_places.set_tasks(authority, provider, budget_places.school_year(group.start_date), {"technical": 0})
    application = services.submit_application(*family(1)[0], group)[0]

    answer = ApiClient(staff).post(f"/applications/{application.pk}/confirm")

    assert answer.status_code == 409
    assert "выполнено: занято 0 из 0" in answer.json()["detail"]

