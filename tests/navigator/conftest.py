"""A small catalog with every case the navigator must tell apart: word forms, a
misspelling's target, each filter's values, and programs that must never show."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from opora.registry.choices import Direction, FundingSource, Level, OvzKind, ProgramStatus, SeasonalKind
from opora.registry.models import Group, GroupFunding, ScheduleLine, Specialisation
from tests import factories as f

P = ProgramStatus.PUBLISHED




@pytest.fixture
def api_urls(settings):
    settings.ROOT_URLCONF = "tests.navigator.urls"


def add_group(program, *, sources=((FundingSource.BUDGET, 0),), start_in_days=30, capacity=15,
              enrolment=None, **kw):
    """A group of ``program`` with its financing ``sources`` ((source, monthly price), …)
    and, when ``enrolment`` is (opens, closes), the switch on and that window."""
    today = timezone.localdate()
    kw.setdefault("name", f"Группа {program.pk}-{start_in_days}")
    kw.setdefault("age_min", program.age_min)
    kw.setdefault("age_max", program.age_max)
    if enrolment is not None:
        kw.update(enrolment_open=True, enrolment_from=enrolment[0], enrolment_to=enrolment[1])
    group = Group.objects.create(
        module=program.modules.first(), start_date=today + dt.timedelta(days=start_in_days),
        end_date=today + dt.timedelta(days=start_in_days + 240), hours_per_year=72,
        capacity_max=capacity, **kw)
    ScheduleLine.objects.create(group=group, weekdays=1 | 4, time_from=dt.time(15, 0),
                                time_to=dt.time(16, 30), lesson_minutes=40)
    for source, price in sources:
        GroupFunding.objects.create(group=group, source=source, monthly_price=Decimal(price),
                                    total_price=Decimal(price) * 8)
    return group


def specialisation(name):
    return Specialisation.objects.get(name=name)


@dataclass
class Catalog:
    robotics: object
    robot_club: object
    dance: object
    chess: object
    ecology: object
    english: object
    draft: object
    archived: object
    moderating: object
    of_inactive: object
    city: object
    district: object
    provider: object
    rural_provider: object
    inactive_provider: object

    @property
    def public(self):
        return [self.robotics, self.robot_club, self.dance, self.chess, self.ecology, self.english]

    @property
    def hidden(self):
        return [self.draft, self.archived, self.moderating, self.of_inactive]


@pytest.fixture
def catalog(city, district):
    """Six public programs and four that must never show, with groups and funding."""
    now = timezone.now()
    provider = f.organization(city, short_name="ДДТ «Радуга»", phone="+7 (900) 111-22-33",
                              email="raduga@example.org")
    rural = f.organization(district, short_name="Сельская школа", is_rural=True)
    inactive = f.organization(city, short_name="Закрытый центр", is_active=False)

    robotics = f.program(provider, title="Робототехника", status=P, direction=Direction.TECHNICAL,
                         specialisation=specialisation("Робототехника"), age_min=7, age_max=14,
                         levels=Level.START | Level.BASE,
                         description="Собираем и программируем модели из конструктора.")
    add_group(robotics, sources=[(FundingSource.BUDGET, 0)], start_in_days=10, capacity=12,
              enrolment=(now - dt.timedelta(days=1), now + dt.timedelta(days=10)))
    robot_club = f.program(rural, title="Клуб юных роботов", status=P, direction=Direction.TECHNICAL,
                           age_min=10, age_max=16, levels=Level.ADVANCED, is_distance=True,
                           description="Соревнования и проекты для тех, кто уже умеет паять.")
    add_group(robot_club, sources=[(FundingSource.CERTIFICATE, 1500)], start_in_days=40, capacity=10,
              enrolment=(now + dt.timedelta(days=5), now + dt.timedelta(days=20)))
    dance = f.program(provider, title="Танцевальная студия «Ритм»", status=P, direction=Direction.ARTS,
                      specialisation=specialisation("Хореография"), age_min=5, age_max=12,
                      levels=Level.START, description="Современная хореография и сценическое движение.")
    add_group(dance, sources=[(FundingSource.PAID, 2000)], start_in_days=20, capacity=20,
              enrolment=(None, None))
    chess = f.program(rural, title="Шахматы для начинающих", status=P, direction=Direction.SPORTS,
                      specialisation=specialisation("Шахматы"), age_min=6, age_max=10,
                      levels=Level.START, ovz_kinds=OvzKind.SPEECH, seasonal_kind=SeasonalKind.SUMMER_SCHOOL,
                      description="Дебюты, эндшпиль и турниры.")
    add_group(chess, sources=[(FundingSource.BUDGET, 0), (FundingSource.PAID, 900)], start_in_days=5)
    ecology = f.program(provider, title="Юный эколог", status=P, direction=Direction.NATURAL_SCIENCE,
                        age_min=8, age_max=12, levels=Level.BASE, study_form="mixed", is_network=True,
                        description="Наблюдаем за природой родного края.")
    ecology.partners.set([rural])
    add_group(ecology, sources=[(FundingSource.CERTIFICATE, 800), (FundingSource.PRIVATE, 1200)],
              start_in_days=60, capacity=8)
    english = f.program(provider, title="Английский язык", status=P, direction=Direction.SOCIAL,
                        age_min=9, age_max=15, levels=Level.BASE | Level.ADVANCED,
                        is_for_disabled=True, description="Разговорный английский в игре.")

    draft = f.program(provider, title="Робототехника: черновик", status=ProgramStatus.INITIAL)
    add_group(draft)
    archived = f.program(provider, title="Робототехника прошлых лет", status=ProgramStatus.ARCHIVE)
    add_group(archived)
    moderating = f.program(provider, title="Танцы на модерации", status=ProgramStatus.MODERATING,
                           direction=Direction.ARTS)
    add_group(moderating)
    of_inactive = f.program(inactive, title="Робототехника закрытого центра", status=P)
    add_group(of_inactive)
    return Catalog(robotics, robot_club, dance, chess, ecology, english, draft, archived, moderating,
                   of_inactive, city, district, provider, rural, inactive)
