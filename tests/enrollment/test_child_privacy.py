"""Children's data never leak on the strength of a name, a birth date or a СНИЛС: a
provider's walk-in makes a record of its own (the МОЦ merges duplicates), a link a provider
makes to an existing parent account waits for confirmation, providers see only confirmed
guardians, a СНИЛС of another family answers the same whatever birth date is typed, and
attempts to link children of other families are throttled per account."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from opora import audit
from opora.accounts.models import Role, User
from opora.audit.models import AuditEvent
from opora.enrollment import children, selectors, services
from opora.enrollment.models import Application, Child, ConsentChannel, Guardianship
from opora.enrollment.models import ApplicationStatus as S
from opora.errors import NotFound, Throttled
from opora.registry.choices import ProgramStatus
from tests import factories as f
from tests.api.conftest import ApiClient
from tests.enrollment.conftest import add_child, born, child_data, open_group, snils


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def notes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def elsewhere(district, other_provider):
    """A child of another municipality with a СНИЛС, special needs, a phone-bearing
    parent and a live application to another organization's group."""
    mother = f.user(Role.PARENT, municipality=district, email="mother@example.org",
                    phone="+7 900 111-22-33", last_name="Иванова", first_name="Мария")
    child = add_child(mother, last_name="Иванов", first_name="Пётр", patronymic="Сергеевич",
                      birth_date=born(8), sex="male",
                      snils=snils(123456789), has_ovz=True)
    program = f.program(other_provider, status=ProgramStatus.PUBLISHED, title="Шахматы")
    application, _created = services.submit_application(mother, child, open_group(program))
    return mother, child, application


def walk_in_post(group, municipality, **overrides):
    data = {"group": str(group.pk), "last_name": "Иванов", "first_name": "Пётр",
            "patronymic": "Сергеевич", "birth_date": born(8).isoformat(), "sex": "male",
            "municipality": str(municipality.pk), "snils": "",
            "parent_last_name": "Выдуманная", "parent_first_name": "Анна",
            "parent_patronymic": "", "parent_phone": "+7 900 000-00-01",
            "parent_email": "invented@example.org", "consent": "on"}
    data.update(overrides)
    return data


def _walk_in(client, group, municipality, **overrides):
    response = client.post(reverse("enrollment:walk_in"),
                           walk_in_post(group, municipality, **overrides))
    assert response.status_code == 302, response.context["form"].errors
    return response


# --- walk-ins --------------------------------------------------------------------------


def test_walk_in_with_another_familys_child_gets_a_new_record_and_no_access(
        client, staff, group, district, elsewhere, other_operator):
    mother, original, original_application = elsewhere
    client.force_login(staff)

    response = _walk_in(client, group, district)

    filed = Application.objects.get(group=group)
    assert filed.child_id != original.pk
    assert Child.objects.count() == 2
    walk_in = filed.child
    assert (walk_in.full_name, walk_in.snils, walk_in.has_ovz) == (
        "Иванов Пётр Сергеевич", "", False)
    # the original child, its applications and guardians are untouched
    assert list(Application.objects.filter(child=original).values_list("pk", "status")) == [
        (original_application.pk, S.NEW)]
    assert list(original.guardianships.values_list("parent__email", flat=True)) == [
        "mother@example.org"]
    # staff reach only their own record
    api = ApiClient(staff)
    assert api.get(f"/children/{original.pk}").status_code == 404
    assert [c["id"] for c in api.get("/children").json()["items"]] == [walk_in.pk]
    page = text(client.get(response["Location"]))
    assert "mother@example.org" not in page and "111-22-33" not in page
    assert "invented@example.org" in page
    # the МОЦ of the child's municipality sees the two records as one child
    pairs = selectors.suspected_duplicates(other_operator)
    assert [(p.first, p.second, p.same_identity) for p in pairs] == [(original, walk_in, True)]


