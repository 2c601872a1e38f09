"""One audit trail for every state change, and the only module that writes it.

- ``record(actor, action, target, ...)`` — one event, inside the service's transaction.
- ``event(...)`` and ``record_many(events)`` — many events in one INSERT per batch, for
  set-based runs (a settlement month, a fallback) and for the demo's history (``at=``
  keeps a past moment).
- ``timeline(target)``, ``latest_moment(model, ...)`` — reading the trail; ``count(actor,
  actions, since, **data)`` — how many, for the limits that must hold across workers.
- ``forget(model, pks)`` — delete the events of rows that are deleted (the demo's reset).

No other module imports ``AuditEvent``: ``tests/core/test_audit_writer.py`` fails when one
does.
"""


def _actor(actor):
    return actor if actor is not None and actor.is_authenticated else None


def event(actor, action: str, target, *, from_state: str = "", to_state: str = "", reason: str = "",
          at=None, **data):
    """An unsaved event of ``target`` for ``record_many`` (the arguments of ``record``);
    ``at`` is the moment it happened, now when None."""
    from opora.audit.models import AuditEvent

    fields = {"created_at": at} if at is not None else {}
    return AuditEvent(
        actor=_actor(actor),
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        from_state=from_state or "",
        to_state=to_state or "",
        reason=reason or "",
        data=data,
        **fields,
    )


def record(actor, action: str, target, *, from_state: str = "", to_state: str = "",
           reason: str = "", **data):
    """Write who did ``action`` (a namespaced code such as ``registry.program.published``)
    to ``target``, when, from which state to which, and why. Call it inside the
    service's transaction so the event and the change commit together."""
    from opora import rows

    written = event(actor, action, target, from_state=from_state, to_state=to_state, reason=reason,
                    **data)
    return rows.insert(written)  # one written-out INSERT: every service records events


def record_many(events, *, batch_size: int = 1000) -> int:
    """Write events built by ``event`` in one INSERT per ``batch_size``: the form of
    ``record`` for set-based runs. Returns how many were written."""
    from opora import rows

    return len(rows.insert_many(events, batch_size=batch_size))


def timeline(target):
    """Events of one object, oldest first, with their actors."""
    from opora.audit.models import AuditEvent

    return (
        AuditEvent.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
        .select_related("actor")
        .order_by("created_at", "pk")
    )


# ``count(ANYONE, …)``: events of any actor, signed in or not.
ANYONE = object()


def count(actor, actions, since, **data) -> int:
    """How many of ``actions`` ``actor`` did since the moment ``since`` (``ANYONE``: whoever
    did them), those recorded with ``data``'s values only — for limits that must hold
    across every worker process (the trail is in the database)."""
    from opora.audit.models import AuditEvent

    events = AuditEvent.objects.filter(action__in=actions, created_at__gte=since,
                                       **{f"data__{key}": value for key, value in data.items()})
    if actor is not ANYONE:
        events = events.filter(actor=actor)
    return events.count()


def latest_moment(model, **filters):
    """A subquery for annotating rows of ``model``: the moment of each row's latest event
    matching ``filters`` (say ``to_state="moderating"``), None without one."""
    from django.db.models import CharField, OuterRef, Subquery
    from django.db.models.functions import Cast

    from opora.audit.models import AuditEvent

    return Subquery(
        AuditEvent.objects.filter(target_type=model._meta.label_lower,
                                  target_id=Cast(OuterRef("pk"), CharField()), **filters)
        .order_by("-created_at", "-pk").values("created_at")[:1]
    )


def restamp(model, pks, at) -> int:
    """Date the events of the rows ``pks`` of ``model`` at ``at``: a generated past (the
    demo built «as of» a day) whose services recorded them at the real now."""
    from opora.audit.models import AuditEvent

    return AuditEvent.objects.filter(target_type=model._meta.label_lower,
                                     target_id__in=[str(pk) for pk in pks]).update(created_at=at)


def forget(model, pks) -> int:
    """Delete the events of the rows ``pks`` of ``model`` (rows being deleted for good, as
    the demo region on reset). Returns how many events were deleted."""
    from opora.audit.models import AuditEvent

    return AuditEvent.objects.filter(target_type=model._meta.label_lower,
                                     target_id__in=[str(pk) for pk in pks]).delete()[0]
