"""Background work of the plans (Django Tasks API: inline in tests and the demo, the
database worker ``db_worker`` in production)."""

from django_tasks import task

from opora.plans import notifications


@task()
def send_notice(plan_id: int, kind: str, extra: dict | None = None) -> int:
    """E-mail the plan's approvers or its МОЦ about a step of its approval or report
    (skipped when the news is stale by the time the task runs)."""
    return notifications.send_notice(plan_id, kind, extra)
