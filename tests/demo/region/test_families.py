"""The demo region is lived in: parents, children, applications in every status with
consistent seat counters, suspected duplicates, and population figures near the target."""


from django.db.models import Count, Q
from django.utils import timezone

from opora.accounts.models import Role, User
from opora.audit.models import AuditEvent
from opora.demo.families import COVERAGE
from opora.demo.generator import build_demo
from opora.enrollment import rules
from opora.enrollment.models import SEAT_HOLDING, Application, ApplicationStatus, Child, Guardianship
from opora.enrollment.selectors import suspected_duplicates
from opora.monitoring import indicators
from opora.registry.models import Group, Municipality, MunicipalityPopulation

from ..conftest import SMALL

S = ApplicationStatus


def test_children_have_confirmed_guardians_with_consent_and_ages_5_to_17(demo):
    today = timezone.localdate()
    assert Child.objects.count() >= 60
    assert not Child.objects.filter(guardianships__isnull=True).exists()
    assert not Guardianship.objects.filter(Q(consent_at__isnull=True) | Q(consent_by__isnull=True)).exists()
    for child in Child.objects.all()[:300]:
        child.full_clean()
        assert 5 <= rules.age_on(child.birth_date, today) <= 17
        assert child.identity_key == rules.identity_key(child.last_name, child.first_name,
                                                        child.patronymic, child.birth_date)
    for parent in User.objects.filter(role=Role.PARENT).exclude(email="parent@demo.opora")[:100]:
        assert 1 <= parent.guardianships.count() <= 4  # a walk-in duplicate may add one
        parent.full_clean()


def test_applications_in_every_status_and_valid(demo):
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == set(S.values)
    now = timezone.now()
    for application in Application.objects.select_related("group")[:500]:
        application.full_clean()
        assert application.created_at <= application.status_changed_at <= now
        if application.status == S.WAITLISTED:
            assert application.queue_number
        if application.status in (S.ENROLLED, S.EXPELLED, S.COMPLETED):
            assert application.enrolled_on is not None
        if application.status in (S.EXPELLED, S.COMPLETED):
            assert application.enrolled_on <= application.ended_on <= timezone.localdate()
        if application.status in (S.REJECTED, S.WITHDRAWN, S.EXPELLED, S.COMPLETED):
            assert application.reason


def test_seat_counters_match_the_applications(demo):
    held = dict(Application.objects.filter(status__in=SEAT_HOLDING).values_list("group")
                .annotate(n=Count("pk")))
    for group in Group.objects.all():
        assert group.seats_taken == held.get(group.pk, 0)
        assert group.seats_taken <= group.capacity_max
        numbers = list(group.applications.exclude(queue_number=None)
                       .values_list("queue_number", flat=True))
        assert group.queue_last == max(numbers, default=0)
        # a waiting list only where the group is full
        if group.applications.filter(status=S.WAITLISTED).exists():
            assert group.seats_taken == group.capacity_max


def test_every_application_step_is_in_the_audit_trail(demo):
    events = AuditEvent.objects.filter(target_type="enrollment.application")
    filed = set(events.filter(action__in=("enrollment.application.submitted",
                                          "enrollment.application.waitlisted"))
                .values_list("target_id", flat=True))
    assert filed == {str(pk) for pk in Application.objects.values_list("pk", flat=True)}
    last = {}
    for target, to_state in events.order_by("created_at", "pk").values_list("target_id", "to_state"):
        last[target] = to_state
    for pk, status in Application.objects.values_list("pk", "status"):
        assert last[str(pk)] == status
    assert not events.filter(created_at__gt=timezone.now()).exists()


def test_demo_parent_has_two_children_with_applications_in_different_statuses(demo):
    parent = User.objects.get(email="parent@demo.opora")
    children = Child.objects.filter(guardianships__parent=parent)
    assert children.count() == 2
    statuses = set(Application.objects.filter(child__in=children).values_list("status", flat=True))
    assert len(statuses) >= 3


