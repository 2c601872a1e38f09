# ruff: noqa: F811 — the tests take the fixtures imported from switching_fixtures
"""Switching groups of a contract paid by a social certificate: the child moves to another
group of the same program paid for by social certificates only, the rest of the contract
is priced by the same rule as the social certificate was formed (the new module's
normative cost caps it, no personal balance), and the social certificate's nominal, its
ledger and the period's committed move by the difference to the kopeck.

The table (``Y`` is next year; the same groups as ``switching_fixtures``, social ones):

- «Соц. осень» — module 1 (36,000.00, normative 30,000.00), 1 September – 31 December:
  the contract pays 30,000.00 by the social certificate (its nominal), 6,000.00 by the
  parent; September 7,377.06 + 1,475.43, October to December 7,540.98 + 1,508.19.
- «Соц. второй модуль» — module 2 (27,600.00, normative 23,000.00), 1 October – 31
  December (92 days). From 1 November: D = 61, total ⌊61/92 × 27,600⌋ = 18,300.00,
  normative ⌊61/92 × 23,000⌋ = 15,250.00, social part min(18,300.00, 15,250.00,
  23,000.00) = 15,250.00 (November 7,500.00, December ⌊31/61 × 15,250⌋ = 7,750.00),
  parent 3,050.00 (1,500.00 + 1,550.00). The old November and December held 15,081.96,
  so the nominal grows by 168.04 to 30,168.04.
- «Соц. дешёвая» — module 3 (9,200.00, normative 9,200.00): from 1 November 6,100.00, all
  of it social (3,000.00 + 3,100.00); the nominal falls by 8,981.96 to 21,018.04.
"""

import datetime as dt

import pytest

from opora.audit.models import AuditEvent
from opora.errors import InvalidTransition, ValidationFailed
from opora.financing import switching
from opora.financing.models import (
    CertificateKind,
    CertificateLedger,
    ContractMonth,
    FinancingPeriod,
    SocialCertificate,
    SwitchStatus,
)
from opora.registry.choices import FundingSource
from opora.registry.models import Group
from tests.financing.conftest import certificate_only, make_certificate
from tests.financing.switching_fixtures import (  # noqa: F401 — fixtures
    DEC,
    NOV,
    OCT,
    SEP,
    D,
    Y,
    in_module,
    module,
    second,
    studying,
)

pytestmark = pytest.mark.django_db


def social_group(program, start, name, **kw):
    return certificate_only(program, start, dt.date(Y, 12, 31), FundingSource.SOCIAL, name=name, **kw)


@pytest.fixture
def social_autumn(certified_program):
    return social_group(certified_program, dt.date(Y, 9, 1), "Соц. осень")


@pytest.fixture
def social_second(certified_program):
    group = social_group(certified_program, dt.date(Y, 10, 1), "Соц. второй модуль", capacity_max=2)
    return in_module(group, module(certified_program, 2, D("27600.00"), D("23000.00")))


@pytest.fixture
def social_cheap(certified_program):
    group = social_group(certified_program, dt.date(Y, 10, 1), "Соц. дешёвая")
    return in_module(group, module(certified_program, 3, D("9200.00"), D("9200.00")))


@pytest.fixture
def social_contract(parent, child, staff, next_period, social_autumn):
    make_certificate(child, kind=CertificateKind.ACCOUNTING)  # on the register, no ledger of its own
    return studying(parent, child, staff, social_autumn)


def schedule(contract):
    return {m.month: (m.certificate_amount, m.parent_amount)
            for m in ContractMonth.objects.filter(contract=contract).order_by("month")}


def money(contract):
    """(social nominal, ledger nominal, reserved, paid, period committed)."""
    ledger = CertificateLedger.objects.get(pk=contract.ledger_id)
    social = SocialCertificate.objects.get(pk=ledger.social_certificate_id)
    period = FinancingPeriod.objects.get(pk=contract.period_id)
    return social.nominal, ledger.nominal, ledger.reserved, ledger.paid, period.committed


def test_social_contract_before_the_switch(social_contract):
    assert switching.is_social(social_contract)
    assert schedule(social_contract) == {
        SEP: (D("7377.06"), D("1475.43")), OCT: (D("7540.98"), D("1508.19")),
        NOV: (D("7540.98"), D("1508.19")), DEC: (D("7540.98"), D("1508.19"))}
    assert money(social_contract) == (D("30000.00"), D("30000.00"), D("30000.00"), D("0.00"), D("30000.00"))


def test_targets_are_the_groups_of_social_certificates_only(social_contract, social_second, social_cheap, second):
    assert list(switching.switch_targets(social_contract)) == [social_second, social_cheap]


