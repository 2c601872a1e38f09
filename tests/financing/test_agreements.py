"""Children from other municipalities (docs/domain.md §4): a contract of a child of the
city («payer») with a provider of the district («host») is made only under an active
cooperation agreement, paid from the city's period and the child's certificate, within
the agreement's limits; the agreement's cycle between the two sides; invoices per payer;
the flows between municipalities.

Dates: ``Y`` is next year; a group of September–December of ``Y`` costs 36,000.00, its
normative cost is 30,000.00 and a certificate holds 30,000.00, so each contract reserves
30,000.00."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from opora.accounts.models import Role
from opora.audit.models import AuditEvent
from opora.enrollment import services
from opora.enrollment.models import Application
from opora.enrollment.models import ApplicationStatus as S
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.financing import agreements, contracts, flows, settlement
from opora.financing.models import (
    AgreementStatus,
    CertificateLedger,
    Contract,
    CooperationAgreement,
    Invoice,
    InvoiceStatus,
)
from opora.registry.choices import ProgramStatus
from tests import factories as f
from tests.api.conftest import ApiClient
from tests.enrollment.conftest import add_child
from tests.financing.conftest import (
    NOV,
    OCT,
    autumn_group,
    certify,
    csv_rows,
    make_certificate,
    make_contract,
    make_period,
    on_day,
)

pytestmark = pytest.mark.django_db

Y = timezone.localdate().year + 1
D = Decimal


def make_agreement(payer, host, *, status=AgreementStatus.ACTIVE, valid_from=None, valid_to=None, **kw):
    """An agreement «payer → host» built directly (its services are tested below)."""
    return CooperationAgreement.objects.create(
        payer=payer, host=host, proposer=payer, status=status,
        valid_from=valid_from or dt.date(Y, 1, 1), valid_to=valid_to or dt.date(Y, 12, 31),
        proposed_at=timezone.now(), **kw)


@pytest.fixture
def away_program(other_provider):
    """A certified program of the district's provider."""
    program = f.program(other_provider, status=ProgramStatus.PUBLISHED, title="Шахматы в районе")
    certify(program.modules.get())
    return program


@pytest.fixture
def away_group(away_program):
    return autumn_group(away_program, name="Шахматы-осень")


@pytest.fixture
def next_period(city):
    return make_period(city, title=f"ПФДО {Y}", starts_on=dt.date(Y, 1, 1), ends_on=dt.date(Y + 1, 8, 31))


@pytest.fixture
def host_period(district):
    return make_period(district, title=f"ПФДО района {Y}", starts_on=dt.date(Y, 1, 1), ends_on=dt.date(Y + 1, 8, 31))


def city_child(parent, period, name="Иван"):
    child = add_child(parent, first_name=name)
    make_certificate(child, period)
    return child


def apply(parent, child, group):
    return services.submit_application(parent, child, group)[0]


def money(period):
    period.refresh_from_db()
    return period.committed, list(CertificateLedger.objects.filter(period=period).values_list("reserved", "paid"))


# --- contracts across municipalities ---------------------------------------------------


def test_without_an_agreement_the_contract_is_refused_and_nothing_changes(
        parent, other_staff, next_period, host_period, away_group):
    child = city_child(parent, next_period)
    application = apply(parent, child, away_group)
    before = money(next_period), money(host_period)

    with pytest.raises(InvalidTransition) as refused:
        services.confirm_application(other_staff, application)

    assert "нет действующего соглашения о сотрудничестве" in refused.value.message
    assert "«Город Тестов»" in refused.value.message and "«Тестовский район»" in refused.value.message
    assert Application.objects.get(pk=application.pk).status == S.NEW
    assert not Contract.objects.exists()
    assert (money(next_period), money(host_period)) == before


