"""Certificates of personified financing (docs/domain.md §4): a parent's request, the МОЦ's
issue or refusal, freezing and unfreezing, the financing queue and the fallback of
unused financing certificates to accounting.

Use cases (``actor`` is the acting user):

- ``request_certificate(parent, child, wants_financing=True) -> (Certificate, created)`` —
  a confirmed guardian asks for the certificate of a child aged 5–17. One certificate
  per child ever: a live one (requested, issued, frozen) is returned as it is
  (``created`` False); a refused one is asked again on the same row (``created`` True).
- ``ask_for_financing(parent, certificate) -> Certificate`` — the guardian of a child
  with an issued accounting certificate joins the financing queue.
- ``issue_certificate(actor, certificate)`` — the МОЦ operator of the child's
  municipality (``financing.certificates``) confirms the identity: the certificate gets
  its number and its validity (to the day before the 18th birthday) and becomes a
  financing certificate when the parent wants financing and the current period has a
  free place, else an accounting one (in the queue when financing was wanted).
- ``refuse_certificate(actor, certificate, reason)``,
  ``freeze_certificate(actor, certificate, reason)``,
  ``unfreeze_certificate(actor, certificate, reason="")`` — the МОЦ operator.
- ``serve_financing_queue(period, actor=None) -> list[Certificate]`` — gives the
  period's free places away; call it whenever a place frees.
- ``fallback_unused(today=None) -> int`` — the scheduled task (``opora
  certificates_fallback``).

Numbers. A number is 10 digits: a prefix, then a serial zero-padded to the remaining
width, counted per prefix. The prefix is the setting ``OPORA_CERTIFICATE_PREFIX``, a
``str.format`` pattern with ``oktmo`` (the municipality's ОКТМО code); the default
``"{oktmo:.2}"`` is the first two ОКТМО digits — the region — so numbers read
``45`` + ``00000001``. ``"{oktmo:.5}"`` would count per municipality (5 + 5 digits),
``""`` gives plain 10-digit serials. The prefix must come out as 0–8 digits. Because
several municipalities may share a prefix, the serial is allocated under a lock on the
prefix (a transaction-scoped advisory lock on PostgreSQL; SQLite serializes writers
with ``BEGIN IMMEDIATE``), as the next after the highest number already given; the
unique constraint on the number is the last line of defence. A number, once given, is
never changed: the services never write ``number`` again.

Financing places. ``FinancingPeriod.financing_places`` counts the financing
certificates holding a place in a period; a place is taken with one conditional
UPDATE (``financing_places < certificates_cap``), so two issues can never take the last
place twice. A financing certificate has a ledger (``CertificateLedger``) in every period
it holds a place in; its nominal is the period's nominal in roubles.

Which certificates a period's free places go to (``serve_financing_queue``), in order:
first the financing certificates of the municipality that have no place in this period
yet (a financing certificate continues into the next period; once the period has
started, only those holding no place in any period that has not ended), then — only
once the period has started — the accounting certificates in the financing queue,
oldest ``financing_wanted_at`` first; they become financing certificates. Certificates that are
frozen, or whose validity ends before the period starts, are passed over.

Fallback. When a period's ``fallback_on`` has passed, a financing certificate with no
contract paid from its ledger in that period (none that is not refused; a contract on a
social certificate does not count) gives its place back: its ledger in the period is
deleted and the period's place count drops. It becomes an accounting certificate (out of
the queue) unless it still holds a place in a period that has not ended. The task then
serves the queues of the municipalities' current periods. It is set-based and
idempotent: a second run finds nothing to do.

Freezing keeps the balance of every ledger of the certificate in ``frozen_nominal`` and
cuts the nominal to what is committed (reserved and paid), so the balance is zero (the ledgers of the
child's social certificates are their services' own and stay as they are); the child's applications that have
not become studies are rejected «в связи с заморозкой сертификата». The certificate keeps
its places. Unfreezing restores the nominals.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking, logs
from opora.accounts import scope
from opora.enrollment import seats
from opora.enrollment import selectors as enrollment_selectors
from opora.enrollment import services as enrollment_services
from opora.enrollment.models import Application, ApplicationStatus, Child
from opora.enrollment.rules import age_on
from opora.errors import InvalidTransition, NotFound, ValidationFailed
from opora.financing import selectors
from opora.financing.models import (
    Certificate,
    CertificateKind,
    CertificateLedger,
    CertificateStatus,
    Contract,
    ContractStatus,
    FinancingPeriod,
    PeriodFallback,
)
from opora.registry.models import Municipality

K = CertificateKind
log = logging.getLogger(__name__)
S = CertificateStatus

MIN_AGE, MAX_AGE = 5, 17
NUMBER_LENGTH = 10
MAX_PREFIX_LENGTH = 8
DEFAULT_PREFIX = "{oktmo:.2}"
PENDING_APPLICATIONS = (ApplicationStatus.NEW, ApplicationStatus.WAITLISTED,
                        ApplicationStatus.AWAITING_CONTRACT)


def freeze_reason() -> str:
    """The reason the child's pending applications are rejected with when freezing."""
    return _("в связи с заморозкой сертификата")