def test_parent_switches_a_social_contract_to_a_dearer_group(parent, social_contract, social_autumn,
                                                             social_second):
    switch = switching.switch_group(parent, social_contract, social_second, dt.date(Y, 11, 17))

    social_contract.refresh_from_db()
    assert schedule(social_contract) == {
        SEP: (D("7377.06"), D("1475.43")), OCT: (D("7540.98"), D("1508.19")),
        NOV: (D("7500.00"), D("1500.00")), DEC: (D("7750.00"), D("1550.00"))}
    assert (social_contract.certificate_part, social_contract.parent_part, social_contract.total) == (
        D("30168.04"), D("6033.62"), D("36201.66"))
    assert social_contract.normative == D("30250.00")  # ⌊30,000 × 61/122⌋ + 15,250.00
    assert social_contract.group_id == social_second.pk
    # the social certificate's nominal is its contract's social part again
    assert money(social_contract) == (D("30168.04"), D("30168.04"), D("30168.04"), D("0.00"), D("30168.04"))
    assert (switch.status, switch.reserve_change, switch.total_after) == (
        SwitchStatus.APPLIED, D("168.04"), D("36201.66"))
    assert (Group.objects.get(pk=social_autumn.pk).seats_taken,
            Group.objects.get(pk=social_second.pk).seats_taken) == (0, 1)
    assert AuditEvent.objects.filter(action="financing.contract.group_switched").count() == 1


def test_a_cheaper_social_group_lowers_the_nominal_and_frees_the_budget(parent, social_contract, social_cheap):
    amendment = switching.preview(parent, social_contract, social_cheap, NOV)
    assert (amendment.certificate_after, amendment.parent_after, amendment.reserve_change) == (
        D("21018.04"), D("2983.62"), D("-8981.96"))

    switching.switch_group(parent, social_contract, social_cheap, NOV)

    social_contract.refresh_from_db()
    assert schedule(social_contract)[NOV] == (D("3000.00"), D("0.00"))
    assert schedule(social_contract)[DEC] == (D("3100.00"), D("0.00"))
    assert (social_contract.certificate_part, social_contract.parent_part) == (D("21018.04"), D("2983.62"))
    assert money(social_contract) == (D("21018.04"), D("21018.04"), D("21018.04"), D("0.00"), D("21018.04"))


def test_the_provider_proposes_and_the_parent_agrees(parent, staff, social_contract, social_second):
    proposal = switching.propose_switch(staff, social_contract, social_second, NOV)
    assert (proposal.certificate_after, proposal.reserve_change) == (D("30168.04"), D("168.04"))

    switching.accept_switch(parent, proposal)

    assert money(social_contract)[0] == D("30168.04")


def test_a_personal_balance_does_not_limit_the_social_part(parent, child, social_contract, social_second,
                                                           next_period):
    # even a financing certificate with nothing left would not cap the social certificate
    CertificateLedger.objects.create(certificate=social_contract.certificate, period=next_period,
                                     nominal=D("0.00"))
    switching.switch_group(parent, social_contract, social_second, NOV)
    assert money(social_contract)[0] == D("30168.04")


def test_budget_exhausted_refuses_and_changes_nothing(parent, social_contract, social_second):
    FinancingPeriod.objects.filter(pk=social_contract.period_id).update(budget=D("30100.00"))
    before = (schedule(social_contract), money(social_contract))

    with pytest.raises(InvalidTransition, match="не хватает 168.04"):
        switching.switch_group(parent, social_contract, social_second, NOV)

    assert (schedule(social_contract), money(social_contract)) == before
    assert Group.objects.get(pk=social_second.pk).seats_taken == 0


def test_a_group_of_ordinary_certificates_is_refused(parent, social_contract, second):
    before = (schedule(social_contract), money(social_contract))

    with pytest.raises(ValidationFailed, match="не только социальными сертификатами"):
        switching.switch_group(parent, social_contract, second, NOV)

    assert (schedule(social_contract), money(social_contract)) == before


def test_the_parents_page_and_the_api_switch_a_social_contract(client, parent, social_contract, social_second,
                                                                 second):
    from django.urls import reverse

    from tests.api.conftest import ApiClient

    client.force_login(parent)
    page = client.get(reverse("financing:cabinet_contract", args=[social_contract.uuid])).content.decode()
    assert "Перевод в другую группу" in page and "Соц. второй модуль" in page and "Второй модуль (" not in page
    base = f"/contracts/{social_contract.uuid}/switch"
    assert [g["name"] for g in ApiClient(parent).get(base).json()["groups"]] == ["Соц. второй модуль"]
    month = f"{Y}-11"
    preview = ApiClient(parent).post(f"{base}/preview", {"group": social_second.pk, "month": month})
    assert preview.status_code == 200, preview.content
    assert (preview.json()["certificate_after"], preview.json()["reserve_change"]) == ("30168.04", "168.04")
    refused = ApiClient(parent).post(base, {"group": second.pk, "month": month})
    assert refused.status_code == 422 and "социальными сертификатами" in refused.json()["detail"]

    done = client.post(reverse("financing:switch", args=[social_contract.uuid]),
                       {"group": social_second.pk, "month": NOV.isoformat()}, follow=True)
    assert "переведён в группу «Соц. второй модуль»" in done.content.decode()
    assert money(social_contract)[0] == D("30168.04")
