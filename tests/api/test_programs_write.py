"""Changing programs through the API: creation, edits and the moderation steps."""

import pytest

from opora import audit
from opora.registry.choices import Direction, Level, OvzKind, Register
from opora.registry.choices import ProgramStatus as S
from opora.registry.models import Program, Specialisation
from tests import factories as f

pytestmark = pytest.mark.urls("tests.api.urls")

NEW_PROGRAM = {
    "title": "Юный конструктор",
    "direction": "technical",
    "levels": ["start", "base"],
    "age_min": 7,
    "age_max": 11,
    "duration_months": 9,
    "hours_total": 144,
    "ovz_kinds": ["speech", "autism"],
    "registers": ["significant"],
    "description": "Собираем модели из конструктора и учимся их программировать.",
}


def _reload(program):
    program.refresh_from_db()
    return program


def _actions(program):
    return [event.action for event in audit.timeline(program)]


# --- creating ---------------------------------------------------------------------------


def test_staff_create_a_draft_for_their_organization(api, staff, provider):
    robotics = Specialisation.objects.get(direction=Direction.TECHNICAL, name="Робототехника")

    response = api(staff).post("/office/programs", {**NEW_PROGRAM, "specialisation": robotics.pk})

    assert response.status_code == 201, response.content
    body = response.json()
    program = Program.objects.get(pk=body["id"])
    assert (program.organization, program.status, program.title) == (
        provider, S.INITIAL, "Юный конструктор")
    assert program.levels == Level.START | Level.BASE
    assert program.ovz_kinds == OvzKind.SPEECH | OvzKind.AUTISM
    assert program.registers == Register.SIGNIFICANT
    assert program.specialisation == robotics
    assert (body["levels"], body["ovz_kinds"], body["registers"]) == (
        ["start", "base"], ["speech", "autism"], ["significant"])
    assert body["specialisation"] == {"id": robotics.pk, "direction": "technical",
                                      "name": "Робототехника", "is_significant": True}
    assert [(m["year_of_study"], m["hours"]) for m in body["modules"]] == [(1, 144)]
    assert [e["action"] for e in body["history"]] == ["registry.program.created"]


def test_fields_left_out_take_the_model_defaults(api, staff):
    body = api(staff).post("/office/programs", NEW_PROGRAM).json()

    program = Program.objects.get(pk=body["id"])
    assert (program.program_type, program.study_form, program.group_size_min,
            program.group_size_max, program.seasonal_kind) == ("general", "full_time", 1, 15, "")


def test_network_program_lists_its_partners(api, staff, city):
    school = f.organization(city, short_name="МБОУ СОШ № 3")

    response = api(staff).post("/office/programs", {**NEW_PROGRAM, "is_network": True,
                                                    "partners": [school.pk]})

    assert response.status_code == 201
    assert [p["id"] for p in response.json()["partners"]] == [school.pk]
    assert list(Program.objects.get().partners.all()) == [school]


FAR_PARTNER = ("Партнёром может быть только действующая организация муниципалитета программы: "
               "{names}.")


def test_partner_of_another_municipality_is_refused_as_on_the_page(api, staff, other_provider):
    response = api(staff).post("/office/programs", {**NEW_PROGRAM, "is_network": True,
                                                    "partners": [other_provider.pk]})

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "partners": [FAR_PARTNER.format(names=other_provider.short_name)]}
    assert not Program.objects.exists()


def test_patch_cannot_add_a_partner_of_another_municipality(api, staff, program, other_provider):
    response = api(staff).patch(f"/office/programs/{program.pk}",
                                {"is_network": True, "partners": [other_provider.pk]})

    assert response.status_code == 422
    assert response.json()["errors"] == {"partners": [FAR_PARTNER.format(names=other_provider.short_name)]}
    program = _reload(program)
    assert (program.is_network, list(program.partners.all())) == (False, [])


def test_partner_id_beyond_what_the_database_holds_is_refused_not_a_server_error(api, staff):
    response = api(staff).post("/office/programs", {**NEW_PROGRAM, "partners": [2**70]})

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "partners.0": ["Значение должно быть не больше 9223372036854775807."]}
    assert not Program.objects.exists()


