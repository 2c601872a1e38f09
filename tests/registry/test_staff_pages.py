"""The provider's back office, through the pages: programs, the list, who may use them."""

import re

import pytest
from django.urls import reverse

from opora import audit
from opora.audit.models import AuditEvent
from opora.registry import services
from opora.registry.choices import (
    Direction,
    Level,
    OvzKind,
    ProgramStatus,
    ProgramType,
    Register,
)
from opora.registry.models import (
    Group,
    GroupFunding,
    Module,
    Program,
    ScheduleLine,
    Specialisation,
    Teacher,
)
from tests import factories as f
from tests.registry.staff_posts import (
    counts,
    error_next_to,
    group_post,
    program_post,
    program_post_of,
)

S = ProgramStatus


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


# --- programs --------------------------------------------------------------------------


def test_staff_create_program_as_draft_with_its_first_module(staff_client, staff, provider, city):
    partner = f.organization(city, short_name="МБОУ СОШ № 3")
    robotics = Specialisation.objects.get(direction=Direction.TECHNICAL, name="Робототехника")

    response = staff_client.post(reverse("registry:program_create"), program_post(
        specialisation=str(robotics.pk), is_network="on", partners=[str(partner.pk)]))

    program = Program.objects.get(title="Юный инженер")
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:program_groups", args=[program.pk])
    assert (program.organization, program.status) == (provider, S.INITIAL)
    assert (program.direction, program.specialisation, program.program_type) == (
        Direction.TECHNICAL, robotics, ProgramType.GENERAL)
    assert program.levels == Level.START | Level.BASE
    assert program.registers == Register.CERTIFIED
    assert program.ovz_kinds == OvzKind.SPEECH
    assert (program.age_min, program.age_max, program.group_size_min, program.group_size_max) == (
        8, 12, 5, 12)
    assert (program.duration_months, program.hours_total) == (9, 144)
    assert (program.is_network, program.is_distance, program.is_for_disabled) == (True, False, False)
    assert list(program.partners.all()) == [partner]
    assert program.expected_results == "Ребёнок соберёт своего робота."
    assert [(m.year_of_study, m.title, m.hours) for m in program.modules.all()] == [
        (1, "Юный инженер. 1-й год обучения", 144)]
    assert [(e.action, e.actor_id) for e in audit.timeline(program)] == [
        ("registry.program.created", staff.pk)]


def test_program_form_groups_specialisations_under_their_direction(staff_client):
    html = staff_client.get(reverse("registry:program_create")).content.decode()

    arts = re.search(r'<optgroup label="Художественная">(.*?)</optgroup>', html, re.S).group(1)
    theatre = Specialisation.objects.get(name="Театр")
    assert f'<option value="{theatre.pk}">Театр</option>' in arts
    assert "Робототехника" not in arts
    for heading in ("Основное", "Для кого", "Формат", "Содержание", "Условия"):
        assert f"<legend><h2>{heading}</h2></legend>" in html


def test_partners_are_other_active_organizations_of_the_municipality(
        staff_client, provider, city, district):
    neighbour = f.organization(city, short_name="Соседняя школа")
    switched_off = f.organization(city, short_name="Закрытый клуб", is_active=False)
    far_away = f.organization(district, short_name="Школа в районе")

    form = staff_client.get(reverse("registry:program_create")).context["form"]

    assert list(form.fields["partners"].queryset) == [neighbour]
    assert {switched_off, far_away, provider}.isdisjoint(form.fields["partners"].queryset)


def test_specialisation_of_another_direction_is_refused_next_to_the_field(staff_client):
    theatre = Specialisation.objects.get(name="Театр")
    before = counts()

    response = staff_client.post(reverse("registry:program_create"),
                                 program_post(specialisation=str(theatre.pk)))

    assert response.status_code == 200
    error_next_to(response, "id_specialisation", "Специализация не относится к выбранной направленности.")
    assert counts() == before


def test_bad_program_ages_are_shown_next_to_the_age_and_nothing_is_saved(staff_client):
    before = counts()

    response = staff_client.post(reverse("registry:program_create"),
                                 program_post(age_min="14", age_max="9"))

    assert response.status_code == 200
    error_next_to(response, "id_age_max", "Возраст «до» не может быть меньше возраста «от».")
    assert counts() == before
    assert AuditEvent.objects.count() == 0


