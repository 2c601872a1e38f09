"""Children: consent before anything is kept, one record per child (СНИЛС or normalized
name and birth date), corrections, and walk-ins recorded by providers."""

import datetime as dt

import pytest
from django.utils import timezone

from opora import audit
from opora.accounts.models import Role, User
from opora.enrollment import children, seats, selectors, services
from opora.enrollment.models import Application, Child, ConsentChannel, Guardianship
from opora.enrollment.models import ApplicationStatus as S
from opora.errors import NotFound, PermissionDenied, ValidationFailed
from tests import factories as f
from tests.enrollment.conftest import child_data, snils


def test_parent_adds_a_child_with_consent_recorded(parent, city):
    before = timezone.now()
    child, created = children.register_child(parent, child_data(city, snils="112-233-445 95"),
                                             consent=True)

    assert created is True
    assert (child.full_name, child.snils, child.identity_key) == (
        "Смирнова Алёна Игоревна", "11223344595",
        f"смирнова|алена|игоревна|{child.birth_date.isoformat()}")
    link = Guardianship.objects.get(child=child)
    assert (link.parent, link.consent_by, link.consent_channel) == (parent, parent,
                                                                    ConsentChannel.PARENT)
    assert link.consent_at >= before
    assert audit.timeline(child).get().action == "enrollment.child.registered"


def test_no_child_is_kept_without_consent(parent, city):
    with pytest.raises(ValidationFailed) as err:
        children.register_child(parent, child_data(city), consent=False)
    assert err.value.field == "consent"
    assert err.value.message == ("Без согласия на обработку персональных данных сведения о "
                                 "ребёнке сохранить нельзя.")
    assert (Child.objects.count(), Guardianship.objects.count()) == (0, 0)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("snils", "112-233-445 96", "Неверная контрольная сумма СНИЛС."),
    ("birth_date", dt.date.today() + dt.timedelta(days=1), "Дата рождения не может быть в будущем."),
    ("birth_date", dt.date(2000, 1, 1), "Ребёнку больше 18 лет: в навигаторе записывают детей до 18 лет."),
    ("last_name", "  ", "Это поле не может быть пустым."),
])
def test_bad_child_data_is_refused_naming_the_field(parent, city, field, value, message):
    with pytest.raises(ValidationFailed) as err:
        children.register_child(parent, child_data(city, **{field: value}), consent=True)
    assert (err.value.field, err.value.message) == (field, message)
    assert Child.objects.count() == 0


@pytest.mark.parametrize("persona", ["staff", "operator", "regional"])
def test_only_parents_add_children_in_the_cabinet(request, persona, city):
    with pytest.raises(PermissionDenied):
        children.register_child(request.getfixturevalue(persona), child_data(city), consent=True)
    assert Child.objects.count() == 0


# --- one child, one record -----------------------------------------------------------


def test_second_parent_entering_the_same_snils_waits_for_the_support_centre(
        parent, other_parent, city):
    first, _ = children.register_child(parent, child_data(city, snils="11223344595",
                                                          is_rural=True), consent=True)
    second, created = children.register_child(
        other_parent, child_data(city, last_name="Смирнова-Ли", snils="112 233 445 95"),
        consent=True)

    assert (second.pk, created) == (first.pk, False)
    assert second.last_name == "Смирнова" and second.is_rural is True  # the record is not rewritten
    assert set(Guardianship.objects.filter(child=first).values_list("parent", flat=True)) == {
        parent.pk, other_parent.pk}
    assert Child.objects.count() == 1
    assert not selectors.is_guardian(other_parent, first)
    assert [e.action for e in audit.timeline(first)] == ["enrollment.child.registered",
                                                         "enrollment.guardianship.requested"]


@pytest.mark.parametrize(("last", "first", "patronymic"), [
    ("смирнова", "алена", "игоревна"),
    ("СМИРНОВА", "АЛЁНА", "ИГОРЕВНА"),
    ("  Смирнова ", "Алена", "Игоревна  "),
])
def test_same_normalized_name_and_birth_date_finds_the_record(parent, other_parent, city,
                                                              last, first, patronymic):
    existing, _ = children.register_child(parent, child_data(city), consent=True)
    linked, created = children.register_child(
        other_parent, child_data(city, last_name=last, first_name=first, patronymic=patronymic),
        consent=True)

    assert (linked.pk, created) == (existing.pk, False)
    assert Child.objects.count() == 1


def test_name_match_with_another_snils_is_another_child(parent, other_parent, city):
    first, _ = children.register_child(parent, child_data(city, snils=snils(123456789)),
                                       consent=True)
    second, created = children.register_child(other_parent, child_data(city, snils=snils(223456789)),
                                              consent=True)
    assert created is True and second.pk != first.pk
    assert not selectors.is_guardian(other_parent, first)


