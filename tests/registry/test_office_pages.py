"""Back-office pages of the МОЦ, the education authority and the РМЦ: who may open
them, what each sees, the moderation buttons, the organizations and the exports."""

import csv
import io
import random

import pytest
from django.urls import reverse

from opora import audit
from opora.accounts.models import Role
from opora.audit.models import AuditEvent
from opora.registry import services
from opora.registry.choices import Direction, OrganizationKind
from opora.registry.choices import ProgramStatus as S
from opora.registry.identifiers import make_inn
from opora.registry.models import Organization, Program
from tests import factories as f

PAGES = ["registry:programs", "registry:moderation", "registry:inventory",
         "registry:organizations"]


def _open(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def _listed(response):
    return sorted(p.title for p in response.context["page"].object_list)


def _reload(obj):
    obj.refresh_from_db()
    return obj


# --- who may open the pages ---------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("persona", ["operator", "authority", "regional"])
def test_office_roles_open_every_page(client, request, persona, name):
    assert _open(client, request.getfixturevalue(persona), name).status_code == 200


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("persona", ["parent", "staff", "expert"])
def test_other_roles_are_refused(client, request, persona, name, city):
    user = (f.user(Role.EXPERT) if persona == "expert" else request.getfixturevalue(persona))
    assert _open(client, user, name).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_cannot_open_the_moderation_queue(client, staff, program):
    services.submit_program(staff, program)
    assert _open(client, staff, "registry:moderation").status_code == 403


# --- the registry of programs ------------------------------------------------------------


def test_operator_cannot_see_other_municipality_drafts(client, operator, provider,
                                                        other_provider):
    f.program(provider, title="Своя")
    f.program(other_provider, title="Чужой черновик")
    f.program(other_provider, title="Чужая опубликованная", status=S.PUBLISHED)

    assert _listed(_open(client, operator, "registry:programs")) == ["Своя"]


def test_regional_centre_sees_every_municipality(client, regional, provider, other_provider):
    f.program(provider, title="Своя")
    f.program(other_provider, title="Чужой черновик")

    response = _open(client, regional, "registry:programs")
    assert _listed(response) == ["Своя", "Чужой черновик"]
    assert "municipality" in response.context["form"].fields


def test_registry_filters_come_from_the_url_and_feed_the_export_link(client, operator, provider):
    f.program(provider, title="Робототехника")
    f.program(provider, title="Хор", direction=Direction.ARTS)

    response = _open(client, operator, "registry:programs", direction="arts")

    assert _listed(response) == ["Хор"]
    assert "municipality" not in response.context["form"].fields
    export = reverse("registry:programs_export") + "?direction=arts"
    assert f'href="{export}"' in response.content.decode()


def test_bad_filter_value_shows_a_note_and_lists_everything(client, operator, provider):
    f.program(provider, title="Робототехника")

    response = _open(client, operator, "registry:programs", level="99", status="nonsense")

    assert response.status_code == 200
    assert _listed(response) == ["Робототехника"]
    content = response.content.decode()
    assert "Фильтр «Уровень» не применён" in content
    assert "Фильтр «Статус» не применён" in content


def test_registry_row_shows_group_count_and_links_to_the_card(client, operator, program):
    f.group(program)
    f.group(program)

    response = _open(client, operator, "registry:programs")

    [row] = response.context["page"].object_list
    assert row.group_count == 2
    assert reverse("registry:program_detail", args=[program.pk]) in response.content.decode()


def test_registry_is_paginated(client, operator, provider, settings):
    settings.OPORA_PAGE_SIZE = 2
    for n in range(5):
        f.program(provider, title=f"Программа {n}")

    response = _open(client, operator, "registry:programs", page=3)

    assert _listed(response) == ["Программа 4"]
    assert response.context["page"].paginator.num_pages == 3


# --- the program card and moderation --------------------------------------------------------


def test_operator_gets_404_for_another_municipality_draft(client, operator, other_provider):
    draft = f.program(other_provider)
    assert _open(client, operator, "registry:program_detail", draft.pk).status_code == 404


def test_card_shows_fields_groups_and_history(client, operator, staff, program):
    group = f.group(program, name="Группа «Пилоты»", address="ул. Лесная, 5")
    teacher = f.teacher(program.organization, last_name="Соколова")
    group.teachers.add(teacher)
    services.submit_program(staff, program)

    response = _open(client, operator, "registry:program_detail", program.pk)

    content = response.content.decode()
    assert response.status_code == 200
    for text in ("Стартовый (ознакомительный)", "Группа «Пилоты»", "ул. Лесная, 5",
                 "Соколова Мария Петровна", "Пн, Ср 15:00–16:30", "Бюджет (бесплатно)",
                 "Отправлена на модерацию", "Опубликовать", "Вернуть на доработку"):
        assert text in content, text
    assert list(response.context["events"]) == list(audit.timeline(program))


def test_operator_publishes_from_the_card(client, operator, staff, program):
    services.submit_program(staff, program)
    client.force_login(operator)

    response = client.post(reverse("registry:program_moderate", args=[program.pk]),
                           {"action": "publish"}, follow=True)

    assert _reload(program).status == S.PUBLISHED
    assert "Программа опубликована в навигаторе." in response.content.decode()
    assert list(audit.timeline(program))[-1].action == "registry.program.published"


def test_operator_returns_with_remark(client, operator, staff, program):
    services.submit_program(staff, program)
    client.force_login(operator)

    client.post(reverse("registry:program_moderate", args=[program.pk]),
                {"action": "return", "remark": "  Уточните возраст.  "})

    assert _reload(program).status == S.WAIT_FOR_EDITING
    assert program.moderation_remark == "Уточните возраст."


def test_return_without_remark_shows_the_error_and_changes_nothing(client, operator, staff,
                                                                   program):
    services.submit_program(staff, program)
    client.force_login(operator)
    events = AuditEvent.objects.count()

    response = client.post(reverse("registry:program_moderate", args=[program.pk]),
                           {"action": "return", "remark": "   "})

    assert response.status_code == 400
    assert 'id="id_return_remark_error"' in response.content.decode()
    assert "Напишите, что нужно исправить." in response.content.decode()
    assert _reload(program).status == S.MODERATING
    assert AuditEvent.objects.count() == events


def test_operator_archives_a_published_program(client, operator, provider):
    program = f.program(provider, status=S.PUBLISHED)
    client.force_login(operator)

    client.post(reverse("registry:program_moderate", args=[program.pk]),
                {"action": "archive", "reason": "Не набрана группа"})

    assert _reload(program).status == S.ARCHIVE
    assert list(audit.timeline(program))[-1].reason == "Не набрана группа"


@pytest.mark.parametrize(("status", "action"), [
    (S.INITIAL, "publish"), (S.PUBLISHED, "publish"), (S.WAIT_FOR_EDITING, "return"),
    (S.MODERATING, "archive"), (S.ARCHIVE, "archive"),
])
def test_action_refused_in_wrong_state_shows_message_and_changes_nothing(
        client, operator, provider, status, action):
    program = f.program(provider, status=status)
    client.force_login(operator)

    response = client.post(reverse("registry:program_moderate", args=[program.pk]),
                           {"action": action, "remark": "Замечание"}, follow=True)

    assert _reload(program).status == status
    assert AuditEvent.objects.count() == 0
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_authority_cannot_publish(client, authority, staff, program):
    services.submit_program(staff, program)
    client.force_login(authority)

    response = client.post(reverse("registry:program_moderate", args=[program.pk]),
                           {"action": "publish"}, follow=True)

    assert _reload(program).status == S.MODERATING
    assert "Недостаточно прав для этого действия." in response.content.decode()
    assert "Опубликовать" not in response.content.decode()


def test_operator_of_another_municipality_gets_404_and_changes_nothing(
        client, other_operator, staff, program):
    services.submit_program(staff, program)
    client.force_login(other_operator)

    response = client.post(reverse("registry:program_moderate", args=[program.pk]),
                           {"action": "publish"})

    assert response.status_code == 404
    assert _reload(program).status == S.MODERATING


def test_parent_cannot_post_moderation(client, parent, staff, program):
    services.submit_program(staff, program)
    client.force_login(parent)
    response = client.post(reverse("registry:program_moderate", args=[program.pk]),
                           {"action": "publish"})
    assert response.status_code == 403
    assert _reload(program).status == S.MODERATING


def test_staff_open_own_card_with_their_actions(client, staff, other_staff, program):
    response = _open(client, staff, "registry:program_detail", program.pk)

    content = response.content.decode()
    assert response.status_code == 200
    assert reverse("registry:program_edit", args=[program.pk]) in content
    assert reverse("registry:program_submit", args=[program.pk]) in content
    assert "Опубликовать" not in content
    assert _open(client, other_staff, "registry:program_detail", program.pk).status_code == 404


def test_moderation_queue_lists_own_municipality_in_submission_order(
        client, operator, staff, provider, other_provider):
    for title in ("Первая", "Вторая"):
        services.submit_program(staff, f.program(provider, title=title))
    f.program(other_provider, title="Чужая", status=S.MODERATING)
    f.program(provider, title="Черновик")

    response = _open(client, operator, "registry:moderation")

    assert [p.title for p in response.context["page"].object_list] == ["Первая", "Вторая"]
    assert provider.short_name in response.content.decode()


# --- inventory ---------------------------------------------------------------------------


def test_inventory_counts_published_programs_of_own_municipality(
        client, operator, regional, provider, other_provider, city):
    f.program(provider, status=S.PUBLISHED)
    f.program(provider, status=S.PUBLISHED, direction=Direction.ARTS)
    f.program(provider, status=S.INITIAL, direction=Direction.ARTS)
    f.program(other_provider, status=S.PUBLISHED)

    mine = _open(client, operator, "registry:inventory").context["inventory"]
    assert (mine["total"], mine["organizations"]) == (2, 1)
    [directions] = [t for t in mine["tables"] if t["key"] == "direction"]
    assert {r["code"]: r["count"] for r in directions["rows"] if r["count"]} == {
        "technical": 1, "arts": 1}

    region = _open(client, regional, "registry:inventory").context["inventory"]
    assert (region["total"], region["organizations"]) == (3, 2)
    narrowed = _open(client, regional, "registry:inventory", municipality=city.pk,
                     status="all").context["inventory"]
    assert narrowed["total"] == 3


# --- organizations -----------------------------------------------------------------------


def _organization_data(**overrides):
    data = {
        "full_name": "Муниципальное бюджетное учреждение «Дом творчества»",
        "short_name": "МБУ ДО «Дом творчества»", "inn": make_inn(random.Random(7)),
        "ogrn": "", "kind": OrganizationKind.SUPPLEMENTARY, "sector": "education",
        "ownership": "municipal", "address": "г. Тестов, ул. Мира, 1", "phone": "",
        "email": "", "website": "", "head_name": "", "licence_number": "", "licence_date": "",
    }
    data.update(overrides)
    return data


def test_operator_creates_organization_in_own_municipality(client, operator, city):
    client.force_login(operator)

    response = client.post(reverse("registry:organization_create"), _organization_data())

    created = Organization.objects.get(short_name="МБУ ДО «Дом творчества»")
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:organization_detail", args=[created.pk])
    assert created.municipality == city
    assert [e.action for e in audit.timeline(created)] == ["registry.organization.created"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("inn", "7707083894", "Неверная контрольная сумма ИНН."),
    ("inn", "12345", "ИНН должен состоять из 10 цифр (организация) или 12 цифр (ИП)."),
    ("ogrn", "1027700132196", "Неверная контрольная цифра ОГРН."),
])
def test_bad_identifier_is_shown_next_to_the_field_and_nothing_saved(
        client, operator, field, value, message):
    client.force_login(operator)

    response = client.post(reverse("registry:organization_create"),
                           _organization_data(**{field: value}))

    content = response.content.decode()
    assert response.status_code == 400
    assert f'<ul class="errorlist" id="id_{field}_error"><li>{message}</li></ul>' in content
    assert Organization.objects.count() == 0


