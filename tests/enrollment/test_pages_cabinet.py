"""The parent's cabinet through its pages: children with the consent, the neutral link to
an existing record, corrections, applications with positions and a history without staff
names, withdrawal; another family's ids are 404, other roles are refused."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opora.accounts.models import Role
from opora.enrollment import services
from opora.enrollment.models import Application, Child, ConsentChannel, Guardianship
from opora.enrollment.models import ApplicationStatus as S
from tests import factories as f
from tests.enrollment.conftest import add_child, born


def text(response) -> str:
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def child_post(municipality, **overrides):
    data = {"last_name": "Смирнова", "first_name": "Алёна", "patronymic": "Игоревна",
            "birth_date": born(10).isoformat(), "sex": "female",
            "municipality": str(municipality.pk), "snils": "", "consent": "on"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def parent_client(client, parent):
    client.force_login(parent)
    return client


@pytest.fixture
def unconfirmed(city):
    return f.user(Role.PARENT, municipality=city, email="new.parent@example.org",
                  email_confirmed_at=None)


# --- children ------------------------------------------------------------------------


def test_cabinet_lists_the_parents_children_with_live_applications(parent_client, parent, child,
                                                                   group):
    services.submit_application(parent, child, group)
    add_child(parent, first_name="Борис", sex="male")

    response = parent_client.get(reverse("enrollment:cabinet"))

    assert response.status_code == 200
    page = text(response)
    assert "Смирнова Алёна Игоревна" in page and "Смирнова Борис Игоревна" in page
    assert [c.live_applications for c in response.context["children"]] == [1, 0]
    assert f'href="{reverse("enrollment:child_add")}"' in response.content.decode()


def test_parent_menu_leads_to_children_and_applications(parent_client):
    html = parent_client.get(reverse("enrollment:cabinet")).content.decode()

    nav = re.search(r'<nav class="office-nav" aria-label="Разделы кабинета">(.*?)</nav>', html,
                    re.S).group(1)
    assert f'<a href="{reverse("enrollment:cabinet")}" aria-current="page">Мои дети</a>' in nav
    assert f'<a href="{reverse("enrollment:applications")}">Заявки</a>' in nav


def test_add_child_form_shows_the_consent_text_and_checkbox(parent_client, city):
    html = parent_client.get(reverse("enrollment:child_add")).content.decode()

    assert "152-ФЗ «О персональных данных»" in html
    assert ('<input type="checkbox" name="consent" aria-describedby="consent-text" '
            'id="id_consent">') in html
    assert '<label for="id_last_name">Фамилия:</label>' in html


def test_parent_adds_a_child_with_consent(parent_client, parent, city):
    response = parent_client.post(reverse("enrollment:child_add"), child_post(
        city, snils="112-233-445 95", is_rural="on"))

    assert response.status_code == 302 and response["Location"] == reverse("enrollment:cabinet")
    child = Child.objects.get()
    assert (child.full_name, child.snils, child.is_rural, child.municipality) == (
        "Смирнова Алёна Игоревна", "11223344595", True, city)
    link = Guardianship.objects.get()
    assert (link.parent, link.consent_channel) == (parent, ConsentChannel.PARENT)


def test_child_is_not_kept_without_consent(parent_client, city):
    response = parent_client.post(reverse("enrollment:child_add"), child_post(city, consent=None))

    assert response.status_code == 200
    assert response.context["form"].errors == {"consent": [
        "Без согласия на обработку персональных данных сведения о ребёнке сохранить нельзя."]}
    assert (Child.objects.count(), Guardianship.objects.count()) == (0, 0)


def test_bad_snils_is_shown_next_to_its_field(parent_client, city):
    response = parent_client.post(reverse("enrollment:child_add"),
                                  child_post(city, snils="112-233-445 96"))

    assert response.context["form"].errors == {"snils": ["Неверная контрольная сумма СНИЛС."]}
    assert Child.objects.count() == 0


def test_existing_child_waits_for_the_support_centre_with_a_neutral_message(
        parent_client, parent, city):
    other = f.user(Role.PARENT, municipality=city, email="first.family@example.org",
                   last_name="Кузнецова", first_name="Ирина", phone="+7 900 111-22-33")
    existing = add_child(other)

    response = parent_client.post(reverse("enrollment:child_add"), child_post(city), follow=True)

    page = text(response)
    assert "Ребёнок с такими данными уже есть в системе. Муниципальный опорный центр проверит" in page
    for secret in ("first.family@example.org", "Кузнецова", "Ирина", "111-22-33",
                   existing.first_name):
        assert secret not in page
    assert Child.objects.count() == 1
    assert set(existing.guardianships.values_list("parent", flat=True)) == {other.pk, parent.pk}


def test_adding_a_child_returns_to_the_apply_page(parent_client, city, group):
    apply_url = reverse("enrollment:apply", args=[group.pk])

    response = parent_client.post(reverse("enrollment:child_add"),
                                  child_post(city, next=apply_url))

    assert response["Location"] == apply_url


def test_parent_corrects_a_childs_card(parent_client, child):
    response = parent_client.post(reverse("enrollment:child_edit", args=[child.uuid]),
                                  child_post(child.municipality, first_name="Елена",
                                             birth_date=child.birth_date.isoformat(),
                                             consent=None))

    assert response.status_code == 302
    child.refresh_from_db()
    assert child.first_name == "Елена"


def test_edit_form_shows_the_card_without_the_consent(parent_client, child):
    response = parent_client.get(reverse("enrollment:child_edit", args=[child.uuid]))

    assert response.context["form"]["first_name"].value() == "Алёна"
    assert 'name="consent"' not in response.content.decode()


def test_another_familys_child_is_not_found(client, other_parent, child):
    client.force_login(other_parent)

    get = client.get(reverse("enrollment:child_edit", args=[child.uuid]))
    post = client.post(reverse("enrollment:child_edit", args=[child.uuid]),
                       child_post(child.municipality, first_name="Чужая", consent=None))

    assert (get.status_code, post.status_code) == (404, 404)
    child.refresh_from_db()
    assert child.first_name == "Алёна"


# --- unconfirmed e-mail --------------------------------------------------------------


def test_unconfirmed_parent_sees_the_banner_and_cannot_add_a_child(client, unconfirmed, city):
    client.force_login(unconfirmed)

    cabinet = client.get(reverse("enrollment:cabinet"))
    form = client.get(reverse("enrollment:child_add"))
    post = client.post(reverse("enrollment:child_add"), child_post(city))

    assert "Подтвердите e-mail" in text(cabinet)
    assert f'action="{reverse("accounts:resend_confirmation")}"' in cabinet.content.decode()
    assert "Отправить письмо ещё раз" in text(cabinet)
    assert f'href="{reverse("enrollment:child_add")}"' not in cabinet.content.decode()
    assert (form.status_code, post.status_code) == (403, 403)
    assert "Сначала подтвердите e-mail" in text(post)
    assert Child.objects.count() == 0


# --- who may open the cabinet --------------------------------------------------------


@pytest.mark.parametrize("persona", ["staff", "operator", "regional"])
def test_back_office_accounts_have_no_cabinet(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    for name in ("enrollment:cabinet", "enrollment:child_add", "enrollment:applications"):
        assert client.get(reverse(name)).status_code == 403


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(reverse("enrollment:cabinet"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse('enrollment:cabinet')}"


# --- applications --------------------------------------------------------------------


@pytest.fixture
def full(group, family):
    """The group's 2 seats taken by other families."""
    return [services.submit_application(p, c, group)[0] for p, c in family(2)]