def test_under_an_agreement_the_childs_municipality_pays(parent, other_staff, city, district, next_period,
                                                        host_period, away_group):
    agreement = make_agreement(city, district)
    child = city_child(parent, next_period)

    services.confirm_application(other_staff, apply(parent, child, away_group))

    contract = Contract.objects.get()
    assert (contract.period, contract.agreement, contract.organization) == (next_period, agreement,
                                                                          away_group.module.program.organization)
    assert (contract.total, contract.certificate_part, contract.parent_part) == (D("36000.00"), D("30000.00"),
                                                                                 D("6000.00"))
    assert money(next_period) == (D("30000.00"), [(D("30000.00"), D("0.00"))])
    assert money(host_period) == (D("0.00"), [])  # the host's budget is not touched
    created = AuditEvent.objects.get(action="financing.contract.created")
    assert created.data["agreement"] == str(agreement.uuid)
    assert agreements.usage(agreement) == agreements.Usage(children=1, amount=D("30000.00"))


@pytest.mark.parametrize("terms", [
    {"status": AgreementStatus.PROPOSED},
    {"status": AgreementStatus.ENDED},
    {"status": AgreementStatus.CANCELLED},
    {"valid_to": dt.date(Y, 8, 31)},  # ends before the group starts
    {"valid_from": dt.date(Y, 10, 1)},  # starts after
], ids=["proposed", "ended", "cancelled", "ended-before", "starts-after"])
def test_only_an_active_agreement_covering_the_start_counts(parent, other_staff, city, district, next_period,
                                                            away_group, terms):
    make_agreement(city, district, **terms)
    child = city_child(parent, next_period)

    with pytest.raises(InvalidTransition):
        services.confirm_application(other_staff, apply(parent, child, away_group))
    assert not Contract.objects.exists() and money(next_period)[0] == D("0.00")


def test_the_reverse_agreement_does_not_pay_for_the_city(parent, other_staff, city, district, next_period,
                                                         away_group):
    make_agreement(district, city)  # the district pays for its children in the city: not this one
    child = city_child(parent, next_period)

    with pytest.raises(InvalidTransition):
        services.confirm_application(other_staff, apply(parent, child, away_group))


def test_the_children_limit_counts_each_child_once(parent, other_staff, city, district, next_period,
                                                   away_program):
    agreement = make_agreement(city, district, max_children=1)
    first, second = city_child(parent, next_period, "Иван"), city_child(parent, next_period, "Пётр")
    groups = [autumn_group(away_program, name=f"Группа {i}") for i in range(3)]
    services.confirm_application(other_staff, apply(parent, first, groups[0]))
    before = money(next_period)

    with pytest.raises(InvalidTransition) as refused:
        services.confirm_application(other_staff, apply(parent, second, groups[1]))

    assert refused.value.message.startswith(
        "По соглашению о сотрудничестве муниципалитетов «Город Тестов» и «Тестовский район» уже обучаются 1 из 1 детей")
    assert money(next_period) == before
    # the same child in another group is not a second child (the balance is spent: 0 ₽)
    services.confirm_application(other_staff, apply(parent, first, groups[2]))
    assert agreement.contracts.count() == 2


def test_the_amount_limit_frees_when_an_offer_is_declined(parent, other_staff, city, district, next_period,
                                                          away_program):
    agreement = make_agreement(city, district, max_amount=D("45000.00"))
    first, second = city_child(parent, next_period, "Иван"), city_child(parent, next_period, "Пётр")
    groups = [autumn_group(away_program, name=f"Группа {i}") for i in range(2)]
    services.confirm_application(other_staff, apply(parent, first, groups[0]))

    with pytest.raises(InvalidTransition) as refused:
        services.confirm_application(other_staff, apply(parent, second, groups[1]))
    assert "использовано 30000.00 ₽ из 45000.00 ₽, а договор требует 30000.00 ₽" in refused.value.message

    contracts.decline_contract(parent, Contract.objects.get(certificate__child=first))
    assert agreements.usage(agreement).amount == D("0.00")
    services.confirm_application(other_staff, Application.objects.get(child=second))
    assert agreements.usage(agreement) == agreements.Usage(children=1, amount=D("30000.00"))


# --- the agreement's cycle -------------------------------------------------------------


