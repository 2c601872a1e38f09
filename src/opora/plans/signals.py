"""What the plans tell the apps above them, which ``plans`` does not import: the portal
publishes a plan once it is approved. ``plan_changed`` is sent after the commit of every
change of a plan's status or of its items through an approved revision, with
``plan_id``; a receiver reads the plan as it is then. A failing receiver is logged and
does not undo the change (it is committed already)."""

import logging

from django.db import transaction
from django.dispatch import Signal

plan_changed = Signal()
log = logging.getLogger(__name__)


def _send(plan_id: int) -> None:
    from opora.plans.models import Plan

    for receiver, answer in plan_changed.send_robust(sender=Plan, plan_id=plan_id):
        if isinstance(answer, Exception):
            log.error("plans.plan_changed receiver %s failed", getattr(receiver, "__qualname__", receiver),
                      exc_info=answer)


def announce(plan_id: int) -> None:
    transaction.on_commit(lambda: _send(plan_id))