def test_refused_edit_keeps_the_saved_program_and_its_name_on_the_page(staff_client, program):
    title = program.title
    response = staff_client.post(reverse("registry:program_edit", args=[program.pk]),
                                 program_post_of(program, title="Новое имя", age_min="16"))

    error_next_to(response, "id_age_max", "Возраст «до» не может быть меньше возраста «от».")
    assert f"Изменение программы «{title}»" in response.content.decode()
    program.refresh_from_db()
    assert (program.title, program.age_min) == (title, 7)


def test_staff_edit_their_program(staff_client, staff, program):
    response = staff_client.post(reverse("registry:program_edit", args=[program.pk]), program_post(
        title="Робототехника. Продвинутый курс", levels=[str(int(Level.ADVANCED))],
        age_min="10", age_max="15", hours_total="216", is_distance="on"))

    assert response.status_code == 302
    assert response["Location"] == reverse("registry:program_detail", args=[program.pk])
    program.refresh_from_db()
    assert program.title == "Робототехника. Продвинутый курс"
    assert (program.levels, program.age_min, program.age_max, program.hours_total) == (
        Level.ADVANCED, 10, 15, 216)
    assert (program.is_distance, program.status) == (True, S.INITIAL)
    event = list(audit.timeline(program))[-1]
    assert (event.action, event.actor_id, event.from_state, event.to_state) == (
        "registry.program.updated", staff.pk, S.INITIAL, S.INITIAL)


def test_published_program_edit_page_warns_which_fields_need_moderation(staff_client, provider):
    program = f.program(provider, status=S.PUBLISHED)

    html = staff_client.get(reverse("registry:program_edit", args=[program.pk])).content.decode()

    assert "Программа опубликована." in html
    public = re.search(r"Это поля:\s+(.*?)\.\s", html).group(1).split(", ")
    internal = re.search(r"Без модерации меняются:\s+(.*?)\.</p>", html).group(1).split(", ")
    assert public[:5] == ["название", "направленность", "специализация", "вид программы",
                          "уровень"]
    assert "организации-партнёры" in public
    assert "фотография" in public
    assert internal == ["реестры"]
    assert "материально-техническая база" in public


def test_editing_published_program_title_sends_the_edit_to_moderation(
        staff_client, staff, provider):
    program = f.program(provider, status=S.PUBLISHED)
    title = program.title
    data = program_post_of(program, title="Робототехника для всех")

    response = staff_client.post(reverse("registry:program_edit", args=[program.pk]), data,
                                 follow=True)

    program.refresh_from_db()
    assert (program.title, program.status) == (title, S.PUBLISHED)
    assert program.revision.values == {"title": "Робототехника для всех"}
    event = list(audit.timeline(program))[-1]
    assert (event.action, event.data["fields"]) == ("registry.program.revision_submitted", ["title"])
    page = response.content.decode()
    assert "Изменения отправлены на модерацию в МОЦ" in page
    assert "Робототехника для всех" in page  # the card lists the edit field by field


def test_editing_published_program_registers_keeps_it_published(staff_client, provider):
    program = f.program(provider, status=S.PUBLISHED, goals="Цели")
    data = program_post_of(program, registers=[str(int(Register.SIGNIFICANT))])

    staff_client.post(reverse("registry:program_edit", args=[program.pk]), data)

    program.refresh_from_db()
    assert (program.registers, program.status) == (Register.SIGNIFICANT, S.PUBLISHED)


def _png(name="robot.png"):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 3), "navy").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_new_photo_of_published_program_waits_for_the_moc(
        staff_client, provider, operator, settings):
    program = f.program(provider, status=S.PUBLISHED)

    staff_client.post(reverse("registry:program_edit", args=[program.pk]),
                      program_post_of(program, photo=_png()))

    program.refresh_from_db()
    assert (program.photo.name, program.status) == ("", S.PUBLISHED)
    assert program.revision.photo.name == "programs/robot.png"
    assert (settings.MEDIA_ROOT / "programs" / "robot.png").exists()
    services.publish_program(operator, program)
    program.refresh_from_db()
    assert program.photo.name == "programs/robot.png"
    assert "robot" in program.card_picture

    # an untouched photo is no change
    staff_client.post(reverse("registry:program_edit", args=[program.pk]),
                      program_post_of(program, registers=[str(int(Register.OTHER))]))
    program.refresh_from_db()
    assert (program.photo.name, program.status) == ("programs/robot.png", S.PUBLISHED)


@pytest.mark.parametrize("status", [S.MODERATING, S.ARCHIVE])
def test_program_on_moderation_or_in_archive_is_not_editable(staff_client, provider, status):
    program = f.program(provider, status=status, title="Шахматы")

    page = staff_client.get(reverse("registry:program_edit", args=[program.pk]))
    staff_client.post(reverse("registry:program_edit", args=[program.pk]),
                      program_post(title="Шахматы и шашки"))

    assert page.context["form"] is None
    program.refresh_from_db()
    assert (program.title, program.status) == ("Шахматы", status)


