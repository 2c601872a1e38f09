"""Background work of data requests (Django Tasks API: inline in tests and the demo, the
database worker ``db_worker`` in production)."""

from django_tasks import task

from opora.surveys import notifications


@task()
def send_reminder(reply_id: int) -> int:
    """Remind the people who answer a reply that it is awaited (skipped once submitted)."""
    return notifications.send_reminder(reply_id)
