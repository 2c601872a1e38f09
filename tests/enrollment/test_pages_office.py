"""The provider's applications through the pages: the list with filters and a fixed number
of queries, bulk actions all or nothing, one application with the child and the history,
walk-ins; another organization's applications are 404, parents are refused."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opora.accounts.models import Role, User
from opora.enrollment import services
from opora.enrollment.models import Application, Child, ConsentChannel, Guardianship
from opora.enrollment.models import ApplicationStatus as S
from opora.registry.choices import ProgramStatus
from tests import factories as f
from tests.enrollment.conftest import add_child, born, open_group

LIST = "/office/applications/"


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def notes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def statuses(applications):
    return [Application.objects.get(pk=a.pk).status for a in applications]


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def full(group, family):
    """Two seats taken, one child in line."""
    return [services.submit_application(p, c, group)[0] for p, c in family(3)]


@pytest.fixture
def foreign(other_provider, district):
    """An application to another organization's group."""
    program = f.program(other_provider, status=ProgramStatus.PUBLISHED, title="Шахматы")
    parent = f.user(Role.PARENT, municipality=district)
    return services.submit_application(parent, add_child(parent, last_name="Чужих"),
                                       open_group(program))[0]


def _process(client, ids, action, **extra):
    return client.post(reverse("enrollment:office_process"),
                       {"ids": [str(i) for i in ids], "action": action, **extra})


# --- the list ------------------------------------------------------------------------


def test_staff_see_their_organizations_applications_only(staff_client, full, foreign):
    response = staff_client.get(reverse("enrollment:office_applications"))

    assert [a.pk for a in response.context["page"]] == [a.pk for a in reversed(full)]
    page = text(response)
    assert "Найдено заявок: 3." in page and "Фамилия0 Ребёнок0 Игоревна" in page
    assert "Чужих" not in page
    assert "в очереди № 1" in page


def test_staff_menu_has_the_applications_section(staff_client):
    html = staff_client.get(reverse("enrollment:office_applications")).content.decode()

    assert (f'<a href="{reverse("enrollment:office_applications")}" aria-current="page">'
            f'Заявки</a>') in html


@pytest.mark.parametrize(("query", "expected"), [
    ({"status": "waitlisted"}, [2]),
    ({"q": "фамилия1"}, [1]),
    ({"q": "ФАМИЛИЯ0 ребенок0"}, [0]),
])
def test_filters_narrow_the_list(staff_client, full, query, expected):
    response = staff_client.get(reverse("enrollment:office_applications"), query)

    assert [a.pk for a in response.context["page"]] == [full[i].pk for i in expected]


def test_filter_by_program_group_and_date(staff_client, staff, full, published, provider, family):
    other_program = f.program(provider, status=ProgramStatus.PUBLISHED, title="Танцы")
    other_group = open_group(other_program, name="Танцы-1")
    (p, c), = family(1)
    dancing = services.submit_application(p, c, other_group)[0]
    today = timezone.localdate()

    by_program = staff_client.get(LIST, {"program": other_program.pk})
    by_group = staff_client.get(LIST, {"group": full[0].group_id})
    by_date = staff_client.get(LIST, {"created_from": (today + dt.timedelta(days=1)).isoformat()})
    today_only = staff_client.get(LIST, {"created_from": today.isoformat(),
                                         "created_to": today.isoformat()})

    assert [a.pk for a in by_program.context["page"]] == [dancing.pk]
    assert {a.pk for a in by_group.context["page"]} == {a.pk for a in full}
    assert list(by_date.context["page"]) == []
    assert len(today_only.context["page"]) == 4


def test_reversed_dates_are_explained_next_to_the_field(staff_client, full):
    response = staff_client.get(LIST, {"created_from": "2030-02-01", "created_to": "2030-01-01"})

    assert response.context["form"].errors == {
        "created_to": ["Дата «по» не может быть раньше даты «с»."]}
    assert len(response.context["page"]) == 3  # the filter is ignored, the list stays


def test_list_runs_the_same_queries_for_3_and_30_rows(staff_client, group, family, settings):
    settings.OPORA_PAGE_SIZE = 50
    counts = []
    for size in (3, 27):
        for p, c in family(size, patronymic=f"Партия{size}"):
            services.submit_application(p, c, group)
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(LIST)
        assert len(response.context["page"].object_list) == (3 if not counts else 30)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- bulk actions --------------------------------------------------------------------