# --- helpers -------------------------------------------------------------------------


def _required(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed({field: [message]})
    return text


def _loaded(certificate: Certificate) -> Certificate:
    """The certificate with its child and municipality, fresh."""
    found = Certificate.objects.select_related("child", "municipality").filter(
        pk=certificate.pk).first()
    if found is None:
        raise NotFound(_("Сертификат не найден."))
    return found


def _locked(certificate: Certificate) -> Certificate:
    """Lock the certificate's row and re-read it (its child and municipality attached)."""
    fresh = locking.row(Certificate, certificate.pk)
    fresh.child = certificate.child
    fresh.municipality = certificate.municipality
    return fresh


def _refuse(certificate: Certificate, verb: str):
    raise InvalidTransition(_("Сертификат в статусе «%(status)s» нельзя %(verb)s.") % {
        "status": certificate.get_status_display(), "verb": verb})


def eighteenth_birthday(birth_date: dt.date) -> dt.date:
    """The 18th birthday; someone born on 29 February comes of age on 1 March."""
    try:
        return birth_date.replace(year=birth_date.year + 18)
    except ValueError:
        return dt.date(birth_date.year + 18, 3, 1)


def valid_until(birth_date: dt.date) -> dt.date:
    """A certificate is valid until the day before the 18th birthday."""
    return eighteenth_birthday(birth_date) - dt.timedelta(days=1)


def age_refusal(child: Child, on: dt.date | None = None) -> str:
    """Why the child may not have a certificate today because of its age, or ''."""
    age = age_on(child.birth_date, on or timezone.localdate())
    if age < MIN_AGE or age > MAX_AGE:
        return _("Сертификат выдаётся детям от %(min)s до %(max)s лет; ребёнку %(age)s.") % {
            "min": MIN_AGE, "max": MAX_AGE, "age": age}
    return ""


# --- numbers -------------------------------------------------------------------------


def number_prefix(municipality: Municipality) -> str:
    """The prefix of the municipality's certificate numbers (see the module docstring)."""
    pattern = getattr(settings, "OPORA_CERTIFICATE_PREFIX", DEFAULT_PREFIX)
    try:
        prefix = pattern.format(oktmo=municipality.oktmo)
    except (KeyError, IndexError, ValueError) as error:
        raise ImproperlyConfigured(f"OPORA_CERTIFICATE_PREFIX {pattern!r}: {error}") from None
    if not (prefix == "" or prefix.isdigit()) or not prefix.isascii() \
            or len(prefix) > MAX_PREFIX_LENGTH:
        raise ImproperlyConfigured(
            f"OPORA_CERTIFICATE_PREFIX {pattern!r} gives {prefix!r}: "
            f"the prefix must be 0–{MAX_PREFIX_LENGTH} digits")
    return prefix


def _lock_prefix(prefix: str) -> None:
    """Serialize the allocation of numbers with one prefix (PostgreSQL; SQLite
    transactions already exclude each other). The prefix may be empty: the key is not."""
    locking.advisory("certificate-numbers", f"prefix:{prefix}")


def allocate_number(municipality: Municipality) -> str:
    """The next free number with the municipality's prefix; call inside the transaction
    that stores it."""
    prefix = number_prefix(municipality)
    width = NUMBER_LENGTH - len(prefix)
    _lock_prefix(prefix)
    last = (Certificate.objects
            .filter(number__gte=prefix + "0" * width, number__lte=prefix + "9" * width)
            .order_by("-number").values_list("number", flat=True).first())
    serial = int(last[len(prefix):]) + 1 if last else 1
    if serial >= 10 ** width:
        raise ValidationFailed({"number": [
            _("Номера сертификатов с префиксом %(prefix)s закончились: обратитесь к "
              "администратору системы.") % {"prefix": prefix}]})
    return f"{prefix}{serial:0{width}d}"


# --- financing places ----------------------------------------------------------------


def take_place(period: FinancingPeriod, count: int = 1) -> bool:
    """Take ``count`` financing places of the period at once, or none: one conditional
    UPDATE, so the cap can never be passed by concurrent requests (unless a race test's
    control turned the guard off: ``locking.unguarded("financing-places")``)."""
    with connection.cursor() as cursor:
        if locking.guarded("financing-places"):
            cursor.execute(
                "UPDATE financing_financingperiod SET financing_places = financing_places + %s "
                "WHERE id = %s AND financing_places + %s <= certificates_cap",
                [count, period.pk, count])
            return cursor.rowcount == 1
        # The race tests' control: read, decide, write back — the lost update.
        cursor.execute("SELECT financing_places, certificates_cap FROM financing_financingperiod "
                       "WHERE id = %s", [period.pk])
        places, cap = cursor.fetchone()
        if places + count > cap:
            return False
        cursor.execute("UPDATE financing_financingperiod SET financing_places = %s WHERE id = %s",
                       [places + count, period.pk])
        return True


def _open_ledger(certificate: Certificate, period: FinancingPeriod) -> CertificateLedger:
    return CertificateLedger.objects.create(certificate=certificate, period=period,
                                            nominal=period.nominal_money)


def _audit_rows(actor, action, certificates, *, from_state="", to_state="", reason="", **data):
    """Audit events of many certificates in one INSERT (set-based paths)."""
    audit.record_many(audit.event(actor, action, c, from_state=from_state, to_state=to_state,
                                  reason=reason, **data) for c in certificates)


# --- request -------------------------------------------------------------------------


def request_certificate(parent, child: Child, wants_financing: bool = True) -> tuple[Certificate, bool]:
    """A confirmed guardian asks for the certificate of a child aged 5–17; a live
    certificate is returned as it is, a refused request is asked again on its row.
    Returns the certificate and whether this call filed the request."""
    if not enrollment_selectors.is_guardian(parent, child):
        raise NotFound(_("Ребёнок не найден."), field="child")
    child = Child.objects.select_related("municipality").get(pk=child.pk)
    refusal = age_refusal(child)
    existing = Certificate.objects.filter(child=child).first()
    if existing is not None and existing.status != S.REFUSED:
        return existing, False
    if refusal:
        raise ValidationFailed({"child": [refusal]})
    now = timezone.now()
    try:
        with transaction.atomic():
            certificate = locking.first(Certificate.objects.filter(child=child))
            if certificate is not None and certificate.status != S.REFUSED:
                return certificate, False
            before = certificate.status if certificate else ""
            if certificate is None:
                certificate = Certificate(child=child)
            certificate.municipality = child.municipality
            certificate.status = S.REQUESTED
            certificate.wants_financing = bool(wants_financing)
            certificate.requested_by = parent
            certificate.requested_at = now
            certificate.decided_by = None
            certificate.decided_at = None
            certificate.reason = ""
            certificate.save()
            audit.record(parent, "financing.certificate.requested", certificate,
                         from_state=before, to_state=S.REQUESTED,
                         wants_financing=certificate.wants_financing)
    except IntegrityError:
        # Another request for this child won the race: one certificate per child.
        certificate = Certificate.objects.filter(child=child).first()
        if certificate is None:
            raise
        return certificate, False
    return certificate, True


def ask_for_financing(parent, certificate: Certificate) -> Certificate:
    """The guardian of a child with an issued accounting certificate asks for financing:
    the certificate joins the queue and gets a place at once if one is free."""
    certificate = _loaded(certificate)
    if not enrollment_selectors.is_guardian(parent, certificate.child):
        raise NotFound(_("Сертификат не найден."))
    with transaction.atomic():
        fresh = _locked(certificate)
        if fresh.status != S.ISSUED or fresh.kind != K.ACCOUNTING:
            raise InvalidTransition(_("Встать в очередь на финансирование может только выданный "
                                      "сертификат учёта."))
        if fresh.financing_wanted_at is not None:
            return fresh
        fresh.wants_financing = True
        fresh.financing_wanted_at = timezone.now()
        fresh.save(update_fields=["wants_financing", "financing_wanted_at", "updated_at"])
        audit.record(parent, "financing.certificate.queued", fresh, to_state=fresh.status)
        period = selectors.current_period(fresh.municipality)
        if period is not None:
            serve_financing_queue(period, actor=parent)
    fresh.refresh_from_db()
    return fresh


# --- decisions of the МОЦ ------------------------------------------------------------


def issue_certificate(actor, certificate: Certificate) -> Certificate:
    """The МОЦ operator issues a requested certificate: a new immutable number, valid to
    the day before the 18th birthday, financing if wanted and a place is free in the
    current period (else accounting, in the queue when financing was wanted)."""
    certificate = _loaded(certificate)
    scope.require(actor, "financing.certificates", certificate)
    today = timezone.localdate()
    with locking.atomic():
        fresh = _locked(certificate)
        if fresh.status != S.REQUESTED:
            _refuse(fresh, _("выдать"))
        until = valid_until(fresh.child.birth_date)
        if until < today:
            raise InvalidTransition(_("Ребёнку уже исполнилось 18 лет: сертификат не выдаётся."))
        now = timezone.now()
        fresh.number = allocate_number(fresh.municipality)
        fresh.valid_until = until
        fresh.status = S.ISSUED
        fresh.decided_by = actor
        fresh.decided_at = now
        fresh.reason = ""
        fresh.kind = K.ACCOUNTING
        fresh.financing_wanted_at = None
        period = selectors.current_period(fresh.municipality, today) if fresh.wants_financing \
            else None
        if period is not None and take_place(period):
            fresh.kind = K.FINANCING
        elif fresh.wants_financing:
            fresh.financing_wanted_at = now
        fresh.save()
        if fresh.kind == K.FINANCING:
            period.refresh_from_db()
            _open_ledger(fresh, period)
        audit.record(actor, "financing.certificate.issued", fresh, from_state=S.REQUESTED,
                     to_state=S.ISSUED, number=fresh.number, kind=fresh.kind,
                     queued=fresh.financing_wanted_at is not None,
                     period=period.pk if fresh.kind == K.FINANCING else None)
        logs.state_change(log, "certificate.issued", certificate=fresh.pk, child=fresh.child_id,
                          municipality=fresh.municipality_id, kind=fresh.kind,
                          period=period.pk if fresh.kind == K.FINANCING else None)
        if fresh.kind == K.FINANCING:
            following = selectors.next_period(fresh.municipality, today)
            if following is not None:
                serve_financing_queue(following, actor=actor)
    fresh.refresh_from_db()
    return fresh


def refuse_certificate(actor, certificate: Certificate, reason: str) -> Certificate:
    """The МОЦ operator refuses a request, with a reason the parent reads."""
    reason = _required(reason, "reason", _("Укажите причину отказа."))
    certificate = _loaded(certificate)
    scope.require(actor, "financing.certificates", certificate)
    with transaction.atomic():
        fresh = _locked(certificate)
        if fresh.status != S.REQUESTED:
            _refuse(fresh, _("отклонить"))
        fresh.status = S.REFUSED
        fresh.reason = reason
        fresh.decided_by = actor
        fresh.decided_at = timezone.now()
        fresh.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])
        audit.record(actor, "financing.certificate.refused", fresh, from_state=S.REQUESTED,
                     to_state=S.REFUSED, reason=reason)
    return fresh