def test_walk_in_never_writes_a_snils_already_on_another_record(client, staff, group,
                                                                district, elsewhere):
    _mother, original, _application = elsewhere
    client.force_login(staff)

    taken = _walk_in(client, group, district, snils=snils(123456789))
    taken_page = client.get(taken["Location"])
    free = _walk_in(client, group, district, first_name="Павел", snils=snils(223456789),
                    parent_email="pavel.mother@example.org")
    free_page = client.get(free["Location"])

    taken_child = Application.objects.get(pk=taken["Location"].split("/")[-2]).child
    free_child = Application.objects.get(pk=free["Location"].split("/")[-2]).child
    assert taken_child.snils == ""
    assert free_child.snils == snils(223456789).replace("-", "").replace(" ", "")
    original.refresh_from_db()
    assert original.snils == snils(123456789).replace("-", "").replace(" ", "")
    # the same answer either way: nothing tells staff that the first number is taken
    assert notes(taken_page) == notes(free_page) == ["Заявка записана: Обучается."]
    assert "СНИЛС" not in text(taken_page) and "СНИЛС" not in text(free_page)
    api = ApiClient(staff)
    assert api.get(f"/children/{taken_child.pk}").json()["snils"] == ""
    assert api.get(f"/children/{free_child.pk}").json()["snils"] == ""


def test_walk_in_with_an_existing_parents_email_waits_for_that_parent(
        client, staff, group, parent, city):
    parent.last_name = "Кузнецова"
    parent.save()
    original = add_child(parent)
    client.force_login(staff)

    response = _walk_in(client, group, city, last_name="Смирнова", first_name="Алёна",
                        patronymic="Игоревна", birth_date=born(10).isoformat(), sex="female",
                        parent_email=parent.email.upper())

    filed = Application.objects.get(group=group)
    assert filed.child_id != original.pk
    link = Guardianship.objects.get(child=filed.child)
    assert (link.parent, link.confirmed_at, link.consent_channel) == (
        parent, None, ConsentChannel.PROVIDER)
    # the parent's cabinet is not changed by a provider
    assert list(selectors.children_of(parent)) == [original]
    # and staff learn nothing of the account behind the e-mail
    page = text(client.get(response["Location"]))
    assert parent.email not in page and parent.last_name not in page
    assert "ждёт подтверждения" in page


def test_parent_accepts_a_walk_in_recorded_on_their_email(client, staff, group, parent, city):
    application = children.enrol_walk_in(staff, child_data(city, first_name="Варвара"), group,
                                         {"email": parent.email, "last_name": "Смирнова",
                                          "first_name": "Ольга"}, consent=True)
    link = Guardianship.objects.get(child=application.child)
    client.force_login(parent)

    cabinet = text(client.get(reverse("enrollment:cabinet")))
    response = client.post(reverse("enrollment:walk_in_accept", args=[link.pk]))

    assert "Смирнова Варвара Игоревна" in cabinet and "Подтвердить" in cabinet
    assert response["Location"] == reverse("enrollment:cabinet")
    link.refresh_from_db()
    assert (link.confirmed_at is not None, link.confirmed_by) == (True, parent)
    assert list(selectors.children_of(parent)) == [application.child]
    assert audit.timeline(application.child).last().action == "enrollment.guardianship.accepted"


def test_only_the_named_parent_accepts_a_walk_in(client, staff, group, parent, other_parent,
                                                 city):
    application = children.enrol_walk_in(staff, child_data(city), group,
                                         {"email": parent.email, "last_name": "Смирнова",
                                          "first_name": "Ольга"}, consent=True)
    link = Guardianship.objects.get(child=application.child)
    client.force_login(other_parent)

    response = client.post(reverse("enrollment:walk_in_accept", args=[link.pk]))

    assert response.status_code == 404
    link.refresh_from_db()
    assert link.confirmed_at is None


def test_a_parent_cannot_accept_a_link_they_asked_for_themselves(parent, other_parent, city):
    child = add_child(parent)
    children.register_child(other_parent, child_data(city), consent=True)
    link = Guardianship.objects.get(child=child, parent=other_parent)

    with pytest.raises(NotFound):
        children.accept_walk_in(other_parent, link)
    link.refresh_from_db()
    assert link.confirmed_at is None