def test_submit_from_the_page_moves_the_program_to_moderation(staff_client, staff, program):
    response = staff_client.post(reverse("registry:program_submit", args=[program.pk]),
                                 follow=True)

    program.refresh_from_db()
    assert program.status == S.MODERATING
    assert response.redirect_chain == [(reverse("registry:program_detail", args=[program.pk]), 302)]
    assert "Программа отправлена на модерацию в МОЦ." in response.content.decode()
    event = list(audit.timeline(program))[-1]
    assert (event.action, event.actor_id, event.from_state, event.to_state) == (
        "registry.program.submitted", staff.pk, S.INITIAL, S.MODERATING)


def test_submit_of_published_program_is_refused_with_a_message(staff_client, provider):
    program = f.program(provider, status=S.PUBLISHED)

    response = staff_client.post(reverse("registry:program_submit", args=[program.pk]),
                                 follow=True)

    program.refresh_from_db()
    assert program.status == S.PUBLISHED
    assert "Действие недоступно для программы в статусе «Опубликовано»." in (
        response.content.decode())


def test_submit_is_post_only(staff_client, program):
    assert staff_client.get(reverse("registry:program_submit", args=[program.pk])).status_code == 405
    program.refresh_from_db()
    assert program.status == S.INITIAL


def test_staff_archive_published_program_with_reason_and_restore_it(staff_client, provider):
    program = f.program(provider, status=S.PUBLISHED)

    staff_client.post(reverse("registry:program_archive", args=[program.pk]),
                      {"reason": "Педагог уволился"})
    program.refresh_from_db()
    assert program.status == S.ARCHIVE
    assert list(audit.timeline(program))[-1].reason == "Педагог уволился"

    staff_client.post(reverse("registry:program_restore", args=[program.pk]))
    program.refresh_from_db()
    assert program.status == S.INITIAL
    assert [e.action for e in audit.timeline(program)] == [
        "registry.program.archived", "registry.program.restored"]


def test_staff_delete_a_draft_but_not_a_published_program(staff_client, provider):
    draft = f.program(provider)
    f.group(draft)
    published = f.program(provider, status=S.PUBLISHED)

    staff_client.post(reverse("registry:program_delete", args=[draft.pk]))
    response = staff_client.post(reverse("registry:program_delete", args=[published.pk]),
                                 follow=True)

    assert not Program.objects.filter(pk=draft.pk).exists()
    assert Group.objects.count() == 0
    assert Program.objects.filter(pk=published.pk, status=S.PUBLISHED).exists()
    assert "Удалить можно только черновик" in response.content.decode()


# --- the list ----------------------------------------------------------------------------


def test_list_shows_own_programs_with_status_groups_and_ages(staff_client, provider,
                                                             other_provider):
    draft = f.program(provider, title="Авиамоделирование", age_min=9, age_max=15)
    f.group(draft)
    f.group(draft)
    f.program(provider, title="Бисероплетение", status=S.PUBLISHED)
    f.program(other_provider, title="Чужая программа")

    response = staff_client.get(reverse("registry:my_programs"))

    rows = [(p.title, p.status, p.groups_count) for p in response.context["page"]]
    assert sorted(rows) == [("Авиамоделирование", S.INITIAL, 2),
                            ("Бисероплетение", S.PUBLISHED, 0)]
    html = response.content.decode()
    assert f'href="{reverse("registry:program_detail", args=[draft.pk])}">Авиамоделирование</a>' in html
    assert "9–15 лет" in html
    assert "Чужая программа" not in html
    assert f'href="{reverse("registry:program_create")}" role="button">Добавить программу' in html


def test_list_filters_by_status(staff_client, provider):
    f.program(provider, title="Черновая")
    f.program(provider, title="Опубликованная", status=S.PUBLISHED)

    response = staff_client.get(reverse("registry:my_programs"), {"status": S.PUBLISHED})

    assert [p.title for p in response.context["page"]] == ["Опубликованная"]
    assert '<option value="published" selected>Опубликовано (1)</option>' in (
        response.content.decode())


@pytest.mark.parametrize("programs", [3, 30])
def test_list_query_count_does_not_grow_with_programs(staff_client, provider, programs,
                                                      django_assert_max_num_queries):
    for _ in range(programs):
        f.group(f.program(provider))

    with django_assert_max_num_queries(6):
        response = staff_client.get(reverse("registry:my_programs"))

    assert response.status_code == 200
    assert len(response.context["page"]) == min(programs, 25)