def freeze_certificate(actor, certificate: Certificate, reason: str) -> Certificate:
    """The МОЦ operator freezes an issued certificate: its balances are kept aside and
    cut to zero, and the child's pending applications are rejected."""
    reason = _required(reason, "reason", _("Укажите причину заморозки."))
    certificate = _loaded(certificate)
    scope.require(actor, "financing.certificates", certificate)
    with locking.atomic():
        # The lock order of every money path: groups, applications, then the certificate,
        # its ledgers and the period — the groups of the pending applications first.
        seats.lock_groups(Application.objects.filter(
            child_id=certificate.child_id, status__in=PENDING_APPLICATIONS).values_list("group_id", flat=True))
        fresh = _locked(certificate)
        if fresh.status != S.ISSUED:
            _refuse(fresh, _("заморозить"))
        fresh.status = S.FROZEN
        fresh.reason = reason
        fresh.save(update_fields=["status", "reason", "updated_at"])
        # Applications first: ending one may release money reserved for its contract,
        # and the frozen nominal must be taken after that.
        rejected = []
        pending = Application.objects.filter(child_id=fresh.child_id,
                                             status__in=PENDING_APPLICATIONS).order_by("pk")
        for application in pending.select_related(*enrollment_selectors.APPLICATION_RELATED):
            enrollment_services.reject_for_certificate(actor, application, freeze_reason())
            rejected.append(application.pk)
        balances = {}
        for ledger in locking.rows(CertificateLedger.objects.filter(certificate=fresh)):
            balances[str(ledger.period_id)] = str(ledger.balance)
            ledger.frozen_nominal = ledger.nominal
            ledger.nominal = ledger.committed
            ledger.save(update_fields=["frozen_nominal", "nominal"])
        audit.record(actor, "financing.certificate.frozen", fresh, from_state=S.ISSUED,
                     to_state=S.FROZEN, reason=reason, balances=balances,
                     rejected_applications=rejected)
    return fresh