def test_a_second_walk_in_of_the_same_child_and_parent_reuses_the_record(staff, group,
                                                                         published, city):
    second_group = open_group(published, name="Роботы-2")
    parent_data = {"email": "anna@example.org", "last_name": "Орлова", "first_name": "Анна"}
    first = children.enrol_walk_in(staff, child_data(city), group, parent_data, consent=True)
    second = children.enrol_walk_in(staff, child_data(city), second_group, parent_data,
                                    consent=True)

    assert second.child_id == first.child_id
    assert Child.objects.count() == 1 and Guardianship.objects.count() == 1


def test_merging_a_walk_in_leaves_the_providers_link_pending(staff, group, operator, parent,
                                                             city):
    original = add_child(parent)
    filed = children.enrol_walk_in(staff, child_data(city), group,
                                   {"email": "own@example.org", "last_name": "Своя",
                                    "first_name": "Анна"}, consent=True)
    typed = User.objects.get(email="own@example.org")
    assert selectors.is_guardian(typed, filed.child)

    children.merge_children(operator, original, filed.child, "Один ребёнок")

    assert Application.objects.get(pk=filed.pk).child_id == original.pk
    assert selectors.is_guardian(parent, original)
    assert not selectors.is_guardian(typed, original)
    assert Guardianship.objects.get(parent=typed).confirmed_at is None
    assert audit.timeline(original).last().data["unconfirmed_guardians"] == [typed.pk]


def test_merge_keeping_the_walk_in_record_leaves_the_real_parent_confirmed(
        staff, group, operator, parent, city):
    original = add_child(parent)
    filed = children.enrol_walk_in(staff, child_data(city), group,
                                   {"email": parent.email, "last_name": "Смирнова",
                                    "first_name": "Ольга"}, consent=True)
    children.accept_walk_in(parent, Guardianship.objects.get(child=filed.child))

    kept = children.merge_children(operator, filed.child, original, "Один ребёнок")

    link = Guardianship.objects.get(child=kept)
    assert (link.parent, link.confirmed_by) == (parent, parent)
    assert selectors.is_guardian(parent, kept)
    assert "unconfirmed_guardians" not in audit.timeline(kept).last().data


def test_providers_see_only_confirmed_guardians(client, staff, group, parent, other_parent,
                                                city):
    other_parent.phone = "+7 900 999-88-77"
    other_parent.save()
    child = add_child(parent)
    children.register_child(other_parent, child_data(city), consent=True)  # pending
    application, _created = services.submit_application(parent, child, group)
    client.force_login(staff)

    page = text(client.get(reverse("enrollment:office_application", args=[application.pk])))

    assert parent.email in page
    assert other_parent.email not in page and "999-88-77" not in page


# --- СНИЛС and birth dates -------------------------------------------------------------


def test_snils_of_another_family_answers_the_same_for_any_birth_date(parent, other_parent,
                                                                     city):
    original = add_child(parent, snils=snils(123456789))
    api = ApiClient(other_parent)
    body = {**child_data(city, snils=snils(123456789)), "municipality": city.pk, "consent": True}

    wrong = api.post("/children", {**body, "birth_date": (original.birth_date
                                                          - dt.timedelta(days=3)).isoformat()})
    right = api.post("/children", {**body, "birth_date": original.birth_date.isoformat()})

    assert (wrong.status_code, wrong.json()) == (right.status_code, right.json())
    assert right.status_code == 202
    assert api.get("/children").json() == {"count": 0, "items": []}
    # only the matching birth date leaves a link for the МОЦ to check
    assert list(Guardianship.objects.filter(parent=other_parent).values_list(
        "child", "confirmed_at")) == [(original.pk, None)]
    assert Child.objects.count() == 1


