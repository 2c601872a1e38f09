"""Certificates used in 0, 1, 2, more contracts in force on D, and the nominal of the
financing periods running on D against what is used: a hand-computed table.

City, D = 15 March 2026 (contracts signed 10 September 2025 and running to 31 May
unless said otherwise):

| certificate | kind, issued | contracts | in force on D |
|---|---|---|---|
| a | financing, Oct 2025 | tech, arts | 2 |
| b | financing, Oct 2025 | tech terminated 1 March; arts refused | 0 |
| c | financing, April 2026 | tech | not issued yet on D |
| d | accounting, Oct 2025 | — | 0 |
| e | financing, Oct 2025 | tech; arts signed 20 March | 1 |
| h | financing, Oct 2025 | tech, arts, second tech | 3 |
| g (district) | financing, Oct 2025 | sport | another territory |

Issued in the city on D: a, b, d, e, h = 5; 0 → 2, 1 → 1, 2 → 1, more → 1; the share
used is 3 / 5 = 60 %. The money of the city's 2025/26 period: nominal 3 × 30,000 =
90,000.00 ₽, used 10,000 + 5,000 + 1,234.56 = 16,234.56 ₽; the ended 2024/25 period and
the district's are outside.
"""

import datetime as dt
from decimal import Decimal

import pytest

from opora.enrollment.models import Application, ApplicationStatus, Channel
from opora.financing.models import (
    CertificateKind,
    CertificateLedger,
    Contract,
    ContractStatus,
    FinancingPeriod,
    SocialCertificate,
)
from opora.monitoring import indicators, presentation
from opora.registry.choices import FundingSource
from tests import factories as f
from tests.monitoring.conftest import D, certificate, child, enrol, moment

pytestmark = pytest.mark.django_db
SEPT = dt.date(2025, 9, 10)
_numbers = iter(range(1, 1000))


def period(municipality, starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 8, 31)):
    return FinancingPeriod.objects.create(
        municipality=municipality, title=f"ПФДО {starts_on.year}", starts_on=starts_on, ends_on=ends_on,
        budget=Decimal("1000000.00"), certificates_cap=100, nominal=Decimal("30000.00"))


def ledger(cert, period_, reserved="0.00", paid="0.00", nominal="30000.00"):
    """A ledger with money committed (what is reserved and what is paid is the same to the
    indicator: both are used)."""
    return CertificateLedger.objects.create(certificate=cert, period=period_, nominal=Decimal(nominal),
                                            committed=Decimal(reserved) + Decimal(paid))


def contract(cert, group, period_, *, signed=SEPT, status=ContractStatus.ACTIVE, terminated=None):
    application = Application.objects.create(
        child=cert.child, group=group, status=ApplicationStatus.ENROLLED, channel=Channel.CABINET,
        enrolled_on=signed, status_changed_at=moment(signed))
    amount = Decimal("9000.00")
    return Contract.objects.create(
        number=f"М-{next(_numbers):05d}", application=application, certificate=cert, period=period_,
        organization=group.module.program.organization, module=group.module, group=group, status=status,
        signed_on=signed, starts_on=signed, ends_on=dt.date(2026, 5, 31), terminated_on=terminated,
        total=amount, normative=amount, certificate_part=amount, parent_part=Decimal("0.00"))