def test_second_support_centre_is_refused_next_to_its_field(client, operator, city):
    f.organization(city, is_support_centre=True)
    client.force_login(operator)

    response = client.post(reverse("registry:organization_create"),
                           _organization_data(is_support_centre="on"))

    assert response.status_code == 400
    assert 'id="id_is_support_centre_error"' in response.content.decode()
    assert Organization.objects.count() == 1


def test_operator_edits_organization_and_bad_inn_changes_nothing(client, operator, provider):
    client.force_login(operator)
    url = reverse("registry:organization_edit", args=[provider.pk])
    data = _organization_data(inn=provider.inn, short_name="Новое имя")

    refused = client.post(url, {**data, "inn": "7707083894"})
    assert refused.status_code == 400
    assert _reload(provider).short_name != "Новое имя"

    client.post(url, data)
    assert _reload(provider).short_name == "Новое имя"


@pytest.mark.parametrize("persona", ["authority", "regional", "other_operator"])
def test_only_the_municipality_operator_edits_organizations(client, request, persona, provider):
    client.force_login(request.getfixturevalue(persona))
    before = provider.short_name

    response = client.post(reverse("registry:organization_edit", args=[provider.pk]),
                           _organization_data(inn=provider.inn, short_name="Захват"))

    # outside the territory the card does not exist (404); inside, a reader is refused (403)
    assert response.status_code in (403, 404)
    assert _reload(provider).short_name == before


