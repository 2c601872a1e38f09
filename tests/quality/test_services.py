"""The rules of the assessment: conflict of interest and load balancing in assignment,
blindness, the fourth expert, publication, appeal, certification gated by a passed
result, versioned criteria, permissions and bad input."""

import datetime as dt
from decimal import Decimal

import pytest

from opora.accounts.models import Role
from opora.audit.models import AuditEvent
from opora.errors import DomainError, InvalidTransition, PermissionDenied, ValidationFailed
from opora.quality import selectors, services
from opora.quality.models import (
    Appeal,
    AppealStatus,
    AssignmentKind,
    AssignmentStatus,
    CampaignStatus,
    CriteriaSet,
    Decision,
    Entry,
    EntryStatus,
)
from opora.registry.choices import Direction, Ownership, ProgramStatus
from tests import factories as f
from tests.quality.conftest import campaign_data, full_sheet, make_expert, today


def run(operator, campaign, *programs):
    services.include_programs(operator, campaign, programs)
    return services.start_campaign(operator, campaign)


def score_all(entry, value=2, comment="Замечаний нет."):
    for assignment in entry.assignments.filter(status=AssignmentStatus.ASSIGNED):
        services.save_sheet(assignment.expert, assignment, full_sheet(assignment, value, comment), submit=True)


# --- assignment -----------------------------------------------------------------------------


def test_start_assigns_three_experts_never_from_the_programs_own_organization(operator, campaign,
                                                                                 published, provider, city):
    insider = make_expert(city, organization=provider)
    others = [make_expert(city) for _ in range(3)]

    summary = run(operator, campaign, published)

    entry = Entry.objects.get(campaign=campaign)
    chosen = set(entry.assignments.values_list("expert", flat=True))
    assert summary["assigned"] == 3
    assert chosen == {e.user_id for e in others}
    assert insider.user_id not in chosen
    assert entry.status == EntryStatus.SCORING


def test_same_founder_is_excluded_only_when_the_campaign_says_so(operator, city, default_set, provider):
    program = f.program(provider, status=ProgramStatus.PUBLISHED)
    sister = f.organization(city)  # municipal, education: the same founder as the provider
    private = f.organization(city, ownership=Ownership.PRIVATE)
    sister_expert = make_expert(city, organization=sister)
    [make_expert(city, organization=private) for _ in range(2)]
    make_expert(city)

    strict = services.create_campaign(operator, city, campaign_data(exclude_same_founder=True))
    run(operator, strict, program)
    lenient = services.create_campaign(operator, city, campaign_data(title="Вторая"))
    services.include_programs(operator, lenient, [program])
    services.start_campaign(operator, lenient)

    strict_experts = set(Entry.objects.get(campaign=strict).assignments.values_list("expert", flat=True))
    assert sister_expert.user_id not in strict_experts
    assert len(strict_experts) == 3
    assert services.conflict(lenient, program, sister_expert) is None
    assert services.conflict(strict, program, sister_expert) == "Эксперт работает в организации того же учредителя."


def test_automatic_assignment_balances_the_load_and_prefers_the_direction(operator, campaign, provider, city):
    arts = [f.program(provider, status=ProgramStatus.PUBLISHED, direction=Direction.ARTS) for _ in range(2)]
    tech = [f.program(provider, status=ProgramStatus.PUBLISHED) for _ in range(2)]
    artists = [make_expert(city, directions=[Direction.ARTS]) for _ in range(3)]
    engineers = [make_expert(city, directions=[Direction.TECHNICAL]) for _ in range(3)]

    run(operator, campaign, *arts, *tech)

    for program, wanted in [(p, artists) for p in arts] + [(p, engineers) for p in tech]:
        entry = Entry.objects.get(campaign=campaign, program=program)
        assert set(entry.assignments.values_list("expert", flat=True)) == {e.user_id for e in wanted}