def test_suspected_duplicates_for_the_moc(demo):
    pairs = [pair for user in User.objects.filter(role=Role.SUPPORT_CENTRE,
                                                  email__startswith="moc")
             for pair in suspected_duplicates(user)]
    assert len(pairs) >= 2


def test_population_makes_coverage_near_the_target_and_different_per_municipality(demo):
    today = timezone.localdate()
    shares = set()
    for municipality in Municipality.objects.all():
        covered = indicators.coverage(today, municipality.pk, breakdowns=False)["children"]
        population = MunicipalityPopulation.objects.get(municipality=municipality,
                                                        year=today.year).children_5_17
        assert covered > 0
        share = covered / population
        assert min(COVERAGE.values()) - 0.05 <= share <= max(COVERAGE.values()) + 0.05
        shares.add(round(share, 2))
        assert MunicipalityPopulation.objects.filter(municipality=municipality,
                                                     year=today.year - 1).exists()
    assert len(shares) == Municipality.objects.count()


def _snapshot():
    return (sorted(Child.objects.values_list("uuid", "last_name", "first_name", "birth_date")),
            sorted(Application.objects.values_list("uuid", "status", "queue_number", "enrolled_on",
                                                   "ended_on")))


def test_same_seed_builds_the_same_families(demo):
    first = _snapshot()
    build_demo(scale=SMALL, reset_first=True)
    assert _snapshot() == first
    assert not AuditEvent.objects.filter(
        target_type="enrollment.child").exclude(
        target_id__in=[str(pk) for pk in Child.objects.values_list("pk", flat=True)]).exists()


def test_reset_mutes_the_catalog_receivers_only_while_it_deletes(demo):
    from django.db.models.signals import post_delete

    from opora.demo import reset
    from opora.navigator.models import CatalogEntry
    from opora.registry.models import Program

    def catalog_receivers():
        return [r for r in post_delete.receivers
                if str(r[0][0]).startswith(reset.CATALOG_RECEIVERS)]

    before = len(catalog_receivers())
    assert before == 2
    with reset.catalog_muted():
        assert catalog_receivers() == []
    assert len(catalog_receivers()) == before

    build_demo(scale=SMALL, reset_first=True)

    assert len(catalog_receivers()) == before
    assert CatalogEntry.objects.count() == Program.objects.filter(Program.public_q()).count()


def test_certificates_of_both_kinds_with_consistent_ledgers_and_periods(demo):
    from django.db.models import Sum

    from opora.financing.certificates import valid_until
    from opora.financing.models import (
        Certificate,
        CertificateKind,
        CertificateLedger,
        CertificateStatus,
        FinancingPeriod,
    )

    pairs = set(Certificate.objects.values_list("kind", "status"))
    assert (CertificateKind.FINANCING, CertificateStatus.ISSUED) in pairs
    assert (CertificateKind.ACCOUNTING, CertificateStatus.ISSUED) in pairs
    assert (CertificateKind.ACCOUNTING, CertificateStatus.REQUESTED) in pairs
    for certificate in Certificate.objects.select_related("child")[:300]:
        certificate.full_clean()
        assert certificate.municipality_id == certificate.child.municipality_id
        assert certificate.child.guardianships.filter(parent=certificate.requested_by).exists()
        if certificate.status != CertificateStatus.REQUESTED:
            assert certificate.valid_until == valid_until(certificate.child.birth_date)
            assert certificate.requested_at < certificate.decided_at <= timezone.now()
        has_ledger = certificate.ledgers.exists()
        assert has_ledger == (certificate.kind == CertificateKind.FINANCING)
    for period in FinancingPeriod.objects.all():
        ledgers = CertificateLedger.objects.filter(period=period)
        assert period.financing_places == ledgers.count() <= period.certificates_cap
        spent = ledgers.aggregate(r=Sum("reserved"), p=Sum("paid"))
        assert period.committed == (spent["r"] or 0) + (spent["p"] or 0)
    for ledger in CertificateLedger.objects.select_related("certificate", "period"):
        assert ledger.balance == ledger.nominal - ledger.reserved - ledger.paid >= 0
        if ledger.certificate.status == CertificateStatus.FROZEN:
            assert ledger.nominal == ledger.reserved + ledger.paid
            assert ledger.frozen_nominal == ledger.period.nominal_money
        else:
            assert ledger.nominal == ledger.period.nominal_money and ledger.frozen_nominal is None
    issued = Certificate.objects.exclude(status=CertificateStatus.REQUESTED)
    events = AuditEvent.objects.filter(target_type="financing.certificate",
                                       action="financing.certificate.issued")
    assert set(events.values_list("target_id", flat=True)) == {
        str(pk) for pk in issued.values_list("pk", flat=True)}
    parent = User.objects.get(email="parent@demo.opora")
    assert Certificate.objects.filter(child__guardianships__parent=parent,
                                      kind=CertificateKind.FINANCING).exists()


