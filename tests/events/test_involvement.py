"""Involvement shares on a table computed by hand.

| child | lives in | rural | ОВЗ | ТЖС | took part in            |
|-------|----------|-------|-----|-----|-------------------------|
| A     | city     | yes   |     |     | E1, E2                  |
| B     | city     |       | yes |     | E1                      |
| C     | city     | yes   |     | yes | E1 (confirmed, absent)  |
| D     | district |       |     | yes | E2                      |
| E     | city     |       |     |     | E2                      |
| F     | city     | yes   |     |     | E3 (held after the period) |

Per event: E1 — 2 children, rural 1 (50 %), ОВЗ 1 (50 %), ТЖС 0; E2 — 3 children, rural 1
(33.3 %), ОВЗ 0, ТЖС 1 (33.3 %). Per municipality of residence: city — A, B, E: 3, rural
33.3 %, ОВЗ 33.3 %; district — D: 1, ТЖС 100 %. The region: 4 children, 25 % each.
"""

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from opora.accounts.models import Role
from opora.events import selectors, services
from tests import factories as f
from tests.events.conftest import add_child, born, make_event, sessions

pytestmark = pytest.mark.django_db


def _took_part(organizer, parent, event, child):
    registration, _ = services.register_child(parent, event, child)
    services.confirm_registration(organizer, registration)
    services.mark_attendance(organizer, registration)
    return registration


@pytest.fixture
def table(staff, operator, parent, district):
    e1 = make_event(staff, operator, title="E1", capacity=50)
    e2 = make_event(staff, operator, title="E2", capacity=50, sessions_=sessions(days=20))
    e3 = make_event(staff, operator, title="E3", capacity=50, sessions_=sessions(days=60))
    kid = lambda name, **kw: add_child(parent, first_name=name, birth_date=born(10), **kw)  # noqa: E731
    a, b = kid("A", is_rural=True), kid("B", has_ovz=True)
    c, e = kid("C", is_rural=True, difficult_situation=True), kid("E")
    f_ = kid("F", is_rural=True)
    district_parent = f.user(Role.PARENT, municipality=district)
    d = add_child(district_parent, first_name="D", birth_date=born(10), difficult_situation=True)
    for child in (a, b):
        _took_part(staff, parent, e1, child)
    services.confirm_registration(staff, services.register_child(parent, e1, c)[0])
    for who, child in ((parent, a), (district_parent, d), (parent, e)):
        _took_part(staff, who, e2, child)
    _took_part(staff, parent, e3, f_)
    today = timezone.localdate()
    return {"from": today, "to": today + dt.timedelta(days=30)}


def test_per_event(table, regional):
    rows = {r["event__title"]: r for r in selectors.involvement_by_event(regional, table["from"], table["to"])}
    assert set(rows) == {"E1", "E2"}
    assert [rows["E1"][k] for k in ("total", "rural", "rural_share", "ovz_share", "difficult_share")] == [
        2, 1, 50.0, 50.0, 0.0]
    assert [rows["E2"][k] for k in ("total", "rural_share", "ovz_share", "difficult", "difficult_share")] == [
        3, 33.3, 0.0, 1, 33.3]


def test_per_municipality_and_the_total(table, regional, city, district, operator):
    rows = {r["child__municipality_id"]: r for r in selectors.involvement_by_municipality(
        regional, table["from"], table["to"])}
    assert [rows[city.pk][k] for k in ("total", "rural_share", "ovz_share", "difficult_share")] == [
        3, 33.3, 33.3, 0.0]
    assert [rows[district.pk][k] for k in ("total", "difficult_share")] == [1, 100.0]
    total = selectors.involvement_total(regional, table["from"], table["to"])
    assert [total[k] for k in ("total", "rural_share", "ovz_share", "difficult_share")] == [4, 25.0, 25.0, 25.0]
    # the МОЦ sees the children of its municipality
    assert [r["child__municipality_id"] for r in selectors.involvement_by_municipality(
        operator, table["from"], table["to"])] == [city.pk]
    assert selectors.involvement_total(operator, table["from"], table["to"])["total"] == 3


def test_the_page_and_its_excel(client, table, operator):
    client.force_login(operator)
    params = {"date_from": table["from"].isoformat(), "date_to": table["to"].isoformat()}
    page = client.get(reverse("events:involvement"), params).content.decode()
    assert "E1" in page and "33,3 %" in page
    response = client.get(reverse("events:involvement"), {**params, "export": "municipalities"})
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Муниципалитет проживания", "Участников", "Из сельской местности")
    assert rows[1][1:] == (3, 1, 33.3, 1, 33.3, 0, 0.0)
