import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from opora.accounts.models import Role
from opora.audit.models import AuditEvent
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.events import gifted, selectors, services
from opora.events.models import EventKind, EventLevel, GiftedRecord, GiftedStatus, Result
from tests import factories as f
from tests.events.conftest import add_child, born, make_event, pupil

pytestmark = pytest.mark.django_db


def _result(event, organizer, parent, child, result):
    registration, _ = services.register_child(parent, event, child)
    services.confirm_registration(organizer, registration)
    services.mark_attendance(organizer, registration)
    return services.set_result(organizer, registration, result)


def test_a_municipal_winner_is_proposed_and_the_moc_confirms(contest, staff, operator, parent, child):
    _result(contest, staff, parent, child, Result.WINNER)
    record = GiftedRecord.objects.get()
    assert (record.status, record.source, record.municipality, record.direction) == (
        GiftedStatus.PROPOSED, "results", child.municipality, contest.direction)
    assert [(a.title, a.result, a.level) for a in record.achievements.all()] == [
        (contest.title, Result.WINNER, EventLevel.MUNICIPAL)]
    gifted.confirm(operator, record, "Победитель городского конкурса")
    record.refresh_from_db()
    assert record.status == GiftedStatus.CONFIRMED and record.decided_by == operator
    assert AuditEvent.objects.filter(action="events.gifted.confirmed").count() == 1


def test_participants_and_school_level_are_not_proposed(staff, operator, parent, child):
    school = make_event(staff, operator, level=EventLevel.SCHOOL, title="Школьный этап")
    _result(school, staff, parent, child, Result.WINNER)
    other = add_child(parent, first_name="Пётр", birth_date=born(11))
    municipal = make_event(staff, operator, title="Городской")
    _result(municipal, staff, parent, other, Result.PARTICIPANT)
    assert not GiftedRecord.objects.exists()


def test_a_result_lowered_to_participation_withdraws_the_proposal(contest, staff, parent, child):
    registration = _result(contest, staff, parent, child, Result.PRIZE_3)
    assert GiftedRecord.objects.exists()
    services.set_result(staff, registration, Result.PARTICIPANT)
    assert not GiftedRecord.objects.exists()


def test_a_second_distinction_adds_an_achievement_to_the_same_record(staff, operator, parent, child):
    first = make_event(staff, operator, title="Первый")
    second = make_event(staff, operator, title="Второй")
    _result(first, staff, parent, child, Result.WINNER)
    _result(second, staff, parent, child, Result.PRIZE_2)
    record = GiftedRecord.objects.get()
    assert sorted(record.achievements.values_list("title", flat=True)) == ["Второй", "Первый"]


def test_only_the_moc_of_the_childs_municipality_decides(contest, staff, operator, other_operator,
                                                          parent, child):
    _result(contest, staff, parent, child, Result.WINNER)
    record = GiftedRecord.objects.get()
    with pytest.raises(PermissionDenied):
        gifted.confirm(other_operator, record)
    with pytest.raises(PermissionDenied):
        gifted.confirm(staff, record)
    with pytest.raises(ValidationFailed):
        gifted.decline(operator, record, "")
    gifted.decline(operator, record, "Недостаточно оснований")
    with pytest.raises(InvalidTransition):
        gifted.confirm(operator, GiftedRecord.objects.get())


def test_a_provider_nominates_its_pupil_with_grounds(staff, operator, parent):
    kid = pupil(staff.organization, parent, birth_date=born(12))
    mentor = f.teacher(staff.organization)
    with pytest.raises(ValidationFailed):
        gifted.nominate(staff, kid, direction="technical", grounds=" ")
    record = gifted.nominate(staff, kid, direction="technical", grounds="Призёр олимпиады НТИ",
                             mentor=mentor, achievements=[{
                                 "title": "Олимпиада НТИ", "level": EventLevel.ALL_RUSSIAN,
                                 "result": Result.PRIZE_3, "achieved_on": dt.date(2026, 4, 1)}])
    assert (record.source, record.mentor, record.proposed_by_organization) == (
        "provider", mentor, staff.organization)
    gifted.confirm(operator, record)
    measure = gifted.add_measure(operator, record, kind="grant", title="Грант главы округа",
                                 starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2027, 5, 31))
    assert measure.get_kind_display() == "Грант"
    with pytest.raises(ValidationFailed):
        gifted.add_measure(operator, record, kind="camp", title="Смена", starts_on=dt.date(2026, 9, 1),
                           ends_on=dt.date(2026, 8, 1))


