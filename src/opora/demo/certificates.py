"""Certificates of the demo children, as the financing services would have left them:
financing certificates holding a place (and a ledger with the period's nominal) in the
current and the next financing period, accounting certificates, requests waiting for
the МОЦ and one frozen certificate per municipality. No contracts are made, so every
ledger is untouched (nothing reserved or paid) and the periods' committed sums stay 0."""

import datetime as dt
from collections import defaultdict

from opora import audit
from opora.demo.draw import deterministic_uuid, weighted
from opora.demo.history import given_timestamps
from opora.enrollment.models import Child, Guardianship
from opora.financing import certificates as services
from opora.financing.models import (
    Certificate,
    CertificateKind,
    CertificateLedger,
    CertificateStatus,
    FinancingPeriod,
)

SHARES = {"financing": 45, "accounting": 20, "requested": 4, "none": 31}
FREEZE_REASON = "Ребёнок выбыл за пределы муниципалитета: выясняются обстоятельства."


def build_certificates(ctx, municipalities: dict, operators: dict, demo_children) -> dict:
    rng = ctx.rng("certificates")
    periods = {}
    for key, municipality in municipalities.items():
        rows = list(FinancingPeriod.objects.filter(municipality=municipality).order_by("starts_on"))
        current = next((p for p in rows if p.starts_on <= ctx.today <= p.ends_on), None)
        following = next((p for p in rows if p.starts_on > ctx.today), None)
        periods[municipality.pk] = (key, current, following)
    guardians = {}
    in_region = {"municipality__in": list(municipalities.values())}
    children = list(Child.objects.filter(**in_region).select_related("municipality").order_by("pk"))
    # the first guardian of each child (the one who registered it)
    for link in (Guardianship.objects.filter(**{f"child__{k}": v for k, v in in_region.items()})
                 .select_related("parent").order_by("-pk")):
        guardians[link.child_id] = link.parent
    places = defaultdict(int)
    serials = defaultdict(int)
    certificates, ledgers, events, frozen_done = [], [], [], set()
    demo_ids = {c.pk for c in demo_children}
    for child in children:
        kind = "financing" if child.pk in demo_ids else weighted(rng, SHARES)
        if kind == "none" or child.pk not in guardians:
            continue
        key, current, following = periods[child.municipality_id]
        requested = max(child.created_at + dt.timedelta(days=rng.randint(0, 20)),
                        ctx.now - dt.timedelta(days=rng.randint(1, 400)))
        requested = min(requested, ctx.now - dt.timedelta(hours=rng.randint(2, 48)))
        certificate = Certificate(uuid=deterministic_uuid(rng), child=child,
                                  municipality_id=child.municipality_id,
                                  requested_by=guardians[child.pk], requested_at=requested,
                                  wants_financing=kind != "accounting",
                                  created_at=requested, updated_at=requested)
        events.append((guardians[child.pk], "financing.certificate.requested", certificate,
                       {"at": requested, "to_state": CertificateStatus.REQUESTED,
                        "wants_financing": certificate.wants_financing}))
        certificates.append(certificate)
        if kind == "requested":
            continue
        if kind == "financing" and (current is None or places[current.pk] >= current.certificates_cap):
            kind = "accounting"
        prefix = services.number_prefix(child.municipality)
        serials[prefix] += 1
        decided = min(requested + dt.timedelta(days=rng.randint(1, 5), minutes=rng.randint(5, 300)),
                      ctx.now - dt.timedelta(minutes=30))
        certificate.number = f"{prefix}{serials[prefix]:0{10 - len(prefix)}d}"
        certificate.valid_until = services.valid_until(child.birth_date)
        certificate.status = CertificateStatus.ISSUED
        certificate.decided_by = operators[key]
        certificate.decided_at = certificate.updated_at = decided
        certificate.kind = CertificateKind.FINANCING if kind == "financing" else CertificateKind.ACCOUNTING
        ledger_periods = []
        if kind == "financing":
            for period in (current, following):
                if period is not None and places[period.pk] < period.certificates_cap \
                        and certificate.valid_until >= period.starts_on:
                    places[period.pk] += 1
                    ledger_periods.append(period)
        events.append((operators[key], "financing.certificate.issued", certificate,
                       {"at": decided, "from_state": CertificateStatus.REQUESTED,
                        "to_state": CertificateStatus.ISSUED, "number": certificate.number,
                        "kind": certificate.kind, "queued": False,
                        "period": current.pk if kind == "financing" else None}))
        frozen = (kind == "financing" and child.pk not in demo_ids
                  and key not in frozen_done and rng.random() < 0.05)
        for period in ledger_periods:
            ledgers.append(CertificateLedger(certificate=certificate, period=period,
                                             nominal=0 if frozen else period.nominal_money,
                                             frozen_nominal=period.nominal_money if frozen else None))
        if frozen:
            frozen_done.add(key)
            certificate.status = CertificateStatus.FROZEN
            certificate.reason = FREEZE_REASON
            at = min(decided + dt.timedelta(days=rng.randint(5, 60)), ctx.now - dt.timedelta(minutes=5))
            certificate.updated_at = at
            events.append((operators[key], "financing.certificate.frozen", certificate,
                           {"at": at, "from_state": CertificateStatus.ISSUED,
                            "to_state": CertificateStatus.FROZEN, "reason": FREEZE_REASON,
                            "balances": {str(p.pk): str(p.nominal_money) for p in ledger_periods},
                            "rejected_applications": []}))
    with given_timestamps(Certificate):
        Certificate.objects.bulk_create(certificates, batch_size=500)
    for ledger in ledgers:
        ledger.certificate_id = ledger.certificate.pk
    CertificateLedger.objects.bulk_create(ledgers, batch_size=500)
    for period_id, count in places.items():
        FinancingPeriod.objects.filter(pk=period_id).update(financing_places=count)
    audit.record_many(audit.event(actor, action, target, **data)
                      for actor, action, target, data in events)
    return {"certificates": len(certificates)}