def terms(**kw):
    return {"valid_from": dt.date(Y, 1, 1), "valid_to": dt.date(Y, 12, 31), **kw}


def test_one_side_proposes_the_other_agrees_then_ends(operator, other_operator, city, district):
    proposed = agreements.propose_agreement(operator, payer=city, host=district, max_children=10,
                                            max_amount="500000,00", document="№ 12 от 01.12.2026", **terms())
    assert (proposed.status, proposed.proposer, proposed.max_amount) == (AgreementStatus.PROPOSED, city,
                                                                         D("500000.00"))

    with pytest.raises(PermissionDenied) as own:
        agreements.agree_agreement(operator, proposed)
    assert own.value.message == "Соглашение согласует другая сторона — муниципалитет «Тестовский район»."

    agreed = agreements.agree_agreement(other_operator, proposed)
    assert agreed.status == AgreementStatus.ACTIVE and agreed.decided_by == other_operator
    with pytest.raises(ValidationFailed):
        agreements.end_agreement(operator, agreed, "  ")
    ended = agreements.end_agreement(operator, agreed, "Бюджет исчерпан")
    assert (ended.status, ended.reason) == (AgreementStatus.ENDED, "Бюджет исчерпан")
    assert list(AuditEvent.objects.filter(target_id=str(proposed.pk)).order_by("pk").values_list(
        "action", "to_state")) == [("financing.agreement.proposed", "proposed"),
                                   ("financing.agreement.agreed", "active"), ("financing.agreement.ended", "ended")]


def test_either_side_cancels_a_proposal_but_not_an_active_agreement(operator, other_operator, authority,
                                                                    city, district):
    # the host proposes that the city pay; the city's authority declines it
    proposed = agreements.propose_agreement(other_operator, payer=city, host=district, **terms())
    assert proposed.proposer == district
    cancelled = agreements.cancel_agreement(authority, proposed, "Нет средств")
    assert cancelled.status == AgreementStatus.CANCELLED
    with pytest.raises(InvalidTransition):
        agreements.agree_agreement(operator, cancelled)
    active = make_agreement(city, district, valid_from=dt.date(Y + 1, 1, 1), valid_to=dt.date(Y + 1, 6, 30))
    with pytest.raises(InvalidTransition):
        agreements.cancel_agreement(operator, active)


@pytest.fixture
def third_operator(db):
    return f.user(Role.SUPPORT_CENTRE, municipality=f.municipality(name="Третий округ"))


@pytest.mark.parametrize("who", ["staff", "other_staff", "parent", "regional", "third_operator"])
def test_only_the_two_sides_payers_act(request, who, operator, city, district):
    actor = request.getfixturevalue(who)
    proposal = make_agreement(city, district, status=AgreementStatus.PROPOSED)
    active = make_agreement(city, district, valid_from=dt.date(Y + 1, 1, 1), valid_to=dt.date(Y + 1, 6, 30))

    with pytest.raises(PermissionDenied):
        agreements.propose_agreement(actor, payer=city, host=district,
                                     **terms(valid_from=dt.date(Y + 2, 1, 1), valid_to=dt.date(Y + 2, 6, 30)))
    for call in (lambda: agreements.agree_agreement(actor, proposal),
                 lambda: agreements.cancel_agreement(actor, proposal),
                 lambda: agreements.end_agreement(actor, active, "Причина")):
        with pytest.raises(PermissionDenied):
            call()
    assert CooperationAgreement.objects.count() == 2
    assert set(CooperationAgreement.objects.values_list("status", flat=True)) == {"proposed", "active"}


