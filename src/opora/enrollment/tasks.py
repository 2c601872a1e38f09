"""Background work of enrolment (Django Tasks API: inline in tests and the demo, the
database worker ``db_worker`` in production)."""

from django_tasks import task

from opora.enrollment import notifications


@task()
def send_status_email(application_id: int, status: str) -> int:
    """Tell a child's guardians the new status of an application (idempotent)."""
    return notifications.send_status_email(application_id, status)
