"""Reading the registry through the API: each role sees what the back office shows it."""

import datetime as dt

import pytest

from opora.accounts.models import Role
from opora.registry import services
from opora.registry.choices import Direction, Level
from opora.registry.choices import ProgramStatus as S
from tests import factories as f

pytestmark = pytest.mark.urls("tests.api.urls")


@pytest.fixture
def catalogue(provider, other_provider, city):
    """Programs of a provider in the city, of one in the district, and of a switched-off one."""
    switched_off = f.organization(city, is_active=False)
    return {
        "robotics": f.program(provider, title="Робототехника для начинающих"),
        "chess": f.program(provider, title="Шахматы", direction=Direction.SPORTS, status=S.PUBLISHED),
        "vocal": f.program(provider, title="Вокал", direction=Direction.ARTS, status=S.MODERATING),
        "football": f.program(other_provider, title="Футбол", direction=Direction.SPORTS,
                              status=S.PUBLISHED),
        "theatre": f.program(other_provider, title="Театр", direction=Direction.ARTS),
        "dance": f.program(switched_off, title="Хореография", direction=Direction.ARTS,
                           status=S.PUBLISHED),
    }


def _titles(response):
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


@pytest.mark.parametrize(("persona", "expected"), [
    ("staff", ["Вокал", "Робототехника для начинающих", "Футбол", "Шахматы"]),
    ("other_staff", ["Театр", "Футбол", "Шахматы"]),
    ("operator", ["Вокал", "Робототехника для начинающих", "Футбол", "Хореография", "Шахматы"]),
    ("other_operator", ["Театр", "Футбол", "Шахматы"]),
    ("authority", ["Вокал", "Робототехника для начинающих", "Футбол", "Хореография", "Шахматы"]),
    ("regional", ["Вокал", "Робототехника для начинающих", "Театр", "Футбол", "Хореография",
                  "Шахматы"]),
    ("parent", ["Футбол", "Шахматы"]),
])
def test_list_shows_each_role_its_scope(request, api, catalogue, persona, expected):
    response = api(request.getfixturevalue(persona)).get("/office/programs")

    assert _titles(response) == expected
    assert response.json()["count"] == len(expected)


def test_anonymous_visitor_gets_401_from_the_back_office_list(api, catalogue):
    response = api().get("/office/programs")

    assert response.status_code == 401
    assert response.json() == {"detail": "Войдите в систему, чтобы продолжить.", "field": None,
                               "code": "NotAuthenticated"}


def test_list_item_carries_codes_labels_and_organization(api, staff, provider):
    program = f.program(provider, title="Шахматы", direction=Direction.SPORTS,
                        levels=Level.START | Level.ADVANCED, age_min=6, age_max=12)

    item = api(staff).get("/office/programs").json()["items"][0]

    assert item == {
        "id": program.pk,
        "uuid": str(program.uuid),
        "title": "Шахматы",
        "status": "initial",
        "status_label": "Черновик",
        "direction": "sports",
        "direction_label": "Физкультурно-спортивная",
        "levels": ["start", "advanced"],
        "age_min": 6,
        "age_max": 12,
        "organization": {"id": provider.pk, "short_name": provider.short_name,
                         "municipality": {"id": provider.municipality_id, "name": "Город Тестов"}},
        "published_at": None,
        "updated_at": item["updated_at"],
    }
    assert dt.datetime.fromisoformat(item["updated_at"]) == program.updated_at


@pytest.mark.parametrize(("query", "expected"), [
    ({"status": "initial"}, ["Робототехника для начинающих"]),
    ({"status": "moderating"}, ["Вокал"]),
    ({"direction": "sports"}, ["Футбол", "Шахматы"]),
    ({"direction": "arts", "status": "published"}, ["Хореография"]),
    ({"q": "робот"}, ["Робототехника для начинающих"]),
    ({"q": "ШАХ"}, ["Шахматы"]),
    ({"q": "  "}, ["Вокал", "Робототехника для начинающих", "Футбол", "Хореография", "Шахматы"]),
    ({"q": "плавание"}, []),
])
def test_list_filters(api, operator, catalogue, query, expected):
    assert _titles(api(operator).get("/office/programs", **query)) == expected