@pytest.mark.parametrize("bad, field", [
    ({"valid_from": dt.date(Y, 6, 1), "valid_to": dt.date(Y, 5, 31)}, "valid_to"),
    ({"valid_from": dt.date(2020, 1, 1), "valid_to": dt.date(2020, 12, 31)}, "valid_to"),
    ({"valid_to": dt.date(Y + 30, 1, 1)}, "valid_to"),
    ({"valid_from": "2027-01-01"}, "valid_from"),
    ({"max_children": 0}, "max_children"),
    ({"max_children": "5"}, "max_children"),
    ({"max_amount": "-1"}, "max_amount"),
    ({"max_amount": "100.005"}, "max_amount"),
    ({"max_amount": "много"}, "max_amount"),
    ({"max_amount": 1.5}, "max_amount"),
    ({"document": "x" * 201}, "document"),
])
def test_bad_terms_are_refused_and_nothing_is_made(operator, city, district, bad, field):
    with pytest.raises(ValidationFailed) as refused:
        agreements.propose_agreement(operator, payer=city, host=district, **terms(**bad))
    assert field in refused.value.errors
    assert not CooperationAgreement.objects.exists() and not AuditEvent.objects.exists()


def test_same_municipality_and_overlapping_terms_are_refused(operator, city, district):
    with pytest.raises(ValidationFailed) as same:
        agreements.propose_agreement(operator, payer=city, host=city, **terms())
    assert "counterpart" in same.value.errors
    agreements.propose_agreement(operator, payer=city, host=district, **terms())
    with pytest.raises(ValidationFailed) as overlap:
        agreements.propose_agreement(operator, payer=city, host=district,
                                     **terms(valid_from=dt.date(Y, 12, 1), valid_to=dt.date(Y + 1, 5, 31)))
    assert "уже есть соглашение в статусе «Ожидает согласования»" in overlap.value.errors["valid_from"][0]
    # the other direction is another agreement
    agreements.propose_agreement(operator, payer=district, host=city, **terms())
    assert CooperationAgreement.objects.count() == 2


# --- invoices per payer and the flows --------------------------------------------------


@pytest.fixture
def two_payers(parent, city, district, other_provider, away_program):
    """The district's provider teaches a child of the city (paid by the city, under an
    agreement) and a child of the district (paid by the district), October–November 2026."""
    city_period, district_period = make_period(city), make_period(district, title="ПФДО района")
    group = autumn_group(away_program)
    agreement = make_agreement(city, district, valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 12, 31))
    visitor = add_child(parent, first_name="Гость")
    local = add_child(f.user(municipality=district, email="local.parent@example.org"), first_name="Местный")
    visiting = make_contract(make_certificate(visitor, city_period), group, city_period,
                             {OCT: D("3000.00"), NOV: D("3000.00")})
    Contract.objects.filter(pk=visiting.pk).update(agreement=agreement)
    at_home = make_contract(make_certificate(local, district_period), group, district_period,
                            {OCT: D("2000.00"), NOV: D("2000.00")})
    return visiting, at_home


def test_each_payer_settles_and_sees_only_its_invoices(monkeypatch, operator, other_operator, other_staff, city,
                                                       district, other_provider, two_payers):
    visiting, at_home = two_payers
    on_day(monkeypatch, dt.date(2026, 11, 2))

    settlement.close_month(operator, city, OCT)
    [city_invoice] = Invoice.objects.all()
    assert (city_invoice.municipality, city_invoice.organization, city_invoice.amount) == (
        city, other_provider, D("3000.00"))
    assert list(city_invoice.lines.values_list("contract_id", flat=True)) == [visiting.pk]
    settlement.close_month(other_operator, district, OCT)
    district_invoice = Invoice.objects.get(municipality=district)
    assert list(district_invoice.lines.values_list("contract_id", flat=True)) == [at_home.pk]

    from opora.accounts import scope
    assert list(scope.territory(operator, Invoice.objects.all())) == [city_invoice]
    assert list(scope.territory(other_operator, Invoice.objects.all())) == [district_invoice]
    assert set(scope.territory(other_staff, Invoice.objects.all())) == {city_invoice, district_invoice}
    # the host may not accept the city's invoice
    Invoice.objects.filter(pk=city_invoice.pk).update(status=InvoiceStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        settlement.accept_invoice(other_operator, city_invoice)


def test_flows_show_children_money_billed_and_paid(monkeypatch, operator, other_operator, regional, city, district,
                                                   two_payers, django_assert_max_num_queries):
    on_day(monkeypatch, dt.date(2026, 11, 2))
    settlement.close_month(operator, city, OCT)
    invoice = Invoice.objects.get(municipality=city)
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.PAID)

    with django_assert_max_num_queries(6):
        rows = flows.flows(operator)

    assert [(r["payer"], r["host"], r["children"], r["contracts"], r["scheduled"], r["billed"], r["paid"])
            for r in rows] == [("Город Тестов", "Тестовский район", 1, 1, D("6000.00"), D("3000.00"), D("3000.00"))]
    assert flows.flows(other_operator) == rows  # the host reads the flow to its providers too
    assert flows.flows(regional) == rows


