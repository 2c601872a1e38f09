"""Cooperation agreements of the demo (docs/domain.md §4, «Children from other
municipalities»): Озёрск pays for its children studying with Северск's providers (active
for this year and the next, proposed by Озёрск's МОЦ and agreed by Северск's education
authority, up to 60 children), so the demo's children of Озёрск who study in Северск get
contracts paid by Озёрск; Лесной has proposed the same for its children and waits for
Северск's answer; Северск's own agreement with Озёрск for last year has expired
(«Истекло»). Children of other municipalities without an agreement get no contract
(``demo.contracts`` follows the rule of ``financing.agreements.resolve_payer``)."""

import datetime as dt
from decimal import Decimal

from opora import audit
from opora.demo.draw import deterministic_uuid
from opora.financing.models import AgreementStatus, CooperationAgreement

ACTIVE_LIMIT = 60


def build_agreements(ctx, municipalities: dict, users: dict) -> list[CooperationAgreement]:
    city, town, rural = municipalities["city"], municipalities["town"], municipalities["rural"]
    rng = ctx.rng("agreements")
    year = ctx.today.year
    proposed_at = ctx.moment(dt.date(year, 1, 1) - dt.timedelta(days=40), 11)
    agreed_at = proposed_at + dt.timedelta(days=9)
    active = CooperationAgreement.objects.create(
        uuid=deterministic_uuid(rng), payer=town, host=city, proposer=town, status=AgreementStatus.ACTIVE,
        valid_from=dt.date(year, 1, 1), valid_to=dt.date(year + 1, 12, 31), max_children=ACTIVE_LIMIT,
        document=f"№ 14-С от {agreed_at:%d.%m.%Y}", proposed_by=users.get("moc.ozersk@demo.opora"),
        proposed_at=proposed_at, decided_by=users.get("authority@demo.opora"), decided_at=agreed_at)
    waiting_since = ctx.now - dt.timedelta(days=3)
    proposed = CooperationAgreement.objects.create(
        uuid=deterministic_uuid(rng), payer=rural, host=city, proposer=rural, status=AgreementStatus.PROPOSED,
        valid_from=dt.date(year + 1, 1, 1), valid_to=dt.date(year + 1, 12, 31), max_children=25,
        max_amount=Decimal("600000.00"), proposed_by=users.get("moc.lesnoy@demo.opora"), proposed_at=waiting_since)
    last_year_agreed = ctx.moment(dt.date(year - 1, 1, 1) - dt.timedelta(days=20), 10)
    expired = CooperationAgreement.objects.create(
        uuid=deterministic_uuid(rng), payer=city, host=town, proposer=city, status=AgreementStatus.ACTIVE,
        valid_from=dt.date(year - 1, 1, 1), valid_to=dt.date(year - 1, 12, 31), max_children=15,
        document=f"№ 3-С от {last_year_agreed:%d.%m.%Y}", proposed_by=users.get("moc@demo.opora"),
        proposed_at=last_year_agreed - dt.timedelta(days=7), decided_by=users.get("moc.ozersk@demo.opora"),
        decided_at=last_year_agreed)
    audit.record_many([
        audit.event(expired.proposed_by, "financing.agreement.proposed", expired, to_state=AgreementStatus.PROPOSED,
                    at=expired.proposed_at, payer=city.name, host=town.name),
        audit.event(expired.decided_by, "financing.agreement.agreed", expired, from_state=AgreementStatus.PROPOSED,
                    to_state=AgreementStatus.ACTIVE, at=last_year_agreed, payer=city.name, host=town.name),
        audit.event(active.proposed_by, "financing.agreement.proposed", active, to_state=AgreementStatus.PROPOSED,
                    at=proposed_at, payer=town.name, host=city.name),
        audit.event(active.decided_by, "financing.agreement.agreed", active, from_state=AgreementStatus.PROPOSED,
                    to_state=AgreementStatus.ACTIVE, at=agreed_at, payer=town.name, host=city.name),
        audit.event(proposed.proposed_by, "financing.agreement.proposed", proposed,
                    to_state=AgreementStatus.PROPOSED, at=waiting_since, payer=rural.name, host=city.name),
    ])
    return [active, proposed, expired]
