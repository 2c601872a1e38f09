"""The live figures a number field of a data request starts from, on a hand-made table.

Today T. «provider» (city) has a group studying now (12 places) and one that ended (8
places); «studio» (city) has a group studying now (5 places); «other_provider» lives in
the district. Children enrolled with «provider»: Аня (10, city), Боря (10, district),
Вера (3, city: under 5, not covered); Гоша (city) left before T. Teachers of «provider»:
one of the highest category, one without, one no longer working. Contracts of
«provider»: one in force, one terminated yesterday, one refused.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from opora.enrollment.models import Application, ApplicationStatus, Channel, Child, Sex
from opora.financing.models import Certificate, CertificateStatus, Contract, ContractStatus, FinancingPeriod
from opora.surveys import figures
from tests import factories as f

pytestmark = pytest.mark.django_db
S = ApplicationStatus


@pytest.fixture
def table(city, district, provider, studio):
    today = timezone.localdate()
    now = {"start_date": today - dt.timedelta(days=30), "end_date": today + dt.timedelta(days=120)}
    group = f.group(f.program(provider), capacity_max=12, **now)
    f.group(f.program(provider), capacity_max=8, start_date=today - dt.timedelta(days=200),
            end_date=today - dt.timedelta(days=1))
    f.group(f.program(studio), capacity_max=5, **now)

    def child(name, municipality, age):
        return Child.objects.create(last_name=name, first_name="Тест", sex=Sex.FEMALE, municipality=municipality,
                                    birth_date=dt.date(today.year - age - 1, 1, 1), identity_key=name)

    def enrol(kid, status=S.ENROLLED, ended_on=None):
        return Application.objects.create(child=kid, group=group, status=status, channel=Channel.PROVIDER,
                                          enrolled_on=today - dt.timedelta(days=20), ended_on=ended_on,
                                          status_changed_at=timezone.now())

    anya = enrol(child("Аня", city, 10))
    borya = enrol(child("Боря", district, 10))
    enrol(child("Вера", city, 3))
    gosha = enrol(child("Гоша", city, 10), S.EXPELLED, ended_on=today - dt.timedelta(days=2))
    f.teacher(provider, category="highest")
    f.teacher(provider)
    f.teacher(provider, is_active=False)
    period = FinancingPeriod.objects.create(
        municipality=city, title="ПФДО", starts_on=today - dt.timedelta(days=100),
        ends_on=today + dt.timedelta(days=200), budget=Decimal("100000.00"), certificates_cap=10,
        nominal=Decimal("30000.00"))
    amount = Decimal("1000.00")
    for number, (application, extra) in enumerate(((anya, {}), (borya, {"terminated_on": today}),
                                                   (gosha, {"status": ContractStatus.REFUSED}))):
        certificate = Certificate.objects.create(
            child=application.child, municipality=city, status=CertificateStatus.ISSUED,
            number=f"{number:010d}", requested_at=timezone.now(), decided_at=timezone.now())
        Contract.objects.create(
            number=f"Ф-{number}", application=application, certificate=certificate, period=period,
            organization=provider, module=group.module, group=group,
            status=extra.pop("status", ContractStatus.ACTIVE), signed_on=today - dt.timedelta(days=20),
            starts_on=today - dt.timedelta(days=20), ends_on=today + dt.timedelta(days=100),
            total=amount, normative=amount, certificate_part=amount, parent_part=Decimal("0.00"), **extra)


@pytest.mark.parametrize(("prefill", "by_organization", "by_municipality"), [
    ("covered_children", (2, 0, 0), (1, 1)),  # by residence: Аня in the city, Боря in the district
    ("places", (12, 5, 0), (17, 0)),
    ("contracts", (1, 0, 0), (1, 0)),
    ("teachers", (2, 0, 0), (2, 0)),
    ("teachers_categorised", (1, 0, 0), (1, 0)),
])
def test_each_figure_by_organization_and_by_municipality(table, provider, studio, other_provider, city, district,
                                                         prefill, by_organization, by_municipality):
    organizations = (provider.pk, studio.pk, other_provider.pk)
    found = figures.figures(prefill, figures.ORGANIZATION, organizations)
    assert tuple(found[pk] for pk in organizations) == by_organization
    found = figures.figures(prefill, figures.MUNICIPALITY, (city.pk, district.pk))
    assert (found[city.pk], found[district.pk]) == by_municipality