def test_contracts_reserve_exactly_what_ledgers_and_periods_hold(demo):
    from django.db.models import Sum

    from opora.financing.models import (
        CertificateLedger,
        Contract,
        ContractMonth,
        ContractStatus,
        FinancingPeriod,
        InvoiceKind,
        InvoiceLine,
        InvoiceStatus,
    )
    from opora.registry.choices import FundingSource

    contracts = Contract.objects.select_related("application", "group", "ledger", "certificate")
    assert contracts.filter(status=ContractStatus.ACTIVE).exists()
    for contract in contracts:
        contract.full_clean()
        application = contract.application
        assert application.status == {ContractStatus.ACTIVE: S.ENROLLED, ContractStatus.CLOSED: S.EXPELLED}.get(
            contract.status, S.AWAITING_CONTRACT)  # closed: the parents ended it early (demo/quality.py)
        assert set(contract.group.funding.values_list("source", flat=True)) == {
            FundingSource.CERTIFICATE}
        assert application.child_id == contract.certificate.child_id
        assert contract.ledger.period_id == contract.period_id
        assert contract.total == contract.certificate_part + contract.parent_part
        months = ContractMonth.objects.filter(contract=contract).aggregate(
            c=Sum("certificate_amount"), p=Sum("parent_amount"))
        assert (months["c"], months["p"]) == (contract.certificate_part, contract.parent_part)
    for ledger in CertificateLedger.objects.all():
        # what the contracts reserved is reserved or paid, less the months a provider's
        # final (or supplementary) invoice reduced (the rest went back to the certificate)
        reserved = Contract.objects.filter(ledger=ledger).aggregate(s=Sum("certificate_part"))["s"] or 0
        reserved -= ContractMonth.objects.filter(  # the months after an early end went back
            contract__ledger=ledger, contract__status=ContractStatus.CLOSED, cancelled=True).aggregate(
            s=Sum("certificate_amount"))["s"] or 0
        lines = InvoiceLine.objects.filter(
            contract__ledger=ledger, invoice__kind__in=[InvoiceKind.FINAL, InvoiceKind.SUPPLEMENTARY]).exclude(
            invoice__status=InvoiceStatus.CANCELLED)
        billed = lines.aggregate(due=Sum("month_amount"), paid=Sum("amount"))
        returned = (billed["due"] or 0) - (billed["paid"] or 0)
        assert ledger.reserved + ledger.paid == reserved - returned
        assert ledger.paid == (billed["paid"] or 0)
        assert ledger.balance >= 0
    for period in FinancingPeriod.objects.all():
        spent = CertificateLedger.objects.filter(period=period).aggregate(
            r=Sum("reserved"), p=Sum("paid"))
        assert period.committed == (spent["r"] or 0) + (spent["p"] or 0) <= period.budget