@pytest.mark.parametrize("persona", ["authority", "regional"])
def test_readers_cannot_create_organizations(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(reverse("registry:organization_create"), _organization_data())

    assert response.status_code == 403
    assert Organization.objects.count() == 0


def test_operator_deactivates_with_reason_and_reactivates(client, operator, provider):
    client.force_login(operator)
    url = reverse("registry:organization_activity", args=[provider.pk])

    refused = client.post(url, {"active": "0", "reason": ""})
    assert refused.status_code == 400
    assert "Укажите причину отключения организации." in refused.content.decode()
    assert _reload(provider).is_active

    client.post(url, {"active": "0", "reason": "Лицензия отозвана"})
    assert not _reload(provider).is_active
    client.post(url, {"active": "1"})
    assert _reload(provider).is_active
    assert [(e.action, e.reason) for e in audit.timeline(provider)] == [
        ("registry.organization.deactivated", "Лицензия отозвана"),
        ("registry.organization.activated", ""),
    ]


def test_authority_cannot_deactivate(client, authority, provider):
    client.force_login(authority)
    client.post(reverse("registry:organization_activity", args=[provider.pk]),
                {"active": "0", "reason": "Нет"})
    assert _reload(provider).is_active


def test_organization_list_filters_and_counts(client, operator, provider, city, other_provider):
    rural = f.organization(city, is_rural=True)
    f.program(provider, status=S.PUBLISHED)
    f.program(provider)

    response = _open(client, operator, "registry:organizations")
    rows = {o.pk: (o.program_count, o.published_count) for o in response.context["page"]}
    assert rows == {provider.pk: (2, 1), rural.pk: (0, 0)}

    rural_only = _open(client, operator, "registry:organizations", rural="yes")
    assert [o.pk for o in rural_only.context["page"]] == [rural.pk]


def test_organization_card_shows_programs_teachers_and_history(client, operator, provider):
    f.program(provider, title="Лего-конструирование")
    f.teacher(provider)
    f.teacher(provider, is_active=False)
    services.set_organization_active(operator, provider, False, "Проверка")

    response = _open(client, operator, "registry:organization_detail", provider.pk)

    content = response.content.decode()
    assert response.context["teacher_count"] == 1
    assert "Лего-конструирование" in content
    assert "Организация отключена" in content
    assert "Проверка" in content


# --- exports ------------------------------------------------------------------------------


def test_program_export_has_the_filtered_rows_of_the_territory(client, operator, provider,
                                                               other_provider):
    f.program(provider, title="Хор", direction=Direction.ARTS)
    f.program(provider, title="Роботы")
    f.program(other_provider, title="Чужой хор", direction=Direction.ARTS)

    response = _open(client, operator, "registry:programs_export", direction="arts",
                     format="csv")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")),
                           delimiter=";"))
    title = rows[0].index("Название")
    assert [row[title] for row in rows[1:]] == ["Хор"]