def test_applications_show_status_program_organization_and_position(parent_client, parent, child,
                                                                    group, full):
    services.submit_application(parent, child, group)

    response = parent_client.get(reverse("enrollment:applications"))

    page = text(response)
    assert "Робототехника" in page and "Роботы-1" in page
    assert group.module.program.organization.short_name in page
    assert '<span class="badge app-waitlisted">В очереди</span>' in response.content.decode()
    assert "место в очереди № 1" in page
    assert "Фамилия0" not in page  # the other families' children


def test_application_list_runs_the_same_queries_for_3_and_30_rows(parent_client, parent, group,
                                                                 settings):
    settings.OPORA_PAGE_SIZE = 50
    counts = []
    for size in (3, 27):
        for n in range(size):
            kid = add_child(parent, first_name=f"Ребёнок{len(counts)}-{n}")
            services.submit_application(parent, kid, group)
        with CaptureQueriesContext(connection) as queries:
            response = parent_client.get(reverse("enrollment:applications"))
        assert len(response.context["page"].object_list) == (3 if not counts else 30)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_new_application_page_says_the_seat_is_booked(parent_client, parent, child, group):
    application = services.submit_application(parent, child, group)[0]

    response = parent_client.get(reverse("enrollment:application", args=[application.uuid]))

    assert re.search(r"<h1>\s*Место забронировано\s*</h1>", response.content.decode())
    assert "Организация рассмотрит заявку" in text(response)