def test_load_spreads_evenly_among_experts_of_one_direction(operator, campaign, provider, city):
    programs = [f.program(provider, status=ProgramStatus.PUBLISHED) for _ in range(4)]
    experts = [make_expert(city) for _ in range(6)]

    run(operator, campaign, *programs)

    loads = [campaign.entries.filter(assignments__expert=e.user).count() for e in experts]
    assert sorted(loads) == [2, 2, 2, 2, 2, 2]


def test_too_few_experts_leaves_the_program_short_and_the_moc_adds_one(operator, campaign, published, city):
    first, second = make_expert(city), make_expert(city)

    summary = run(operator, campaign, published)

    entry = Entry.objects.get(campaign=campaign)
    assert summary["assigned"] == 2 and summary["short"] == [entry]
    third = make_expert(city)
    services.assign_expert(operator, entry, third.user)
    assert entry.assignments.count() == 3
    with pytest.raises(InvalidTransition):
        services.assign_expert(operator, entry, first.user)
    assert second.user_id in set(entry.assignments.values_list("expert", flat=True))


def test_the_moc_cannot_assign_an_expert_with_a_conflict(operator, campaign, published, provider, city, experts):
    insider = make_expert(city, organization=provider)
    run(operator, campaign, published)
    entry = Entry.objects.get(campaign=campaign)

    with pytest.raises(ValidationFailed) as refused:
        services.assign_expert(operator, entry, insider.user)

    assert refused.value.message == "Эксперт работает в организации, чья это программа."
    assert not entry.assignments.filter(expert=insider.user).exists()


# --- scoring ---------------------------------------------------------------------------------


def test_three_sheets_give_the_result_and_the_remarks(operator, campaign, published, experts):
    run(operator, campaign, published)
    entry = Entry.objects.get(campaign=campaign)
    assignments = list(entry.assignments.all())
    services.save_sheet(assignments[0].expert, assignments[0], full_sheet(assignments[0]), submit=True)
    low = full_sheet(assignments[1])
    first_criterion = min(low)
    low[first_criterion] = (1, "Актуальность не обоснована для сельских школ.")
    services.save_sheet(assignments[1].expert, assignments[1], low, submit=True)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SCORING and entry.decision == ""

    services.save_sheet(assignments[2].expert, assignments[2], full_sheet(assignments[2]), submit=True)

    entry.refresh_from_db()
    # 35 of 36 points = 97.2 %
    assert (entry.status, entry.decision, entry.score) == (EntryStatus.DECIDED, Decision.PASSED, Decimal("97.2"))
    assert entry.criteria_means[str(first_criterion)] == "1.67"
    assert "Актуальность не обоснована для сельских школ." in entry.remarks
    assert AuditEvent.objects.filter(action="quality.entry.decided", target_id=str(entry.pk)).exists()


def test_a_sheet_refuses_bad_scores_and_unexplained_deductions(operator, campaign, published, experts):
    run(operator, campaign, published)
    assignment = Entry.objects.get(campaign=campaign).assignments.first()
    criteria = list(campaign.criteria_set.criteria.all())

    with pytest.raises(ValidationFailed) as too_high:
        services.save_sheet(assignment.expert, assignment, {criteria[0].pk: (3, "")})
    with pytest.raises(ValidationFailed) as unexplained:
        services.save_sheet(assignment.expert, assignment, full_sheet(assignment, 1, ""), submit=True)
    with pytest.raises(ValidationFailed) as incomplete:
        services.save_sheet(assignment.expert, assignment, {criteria[0].pk: (2, "")}, submit=True)

    assert "балл от 0 до 2" in too_high.value.message
    assert "объясните, почему балл ниже наибольшего" in unexplained.value.message
    assert "поставьте балл" in str(incomplete.value.errors)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ASSIGNED and not assignment.scores.exists()


