"""The fourth-expert (large spread) rule and the appeal of a practice's return, with the
review machinery shared with the quality assessment (docs/domain.md §14)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from opora import audit
from opora.accounts.models import Role
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.practices import selectors, services
from opora.practices.models import AppealStatus, Practice, PracticeSettings, PracticeStatus
from opora.quality.models import AssignmentKind
from tests import factories as f
from tests.practices.conftest import full_sheet, make_expert, practice_data, score_all

pytestmark = pytest.mark.django_db


def actions(practice):
    return [e.action for e in audit.timeline(practice)]


def split_sheets(practice):
    """The two experts disagree by 2 points on the first criterion."""
    first, second = practice.assignments.order_by("pk")
    criterion = practice.criteria_set.criteria.order_by("position").first()
    services.save_sheet(first.expert, first, full_sheet(first, 2), submit=True)
    sheet = full_sheet(second, 2)
    sheet[criterion.pk] = (0, "Проблема территории не названа.")
    services.save_sheet(second.expert, second, sheet, submit=True)
    practice.refresh_from_db()
    return criterion


# --- the spread ---------------------------------------------------------------------------------


def test_a_wide_spread_asks_one_more_expert_before_the_result(city, in_review):
    fourth = make_expert(city, last_name="Четвёртый")
    split_sheets(in_review)

    assert in_review.score is None and in_review.status == PracticeStatus.REVIEW
    extra = in_review.assignments.get(kind=AssignmentKind.EXTRA)
    assert extra.expert_id == fourth.user_id and extra.round == in_review.review_round
    assert extra.due_on >= dt.date.today() + dt.timedelta(days=services.LATE_EXPERT_DAYS)

    services.save_sheet(extra.expert, extra, full_sheet(extra, 2), submit=True)
    in_review.refresh_from_db()
    # (2 + 0 + 2) / 3 on one criterion, 2 on five: 11.33 of 12 → 94.4 %; asked once, not again
    assert in_review.score == Decimal("94.4")
    assert in_review.assignments.filter(kind=AssignmentKind.EXTRA).count() == 1
    assert "practices.practice.scored" in actions(in_review)


def test_the_spread_limit_is_the_municipalitys_setting(operator, city, in_review):
    make_expert(city, last_name="Четвёртый")
    services.save_settings(operator, city, spread_limit="2", appeal_days=10)
    split_sheets(in_review)
    assert not in_review.assignments.filter(kind=AssignmentKind.EXTRA).exists()
    assert in_review.score == Decimal("91.7")


def test_no_free_expert_marks_the_practice_and_the_moc_adds_one(operator, city, in_review):
    split_sheets(in_review)
    assert in_review.needs_expert and in_review.score is None
    assert "practices.practice.needs_expert" in actions(in_review)

    newcomer = make_expert(city, last_name="Новый")
    extra = services.assign_expert(operator, in_review, newcomer.user_id)
    assert extra.kind == AssignmentKind.EXTRA
    services.save_sheet(extra.expert, extra, full_sheet(extra, 2), submit=True)
    in_review.refresh_from_db()
    assert not in_review.needs_expert and in_review.score == Decimal("94.4")


@pytest.mark.parametrize(("data", "field"), [
    ({"spread_limit": "много", "appeal_days": 10}, "spread_limit"),
    ({"spread_limit": "-1", "appeal_days": 10}, "spread_limit"),
    ({"spread_limit": "1", "appeal_days": 0}, "appeal_days"),
    ({"spread_limit": "1", "appeal_days": "91"}, "appeal_days"),
    ({"spread_limit": "1", "appeal_days": "десять"}, "appeal_days"),
])
def test_bad_settings_are_refused_and_nothing_is_saved(operator, city, data, field):
    with pytest.raises(ValidationFailed) as refused:
        services.save_settings(operator, city, **data)
    assert field in refused.value.errors
    assert all("—" in m for m in refused.value.errors[field])
    assert not PracticeSettings.objects.exists()


def test_only_the_moc_of_the_municipality_sets_the_rules(other_operator, staff, regional, city):
    for actor in (other_operator, staff, regional):
        with pytest.raises(PermissionDenied):
            services.save_settings(actor, city, spread_limit=1, appeal_days=5)
    assert not PracticeSettings.objects.exists()


# --- the appeal -----------------------------------------------------------------------------------


@pytest.fixture
def returned(operator, in_review):
    scored = score_all(in_review, value=1, comment="Описано неполно.")
    return services.return_practice(operator, scored, "Подтвердите результаты данными.")


@pytest.fixture
def appeal(staff, returned):
    return services.file_appeal(staff, returned, "Результаты подтверждены отчётом, он в приложении.")


def test_the_provider_appeals_a_return_once_within_the_days(staff, returned, monkeypatch):
    assert returned.returned_at is not None and returned.score == Decimal("50.0")
    assert services.may_appeal(returned)
    with pytest.raises(ValidationFailed) as refused:
        services.file_appeal(staff, returned, "  ")
    assert refused.value.errors["reason"] == ["Изложите доводы апелляции."]

    appeal = services.file_appeal(staff, returned, "Результаты подтверждены отчётом.")
    assert appeal.status == AppealStatus.FILED and appeal.decision_before == "revise"
    assert appeal.score_before == Decimal("50.0") and appeal.round == returned.review_round
    assert "practices.appeal.filed" in actions(returned)
    with pytest.raises(InvalidTransition, match="уже подана"):
        services.file_appeal(staff, returned, "Ещё раз.")


def test_the_appeal_days_count_from_the_return(operator, staff, city, returned, monkeypatch):
    services.save_settings(operator, city, spread_limit=1, appeal_days=3)
    late = timezone.localdate(returned.returned_at) + dt.timedelta(days=4)
    monkeypatch.setattr(services, "_today", lambda: late)
    assert not services.may_appeal(returned)
    with pytest.raises(InvalidTransition, match="Срок апелляции истёк"):
        services.file_appeal(staff, returned, "Поздно, но всё же.")
    assert not returned.appeals.exists()


def test_no_appeal_of_a_return_before_review_or_by_others(operator, staff, other_staff, returned):
    with pytest.raises(PermissionDenied):
        services.file_appeal(other_staff, returned, "Чужая практика.")
    other = services.submit(staff, services.save_practice(staff, practice_data(title="Другая практика")))
    services.return_practice(operator, other, "Не по теме банка.")
    with pytest.raises(InvalidTransition, match="до экспертизы"):
        services.file_appeal(staff, other, "Просим рассмотреть.")


def test_an_appealed_practice_is_not_edited_until_decided(staff, appeal):
    practice = appeal.practice
    with pytest.raises(InvalidTransition, match="Идёт апелляция"):
        services.save_practice(staff, practice_data(title="Новое название"), practice)
    with pytest.raises(InvalidTransition, match="Идёт апелляция"):
        services.submit(staff, practice)
    assert Practice.objects.get(pk=practice.pk).title == practice.title


def test_the_moc_gives_the_appeal_to_a_new_expert(operator, other_operator, city, provider, experts, appeal):
    practice = appeal.practice
    earlier = practice.assignments.filter(status="submitted").first()
    with pytest.raises(ValidationFailed) as refused:
        services.assign_appeal_expert(operator, appeal, earlier.expert_id)
    assert refused.value.errors["expert"] == ["Апелляцию рассматривает новый эксперт."]
    with pytest.raises(ValidationFailed, match="организации"):
        services.assign_appeal_expert(operator, appeal, experts[0].user_id)  # of the provider
    with pytest.raises(InvalidTransition, match="Нет свободного эксперта"):
        services.assign_appeal_expert(operator, appeal)
    with pytest.raises(PermissionDenied):
        services.assign_appeal_expert(other_operator, appeal)

    fresh = make_expert(city, last_name="Новый")
    assignment = services.assign_appeal_expert(operator, appeal)
    assert assignment.kind == AssignmentKind.APPEAL and assignment.expert_id == fresh.user_id
    assert "practices.appeal.expert" in actions(practice)
    with pytest.raises(InvalidTransition, match="уже назначен"):
        services.assign_appeal_expert(operator, appeal)


def test_the_appeal_sheet_is_blind_and_the_moc_decides_after_it(operator, city, appeal):
    practice = appeal.practice
    make_expert(city, last_name="Новый")
    assignment = services.assign_appeal_expert(operator, appeal)
    assert all(not line.others for line in selectors.sheet(assignment))
    with pytest.raises(InvalidTransition, match="ещё не сдал"):
        services.decide_appeal(operator, appeal, upheld=True, answer="Согласны.")

    services.save_sheet(assignment.expert, assignment, full_sheet(assignment, 2), submit=True)
    assignment.refresh_from_db()
    assert all(len(line.others) == 2 for line in selectors.sheet(assignment))
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.RETURNED and practice.score == Decimal("50.0")  # not yet

    with pytest.raises(ValidationFailed) as refused:
        services.decide_appeal(operator, appeal, upheld=True, answer="")
    assert refused.value.errors["answer"] == ["Напишите ответ организации."]
    decided = services.decide_appeal(operator, appeal, upheld=True, answer="Доводы приняты.")
    practice.refresh_from_db()
    # (1 + 1 + 2) / 3 on each criterion → 66.7 %: back on review with the new result
    assert decided.status == AppealStatus.UPHELD and decided.decided_by == operator
    assert practice.status == PracticeStatus.REVIEW and practice.score == Decimal("66.7")
    assert {"practices.appeal.upheld", "practices.practice.revised", "practices.practice.reopened"} <= set(
        actions(practice))
    with pytest.raises(InvalidTransition, match="уже рассмотрена"):
        services.decide_appeal(operator, appeal, upheld=False, answer="Передумали.")
    services.publish(operator, practice)


def test_a_rejected_appeal_leaves_the_return_and_the_provider_revises(operator, staff, city, appeal):
    make_expert(city, last_name="Новый")
    assignment = services.assign_appeal_expert(operator, appeal)
    services.save_sheet(assignment.expert, assignment, full_sheet(assignment, 1, "Согласен с коллегами."),
                        submit=True)
    services.decide_appeal(operator, appeal, upheld=False, answer="Замечания остаются в силе.")
    practice = Practice.objects.get(pk=appeal.practice_id)
    assert practice.status == PracticeStatus.RETURNED and practice.score == Decimal("50.0")
    assert not services.may_appeal(practice)  # one appeal per return
    services.save_practice(staff, practice_data(results="Отчёт за 2025 год приложен."), practice)
    assert services.submit(staff, practice).status == PracticeStatus.SUBMITTED


def test_an_expert_role_alone_does_not_file_or_decide(city, appeal):
    expert = f.user(Role.EXPERT, municipality=city)
    with pytest.raises(PermissionDenied):
        services.file_appeal(expert, appeal.practice, "Я не организация.")
    with pytest.raises(PermissionDenied):
        services.decide_appeal(expert, appeal, upheld=True, answer="Нет прав.")


# --- pages and the API ----------------------------------------------------------------------------


def test_the_appeal_through_the_pages(client, staff, operator, city, returned):
    from django.urls import reverse

    mine = reverse("practices:my_practice", args=[returned.pk])
    client.force_login(staff)
    assert "Подайте апелляцию до" in client.get(mine).content.decode()
    bad = client.post(mine, {"action": "appeal", "reason": ""})
    assert bad.status_code == 400 and "Изложите доводы апелляции." in bad.content.decode()
    client.post(mine, {"action": "appeal", "reason": "Отчёт подтверждает результаты."})
    page = client.get(mine).content.decode()
    assert "Отчёт подтверждает результаты." in page and "До решения практику не меняют" in page
    assert "Изменить" not in page

    fresh = make_expert(city, last_name="Новый")
    client.force_login(operator)
    review = reverse("practices:practice", args=[returned.pk])
    assert "Передать новому эксперту" in client.get(review).content.decode()
    client.post(reverse("practices:practice_action", args=[returned.pk, "appeal_expert"]), {"expert": ""})
    assignment = returned.assignments.get(kind=AssignmentKind.APPEAL)
    assert assignment.expert_id == fresh.user_id

    client.force_login(fresh.user)
    sheet = reverse("practices:assignment", args=[assignment.pk])
    assert "обжаловала возврат" in client.get(sheet).content.decode()
    values = {f"score-{c.pk}": "2" for c in returned.criteria_set.criteria.all()}
    client.post(sheet, {**values, "action": "submit"})

    client.force_login(operator)
    decide = reverse("practices:practice_action", args=[returned.pk, "appeal_decide"])
    assert client.post(decide, {"upheld": "yes", "answer": ""}).status_code == 400
    client.post(decide, {"upheld": "no", "answer": "Замечания в силе."})
    assert returned.appeals.get().status == AppealStatus.REJECTED


def test_the_moc_sets_the_rules_on_a_page(client, operator, staff, city):
    from django.urls import reverse

    client.force_login(operator)
    url = reverse("practices:settings")
    assert "Правила экспертизы" in client.get(reverse("practices:office")).content.decode()
    bad = client.post(url, {"spread_limit": "x", "appeal_days": "5", "experts_per_practice": "3"})
    assert bad.status_code == 400 and "Допустимое расхождение — число баллов от 0 до 100." in bad.content.decode()
    for experts in ("0", "11", "два"):
        bad = client.post(url, {"spread_limit": "1", "appeal_days": "5", "experts_per_practice": experts})
        assert bad.status_code == 400 and "Экспертов на практику — от 1 до 10." in bad.content.decode()
    assert services.settings_of(city).pk is None  # nothing saved by the bad ones
    assert client.post(url, {"spread_limit": "1,5", "appeal_days": "5", "experts_per_practice": "4"}).status_code == 302
    found = services.settings_of(city)
    assert (found.spread_limit, found.appeal_days, found.experts_per_practice) == (Decimal("1.5"), 5, 4)
    client.force_login(staff)
    assert client.get(url).status_code in (403, 404)


def test_the_appeal_through_the_api(staff, other_staff, operator, other_operator, city, returned):
    from tests.api.conftest import ApiClient

    url = f"/practices/{returned.pk}/appeal"
    assert ApiClient(staff).get(url).status_code == 404
    assert ApiClient(other_staff).post(url, {"reason": "Чужая."}).status_code == 404
    assert ApiClient(staff).post(url, {"reason": " "}).status_code == 422
    filed = ApiClient(staff).post(url, {"reason": "Результаты подтверждены."})
    assert filed.status_code == 201, filed.content.decode()
    body = filed.json()
    assert body["status"] == "filed" and body["decision_before"] == "revise" and not body["expert_assigned"]
    assert ApiClient(staff).post(url, {"reason": "Снова."}).status_code == 409

    assert ApiClient(other_operator).post(url + "/expert", {}).status_code == 404
    assert ApiClient(operator).post(url + "/expert", {}).status_code == 409  # nobody is free
    make_expert(city, last_name="Новый")
    assert ApiClient(operator).post(url + "/expert", {}).json()["expert_assigned"] is True
    assert ApiClient(operator).post(url + "/decide", {"upheld": True, "answer": "Да."}).status_code == 409

    assignment = returned.assignments.get(kind=AssignmentKind.APPEAL)
    services.save_sheet(assignment.expert, assignment, full_sheet(assignment, 2), submit=True)
    assert ApiClient(staff).post(url + "/decide", {"upheld": True, "answer": "Я сам."}).status_code in (403, 404)
    decided = ApiClient(operator).post(url + "/decide", {"upheld": True, "answer": "Доводы приняты."})
    assert decided.status_code == 200, decided.content.decode()
    assert decided.json()["status"] == "upheld" and decided.json()["practice"]["status"] == "review"
    assert decided.json()["practice"]["score"] == "66.7"


def test_the_migration_dates_earlier_returns_from_the_audit_trail(returned):
    from importlib import import_module

    from django.apps import apps

    from opora.audit.models import AuditEvent

    migration = import_module("opora.practices.migrations.0003_appeal_and_spread")
    Practice.objects.filter(pk=returned.pk).update(returned_at=None)
    migration.returned_at_from_audit(apps, None)
    event = AuditEvent.objects.filter(action="practices.practice.returned", target_id=str(returned.pk)).get()
    assert Practice.objects.get(pk=returned.pk).returned_at == event.created_at
