"""The demo region is complete and valid at a small scale."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError
from django.urls import reverse
from django.utils import timezone

from opora.accounts.models import User
from opora.audit.models import AuditEvent
from opora.demo import generator
from opora.demo.generator import school_year
from opora.enrollment.models import Application
from opora.enrollment.models import ApplicationStatus as S
from opora.monitoring import indicators
from opora.monitoring.indicators import years_before
from opora.monitoring.models import Snapshot
from opora.registry.choices import (
    Direction,
    FounderSector,
    FundingSource,
    Level,
    OrganizationKind,
    Ownership,
    ProgramStatus,
    Register,
    StudyForm,
)
from opora.registry.models import (
    Group,
    GroupFunding,
    Module,
    Municipality,
    MunicipalityPopulation,
    Organization,
    Program,
    ScheduleLine,
    Teacher,
)


def _values(model, field):
    return set(model.objects.values_list(field, flat=True))


def test_small_demo_has_every_direction_level_kind_and_status(demo):
    assert _values(Program, "direction") == set(Direction.values)
    levels = _values(Program, "levels")
    assert all(any(value & level for value in levels) for level in Level)
    assert any(bin(value).count("1") > 1 for value in levels)  # multi-level programs exist
    assert _values(Program, "status") == set(ProgramStatus.values)
    assert _values(Program, "study_form") == set(StudyForm.values)
    assert _values(Organization, "kind") == set(OrganizationKind.values)
    assert _values(Organization, "sector") == set(FounderSector.values)
    assert _values(Organization, "ownership") == set(Ownership.values)
    assert _values(GroupFunding, "source") == set(FundingSource.values)


def test_every_row_passes_model_validation(demo):
    for model in (Municipality, MunicipalityPopulation, Organization, Teacher, Program, Module,
                  Group, ScheduleLine, GroupFunding, User):
        rows = list(model.objects.all()[:200])
        assert rows, model
        for row in rows:
            row.full_clean()


def test_groups_fit_their_programs_and_school_year(demo):
    start, end = school_year(timezone.localdate())
    last_start, last_end = years_before(start, 1), years_before(end, 1)
    groups = Group.objects.select_related("module__program").prefetch_related(
        "schedule", "funding", "teachers")
    assert groups.count() > 30
    for group in groups:
        program = group.module.program
        assert program.age_min <= group.age_min <= group.age_max <= program.age_max
        assert group.capacity_min <= group.capacity_max <= program.group_size_max
        if group.start_date < start:  # the previous school year's, closed
            assert (group.start_date, group.end_date) == (last_start, last_end)
            assert not group.is_active
        else:
            assert start <= group.start_date < group.end_date <= end + dt.timedelta(days=31)
        assert group.hours_per_year == group.module.hours
        assert group.schedule.all(), group
        for line in group.schedule.all():
            minutes = (line.time_to.hour * 60 + line.time_to.minute
                       - line.time_from.hour * 60 - line.time_from.minute)
            assert line.lesson_minutes <= minutes and line.weekdays > 0
        assert group.funding.all(), group
        for funding in group.funding.all():
            if funding.source == FundingSource.BUDGET:
                assert (funding.monthly_price, funding.total_price) == (0, 0)
            else:
                assert funding.monthly_price > 0
                assert funding.total_price % funding.monthly_price == 0
                assert funding.monthly_price == funding.monthly_price.quantize(Decimal("0.01"))
        teachers = list(group.teachers.all())
        assert teachers and all(t.organization_id == program.organization_id for t in teachers)


def test_each_municipality_has_exactly_one_support_centre_and_population(demo):
    year = timezone.localdate().year
    municipalities = Municipality.objects.filter(region=demo.region)
    assert municipalities.count() == 3
    for municipality in municipalities:
        assert len(municipality.oktmo) == 8 and municipality.oktmo.isdigit()
        centres = Organization.objects.filter(municipality=municipality, is_support_centre=True)
        assert centres.count() == 1
        assert set(municipality.populations.values_list("year", flat=True)) == {year - 1, year}
    rural = Organization.objects.filter(municipality__oktmo="02620000")
    assert rural.exists() and not rural.filter(is_rural=False).exists()
    assert not Organization.objects.exclude(municipality__oktmo="02620000").filter(
        is_rural=True).exists()


def test_program_history_ends_in_its_status_with_real_actors(demo):
    programs = Program.objects.select_related("organization")
    now = timezone.now()
    for program in programs:
        events = list(AuditEvent.objects.filter(target_type="registry.program",
                                                target_id=str(program.pk))
                      .select_related("actor").order_by("created_at", "pk"))
        assert events[0].action == "registry.program.created"
        assert events[-1].to_state == program.status
        moments = [e.created_at for e in events]
        assert moments == sorted(moments) and moments[-1] <= now
        assert program.created_at == moments[0] and program.updated_at == moments[-1]
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_state == before.to_state
        for event in events:
            if event.action.endswith(("created", "submitted", "updated")):
                assert event.actor.organization_id == program.organization_id
            if event.action.endswith(("published", "returned")):
                assert event.actor.role == "support_centre"
                assert event.actor.municipality_id == program.organization.municipality_id
        published = [e.created_at for e in events if e.action.endswith("published")]
        assert program.published_at == (published[-1] if published else None)
        if program.status == ProgramStatus.WAIT_FOR_EDITING:
            assert program.moderation_remark == events[-1].reason != ""


def test_school_year_runs_from_september_and_switches_in_june():
    assert school_year(dt.date(2026, 11, 24)) == (dt.date(2026, 9, 1), dt.date(2027, 5, 31))
    assert school_year(dt.date(2027, 5, 31)) == (dt.date(2026, 9, 1), dt.date(2027, 5, 31))
    assert school_year(dt.date(2027, 6, 1)) == (dt.date(2027, 9, 1), dt.date(2028, 5, 31))


def test_public_catalog_lists_every_published_program_of_the_demo(demo):
    from opora.navigator.models import CatalogEntry

    published = set(Program.objects.filter(Program.public_q()).values_list("pk", flat=True))
    assert published
    assert set(CatalogEntry.objects.values_list("program_id", flat=True)) == published


def test_a_demo_without_the_catalog_reindex_command_fails_instead_of_leaving_the_catalog_stale(
        monkeypatch):
    monkeypatch.setattr(generator, "CATALOG_REINDEX", "navigator_reindex_renamed")

    with pytest.raises(CommandError, match="navigator_reindex_renamed"):
        generator.reindex_catalog()


def test_every_municipality_finances_certificates_and_certified_modules_fit_their_cap(demo):
    from opora.financing import certification, pricing
    from opora.financing.models import CertificationStatus, CostParameters, FinancingPeriod, ModuleCertification

    today = timezone.localdate()
    for municipality in Municipality.objects.filter(region=demo.region):
        periods = FinancingPeriod.objects.filter(municipality=municipality).order_by("starts_on")
        assert [(p.starts_on <= today <= p.ends_on) for p in periods] == [True, False]
        assert periods[0].ends_on + dt.timedelta(days=1) == periods[1].starts_on
        assert CostParameters.objects.filter(municipality=municipality).count() == 2
    certified = ModuleCertification.objects.select_related("module__program__organization__municipality")
    assert certified.count() > 5
    for row in certified:
        normative, cap, _used = certification.compute(row.module)
        assert row.status == CertificationStatus.CERTIFIED
        assert (row.normative_cost, row.price <= cap) == (normative, True)
        assert cap == pricing.price_cap(normative)
        assert row.module.program.registers & Register.CERTIFIED
        assert row.module.groups.filter(funding__source__in=[FundingSource.CERTIFICATE, FundingSource.SOCIAL]).exists()


def test_the_city_moc_has_a_work_plan_in_execution_and_a_draft_media_plan(demo):
    from opora.plans.models import Plan, PlanStatus

    plans = {plan.kind.code: plan for plan in Plan.objects.select_related("kind")}

    assert set(plans) == {"work_plan", "media_plan", "training_plan"}
    work = plans["work_plan"]
    assert work.status == PlanStatus.IN_EXECUTION and work.municipality.name == "Городской округ Северск"
    assert work.items.count() == 8 and work.sections.count() == 3
    assert plans["media_plan"].status == PlanStatus.DRAFT
    assert work.items.get(number="5").responsible_users.get().email == "staff@demo.opora"
    # a revision waits for the authority: its changes have not reached the items
    revision = work.revisions.get()
    assert (revision.status, sorted(c.kind for c in revision.changes.all())) == (
        "sent", ["added", "changed", "removed"])
    assert work.items.get(number="5").deadline_text == "октябрь" and not work.items.filter(number="9")
    assert work.municipality.users.get(is_centre_head=True).email == "moc@demo.opora"
    # proved by what Opora holds: the plan among the МОЦ's documents on the portal, the festival
    plan_document = work.items.get(number="1").evidence.get()
    assert plan_document.note.startswith(f"Документ портала: «План работы МОЦ на {work.year} год»")
    assert plan_document.href.startswith("/portal/")
    festival = work.items.get(number="8")
    if festival.status == "done":  # the festival (three weeks ago) may fall in last year
        assert festival.evidence.get().note.startswith("Мероприятие: «Городской фестиваль")


def test_the_payers_months_leave_invoices_in_every_status_with_the_ledgers_paid_what_they_bill(demo):
    from django.db.models import Sum

    from opora.financing.models import CertificateLedger, ContractMonth, Invoice, InvoiceKind, InvoiceLine

    today = timezone.localdate()
    start, _end = school_year(today)
    if today < dt.date(start.year, 10, 1):
        pytest.skip("no month of the demo's school year has ended yet: nothing to settle")
    assert _values(Invoice, "status") == {"draft", "submitted", "accepted", "paid", "cancelled"}
    finals = Invoice.objects.filter(kind__in=[InvoiceKind.FINAL, InvoiceKind.SUPPLEMENTARY]).exclude(
        status="cancelled")
    billed = InvoiceLine.objects.filter(invoice__in=finals)
    # every month a final invoice bills is settled, and the ledgers paid exactly the lines
    assert not ContractMonth.objects.filter(
        contract__in=billed.values("contract"), month__in=finals.values("month"), settled=False,
        cancelled=False, certificate_amount__gt=0).exists()
    assert CertificateLedger.objects.aggregate(s=Sum("paid"))["s"] == billed.aggregate(s=Sum("amount"))["s"]
    # a draft final invoice of the printed provider account has a month reduced to 80 %
    showcase = User.objects.get(email="staff@demo.opora").organization_id
    assert InvoiceLine.objects.filter(invoice__organization_id=showcase, invoice__status="draft",
                                      invoice__kind=InvoiceKind.FINAL, completeness=80).exists()
    assert not AuditEvent.objects.filter(target_type="financing.invoice", actor__isnull=True).exists()


def test_a_switch_two_disputes_and_a_supplementary_invoice_are_made_through_the_services(demo):
    from opora.financing.models import (
        ContractMonth,
        GroupSwitch,
        Invoice,
        InvoiceDispute,
        InvoiceKind,
        SwitchStatus,
    )

    if timezone.localdate() < dt.date(school_year(timezone.localdate())[0].year, 10, 1):
        pytest.skip("no month of the demo's school year has ended yet: nothing to dispute")
    switch = GroupSwitch.objects.select_related("contract", "from_group", "to_group").get()
    contract = switch.contract
    assert switch.status == SwitchStatus.APPLIED and switch.proposed_by == switch.decided_by
    assert switch.proposed_by.role == "parent"
    assert (contract.group_id, contract.application.group_id) == (switch.to_group_id, switch.to_group_id)
    assert switch.from_group.module.program_id == switch.to_group.module.program_id
    assert (switch.total_before, switch.total_after) != (None, None)
    assert contract.total == switch.total_after == contract.certificate_part + contract.parent_part
    rows = ContractMonth.objects.filter(contract=contract, cancelled=False)
    assert sum(r.certificate_amount for r in rows) == contract.certificate_part
    assert AuditEvent.objects.filter(action="financing.contract.group_switched", target_id=str(contract.pk)).exists()

    answered, decided = InvoiceDispute.objects.select_related("line__invoice").order_by("pk")
    assert answered.status == "answered" and answered.answer and answered.opened_by.role == "parent"
    assert (decided.status, decided.completeness_after, decided.held) == ("parent_right", Decimal("75.00"), False)
    assert decided.returned == decided.line.month_amount - decided.line.amount > 0
    assert decided.resolved_by.role == "support_centre"

    extra = Invoice.objects.get(kind=InvoiceKind.SUPPLEMENTARY)
    assert extra.status == "draft" and extra.amount == sum(line.amount for line in extra.lines.all()) > 0
    line = extra.lines.select_related("contract").get()
    assert line.contract.status == "active"
    assert Invoice.objects.filter(kind=InvoiceKind.FINAL, month=extra.month, organization_id=extra.organization_id,
                                  status__in=["submitted", "accepted", "paid"]).exists()


def test_the_monitoring_series_has_a_frozen_point_on_each_month_start_of_the_school_year(demo):
    today = timezone.localdate()
    start, _end = school_year(today)
    expected, day = [], start
    while day < today:
        expected.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    days = sorted(set(Snapshot.objects.values_list("on_date", flat=True)))
    assert days == expected
    if days:  # each day froze the region and every municipality, with children covered
        assert Snapshot.objects.filter(on_date=days[-1]).count() == 1 + Municipality.objects.count()
        coverage = Snapshot.objects.get(municipality=None, on_date=days[-1]).values["indicators"]["coverage"]
        assert coverage["numerator"] > 0


# --- the previous school year, so the monitoring's «Год назад» reads real figures ---


def test_part_of_todays_children_studied_a_year_ago_in_closed_groups(demo):
    today = timezone.localdate()
    a_year_ago = indicators.years_before(today, 1)
    last = Group.objects.filter(start_date__lte=a_year_ago, end_date__gte=a_year_ago)
    assert last.exists() and not last.filter(is_active=True).exists()
    assert not last.filter(schedule=None).exists() and not last.filter(funding=None).exists()
    finished = Application.objects.filter(group__in=last)
    assert finished.exists()
    assert set(finished.values_list("status", flat=True)) == {S.COMPLETED}
    for application in finished.select_related("group")[:50]:
        application.full_clean()
        assert application.enrolled_on == application.group.start_date
        assert application.ended_on == application.group.end_date < today
        # the same children as today's groups of the same module: they came back
        assert Application.objects.filter(
            child=application.child, group__module=application.group.module,
            group__start_date__gt=a_year_ago).exists()


def test_last_years_coverage_is_real(demo):
    today = timezone.localdate()
    a_year_ago = indicators.years_before(today, 1)
    for municipality in Municipality.objects.filter(populations__isnull=False).distinct():
        now = indicators.coverage(today, municipality.pk, breakdowns=False)["children"]
        then = indicators.coverage(a_year_ago, municipality.pk, breakdowns=False)["children"]
        # those who came back study today too; a few were 17 then and are 18 now
        assert 0 < then <= now + 3


def test_the_monitoring_page_shows_last_years_coverage(demo, client):
    from opora.accounts.models import User

    client.force_login(User.objects.get(email="moc@demo.opora"))
    response = client.get(reverse("monitoring:index"))
    assert response.status_code == 200
    coverage = next(row for row in response.context["indicators"] if row["code"] == "coverage")
    assert coverage["last_year"] and coverage["last_year"] > 0