def test_partner_chosen_before_it_closed_stays(api, staff, city, program):
    """As on the page: a partner chosen earlier stays selectable after it is switched off."""
    school = f.organization(city, short_name="Школа")
    program.partners.set([school])
    school.is_active = False
    school.save()

    response = api(staff).patch(f"/office/programs/{program.pk}",
                                {"title": "Новое название", "partners": [school.pk]})

    assert response.status_code == 200
    assert (_reload(program).title, list(program.partners.all())) == ("Новое название", [school])


@pytest.mark.parametrize("persona", ["operator", "authority", "regional", "parent"])
def test_only_organization_staff_create_programs(request, api, persona):
    response = api(request.getfixturevalue(persona)).post("/office/programs", NEW_PROGRAM)

    assert response.status_code == 403
    assert response.json() == {"detail": "Недостаточно прав для этого действия.", "field": None,
                               "code": "PermissionDenied"}
    assert not Program.objects.exists()


def test_anonymous_cannot_create(api):
    assert api().post("/office/programs", NEW_PROGRAM).status_code == 401
    assert not Program.objects.exists()


@pytest.mark.parametrize(("change", "field", "detail"), [
    ({"age_min": "десять"}, "age_min", "Поле «age_min»: ожидается целое число."),
    ({"title": None}, "title", "Поле «title»: ожидается строка."),
    ({"direction": "космическая"}, "direction",
     "Поле «direction»: допустимые значения: 'technical', 'natural_science', 'arts', 'tourism', "
     "'social', 'sports'."),
    ({"levels": ["start", "expert"]}, "levels.1",
     "Поле «levels.1»: допустимые значения: 'start', 'base', 'advanced'."),
    ({"levels": "start"}, "levels", "Поле «levels»: ожидается список."),
    ({"is_network": "может быть"}, "is_network", "Поле «is_network»: ожидается true или false."),
])
def test_malformed_body_is_422_naming_the_field(api, staff, change, field, detail):
    response = api(staff).post("/office/programs", {**NEW_PROGRAM, **change})

    assert response.status_code == 422
    body = response.json()
    assert (body["detail"], body["field"], body["code"]) == (detail, field, "ValidationFailed")
    assert not Program.objects.exists()


def test_a_nul_character_anywhere_in_the_body_is_422_not_a_database_error(api, staff):
    # PostgreSQL cannot store text with a NUL: it is refused before any field is read
    body = {**NEW_PROGRAM, "description": "Собираем\x00модели", "ovz_kinds": ["speech", "a\x00"]}

    response = api(staff).post("/office/programs", body)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["description"] == errors["ovz_kinds"] == ["Значение содержит недопустимый нулевой символ."]
    assert not Program.objects.exists()


def test_a_nul_character_in_a_query_parameter_is_422(api, staff):
    response = api(staff).get("/events", kind="concert\x00")

    assert response.status_code == 422
    assert response.json()["detail"] == "Параметр «kind»: значение содержит недопустимый нулевой символ."


def test_missing_field_is_named(api, staff):
    body = {key: value for key, value in NEW_PROGRAM.items() if key != "title"}

    response = api(staff).post("/office/programs", body)

    assert response.status_code == 422
    assert response.json()["detail"] == "Поле «title»: обязательное значение не указано."


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"age_min": 12, "age_max": 10}, "age_max", "Возраст «до» не может быть меньше возраста «от»."),
    ({"age_min": 2}, "age_min", "Убедитесь, что это значение больше либо равно 3."),
    ({"levels": []}, "levels", "Укажите хотя бы один уровень программы."),
    ({"group_size_min": 20, "group_size_max": 10}, "group_size_max",
     "Наполняемость «до» не может быть меньше наполняемости «от»."),
])
def test_rule_breaking_body_is_422_with_the_rule_message(api, staff, change, field, message):
    response = api(staff).post("/office/programs", {**NEW_PROGRAM, **change})

    assert response.status_code == 422
    assert response.json() == {"detail": message, "field": field, "code": "ValidationFailed",
                               "errors": {field: [message]}}
    assert not Program.objects.exists()


def test_specialisation_of_another_direction_is_refused(api, staff):
    chess = Specialisation.objects.get(name="Шахматы")

    response = api(staff).post("/office/programs", {**NEW_PROGRAM, "specialisation": chess.pk})

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "specialisation": ["Специализация не относится к выбранной направленности."]}
    assert not Program.objects.exists()


