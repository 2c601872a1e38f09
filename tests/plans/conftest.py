import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from opora.plans import importing, services
from opora.plans.models import PlanKind

DATA = Path(__file__).parent / "data"
CREATION_PLAN = (DATA / "creation_plan.txt").read_text(encoding="utf-8")


def kind(code="work_plan"):
    return PlanKind.objects.get(code=code)


def make_plan(operator, year=None, code="work_plan", period_kind="calendar"):
    """A plan of last year by default: every month of it is past, whatever today is."""
    year = year or timezone.localdate().year - 1
    return services.create_plan(operator, operator.municipality, kind(code), period_kind, year)


def add_items(operator, plan, text=CREATION_PLAN):
    records = importing.read_text(text)
    preview = services.preview_import(plan, records)
    assert preview.ok, (preview.errors, [row.errors for row in preview.rows])
    return services.import_rows(operator, plan, preview.rows)


def today():
    return timezone.localdate()


def signed(day=None):
    return {"approved_on": (day or today()).isoformat(), "agreed_on": (day or today()).isoformat(),
            "name": "Гречаная Н.М.", "position": "Начальник Управления образования"}


def approve(operator, authority, plan):
    services.send(operator, plan)
    return services.approve(authority, plan, signed())


@pytest.fixture
def plan(operator):
    return make_plan(operator)


@pytest.fixture
def filled(operator, plan):
    add_items(operator, plan)
    return plan


def day(month, dd=1, year=None):
    return dt.date(year or today().year - 1, month, dd)
