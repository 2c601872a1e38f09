"""What the staff pages post: valid form data to vary per test, and checks of where
errors are shown."""

import datetime as dt
import re

from opora.registry.choices import (
    Direction,
    FundingSource,
    Level,
    OvzKind,
    ProgramType,
    Register,
    StudyForm,
    Weekday,
)
from opora.registry.forms import ProgramForm
from opora.registry.models import (
    Group,
    GroupFunding,
    Module,
    Program,
    ScheduleLine,
)


def program_post(**overrides):
    data = {
        "title": "Юный инженер",
        "direction": Direction.TECHNICAL,
        "specialisation": "",
        "program_type": ProgramType.GENERAL,
        "levels": [str(int(Level.START)), str(int(Level.BASE))],
        "registers": [str(int(Register.CERTIFIED))],
        "age_min": "8",
        "age_max": "12",
        "group_size_min": "5",
        "group_size_max": "12",
        "ovz_kinds": [str(int(OvzKind.SPEECH))],
        "study_form": StudyForm.FULL_TIME,
        "seasonal_kind": "",
        "duration_months": "9",
        "hours_total": "144",
        "description": "Собираем и программируем модели.",
        "goals": "Развить инженерное мышление.",
        "expected_results": "Ребёнок соберёт своего робота.",
        "material_base": "Конструкторы, ноутбуки.",
        "address": "г. Тестов, ул. Школьная, 1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def program_post_of(program, **overrides):
    """What the edit page posts back when the user changes only ``overrides``."""
    form = ProgramForm(instance=program, organization=program.organization)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if name == "photo" or value is None or value is False:
            continue
        if value is True:
            value = "on"
        data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    data.update(overrides)
    return data


def _management(prefix, total, initial=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def _rows(prefix, rows, initial=0):
    """Formset rows as posted; ``None`` is a row the user left blank."""
    data = _management(prefix, len(rows), initial)
    for index, row in enumerate(rows):
        for name, value in (row or {}).items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


MONDAY_WEDNESDAY = [str(int(Weekday.MON)), str(int(Weekday.WED))]
SCHEDULE_OK = [
    {"weekdays": MONDAY_WEDNESDAY, "time_from": "15:00", "time_to": "16:30",
     "lesson_minutes": "40", "break_minutes": "10", "address": "каб. 12"},
    {"weekdays": [str(int(Weekday.SAT))], "time_from": "10:00", "time_to": "11:00",
     "lesson_minutes": "45", "break_minutes": "0", "address": ""},
]
# A blank row as the browser posts it: with the fields' default values.
BLANK_SCHEDULE = {"lesson_minutes": "45", "break_minutes": "10"}
FUNDING_OK = [
    {"source": FundingSource.CERTIFICATE, "monthly_price": "1500.50", "total_price": "13504.50"},
    {"source": FundingSource.PAID, "monthly_price": "2000", "total_price": "18000"},
]


def group_post(schedule=SCHEDULE_OK, funding=FUNDING_OK, schedule_initial=0, funding_initial=0,
                **overrides):
    start = dt.date.today() + dt.timedelta(days=20)
    data = {
        "name": "Группа 1-А",
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=250)).isoformat(),
        "hours_per_year": "72",
        "capacity_min": "5",
        "capacity_max": "12",
        "age_min": "8",
        "age_max": "11",
        "address": "г. Тестов, ул. Школьная, 1",
        "is_active": "on",
        "enrolment_open": "on",
        "enrolment_from": "2030-08-20T09:00",
        "enrolment_to": "2030-09-15T18:30",
        "next_year_enrolment_from": "2031-05-01T10:00",
        "next_year_enrolment_to": "2031-06-01T10:00",
        **_rows("schedule", schedule, schedule_initial),
        **_rows("funding", funding, funding_initial),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def error_next_to(response, field_id, message):
    """The message is rendered right next to the input with this id."""
    html = response.content.decode()
    errors = re.search(rf'<ul class="errorlist" id="{re.escape(field_id)}_error">(.*?)</ul>', html)
    assert errors, f"no errors next to {field_id}"
    assert f"<li>{message}</li>" in errors.group(1)
    control = re.search(rf'<(?:input|select|textarea)[^>]*id="{re.escape(field_id)}"[^>]*>', html)
    if control:  # a set of checkboxes has no single control to mark
        assert 'aria-invalid="true"' in control.group(0)
        assert f"{field_id}_error" in re.search(r'aria-describedby="([^"]*)"', control.group(0))[1]


def counts():
    return (Program.objects.count(), Module.objects.count(), Group.objects.count(),
            ScheduleLine.objects.count(), GroupFunding.objects.count())
