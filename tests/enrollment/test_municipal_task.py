"""Municipal task limits (муниципальное задание): the authority sets an organization's
budget places per direction and school year, confirmations count against them, the
provider and the territory read the fulfilment."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from opora import audit
from opora.enrollment import budget_places, services
from opora.enrollment.models import Application, EnrolmentSettings, MunicipalTask, TaskOverrun
from opora.enrollment.models import ApplicationStatus as S
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.registry.choices import Direction, FundingSource, ProgramStatus
from opora.registry.models import GroupFunding
from tests import factories as f
from tests.enrollment.conftest import open_group

TECH, ARTS = Direction.TECHNICAL, Direction.ARTS


@pytest.fixture
def budget_group(published):
    return open_group(published, name="Роботы-бюджет", capacity_max=10)


@pytest.fixture
def year(budget_group):
    return budget_places.school_year(budget_group.start_date)


def _apply(family, group, n):
    return [services.submit_application(p, c, group)[0] for p, c in family(n)]


def _task(authority, organization, year, **places):
    return budget_places.set_tasks(authority, organization, year, places)


def _status(application):
    return Application.objects.get(pk=application.pk).status


# --- setting the task ------------------------------------------------------------------


def test_school_year_is_named_by_its_start():
    assert budget_places.school_year(dt.date(2026, 9, 1)) == 2026
    assert budget_places.school_year(dt.date(2026, 8, 31)) == 2025
    assert budget_places.school_year(dt.date(2027, 1, 15)) == 2026
    assert budget_places.year_label(2026) == "2026/27"


def test_authority_sets_replaces_and_removes_tasks_with_an_audit_trail(authority, provider, year):
    _task(authority, provider, year, technical=10, arts="5")
    _task(authority, provider, year, technical="12", arts="", sports=None)

    assert dict(MunicipalTask.objects.filter(organization=provider, year=year)
                .values_list("direction", "places")) == {TECH: 12}
    trail = [(e.action, e.data["direction"], e.data["places_before"], e.data["places_after"])
             for e in audit.timeline(provider) if e.action == "enrollment.municipal_task.set"]
    assert trail == [("enrollment.municipal_task.set", "technical", None, 10),
                     ("enrollment.municipal_task.set", "arts", None, 5),
                     ("enrollment.municipal_task.set", "technical", 10, 12),
                     ("enrollment.municipal_task.set", "arts", 5, None)]
    assert all(e.actor == authority for e in audit.timeline(provider))


@pytest.mark.parametrize("who", ["operator", "staff", "regional", "other_authority", "parent"])
def test_only_the_authority_of_the_organizations_municipality_sets_it(
        request, who, provider, district, year):
    actor = (f.user("education_authority", municipality=district) if who == "other_authority"
             else request.getfixturevalue(who))
    with pytest.raises(PermissionDenied):
        budget_places.set_tasks(actor, provider, year, {"technical": 3})
    with pytest.raises(PermissionDenied):
        budget_places.save_overrun_rule(actor, provider.municipality, TaskOverrun.WARN)
    assert not MunicipalTask.objects.exists()


@pytest.mark.parametrize(("places", "field", "message"), [
    ({"technical": -1}, "technical", "Число мест не может быть отрицательным."),
    ({"technical": "десять"}, "technical", "Введите целое число мест."),
    ({"technical": "2.5"}, "technical", "Введите целое число мест."),
    ({"technical": True}, "technical", "Введите целое число мест."),
    ({"technical": 100_001}, "technical", "Число мест не может быть больше 100000."),
    ({"cooking": 3}, "places", "Неизвестная направленность «cooking»."),
])
def test_bad_places_change_nothing(authority, provider, year, places, field, message):
    _task(authority, provider, year, arts=4)
    with pytest.raises(ValidationFailed) as refused:
        budget_places.set_tasks(authority, provider, year, {"arts": 9, **places})
    assert refused.value.errors[field] == [message]
    assert dict(MunicipalTask.objects.values_list("direction", "places")) == {ARTS: 4}


@pytest.mark.parametrize("bad_year", ["2020", "две тысячи", None, 3000])
def test_year_out_of_range_is_refused(authority, provider, bad_year):
    with pytest.raises(ValidationFailed) as refused:
        budget_places.set_tasks(authority, provider, bad_year, {"technical": 3})
    assert refused.value.errors["year"][0].startswith("Учебный год должен быть от ")
    assert not MunicipalTask.objects.exists()


def test_overrun_rule_is_validated_and_audited(authority, city):
    with pytest.raises(ValidationFailed):
        budget_places.save_overrun_rule(authority, city, "maybe")
    budget_places.save_overrun_rule(authority, city, TaskOverrun.WARN)
    settings = EnrolmentSettings.objects.get(municipality=city)
    assert settings.task_overrun == TaskOverrun.WARN
    assert [e.data for e in audit.timeline(settings)] == [
        {"task_overrun_before": "refuse", "task_overrun_after": "warn"}]


# --- the confirmation rule --------------------------------------------------------------


def test_confirming_beyond_the_task_is_refused_naming_direction_task_and_filled(
        authority, staff, provider, budget_group, family, year):
    _task(authority, provider, year, technical=2)
    first, second, third = _apply(family, budget_group, 3)
    services.confirm_application(staff, first)
    services.confirm_application(staff, second)

    with pytest.raises(InvalidTransition) as refused:
        services.confirm_application(staff, third)

    label = budget_places.year_label(year)
    assert refused.value.message == (
        f"Муниципальное задание по направленности «Техническая» на {label} учебный год "
        "выполнено: занято 2 из 2 бюджетных мест. Подтвердить заявку сверх задания нельзя.")
    assert _status(third) == S.NEW
    assert [_status(a) for a in (first, second)] == [S.ENROLLED, S.ENROLLED]


def test_a_warning_municipality_confirms_beyond_the_task_and_says_so(
        authority, staff, provider, budget_group, family, year, city):
    _task(authority, provider, year, technical=1)
    budget_places.save_overrun_rule(authority, city, TaskOverrun.WARN)
    first, second = _apply(family, budget_group, 2)

    assert services.confirm_application(staff, first).task_warning is None
    confirmed = services.confirm_application(staff, second)

    assert _status(second) == S.ENROLLED
    assert "сверх муниципального задания" in confirmed.task_warning
    assert "занято 1 из 1 бюджетных мест (с этой заявкой — 2)" in confirmed.task_warning
    confirmations = [e for e in audit.timeline(second) if e.action == "enrollment.application.confirmed"]
    assert confirmations[0].data.get("over_task") is True


def test_no_task_means_no_limit_and_a_task_of_zero_allows_none(
        authority, staff, provider, budget_group, family, year):
    applications = _apply(family, budget_group, 3)
    for application in applications[:2]:
        services.confirm_application(staff, application)  # no task: confirmed
    _task(authority, provider, year, technical=0)
    with pytest.raises(InvalidTransition):
        services.confirm_application(staff, applications[2])


def test_only_enrolments_in_the_tasks_organization_direction_and_year_count(
        authority, staff, provider, published, budget_group, family, year):
    _task(authority, provider, year, technical=1)
    arts = open_group(f.program(provider, status=ProgramStatus.PUBLISHED, direction=ARTS),
                      capacity_max=5)
    next_year = open_group(published, capacity_max=5,
                           start_date=dt.date(year + 1, 9, 1), end_date=dt.date(year + 2, 5, 31))
    elsewhere = open_group(f.program(f.organization(provider.municipality),
                                     status=ProgramStatus.PUBLISHED), capacity_max=5)
    other_staff = f.user("organization_staff", organization=elsewhere.module.program.organization,
                         municipality=provider.municipality)
    for group, actor in ((arts, staff), (next_year, staff), (elsewhere, other_staff)):
        for application in _apply(family, group, 2):
            services.confirm_application(actor, application)

    [mine] = _apply(family, budget_group, 1)
    services.confirm_application(staff, mine)  # the first budget place of the task's own
    assert _status(mine) == S.ENROLLED


def test_an_expelled_child_frees_the_place(authority, staff, provider, budget_group, family, year):
    _task(authority, provider, year, technical=1)
    first, second = _apply(family, budget_group, 2)
    services.confirm_application(staff, first)
    services.expel(staff, first, "Переезд")

    services.confirm_application(staff, second)
    assert _status(second) == S.ENROLLED


def test_mixed_group_counts_and_certificate_or_paid_groups_do_not(
        authority, staff, provider, published, budget_group, family, year):
    GroupFunding.objects.create(group=budget_group, source=FundingSource.CERTIFICATE,
                                monthly_price=Decimal("1500.00"))
    paid = open_group(published, capacity_max=5)
    GroupFunding.objects.filter(group=paid).update(source=FundingSource.PAID,
                                                   monthly_price=Decimal("2000.00"))
    _task(authority, provider, year, technical=1)
    for application in _apply(family, paid, 2):  # no budget line: neither limited nor counted
        services.confirm_application(staff, application)
    mixed = _apply(family, budget_group, 2)
    services.confirm_application(staff, mixed[0])

    with pytest.raises(InvalidTransition):
        services.confirm_application(staff, mixed[1])
    [row] = budget_places.fulfilment([provider.pk], year)[provider.pk]
    assert (row.direction, row.places, row.filled) == (TECH, 1, 1)


def test_a_bulk_confirmation_beyond_the_task_changes_nothing(
        authority, staff, provider, budget_group, family, year):
    _task(authority, provider, year, technical=2)
    applications = _apply(family, budget_group, 3)

    with pytest.raises(InvalidTransition) as refused:
        services.process_applications(staff, [a.pk for a in applications], "confirm")

    assert "занято 2 из 2 бюджетных мест" in refused.value.message
    assert [_status(a) for a in applications] == [S.NEW] * 3


# --- reading the fulfilment ----------------------------------------------------------------


def test_fulfilment_per_direction_with_free_over_and_percent(
        authority, staff, provider, published, budget_group, family, year, city):
    budget_places.save_overrun_rule(authority, city, TaskOverrun.WARN)
    _task(authority, provider, year, technical=2, arts=4, sports=0)
    for application in _apply(family, budget_group, 3):
        services.confirm_application(staff, application)

    rows = budget_places.fulfilment([provider.pk], year)[provider.pk]

    assert [(r.direction, r.places, r.filled, r.free, r.over, r.percent) for r in rows] == [
        (TECH, 2, 3, 0, 1, 150), (ARTS, 4, 0, 4, 0, 0), (Direction.SPORTS, 0, 0, 0, 0, None)]
    assert budget_places.task_fulfilment(year, [city.pk]) == [
        {"municipality_id": city.pk, "direction": TECH, "places": 2, "filled": 3, "percent": 150},
        {"municipality_id": city.pk, "direction": ARTS, "places": 4, "filled": 0, "percent": 0},
        {"municipality_id": city.pk, "direction": "sports", "places": 0, "filled": 0, "percent": None}]


def test_directions_without_a_task_show_their_filled_places_but_monitoring_skips_them(
        staff, provider, budget_group, family, year, city):
    for application in _apply(family, budget_group, 2):
        services.confirm_application(staff, application)
    [row] = budget_places.fulfilment([provider.pk], year)[provider.pk]
    assert (row.places, row.filled, row.free, row.percent) == (None, 2, None, None)
    assert budget_places.task_fulfilment(year) == []


def test_the_municipality_page_counts_in_a_fixed_number_of_queries(
        client, authority, provider, budget_group, staff, family, year, city,
        django_assert_max_num_queries):
    _task(authority, provider, year, technical=3)
    for application in _apply(family, budget_group, 2):
        services.confirm_application(staff, application)
    client.force_login(authority)
    url = reverse("enrollment:municipal_tasks") + f"?year={year}"
    client.get(url)  # warm the session and the user's caches
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(6):  # more organizations with tasks and places cost no more queries
        other = f.organization(city)
        _task(authority, other, year, technical=2, arts=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_the_fulfilment_of_another_territory_is_not_found(other_staff, provider, year):
    from opora.errors import NotFound

    with pytest.raises(NotFound):
        budget_places.organization_fulfilment(other_staff, provider, year)


# --- pages -------------------------------------------------------------------------------


def test_authority_sets_the_task_on_its_page(client, authority, provider, year):
    client.force_login(authority)
    url = reverse("enrollment:municipal_task_edit", args=[provider.pk])
    assert client.get(url + f"?year={year}").status_code == 200

    response = client.post(url, {"year": year, "places_technical": "15", "places_arts": ""})

    assert response.status_code == 302
    assert dict(MunicipalTask.objects.values_list("direction", "places")) == {TECH: 15}


def test_bad_input_on_the_page_shows_russian_errors_and_saves_nothing(client, authority, provider, year):
    client.force_login(authority)
    url = reverse("enrollment:municipal_task_edit", args=[provider.pk])

    response = client.post(url, {"year": year, "places_technical": "-3", "places_arts": "7"})

    assert response.status_code == 400
    assert "Число мест не может быть отрицательным." in response.content.decode()
    assert 'value="7"' in response.content.decode()  # what was typed stays in the form
    assert not MunicipalTask.objects.exists()


def test_staff_and_the_regional_centre_cannot_open_the_form(client, staff, regional, provider):
    url = reverse("enrollment:municipal_task_edit", args=[provider.pk])
    for user in (staff, regional):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"places_technical": "1"}).status_code == 403
    assert not MunicipalTask.objects.exists()


def test_provider_sees_its_fulfilment(client, authority, staff, provider, budget_group, family, year):
    _task(authority, provider, year, technical=4)
    services.confirm_application(staff, _apply(family, budget_group, 1)[0])
    client.force_login(staff)

    response = client.get(reverse("enrollment:municipal_tasks") + f"?year={year}")

    rows = response.context["rows"]
    assert [(r.direction, r.places, r.filled, r.free) for r in rows] == [(TECH, 4, 1, 3)]
    assert "Техническая" in response.content.decode()
    assert "Сохранить правило" not in response.content.decode()


def test_the_regional_centre_reads_any_municipality_without_editing(
        client, regional, authority, provider, district, year):
    _task(authority, provider, year, technical=4)
    client.force_login(regional)
    response = client.get(reverse("enrollment:municipal_tasks"),
                          {"municipality": provider.municipality_id, "year": year})
    assert response.context["municipality"] == provider.municipality
    assert not response.context["may_set"]
    assert [o for o, _rows in response.context["organizations"]] == [provider]
    assert "Изменить задание" not in response.content.decode()


def test_staff_see_the_warning_after_a_bulk_confirmation(
        client, authority, staff, provider, budget_group, family, year, city):
    _task(authority, provider, year, technical=0)
    budget_places.save_overrun_rule(authority, city, TaskOverrun.WARN)
    [application] = _apply(family, budget_group, 1)
    client.force_login(staff)

    response = client.post(reverse("enrollment:office_process"),
                           {"ids": [application.pk], "action": "confirm"}, follow=True)

    shown = [str(m) for m in response.context["messages"]]
    assert any("сверх муниципального задания" in m for m in shown)
    assert _status(application) == S.ENROLLED


def test_authority_saves_the_rule_on_the_page(client, authority, city):
    client.force_login(authority)
    client.post(reverse("enrollment:municipal_task_rule"), {"task_overrun": "warn"})
    assert EnrolmentSettings.objects.get(municipality=city).task_overrun == TaskOverrun.WARN
