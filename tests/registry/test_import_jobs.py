"""Excel imports as background jobs: the file kept until the task runs and removed after,
progress seen while the rows are checked, the result, a job run once, and seen only by
those who may import for its organization."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opora.audit.models import AuditEvent
from opora.errors import PermissionDenied, ValidationFailed
from opora.registry import excel_import, import_jobs, services
from opora.registry.choices import ImportStatus
from opora.registry.excel_import import RowError
from opora.registry.models import Group, ImportJob, Program
from tests import factories as f
from tests.registry.workbooks import probe, with_dimension, xlsx, zip_without_workbook

P, G = "Программы", "Группы"


@pytest.fixture
def teachers(provider):
    return [f.teacher(provider)]


def _queue(actor, organization, upload, capture, keep_valid=False):
    """Queue an import and return it with the task's run still pending."""
    with capture() as callbacks:
        job = import_jobs.queue_import(actor, organization, upload, keep_valid=keep_valid)
    return job, callbacks


def test_the_file_waits_on_the_job_until_the_task_runs_and_is_removed_after(
        provider, staff, teachers, django_capture_on_commit_callbacks):
    upload = xlsx(programs=[{}], groups=[{}])
    content = upload.read()
    upload.seek(0)

    job, callbacks = _queue(staff, provider, upload, django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert (job.status, bytes(job.content), job.file_name, job.created_by, job.organization) == (
        ImportStatus.QUEUED, content, "программы.xlsx", staff, provider)
    assert Program.objects.count() == 0
    assert AuditEvent.objects.get(action="registry.import.queued").target_id == str(job.pk)

    [run] = callbacks
    run()

    job.refresh_from_db()
    program = Program.objects.get(organization=provider)
    assert (job.status, bytes(job.content), job.rows_checked, job.rows_total, job.message) == (
        ImportStatus.DONE, b"", 2, 2, "")
    assert job.result == {"programs": [[program.pk, "Шахматы для начинающих"]], "groups_created": 1,
                          "location": None, "errors": []}
    assert job.started_at <= job.finished_at
    assert Group.objects.get().module.program == program


def test_progress_is_seen_while_the_rows_are_checked(
        provider, staff, teachers, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(excel_import, "PROGRESS_STEP", 2)
    seen = []
    program_row = excel_import._program_row

    def watched(plan, organization, *args):
        # What another connection (the page) reads while this row is being checked.
        seen.append(ImportJob.objects.values_list("status", "rows_checked", "rows_total").get())
        return program_row(plan, organization, *args)

    monkeypatch.setattr(excel_import, "_program_row", watched)
    upload = xlsx(programs=[{"title": f"Программа {n}"} for n in range(5)])

    job, callbacks = _queue(staff, provider, upload, django_capture_on_commit_callbacks)
    callbacks[0]()

    assert seen == [("running", 0, 5), ("running", 0, 5), ("running", 2, 5), ("running", 2, 5), ("running", 4, 5)]
    job.refresh_from_db()
    assert (job.status, job.rows_checked, job.rows_total) == (ImportStatus.DONE, 5, 5)
    assert Program.objects.count() == 5


def test_a_file_with_errors_is_reported_row_by_row_and_changes_nothing(
        provider, staff, teachers, django_capture_on_commit_callbacks):
    upload = xlsx(programs=[{}, {"title": None}], groups=[{"program": "Нет такой"}])

    job, callbacks = _queue(staff, provider, upload, django_capture_on_commit_callbacks)
    callbacks[0]()

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert import_jobs.outcome(job).errors == [
        RowError(P, 3, "Название", "Заполните это поле."),
        RowError(G, 2, "Программа", "Программа «Нет такой» не найдена ни в файле, ни среди программ организации."),
    ]
    assert (import_jobs.outcome(job).programs_created, Program.objects.count(), bytes(job.content)) == (0, 0, b"")


def test_a_file_refused_while_its_rows_are_read_refuses_the_job(
        provider, staff, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(excel_import, "MAX_ROWS", 2)
    # The sheet states no size (a streaming writer's file), so only reading finds it too long.
    upload = SimpleUploadedFile("long.xlsx", probe(5, 30))

    job, callbacks = _queue(staff, provider, upload, django_capture_on_commit_callbacks)
    callbacks[0]()

    job.refresh_from_db()
    assert (job.status, job.message, bytes(job.content), job.result) == (
        ImportStatus.REFUSED, "На листе «Программы» больше 2 строк. Разделите файл на несколько.", b"", {})
    assert Program.objects.count() == 0


@pytest.fixture
def workbooks_opened(monkeypatch):
    """A workbook opened (openpyxl, which for a sheet stating no size parses it whole, or odfdo)."""
    opened = []
    load_workbook = excel_import.ods.load_workbook
    monkeypatch.setattr(excel_import.ods, "load_workbook",
                        lambda *args, **kwargs: opened.append(1) or load_workbook(*args, **kwargs))
    return opened


def test_a_file_refused_by_its_stated_size_is_refused_at_once_and_keeps_no_job(
        provider, staff, monkeypatch, workbooks_opened):
    monkeypatch.setattr(excel_import, "MAX_ROWS", 50)
    upload = SimpleUploadedFile("probe.xlsx", with_dimension(probe(600, 40), "A1:AN601"))

    with pytest.raises(ValidationFailed) as refused:
        import_jobs.queue_import(staff, provider, upload)

    assert refused.value.message == "На листе «Программы» больше 50 строк. Разделите файл на несколько."
    assert (ImportJob.objects.count(), workbooks_opened) == (0, [])


def test_the_check_at_upload_parses_no_sheet(provider, staff, workbooks_opened, django_capture_on_commit_callbacks):
    # A streaming writer's sheet states no size: openpyxl would parse it whole to find one.
    job, _callbacks = _queue(staff, provider, SimpleUploadedFile("a.xlsx", probe(600, 40)),
                             django_capture_on_commit_callbacks)
    assert (job.status, workbooks_opened) == (ImportStatus.QUEUED, [])


def test_a_zip_that_is_no_workbook_is_refused_at_once(provider, staff):
    upload = SimpleUploadedFile("a.xlsx", zip_without_workbook())
    with pytest.raises(ValidationFailed) as refused:
        import_jobs.queue_import(staff, provider, upload)
    assert refused.value.message.startswith(
        "Файл не является таблицей Excel (.xlsx) или LibreOffice Calc (.ods) или повреждён. Откройте его")
    assert ImportJob.objects.count() == 0


def test_a_job_is_run_once(provider, staff, teachers, django_capture_on_commit_callbacks):
    job, callbacks = _queue(staff, provider, xlsx(programs=[{}]), django_capture_on_commit_callbacks)
    callbacks[0]()
    events = AuditEvent.objects.count()

    assert import_jobs.run_job(job.pk) == ImportStatus.DONE
    assert import_jobs.run_job(job.pk + 1) == ""

    assert (Program.objects.count(), AuditEvent.objects.count()) == (1, events)


def test_a_job_started_elsewhere_is_left_alone(provider, staff, django_capture_on_commit_callbacks):
    job, _callbacks = _queue(staff, provider, xlsx(programs=[{}]), django_capture_on_commit_callbacks)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)

    assert import_jobs.run_job(job.pk) == ImportStatus.RUNNING
    assert Program.objects.count() == 0


def test_an_uploader_who_may_no_longer_import_gets_a_refused_job(
        provider, other_provider, staff, django_capture_on_commit_callbacks):
    job, callbacks = _queue(staff, provider, xlsx(programs=[{}]), django_capture_on_commit_callbacks)
    staff.organization = other_provider
    staff.save()

    callbacks[0]()

    job.refresh_from_db()
    assert (job.status, job.message, bytes(job.content)) == (
        ImportStatus.REFUSED, "Недостаточно прав для этого действия.", b"")
    assert Program.objects.count() == 0


def test_an_unexpected_error_fails_the_job_and_removes_the_file(
        provider, staff, monkeypatch, django_capture_on_commit_callbacks):
    job, _callbacks = _queue(staff, provider, xlsx(programs=[{}]), django_capture_on_commit_callbacks)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "import_programs", broken)
    with pytest.raises(RuntimeError):
        import_jobs.run_job(job.pk)

    job.refresh_from_db()
    assert (job.status, bytes(job.content)) == (ImportStatus.FAILED, b"")
    assert job.message.startswith("Не удалось обработать файл из-за внутренней ошибки.")


@pytest.mark.parametrize("persona", ["other_staff", "other_operator", "parent", "authority", "regional"])
def test_only_those_who_may_import_for_the_organization_may_queue(request, provider, persona):
    with pytest.raises(PermissionDenied):
        import_jobs.queue_import(request.getfixturevalue(persona), provider, xlsx(programs=[{}]))
    assert ImportJob.objects.count() == 0


def test_rows_are_checked_again_if_the_organization_changed_while_they_were_checked(
        provider, staff, monkeypatch):
    plan_import = excel_import.plan_import

    def meanwhile(organization, book, **kwargs):
        plan = plan_import(organization, book, **kwargs)
        if not Program.objects.exists():
            f.program(provider, title="Шахматы для начинающих")  # another upload got there first
        return plan

    monkeypatch.setattr(excel_import, "plan_import", meanwhile)

    result = services.import_programs(staff, provider, xlsx(programs=[{}]))

    assert result.errors == [RowError(P, 2, "Название", "У организации уже есть программа «Шахматы для начинающих».")]
    assert Program.objects.count() == 1


# --- the job's page ------------------------------------------------------------------


def _job(provider, staff, **fields):
    return ImportJob.objects.create(organization=provider, created_by=staff, file_name="программы.xlsx", **fields)


def test_a_running_job_shows_its_progress_and_asks_again(client, provider, staff):
    job = _job(provider, staff, status=ImportStatus.RUNNING, rows_total=300, rows_checked=120)
    client.force_login(staff)

    page = client.get(reverse("registry:import_job", args=[job.pk])).content.decode()

    assert "Проверено строк: 120 из 300." in page
    assert '<progress value="120" max="300"' in page
    assert f'hx-get="{reverse("registry:import_job", args=[job.pk])}" hx-trigger="every 2s"' in page


def test_a_finished_job_shows_its_result_and_stops_asking(client, provider, staff):
    program = f.program(provider, title="Робототехника")
    job = _job(provider, staff, status=ImportStatus.DONE, rows_total=3, rows_checked=3, keep_valid=True, result={
        "programs": [[program.pk, program.title]], "groups_created": 0,
        "errors": [[G, 4, "Педагоги", "Педагог «Кто-то» не найден среди педагогов организации."]]})
    client.force_login(staff)

    page = client.get(reverse("registry:import_job", args=[job.pk])).content.decode()

    assert "hx-trigger" not in page
    assert f'<a href="{reverse("registry:program_detail", args=[program.pk])}">Робототехника</a>' in page
    assert ("<td>Группы</td><td>4</td><td>Педагоги</td>"
            "<td>Педагог «Кто-то» не найден среди педагогов организации.</td>") in page


def test_a_job_that_set_the_coordinates_says_so(client, provider, staff):
    job = _job(provider, staff, status=ImportStatus.DONE, rows_total=1, rows_checked=1, result={
        "programs": [], "groups_created": 0, "location": [56.6014, 84.8862], "errors": []})
    client.force_login(staff)

    page = client.get(reverse("registry:import_job", args=[job.pk])).content.decode()

    assert "Координаты организации обновлены: широта 56,601400, долгота 84,886200." in page
    assert "Добавлено групп" not in page


def test_a_refused_job_says_why(client, provider, operator, staff):
    job = _job(provider, staff, status=ImportStatus.REFUSED, message="На листе «Группы» больше 5000 строк.")
    client.force_login(operator)

    page = client.get(reverse("registry:import_job", args=[job.pk])).content.decode()

    assert "Файл не загружен, ничего не сохранено.</strong> На листе «Группы» больше 5000 строк." in page
    assert "hx-trigger" not in page


@pytest.mark.parametrize(("persona", "status"), [
    ("other_staff", 404), ("other_operator", 404), ("parent", 403), ("authority", 403), ("regional", 403)])
def test_others_cannot_see_a_job(request, client, provider, staff, persona, status):
    job = _job(provider, staff, status=ImportStatus.DONE, result={"programs": [], "groups_created": 0, "errors": []})
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("registry:import_job", args=[job.pk])).status_code == status