def test_bulk_confirm_enrols_the_chosen_children(staff_client, full):
    response = _process(staff_client, [full[0].pk, full[1].pk], "confirm",
                        next=f"{LIST}?status=new")

    assert response.status_code == 302 and response["Location"] == f"{LIST}?status=new"
    assert statuses(full) == [S.ENROLLED, S.ENROLLED, S.WAITLISTED]
    assert notes(response) == ["Подтверждено заявок: 2."]


def test_bulk_action_is_all_or_nothing(staff_client, full):
    response = _process(staff_client, [full[0].pk, full[2].pk], "confirm")

    assert statuses(full) == [S.NEW, S.NEW, S.WAITLISTED]
    assert notes(response) == [
        f"Заявка № {full[2].pk}: Заявку в статусе «В очереди» нельзя подтвердить.",
        "Ни одна из отмеченных заявок (2) не изменена."]


def test_bulk_reject_needs_a_reason(staff_client, full):
    response = _process(staff_client, [full[0].pk], "reject", reason="  ")

    assert statuses(full) == [S.NEW, S.NEW, S.WAITLISTED]
    assert notes(response) == ["Укажите причину."]


def test_bulk_reject_with_a_reason_promotes_the_first_in_line(staff_client, full):
    _process(staff_client, [full[0].pk], "reject", reason="Нет медицинской справки")

    assert statuses(full) == [S.REJECTED, S.NEW, S.NEW]
    assert Application.objects.get(pk=full[0].pk).reason == "Нет медицинской справки"


def test_another_organizations_application_cannot_be_processed(staff_client, full, foreign):
    response = _process(staff_client, [full[0].pk, foreign.pk], "reject", reason="Чужая")

    assert statuses([full[0], foreign]) == [S.NEW, S.NEW]
    assert notes(response) == [
        "Некоторые заявки не найдены или относятся к другой организации.",
        "Ни одна из отмеченных заявок (2) не изменена."]


def test_nothing_chosen_is_explained(staff_client, full):
    response = _process(staff_client, [], "confirm")

    assert notes(response) == ["Выберите хотя бы одну заявку."]
    assert statuses(full) == [S.NEW, S.NEW, S.WAITLISTED]


def test_next_outside_the_site_is_not_followed(staff_client, full):
    response = _process(staff_client, [full[0].pk], "confirm", next="https://evil.example/")

    assert response["Location"] == LIST


# --- one application -----------------------------------------------------------------


def test_application_page_shows_the_child_guardians_and_history(staff_client, staff, parent, child,
                                                               group):
    parent.phone = "+7 900 555-44-33"
    parent.save()
    application = services.submit_application(parent, child, group)[0]
    services.confirm_application(staff, application)

    response = staff_client.get(reverse("enrollment:office_application", args=[application.pk]))

    page = text(response)
    assert f"Заявка № {application.pk}" in page and "Обучается" in page
    assert "Смирнова Алёна Игоревна" in page and child.birth_date.strftime("%d.%m.%Y") in page
    assert "+7 900 555-44-33" in page and parent.email in page
    assert "Родитель в личном кабинете" in page
    assert "Заявка подтверждена организацией" in page
    assert response.context["actions"] == {"expel", "complete"}


def test_staff_expel_from_the_application_page_with_a_date(staff_client, staff, full):
    services.confirm_application(staff, full[0])
    page = reverse("enrollment:office_application", args=[full[0].pk])
    today = timezone.localdate()

    response = _process(staff_client, [full[0].pk], "expel", reason="Переезд",
                        on_date=today.isoformat(), next=page)

    assert response["Location"] == page
    expelled = Application.objects.get(pk=full[0].pk)
    assert (expelled.status, expelled.reason, expelled.ended_on) == (S.EXPELLED, "Переезд", today)
    assert statuses(full[1:]) == [S.NEW, S.NEW]