# --- who may use these pages ------------------------------------------------------------


def _urls(program, group, teacher):
    module = program.modules.get()
    return {
        "program_edit": ("get", reverse("registry:program_edit", args=[program.pk])),
        "program_edit_post": ("post", reverse("registry:program_edit", args=[program.pk])),
        "program_groups": ("get", reverse("registry:program_groups", args=[program.pk])),
        "program_submit": ("post", reverse("registry:program_submit", args=[program.pk])),
        "program_restore": ("post", reverse("registry:program_restore", args=[program.pk])),
        "program_archive": ("post", reverse("registry:program_archive", args=[program.pk])),
        "program_delete": ("post", reverse("registry:program_delete", args=[program.pk])),
        "module_create": ("get", reverse("registry:module_create", args=[program.pk])),
        "module_create_post": ("post", reverse("registry:module_create", args=[program.pk])),
        "module_edit": ("get", reverse("registry:module_edit", args=[module.pk])),
        "module_delete": ("post", reverse("registry:module_delete", args=[module.pk])),
        "group_create": ("get", reverse("registry:group_create", args=[module.pk])),
        "group_create_post": ("post", reverse("registry:group_create", args=[module.pk])),
        "group_edit": ("get", reverse("registry:group_edit", args=[group.pk])),
        "group_edit_post": ("post", reverse("registry:group_edit", args=[group.pk])),
        "group_delete": ("post", reverse("registry:group_delete", args=[group.pk])),
        "teacher_edit": ("get", reverse("registry:teacher_edit", args=[teacher.pk])),
        "teacher_edit_post": ("post", reverse("registry:teacher_edit", args=[teacher.pk])),
    }


URL_NAMES = [
    "program_edit", "program_edit_post", "program_groups", "program_submit", "program_restore",
    "program_archive", "program_delete", "module_create", "module_create_post", "module_edit",
    "module_delete", "group_create", "group_create_post", "group_edit", "group_edit_post",
    "group_delete", "teacher_edit", "teacher_edit_post",
]


def _snapshot():
    return (
        list(Program.objects.values_list("pk", "title", "status").order_by("pk")),
        list(Module.objects.values_list("pk", "title").order_by("pk")),
        list(Group.objects.values_list("pk", "name").order_by("pk")),
        list(Teacher.objects.values_list("pk", "last_name").order_by("pk")),
        ScheduleLine.objects.count(), GroupFunding.objects.count(), AuditEvent.objects.count(),
    )


@pytest.fixture
def provider_objects(provider):
    program = f.program(provider, status=S.PUBLISHED)
    return program, f.group(program), f.teacher(provider)


@pytest.mark.parametrize("name", URL_NAMES)
def test_staff_of_another_organization_get_404(client, other_staff, provider_objects, name):
    method, url = _urls(*provider_objects)[name]
    before = _snapshot()
    client.force_login(other_staff)

    response = getattr(client, method)(url, group_post() if method == "post" else None)

    assert response.status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize("persona", ["operator", "parent", "authority", "regional"])
@pytest.mark.parametrize("name", [*URL_NAMES, "my_programs", "program_create", "teachers",
                                  "teacher_create"])
def test_other_roles_cannot_use_staff_pages(request, client, provider_objects, persona, name):
    urls = _urls(*provider_objects) | {
        "my_programs": ("get", reverse("registry:my_programs")),
        "program_create": ("get", reverse("registry:program_create")),
        "teachers": ("get", reverse("registry:teachers")),
        "teacher_create": ("get", reverse("registry:teacher_create")),
    }
    method, url = urls[name]
    before = _snapshot()
    client.force_login(request.getfixturevalue(persona))

    response = getattr(client, method)(url, {"title": "Взлом"} if method == "post" else None)

    assert response.status_code == 403
    assert _snapshot() == before


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("registry:my_programs"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse('registry:my_programs')}"


def test_staff_navigation_links_the_staff_sections(staff_client):
    html = staff_client.get(reverse("registry:teachers")).content.decode()

    nav = re.search(r'<nav class="office-nav" aria-label="Разделы кабинета">(.*?)</nav>', html, re.S).group(1)
    assert f'<a href="{reverse("registry:my_programs")}">Мои программы</a>' in nav
    assert f'<a href="{reverse("registry:teachers")}" aria-current="page">Педагоги</a>' in nav
