"""The share of gifted children and the share of teachers trained this year, against a
table computed by hand (the world of ``conftest``: the city has 100 children 5–17 and two
teachers at «Центр А», the district 50 children and no teacher until one is added here).

Gifted record                       lives     status, decided           counts on D
g1  10 years                        city      confirmed 01.03           yes
g2  10 years                        city      confirmed 20.03           no (after D)
g3  10 years                        city      proposed                  no
g4  18 years on D                   city      confirmed 01.03           no (age)
g5  12 years                        district  confirmed 10.01           district

Teacher                             works     training                  trained in D's year
T1  «Центр А»                       city      attended an event 10.02   yes
T2  «Центр А»                       city      course elsewhere 20.12 last year;
                                              registered, not attended 01.03  no
T3  «Спорт Б»                       district  course elsewhere 20.03 (after D);
                                              course elsewhere 01.02 last year   no; last year yes
"""

import datetime as dt

import pytest

from opora.events.models import GiftedRecord, GiftedSource, GiftedStatus
from opora.monitoring import indicators
from opora.registry.choices import Direction
from opora.registry.models import Teacher
from opora.training.models import (
    ExternalTraining,
    Registration,
    RegistrationStatus,
    TrainingEvent,
    TrainingKind,
)
from tests import factories as f
from tests.monitoring.conftest import D, born, child, moment

pytestmark = pytest.mark.django_db


def gifted(municipality, age, status, decided=None):
    return GiftedRecord.objects.create(
        child=child(municipality, born(age)), municipality=municipality, status=status,
        source=GiftedSource.RESULTS, direction=Direction.TECHNICAL,
        decided_at=moment(decided) if decided else None)


def event(ends_on):
    return TrainingEvent.objects.create(
        kind=TrainingKind.objects.get(code="seminar"), title="Семинар", starts_on=ends_on,
        ends_on=ends_on, hours=4, capacity=10)


def external(teacher, finished_on):
    ExternalTraining.objects.create(teacher=teacher, title="Курсы", provider_name="Институт",
                                    finished_on=finished_on, hours=36, document="№ 1")


@pytest.fixture
def register(world):
    city, district = world["city"], world["district"]
    gifted(city, 10, GiftedStatus.CONFIRMED, dt.date(2026, 3, 1))
    gifted(city, 10, GiftedStatus.CONFIRMED, dt.date(2026, 3, 20))
    gifted(city, 10, GiftedStatus.PROPOSED)
    gifted(city, 18, GiftedStatus.CONFIRMED, dt.date(2026, 3, 1))
    gifted(district, 12, GiftedStatus.CONFIRMED, dt.date(2026, 1, 10))
    return world


@pytest.fixture
def staff(world):
    first, second = Teacher.objects.filter(organization=world["centre"]).order_by("pk")
    third = f.teacher(f.organization(world["district"]))
    Registration.objects.create(event=event(dt.date(2026, 2, 10)), teacher=first,
                                status=RegistrationStatus.ATTENDED)
    Registration.objects.create(event=event(dt.date(2026, 3, 1)), teacher=second,
                                status=RegistrationStatus.REGISTERED)
    external(second, dt.date(2025, 12, 20))
    external(third, dt.date(2026, 3, 20))
    external(third, dt.date(2025, 2, 1))
    return world


def test_gifted_share_counts_confirmed_children_5_to_17_on_the_day(register):
    city, district = register["city"].pk, register["district"].pk

    assert indicators.headline(D, city, with_breakdowns=False)["indicators"]["gifted"] == {
        "numerator": 1, "denominator": 100, "value": 1.0}
    assert indicators.headline(D, district, with_breakdowns=False)["indicators"]["gifted"] == {
        "numerator": 1, "denominator": 50, "value": 2.0}
    assert indicators.headline(D, None, with_breakdowns=False)["indicators"]["gifted"] == {
        "numerator": 2, "denominator": 150, "value": 1.3}
    # a week later the record confirmed on 20.03 counts too
    assert indicators.headline(D + dt.timedelta(days=7), city, with_breakdowns=False)[
        "indicators"]["gifted"]["numerator"] == 2


def test_share_of_teachers_trained_in_the_year_of_the_day(staff):
    city, district = staff["city"].pk, staff["district"].pk

    assert indicators.headline(D, city, with_breakdowns=False)["indicators"]["teachers_trained"] == {
        "numerator": 1, "denominator": 2, "value": 50.0}
    assert indicators.headline(D, district, with_breakdowns=False)["indicators"]["teachers_trained"] == {
        "numerator": 0, "denominator": 1, "value": 0.0}
    computed = indicators.compute(D, None)
    assert computed["indicators"]["teachers_trained"] == {"numerator": 1, "denominator": 3, "value": 33.3}
    # a year before D: only T3's course of 01.02.2025 is in that year
    assert computed["last_year"]["teachers_trained"] == 33.3
    assert computed["targets"]["gifted"] == 1.0


def test_the_monitoring_page_shows_both_indicators(staff, register, client):
    from opora.accounts.models import Role

    client.force_login(f.user(Role.SUPPORT_CENTRE, municipality=staff["city"]))
    page = client.get("/office/monitoring/", {"date": D.isoformat()}).content.decode()

    assert "Доля детей 5–17 лет в реестре талантливых и одарённых детей, %" in page
    assert "Доля педагогов, прошедших повышение квалификации в текущем году, %" in page