def test_unknown_specialisation_and_partner_are_refused(api, staff):
    client = api(staff)

    unknown_specialisation = client.post("/office/programs", {**NEW_PROGRAM, "specialisation": 999999})
    zero = client.post("/office/programs", {**NEW_PROGRAM, "specialisation": 0})
    unknown_partner = client.post("/office/programs", {**NEW_PROGRAM, "partners": [999999]})

    assert unknown_specialisation.json()["errors"] == {"specialisation": ["Специализация не найдена."]}
    assert zero.json()["errors"] == {"specialisation": ["Значение должно быть не меньше 1."]}
    assert unknown_partner.json()["errors"] == {
        "partners": ["Организации-партнёры не найдены: 999999."]}
    assert not Program.objects.exists()


def test_invalid_json_is_400(api, staff):
    response = api(staff).http.post("/api/v1/office/programs", "{title:", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "BadRequest"


def test_unsafe_request_without_csrf_token_is_refused(api, staff, program):
    client = api(staff, enforce_csrf_checks=True)

    response = client.post(f"/office/programs/{program.pk}/submit")

    assert response.status_code == 403
    assert response.json()["code"] == "CsrfFailed"
    assert _reload(program).status == S.INITIAL


def test_unsafe_request_with_csrf_token_passes(api, staff, program):
    client = api(staff, enforce_csrf_checks=True)
    client.http.get("/accounts/login/")  # any page with a form sets the CSRF cookie
    token = client.http.cookies["csrftoken"].value

    response = client.post(f"/office/programs/{program.pk}/submit", headers={"X-CSRFToken": token})

    assert response.status_code == 200
    assert _reload(program).status == S.MODERATING


# --- editing ----------------------------------------------------------------------------


def test_patch_changes_only_the_given_fields(api, staff, program):
    response = api(staff).patch(f"/office/programs/{program.pk}",
                                {"title": "Робототехника. Старт", "levels": ["base"]})

    assert response.status_code == 200
    assert (response.json()["title"], response.json()["levels"]) == ("Робототехника. Старт", ["base"])
    assert (_reload(program).title, program.levels, program.age_min, program.age_max) == (
        "Робототехника. Старт", Level.BASE, 7, 14)
    assert _actions(program) == ["registry.program.updated"]


def test_patch_of_what_parents_see_sends_the_edit_to_moderation(api, staff, operator, provider):
    program = f.program(provider, status=S.PUBLISHED)

    response = api(staff).patch(f"/office/programs/{program.pk}", {"age_max": 16})

    body = response.json()
    assert (response.status_code, body["status"], body["age_max"]) == (200, "published", 14)
    assert body["revision"]["status"] == "moderating"
    assert [(c["field"], c["published"], c["proposed"]) for c in body["revision"]["changes"]] == [
        ("age_max", "14", "16")]
    assert _reload(program).age_max == 14

    response = api(operator).post(f"/office/programs/{program.pk}/publish", {})
    assert (response.status_code, response.json()["age_max"], response.json()["revision"]) == (
        200, 16, None)


def test_patch_with_null_for_a_required_field_is_refused(api, staff, program):
    response = api(staff).patch(f"/office/programs/{program.pk}", {"title": None})

    assert response.status_code == 422
    assert response.json()["errors"] == {"title": ["Значение не может быть пустым."]}
    assert _reload(program).title.startswith("Робототехника")


def test_patch_can_clear_the_specialisation(api, staff, provider):
    program = f.program(provider, specialisation=Specialisation.objects.get(name="Робототехника"))

    response = api(staff).patch(f"/office/programs/{program.pk}", {"specialisation": None})

    assert (response.status_code, response.json()["specialisation"]) == (200, None)
    assert _reload(program).specialisation is None


def test_patch_of_another_organizations_draft_is_404(api, other_staff, program):
    response = api(other_staff).patch(f"/office/programs/{program.pk}", {"title": "Чужая"})

    assert response.status_code == 404
    assert _reload(program).title != "Чужая"


def test_patch_of_another_organizations_published_program_is_404(api, other_staff, provider):
    program = f.program(provider, status=S.PUBLISHED, title="Шахматы")

    response = api(other_staff).patch(f"/office/programs/{program.pk}", {"title": "Чужая"})

    # the back-office card is the owner's territory; others read the public catalog
    assert response.status_code == 404
    assert (_reload(program).title, program.status) == ("Шахматы", S.PUBLISHED)


def test_patch_of_an_archived_program_is_409(api, staff, provider):
    program = f.program(provider, status=S.ARCHIVE, title="Шахматы")

    response = api(staff).patch(f"/office/programs/{program.pk}", {"title": "Шашки"})

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Программа в архиве: верните её в черновики, чтобы изменить.", "field": None,
        "code": "InvalidTransition"}
    assert _reload(program).title == "Шахматы"


