"""docs/domain.md §2: a module or group can be edited only while no live applications hang on
it and enrolment is closed — what a family applied for (dates, ages, hours, address,
timetable, prices) stays as it was; seats, teachers, the name and enrolment itself stay
editable, so the provider can close enrolment first."""

import datetime as dt
from decimal import Decimal

import pytest

from opora.enrollment import services as enrolment
from opora.errors import ValidationFailed
from opora.registry import services
from opora.registry.choices import FundingSource
from opora.registry.models import Group


def _data(group, **changes):
    data = {name: getattr(group, name) for name in (
        "name", "start_date", "end_date", "hours_per_year", "capacity_max", "age_min", "age_max",
        "address", "enrolment_open", "enrolment_from", "enrolment_to")}
    data.update(changes)
    return data


def _lines(group):
    schedule = [{f: getattr(line, f) for f in ("weekdays", "time_from", "time_to", "lesson_minutes",
                                                "break_minutes", "address")}
                for line in group.schedule.all()]
    funding = [{"source": line.source, "monthly_price": line.monthly_price, "total_price": line.total_price}
               for line in group.funding.all()]
    return schedule, funding


def _save(staff, group, data, schedule=None, funding=None):
    own_schedule, own_funding = _lines(group)
    return services.save_group(staff, group.module, data, group=group, schedule=schedule or own_schedule,
                               funding=funding or own_funding)


@pytest.fixture
def applied(parent, child, group):
    enrolment.submit_application(parent, child, group)
    return group


@pytest.mark.parametrize("change", [
    {"start_date": "later"}, {"age_max": 17}, {"address": "ул. Новая, 1"}, {"hours_per_year": 144}])
def test_terms_of_a_group_with_live_applications_are_fixed(staff, applied, change):
    if change.get("start_date") == "later":
        change = {"start_date": applied.start_date + dt.timedelta(days=7)}
    with pytest.raises(ValidationFailed) as err:
        _save(staff, applied, _data(applied, enrolment_open=False, **change))

    assert "на группу есть действующие заявки" in err.value.message
    fresh = Group.objects.get(pk=applied.pk)
    assert (fresh.start_date, fresh.age_max, fresh.address, fresh.enrolment_open) == (
        applied.start_date, applied.age_max, applied.address, True)


def test_timetable_and_prices_are_fixed_too(staff, applied):
    schedule, funding = _lines(applied)
    later = [{**schedule[0], "time_from": dt.time(17, 0), "time_to": dt.time(18, 30)}]
    dearer = [{"source": FundingSource.PAID, "monthly_price": Decimal("3000.00"), "total_price": Decimal(0)}]

    for lines in ({"schedule": later}, {"funding": dearer}):
        with pytest.raises(ValidationFailed):
            _save(staff, applied, _data(applied), **lines)
    assert _lines(Group.objects.get(pk=applied.pk)) == (schedule, funding)


def test_seats_teachers_name_and_enrolment_stay_editable(staff, applied):
    _save(staff, applied, _data(applied, name="Роботы-утро", capacity_max=5, enrolment_open=False))

    fresh = Group.objects.get(pk=applied.pk)
    assert (fresh.name, fresh.capacity_max, fresh.enrolment_open) == ("Роботы-утро", 5, False)


def test_open_enrolment_alone_fixes_the_terms(staff, group):
    with pytest.raises(ValidationFailed) as err:
        _save(staff, group, _data(group, age_min=group.age_min + 1))
    assert "открыта запись" in err.value.message

    group.refresh_from_db()
    _save(staff, group, _data(group, enrolment_open=False))
    _save(staff, Group.objects.get(pk=group.pk), _data(group, enrolment_open=False, age_min=group.age_min + 1))
    assert Group.objects.get(pk=group.pk).age_min == group.age_min + 1


def test_ended_applications_free_the_terms(parent, child, staff, group):
    application = enrolment.submit_application(parent, child, group)[0]
    enrolment.withdraw_application(parent, application)
    _save(staff, group, _data(group, enrolment_open=False))

    _save(staff, Group.objects.get(pk=group.pk), _data(group, enrolment_open=False, hours_per_year=144))
    assert Group.objects.get(pk=group.pk).hours_per_year == 144


def test_module_content_is_fixed_while_its_group_has_applications(staff, applied):
    module = applied.module
    with pytest.raises(ValidationFailed):
        services.save_module(staff, module.program, {"title": "Другое содержание", "hours": module.hours},
                             module=module)
    assert type(module).objects.get(pk=module.pk).title == module.title
