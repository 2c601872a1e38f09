"""A child studying under an active contract, made through the services, and the groups
of the same program it may move to (docs/domain.md §4, «Switching groups»).

Dates are next year's autumn, so nothing has started or been settled:

- «Осень» — module 1 (price 36,000.00, normative 30,000.00), 1 September – 31 December
  (122 days); the contract runs all of it: total 36,000.00, certificate 30,000.00,
  parent 6,000.00; September 7,377.06 + 1,475.43, October to December 7,540.98 +
  1,508.19 each (d1 = 30, ⌊92/122 × 30,000 / 3⌋ = 7,540.98, ⌊92/122 × 6,000 / 3⌋ =
  1,508.19). The certificate holds 40,000.00, so 10,000.00 stay free.
- «Второй модуль» — module 2 (27,600.00, normative 23,000.00), 1 October – 31 December
  (92 days), one free seat of two.
- «Дешёвая» — module 3 (9,200.00, normative 9,200.00), 1 October – 31 December.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from opora.enrollment import services
from opora.financing import contracts
from opora.financing.models import Contract
from opora.registry.models import Module
from tests.financing.conftest import certificate_only, certify, make_certificate

D = Decimal
Y = timezone.localdate().year + 1
SEP, OCT, NOV, DEC = (dt.date(Y, m, 1) for m in (9, 10, 11, 12))


def module(program, n, price, normative):
    made = Module.objects.create(program=program, year_of_study=n, title=f"{program.title}. Модуль {n}", hours=72)
    certify(made, price=price, normative=normative)
    return made


def in_module(group, module_):
    type(group).objects.filter(pk=group.pk).update(module=module_)
    group.refresh_from_db()
    return group


def studying(parent, child, staff, group):
    """``child`` applied, confirmed and its contract accepted: an active contract."""
    application, _created = services.submit_application(parent, child, group)
    services.confirm_application(staff, application)
    contract = Contract.objects.get(application=application)
    return contracts.accept_contract(parent, contract)


@pytest.fixture
def autumn(certified_program):
    return certificate_only(certified_program, dt.date(Y, 9, 1), dt.date(Y, 12, 31), name="Осень")


@pytest.fixture
def second(certified_program):
    group = certificate_only(certified_program, dt.date(Y, 10, 1), dt.date(Y, 12, 31), name="Второй модуль",
                             capacity_max=2)
    return in_module(group, module(certified_program, 2, D("27600.00"), D("23000.00")))


@pytest.fixture
def cheap(certified_program):
    group = certificate_only(certified_program, dt.date(Y, 10, 1), dt.date(Y, 12, 31), name="Дешёвая")
    return in_module(group, module(certified_program, 3, D("9200.00"), D("9200.00")))


@pytest.fixture
def contract(parent, child, staff, next_period, autumn):
    make_certificate(child, next_period, nominal=D("40000.00"))
    return studying(parent, child, staff, autumn)