def test_a_draft_keeps_scores_and_a_submitted_sheet_is_final(operator, campaign, published, experts):
    run(operator, campaign, published)
    assignment = Entry.objects.get(campaign=campaign).assignments.first()
    criteria = list(campaign.criteria_set.criteria.all())
    services.save_sheet(assignment.expert, assignment, {criteria[0].pk: (1, "Слабое обоснование")})
    assert assignment.scores.get().value == 1

    services.save_sheet(assignment.expert, assignment, full_sheet(assignment), submit=True)
    with pytest.raises(InvalidTransition):
        services.save_sheet(assignment.expert, assignment, full_sheet(assignment, 0, "передумал"))
    assert set(assignment.scores.values_list("value", flat=True)) == {2}


def test_no_sheet_after_the_deadline(operator, city, default_set, published, experts):
    campaign = services.create_campaign(operator, city, campaign_data(
        starts_on=today() - dt.timedelta(days=30), scoring_deadline=today() - dt.timedelta(days=1)))
    run(operator, campaign, published)
    assignment = Entry.objects.get(campaign=campaign).assignments.first()

    with pytest.raises(InvalidTransition) as late:
        services.save_sheet(assignment.expert, assignment, full_sheet(assignment), submit=True)
    assert "Срок экспертизы истёк" in late.value.message


def test_only_the_assigned_expert_scores(operator, campaign, published, experts, city):
    run(operator, campaign, published)
    assignment = Entry.objects.get(campaign=campaign).assignments.first()
    stranger = make_expert(city)

    for actor in (stranger.user, operator):
        with pytest.raises(PermissionDenied):
            services.save_sheet(actor, assignment, full_sheet(assignment), submit=True)
    assert not assignment.scores.exists()


def test_blind_an_expert_sees_others_only_after_submitting(operator, campaign, published, experts):
    run(operator, campaign, published)
    first, second, _third = Entry.objects.get(campaign=campaign).assignments.all()
    services.save_sheet(first.expert, first, full_sheet(first, 1, "Секретный комментарий"), submit=True)

    before = selectors.sheet(selectors.assignment_of(second.expert, second.pk))
    assert all(line.others == [] and line.value is None for line in before)

    services.save_sheet(second.expert, second, full_sheet(second), submit=True)
    after = selectors.sheet(selectors.assignment_of(second.expert, second.pk))
    assert all(line.others == [(1, 1, "Секретный комментарий")] for line in after)


def test_wide_spread_asks_a_fourth_expert_then_averages_four(operator, campaign, published, experts):
    run(operator, campaign, published)
    entry = Entry.objects.get(campaign=campaign)
    a, b, c = entry.assignments.all()
    services.save_sheet(a.expert, a, full_sheet(a, 2), submit=True)
    services.save_sheet(b.expert, b, full_sheet(b, 2), submit=True)
    services.save_sheet(c.expert, c, full_sheet(c, 0, "Программа не соответствует требованиям"), submit=True)

    entry.refresh_from_db()
    fourth = entry.assignments.get(kind=AssignmentKind.EXTRA)
    assert entry.status == EntryStatus.SCORING
    assert fourth.expert_id not in {a.expert_id, b.expert_id, c.expert_id}

    services.save_sheet(fourth.expert, fourth, full_sheet(fourth, 2), submit=True)
    entry.refresh_from_db()
    # 2, 2, 0, 2 on every criterion: mean 1.5 of 2 = 75 %; the knock-out has one zero of four
    assert (entry.status, entry.score, entry.decision) == (EntryStatus.DECIDED, Decimal("75.0"), Decision.PASSED)


