"""A school year ending and the next one planned, for the prolongation tests: the city's
current period (September–August, holding today) and its next period, a two-year
program whose second module is certified (36,000 ₽ the group, normative cost 30,000 ₽),
this year's group of the first module and next autumn's group of the second
(1 September – 31 December, 122 days), and children studying in this year's group under
active contracts (built directly), each certificate with a ledger of 30,000 ₽ in both
periods."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from opora.financing.models import CertificateLedger, FinancingPeriod
from opora.registry.choices import ProgramStatus
from opora.registry.models import Group, Module
from tests import factories as f
from tests.concurrency import families
from tests.financing.conftest import certificate_only, certify, make_certificate, make_contract, make_period

D = Decimal
TODAY = timezone.localdate()
S = TODAY.year if TODAY.month >= 9 else TODAY.year - 1  # the school year under way started in S
NEW_START = dt.date(S + 1, 9, 1)


BUDGET = D("1000000.00")


def school_years(city, *, budget=BUDGET):
    current = make_period(city, title=f"ПФДО {S}/{S + 1}", starts_on=dt.date(S, 9, 1),
                          ends_on=dt.date(S + 1, 8, 31))
    new = make_period(city, title=f"ПФДО {S + 1}/{S + 2}", starts_on=NEW_START,
                      ends_on=dt.date(S + 2, 8, 31), budget=budget)
    return current, new


def two_year_program(provider, title="Робототехника ПФДО"):
    program = f.program(provider, status=ProgramStatus.PUBLISHED, title=title)
    first = program.modules.get()
    second = Module.objects.create(program=program, year_of_study=2, title=f"{title}. 2-й год", hours=72)
    certify(first)
    certify(second, price=D("36000.00"), normative=D("30000.00"))
    this_year = certificate_only(program, dt.date(S, 9, 1), dt.date(S + 1, 5, 31), name="Роботы-1",
                                 capacity_max=30)
    next_year = certificate_only(program, NEW_START, dt.date(S + 1, 12, 31), name="Роботы-2",
                                 capacity_max=30)
    Group.objects.filter(pk=next_year.pk).update(module=second)
    next_year.refresh_from_db()
    return program, this_year, next_year


def studying(child, group, current, new, *, nominal_next=None):
    """``child`` studying in ``group`` under an active contract of ``current``, its
    certificate with a ledger in ``new`` too."""
    certificate = make_certificate(child, current)
    CertificateLedger.objects.create(certificate=certificate, period=new,
                                     nominal=new.nominal if nominal_next is None else nominal_next)
    FinancingPeriod.objects.filter(pk=new.pk).update(financing_places=new.financing_places + 1)
    new.refresh_from_db()
    months = {dt.date(S, 9, 1): D("3000.00"), dt.date(S, 10, 1): D("3000.00")}
    return make_contract(certificate, group, current, months)


def class_of(n, city, group, current, new):
    """``n`` families, each child studying in ``group``; returns (parent, contract)."""
    return [(parent, studying(child, group, current, new)) for parent, child in families(n, city)]
