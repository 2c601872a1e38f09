"""The МОЦ keeps every child counted once: suspected duplicates and merging them."""

import datetime as dt

import pytest

from opora import audit
from opora.accounts.models import Role
from opora.enrollment import children, selectors, services
from opora.enrollment.models import Application, Child, Guardianship
from opora.enrollment.models import ApplicationStatus as S
from opora.errors import PermissionDenied, ValidationFailed
from tests import factories as f
from tests.enrollment.conftest import child_data, open_group, snils


@pytest.fixture
def second_parent(city):
    return f.user(Role.PARENT, municipality=city, email="second@example.org")


@pytest.fixture
def twins_by_snils(parent, second_parent, city):
    """One child entered twice with two different СНИЛС (one of them mistyped)."""
    a, _ = children.register_child(parent, child_data(city, snils=snils(123456789)), consent=True)
    b, _ = children.register_child(second_parent, child_data(city, snils=snils(123456780)),
                                   consent=True)
    return a, b


def _pairs(user):
    return [(p.first.pk, p.second.pk, p.same_identity) for p in selectors.suspected_duplicates(user)]


def test_same_name_and_birth_date_with_different_snils_is_suspected(operator, twins_by_snils):
    a, b = twins_by_snils
    assert _pairs(operator) == [(a.pk, b.pk, True)]


def test_a_near_name_on_the_same_birth_date_is_suspected(operator, parent, second_parent, city):
    a, _ = children.register_child(parent, child_data(
        city, last_name="Кузнецов", first_name="Алексей", patronymic="Игоревич", sex="male"),
        consent=True)
    b, _ = children.register_child(second_parent, child_data(
        city, last_name="Кузнецов", first_name="Алесей", patronymic="Игоревич", sex="male"),
        consent=True)
    children.register_child(second_parent, child_data(
        city, last_name="Петрова", first_name="Мария", patronymic="Сергеевна"), consent=True)

    pairs = selectors.suspected_duplicates(operator)
    assert [(p.first.pk, p.second.pk, p.same_identity) for p in pairs] == [(a.pk, b.pk, False)]
    assert 0.5 <= pairs[0].similarity < 1


def test_similar_names_born_on_different_days_are_not_suspected(operator, parent, second_parent,
                                                                 city):
    first, _ = children.register_child(parent, child_data(city), consent=True)
    day_before = first.birth_date - dt.timedelta(days=1)
    children.register_child(second_parent, child_data(city, birth_date=day_before), consent=True)
    assert _pairs(operator) == []


def test_only_the_childrens_moc_sees_their_duplicates(other_operator, staff, authority, parent,
                                                      twins_by_snils):
    assert _pairs(other_operator) == []
    assert _pairs(staff) == []
    assert _pairs(authority) == []
    assert _pairs(parent) == []


def test_pair_marked_as_different_children_leaves_the_list(operator, twins_by_snils):
    a, b = twins_by_snils
    children.mark_distinct(operator, b, a)

    assert _pairs(operator) == []
    assert audit.timeline(a).last().action == "enrollment.child.marked_distinct"


# --- merging -------------------------------------------------------------------------


@pytest.fixture
def clash(published, parent, second_parent, twins_by_snils, family):
    """``keep`` and ``duplicate`` both applied to group «shared» (the duplicate first),
    the duplicate also to group «own»; the shared group is full with one child in line."""
    keep, duplicate = twins_by_snils
    shared, own = open_group(published, name="Общая"), open_group(published, name="Своя")
    early = services.submit_application(second_parent, duplicate, shared)[0]
    late = services.submit_application(parent, keep, shared)[0]
    waiting_parent, waiting_child = family(1)[0]
    waiting = services.submit_application(waiting_parent, waiting_child, shared)[0]
    other = services.submit_application(second_parent, duplicate, own)[0]
    return keep, duplicate, early, late, waiting, other


def test_merge_moves_guardians_and_applications_and_keeps_the_earlier(operator, parent,
                                                                      second_parent, clash):
    keep, duplicate, early, late, waiting, other = clash
    merged = children.merge_children(operator, keep, duplicate, "Ошибка в СНИЛС у второй записи")

    assert merged.pk == keep.pk
    assert not Child.objects.filter(pk=duplicate.pk).exists()
    assert set(Guardianship.objects.filter(child=keep).values_list("parent", flat=True)) == {
        parent.pk, second_parent.pk}
    rows = {a.pk: (a.child_id, a.status) for a in Application.objects.all()}
    assert rows == {early.pk: (keep.pk, S.NEW), late.pk: (keep.pk, S.WITHDRAWN),
                    waiting.pk: (waiting.child_id, S.NEW), other.pk: (keep.pk, S.NEW)}
    assert Application.objects.get(pk=late.pk).reason == (
        "Объединение записей о ребёнке: Ошибка в СНИЛС у второй записи")
    assert audit.timeline(waiting).last().action == "enrollment.application.promoted"
    event = audit.timeline(keep).last()
    assert (event.action, event.actor, event.reason) == (
        "enrollment.child.merged", operator, "Ошибка в СНИЛС у второй записи")
    assert event.data == {"duplicate_uuid": str(duplicate.uuid), "duplicate_id": duplicate.pk,
                          "moved_applications": [early.pk, other.pk],
                          "withdrawn_applications": [late.pk]}


def test_merge_takes_over_the_snils_when_the_kept_record_has_none(operator, parent,
                                                                  second_parent, city):
    keep, _ = children.register_child(parent, child_data(city, first_name="Алена"), consent=True)
    duplicate, _ = children.register_child(second_parent, child_data(
        city, first_name="Алина", snils=snils(123456789)), consent=True)
    children.merge_children(operator, keep, duplicate, "Одна и та же девочка")

    keep.refresh_from_db()
    assert keep.snils == snils(123456789).replace("-", "").replace(" ", "")
    assert keep.first_name == "Алена"


def test_merge_with_a_shared_guardian_keeps_one_link(operator, parent, city):
    keep, _ = children.register_child(parent, child_data(city, snils=snils(123456789)),
                                      consent=True)
    duplicate, _ = children.register_child(parent, child_data(city, snils=snils(123456780)),
                                           consent=True)
    children.merge_children(operator, keep, duplicate, "Родитель добавил ребёнка дважды")
    assert list(Guardianship.objects.values_list("parent", "child")) == [(parent.pk, keep.pk)]


@pytest.mark.parametrize("persona", ["other_operator", "staff", "authority", "parent"])
def test_merge_is_for_the_childrens_moc_only(request, persona, clash):
    keep, duplicate = clash[0], clash[1]
    with pytest.raises(PermissionDenied):
        children.merge_children(request.getfixturevalue(persona), keep, duplicate, "Дубль")
    assert Child.objects.filter(pk=duplicate.pk).exists()
    assert Application.objects.filter(child=duplicate).count() == 2


def test_merge_needs_a_reason_and_two_records(operator, twins_by_snils):
    keep, duplicate = twins_by_snils
    with pytest.raises(ValidationFailed) as err:
        children.merge_children(operator, keep, duplicate, " ")
    assert err.value.field == "reason"
    with pytest.raises(ValidationFailed):
        children.merge_children(operator, keep, keep, "Сам с собой")
    assert Child.objects.count() == 2