# --- API and pages -----------------------------------------------------------------------


def test_api_cycle_and_bad_input(operator, other_operator, city, district):
    body = {"payer": city.pk, "host": district.pk, "valid_from": f"{Y}-01-01", "valid_to": f"{Y}-12-31",
            "max_children": 5, "max_amount": "100000.00"}
    made = ApiClient(operator).post("/agreements", body)
    assert made.status_code == 201, made.content
    uuid = made.json()["uuid"]
    assert (made.json()["status"], made.json()["max_amount"], made.json()["children"]) == ("proposed", "100000.00", 0)

    assert ApiClient(operator).post(f"/agreements/{uuid}/agree").status_code == 403
    agreed = ApiClient(other_operator).post(f"/agreements/{uuid}/agree")
    assert agreed.status_code == 200 and agreed.json()["status"] == "active"
    assert ApiClient(other_operator).post(f"/agreements/{uuid}/cancel").status_code == 409
    assert ApiClient(other_operator).get("/agreements").json()["count"] == 1
    assert ApiClient(operator).get("/agreement-flows").json() == []

    bad = ApiClient(operator).post("/agreements", {**body, "valid_from": f"{Y + 1}-06-01",
                                                   "valid_to": f"{Y + 1}-05-01"})
    assert bad.status_code == 422 and bad.json()["field"] == "valid_to"
    assert ApiClient(operator).post("/agreements", {**body, "max_children": 0}).status_code == 422
    assert ApiClient(operator).post("/agreements", {**body, "host": 999999}).status_code == 404
    assert CooperationAgreement.objects.count() == 1


def test_pages_list_propose_agree_and_flows(client, operator, other_operator, city, district):
    client.force_login(operator)
    page = client.get("/office/financing/agreements/")
    assert page.status_code == 200 and "Предложить соглашение" in page.content.decode()

    answer = client.post("/office/financing/agreements/", {
        "counterpart": district.pk, "direction": "we_pay", "valid_from": f"{Y}-01-01",
        "valid_to": f"{Y}-12-31", "max_children": "3", "max_amount": ""})
    agreement = CooperationAgreement.objects.get()
    assert answer.status_code == 302 and (agreement.payer, agreement.host) == (city, district)
    assert "Согласовать соглашение" not in client.get(answer.url).content.decode()

    client.force_login(other_operator)
    assert "Согласовать соглашение" in client.get(answer.url).content.decode()
    client.post(f"{answer.url}agree/")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    assert client.get("/office/financing/agreements/flows/").status_code == 200
    export = client.get("/office/financing/agreements/flows/export/")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")

    client.force_login(f.user(Role.ORGANIZATION_STAFF, organization=f.organization(city), municipality=city))
    assert client.get("/office/financing/agreements/").status_code == 403