# --- moderation -------------------------------------------------------------------------


def test_submit_publish_return_and_archive_through_the_api(api, staff, operator, program):
    provider_client, moc = api(staff), api(operator)
    path = f"/office/programs/{program.pk}"

    assert provider_client.post(f"{path}/submit").json()["status"] == "moderating"
    returned = moc.post(f"{path}/return", {"remark": "Добавьте описание результатов."}).json()
    assert (returned["status"], returned["moderation_remark"]) == (
        "wait_for_editing", "Добавьте описание результатов.")
    assert provider_client.post(f"{path}/submit").json()["status"] == "moderating"
    published = moc.post(f"{path}/publish").json()
    assert published["status"] == "published"
    assert published["published_at"] is not None
    archived = moc.post(f"{path}/archive", {"reason": "Педагог уволился"}).json()

    assert archived["status"] == "archive"
    assert [(e["action"], e["reason"]) for e in archived["history"]] == [
        ("registry.program.submitted", ""),
        ("registry.program.returned", "Добавьте описание результатов."),
        ("registry.program.submitted", ""),
        ("registry.program.published", ""),
        ("registry.program.archived", "Педагог уволился"),
    ]


def test_staff_cannot_publish_their_own_program(api, staff, provider):
    program = f.program(provider, status=S.MODERATING)

    response = api(staff).post(f"/office/programs/{program.pk}/publish")

    assert response.status_code == 403
    assert response.json()["code"] == "PermissionDenied"
    assert _reload(program).status == S.MODERATING
    assert _actions(program) == []


def test_operator_of_another_municipality_does_not_see_the_queue(api, other_operator, provider):
    program = f.program(provider, status=S.MODERATING)

    response = api(other_operator).post(f"/office/programs/{program.pk}/publish")

    assert response.status_code == 404
    assert _reload(program).status == S.MODERATING


def test_publishing_a_draft_is_an_invalid_transition(api, operator, program):
    response = api(operator).post(f"/office/programs/{program.pk}/publish")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Действие недоступно для программы в статусе «Черновик».", "field": None,
        "code": "InvalidTransition"}
    assert _reload(program).status == S.INITIAL


def test_archiving_a_draft_is_an_invalid_transition(api, staff, program):
    response = api(staff).post(f"/office/programs/{program.pk}/archive", {"reason": "Не нужна"})

    assert response.status_code == 409
    assert _reload(program).status == S.INITIAL


def test_return_needs_a_remark(api, operator, provider):
    program = f.program(provider, status=S.MODERATING)
    client = api(operator)

    blank = client.post(f"/office/programs/{program.pk}/return", {"remark": "  "})
    missing = client.post(f"/office/programs/{program.pk}/return", {})

    assert (blank.status_code, blank.json()["errors"]) == (
        422, {"remark": ["Напишите, что нужно исправить."]})
    assert (missing.status_code, missing.json()["detail"]) == (
        422, "Поле «remark»: обязательное значение не указано.")
    assert _reload(program).status == S.MODERATING


def test_archive_refuses_a_body_that_is_not_an_object(api, staff, provider):
    program = f.program(provider, status=S.PUBLISHED)

    response = api(staff).post(f"/office/programs/{program.pk}/archive", [None, None])

    assert response.status_code == 422
    assert response.json()["detail"] == "Тело запроса: ожидается объект."
    assert _reload(program).status == S.PUBLISHED
    assert _actions(program) == []


def test_anonymous_cannot_submit(api, program):
    assert api().post(f"/office/programs/{program.pk}/submit").status_code == 401
    assert _reload(program).status == S.INITIAL
