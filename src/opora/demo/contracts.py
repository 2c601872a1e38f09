"""Contracts of the demo: for each application awaiting a contract or enrolled in a group
paid for by certificates only, whose child holds an issued financing certificate and
whose module is certified, the contract the financing services would have made when the
provider confirmed it — priced by ``financing.pricing.price_contract`` against the
ledger's balance, its certificate part reserved from the ledger of the period holding
its start and counted in that period's ``committed``. Confirmed (an offer) while the
application awaits the contract, active once the child is enrolled. The months are
settled afterwards by ``demo.settlement``."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import F

from opora import audit
from opora.accounts.models import User
from opora.demo.draw import deterministic_uuid
from opora.demo.history import given_timestamps
from opora.enrollment.models import Application
from opora.enrollment.models import ApplicationStatus as S
from opora.financing import pricing
from opora.financing.models import (
    AgreementStatus,
    Certificate,
    CertificateKind,
    CertificateLedger,
    CertificateStatus,
    CertificationStatus,
    Contract,
    ContractMonth,
    ContractStatus,
    FinancingPeriod,
    ModuleCertification,
)
from opora.registry.choices import FundingSource
from opora.registry.models import GroupFunding


def build_contracts(ctx, municipalities: dict, cooperation=()) -> int:
    """``cooperation``: the demo's agreements; a child studying with a provider of another
    municipality gets a contract only under an active one covering its start, within its
    limit of children."""
    rng = ctx.rng("contracts")
    region = list(municipalities.values())
    sources = defaultdict(set)
    for group_id, source in GroupFunding.objects.filter(
            group__module__program__organization__municipality__in=region).values_list(
            "group_id", "source"):
        sources[group_id].add(source)
    certificate_only = {g for g, s in sources.items() if s == {FundingSource.CERTIFICATE}}
    certified = {c.module_id: c for c in ModuleCertification.objects.filter(
        status=CertificationStatus.CERTIFIED, module__program__organization__municipality__in=region)}
    certificates = {c.child_id: c for c in Certificate.objects.filter(
        municipality__in=region, kind=CertificateKind.FINANCING, status=CertificateStatus.ISSUED)}
    ledgers = {(x.certificate_id, x.period_id): x for x in CertificateLedger.objects.filter(
        certificate__in=certificates.values())}
    periods = defaultdict(list)
    for period in FinancingPeriod.objects.filter(municipality__in=region).order_by("starts_on", "pk"):
        periods[period.municipality_id].append(period)
    applications = (Application.objects.filter(status__in=(S.AWAITING_CONTRACT, S.ENROLLED),
                                               group_id__in=certificate_only)
                    .select_related("group__module__program__organization").order_by("pk"))
    contracts, months, events = [], [], []
    committed = defaultdict(Decimal)
    count = defaultdict(int)
    children_of = defaultdict(set)
    for application in applications:
        group = application.group
        certificate = certificates.get(application.child_id)
        certification = certified.get(group.module_id)
        if certificate is None or certification is None:
            continue
        confirmed = application.status_changed_at if application.status == S.AWAITING_CONTRACT \
            else ctx.moment(application.enrolled_on, 10)
        signed = min(confirmed.date(), ctx.today)
        start = max(group.start_date, signed)
        agreement = None
        host = group.module.program.organization.municipality_id
        if host != certificate.municipality_id:
            agreement = next((a for a in cooperation if a.status == AgreementStatus.ACTIVE
                              and (a.payer_id, a.host_id) == (certificate.municipality_id, host)
                              and a.valid_from <= start <= a.valid_to), None)
            if agreement is None or (certificate.pk not in children_of[agreement.pk]
                                     and len(children_of[agreement.pk]) >= agreement.max_children):
                continue
        period = next((p for p in periods[certificate.municipality_id]
                       if p.starts_on <= start <= p.ends_on), None)
        ledger = ledgers.get((certificate.pk, period.pk)) if period else None
        if ledger is None or start > group.end_date:
            continue
        end = min(pricing.contract_end(group.end_date, period.ends_on), certificate.valid_until)
        if end < start:
            continue
        price = pricing.price_contract(
            group_start=group.start_date, group_end=group.end_date, start=start, end=end,
            module_price=certification.price, normative_cost=certification.normative_cost,
            balance=ledger.balance)
        if committed[period.pk] + price.certificate_part > period.budget:
            continue
        if agreement is not None:
            children_of[agreement.pk].add(certificate.pk)
        ledger.committed += price.certificate_part
        committed[period.pk] += price.certificate_part
        count[certificate.pk] += 1
        active = application.status == S.ENROLLED
        at = min(confirmed, ctx.now - dt.timedelta(minutes=2))
        contract = Contract(
            uuid=deterministic_uuid(rng), number=f"{certificate.number}-{count[certificate.pk]}",
            application=application, certificate=certificate, period=period, ledger=ledger,
            agreement=agreement, organization=group.module.program.organization, module=group.module, group=group,
            status=ContractStatus.ACTIVE if active else ContractStatus.CONFIRMED,
            signed_on=signed, starts_on=start, ends_on=end, total=price.total,
            normative=price.normative, certificate_part=price.certificate_part,
            parent_part=price.parent_part, created_at=at, updated_at=at,
            accepted_at=min(at + dt.timedelta(hours=rng.randint(1, 48)),
                            ctx.now - dt.timedelta(minutes=1)) if active else None)
        contracts.append(contract)
        months += [ContractMonth(contract=contract, month=m.month, certificate_amount=m.certificate,
                                 parent_amount=m.parent) for m in price.months]
    if not contracts:
        return 0
    with given_timestamps(Contract):
        Contract.objects.bulk_create(contracts, batch_size=500)
    for month in months:
        month.contract_id = month.contract.pk
    ContractMonth.objects.bulk_create(months, batch_size=1000)
    touched = {c.ledger.pk: c.ledger for c in contracts}
    CertificateLedger.objects.bulk_update(list(touched.values()), ["committed"], batch_size=500)
    for period_id, amount in committed.items():
        FinancingPeriod.objects.filter(pk=period_id).update(committed=F("committed") + amount)
    staff_of = {}
    for user in User.objects.filter(organization__municipality__in=region).order_by("-pk"):
        staff_of[user.organization_id] = user
    for contract in contracts:
        staff = staff_of.get(contract.organization_id)
        events.append(audit.event(staff, "financing.contract.created", contract,
                                  at=contract.created_at, to_state=ContractStatus.CONFIRMED,
                                  application=contract.application.pk,
                                  certificate=contract.certificate.number,
                                  starts_on=contract.starts_on.isoformat(),
                                  ends_on=contract.ends_on.isoformat(),
                                  total=str(contract.total),
                                  certificate_part=str(contract.certificate_part),
                                  parent_part=str(contract.parent_part)))
        if contract.accepted_at:
            events.append(audit.event(contract.certificate.requested_by,
                                      "financing.contract.accepted", contract,
                                      at=contract.accepted_at, from_state=ContractStatus.CONFIRMED,
                                      to_state=ContractStatus.ACTIVE))
    audit.record_many(events)
    return len(contracts)
