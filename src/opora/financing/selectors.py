"""Read-side queries of certificates, periods and certification, shared by the pages,
the exports and the other services of the app.

Who sees what: a parent — the certificates of their children (``certificate_cards``);
the МОЦ operator and the education authority — the rows of their municipality, the РМЦ
— of the region (``scope.territory``); organization staff — the certification of their
own modules.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from opora.accounts import scope
from opora.enrollment import selectors as enrollment_selectors
from opora.enrollment.rules import normalize_name
from opora.errors import NotFound
from opora.financing.models import (
    Certificate,
    CertificateKind,
    CertificateLedger,
    CertificateStatus,
    CertificationStatus,
    Contract,
    FinancingPeriod,
    ModuleCertification,
)
from opora.money import amount

MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


# --- periods -------------------------------------------------------------------------


def current_period(municipality, on: dt.date | None = None) -> FinancingPeriod | None:
    """The municipality's financing period holding the day (today by default)."""
    on = on or timezone.localdate()
    return (FinancingPeriod.objects.filter(municipality=municipality, starts_on__lte=on,
                                           ends_on__gte=on).order_by("starts_on").first())


def next_period(municipality, on: dt.date | None = None) -> FinancingPeriod | None:
    """The municipality's first financing period starting after the day."""
    on = on or timezone.localdate()
    return (FinancingPeriod.objects.filter(municipality=municipality, starts_on__gt=on)
            .order_by("starts_on").first())


def period_warnings(period: FinancingPeriod) -> list[str]:
    """What the payer should look at (not errors: see ``periods`` for the decision)."""
    warnings = []
    needed = period.nominal_money * period.certificates_cap
    if needed > period.budget:
        warnings.append(_("Число сертификатов × номинал (%(needed)s ₽) больше объёма "
                          "финансирования (%(budget)s ₽): если все дети потратят номинал "
                          "полностью, бюджета не хватит.")
                        % {"needed": amount(needed), "budget": amount(period.budget)})
    return warnings


def periods_for(user):
    """The periods of the user's territory, newest first."""
    return (scope.territory(user, FinancingPeriod.objects.select_related("municipality"))
            .order_by("municipality__name", "-starts_on", "pk"))


def period_for(user, pk) -> FinancingPeriod:
    period = periods_for(user).filter(pk=pk).first()
    if period is None:
        raise NotFound(_("Период не найден."))
    return period


# --- certificates: the register -------------------------------------------------------


def _ledger_value(field: str, on: dt.date):
    ledgers = CertificateLedger.objects.filter(
        certificate=OuterRef("pk"), period__starts_on__lte=on, period__ends_on__gte=on)
    return Subquery(ledgers.values(field)[:1], output_field=MONEY_FIELD)


def with_current_ledger(queryset, on: dt.date | None = None, *, paid: bool = True):
    """Certificates annotated with their ledger in the period current on the day
    (``current_nominal``, ``current_committed`` and, unless ``paid`` is false, the sum its
    lines paid, ``current_paid``; None without one): one query however many rows. What is
    reserved is the difference (``reserved_of``), not a second sum of the lines."""
    on = on or timezone.localdate()
    queryset = queryset.annotate(current_nominal=_ledger_value("nominal", on),
                                 current_committed=_ledger_value("committed", on))
    return queryset.annotate(current_paid=_ledger_value("paid", on)) if paid else queryset


def reserved_of(certificate) -> Decimal | None:
    if certificate.current_nominal is None:
        return None
    return certificate.current_committed - certificate.current_paid


def balance_of(certificate) -> Decimal | None:
    if certificate.current_nominal is None:
        return None
    return certificate.current_nominal - certificate.current_committed


def register(user):
    """The certificates of the user's territory with their child and municipality (for
    the staff of an organization acting for the municipality: that municipality's)."""
    certificates = Certificate.objects.select_related("child", "municipality")
    if user.is_authenticated and scope.acting_municipality_id(user) is not None:
        return scope.actionable(user, "financing.certificates", certificates)
    return scope.territory(user, certificates)


FILTER_FIELDS = ("status", "kind", "q", "queue")