def test_a_provider_cannot_nominate_another_providers_child(staff, other_staff, parent):
    kid = pupil(staff.organization, parent, birth_date=born(12))
    with pytest.raises(PermissionDenied):
        gifted.nominate(other_staff, kid, direction="arts", grounds="Талант")


def test_visibility(contest, staff, operator, other_operator, other_staff, authority, regional,
                    parent, child, city):
    kid = pupil(staff.organization, parent, first_name="Ученик", birth_date=born(12))
    record = gifted.nominate(staff, kid, direction="technical", grounds="Победы в соревнованиях")
    _result(contest, staff, parent, child, Result.WINNER)  # a child who is not the provider's pupil
    winner = GiftedRecord.objects.get(child=child)
    seen = lambda user: set(selectors.gifted_for(user).values_list("pk", flat=True))  # noqa: E731
    assert seen(operator) == {record.pk, winner.pk}
    assert seen(regional) == {record.pk, winner.pk}
    assert seen(staff) == {record.pk}  # its pupil; the winner studies elsewhere
    assert seen(other_staff) == set()
    assert seen(other_operator) == set()
    assert seen(authority) == set()
    stranger = f.user(Role.PARENT, municipality=city)
    assert seen(stranger) == set()
    assert seen(parent) == {record.pk, winner.pk}
    assert selectors.gifted_for(None).count() == 0


def test_visibility_of_pages(client, staff, operator, other_staff, parent):
    kid = pupil(staff.organization, parent, birth_date=born(12))
    record = gifted.nominate(staff, kid, direction="arts", grounds="Лауреат фестиваля «Звёздочки»")
    client.force_login(other_staff)
    assert kid.full_name not in client.get(reverse("events:gifted")).content.decode()
    assert client.get(reverse("events:gifted_record", args=[record.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("events:gifted_record", args=[record.pk])).status_code == 302
    client.force_login(operator)
    assert kid.full_name in client.get(reverse("events:gifted"), {"status": "proposed"}).content.decode()
    client.post(reverse("events:gifted_record", args=[record.pk]), {"action": "confirm"})
    assert GiftedRecord.objects.get().status == GiftedStatus.CONFIRMED
    client.force_login(parent)
    assert kid.full_name in client.get(reverse("events:cabinet")).content.decode()


def test_a_provider_nominates_from_its_page(client, staff, parent):
    kid = pupil(staff.organization, parent, birth_date=born(12))
    client.force_login(staff)
    response = client.post(reverse("events:gifted_nominate"), {
        "child": kid.pk, "direction": "arts", "grounds": "Лауреат областного фестиваля"})
    assert response.status_code == 302
    assert GiftedRecord.objects.get().grounds == "Лауреат областного фестиваля"


def test_the_share_counts_confirmed_children_of_5_to_17(contest, staff, operator, parent, city):
    day = timezone.localdate()
    kids = [add_child(parent, first_name=f"Р{age}", birth_date=born(age)) for age in (4, 10, 17, 18)]
    for kid in kids:
        GiftedRecord.objects.create(child=kid, municipality=city, status=GiftedStatus.CONFIRMED,
                                    source="provider", direction="arts", decided_at=timezone.now())
    proposed = add_child(parent, first_name="Предложенный", birth_date=born(9))
    GiftedRecord.objects.create(child=proposed, municipality=city, source="provider", direction="arts")
    assert selectors.gifted_count(day, city.pk) == 2
    assert selectors.gifted_count(day, city.pk + 1000) == 0


def test_the_kind_decides_whether_there_are_winners(staff, operator, parent, child):
    concert = make_event(staff, operator, kind=EventKind.objects.get(code="concert"))
    registration, _ = services.register_child(parent, concert, child)
    services.confirm_registration(staff, registration)
    services.mark_attendance(staff, registration)
    with pytest.raises(ValidationFailed):
        services.set_result(staff, registration, Result.WINNER)