def test_guardian_entering_the_child_again_with_snils_fills_it(parent, city):
    existing, _ = children.register_child(parent, child_data(city), consent=True)
    again, created = children.register_child(parent, child_data(city, snils=snils(123456789)),
                                             consent=True)
    assert (again.pk, created) == (existing.pk, False)
    existing.refresh_from_db()
    assert existing.snils == snils(123456789).replace("-", "").replace(" ", "")


def test_a_stranger_cannot_write_a_snils_onto_a_child_found_by_name(parent, other_parent, city):
    existing, _ = children.register_child(parent, child_data(city), consent=True)
    children.register_child(other_parent, child_data(city, snils=snils(123456789)), consent=True)
    existing.refresh_from_db()
    assert existing.snils == ""


def test_known_snils_with_another_birth_date_links_nothing(parent, other_parent, city):
    existing, _ = children.register_child(parent, child_data(city, snils=snils(123456789)),
                                          consent=True)
    found, created = children.register_child(other_parent, child_data(
        city, snils=snils(123456789), birth_date=existing.birth_date - dt.timedelta(days=3)),
        consent=True)

    # answered like a link waiting for the МОЦ, but none is made
    assert (found.pk, created) == (existing.pk, False)
    assert not Guardianship.objects.filter(parent=other_parent).exists()
    assert Child.objects.count() == 1
    event = audit.timeline(existing).last()
    assert (event.action, event.actor, event.data) == (
        "enrollment.guardianship.mismatched", other_parent,
        {"channel": "parent", "parent_id": other_parent.pk})


def test_registering_the_same_child_twice_changes_nothing(parent, city):
    first, _ = children.register_child(parent, child_data(city), consent=True)
    again, created = children.register_child(parent, child_data(city), consent=True)

    assert (again.pk, created) == (first.pk, False)
    assert Guardianship.objects.count() == 1
    assert audit.timeline(first).count() == 1


def test_knowing_a_name_and_birth_date_gives_no_access_to_the_child(
        parent, other_parent, city, group):
    child, _ = children.register_child(parent, child_data(city, snils="11223344595"),
                                       consent=True)
    application = services.submit_application(parent, child, group)[0]

    children.register_child(other_parent, child_data(city), consent=True)

    # no card, no applications, no withdrawals, no e-mails for the stranger
    assert list(selectors.children_of(other_parent)) == []
    assert list(selectors.applications_of(other_parent)) == []
    with pytest.raises(NotFound):
        services.withdraw_application(other_parent, application)
    with pytest.raises(NotFound):
        children.update_child(other_parent, child, {"first_name": "Чужая"})
    application.refresh_from_db()
    assert application.status != S.WITHDRAWN
    assert parent.email not in str(audit.timeline(child).last().data)


def test_support_centre_confirms_a_pending_guardian(parent, other_parent, operator, city):
    child, _ = children.register_child(parent, child_data(city), consent=True)
    children.register_child(other_parent, child_data(city), consent=True)
    link = Guardianship.objects.get(child=child, parent=other_parent)

    children.confirm_guardianship(operator, link)

    assert selectors.is_guardian(other_parent, child)
    assert list(selectors.children_of(other_parent)) == [child]
    assert audit.timeline(child).last().action == "enrollment.guardianship.confirmed"


def test_support_centre_rejects_a_pending_guardian_with_a_reason(parent, other_parent, operator,
                                                                  city):
    child, _ = children.register_child(parent, child_data(city), consent=True)
    children.register_child(other_parent, child_data(city), consent=True)
    link = Guardianship.objects.get(child=child, parent=other_parent)

    with pytest.raises(ValidationFailed):
        children.reject_guardianship(operator, link, " ")
    children.reject_guardianship(operator, link, "Документы не подтверждают родство")

    assert not Guardianship.objects.filter(pk=link.pk).exists()
    assert selectors.is_guardian(parent, child)


@pytest.mark.parametrize("persona", ["other_operator", "staff", "parent", "authority"])
def test_only_the_childs_support_centre_confirms_guardians(request, parent, other_parent, city,
                                                           persona):
    child, _ = children.register_child(parent, child_data(city), consent=True)
    children.register_child(other_parent, child_data(city), consent=True)
    link = Guardianship.objects.get(child=child, parent=other_parent)

    with pytest.raises(PermissionDenied):
        children.confirm_guardianship(request.getfixturevalue(persona), link)
    assert not selectors.is_guardian(other_parent, child)


# --- corrections ---------------------------------------------------------------------


def test_guardian_corrects_a_name_and_the_identity_follows(parent, child):
    children.update_child(parent, child, {"first_name": "Елена"})

    child.refresh_from_db()
    assert child.identity_key.startswith("смирнова|елена|игоревна|")
    assert audit.timeline(child).last().data == {"fields": ["first_name"]}


def test_another_parent_cannot_correct_a_guessed_child(other_parent, child):
    with pytest.raises(NotFound):
        children.update_child(other_parent, child, {"first_name": "Чужая"})
    child.refresh_from_db()
    assert child.first_name == "Алёна"