def test_list_filters_by_organization(api, staff, other_provider, catalogue):
    # the other provider's draft stays hidden: the filter narrows the scope, never widens it
    response = api(staff).get("/office/programs", organization=other_provider.pk)

    assert _titles(response) == ["Футбол"]


def test_list_is_paginated(api, regional, catalogue):
    response = api(regional).get("/office/programs", page=2, page_size=2)

    assert _titles(response) == ["Театр", "Футбол"]
    assert response.json()["count"] == 6


def test_page_after_the_last_is_empty(api, regional, catalogue):
    response = api(regional).get("/office/programs", page=9, page_size=5)

    assert response.json() == {"count": 6, "items": []}


@pytest.mark.parametrize(("query", "field", "detail"), [
    ({"page": "abc"}, "page", "Параметр «page»: ожидается целое число."),
    ({"page": "0"}, "page", "Параметр «page»: значение должно быть не меньше 1."),
    ({"page_size": "500"}, "page_size", "Параметр «page_size»: значение должно быть не больше 100."),
    ({"organization": "первая"}, "organization", "Параметр «organization»: ожидается целое число."),
    ({"status": "draft"}, "status",
     "Параметр «status»: допустимые значения: 'initial', 'moderating', 'published', "
     "'wait_for_editing', 'archive'."),
    ({"q": "я" * 201}, "q", "Параметр «q»: слишком длинное значение (не больше 200 симв.)."),
])
def test_bad_query_parameter_is_422_naming_it(api, staff, query, field, detail):
    response = api(staff).get("/office/programs", **query)

    assert response.status_code == 422
    body = response.json()
    assert (body["detail"], body["field"], body["code"]) == (detail, field, "ValidationFailed")
    assert list(body["errors"]) == [field]


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(api, regional, provider, other_provider,
                                                  django_assert_max_num_queries, rows):
    for number in range(rows):
        f.program(provider if number % 2 else other_provider, status=S.PUBLISHED)
    client = api(regional)

    # session, user, count, page
    with django_assert_max_num_queries(4):
        response = client.get("/office/programs", page_size=100)

    assert len(_titles(response)) == rows


# --- one program ------------------------------------------------------------------------


def test_detail_shows_modules_groups_schedule_funding_and_history(api, staff, operator, program):
    teacher = f.teacher(program.organization)
    group = f.group(program, name="Группа 1", start_date=dt.date(2026, 9, 1),
                    end_date=dt.date(2027, 5, 31), capacity_max=12)
    group.teachers.add(teacher)
    services.submit_program(staff, program)
    services.return_program(operator, program, "Уточните цели программы.")

    response = api(staff).get(f"/office/programs/{program.pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["moderation_remark"]) == ("wait_for_editing",
                                                           "Уточните цели программы.")
    module = program.modules.get()
    assert [(m["id"], m["year_of_study"], m["hours"]) for m in body["modules"]] == [
        (module.pk, 1, 72)]
    [group_out] = body["modules"][0]["groups"]
    assert {key: group_out[key] for key in ("id", "name", "start_date", "end_date",
                                            "capacity_min", "capacity_max", "age_min", "age_max",
                                            "enrolment_open")} == {
        "id": group.pk, "name": "Группа 1", "start_date": "2026-09-01", "end_date": "2027-05-31",
        "capacity_min": 1, "capacity_max": 12, "age_min": 7, "age_max": 14,
        "enrolment_open": False,
    }
    assert group_out["teachers"] == [{"id": teacher.pk, "full_name": "Иванова Мария Петровна"}]
    assert group_out["schedule"] == [{"weekdays": ["mon", "wed"], "time_from": "15:00",
                                      "time_to": "16:30", "lesson_minutes": 40,
                                      "break_minutes": 10, "address": ""}]
    assert group_out["funding"] == [{"source": "budget", "source_label": "Бюджет (бесплатно)",
                                     "monthly_price": "0.00", "total_price": "0.00"}]
    assert [{k: e[k] for k in ("action", "action_label", "actor", "from_label", "to_label",
                               "reason")} for e in body["history"]] == [
        {"action": "registry.program.submitted", "action_label": "Отправлена на модерацию",
         "actor": "Петров П.", "from_label": "Черновик", "to_label": "Модерация", "reason": ""},
        {"action": "registry.program.returned", "action_label": "Возвращена на доработку",
         "actor": "Петров П.", "from_label": "Модерация", "to_label": "Ожидает правки",
         "reason": "Уточните цели программы."},
    ]