def test_expel_date_before_the_application_is_refused(staff_client, staff, full):
    services.confirm_application(staff, full[0])
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    response = _process(staff_client, [full[0].pk], "expel", reason="Переезд",
                        on_date=yesterday.isoformat())

    assert notes(response) == [
        f"Заявка № {full[0].pk}: Дата не может быть раньше подачи заявки."]
    assert statuses(full) == [S.ENROLLED, S.NEW, S.WAITLISTED]


def test_another_organizations_application_is_not_found(staff_client, foreign):
    response = staff_client.get(reverse("enrollment:office_application", args=[foreign.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["parent", "operator", "authority", "regional"])
def test_only_provider_staff_open_the_applications(client, request, persona, full):
    client.force_login(request.getfixturevalue(persona))

    for url in (LIST, reverse("enrollment:office_application", args=[full[0].pk]),
                reverse("enrollment:walk_in")):
        assert client.get(url).status_code == 403
    assert _process(client, [full[0].pk], "confirm").status_code == 403
    assert statuses(full) == [S.NEW, S.NEW, S.WAITLISTED]


# --- walk-ins ------------------------------------------------------------------------


def walk_in_post(group, municipality, **overrides):
    data = {"group": str(group.pk), "last_name": "Орлов", "first_name": "Миша",
            "patronymic": "Андреевич", "birth_date": born(9).isoformat(), "sex": "male",
            "municipality": str(municipality.pk), "snils": "",
            "parent_last_name": "Орлова", "parent_first_name": "Анна",
            "parent_patronymic": "", "parent_phone": "+7 900 000-00-01",
            "parent_email": "Anna.Orlova@example.org", "consent": "on"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_staff_enrol_a_walk_in_child(staff_client, staff, group, city):
    response = staff_client.post(reverse("enrollment:walk_in"), walk_in_post(group, city))

    application = Application.objects.get()
    assert response["Location"] == reverse("enrollment:office_application", args=[application.pk])
    assert (application.status, application.channel, application.child.full_name) == (
        S.ENROLLED, "provider", "Орлов Миша Андреевич")
    parent = User.objects.get(email="anna.orlova@example.org")
    link = Guardianship.objects.get(parent=parent)
    assert (link.consent_by, link.consent_channel) == (staff, ConsentChannel.PROVIDER)
    assert notes(response) == ["Заявка записана: Обучается."]


def test_walk_in_into_a_full_group_is_told_the_place_in_line(staff_client, group, full, city):
    response = staff_client.post(reverse("enrollment:walk_in"), walk_in_post(group, city))

    assert notes(response) == ["Свободных мест нет: ребёнок в очереди, место № 2."]


def test_walk_in_without_consent_keeps_nothing(staff_client, group, city):
    response = staff_client.post(reverse("enrollment:walk_in"),
                                 walk_in_post(group, city, consent=None))

    assert response.status_code == 200
    assert response.context["form"].errors == {"consent": [
        "Без согласия на обработку персональных данных сведения о ребёнке сохранить нельзя."]}
    assert (Child.objects.count(), Application.objects.count(),
            User.objects.filter(email="anna.orlova@example.org").count()) == (0, 0, 0)


def test_walk_in_refusal_by_a_gate_is_shown_on_the_form(staff_client, group, city):
    response = staff_client.post(reverse("enrollment:walk_in"), walk_in_post(
        group, city, birth_date=born(3, group.start_date).isoformat()))

    assert response.context["form"].non_field_errors()[0].startswith("На ")
    assert (Child.objects.count(), Application.objects.count()) == (0, 0)


def test_walk_in_offers_only_the_organizations_running_groups(staff_client, group, foreign,
                                                             published):
    finished = open_group(published, name="Прошлогодняя",
                          start_date=timezone.localdate() - dt.timedelta(days=300),
                          end_date=timezone.localdate() - dt.timedelta(days=1))

    response = staff_client.get(reverse("enrollment:walk_in") + f"?group={group.pk}")

    choices = list(response.context["form"].fields["group"].queryset)
    assert choices == [group] and finished not in choices
    assert response.context["form"]["group"].value() == group.pk


def test_another_organizations_group_cannot_be_posted(staff_client, foreign, city):
    response = staff_client.post(reverse("enrollment:walk_in"),
                                 walk_in_post(foreign.group, city))

    assert "group" in response.context["form"].errors
    assert Application.objects.count() == 1  # the foreign one only