def test_history_shows_steps_and_reasons_without_staff_names(parent_client, parent, child, group,
                                                            staff, full):
    staff.last_name, staff.first_name = "Иванова", "Ольга"
    staff.save()
    application = services.submit_application(parent, child, group)[0]
    services.reject_application(staff, full[0], "Другой ребёнок")  # our child takes the seat
    services.confirm_application(staff, application)

    response = parent_client.get(reverse("enrollment:application", args=[application.uuid]))

    assert [(s["label"], s["status"], s["by_you"]) for s in response.context["steps"]] == [
        ("Заявка подана и поставлена в очередь", "В очереди", True),
        ("Освободилось место: заявка вышла из очереди", "Новая", False),
        ("Заявка подтверждена организацией", "Обучается", False),
    ]
    page = text(response)
    assert "Иванова" not in page and "Другой ребёнок" not in page
    assert re.search(r"<h1>\s*Заявка: Обучается\s*</h1>", response.content.decode())
    assert "Отозвать заявку" not in page


def test_rejection_reason_is_shown_to_the_family(parent_client, parent, child, group, staff):
    application = services.submit_application(parent, child, group)[0]
    services.reject_application(staff, application, "Группа для продолжающих")

    response = parent_client.get(reverse("enrollment:application", args=[application.uuid]))

    assert "Причина: Группа для продолжающих" in text(response)
    assert response.context["steps"][-1]["reason"] == "Группа для продолжающих"


def test_parent_withdraws_and_the_seat_goes_to_the_first_in_line(parent_client, parent, child,
                                                                 group, family):
    application = services.submit_application(parent, child, group)[0]
    others = [services.submit_application(p, c, group)[0] for p, c in family(2)]

    response = parent_client.post(reverse("enrollment:withdraw", args=[application.uuid]),
                                  {"reason": "Переезжаем"})

    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.reason) == (S.WITHDRAWN, "Переезжаем")
    assert [Application.objects.get(pk=a.pk).status for a in others] == [S.NEW, S.NEW]


def test_withdraw_needs_a_post(parent_client, parent, child, group):
    application = services.submit_application(parent, child, group)[0]

    response = parent_client.get(reverse("enrollment:withdraw", args=[application.uuid]))

    assert response.status_code == 405
    application.refresh_from_db()
    assert application.status == S.NEW


def test_another_familys_application_is_not_found(client, other_parent, parent, child, group):
    application = services.submit_application(parent, child, group)[0]
    client.force_login(other_parent)

    detail = client.get(reverse("enrollment:application", args=[application.uuid]))
    withdraw = client.post(reverse("enrollment:withdraw", args=[application.uuid]))

    assert (detail.status_code, withdraw.status_code) == (404, 404)
    application.refresh_from_db()
    assert application.status == S.NEW
