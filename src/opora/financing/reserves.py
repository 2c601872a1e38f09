"""Reserve bookkeeping of certificate contracts: the money a contract holds in its
certificate's ledger's ``committed`` and in its financing period's, moved by conditional
UPDATEs that change nothing when there is no room (docs/domain.md §4; the lock order is in
``opora.financing.contracts``). A month's reserve becomes paid without a write here: its
line on a final invoice settles it (``models.LedgerManager``).

- ``reserve(ledger, period, amount)`` — a contract is made: ``amount`` reserved on the
  ledger, then counted in the period.
- ``open_months(contract)`` — its months neither settled nor cancelled.
- ``release_months(contract, months) -> Decimal`` — cancel these open months and give
  their certificate amount back to the ledger and the period (a refusal, a termination,
  a final invoice cancelled after a backdated termination).
- ``release(contract, amount)`` — part of the reserve given back (a group switch).
- ``refund(contract, amount)`` — part of a paid month given back (completeness below
  100 %): out of the ledger's and the period's committed (the line paying less is what
  lowers the paid part); a negative ``amount`` takes it again.
"""

import logging
from decimal import Decimal

from django.db.models import F, Sum
from django.utils.translation import gettext as _

from opora import locking, logs
from opora.errors import InvalidTransition, ValidationFailed
from opora.financing.models import CertificateLedger, Contract, ContractMonth, FinancingPeriod, kopecks

ZERO = Decimal("0.00")
log = logging.getLogger(__name__)


def reserve(ledger: CertificateLedger, period: FinancingPeriod, amount: Decimal) -> None:
    """Reserve ``amount`` on the ledger, then count it in the period's ``committed``; each
    a conditional UPDATE that changes nothing when there is no room. With the money guard
    off (``locking.unguarded("money")``, the race tests' control only): read, decide,
    write back."""
    if locking.guarded("money"):
        reserved = CertificateLedger.objects.filter(
            pk=ledger.pk, nominal__gte=kopecks(F("committed") + amount),
        ).update(committed=kopecks(F("committed") + amount))
        committed = FinancingPeriod.objects.filter(
            pk=period.pk, budget__gte=kopecks(F("committed") + amount),
        ).update(committed=kopecks(F("committed") + amount))
    else:
        # The race tests' control: read, decide, write back — the lost update.
        fresh = CertificateLedger.objects.get(pk=ledger.pk)
        reserved = 0
        if fresh.balance >= amount:
            reserved = CertificateLedger.objects.filter(pk=ledger.pk).update(
                committed=fresh.committed + amount)
        now = FinancingPeriod.objects.get(pk=period.pk)
        committed = 0
        if now.committed + amount <= now.budget:
            committed = FinancingPeriod.objects.filter(pk=period.pk).update(
                committed=now.committed + amount)
    if not reserved:
        # Cannot happen while the certificate row is locked (the balance was read under
        # it); kept so that a bug can never overdraw a certificate.
        raise InvalidTransition(_("На сертификате недостаточно средств: договор заключить нельзя."))
    if not committed:
        raise InvalidTransition(_("Бюджет периода финансирования «%(period)s» исчерпан: договор по "
                                  "сертификату заключить нельзя. Обратитесь в муниципальный опорный "
                                  "центр.") % {"period": period.title})
    logs.state_change(log, "reserve.made", ledger=ledger.pk, period=period.pk, amount=str(amount))


def open_months(contract: Contract):
    """The contract's months neither settled nor cancelled."""
    return ContractMonth.objects.filter(contract=contract, settled=False, cancelled=False)


def release_months(contract: Contract, months) -> Decimal:
    """Cancel ``months`` (open months of the contract) and give their certificate amount
    back to the contract's ledger and period. Returns the amount released."""
    amount = months.aggregate(total=Sum("certificate_amount"))["total"] or ZERO
    months.update(cancelled=True)
    _release(contract, amount)
    return amount


def release(contract: Contract, amount: Decimal) -> None:
    """Give ``amount`` of the contract's reserve back to its ledger and period without
    cancelling a month (a group switch that made the rest of the contract cheaper)."""
    _release(contract, amount)


def _release(contract: Contract, amount: Decimal) -> None:
    if amount <= 0:
        return
    released = CertificateLedger.objects.filter(
        pk=contract.ledger_id, reserved__gte=amount,
    ).update(committed=kopecks(F("committed") - amount))
    uncommitted = FinancingPeriod.objects.filter(
        pk=contract.period_id, committed__gte=amount,
    ).update(committed=kopecks(F("committed") - amount))
    if not (released and uncommitted):
        raise InvalidTransition(_("Резерв договора № %(number)s не сходится со счётом сертификата: "
                                  "обратитесь в муниципальный опорный центр.")
                                % {"number": contract.number})
    logs.state_change(log, "reserve.released", contract=contract.pk, ledger=contract.ledger_id,
                      period=contract.period_id, amount=str(amount))


def refund(contract: Contract, amount: Decimal) -> None:
    """Give ``amount`` of a paid month back: the ledger's and the period's committed drop
    by it (a negative ``amount``, completeness raised again, takes it back while the
    certificate's nominal and the period's budget still cover it). Called before the
    line's new amount is written, while the paid part still holds the old one."""
    ledger_changed = CertificateLedger.objects.filter(
        pk=contract.ledger_id, paid__gte=amount, nominal__gte=kopecks(F("committed") - amount),
    ).update(committed=kopecks(F("committed") - amount))
    if not ledger_changed:
        raise ValidationFailed({"completeness": [_(
            "На сертификате недостаточно средств, чтобы увеличить полноту оказания услуги.")]})
    period_changed = FinancingPeriod.objects.filter(
        pk=contract.period_id, committed__gte=amount, budget__gte=kopecks(F("committed") - amount),
    ).update(committed=kopecks(F("committed") - amount))
    if not period_changed:
        raise ValidationFailed({"completeness": [_(
            "В бюджете периода недостаточно средств, чтобы увеличить полноту оказания услуги.")]})
