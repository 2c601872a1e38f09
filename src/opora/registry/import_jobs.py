"""Excel imports as background jobs. The upload page checks what can be told of a file
without reading its rows (``excel_import.check_upload``: format, packed and unpacked
size, the sizes its sheets state), keeps the file in an ``ImportJob`` and queues the
task ``tasks.run_import``; the worker reads and checks the rows, reporting its
progress on the job, and writes the good rows through ``services.import_programs``.
The user watches the job's page; only the organization's staff and the МОЦ of its
municipality — those who may import for it — see the job.
"""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opora import audit
from opora.accounts import scope
from opora.errors import DomainError
from opora.registry.choices import ImportStatus
from opora.registry.models import ImportJob

logger = logging.getLogger(__name__)


def visible_jobs(user):
    """The import jobs of the organizations ``user`` may import for (without the files
    still waiting, which may weigh megabytes)."""
    return scope.actionable(user, "registry.import",
                            ImportJob.objects.select_related("organization", "created_by").defer("content"))


@transaction.atomic
def queue_import(actor, organization, file, keep_valid: bool = False) -> ImportJob:
    """Accept an upload for import: a file refused by its format or size is refused now
    (``ValidationFailed``, nothing kept); any other is kept on a new job whose task runs
    once this transaction commits."""
    from opora.registry import excel_import, tasks

    scope.require(actor, "registry.import", organization)
    with translation.override("ru"):
        excel_import.check_upload(file)
    file.seek(0)
    job = ImportJob.objects.create(organization=organization, created_by=actor, keep_valid=keep_valid,
                                   file_name=(getattr(file, "name", "") or "")[:255], content=file.read())
    audit.record(actor, "registry.import.queued", job, to_state=job.status, organization=organization.pk,
                 file=job.file_name)
    transaction.on_commit(lambda: tasks.run_import.enqueue(job.pk))
    return job


def run_job(job_id: int) -> str:
    """Run a queued job once: a job another worker has taken, or one that is finished,
    is left alone. Returns the job's status."""
    from opora.registry import services

    now = timezone.now()
    if not ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
            status=ImportStatus.RUNNING, started_at=now):
        job = ImportJob.objects.filter(pk=job_id).only("status").first()
        return job.status if job else ""
    job = ImportJob.objects.select_related("organization", "created_by").get(pk=job_id)

    def progress(checked, total):
        ImportJob.objects.filter(pk=job_id).update(rows_checked=checked, rows_total=total)

    upload = ContentFile(bytes(job.content), name=job.file_name or "import.xlsx")
    fields = {"content": b"", "finished_at": None}
    try:
        with translation.override("ru"):
            result = services.import_programs(job.created_by, job.organization, upload,
                                              keep_valid=job.keep_valid, progress=progress)
    except DomainError as error:  # the file as a whole is refused, or the uploader may no longer import
        fields.update(status=ImportStatus.REFUSED, message=error.message)
    except Exception:
        logger.exception("Excel import job %s failed", job_id)
        fields.update(status=ImportStatus.FAILED,
                      message=_("Не удалось обработать файл из-за внутренней ошибки. Попробуйте загрузить его "
                                "ещё раз; если ошибка повторится, сообщите в техническую поддержку."))
        _finish(job_id, fields)
        raise
    else:
        fields.update(status=ImportStatus.DONE, result={
            "programs": [[program.pk, program.title] for program in result.programs],
            "groups_created": result.groups_created,
            "location": list(result.location) if result.location else None,
            "errors": [[e.sheet, e.row, e.column, e.message] for e in result.errors],
        })
    _finish(job_id, fields)
    return fields["status"]


def _finish(job_id, fields):
    """The outcome on the job, and the file removed."""
    fields["finished_at"] = timezone.now()
    ImportJob.objects.filter(pk=job_id).update(**fields)


def outcome(job: ImportJob):
    """The result of a finished job in the shape the result page shows."""
    from opora.registry.excel_import import ImportResult, RowError

    data = job.result or {}
    return ImportResult(programs=[{"pk": pk, "title": title} for pk, title in data.get("programs", [])],
                        groups_created=data.get("groups_created", 0),
                        location=tuple(data["location"]) if data.get("location") else None,
                        errors=[RowError(*error) for error in data.get("errors", [])])