def unfreeze_certificate(actor, certificate: Certificate, reason: str = "") -> Certificate:
    """The МОЦ operator unfreezes a certificate: the nominals kept at freezing return."""
    reason = (reason or "").strip()
    certificate = _loaded(certificate)
    scope.require(actor, "financing.certificates", certificate)
    with transaction.atomic():
        fresh = _locked(certificate)
        if fresh.status != S.FROZEN:
            _refuse(fresh, _("разморозить"))
        fresh.status = S.ISSUED
        fresh.reason = ""
        fresh.save(update_fields=["status", "reason", "updated_at"])
        for ledger in locking.rows(CertificateLedger.objects.filter(certificate=fresh,
                                                                    frozen_nominal__isnull=False)):
            ledger.nominal = ledger.frozen_nominal
            ledger.frozen_nominal = None
            ledger.save(update_fields=["frozen_nominal", "nominal"])
        audit.record(actor, "financing.certificate.unfrozen", fresh, from_state=S.FROZEN,
                     to_state=S.ISSUED, reason=reason)
    return fresh


# --- the financing queue -------------------------------------------------------------


def _has_ledger_in(period):
    return Exists(CertificateLedger.objects.filter(certificate=OuterRef("pk"), period=period))


def serve_financing_queue(period: FinancingPeriod, actor=None) -> list[Certificate]:
    """Give the period's free financing places away (see the module docstring for the
    order): a ledger with the period's nominal for each, accounting certificates from
    the queue become financing ones. Returns the certificates served."""
    today = timezone.localdate()
    with locking.atomic():
        period = locking.row(FinancingPeriod, period.pk)
        free = period.certificates_cap - period.financing_places
        if free <= 0 or period.ends_on < today:
            return []
        waiting = Q(kind=K.FINANCING)
        if period.starts_on <= today:
            # Once the period runs, a financing certificate placed in a period that has
            # not ended (one that fell back here but holds a later place) does not come
            # back; the queue is served.
            placed = Exists(CertificateLedger.objects.filter(certificate=OuterRef("pk"),
                                                             period__ends_on__gte=today))
            waiting = (Q(kind=K.FINANCING) & ~placed) | Q(kind=K.ACCOUNTING,
                                                           financing_wanted_at__isnull=False)
        candidates = locking.rows(
            Certificate.objects.filter(waiting, municipality_id=period.municipality_id,
                                       status=S.ISSUED, valid_until__gte=period.starts_on)
            .filter(~_has_ledger_in(period))
            # Financing certificates (continuing into the period) have no queue time:
            # they come first, then the queue, oldest first.
            .order_by(F("financing_wanted_at").asc(nulls_first=True), "pk")[:free], keep_order=True)
        if not candidates or not take_place(period, len(candidates)):
            return []
        nominal = period.nominal_money
        CertificateLedger.objects.bulk_create([
            CertificateLedger(certificate=c, period=period, nominal=nominal) for c in candidates])
        from_queue = [c for c in candidates if c.kind == K.ACCOUNTING]
        continuing = [c for c in candidates if c.kind == K.FINANCING]
        if from_queue:
            Certificate.objects.filter(pk__in=[c.pk for c in from_queue]).update(
                kind=K.FINANCING, financing_wanted_at=None, updated_at=timezone.now())
            _audit_rows(actor, "financing.certificate.financed", from_queue, period=period.pk,
                        kind_before=K.ACCOUNTING, kind_after=K.FINANCING, nominal=str(nominal))
            for c in from_queue:
                c.kind, c.financing_wanted_at = K.FINANCING, None
        if continuing:
            _audit_rows(actor, "financing.certificate.place_taken", continuing, period=period.pk,
                        nominal=str(nominal))
    return candidates


