"""A small population whose coverage on ``D`` is computed by hand (``test_coverage``).

Municipality «city» (population 100 in D's year) has «Центр А» with a technical and an
arts program and a technical group that ended before D; «district» (population 50) has
«Спорт Б» with a sports program. Every group but the old one runs 1 Sep – 31 May.
"""

import datetime as dt
import itertools
from io import BytesIO

import openpyxl
import pytest
from django.utils import timezone

from opora.enrollment.models import Application, ApplicationStatus, Channel, Child, Sex
from opora.financing.models import Certificate, CertificateStatus
from opora.registry.choices import Direction, ProgramStatus
from opora.registry.models import MunicipalityPopulation
from tests import factories as f

D = dt.date(2026, 3, 15)
S = ApplicationStatus
_names = itertools.count(1)


def moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def born(age: int, on: dt.date = D) -> dt.date:
    """Born so as to be ``age`` full years old on ``on`` (birthday in the summer)."""
    return dt.date(on.year - age - 1, 7, 1)


def child(municipality, birth_date=None, *, sex=Sex.FEMALE, **kw) -> Child:
    n = next(_names)
    return Child.objects.create(
        last_name=f"Ребёнок{n}", first_name="Тест", birth_date=birth_date or born(10), sex=sex,
        municipality=municipality, identity_key=f"key-{n}", **kw)


def enrol(child_, group, *, on=dt.date(2025, 9, 10), status=S.ENROLLED, ended_on=None,
          changed=None) -> Application:
    return Application.objects.create(
        child=child_, group=group, status=status, channel=Channel.PROVIDER, enrolled_on=on,
        ended_on=ended_on, status_changed_at=moment(changed or ended_on or on or D),
        queue_number=1 if status == S.WAITLISTED else None)


def certificate(child_, kind, decided: dt.date) -> Certificate:
    return Certificate.objects.create(
        child=child_, municipality=child_.municipality, kind=kind,
        status=CertificateStatus.ISSUED, number=f"{child_.pk:010d}", requested_at=moment(decided),
        decided_at=moment(decided), valid_until=dt.date(child_.birth_date.year + 18, 1, 1))


@pytest.fixture
def world(city, district):
    MunicipalityPopulation.objects.create(municipality=city, year=D.year, children_5_17=100)
    MunicipalityPopulation.objects.create(municipality=district, year=D.year, children_5_17=50)
    centre = f.organization(city, short_name="Центр А")
    sport = f.organization(district, short_name="Спорт Б")

    def program(org, direction, **kw):
        return f.program(org, direction=direction, status=ProgramStatus.PUBLISHED,
                         published_at=moment(dt.date(2025, 8, 1)), age_min=5, age_max=18, **kw)

    period = {"start_date": dt.date(2025, 9, 1), "end_date": dt.date(2026, 5, 31)}
    tech = program(centre, Direction.TECHNICAL)
    groups = {
        "tech": f.group(tech, **period),
        "old": f.group(tech, start_date=dt.date(2025, 9, 1), end_date=dt.date(2026, 2, 28)),
        "arts": f.group(program(centre, Direction.ARTS), **period),
        "sport": f.group(program(sport, Direction.SPORTS, is_distance=True), **period),
    }
    f.teacher(centre, category="highest")
    f.teacher(centre)
    return {"city": city, "district": district, "groups": groups, "centre": centre}


def workbook(*rows, header=("ОКТМО", "Муниципалитет", "Год", "Детей 5–17 лет")) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    stream = BytesIO()
    book.save(stream)
    return stream.getvalue()


@pytest.fixture
def today_world(world):
    """Two children of the city studying today, one of the district."""
    today = timezone.localdate()
    for group in world["groups"].values():
        if group.end_date > dt.date(2026, 3, 1):
            group.start_date, group.end_date = today - dt.timedelta(days=60), today + dt.timedelta(days=60)
            group.save()
    g = world["groups"]
    enrol(child(world["city"]), g["tech"], on=today - dt.timedelta(days=10))
    enrol(child(world["city"]), g["arts"], on=today - dt.timedelta(days=10))
    enrol(child(world["district"]), g["sport"], on=today - dt.timedelta(days=10))
    for municipality, n in ((world["city"], 100), (world["district"], 50)):
        MunicipalityPopulation.objects.update_or_create(
            municipality=municipality, year=today.year, defaults={"children_5_17": n})
    return world
