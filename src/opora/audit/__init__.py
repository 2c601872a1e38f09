"""One audit trail for every state change: ``opora.audit.record(...)``."""


def record(actor, action: str, target, *, from_state: str = "", to_state: str = "",
           reason: str = "", **data):
    """Write who did ``action`` (a namespaced code such as ``registry.program.published``)
    to ``target``, when, from which state to which, and why. Call it inside the
    service's transaction so the event and the change commit together."""
    from opora.audit.models import AuditEvent

    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        from_state=from_state or "",
        to_state=to_state or "",
        reason=reason or "",
        data=data,
    )


def record_many(actor, action: str, events) -> list:
    """Write several events of one action in one INSERT, for bulk writes such as an
    import: ``events`` are (target, data) pairs."""
    from opora.audit.models import AuditEvent

    actor = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.bulk_create([
        AuditEvent(actor=actor, action=action, target_type=target._meta.label_lower,
                   target_id=str(target.pk), target_repr=str(target)[:300], data=data)
        for target, data in events])


def timeline(target):
    """Events of one object, oldest first, with their actors."""
    from opora.audit.models import AuditEvent

    return (
        AuditEvent.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
        .select_related("actor")
        .order_by("created_at", "pk")
    )


def count(actor, actions, since) -> int:
    """How many of ``actions`` ``actor`` did since the moment ``since`` — for limits that
    must hold across every worker process (the trail is in the database)."""
    from opora.audit.models import AuditEvent

    return AuditEvent.objects.filter(actor=actor, action__in=actions,
                                     created_at__gte=since).count()