FALLBACK_DONE = "financing.period.fallback_done"


def fallback_unused(today: dt.date | None = None) -> int:
    """The scheduled task: once a period's deadline (``fallback_on``) has passed, its
    financing certificates with no contract in it give their place back and, with no
    place left in a period that has not ended, become accounting certificates; then the
    queues of the current periods are served. Each period falls back once (its
    ``PeriodFallback`` row marks it), so places given after the deadline are kept and a
    second run changes nothing. Returns how many places were freed."""
    today = today or timezone.localdate()
    due = (FinancingPeriod.objects.filter(fallback_on__lt=today, ends_on__gte=today, fallback__isnull=True)
           .order_by("pk"))
    freed = sum(_fall_back(period, today) for period in due)
    current = FinancingPeriod.objects.filter(starts_on__lte=today, ends_on__gte=today,
                                             financing_places__lt=F("certificates_cap"))
    for period in current.order_by("pk"):
        serve_financing_queue(period)
    return freed


def _fall_back(period: FinancingPeriod, today: dt.date) -> int:
    with transaction.atomic():
        # Used: a contract (not refused) pays from the ledger. A child studying on a social
        # certificate only has not used the financing of their own certificate.
        used = Contract.objects.filter(ledger=OuterRef("pk")).exclude(status=ContractStatus.REFUSED)
        # A frozen certificate keeps its place: unfreezing must give its financing back.
        unused = (CertificateLedger.objects.personal().filter(period=period, committed=0)
                  .exclude(certificate__status=S.FROZEN).filter(~Exists(used)))
        # The lock order of every money path: certificates, then ledgers, then the period
        # (a confirmation running now holds its certificate and waits for the period).
        locking.rows(Certificate.objects.filter(pk__in=unused.values("certificate_id")).values_list("pk", flat=True))
        ledgers = locking.rows(unused.select_related("certificate"), of=("self",))
        period = locking.row(FinancingPeriod, period.pk)
        if PeriodFallback.objects.filter(period=period).exists():
            return 0
        ids = [ledger.pk for ledger in ledgers]
        certificate_ids = [ledger.certificate_id for ledger in ledgers]
        accounting_ids = set()
        if ids:
            CertificateLedger.objects.filter(pk__in=ids).delete()
            FinancingPeriod.objects.filter(pk=period.pk).update(
                financing_places=F("financing_places") - len(ids))
            still_placed = CertificateLedger.objects.filter(certificate=OuterRef("pk"),
                                                            period__ends_on__gte=today)
            becoming_accounting = (Certificate.objects
                                   .filter(pk__in=certificate_ids, kind=K.FINANCING)
                                   .filter(~Exists(still_placed)))
            accounting_ids = set(becoming_accounting.values_list("pk", flat=True))
            Certificate.objects.filter(pk__in=accounting_ids).update(
                kind=K.ACCOUNTING, financing_wanted_at=None, updated_at=timezone.now())
            certificates = [ledger.certificate for ledger in ledgers]
            on = period.fallback_on.isoformat()
            _audit_rows(None, "financing.certificate.fell_back",
                        [c for c in certificates if c.pk in accounting_ids], period=period.pk,
                        kind_before=K.FINANCING, kind_after=K.ACCOUNTING, fallback_on=on)
            _audit_rows(None, "financing.certificate.place_released",
                        [c for c in certificates if c.pk not in accounting_ids],
                        period=period.pk, fallback_on=on)
        PeriodFallback.objects.create(period=period, ran_on=today)
        audit.record(None, FALLBACK_DONE, period, places_freed=len(ids),
                     became_accounting=len(accounting_ids))
    return len(ids)


def children_merged(actor, keep, duplicate) -> None:
    """``enrollment.children.before_merge_delete`` hook: the duplicate's certificate
    (with its number, ledgers and contracts) moves to the kept child; two certificates
    of one child cannot be merged automatically."""
    theirs = locking.first(Certificate.objects.filter(child=duplicate))
    if theirs is None:
        return
    ours = locking.first(Certificate.objects.filter(child=keep))
    if ours is not None:
        raise ValidationFailed(_(
            "У обеих записей есть сертификаты (%(first)s и %(second)s): объединить записи нельзя. "
            "Откажите в одном из заявлений или обратитесь к администратору.") % {
            "first": ours.number or _("заявление"), "second": theirs.number or _("заявление")})
    Certificate.objects.filter(pk=theirs.pk).update(child=keep, updated_at=timezone.now())
    audit.record(actor, "financing.certificate.moved", theirs, from_child=duplicate.pk, to_child=keep.pk)
