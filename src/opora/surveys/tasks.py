"""Background work of data requests (Django Tasks API: inline in tests and the demo, the
database worker ``db_worker`` in production)."""

from django_tasks import task

from opora.surveys import notifications


@task()
def send_notice(reply_id: int, kind: str) -> int:
    """E-mail a reply's addressees that a request came, is awaited or was returned
    (skipped when the news is stale by the time the task runs)."""
    return notifications.send_notice(reply_id, kind)
