"""The apply page of a group: facts and seats for everyone, the choice of a child for a
confirmed parent, each gate's refusal before submitting, the result, and a second press
that finds the first application."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from opora.accounts.models import Role
from opora.enrollment import services
from opora.enrollment.models import Application
from opora.enrollment.models import ApplicationStatus as S
from opora.registry.choices import ProgramStatus
from tests import factories as f
from tests.enrollment.conftest import add_child, born, open_group


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def h1(response) -> str:
    return " ".join(re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S).group(1).split())


def url(group):
    return reverse("enrollment:apply", args=[group.pk])


@pytest.fixture
def parent_client(client, parent):
    client.force_login(parent)
    return client


def test_anyone_sees_the_group_seats_and_is_asked_to_sign_in(client, group, family):
    services.submit_application(*family(1)[0], group)

    response = client.get(url(group))

    assert response.status_code == 200
    page = text(response)
    assert h1(response) == "Робототехника"
    assert "Роботы-1" in page and group.module.program.organization.short_name in page
    assert "Свободно мест: 1 из 2." in page
    assert "Пн, Ср 15:00–16:30" in page
    html = response.content.decode()
    assert f'href="{reverse("accounts:login")}?next=/enrol/{group.pk}/"' in html
    assert f'href="{reverse("accounts:register")}?next=/enrol/{group.pk}/"' in html
    assert 'name="child"' not in html


def test_full_group_shows_the_waiting_list(client, group, family):
    for p, c in family(3):
        services.submit_application(p, c, group)

    page = text(client.get(url(group)))

    assert "Свободно мест: 0 из 2." in page and "В очереди 1 заявка." in page
    assert "Новая заявка встанет в очередь" in page


def test_anonymous_post_goes_to_login_and_files_nothing(client, group):
    response = client.post(url(group), {"child": "x"})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url(group)}"
    assert Application.objects.count() == 0


def test_a_group_outside_the_navigator_is_not_found(client, provider):
    draft = open_group(f.program(provider, status=ProgramStatus.INITIAL))

    assert client.get(url(draft)).status_code == 404


def test_parent_chooses_a_child_and_books_a_seat(parent_client, parent, child, group):
    form = parent_client.get(url(group))
    assert f'type="radio" name="child" value="{child.uuid}"' in form.content.decode()

    response = parent_client.post(url(group), {"child": str(child.uuid)})

    application = Application.objects.get()
    assert (application.child, application.group, application.status) == (child, group, S.NEW)
    assert response["Location"] == reverse("enrollment:application", args=[application.uuid])
    assert h1(parent_client.get(response["Location"])) == "Место забронировано"


def test_in_a_full_group_the_parent_is_told_the_place_in_line(parent_client, parent, child, group,
                                                             family):
    for p, c in family(2):
        services.submit_application(p, c, group)

    response = parent_client.post(url(group), {"child": str(child.uuid)}, follow=True)

    assert h1(response) == "Вы в очереди, место № 1"
    assert Application.objects.get(child=child).status == S.WAITLISTED


def test_a_second_press_returns_the_first_application(parent_client, child, group):
    first = parent_client.post(url(group), {"child": str(child.uuid)})
    second = parent_client.post(url(group), {"child": str(child.uuid)})

    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert Application.objects.count() == 1


def test_already_applied_child_is_shown_with_its_application(parent_client, parent, child, group):
    application = services.submit_application(parent, child, group)[0]

    response = parent_client.get(url(group))

    html = response.content.decode()
    assert "Смирнова Алёна Игоревна: заявка уже подана (Новая)." in text(response)
    assert reverse("enrollment:application", args=[application.uuid]) in html
    assert 'name="child"' not in html


def test_child_of_the_wrong_age_is_told_why_before_submitting(parent_client, parent, group):
    add_child(parent, birth_date=born(3, group.start_date))

    response = parent_client.get(url(group))

    page = text(response)
    assert (f"Смирнова Алёна Игоревна: На {group.start_date:%-d} " in page
            and "ребёнку будет 3 года, а в группу принимают детей от 7 лет до 14 лет." in page)
    assert response.context["can_submit"] is False
    assert 'name="child"' not in response.content.decode()


def test_a_refused_submission_shows_the_gate_and_files_nothing(parent_client, parent, group):
    young = add_child(parent, birth_date=born(3, group.start_date))

    response = parent_client.post(url(group), {"child": str(young.uuid)})

    assert response.status_code == 200
    assert response.context["errors"][0].startswith("На ")
    assert Application.objects.count() == 0


def test_the_parent_chooses_among_eligible_children_only(parent_client, parent, child, group):
    add_child(parent, first_name="Малыш", birth_date=born(3, group.start_date))

    response = parent_client.get(url(group))

    assert response.context["form"].fields["child"].choices == [
        (str(child.uuid), "Смирнова Алёна Игоревна")]


def test_closed_enrolment_is_explained_and_offers_no_button(parent_client, child, group):
    group.enrolment_open = False
    group.save()

    response = parent_client.get(url(group))

    assert "Запись в эту группу закрыта." in text(response)
    assert 'name="child"' not in response.content.decode()


def test_enrolment_not_open_yet_names_the_moment(client, published):
    later = open_group(published, enrolment_from=timezone.now() + dt.timedelta(days=2))

    assert "Запись в группу откроется" in text(client.get(url(later)))


def test_another_familys_child_cannot_be_posted(parent_client, other_parent, group):
    stranger = add_child(other_parent, first_name="Чужой")

    response = parent_client.post(url(group), {"child": str(stranger.uuid)})

    assert response.status_code == 200
    assert response.context["errors"] == ["Выберите ребёнка из списка."]
    assert Application.objects.count() == 0


def test_parent_without_children_is_offered_to_add_one(parent_client, group):
    html = parent_client.get(url(group)).content.decode()

    assert f'href="{reverse("enrollment:child_add")}?next=/enrol/{group.pk}/"' in html


def test_unconfirmed_parent_sees_the_banner_and_cannot_apply(client, city, group):
    newcomer = f.user(Role.PARENT, municipality=city, email_confirmed_at=None)
    client.force_login(newcomer)

    page = client.get(url(group))
    post = client.post(url(group), {"child": "00000000-0000-0000-0000-000000000000"})

    assert "Подтвердите e-mail" in text(page) and 'name="child"' not in page.content.decode()
    assert post.status_code == 403
    assert Application.objects.count() == 0


def test_back_office_user_reads_the_page_but_cannot_apply(client, staff, group):
    client.force_login(staff)

    page = client.get(url(group))
    post = client.post(url(group), {"child": "00000000-0000-0000-0000-000000000000"})

    assert "Записать ребёнка может родитель в личном кабинете." in text(page)
    assert post.status_code == 403


def test_a_busy_moment_asks_to_try_again_and_files_nothing(parent_client, child, group,
                                                          monkeypatch):
    def busy(*args, **kwargs):
        raise services.Busy()

    monkeypatch.setattr(services, "submit_application", busy)

    response = parent_client.post(url(group), {"child": str(child.uuid)})

    assert response.status_code == 503
    assert response.context["errors"] == [
        "Слишком много заявок одновременно. Попробуйте ещё раз через несколько секунд."]
    assert Application.objects.count() == 0
