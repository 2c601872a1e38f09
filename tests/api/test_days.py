"""A day in a request is written «ГГГГ-ММ-ДД» (``schemas.Day``): pydantic's own date reads
a number as seconds since 1970, so ``since=0`` would have been 1 January 1970 and the
fuzzer's ``since=-1e-217`` a 200."""

import datetime as dt

import pytest
from pydantic import TypeAdapter, ValidationError

from opora.accounts.models import Role
from opora.api.schemas import Day
from tests import factories as f

DAY = TypeAdapter(Day)


@pytest.mark.parametrize("written", ["2026-09-01", " 2026-09-01 ", dt.date(2026, 9, 1)])
def test_a_day_written_as_a_day_is_read(written):
    assert DAY.validate_python(written) == dt.date(2026, 9, 1)
    assert DAY.validate_json('"2026-09-01"') == dt.date(2026, 9, 1)


@pytest.mark.parametrize("written", [0, 86400, -1.35e-217, "0", "86400", "-1.3540321506748088e-217",
                                     "2026-02-30", "01.09.2026", "2026-9-1", "2026-09-01T00:00",
                                     dt.datetime(2026, 9, 1), "", None, True])
def test_anything_else_is_refused_in_russian(written):
    with pytest.raises(ValidationError, match="ожидается дата в формате ГГГГ-ММ-ДД"):
        DAY.validate_python(written)


def test_a_number_as_a_query_day_is_a_422_naming_the_parameter(api, operator):
    client = api(operator)
    answer = client.get("/training/events", since="-1.3540321506748088e-217")
    assert answer.status_code == 422
    assert answer.json()["errors"]["since"] == ["Ожидается дата в формате ГГГГ-ММ-ДД."]
    assert client.get("/training/events", since="2026-09-01").status_code == 200


def test_a_number_as_a_body_day_is_a_422_and_registers_no_child(api):
    from opora.enrollment.models import Child

    parent = f.user(Role.PARENT, municipality=f.municipality())
    answer = api(parent).post("/children", {
        "last_name": "Иванов", "first_name": "Пётр", "birth_date": 0, "consent": True})
    assert answer.status_code == 422 and "birth_date" in answer.json()["errors"]
    assert not Child.objects.exists()