def filter_certificates(queryset, params):
    """Filters of the register: status, kind, «in the financing queue», and a search by
    the number (digits) or the child's name."""
    status = params.get("status") or ""
    if status in CertificateStatus.values:
        queryset = queryset.filter(status=status)
    kind = params.get("kind") or ""
    if kind in CertificateKind.values:
        queryset = queryset.filter(kind=kind, status__in=[CertificateStatus.ISSUED,
                                                          CertificateStatus.FROZEN])
    if params.get("queue") in ("1", "on", "true", True):
        queryset = queryset.filter(financing_wanted_at__isnull=False)
    q = (params.get("q") or "").strip()
    if q:
        digits = q.replace(" ", "")
        if digits.isdigit():
            queryset = queryset.filter(number__startswith=digits)
        else:
            for word in normalize_name(q).split():
                queryset = queryset.filter(child__identity_key__contains=word)
    return queryset


def certificate_for(user, pk) -> Certificate:
    certificate = register(user).filter(pk=pk).first()
    if certificate is None:
        raise NotFound(_("Сертификат не найден."))
    return certificate


def queue_position(certificate) -> int | None:
    """The place of an accounting certificate in the municipality's financing queue."""
    if certificate.financing_wanted_at is None:
        return None
    ahead = Certificate.objects.filter(
        municipality_id=certificate.municipality_id, status=CertificateStatus.ISSUED,
        financing_wanted_at__isnull=False).filter(
        Q(financing_wanted_at__lt=certificate.financing_wanted_at)
        | Q(financing_wanted_at=certificate.financing_wanted_at, pk__lt=certificate.pk))
    return ahead.count() + 1


# --- certificates: the parent's cabinet -------------------------------------------------


CONTRACT_RELATED = ("module__program", "organization", "period", "ledger__social_certificate")


def certificate_cards(parent) -> list[dict]:
    """Per child of the parent: the child, its certificate (or None), the ledgers of the
    current and the next period, the contracts paid with it (one more query per child in the financing queue)."""
    today = timezone.localdate()
    kids = list(enrollment_selectors.children_of(parent).select_related("municipality")
                .order_by("last_name", "first_name", "pk"))
    certificates = {c.child_id: c for c in Certificate.objects.filter(
        child_id__in=[k.pk for k in kids]).prefetch_related(
        Prefetch("ledgers", CertificateLedger.objects.select_related("period")
                 .filter(period__ends_on__gte=today).order_by("period__starts_on")),
        Prefetch("contracts", Contract.objects.select_related(*CONTRACT_RELATED)
                 .order_by("-starts_on", "-pk")))}
    municipalities = {k.municipality_id for k in kids}
    periods = list(FinancingPeriod.objects.filter(municipality_id__in=municipalities,
                                                  ends_on__gte=today).order_by("starts_on"))
    cards = []
    for kid in kids:
        own = [p for p in periods if p.municipality_id == kid.municipality_id]
        current = next((p for p in own if p.starts_on <= today), None)
        following = next((p for p in own if p.starts_on > today), None)
        certificate = certificates.get(kid.pk)
        ledgers = {ledger.period_id: ledger for ledger in certificate.ledgers.all()} \
            if certificate else {}
        cards.append({
            "child": kid,
            "certificate": certificate,
            "current_period": current,
            "next_period": following,
            "current_ledger": ledgers.get(current.pk) if current else None,
            "next_ledger": ledgers.get(following.pk) if following else None,
            "contracts": list(certificate.contracts.all()) if certificate else [],
            "queue_position": queue_position(certificate) if certificate else None,
        })
    return cards


# --- certification ---------------------------------------------------------------------


CERTIFICATION_RELATED = ("module__program__organization__municipality", "requested_by",
                         "decided_by")


def certifications(user, status: str = ""):
    """Certification requests of the user's territory (their own organization's for
    staff): awaiting first, oldest first."""
    queryset = scope.territory(user, ModuleCertification.objects.select_related(
        *CERTIFICATION_RELATED))
    if status in CertificationStatus.values:
        queryset = queryset.filter(status=status)
    awaiting_first = Exists(ModuleCertification.objects.filter(
        pk=OuterRef("pk"), status=CertificationStatus.AWAITING))
    return queryset.annotate(awaiting=awaiting_first).order_by(
        F("awaiting").desc(), "requested_at", "pk")


def certification_for(user, pk) -> ModuleCertification:
    found = certifications(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Заявка на сертификацию не найдена."))
    return found
