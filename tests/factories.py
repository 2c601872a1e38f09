"""Small builders of valid registry rows for tests. Each takes overrides as keywords."""

import datetime as dt
import itertools
import random
from decimal import Decimal

from opora.accounts.models import Role, User
from opora.registry.choices import Direction, FundingSource, Level, OrganizationKind, ProgramStatus
from opora.registry.identifiers import make_inn
from opora.registry.models import (
    Group,
    GroupFunding,
    Module,
    Municipality,
    Organization,
    Program,
    Region,
    ScheduleLine,
    Teacher,
)

_seq = itertools.count(1)
_rng = random.Random(20261124)


def region(**kw):
    return Region.objects.get_or_create(name=kw.pop("name", "Тестовая область"), defaults=kw)[0]


def municipality(**kw):
    n = next(_seq)
    kw.setdefault("region", region())
    kw.setdefault("name", f"Городской округ № {n}")
    kw.setdefault("oktmo", f"{45000000 + n:08d}")
    return Municipality.objects.create(**kw)


def organization(municipality_=None, **kw):
    n = next(_seq)
    kw.setdefault("full_name", f"Муниципальное бюджетное учреждение дополнительного образования «Центр № {n}»")
    kw.setdefault("short_name", f"МБУ ДО «Центр № {n}»")
    kw.setdefault("inn", make_inn(_rng))
    kw.setdefault("kind", OrganizationKind.SUPPLEMENTARY)
    kw.setdefault("address", f"г. Тестов, ул. Школьная, д. {n}")
    return Organization.objects.create(municipality=municipality_ or municipality(), **kw)


def teacher(organization_, **kw):
    kw.setdefault("last_name", "Иванова")
    kw.setdefault("first_name", "Мария")
    kw.setdefault("patronymic", "Петровна")
    return Teacher.objects.create(organization=organization_, **kw)


def program(organization_=None, **kw):
    kw.setdefault("title", f"Робототехника {next(_seq)}")
    kw.setdefault("direction", Direction.TECHNICAL)
    kw.setdefault("levels", int(Level.START))
    kw.setdefault("age_min", 7)
    kw.setdefault("age_max", 14)
    kw.setdefault("duration_months", 9)
    kw.setdefault("hours_total", 72)
    kw.setdefault("description", "Конструируем и программируем роботов.")
    kw.setdefault("status", ProgramStatus.INITIAL)
    p = Program.objects.create(organization=organization_ or organization(), **kw)
    Module.objects.create(program=p, title=f"{p.title}. 1-й год", hours=p.hours_total)
    return p


def group(program_, **kw):
    today = dt.date.today()
    kw.setdefault("name", f"Группа {next(_seq)}")
    kw.setdefault("start_date", today + dt.timedelta(days=30))
    kw.setdefault("end_date", today + dt.timedelta(days=300))
    kw.setdefault("hours_per_year", 72)
    kw.setdefault("capacity_max", 15)
    kw.setdefault("age_min", program_.age_min)
    kw.setdefault("age_max", program_.age_max)
    g = Group.objects.create(module=program_.modules.first(), **kw)
    ScheduleLine.objects.create(group=g, weekdays=1 | 4, time_from=dt.time(15, 0),
                                time_to=dt.time(16, 30), lesson_minutes=40)
    GroupFunding.objects.create(group=g, source=FundingSource.BUDGET, monthly_price=Decimal(0))
    return g


def user(role=Role.PARENT, **kw):
    kw.setdefault("email", f"user{next(_seq)}@example.org")
    kw.setdefault("last_name", "Петров")
    kw.setdefault("first_name", "Пётр")
    return User.objects.create_user(password=kw.pop("password", "test-pass-123"), role=role, **kw)