@pytest.mark.parametrize("persona", ["other_staff", "other_operator", "parent"])
def test_draft_is_404_outside_its_scope(request, api, program, persona):
    response = api(request.getfixturevalue(persona)).get(f"/office/programs/{program.pk}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Программа не найдена.", "field": "program_id",
                               "code": "NotFound"}


@pytest.mark.parametrize("persona", ["staff", "operator", "authority", "regional"])
def test_draft_opens_for_its_organization_and_territory(request, api, program, persona):
    response = api(request.getfixturevalue(persona)).get(f"/office/programs/{program.pk}")

    assert (response.status_code, response.json()["id"]) == (200, program.pk)


def test_missing_program_and_a_draft_of_others_answer_alike(api, other_staff, program):
    # the 404 of a hidden draft must not tell that it exists
    hidden = api(other_staff).get(f"/office/programs/{program.pk}")
    missing = api(other_staff).get(f"/office/programs/{program.pk + 1000}")

    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


def test_non_numeric_program_id_is_422(api, staff):
    response = api(staff).get("/office/programs/first")

    assert response.status_code == 422
    assert response.json()["detail"] == "Параметр «program_id»: ожидается целое число."


def test_expert_sees_only_published_programs(api, catalogue, db):
    expert = f.user(Role.EXPERT)

    assert _titles(api(expert).get("/office/programs")) == ["Футбол", "Шахматы"]


# --- dictionaries -----------------------------------------------------------------------


def test_dictionaries_are_public_with_codes_and_russian_labels(api):
    response = api().get("/dictionaries")

    assert response.status_code == 200
    body = response.json()
    assert body["directions"] == [
        {"code": "technical", "label": "Техническая"},
        {"code": "natural_science", "label": "Естественнонаучная"},
        {"code": "arts", "label": "Художественная"},
        {"code": "tourism", "label": "Туристско-краеведческая"},
        {"code": "social", "label": "Социально-гуманитарная"},
        {"code": "sports", "label": "Физкультурно-спортивная"},
    ]
    assert body["levels"] == [
        {"code": "start", "label": "Стартовый (ознакомительный)"},
        {"code": "base", "label": "Базовый"},
        {"code": "advanced", "label": "Продвинутый (углублённый)"},
    ]
    assert [item["code"] for item in body["ovz_kinds"]] == [
        "deaf", "hard_of_hearing", "blind", "visually_impaired", "speech",
        "developmental_delay", "autism", "intellectual", "musculoskeletal"]
    assert body["registers"][1] == {"code": "significant", "label": "Значимые"}
    assert body["funding_sources"] == [
        {"code": "budget", "label": "Бюджет (бесплатно)"},
        {"code": "certificate", "label": "Сертификат"},
        {"code": "social_certificate", "label": "Социальный сертификат"},
        {"code": "paid", "label": "Внебюджет (платно)"},
        {"code": "private", "label": "Частное"},
    ]
    assert [item["code"] for item in body["study_forms"]] == ["full_time", "mixed", "correspondence"]
    assert {"code": "sole_trader", "label": "Индивидуальный предприниматель"} in \
        body["organization_kinds"]
    assert len(body["organization_kinds"]) == 9
    robotics = next(s for s in body["specialisations"] if s["name"] == "Робототехника")
    assert (robotics["direction"], robotics["is_significant"]) == ("technical", True)


@pytest.mark.parametrize("groups", [1, 6])
def test_detail_query_count_does_not_grow_with_groups(api, staff, operator, program,
                                                     django_assert_max_num_queries, groups):
    for _ in range(groups):
        f.group(program).teachers.add(f.teacher(program.organization))
    services.submit_program(staff, program)
    services.return_program(operator, program, "Уточните цели программы.")
    client = api(staff)

    # session, user, program, partners, modules, groups, teachers, schedule, funding,
    # proposed funding, history
    with django_assert_max_num_queries(11):
        response = client.get(f"/office/programs/{program.pk}")

    assert len(response.json()["modules"][0]["groups"]) == groups