def test_program_export_defaults_to_xlsx(client, regional, program):
    response = _open(client, regional, "registry:programs_export")
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_organization_export_is_scoped(client, operator, provider, other_provider):
    response = _open(client, operator, "registry:organizations_export", format="csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")),
                           delimiter=";"))
    inn = rows[0].index("ИНН")
    assert [row[inn] for row in rows[1:]] == [f'="{provider.inn}"']  # kept as text by a spreadsheet


def test_parent_cannot_export(client, parent):
    assert _open(client, parent, "registry:programs_export").status_code == 403
    assert _open(client, parent, "registry:organizations_export").status_code == 403


# --- query counts --------------------------------------------------------------------------


def _fill(provider, teacher, n):
    for i in range(n):
        program = f.program(provider, title=f"Программа {i:02d}", status=S.MODERATING)
        group = f.group(program)
        group.teachers.add(teacher)
        f.organization(provider.municipality)
        AuditEvent.objects.create(action="registry.program.submitted", target_type="registry.program",
                                  target_id=str(program.pk), target_repr=program.title,
                                  to_state=S.MODERATING)


# Session and user, then: count + rows + the organization choices of the filter; count +
# rows; three aggregates; count + rows + the operator's municipality (may they add one).
QUERY_BUDGET = {"registry:programs": 5, "registry:moderation": 4, "registry:inventory": 5,
                "registry:organizations": 5}


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("rows", [3, 30])
def test_page_query_count_does_not_grow_with_rows(client, operator, provider, name, rows,
                                                  django_assert_max_num_queries):
    _fill(provider, f.teacher(provider), rows)
    client.force_login(operator)
    url = reverse(name)
    with django_assert_max_num_queries(QUERY_BUDGET[name]):
        response = client.get(url)
    assert response.status_code == 200
    assert Program.objects.count() == rows


@pytest.mark.parametrize("rows", [1, 10])
def test_program_card_query_count_does_not_grow_with_groups(client, operator, program, rows,
                                                            django_assert_max_num_queries):
    teacher = f.teacher(program.organization)
    for _ in range(rows):
        f.group(program).teachers.add(teacher)
    client.force_login(operator)
    # Session, user, program, partners, modules, groups, teachers, schedule, funding, events,
    # groups with a price waiting for the МОЦ, the panels of later apps (the quality assessment).
    with django_assert_max_num_queries(12):
        response = client.get(reverse("registry:program_detail", args=[program.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["other_operator", "other_staff", "parent"])
def test_moderation_history_stays_inside_the_territory(client, request, persona, provider, staff,
                                                       operator):
    program = f.program(provider)
    services.submit_program(staff, program)
    services.return_program(operator, program, "Внутреннее замечание МОЦ")
    services.submit_program(staff, program)
    services.publish_program(operator, program)
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("registry:program_detail", args=[program.pk]))

    assert response.status_code in (403, 404)
    assert "Внутреннее замечание МОЦ" not in response.content.decode()