def test_an_agreement_past_its_end_date_stops_applying_and_shows_expired(client, operator, city, district):
    today = timezone.localdate()
    expired = make_agreement(city, district, valid_from=today - dt.timedelta(days=400),
                             valid_to=today - dt.timedelta(days=1))
    current = make_agreement(district, city, valid_from=today - dt.timedelta(days=10),
                             valid_to=today)

    assert (expired.expired, current.expired) == (True, False)
    assert list(CooperationAgreement.objects.in_force()) == [current]
    assert set(CooperationAgreement.objects.in_force(today - dt.timedelta(days=1))) == {expired, current}
    # its stored status stays «active» (nothing rewrote it), but no action ends it again
    assert expired.status == AgreementStatus.ACTIVE
    assert agreements.allowed_actions(operator, expired)["end"] is False
    assert agreements.allowed_actions(operator, current)["end"] is True
    client.force_login(operator)
    page = client.get("/office/financing/agreements/").content.decode()
    assert "Истекло" in page and "agreement-expired" in page
    rows = {row["uuid"]: row for row in ApiClient(operator).get("/agreements").json()["items"]}
    assert (rows[str(expired.uuid)]["status_label"], rows[str(expired.uuid)]["expired"]) == ("Истекло", True)
    assert rows[str(current.uuid)]["expired"] is False


def test_a_contract_starting_after_the_agreement_expired_is_refused(parent, other_staff, city, district,
                                                                    next_period, away_group):
    make_agreement(city, district, valid_from=dt.date(Y, 1, 1), valid_to=dt.date(Y, 8, 31))
    child = city_child(parent, next_period)

    with pytest.raises(InvalidTransition, match="нет действующего соглашения"):
        services.confirm_application(other_staff, apply(parent, child, away_group))
    assert not Contract.objects.exists()


# --- the period filter of the flows ----------------------------------------------------------


def flow_figures(rows):
    return [(r["payer"], r["host"], r["children"], r["contracts"], r["scheduled"], r["billed"], r["paid"])
            for r in rows]


@pytest.fixture
def paid_october(monkeypatch, operator, city, two_payers):
    """The city's October invoice to the district's provider (3,000.00) closed and paid;
    the visiting contract has 3,000.00 more in November."""
    on_day(monkeypatch, dt.date(2026, 11, 2))
    settlement.close_month(operator, city, OCT)
    Invoice.objects.filter(municipality=city).update(status=InvoiceStatus.PAID)
    return two_payers


def test_flows_by_months_and_by_financing_period(operator, other_operator, city, district, paid_october,
                                                 django_assert_max_num_queries):
    visiting, at_home = paid_october
    pair = ("Город Тестов", "Тестовский район", 1, 1)

    assert flow_figures(flows.flows(operator)) == [(*pair, D("6000.00"), D("3000.00"), D("3000.00"))]
    october = flows.select(operator, month_from=OCT, month_to=dt.date(2026, 10, 17))
    assert flow_figures(flows.flows(operator, october)) == [(*pair, D("3000.00"), D("3000.00"), D("3000.00"))]
    with django_assert_max_num_queries(6):
        november = flows.flows(operator, flows.select(operator, month_from=NOV))
    assert flow_figures(november) == [(*pair, D("3000.00"), D("0.00"), D("0.00"))]
    # after the contract: nothing
    assert flows.flows(operator, flows.select(operator, month_from=dt.date(2026, 12, 1))) == []
    # the city's financing period holding the contract: the same as no filter; another period of it: nothing
    whole = flows.select(operator, period=visiting.period)
    assert flow_figures(flows.flows(operator, whole)) == [(*pair, D("6000.00"), D("3000.00"), D("3000.00"))]
    later = make_period(city, title="ПФДО 2028", starts_on=dt.date(2028, 1, 1), ends_on=dt.date(2028, 12, 31))
    assert flows.flows(operator, flows.select(operator, period=later.uuid)) == []
    # the period and the months together: the period's contracts within the months
    both = flows.select(operator, period=visiting.period.uuid, month_from=NOV, month_to=NOV)
    assert flow_figures(flows.flows(operator, both)) == [(*pair, D("3000.00"), D("0.00"), D("0.00"))]
    # the district's own period: the district pays for no child elsewhere
    assert flows.flows(other_operator, flows.select(other_operator, period=at_home.period)) == []


def test_a_bad_period_filter_is_refused(operator, district, paid_october):
    _visiting, at_home = paid_october
    with pytest.raises(ValidationFailed) as refused:
        flows.select(operator, month_from=NOV, month_to=OCT)
    assert refused.value.errors == {"month_to": ["Месяц «по» раньше месяца «с»: поменяйте их местами."]}
    with pytest.raises(ValidationFailed) as refused:
        flows.select(operator, period=at_home.period.uuid)  # the district's period: not the city's to read
    assert list(refused.value.errors) == ["period"]


