"""The cycle of a practice, its permissions and bad input (docs/domain.md §14)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from opora import audit
from opora.accounts.models import Role
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.practices import selectors, services
from opora.practices.models import AssignmentStatus, Practice, PracticeStatus
from opora.quality import services as quality
from opora.quality.models import CriteriaPurpose, CriteriaSet
from tests import factories as f
from tests.practices.conftest import full_sheet, make_expert, practice_data, score_all

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test\n"


def actions(practice):
    return [e.action for e in audit.timeline(practice)]


# --- writing ----------------------------------------------------------------------------------


def test_a_provider_writes_a_draft_of_its_organization(staff, provider, draft, published_program):
    assert draft.organization == provider and draft.municipality == provider.municipality
    assert draft.status == PracticeStatus.DRAFT
    assert draft.links == ["https://example.org/practice", "http://example.org/video"]
    assert list(draft.programs.all()) == [published_program]
    assert " сельск" in draft.search_stems and " робототехник" in draft.search_stems
    assert actions(draft) == ["practices.practice.created"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": "  "}, "title"),
    ({"authors": ""}, "authors"),
    ({"direction": "cooking"}, "direction"),
    ({"kind": ""}, "kind"),
    ({"target_group": "adults"}, "target_group"),
    ({"summary": ""}, "summary"),
    ({"results": "я" * 8001}, "results"),
    ({"links": "javascript:alert(1)"}, "links"),
    ({"links": "ftp://example.org/file"}, "links"),
    ({"links": "\n".join(f"https://example.org/{n}" for n in range(11))}, "links"),
])
def test_bad_input_is_refused_and_nothing_is_saved(staff, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        services.save_practice(staff, practice_data(**changes))

    assert field in refused.value.errors
    assert not Practice.objects.exists()


def test_only_programs_of_its_own_organization_are_linked(staff, other_provider):
    alien = f.program(other_provider)

    with pytest.raises(ValidationFailed) as refused:
        services.save_practice(staff, practice_data(programs=[alien.pk]))

    assert "programs" in refused.value.errors


@pytest.mark.parametrize("role", [Role.SUPPORT_CENTRE, Role.REGIONAL_CENTRE, Role.EXPERT, Role.PARENT])
def test_only_a_providers_staff_write_practices(city, role):
    with pytest.raises(ValidationFailed):
        services.save_practice(f.user(role, municipality=city), practice_data())


def test_staff_of_another_organization_may_not_edit_or_submit(other_staff, draft):
    with pytest.raises(PermissionDenied):
        services.save_practice(other_staff, practice_data(title="Чужая"), draft)
    with pytest.raises(PermissionDenied):
        services.submit(other_staff, draft)


def test_files_are_pdf_docx_xlsx_of_what_their_name_says(staff, draft, settings):
    added = services.add_file(staff, draft, SimpleUploadedFile("Описание.pdf", PDF))
    assert added.name == "Описание.pdf" and added.size == len(PDF)

    for upload in (SimpleUploadedFile("script.exe", b"MZ"), SimpleUploadedFile("fake.pdf", b"<html>"),
                   SimpleUploadedFile("table.xlsx", b"%PDF-1.4")):
        with pytest.raises(ValidationFailed):
            services.add_file(staff, draft, upload)
    services.MAX_FILE_MB, limit = 0, services.MAX_FILE_MB
    try:
        with pytest.raises(ValidationFailed):
            services.add_file(staff, draft, SimpleUploadedFile("big.pdf", PDF))
    finally:
        services.MAX_FILE_MB = limit
    assert draft.files.count() == 1
    services.remove_file(staff, added)
    assert draft.files.count() == 0
    assert actions(draft)[-2:] == ["practices.file.added", "practices.file.removed"]


# --- submission and review -------------------------------------------------------------------------


def test_submit_needs_results_and_replication(staff):
    practice = services.save_practice(staff, practice_data(results="", replication=""))

    with pytest.raises(ValidationFailed) as refused:
        services.submit(staff, practice)

    assert set(refused.value.errors) == {"results", "replication"}
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.DRAFT


def test_a_practice_gets_three_experts_unless_the_moc_says_otherwise(operator, submitted, experts, city):
    arts = make_expert(city, directions=["arts"], last_name="Художник")
    make_expert(city, directions=["arts"], last_name="Скульптор")

    practice = services.start_review(operator, submitted)

    assigned = {a.expert_id for a in practice.assignments.all()}
    assert len(assigned) == 3 and {experts[1].user_id, experts[2].user_id} < assigned
    assert experts[0].user_id not in assigned  # works at the provider
    assert arts.user_id in assigned or len(assigned - {experts[1].user_id, experts[2].user_id}) == 1


def test_a_submitted_practice_is_not_edited(staff, submitted):
    assert submitted.status == PracticeStatus.SUBMITTED and submitted.submitted_at
    with pytest.raises(InvalidTransition):
        services.save_practice(staff, practice_data(title="Новая"), submitted)
    with pytest.raises(InvalidTransition):
        services.add_file(staff, submitted, SimpleUploadedFile("a.pdf", PDF))
    with pytest.raises(InvalidTransition):
        services.submit(staff, submitted)


def test_review_assigns_experts_of_the_direction_without_conflict_of_interest(operator, submitted, experts, city):
    arts = make_expert(city, directions=["arts"], last_name="Художник")
    services.save_settings(operator, city, spread_limit=1, appeal_days=10, experts_per_practice=2)

    practice = services.start_review(operator, submitted)

    assigned = {a.expert_id for a in practice.assignments.all()}
    assert assigned == {experts[1].user_id, experts[2].user_id}  # experts[0] works at the provider
    assert arts.user_id not in assigned
    assert practice.status == PracticeStatus.REVIEW and practice.review_round == 1
    assert practice.criteria_set.purpose == CriteriaPurpose.PRACTICES
    assert practice.review_due == timezone.localdate() + dt.timedelta(days=services.REVIEW_DAYS)
    assert actions(practice)[-1] == "practices.practice.review_started"


def test_the_moc_chooses_experts_but_not_one_of_the_provider(operator, submitted, experts):
    with pytest.raises(ValidationFailed) as refused:
        services.start_review(operator, submitted, experts=[experts[0].user_id])
    assert "организации" in refused.value.errors["experts"][0]

    with pytest.raises(ValidationFailed):
        services.start_review(operator, submitted, experts=[experts[1].user_id], due_on="2001-01-01")

    practice = services.start_review(operator, submitted, experts=[experts[2].user_id])
    assert [a.expert_id for a in practice.assignments.all()] == [experts[2].user_id]


def test_review_needs_a_free_expert(operator, submitted, city, provider):
    make_expert(city, organization=provider)

    with pytest.raises(InvalidTransition):
        services.start_review(operator, submitted)
    submitted.refresh_from_db()
    assert submitted.status == PracticeStatus.SUBMITTED


def test_only_the_moc_of_the_municipality_reviews(other_operator, regional, staff, submitted, experts):
    for actor in (other_operator, regional, staff):
        with pytest.raises(PermissionDenied):
            services.start_review(actor, submitted)


def test_the_sheet_is_blind_until_submitted(in_review):
    first, second = in_review.assignments.order_by("pk")
    services.save_sheet(first.expert, first, full_sheet(first, 2), submit=True)

    assert all(line.others == [] for line in selectors.sheet(second))
    assert all(line.others == [] for line in selectors.sheet(first))  # the other has not submitted
    services.save_sheet(second.expert, second, full_sheet(second, 1, "Мало данных."), submit=True)
    first.refresh_from_db()
    assert [line.others for line in selectors.sheet(first)][0] == [(1, 1, "Мало данных.")]


def test_an_expert_scores_only_their_own_and_explains_low_scores(in_review, experts):
    first, second = in_review.assignments.order_by("pk")
    with pytest.raises(PermissionDenied):
        services.save_sheet(second.expert, first, full_sheet(first))
    with pytest.raises(ValidationFailed) as refused:
        services.save_sheet(first.expert, first, full_sheet(first, 1, ""), submit=True)
    assert all(key.startswith("comment-") for key in refused.value.errors)
    with pytest.raises(ValidationFailed):
        services.save_sheet(first.expert, first, full_sheet(first, 3))
    services.save_sheet(first.expert, first, {}, submit=False)  # an empty draft is fine
    first.refresh_from_db()
    assert first.status == AssignmentStatus.ASSIGNED


def test_the_result_uses_the_quality_rules_with_knock_out(operator, city, in_review):
    services.save_settings(operator, city, spread_limit=2, appeal_days=10)  # 2 and 0 are not a wide spread
    first, second = in_review.assignments.order_by("pk")
    services.save_sheet(first.expert, first, full_sheet(first, 2), submit=True)
    in_review.refresh_from_db()
    assert in_review.score is None
    knock_out = in_review.criteria_set.criteria.get(is_knock_out=True)
    sheet = full_sheet(second, 2)
    sheet[knock_out.pk] = (0, "Результаты не подтверждены.")
    services.save_sheet(second.expert, second, sheet, submit=True)
    in_review.refresh_from_db()

    # 11 of 12 points on six criteria of weight 1 → 91.7 %, but the knock-out criterion has 0
    # from one of two experts: not a majority, so the thresholds decide
    assert in_review.score == Decimal("91.7")
    assert in_review.decision == "passed" and not in_review.knocked_out
    assert "Подтверждённые результаты: Результаты не подтверждены." in services.expert_remarks(in_review)
    assert "practices.practice.scored" in actions(in_review)


def test_publish_after_review_and_not_a_failed_one(operator, in_review, staff):
    with pytest.raises(InvalidTransition):
        services.publish(operator, in_review)  # sheets are not in
    failed = score_all(in_review, value=0, comment="Нет.")
    assert failed.decision == "failed" and failed.knocked_out
    with pytest.raises(InvalidTransition):
        services.publish(operator, failed)

    returned = services.return_practice(operator, failed, services.expert_remarks(failed))
    assert returned.status == PracticeStatus.RETURNED and "Нет." in returned.remarks

    services.save_practice(staff, practice_data(results="Подтверждено протоколами."), returned)
    again = services.start_review(operator, services.submit(staff, returned))
    assert again.review_round == 2 and again.score is None
    passed = score_all(again)
    published = services.publish(operator, passed)
    assert published.status == PracticeStatus.PUBLISHED and published.published_at
    assert actions(published)[-1] == "practices.practice.published"


def test_return_needs_remarks_and_withdraws_open_sheets(operator, in_review):
    with pytest.raises(ValidationFailed):
        services.return_practice(operator, in_review, " ")
    services.return_practice(operator, in_review, "Добавьте подтверждение результатов.")

    assert set(in_review.assignments.values_list("status", flat=True)) == {AssignmentStatus.WITHDRAWN}
    first = in_review.assignments.first()
    with pytest.raises(InvalidTransition):
        services.save_sheet(first.expert, first, full_sheet(first), submit=True)


def test_withdrawing_an_expert_and_adding_another(operator, in_review, city):
    first, second = in_review.assignments.order_by("pk")
    newcomer = make_expert(city, last_name="Новый")
    services.assign_expert(operator, in_review, newcomer.user_id)
    with pytest.raises(InvalidTransition):
        services.assign_expert(operator, in_review, newcomer.user_id)
    services.withdraw_assignment(operator, first)
    services.save_sheet(second.expert, second, full_sheet(second), submit=True)
    assert Practice.objects.get(pk=in_review.pk).score is None  # the newcomer's sheet is open
    third = in_review.assignments.get(expert=newcomer.user)
    services.save_sheet(third.expert, third, full_sheet(third), submit=True)
    assert Practice.objects.get(pk=in_review.pk).score == 100


def test_forward_regional_and_archive(operator, other_operator, regional, staff, in_review):
    published = services.publish(operator, score_all(in_review))
    with pytest.raises(InvalidTransition):
        services.mark_regional(regional, published)  # not forwarded yet
    with pytest.raises(PermissionDenied):
        services.forward(other_operator, published)

    forwarded = services.forward(operator, published)
    assert forwarded.forwarded_at
    with pytest.raises(InvalidTransition):
        services.forward(operator, forwarded)
    with pytest.raises(PermissionDenied):
        services.mark_regional(operator, forwarded)
    assert services.mark_regional(regional, forwarded).is_regional

    archived = services.archive(staff, forwarded)
    assert archived.status == PracticeStatus.ARCHIVED
    with pytest.raises(InvalidTransition):
        services.archive(operator, archived)
    assert actions(archived)[-3:] == ["practices.practice.forwarded", "practices.practice.regional",
                                      "practices.practice.archived"]


def test_a_new_version_of_the_practice_criteria_leaves_campaigns_alone(operator, city):
    practice_set = quality.current_set(None, CriteriaPurpose.PRACTICES)
    rows = [{"title": c.title, "scale_max": c.scale_max, "weight": c.weight} for c in practice_set.criteria.all()]
    newer = quality.save_criteria_set(operator, city, title=practice_set.title, criteria=rows,
                                      pass_threshold=60, revise_threshold=40, based_on=practice_set)

    assert newer.purpose == CriteriaPurpose.PRACTICES and newer.version == 2
    assert quality.current_set(city, CriteriaPurpose.PRACTICES) == newer
    assert quality.current_set(city).purpose == CriteriaPurpose.PROGRAMS
    with pytest.raises(ValidationFailed):
        quality.create_campaign(operator, city, {
            "title": "НОК", "starts_on": "2030-01-01", "ends_on": "2030-02-01",
            "scoring_deadline": "2030-01-20", "criteria_set": newer})
    assert CriteriaSet.objects.filter(purpose=CriteriaPurpose.PRACTICES).count() == 2


# --- who sees what -----------------------------------------------------------------------------------


def test_scoping_of_the_back_office(staff, other_staff, operator, other_operator, authority, regional,
                                    draft, in_review, city):
    published = services.publish(operator, score_all(in_review))
    second = services.save_practice(staff, practice_data(title="Черновик"))

    assert set(selectors.practices_for(staff)) == {published, second}
    assert list(selectors.practices_for(other_staff)) == []
    assert list(selectors.practices_for(operator)) == [published]  # drafts stay the provider's
    assert list(selectors.practices_for(authority)) == [published]
    assert list(selectors.practices_for(other_operator)) == []
    assert list(selectors.practices_for(regional)) == []
    services.forward(operator, published)
    assert list(selectors.practices_for(regional)) == [published]
    expert = published.assignments.first().expert
    assert list(selectors.practices_for(expert)) == []
    assert [a.practice for a in selectors.assignments_of(expert)] == [published]
    assert list(selectors.public_practices()) == [published]