def test_the_import_page_lists_the_recent_jobs_of_the_organization_only(
        client, provider, other_provider, staff, other_staff):
    queued = _job(provider, staff)
    done = _job(provider, staff, status=ImportStatus.DONE, result={
        "programs": [[1, "А"], [2, "Б"]], "groups_created": 3, "errors": [[P, 4, "Название", "Заполните это поле."]]})
    other = ImportJob.objects.create(organization=other_provider, created_by=other_staff, file_name="чужой.xlsx")
    client.force_login(staff)

    page = client.get(reverse("registry:import")).content.decode()

    assert f'<a href="{reverse("registry:import_job", args=[queued.pk])}">программы.xlsx</a> — В очереди<br>' in page
    assert (f'<a href="{reverse("registry:import_job", args=[done.pk])}">программы.xlsx</a> — Завершена: '
            "программ 2, групп 3, ошибок 1<br>") in page
    assert reverse("registry:import_job", args=[other.pk]) not in page


def test_a_hostile_upload_is_refused_next_to_the_file_field_without_a_job(client, staff, monkeypatch):
    monkeypatch.setattr(excel_import, "MAX_ROWS", 50)
    client.force_login(staff)
    upload = SimpleUploadedFile("probe.xlsx", with_dimension(probe(600, 40), "A1:AN601"))

    response = client.post(reverse("registry:import"), {"file": upload})

    assert response.status_code == 400
    assert "На листе «Программы» больше 50 строк. Разделите файл на несколько." in response.content.decode()
    assert ImportJob.objects.count() == 0
