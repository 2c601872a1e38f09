"""The public pages: catalog, program, organization, directions; phone-first markup,
errors next to fields, a fixed number of queries, nothing hidden, nothing personal."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opora.accounts.models import Role
from opora.navigator import index
from tests import factories as f
from tests.navigator.conftest import add_group


def text(response):
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_home_shows_search_filters_and_every_public_program(client, catalog):
    response = client.get(reverse("navigator:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="q">' in html and 'id="q" name="q"' in html
    assert '<details class="catalog-filters"' in html and 'name="age"' in html
    assert "Найдено программ: 6" in text(response)
    for program in catalog.public:
        assert program.title in html
    for program in catalog.hidden:
        assert program.title not in html


def test_search_from_the_url_shows_matches_and_keeps_the_typed_text(client, catalog):
    response = client.get(reverse("navigator:home"), {"q": "робот", "age": "12"})
    html = response.content.decode()
    assert 'value="робот"' in html
    assert "Найдено программ: 2" in text(response)
    assert "Клуб юных роботов" in html and "Танцевальная" not in html.split('id="results"')[1]


def test_bad_filter_value_is_explained_next_to_its_field_and_ignored(client, catalog):
    response = client.get(reverse("navigator:home"), {"age": "десять"})
    html = response.content.decode()
    assert 'aria-invalid="true" aria-describedby="f-age-error"' in html
    assert 'id="f-age-error">Возраст — целое число лет от 3 до 18.' in html
    assert "Найдено программ: 6" in text(response)


def test_htmx_request_gets_the_results_and_fresh_filter_counts_only(client, catalog):
    response = client.get(reverse("navigator:home"), {"direction": "technical"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="results"')
    assert '<div id="filter-fields" hx-swap-oob="true">' in html
    assert '<div id="announce" hx-swap-oob="innerHTML">Найдено программ: 2</div>' in html
    assert "Найдено программ: 2" in text(response)


def test_result_card_shows_badges_price_ages_and_start(client, catalog):
    html = text(client.get(reverse("navigator:home"), {"q": "шахматы"}))
    assert "Возможно бесплатное обучение" in html
    assert "Возможно платное обучение — от 900 ₽ в месяц" in html
    assert "6–10 лет" in html and "Сельская школа" in html


def _catalog_of(size, organization):
    for n in range(size):
        program = f.program(organization, title=f"Программа {n}", status="published")
        add_group(program)


@pytest.mark.parametrize("url_name", ["navigator:home"])
def test_catalog_runs_the_same_queries_for_3_and_30_programs(client, provider, url_name,
                                                              django_assert_max_num_queries):
    counts = []
    for size in (3, 27):
        _catalog_of(size, provider)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(url_name), {"q": "программа", "page_size": 50})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(6):
        client.get(reverse(url_name), {"q": "программа", "page_size": 50, "age": 8})


def test_program_page_tells_everything_a_parent_needs(client, catalog):
    response = client.get(reverse("navigator:program", args=[catalog.chess.pk]))
    page = text(response)
    assert "<h1>Шахматы для начинающих</h1>" in response.content.decode()
    for expected in ["Возможно бесплатное обучение", "Возможно платное обучение — от 900 ₽ в месяц",
                     "Физкультурно-спортивная", "Шахматы", "Стартовый (ознакомительный)",
                     "от 6 до 10 лет", "Нарушения речи", "Летняя школа", "Пн, Ср 15:00–16:30",
                     "свободно 15 из 15", "Бюджет (бесплатно)", "Внебюджет (платно) — 900 ₽ в месяц",
                     "Сельская школа", "Записаться", "Запись в группу сейчас закрыта."]:
        assert expected in page, expected


def test_program_page_shows_enrolment_window_teachers_partners_and_contacts(client, catalog):
    group = catalog.robot_club.modules.get().groups.get()
    group.teachers.set([f.teacher(catalog.rural_provider, last_name="Кузнецова", first_name="Анна",
                                  patronymic="Сергеевна")])
    page = text(client.get(reverse("navigator:program", args=[catalog.robot_club.pk])))
    assert "Кузнецова Анна Сергеевна" in page
    assert "Запись откроется" in page
    ecology = text(client.get(reverse("navigator:program", args=[catalog.ecology.pk])))
    assert "Сетевые партнёры" in ecology and "Сельская школа" in ecology
    assert "Возможна оплата сертификатом" in ecology and "от 1 200 ₽ в месяц" in ecology
    robotics_page = client.get(reverse("navigator:program", args=[catalog.robotics.pk]))
    robotics = text(robotics_page)
    assert "+7 (900) 111-22-33" in robotics and "raduga@example.org" in robotics
    group = catalog.robotics.modules.first().groups.first()
    assert f'href="{reverse("enrollment:apply", args=[group.pk])}"' in robotics_page.content.decode()


def test_hidden_programs_have_no_page(client, catalog):
    for program in catalog.hidden:
        assert client.get(reverse("navigator:program", args=[program.pk])).status_code == 404


def test_program_page_runs_the_same_queries_for_1_and_10_groups(client, catalog, django_assert_max_num_queries):
    url = reverse("navigator:program", args=[catalog.dance.pk])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(9):
        add_group(catalog.dance, start_in_days=70 + n).teachers.set([f.teacher(catalog.provider)])
    with django_assert_max_num_queries(len(one)):
        assert "Группа" in text(client.get(url))


def test_organization_page_lists_its_public_programs(client, catalog):
    page = text(client.get(reverse("navigator:organization", args=[catalog.provider.pk])))
    assert "ДДТ «Радуга»" in page and "Программы организации: 4" in page
    assert "Робототехника: черновик" not in page and "Танцы на модерации" not in page
    assert client.get(reverse("navigator:organization", args=[catalog.inactive_provider.pk])).status_code == 404


def test_direction_pages(client, catalog):
    page = text(client.get(reverse("navigator:directions")))
    assert "Техническая" in page and "Физкультурно-спортивная" in page
    arts = text(client.get(reverse("navigator:direction", args=["arts"])))
    assert "Художественная направленность" in arts and "Танцевальная студия «Ритм»" in arts
    assert "Хореография (1)" in arts and "Танцы на модерации" not in arts
    assert client.get(reverse("navigator:direction", args=["cooking"])).status_code == 404


def test_no_parent_or_staff_personal_data_on_public_pages(client, catalog):
    parent = f.user(Role.PARENT, municipality=catalog.city, last_name="Секретова",
                    first_name="Оксана", email="secret-parent@example.org")
    pages = [reverse("navigator:home"), reverse("navigator:program", args=[catalog.robotics.pk]),
             reverse("navigator:organization", args=[catalog.provider.pk])]
    for url in pages:
        html = client.get(url).content.decode()
        assert parent.last_name not in html and parent.email not in html


def test_every_bad_parameter_gets_its_message_on_the_page(client, catalog):
    html = client.get(reverse("navigator:home"), {"payment": "cash", "sort": "price", "open": "может"}).content.decode()
    assert "Неизвестное значение «cash»; допустимые: free, certificate, paid." in html
    assert "Сортировка — одно из: relevance, start, title, distance." in html
    assert "Укажите да или нет (true или false)." in html


def test_program_page_counts_seats_held_by_applications(client, db):
    from opora.enrollment import children, services
    from tests.enrollment.conftest import child_data, open_group

    program = f.program(status="published", title="Шахматы")
    group = open_group(program, capacity_max=2)
    parent = f.user("parent", municipality=program.organization.municipality)
    child, _ = children.register_child(
        parent, child_data(program.organization.municipality), consent=True)
    services.submit_application(parent, child, group)

    page = text(client.get(reverse("navigator:program", args=[program.pk])))

    assert "свободно 1 из 2" in page


def test_a_card_says_classes_are_running_when_the_group_has_started(client, catalog):
    group = add_group(catalog.chess, start_in_days=-20)
    index.refresh(programs=[catalog.chess.pk])
    started = timezone.localdate() - dt.timedelta(days=20)
    page = text(client.get(reverse("navigator:home")))
    assert f"Занятия идут с {started.day}" in page
    assert group.start_date == started