def test_flows_page_export_and_api_take_the_period(client, operator, paid_october):
    visiting, _at_home = paid_october
    client.force_login(operator)

    page = client.get("/office/financing/agreements/flows/", {"month_from": "2026-11", "month_to": "2026-11"})
    text = page.content.decode()
    assert page.status_code == 200 and "Период отчёта:" in text and "месяцы с 11.2026 по 11.2026" in text
    assert "month_from=2026-11" in text  # the export links keep the filter
    assert [r["scheduled"] for r in page.context["rows"]] == [D("3000.00")]
    empty = client.get("/office/financing/agreements/flows/", {"month_from": "2026-12"}).content.decode()
    assert "За выбранный период детей" in empty
    wrong = client.get("/office/financing/agreements/flows/", {"month_from": "2026-12", "month_to": "2026-10"})
    assert "поменяйте их местами" in wrong.content.decode()
    assert [r["scheduled"] for r in wrong.context["rows"]] == [D("6000.00")]  # the filter is not applied
    period = client.get("/office/financing/agreements/flows/", {"period": str(visiting.period.uuid)})
    assert [r["billed"] for r in period.context["rows"]] == [D("3000.00")]

    rows = csv_rows(client.get("/office/financing/agreements/flows/export/",
                               {"format": "csv", "month_from": "2026-11", "month_to": "2026-11"}))
    assert rows[1][:4] == ["Город Тестов", "Тестовский район", "1", "1"] and len(rows) == 2
    assert rows[1][4:] == ["3000,00", "0,00", "0,00"]
    refused = client.get("/office/financing/agreements/flows/export/", {"month_from": "2026-12", "month_to": "2026-10"})
    assert refused.status_code == 302 and "month_from=2026-12" in refused.url

    api = ApiClient(operator)
    november = api.get("/agreement-flows", month_from="2026-11", month_to="2026-11-30")
    assert november.status_code == 200, november.content
    assert [(r["scheduled"], r["billed"], r["paid"]) for r in november.json()] == [("3000.00", "0.00", "0.00")]
    by_period = api.get("/agreement-flows", period=str(visiting.period.uuid)).json()
    assert [(r["scheduled"], r["billed"], r["paid"]) for r in by_period] == [("6000.00", "3000.00", "3000.00")]
    bad = api.get("/agreement-flows", month_from="2026-12", month_to="2026-10")
    assert bad.status_code == 422 and bad.json()["field"] == "month_to"
    assert api.get("/agreement-flows", month_from="декабрь").status_code == 422
    unknown = api.get("/agreement-flows", period="9a0c3d35-8d1e-4d35-9bb4-0a8f3f1c2e11")
    assert unknown.status_code == 422 and unknown.json()["field"] == "period"


def test_the_list_filters_expired_apart_from_in_force(client, operator, city, district):
    today = timezone.localdate()
    expired = make_agreement(city, district, valid_from=today - dt.timedelta(days=400),
                             valid_to=today - dt.timedelta(days=1))
    current = make_agreement(district, city, valid_from=today - dt.timedelta(days=10), valid_to=today)

    assert list(agreements.visible_agreements(operator, status="expired")) == [expired]
    assert list(agreements.visible_agreements(operator, status="active")) == [current]
    client.force_login(operator)
    page = client.get("/office/financing/agreements/", {"status": "expired"}).content.decode()
    assert f"/{expired.uuid}/" in page and f"/{current.uuid}/" not in page
    listed = ApiClient(operator).get("/agreements", status="active").json()["items"]
    assert [row["uuid"] for row in listed] == [str(current.uuid)]
    listed = ApiClient(operator).get("/agreements", status="expired").json()["items"]
    assert [row["uuid"] for row in listed] == [str(expired.uuid)]
    assert ApiClient(operator).get("/agreements", status="soon").status_code == 422