def test_wide_spread_without_a_free_expert_flags_the_program(operator, campaign, published, city):
    [make_expert(city) for _ in range(3)]
    run(operator, campaign, published)
    entry = Entry.objects.get(campaign=campaign)
    a, b, c = entry.assignments.all()
    for assignment, value in ((a, 2), (b, 2), (c, 0)):
        services.save_sheet(assignment.expert, assignment, full_sheet(assignment, value, "—"), submit=True)

    entry.refresh_from_db()
    assert entry.needs_expert is True and entry.status == EntryStatus.SCORING
    services.assign_expert(operator, entry, make_expert(city).user)
    entry.refresh_from_db()
    assert entry.needs_expert is False
    assert entry.assignments.get(status=AssignmentStatus.ASSIGNED).kind == AssignmentKind.EXTRA


def test_knock_out_fails_the_program(operator, campaign, published, experts):
    run(operator, campaign, published)
    entry = Entry.objects.get(campaign=campaign)
    knock_out = campaign.criteria_set.criteria.get(is_knock_out=True)
    for assignment in entry.assignments.all():
        sheet = full_sheet(assignment)
        sheet[knock_out.pk] = (0, "Нет учебного плана и оценочных материалов")
        services.save_sheet(assignment.expert, assignment, sheet, submit=True)

    entry.refresh_from_db()
    assert (entry.score, entry.decision, entry.knocked_out) == (Decimal("83.3"), Decision.FAILED, True)


# --- publication, appeal ------------------------------------------------------------------------


def decided(operator, campaign, published, value=1, comment="Цели не конкретны"):
    run(operator, campaign, published)
    entry = Entry.objects.get(campaign=campaign)
    score_all(entry, value, comment)
    entry.refresh_from_db()
    return entry