def test_snils_of_another_child_cannot_be_taken(parent, child, city):
    children.register_child(parent, child_data(city, first_name="Брат", snils=snils(123456789)),
                            consent=True)
    with pytest.raises(ValidationFailed) as err:
        children.update_child(parent, child, {"snils": snils(123456789)})
    assert err.value.field == "snils"
    child.refresh_from_db()
    assert child.snils == ""


# --- walk-ins ------------------------------------------------------------------------

PARENT = {"email": "Mama@Example.org", "last_name": "Смирнова", "first_name": "Ольга",
          "phone": "+7 900 000-00-00"}


def test_staff_enrol_a_walk_in_with_the_parents_consent(staff, group, city):
    application = children.enrol_walk_in(staff, child_data(city), group, PARENT, consent=True)

    assert (application.status, application.channel, application.created_by) == (
        S.ENROLLED, "provider", staff)
    parent = User.objects.get(email="mama@example.org")
    assert (parent.role, parent.has_usable_password(), parent.municipality) == (
        Role.PARENT, False, city)
    link = Guardianship.objects.get(parent=parent)
    assert (link.consent_by, link.consent_channel) == (staff, ConsentChannel.PROVIDER)
    assert [e.action for e in audit.timeline(application)] == [
        "enrollment.application.submitted", "enrollment.application.confirmed"]


def test_walk_in_into_a_full_group_joins_the_line(staff, group, family, city):
    for p, c in family(2):
        services.submit_application(p, c, group)
    application = children.enrol_walk_in(staff, child_data(city), group, PARENT, consent=True)
    assert (application.status, application.queue_number) == (S.WAITLISTED, 1)


def test_walk_in_never_takes_over_an_existing_child(staff, group, parent, child):
    application = children.enrol_walk_in(
        staff, child_data(parent.municipality), group,
        {"email": parent.email.upper(), "last_name": "Петров", "first_name": "Пётр"}, consent=True)

    # a record of its own, linked to the existing account until its owner confirms
    assert application.child != child
    assert Child.objects.count() == 2
    link = Guardianship.objects.get(child=application.child)
    assert (link.parent, link.confirmed_at) == (parent, None)
    assert list(selectors.children_of(parent)) == [child]
    assert list(child.guardianships.values_list("parent", flat=True)) == [parent.pk]


def test_walk_in_needs_consent_and_changes_nothing(staff, group, city):
    with pytest.raises(ValidationFailed) as err:
        children.enrol_walk_in(staff, child_data(city), group, PARENT, consent=False)
    assert err.value.field == "consent"
    assert (Child.objects.count(), Application.objects.count(),
            User.objects.filter(email="mama@example.org").count()) == (0, 0, 0)


def test_walk_in_refuses_a_service_account_as_parent(staff, operator, group, city):
    with pytest.raises(ValidationFailed) as err:
        children.enrol_walk_in(staff, child_data(city), group,
                               {**PARENT, "email": operator.email}, consent=True)
    assert err.value.field == "parent_email"
    assert (Child.objects.count(), Application.objects.count()) == (0, 0)


def test_walk_in_into_another_organizations_group_is_refused(other_staff, group, city):
    with pytest.raises(PermissionDenied):
        children.enrol_walk_in(other_staff, child_data(city), group, PARENT, consent=True)
    assert (Child.objects.count(), User.objects.filter(email="mama@example.org").count()) == (0, 0)


def test_walk_in_respects_the_gates(staff, group, city):
    group.enrolment_open = False
    group.save()
    with pytest.raises(services.NotEligible):
        children.enrol_walk_in(staff, child_data(city), group, PARENT, consent=True)
    assert (Child.objects.count(), Application.objects.count(),
            User.objects.filter(email="mama@example.org").count()) == (0, 0, 0)



def test_merge_never_unenrols_a_studying_child(operator, city, group):
    # given: the kept record's application waits (older), the duplicate's studies (newer)
    group.capacity_max = 5
    group.save()
    first_parent = f.user(Role.PARENT, municipality=city)
    second_parent = f.user(Role.PARENT, municipality=city)
    keep, _ = children.register_child(first_parent, child_data(city), consent=True)
    duplicate, _ = children.register_child(
        second_parent, child_data(city, first_name="Алёна-Мария"), consent=True)
    waiting = services.submit_application(first_parent, keep, group)[0]
    studying = services.submit_application(second_parent, duplicate, group)[0]
    Application.objects.filter(pk=waiting.pk).update(status=S.WAITLISTED, queue_number=1)
    Application.objects.filter(pk=studying.pk).update(status=S.ENROLLED)
    seats.recount_seats()

    children.merge_children(operator, keep, duplicate, "Одна и та же девочка")

    studying.refresh_from_db()
    waiting.refresh_from_db()
    assert (studying.status, studying.child_id) == (S.ENROLLED, keep.pk)
    assert waiting.status == S.WITHDRAWN
