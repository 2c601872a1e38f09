"""Fixtures of the settlement tests (a period over the school year 2026/27, two
children's certificates, three certified groups and two contracts), shared by the
modules that test the monthly run and its preview: import them into a test module."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.enrollment.conftest import add_child, open_group
from tests.financing.conftest import NOV, OCT, make_certificate, make_contract, make_period, on_day

D = Decimal


@pytest.fixture(autouse=True)
def _after_october(monkeypatch):
    """Tests stand on 5 November 2026 unless they choose another day."""
    on_day(monkeypatch, dt.date(2026, 11, 5))


@pytest.fixture
def period(city):
    return make_period(city, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 8, 31))


@pytest.fixture
def second_child(parent):
    return add_child(parent, first_name="Борис", last_name="Смирнов", patronymic="Игоревич")


@pytest.fixture
def second_certificate(second_child, period):
    return make_certificate(second_child, period)


@pytest.fixture
def groups(certified_program):
    return [open_group(certified_program, name=f"Группа ПФДО {i}") for i in range(3)]


@pytest.fixture
def two_contracts(certificate, second_certificate, groups, period):
    """A: 4,000.00 in October and in November; B: 3,333.33 in October, 3,333.34 in November."""
    a = make_contract(certificate, groups[0], period, {OCT: D("4000.00"), NOV: D("4000.00")})
    b = make_contract(second_certificate, groups[1], period, {OCT: D("3333.33"), NOV: D("3333.34")})
    return a, b
