"""Background work of monitoring (Django Tasks API: inline in tests and the demo, the
database worker ``db_worker`` in production)."""

import datetime as dt

from django_tasks import task


@task()
def take_snapshots(day: str | None = None) -> int:
    """Freeze the indicators of the region and of every municipality on ``day``
    (ISO date; yesterday when empty). Run nightly."""
    from opora.monitoring import services

    return services.take_snapshots(dt.date.fromisoformat(day) if day else None)
