"""The plan's life: approval cycle, returns, revisions, execution, report; their rights
and refusals; overdue flags; who sees what."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opora import audit
from opora.accounts.models import Role
from opora.audit.models import AuditEvent
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.plans import links, selectors, services
from opora.plans.models import ItemStatus, PlanStatus, RevisionStatus
from opora.surveys.models import Survey
from tests import factories as f
from tests.plans.conftest import add_items, approve, kind, make_plan, signed, today
from tests.surveys.conftest import make_survey


def _statuses(plan):
    return [event.to_state for event in audit.timeline(plan) if event.action.startswith("plans.plan.")
            and event.to_state]


def test_the_whole_cycle_is_audited(operator, authority, regional, filled):
    services.send(operator, filled)
    services.approve(authority, filled, signed())
    services.agree(regional, filled, signed())
    services.start(operator, filled)
    for item in filled.items.all():
        services.mark_item(operator, item, {"status": ItemStatus.DONE, "actual_result": "Сделано"})
    services.report(operator, filled)

    filled.refresh_from_db()
    assert filled.status == PlanStatus.REPORTED
    assert (filled.approved_on, filled.approved_by_name) == (today(), "Гречаная Н.М.")
    assert filled.agreed_by_position == "Начальник Управления образования"
    assert _statuses(filled) == ["draft", "sent", "approved", "agreed", "in_execution", "reported"]


def test_an_item_added_and_then_changed_says_so_in_its_history(operator, plan):
    item = services.save_item(operator, plan, {"number": "1", "title": "Совещание", "deadline_text": "апрель"})
    services.save_item(operator, plan, {"number": "1", "title": "Совещание МОЦ", "deadline_text": "апрель"}, item)

    assert list(AuditEvent.objects.filter(target_id=str(item.pk), action__startswith="plans.item.")
                .order_by("pk").values_list("action", flat=True)) == ["plans.item.added", "plans.item.saved"]


def test_an_empty_plan_is_not_sent(operator, plan):
    with pytest.raises(ValidationFailed, match="нет ни одного мероприятия"):
        services.send(operator, plan)


def test_a_plan_with_an_unknown_deadline_is_not_sent_until_the_interval_is_picked(operator, plan):
    add_items(operator, plan, "№\tМероприятия\tСроки\tОтветственный\n1\tСовещание\tкак-нибудь\tИванов\n")
    with pytest.raises(ValidationFailed, match="срок не распознан"):
        services.send(operator, plan)
    item = plan.items.get()

    services.save_item(operator, plan, {"number": "1", "title": "Совещание", "deadline_text": "как-нибудь",
                                        "starts_on": dt.date(plan.year, 5, 1),
                                        "ends_on": dt.date(plan.year, 5, 31)}, item)

    item.refresh_from_db()
    assert (item.deadline_unknown, item.ends_on, item.deadline_text) == (
        False, dt.date(plan.year, 5, 31), "как-нибудь")
    assert services.send(operator, plan).status == PlanStatus.SENT


def test_the_authority_returns_with_remarks_and_the_moc_sends_again(operator, authority, filled):
    services.send(operator, filled)
    with pytest.raises(ValidationFailed, match="замечания"):
        services.return_plan(authority, filled, "  ")

    services.return_plan(authority, filled, "Уточните сроки пункта 7")

    filled.refresh_from_db()
    assert (filled.status, filled.remarks) == (PlanStatus.RETURNED, "Уточните сроки пункта 7")
    item = filled.items.get(number="7")
    services.save_item(operator, filled, {"number": "7", "title": item.title, "deadline_text": "апрель"}, item)
    services.send(operator, filled)
    services.approve(authority, filled, signed())
    filled.refresh_from_db()
    assert filled.status == PlanStatus.APPROVED and filled.remarks == ""


def test_the_rmc_returns_an_approved_plan_and_its_approval_is_void(operator, authority, regional, filled):
    approve(operator, authority, filled)
    with pytest.raises(PermissionDenied):
        services.return_plan(authority, filled, "нет")

    services.return_plan(regional, filled, "Добавьте мониторинг")

    filled.refresh_from_db()
    assert (filled.status, filled.approved_on) == (PlanStatus.RETURNED, None)


@pytest.mark.parametrize(("data", "field"), [
    ({"name": "", "position": "x", "approved_on": "2020-01-01"}, "name"),
    ({"name": "x", "position": "", "approved_on": "2020-01-01"}, "position"),
    ({"name": "x", "position": "x", "approved_on": ""}, "approved_on"),
    ({"name": "x", "position": "x", "approved_on": "31.12.2020"}, "approved_on"),
    ({"name": "x", "position": "x", "approved_on": "2999-01-01"}, "approved_on"),
])
def test_approval_needs_a_date_not_in_the_future_and_a_signatory(operator, authority, filled, data, field):
    services.send(operator, filled)

    with pytest.raises(ValidationFailed) as refused:
        services.approve(authority, filled, data)

    assert field in refused.value.errors
    filled.refresh_from_db()
    assert filled.status == PlanStatus.SENT


def test_transitions_out_of_order_are_refused(operator, authority, regional, filled):
    with pytest.raises(InvalidTransition):
        services.approve(authority, filled, signed())
    with pytest.raises(InvalidTransition):
        services.start(operator, filled)
    with pytest.raises(InvalidTransition):
        services.report(operator, filled)
    services.send(operator, filled)
    with pytest.raises(InvalidTransition):
        services.send(operator, filled)
    with pytest.raises(InvalidTransition):
        services.agree(regional, filled, signed())
    with pytest.raises(InvalidTransition, match="изменить нельзя"):
        services.save_item(operator, filled, {"number": "99", "title": "Новое"})


@pytest.mark.parametrize("who", ["other_operator", "authority", "regional", "staff"])
def test_only_the_moc_of_the_municipality_keeps_its_plan(request, filled, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.send(actor, filled)
    with pytest.raises(PermissionDenied):
        services.save_item(actor, filled, {"number": "99", "title": "Новое"})


def test_another_authority_does_not_approve(operator, filled, district):
    services.send(operator, filled)
    other = f.user(Role.EDUCATION_AUTHORITY, municipality=district)
    with pytest.raises(PermissionDenied):
        services.approve(other, filled, signed())
    with pytest.raises(PermissionDenied):
        services.approve(operator, filled, signed())


def test_a_plan_per_kind_and_period(operator, plan):
    with pytest.raises(ValidationFailed, match="уже есть"):
        make_plan(operator)
    assert make_plan(operator, period_kind="school").period_label == f"{plan.year}/{plan.year + 1}"
    with pytest.raises(ValidationFailed):
        services.create_plan(operator, operator.municipality, kind(), "calendar", "двадцать")
    with pytest.raises(PermissionDenied):
        services.create_plan(operator, f.municipality(), kind(), "calendar", 2026)


# --- execution ---------------------------------------------------------------------------


def test_done_after_the_interval_is_done_late(operator, authority, filled):
    approve(operator, authority, filled)
    item = filled.items.get(number="7")  # March
    late = dt.date(filled.year, 4, 2)

    marked = services.mark_item(operator, item, {"status": ItemStatus.DONE, "done_on": late})

    assert marked.status == ItemStatus.DONE_LATE
    on_time = services.mark_item(operator, item, {"status": ItemStatus.DONE,
                                                  "done_on": dt.date(filled.year, 3, 20)})
    assert on_time.status == ItemStatus.DONE


def test_not_done_and_cancelled_need_a_reason(operator, authority, filled):
    approve(operator, authority, filled)
    item = filled.items.first()
    with pytest.raises(ValidationFailed, match="причину"):
        services.mark_item(operator, item, {"status": ItemStatus.NOT_DONE})
    with pytest.raises(ValidationFailed):
        services.mark_item(operator, item, {"status": "finished"})

    marked = services.mark_item(operator, item, {"status": ItemStatus.CANCELLED, "reason": "Не нужно"})

    assert (marked.status, marked.reason, marked.done_on) == (ItemStatus.CANCELLED, "Не нужно", None)


def test_items_are_marked_only_in_an_approved_plan(operator, filled):
    with pytest.raises(InvalidTransition):
        services.mark_item(operator, filled.items.first(), {"status": ItemStatus.DONE})


def test_evidence_is_a_file_or_a_link(operator, authority, filled):
    approve(operator, authority, filled)
    item = filled.items.first()

    document = services.add_evidence(operator, item, file=SimpleUploadedFile("приказ.pdf", b"%PDF-1.4"))
    link = services.add_evidence(operator, item, url="https://example.org/news/1", note="Новость")

    assert document.file.name.endswith(".pdf") and link.href == "https://example.org/news/1"
    for kwargs, message in [({}, "файл или укажите ссылку"), ({"url": "ftp://x"}, "http"),
                            ({"file": SimpleUploadedFile("x.exe", b"MZ")}, "не принимается")]:
        with pytest.raises(ValidationFailed, match=message):
            services.add_evidence(operator, item, **kwargs)
    assert item.evidence.count() == 2


def test_a_responsible_provider_marks_only_its_items(operator, authority, staff, filled):
    approve(operator, authority, filled)
    mine, other = filled.items.all()[:2]
    mine.responsible_users.add(staff)

    services.mark_item(staff, mine, {"status": ItemStatus.IN_PROGRESS})
    with pytest.raises(PermissionDenied):
        services.mark_item(staff, other, {"status": ItemStatus.IN_PROGRESS})
    assert list(selectors.my_items(staff)) == [mine]


def test_my_plan_hides_drafts(operator, staff, filled):
    filled.items.first().responsible_users.add(staff)

    assert list(selectors.my_items(staff)) == []


def test_the_report_needs_every_item_closed(operator, authority, regional, filled):
    approve(operator, authority, filled)
    services.agree(regional, filled, signed())
    services.start(operator, filled)
    services.mark_item(operator, filled.items.first(), {"status": ItemStatus.DONE,
                                                        "done_on": dt.date(filled.year, 2, 10)})

    with pytest.raises(ValidationFailed, match="открыто 9"):
        services.report(operator, filled)
    assert selectors.summary(filled) == {"total": 10, "done": 1, "done_late": 0, "not_done": 0,
                                         "cancelled": 0, "open": 9}


def test_publications_belong_to_media_plans(operator, authority, filled):
    approve(operator, authority, filled)
    with pytest.raises(InvalidTransition):
        services.add_publication(operator, filled.items.first(), {})
    media = make_plan(operator, code="media_plan")
    add_items(operator, media)
    approve(operator, authority, media)
    item = media.items.first()

    with pytest.raises(ValidationFailed) as refused:
        services.add_publication(operator, item, {"channel": "tv", "title": "", "reach": "-1"})
    assert set(refused.value.errors) == {"published_on", "channel", "title", "reach"}
    publication = services.add_publication(operator, item, {
        "published_on": today(), "channel": "social", "title": "Открытие МОЦ",
        "url": "https://vk.com/wall-1_1", "reach": "1200"})
    assert publication.reach == 1200


# --- overdue -----------------------------------------------------------------------------


def test_overdue_from_the_interval_end_and_the_status(operator, authority, filled):
    approve(operator, authority, filled)
    item = filled.items.get(number="7")  # March
    after, before = dt.date(filled.year, 4, 1), dt.date(filled.year, 3, 31)

    assert item.is_overdue(after) and not item.is_overdue(before)
    assert filled.items.filter(selectors.overdue_q(after)).count() == 7  # 1–7 end in March
    item.status = ItemStatus.NOT_DONE
    assert not item.is_overdue(after)


# --- revisions ---------------------------------------------------------------------------


def test_a_revision_of_an_approved_plan(operator, authority, filled):
    approve(operator, authority, filled)
    item = filled.items.get(number="7")
    with pytest.raises(InvalidTransition, match="начните изменения"):
        services.save_item(operator, filled, {"number": "7", "title": item.title, "deadline_text": "май"},
                           item)
    with pytest.raises(ValidationFailed):
        services.open_revision(operator, filled, "")

    revision = services.open_revision(operator, filled, "Перенос сроков")
    with pytest.raises(ValidationFailed, match="нет ни одного"):
        services.send_revision(operator, revision)
    services.save_item(operator, filled, {"number": "7", "title": item.title, "deadline_text": "май"}, item)
    added = services.save_item(operator, filled, {"number": "11", "title": "Новое",
                                                  "deadline_text": "как-нибудь"})
    with pytest.raises(ValidationFailed, match="уже есть"):
        services.save_item(operator, filled, {"number": "11", "title": "Ещё одно"})
    with pytest.raises(ValidationFailed, match="срок не распознан"):
        services.send_revision(operator, revision)
    services.save_item(operator, filled, {"number": "11", "title": "Новое", "deadline_text": "июнь"},
                       change=added)
    with pytest.raises(InvalidTransition, match="не утверждены"):
        services.open_revision(operator, filled, "Ещё")
    services.send_revision(operator, revision)
    with pytest.raises(InvalidTransition):
        services.save_item(operator, filled, {"number": "7", "title": item.title, "deadline_text": "июль"},
                           item)
    services.return_revision(authority, revision, "Обоснуйте перенос")
    revision.refresh_from_db()
    assert (revision.status, revision.remarks) == (RevisionStatus.DRAFT, "Обоснуйте перенос")
    services.send_revision(operator, revision)
    services.approve_revision(authority, revision, signed())

    revision.refresh_from_db()
    assert (revision.number, revision.status) == (1, RevisionStatus.APPROVED)
    changes = {change.number: change for change in revision.changes.all()}
    assert set(changes) == {"7", "11"}
    assert (changes["7"].before["deadline_text"], changes["7"].after["deadline_text"]) == ("март", "май")
    assert changes["7"].differences[:3] == [("сроки", "март", "май"),
                                        ("начало", f"01.03.{filled.year}", f"01.05.{filled.year}"),
                                        ("окончание", f"31.03.{filled.year}", f"31.05.{filled.year}")]
    assert (changes["11"].kind, changes["11"].before, changes["11"].item.title) == ("added", {}, "Новое")
    assert services.open_revision(operator, filled, "Второе").number == 2
    with pytest.raises(PermissionDenied):
        services.approve_revision(operator, revision, signed())


def _as_it_is(plan):
    return sorted((item.number, item.title, item.deadline_text, item.ends_on, item.status)
                  for item in plan.items.all())


def test_a_revision_holds_its_changes_until_the_authority_approves_it(operator, authority, filled):
    approve(operator, authority, filled)
    before = _as_it_is(filled)
    revision = services.open_revision(operator, filled, "Уточнение плана")

    services.save_item(operator, filled, {"number": "7", "title": "Семинар для педагогов",
                                          "deadline_text": "май"}, filled.items.get(number="7"))
    services.save_item(operator, filled, {"number": "11", "title": "Новое", "deadline_text": "июнь"})
    services.delete_item(operator, filled.items.get(number="10"))
    services.discard_change(operator, services.save_item(
        operator, filled, {"number": "12", "title": "Передумали", "deadline_text": "июль"}))

    # nothing reaches the items while the revision is prepared, sent or returned
    assert _as_it_is(filled) == before
    assert [c.kind for c in revision.changes.order_by("pk")] == ["changed", "added", "removed"]
    services.send_revision(operator, revision)
    assert _as_it_is(filled) == before
    services.return_revision(authority, revision, "Обоснуйте исключение")
    assert _as_it_is(filled) == before
    services.send_revision(operator, revision)

    services.approve_revision(authority, revision, signed())

    seven, eleven, ten = (filled.items.get(number=n) for n in ("7", "11", "10"))
    assert (seven.title, seven.deadline_text, seven.ends_on) == (
        "Семинар для педагогов", "май", dt.date(filled.year, 5, 31))
    assert (eleven.title, eleven.ends_on, eleven.position) == ("Новое", dt.date(filled.year, 6, 30), 11)
    assert ten.status == ItemStatus.CANCELLED and "изменениями № 1" in ten.reason
    assert filled.items.count() == 11
    actions = [event.action for event in audit.timeline(seven)]
    assert "plans.item.changed_by_revision" in actions


def test_a_closed_item_is_neither_changed_nor_removed_in_a_revision(operator, authority, filled):
    approve(operator, authority, filled)
    done = filled.items.get(number="1")
    services.mark_item(operator, done, {"status": ItemStatus.DONE})
    services.open_revision(operator, filled, "Уточнение")

    with pytest.raises(InvalidTransition, match="закрыто"):
        services.delete_item(operator, done)
    with pytest.raises(InvalidTransition, match="закрыто"):
        services.save_item(operator, filled, {"number": "1", "title": "Другое"}, done)


def test_a_table_imported_into_a_revision_waits_for_its_approval(operator, authority, filled):
    approve(operator, authority, filled)
    revision = services.open_revision(operator, filled, "Дополнение")
    text = "№\tМероприятия\tСроки\tОтветственный\n11\tВебинар для родителей\tоктябрь\tМетодист МОЦ\n"

    changes = add_items(operator, filled, text)

    assert [change.kind for change in changes] == ["added"] and filled.items.count() == 10
    services.send_revision(operator, revision)
    services.approve_revision(authority, revision, signed())
    eleven = filled.items.get(number="11")
    assert (eleven.title, eleven.ends_on) == ("Вебинар для родителей", dt.date(filled.year, 10, 31))


# --- visibility --------------------------------------------------------------------------


def test_a_draft_is_seen_by_its_moc_only(operator, other_operator, authority, regional, staff, filled):
    other = make_plan(other_operator)

    assert list(selectors.plans_for(operator)) == [filled]
    assert list(selectors.plans_for(other_operator)) == [other]
    assert list(selectors.plans_for(authority)) == []
    assert list(selectors.plans_for(regional)) == []
    assert list(selectors.plans_for(staff)) == []
    services.send(operator, filled)
    assert list(selectors.plans_for(authority)) == [filled]
    assert list(selectors.plans_for(regional)) == [filled]
    assert list(selectors.plans_for(other_operator)) == [other]


def test_an_item_is_deleted_from_a_draft_only(operator, authority, other_operator, filled):
    item = filled.items.get(number="10")
    with pytest.raises(PermissionDenied):
        services.delete_item(other_operator, item)

    services.delete_item(operator, item)

    assert filled.items.count() == 9
    approve(operator, authority, filled)
    with pytest.raises(InvalidTransition, match="исключают изменениями"):
        services.delete_item(operator, filled.items.first())
    assert filled.items.count() == 9


def _reported(operator, authority, regional, plan):
    approve(operator, authority, plan)
    services.agree(regional, plan, signed())
    services.start(operator, plan)
    for item in plan.items.all():
        services.mark_item(operator, item, {"status": ItemStatus.CANCELLED, "reason": "Не понадобилось"})
    return services.report(operator, plan)


def test_the_report_is_accepted_when_both_the_authority_and_the_rmc_accept_it(operator, authority,
                                                                            regional, filled):
    _reported(operator, authority, regional, filled)
    with pytest.raises(PermissionDenied):
        services.accept_report(operator, filled)

    services.accept_report(regional, filled)
    filled.refresh_from_db()
    assert filled.status == PlanStatus.REPORTED and filled.report_accepted_by_rmc_on == today()
    with pytest.raises(InvalidTransition, match="уже приняли"):
        services.accept_report(regional, filled)
    services.accept_report(authority, filled)

    filled.refresh_from_db()
    assert filled.status == PlanStatus.REPORT_ACCEPTED
    assert filled.report_accepted_by_authority_on == today()
    with pytest.raises(InvalidTransition):
        services.accept_report(authority, filled)


def test_a_report_accepted_by_one_is_still_returned_by_the_other(operator, authority, regional, filled):
    _reported(operator, authority, regional, filled)
    services.accept_report(authority, filled)

    services.return_report(regional, filled, "Нет подтверждений")

    filled.refresh_from_db()
    assert filled.status == PlanStatus.IN_EXECUTION
    assert (filled.report_accepted_by_authority_on, filled.report_accepted_by_rmc_on) == (None, None)
    services.report(operator, filled)
    services.accept_report(regional, filled)
    filled.refresh_from_db()
    assert filled.status == PlanStatus.REPORTED


@pytest.mark.parametrize("who", ["authority", "regional"])
def test_the_report_is_returned_and_the_plan_is_executed_again(request, operator, authority, regional,
                                                               filled, who):
    _reported(operator, authority, regional, filled)
    with pytest.raises(ValidationFailed):
        services.return_report(request.getfixturevalue(who), filled, "")

    services.return_report(request.getfixturevalue(who), filled, "Приложите подтверждения")

    filled.refresh_from_db()
    assert (filled.status, filled.remarks) == (PlanStatus.IN_EXECUTION, "Приложите подтверждения")
    services.mark_item(operator, filled.items.first(), {"status": ItemStatus.IN_PROGRESS})


def test_evidence_is_something_opora_holds(operator, other_operator, authority, filled):
    """The МОЦ links its data request of the plan's year and the annual report of that
    year; another МОЦ's request, a request of another year or any other address is
    refused, and so is a link given together with a file."""
    approve(operator, authority, filled)
    item = filled.items.first()
    year = filled.year
    own = make_survey(operator, title="Кадры", municipalities=None)
    foreign = make_survey(other_operator, title="Чужой запрос")
    late = make_survey(operator, title="Следующий год")
    Survey.objects.filter(pk__in=[own.pk, foreign.pk]).update(deadline=dt.date(year, 6, 1))
    Survey.objects.filter(pk=late.pk).update(deadline=dt.date(year + 1, 2, 1))

    offered = {link.url: link for link in links.offered(operator, filled)}
    assert f"/office/surveys/{own.pk}/" in offered
    assert f"/office/monitoring/annual/?year={year}" in offered
    assert f"/office/surveys/{foreign.pk}/" not in offered and f"/office/surveys/{late.pk}/" not in offered

    evidence = services.add_evidence(operator, item, link=f"/office/surveys/{own.pk}/")
    assert evidence.href == f"/office/surveys/{own.pk}/"
    assert evidence.note == f"Запрос данных: «Кадры», срок 01.06.{year}"
    for kwargs, message in [({"link": f"/office/surveys/{foreign.pk}/"}, "из списка"),
                            ({"link": "/admin/"}, "из списка"),
                            ({"link": f"/office/surveys/{own.pk}/", "url": "https://example.org"},
                             "что-то одно")]:
        with pytest.raises(ValidationFailed, match=message):
            services.add_evidence(operator, item, **kwargs)
    assert item.evidence.count() == 1