@pytest.fixture
def use(world):
    city, district, groups = world["city"], world["district"], world["groups"]
    tech2 = f.group(groups["tech"].module.program, start_date=dt.date(2025, 9, 1),
                    end_date=dt.date(2026, 5, 31))
    current, old, theirs = period(city), period(city, dt.date(2024, 9, 1), dt.date(2025, 8, 31)), period(district)
    october = dt.date(2025, 10, 1)
    a = certificate(child(city), CertificateKind.FINANCING, october)
    ledger(a, current, reserved="10000.00", paid="5000.00")
    ledger(a, old, nominal="99999.00", paid="99999.00")
    contract(a, groups["tech"], current)
    contract(a, groups["arts"], current)
    b = certificate(child(city), CertificateKind.FINANCING, october)
    ledger(b, current)
    contract(b, groups["tech"], current, terminated=dt.date(2026, 3, 1))
    contract(b, groups["arts"], current, status=ContractStatus.REFUSED)
    c = certificate(child(city), CertificateKind.FINANCING, dt.date(2026, 4, 1))
    contract(c, groups["tech"], current)
    certificate(child(city), CertificateKind.ACCOUNTING, october)  # d
    e = certificate(child(city), CertificateKind.FINANCING, october)
    contract(e, groups["tech"], current)
    contract(e, groups["arts"], current, signed=dt.date(2026, 3, 20))
    h = certificate(child(city), CertificateKind.FINANCING, october)
    ledger(h, current, reserved="1234.56")
    for group in (groups["tech"], groups["arts"], tech2):
        contract(h, group, current)
    g = certificate(child(district), CertificateKind.FINANCING, october)
    ledger(g, theirs, reserved="777.00")
    contract(g, groups["sport"], theirs)
    return world


def test_certificates_by_contracts_in_force_and_the_money_of_the_running_periods(use):
    city = use["city"].pk
    assert indicators.certificate_use(D, city) == {
        "issued": 5, "zero": 2, "one": 1, "two": 1, "more": 1,
        "nominal": "90000.00", "used": "16234.56"}
    region = indicators.certificate_use(D)
    assert (region["issued"], region["one"], region["nominal"], region["used"]) == (6, 2, "120000.00", "17011.56")


def test_the_share_used_is_an_indicator_and_the_page_reads_it_from_the_frozen_values(use):
    values = indicators.compute(D, use["city"].pk)
    assert values["indicators"]["certificates_used"] == {"numerator": 3, "denominator": 5, "value": 60.0}
    shown = presentation.certificate_use(values)
    assert [row["certificates"] for row in shown["rows"]] == [2, 1, 1, 1]
    assert [row["share"] for row in shown["rows"]] == [40.0, 20.0, 20.0, 20.0]
    assert (shown["nominal"], shown["used"], shown["balance"], shown["used_share"]) == (
        Decimal("90000.00"), Decimal("16234.56"), Decimal("73765.44"), Decimal("18.0"))
    # values frozen before these figures were kept show no table
    assert presentation.certificate_use({k: v for k, v in values.items() if k != "certificate_use"}) is None


def test_a_day_before_any_certificate_counts_nothing(use):
    values = indicators.certificate_use(dt.date(2025, 9, 30), use["city"].pk)
    assert values == {"issued": 0, "zero": 0, "one": 0, "two": 0, "more": 0,
                      "nominal": "90000.00", "used": "16234.56"}


def test_coverage_by_funding_tells_certificates_social_certificates_budget_and_paid(use):
    """Each city child of the table above studies on a certificate contract (a child with
    two contracts counts once); besides them one child on a social certificate, one in a
    group with a budget line and one in a group without (paid)."""
    city, groups = use["city"], use["groups"]
    enrol(child(city), groups["tech"])
    paid = f.group(groups["arts"].module.program, start_date=dt.date(2025, 9, 1),
                   end_date=dt.date(2026, 5, 31))
    paid.funding.filter(source=FundingSource.BUDGET).delete()
    enrol(child(city), paid)
    social = child(city)
    SocialCertificate.objects.create(
        number="СС-00001", certificate=certificate(social, CertificateKind.FINANCING, dt.date(2025, 10, 1)),
        application=enrol(social, groups["arts"]), nominal=Decimal("20000.00"),
        period=FinancingPeriod.objects.get(municipality=city, starts_on=dt.date(2025, 9, 1)),
        issued_at=moment(dt.date(2025, 10, 1)))

    rows = indicators.coverage(D, city.pk)["breakdowns"]["funding"]

    assert rows == {FundingSource.CERTIFICATE: 5, FundingSource.SOCIAL: 1, FundingSource.BUDGET: 1,
                    FundingSource.PAID: 1}
