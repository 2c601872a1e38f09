"""Personified financing of the demo region: each municipality's current and next
financing periods and its parameters of the normative cost, and the modules of the
published programs that take certificates or social certificates, certified at their price (never above the
cap). Certificates and contracts are left to the people trying the demo: a parent
asks for a certificate, the МОЦ issues it, the provider confirms an application."""

import datetime as dt
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from opora.financing import certification
from opora.financing.models import (
    CertificationStatus,
    CostParameters,
    FinancingPeriod,
    ModuleCertification,
)
from opora.registry.choices import FundingSource, ProgramStatus, Register
from opora.registry.models import GroupFunding, Module, Program

# Per child-hour about 200 ₽ in towns and 190 ₽ in the countryside, as municipal
# decrees of the kind set them.
TOWN = {"teacher_pay_per_hour": Decimal("1400.00"), "qualification_coefficient": Decimal("1.200"),
        "staff_development_share": Decimal("0.0500"), "premises_per_hour": Decimal("160.00"),
        "equipment_per_hour": Decimal("76.00"), "average_group_size": Decimal("10.00")}
RURAL = {"teacher_pay_per_hour": Decimal("1300.00"), "qualification_coefficient": Decimal("1.200"),
         "staff_development_share": Decimal("0.0500"), "premises_per_hour": Decimal("120.00"),
         "equipment_per_hour": Decimal("60.00"), "average_group_size": Decimal("8.00")}
NOMINAL = Decimal("30000.00")
CERTIFICATES = 1500


def build_financing(ctx, municipalities: dict) -> int:
    """Periods and cost parameters of every municipality; returns the modules certified."""
    year = ctx.today.year
    for municipality in municipalities.values():
        budget = NOMINAL * CERTIFICATES
        FinancingPeriod.objects.bulk_create([
            FinancingPeriod(municipality=municipality, title=f"ПФДО {year}",
                            starts_on=dt.date(year, 1, 1), ends_on=dt.date(year, 12, 31),
                            budget=budget, certificates_cap=CERTIFICATES, nominal=NOMINAL),
            FinancingPeriod(municipality=municipality, title=f"ПФДО {year + 1}, январь — август",
                            starts_on=dt.date(year + 1, 1, 1), ends_on=dt.date(year + 1, 8, 31),
                            budget=budget * 2 / 3, certificates_cap=CERTIFICATES,
                            nominal=NOMINAL * 2 / 3, fallback_on=dt.date(year + 1, 3, 31)),
        ])
        CostParameters.objects.bulk_create([
            CostParameters(municipality=municipality, is_rural=False, **TOWN),
            CostParameters(municipality=municipality, is_rural=True, **RURAL),
        ])
    return _certify(ctx, municipalities)


def _certify(ctx, municipalities) -> int:
    funded = GroupFunding.objects.filter(
        source__in=(FundingSource.CERTIFICATE, FundingSource.SOCIAL),
        group__module__program__status=ProgramStatus.PUBLISHED,
        group__module__program__organization__municipality__in=municipalities.values())
    prices = {}
    for module_id, total in funded.values_list("group__module_id", "total_price"):
        prices[module_id] = max(prices.get(module_id, Decimal(0)), total)
    modules = Module.objects.select_related("program__organization__municipality").filter(pk__in=prices)
    now = timezone.now()
    rows = []
    for module in modules.order_by("pk"):
        normative, cap, used = certification.compute(module)
        price = min(prices[module.pk] or normative, cap)
        rows.append(ModuleCertification(
            module=module, status=CertificationStatus.CERTIFIED, price=price, normative_cost=normative,
            parameters=used, requested_at=now, decided_at=now))
    ModuleCertification.objects.bulk_create(rows, batch_size=500)
    Program.objects.filter(modules__certification__status=CertificationStatus.CERTIFIED).update(
        registers=F("registers").bitor(int(Register.CERTIFIED)))
    return len(rows)
