"""Background work of mailings (Django Tasks API: inline in tests and the demo, the
database worker ``db_worker`` in production)."""

from django_tasks import task

from opora.mailing import services


@task()
def deliver_batch(mailing_id: int) -> int:
    """Send the next batch of a mailing's letters and queue the one after."""
    return services.deliver_batch(mailing_id)
