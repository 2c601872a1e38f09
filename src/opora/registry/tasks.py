"""Background work of the registry (Django Tasks API: inline in tests and the demo, the
database worker ``db_worker`` in production)."""

from django_tasks import task


@task()
def run_import(job_id: int) -> str:
    """Read, check and write an uploaded Excel file (idempotent: a job is run once)."""
    from opora.registry import import_jobs

    return import_jobs.run_job(job_id)
