"""Background work of the hotline (Django Tasks API: inline in tests and the demo, the
database worker ``db_worker`` in production)."""

from django_tasks import task

from opora.hotline import notifications


@task()
def mail_asker(question_id: int, kind: str, origin: str = "") -> int:
    """E-mail the asker that the question was received, answered or needs details."""
    return notifications.mail_asker(question_id, kind, origin)


@task()
def mail_escalated(question_id: int) -> int:
    """E-mail the РМЦ operators that a МОЦ passed them a question."""
    return notifications.mail_escalated(question_id)


@task()
def mail_overdue(municipality_id: int, question_ids: list[int]) -> int:
    """E-mail the head of a МОЦ the questions that have run past their deadline."""
    return notifications.mail_overdue(municipality_id, question_ids)