def test_publication_waits_for_every_program(operator, campaign, published, provider, experts):
    other = f.program(provider, status=ProgramStatus.PUBLISHED)
    run(operator, campaign, published, other)
    score_all(Entry.objects.get(campaign=campaign, program=published))

    with pytest.raises(InvalidTransition) as early:
        services.publish_results(operator, campaign)
    assert early.value.message == "Не все программы оценены или рассмотрены: осталось 1."

    score_all(Entry.objects.get(campaign=campaign, program=other))
    services.publish_results(operator, campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PUBLISHED
    assert selectors.latest_result(published).decision == Decision.PASSED


def test_appeal_upheld_with_a_new_expert_changes_the_result(operator, campaign, published, staff, city, experts):
    entry = decided(operator, campaign, published)  # 1 of 2 everywhere: 50 % — revise
    assert entry.decision == Decision.REVISE
    services.publish_results(operator, campaign)
    fresh_expert = experts[3] if not entry.assignments.filter(expert=experts[3].user).exists() else None
    appeal = services.file_appeal(staff, entry, "Учебный план приложен в разделе 2, эксперты его не учли.")

    assignment = services.assign_appeal_expert(operator, appeal)
    assert assignment.kind == AssignmentKind.APPEAL
    assert assignment.expert_id not in set(entry.assignments.exclude(pk=assignment.pk).values_list("expert", flat=True))
    if fresh_expert:
        assert assignment.expert_id == fresh_expert.user_id
    with pytest.raises(InvalidTransition):
        services.decide_appeal(operator, appeal, upheld=True, answer="Рано")
    services.save_sheet(assignment.expert, assignment, full_sheet(assignment, 2), submit=True)
    services.decide_appeal(operator, appeal, upheld=True, answer="Учебный план есть; балл пересчитан.")

    entry.refresh_from_db()
    appeal.refresh_from_db()
    # 1, 1, 1, 2 on every criterion: 1.25 of 2 = 62.5 % — still revise, but a higher score
    assert (appeal.status, appeal.decision_before, appeal.score_before) == (
        AppealStatus.UPHELD, Decision.REVISE, Decimal("50.0"))
    assert (entry.score, entry.decision) == (Decimal("62.5"), Decision.REVISE)


def test_appeal_rejected_keeps_the_result(operator, campaign, published, staff, experts):
    entry = decided(operator, campaign, published)
    services.publish_results(operator, campaign)
    appeal = services.file_appeal(staff, entry, "Не согласны.")
    assignment = services.assign_appeal_expert(operator, appeal)
    services.save_sheet(assignment.expert, assignment, full_sheet(assignment, 2), submit=True)

    services.decide_appeal(operator, appeal, upheld=False, answer="Доводы не подтвердились.")

    entry.refresh_from_db()
    assert (entry.score, entry.decision) == (Decimal("50.0"), Decision.REVISE)


def test_appeal_rules(operator, city, default_set, published, staff, other_staff, experts):
    campaign = services.create_campaign(operator, city, campaign_data(appeal_days=3))
    entry = decided(operator, campaign, published)
    with pytest.raises(InvalidTransition):  # not published yet
        services.file_appeal(staff, entry, "Не согласны.")
    services.publish_results(operator, campaign)
    with pytest.raises(PermissionDenied):
        services.file_appeal(other_staff, entry, "Не согласны.")
    with pytest.raises(ValidationFailed):
        services.file_appeal(staff, entry, "  ")
    campaign.refresh_from_db()
    campaign.published_at -= dt.timedelta(days=4)
    campaign.save()
    with pytest.raises(InvalidTransition) as late:
        services.file_appeal(staff, entry, "Не согласны.")
    assert "Срок апелляции истёк" in late.value.message
    assert not Appeal.objects.filter(entry=entry).exists()


def test_a_passed_result_cannot_be_appealed(operator, campaign, published, staff, experts):
    entry = decided(operator, campaign, published, value=2, comment="")
    services.publish_results(operator, campaign)
    with pytest.raises(InvalidTransition):
        services.file_appeal(staff, entry, "Хотим больше баллов.")


# --- certification ---------------------------------------------------------------------------


@pytest.fixture
def certifiable(published, city):
    from opora.financing.models import CostParameters

    for rural in (False, True):
        CostParameters.objects.create(
            municipality=city, is_rural=rural, teacher_pay_per_hour=Decimal("500"),
            qualification_coefficient=Decimal("1.2"), staff_development_share=Decimal("0.1"),
            premises_per_hour=Decimal("50"), equipment_per_hour=Decimal("30"), average_group_size=10)
    return published.modules.first()


def test_certification_requires_a_passed_result_when_the_municipality_says_so(
        operator, authority, staff, city, campaign, published, certifiable, experts):
    from opora.financing import certification

    services.set_certification_rule(authority, city, True)
    with pytest.raises(InvalidTransition) as refused:
        certification.request_certification(staff, certifiable, "3000")
    assert "прошедшие независимую оценку качества" in refused.value.message

    entry = decided(operator, campaign, published, value=2, comment="")
    assert entry.decision == Decision.PASSED
    with pytest.raises(InvalidTransition):  # decided but not published yet
        certification.request_certification(staff, certifiable, "3000")
    services.publish_results(operator, campaign)

    requested = certification.request_certification(staff, certifiable, "3000")
    certified = certification.certify_module(operator, requested)
    assert certified.status == "certified"


def test_certification_is_free_of_the_assessment_by_default(staff, certifiable):
    from opora.financing import certification

    assert certification.request_certification(staff, certifiable, "3000").status == "awaiting"


def test_only_the_moc_and_authority_set_the_certification_rule(staff, other_operator, regional, city):
    for actor in (staff, other_operator, regional):
        with pytest.raises(PermissionDenied):
            services.set_certification_rule(actor, city, True)
    assert not selectors.passed_required(city.pk)


# --- criteria versions --------------------------------------------------------------------------


def test_a_new_version_of_the_criteria_never_changes_a_finished_campaign(operator, campaign, published,
                                                                          city, experts, default_set):
    entry = decided(operator, campaign, published, value=2, comment="")
    services.publish_results(operator, campaign)

    newer = services.save_criteria_set(operator, city, title=default_set.title, criteria=[
        {"title": c.title, "scale_max": 10, "weight": 2, "is_knock_out": True}
        for c in default_set.criteria.all()], pass_threshold="90", revise_threshold="60", based_on=default_set)

    campaign.refresh_from_db()
    entry.refresh_from_db()
    assert newer.version == 2 and newer.municipality == city
    assert campaign.criteria_set == default_set
    assert set(default_set.criteria.values_list("scale_max", flat=True)) == {2}
    assert (entry.score, entry.decision) == (Decimal("100.0"), Decision.PASSED)
    assert services.current_set(city) == newer
    later = services.create_campaign(operator, city, campaign_data(title="2027"))
    assert later.criteria_set == newer


def test_criteria_set_refuses_bad_input(operator, city):
    with pytest.raises(ValidationFailed) as refused:
        services.save_criteria_set(operator, city, title="", criteria=[{"title": "Цели", "scale_max": "0"}],
                                   pass_threshold="40", revise_threshold="60")
    assert set(refused.value.errors) == {"title", "revise_threshold", "criteria-1-scale_max"}
    assert not CriteriaSet.objects.filter(municipality=city).exists()


# --- permissions and bad input ----------------------------------------------------------------


def test_campaign_input_is_checked(operator, city, default_set):
    with pytest.raises(ValidationFailed) as refused:
        services.create_campaign(operator, city, campaign_data(
            title=" ", ends_on=today() - dt.timedelta(days=10), experts_per_program=0))
    assert {"title", "ends_on", "experts_per_program"} <= set(refused.value.errors)


@pytest.mark.parametrize("who", ["staff", "authority", "other_operator", "parent"])
def test_only_the_moc_of_the_municipality_or_the_rmc_runs_a_campaign(who, request, city, default_set,
                                                                     campaign, regional):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.create_campaign(actor, city, campaign_data())
    with pytest.raises(PermissionDenied):
        services.start_campaign(actor, campaign)
    assert services.create_campaign(regional, None, campaign_data()).municipality is None


def test_programs_outside_the_territory_or_unpublished_are_refused(operator, campaign, other_provider, provider):
    foreign = f.program(other_provider, status=ProgramStatus.PUBLISHED)
    draft = f.program(provider)
    with pytest.raises(ValidationFailed):
        services.include_programs(operator, campaign, [foreign, draft])
    assert not campaign.entries.exists()


def test_a_provider_applies_and_the_moc_includes(staff, operator, campaign, published, other_staff):
    entry = services.apply_for_assessment(staff, campaign, published)
    assert entry.status == EntryStatus.APPLIED
    with pytest.raises(InvalidTransition):
        services.apply_for_assessment(staff, campaign, published)
    with pytest.raises(PermissionDenied):
        services.apply_for_assessment(other_staff, campaign, published)

    assert services.include_programs(operator, campaign, [published]) == 1
    entry.refresh_from_db()
    assert entry.status == EntryStatus.INCLUDED


def test_only_expert_role_users_become_experts(operator, city, staff):
    with pytest.raises(ValidationFailed):
        services.save_expert(operator, staff, municipality=city, directions=[Direction.ARTS])
    expert_user = f.user(Role.EXPERT)
    with pytest.raises(DomainError):
        services.save_expert(operator, expert_user, municipality=city, directions=[])


def test_indicator_counts_ready_and_passed(operator, campaign, published, provider, experts, city):
    f.program(provider, status=ProgramStatus.PUBLISHED)
    f.program(provider, status=ProgramStatus.PUBLISHED)
    f.program(provider, status=ProgramStatus.PUBLISHED)
    decided(operator, campaign, published, value=2, comment="")
    assert selectors.indicator(city.pk)["passed"] == 0
    services.publish_results(operator, campaign)

    figures = selectors.indicator(city.pk)
    assert (figures["total"], figures["ready"], figures["passed"]) == (4, 1, 1)
    assert figures["passed_share"] == Decimal("25.0")