def test_the_cabinet_page_answers_the_same_for_any_birth_date(client, parent, other_parent,
                                                              city):
    original = add_child(parent, snils=snils(123456789))
    client.force_login(other_parent)
    post = {"last_name": "Смирнова", "first_name": "Алёна", "patronymic": "Игоревна",
            "sex": "female", "municipality": str(city.pk), "snils": snils(123456789),
            "consent": "on"}

    wrong = client.post(reverse("enrollment:child_add"), {
        **post, "birth_date": (original.birth_date - dt.timedelta(days=3)).isoformat()})
    wrong_page = client.get(wrong["Location"])
    right = client.post(reverse("enrollment:child_add"), {
        **post, "birth_date": original.birth_date.isoformat()})
    right_page = client.get(right["Location"])

    assert (wrong.status_code, wrong["Location"]) == (right.status_code, right["Location"])
    assert notes(wrong_page) == notes(right_page) == [
        "Ребёнок с такими данными уже есть в системе. Муниципальный опорный центр проверит, "
        "что вы его законный представитель, и ребёнок появится в вашем кабинете; возможно, "
        "вас попросят показать документы."]
    assert text(wrong_page) == text(right_page)


def test_claims_of_other_families_children_are_throttled(settings, parent, other_parent, city):
    settings.OPORA_CHILD_CLAIMS_PER_DAY = 3
    original = add_child(parent, snils=snils(123456789))
    api = ApiClient(other_parent)
    body = {**child_data(city, snils=snils(123456789)), "municipality": city.pk, "consent": True}
    answers = [api.post("/children", {**body, "birth_date": (
        original.birth_date - dt.timedelta(days=d)).isoformat()}).status_code
        for d in (1, 2, 3, 0)]

    assert answers == [202, 202, 202, 429]
    refused = api.post("/children", _fresh(city))
    assert (refused.status_code, refused.json()["code"]) == (429, "Throttled")
    assert refused.json()["detail"].startswith("Слишком много запросов")
    assert not Guardianship.objects.filter(parent=other_parent).exists()
    assert Child.objects.count() == 1


def _fresh(city, **kw):
    return {**child_data(city, last_name="Новикова", **kw), "birth_date": born(6).isoformat(),
            "municipality": city.pk, "consent": True}


def test_the_throttle_counts_a_day_and_one_account(settings, parent, other_parent, city):
    settings.OPORA_CHILD_CLAIMS_PER_DAY = 1
    add_child(parent)
    children.register_child(other_parent, child_data(city), consent=True)
    with pytest.raises(Throttled):
        children.register_child(other_parent, child_data(city, first_name="Вера"), consent=True)

    # a day later the account may try again; another account was never limited
    AuditEvent.objects.filter(actor=other_parent).update(
        created_at=timezone.now() - dt.timedelta(hours=24, minutes=1))
    children.register_child(other_parent, child_data(city, first_name="Вера"), consent=True)
    third = f.user(Role.PARENT, municipality=city)
    children.register_child(third, child_data(city), consent=True)


def test_new_children_are_throttled_too(settings, parent, city):
    settings.OPORA_CHILDREN_PER_DAY = 2
    add_child(parent, first_name="Первая")
    add_child(parent, first_name="Вторая")

    with pytest.raises(Throttled) as err:
        add_child(parent, first_name="Третья")
    assert err.value.message.startswith("Слишком много запросов")
    assert Child.objects.count() == 2


def test_throttled_cabinet_form_shows_the_message(client, settings, parent, city):
    settings.OPORA_CHILDREN_PER_DAY = 1
    add_child(parent, first_name="Первая")
    client.force_login(parent)

    response = client.post(reverse("enrollment:child_add"), {
        "last_name": "Смирнова", "first_name": "Вторая", "patronymic": "",
        "birth_date": born(7).isoformat(), "sex": "female", "municipality": str(city.pk),
        "snils": "", "consent": "on"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()[0].startswith("Слишком много запросов")
    assert Child.objects.count() == 1
