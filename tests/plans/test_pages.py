"""The pages of plans: create, paste → preview → fix → save, send, approve, mark done with
a file, the report (page and .xlsx), the print with its stamps, «Мой план», access."""

import html
import io
import json
import re

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from opora.plans.models import ItemStatus, Plan, PlanStatus
from tests.plans.conftest import CREATION_PLAN, add_items, approve, kind, make_plan, today
from tests.spreadsheets import DATE, ods_book, ods_formats, xlsx_book, xlsx_formats

PASTE = ("№ п/п\tНаименование мероприятия\tСроки\tОтветственный\n"
         "1.\tСовещание\tФевраль - март\tИванова А.А.\n"
         "2.\tСеминар\tкогда-нибудь\tПетрова Б.Б.\n")


def _preview_post(client, plan, response, **changes):
    """Post the preview form back as the browser would, with ``changes`` to its inputs."""
    page = response.content.decode()
    records = re.search(r'name="records" value="([^"]*)"', page)[1]
    data = {"records": html.unescape(records)}
    for name, value in re.findall(r'name="(row-\d+-\w+)" value="([^"]*)"', page):
        data[name] = html.unescape(value)
    for name, value in re.findall(r'name="(row-\d+-\w+)"[^>]*>([^<]*)</textarea>', page):
        data[name] = html.unescape(value)
    data.update(changes)
    return client.post(reverse("plans:import", args=[plan.pk]), data)


def test_create_paste_fix_a_deadline_and_save(client, operator):
    client.force_login(operator)
    response = client.post(reverse("plans:plan_create"), {
        "kind": kind().pk, "period_kind": "calendar", "year": today().year - 1, "title": ""})
    plan = Plan.objects.get()
    assert response["Location"] == reverse("plans:import", args=[plan.pk])

    preview = client.post(reverse("plans:import", args=[plan.pk]), {"text": PASTE})
    assert preview.status_code == 200
    assert "Срок «когда-нибудь» не распознан" in preview.content.decode()
    assert not plan.items.exists()

    saved = _preview_post(client, plan, preview, **{"row-1-deadline_text": "апрель", "step": "save"})

    assert saved.status_code == 302
    assert [(i.number, i.deadline_text, i.deadline_unknown) for i in plan.items.all()] == [
        ("1", "Февраль - март", False), ("2", "апрель", False)]


def test_a_broken_row_in_the_preview_saves_nothing(client, operator, plan):
    client.force_login(operator)
    preview = client.post(reverse("plans:import", args=[plan.pk]),
                          {"text": PASTE.replace("2.\tСеминар", "два\tСеминар")})
    assert "«два» не похоже на номер пункта." in preview.content.decode()

    again = _preview_post(client, plan, preview, step="save")

    assert again.status_code == 200 and not plan.items.exists()


def test_the_appendix_pasted_in_the_page(client, operator, plan):
    client.force_login(operator)

    preview = client.post(reverse("plans:import", args=[plan.pk]), {"text": CREATION_PLAN})

    assert preview.content.decode().count('data-testid="preview-row"') == 10
    assert _preview_post(client, plan, preview, step="save").status_code == 302
    assert plan.items.count() == 10


def test_an_xlsx_upload_and_a_docx_one(client, operator, plan):
    from openpyxl import Workbook

    client.force_login(operator)
    workbook = Workbook()
    workbook.active.append(["№", "Мероприятия", "Сроки", "Ответственный"])
    workbook.active.append([1, "Совещание", "март", "Иванова А.А."])
    buffer = io.BytesIO()
    workbook.save(buffer)

    preview = client.post(reverse("plans:import", args=[plan.pk]), {
        "file": SimpleUploadedFile("plan.xlsx", buffer.getvalue())})
    broken = client.post(reverse("plans:import", args=[plan.pk]), {
        "file": SimpleUploadedFile("plan.docx", b"PK")})
    odt = client.post(reverse("plans:import", args=[plan.pk]), {
        "file": SimpleUploadedFile("plan.odt", b"PK")})

    assert json.loads(re.search(r'name="records" value="([^"]*)"', preview.content.decode())[1]
                      .replace("&quot;", '"'))[1][1][1] == "Совещание"
    assert broken.status_code == 400 and "не читается как документ Word" in broken.content.decode()
    assert odt.status_code == 400 and "в LibreOffice — «Файл → Сохранить как" in odt.content.decode()
    assert not plan.items.exists()


def test_send_approve_mark_done_with_a_file_and_the_report(client, operator, authority, filled):
    client.force_login(operator)
    client.post(reverse("plans:action", args=[filled.pk, "send"]))
    client.force_login(authority)
    page = client.get(reverse("plans:plan", args=[filled.pk])).content.decode()
    assert "Утвердить план" in page
    client.post(reverse("plans:action", args=[filled.pk, "approve"]), {
        "signed_on": today().isoformat(), "name": "Гречаная Н.М.", "position": "Начальник"})
    filled.refresh_from_db()
    assert filled.status == PlanStatus.APPROVED
    item = filled.items.get(number="1")

    client.force_login(operator)
    client.post(reverse("plans:item", args=[item.pk]), {
        "form": "mark", "status": "done", "done_on": item.ends_on.isoformat(),
        "actual_result": "Объект определён"})
    client.post(reverse("plans:item", args=[item.pk]), {
        "form": "evidence", "file": SimpleUploadedFile("приказ.pdf", b"%PDF-1.4"), "note": "Приказ"})

    item.refresh_from_db()
    assert item.status == ItemStatus.DONE
    report = client.get(reverse("plans:report", args=[filled.pk])).content.decode()
    assert "Объект определён" in report and "Приказ" in report
    assert "выполнено в срок: 1" in report
    evidence = item.evidence.get()
    download = client.get(evidence.href)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4"
    workbook = load_workbook(io.BytesIO(b"".join(
        client.get(reverse("plans:report", args=[filled.pk]) + "?format=xlsx").streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == f"Отчёт об исполнении плана «{filled.title}»"
    header = next(n for n, row in enumerate(rows) if row[0] == "№ п/п")
    assert rows[header + 1][6] == "Объект определён" and rows[header + 1][7] == "выполнено"
    sheet = xlsx_book(b"".join(client.get(reverse("plans:report", args=[filled.pk]) + "?format=xlsx")
                               .streaming_content)).active
    assert xlsx_formats(sheet)["Дата выполнения"] == DATE
    document = ods_book(b"".join(client.get(reverse("plans:report", args=[filled.pk]) + "?format=ods")
                                 .streaming_content))
    assert ods_formats(document, "Отчёт", header)["Дата выполнения"] == ("date", "N_date")
    printed = client.get(reverse("plans:print", args=[filled.pk])).content.decode()
    assert "УТВЕРЖДАЮ" in printed and "СОГЛАСОВАНО" in printed and "Гречаная Н.М." in printed
    document = docx.Document(io.BytesIO(b"".join(
        client.get(reverse("plans:report", args=[filled.pk]) + "?format=docx").streaming_content)))
    stamps, table = document.tables
    assert stamps.rows[0].cells[1].text.splitlines()[:3] == ["УТВЕРЖДАЮ", "Начальник", "_____________ Гречаная Н.М."]
    row = [cell.text for cell in table.rows[1].cells]
    assert row[4] == "Объект определён" and row[5].startswith("выполнено")
    assert f"Приказ: http://testserver{evidence.href}" in row[6]
    assert "выполнено в срок: 1" in document.paragraphs[-1].text


def test_the_authority_returns_with_remarks_through_the_page(client, operator, authority, filled):
    client.force_login(operator)
    client.post(reverse("plans:action", args=[filled.pk, "send"]))
    client.force_login(authority)

    client.post(reverse("plans:action", args=[filled.pk, "return"]), {"remarks": "Уточните сроки"})

    filled.refresh_from_db()
    assert (filled.status, filled.remarks) == (PlanStatus.RETURNED, "Уточните сроки")


def test_an_item_whose_deadline_is_not_understood_is_saved_with_a_warning(client, operator, plan):
    client.force_login(operator)
    base = {"form": "content", "number": "1", "title": "Совещание", "responsible_names": "Иванова"}

    unknown = client.post(reverse("plans:item_create", args=[plan.pk]),
                          {**base, "deadline_text": "когда-нибудь потом"}, follow=True).content.decode()
    understood = client.post(reverse("plans:item_create", args=[plan.pk]),
                             {**base, "number": "2", "deadline_text": "апрель"}, follow=True).content.decode()

    warning = "Срок мероприятия не распознан: укажите даты начала и окончания"
    assert "Мероприятие добавлено." in unknown and warning in unknown
    assert "Мероприятие добавлено." in understood and warning not in understood


def test_a_refusal_is_shown_and_changes_nothing(client, operator, plan):
    client.force_login(operator)

    response = client.post(reverse("plans:action", args=[plan.pk, "send"]), follow=True)

    assert "В плане нет ни одного мероприятия." in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_drafts_and_items_of_other_municipalities_are_not_found(client, other_operator, authority,
                                                                staff, filled):
    item = filled.items.first()
    for user in (other_operator, authority):
        client.force_login(user)
        assert client.get(reverse("plans:plan", args=[filled.pk])).status_code == 404
        assert client.get(reverse("plans:item", args=[item.pk])).status_code == 404
    client.force_login(staff)
    assert client.get(reverse("plans:plan", args=[filled.pk])).status_code == 403
    assert client.get(reverse("plans:item", args=[item.pk])).status_code == 404


def test_my_plan_of_a_responsible_provider(client, operator, authority, staff, filled):
    approve(operator, authority, filled)
    mine = filled.items.get(number="8")
    mine.responsible_users.add(staff)
    client.force_login(staff)

    page = client.get(reverse("plans:mine")).content.decode()
    assert mine.title in page and filled.items.get(number="1").title not in page
    client.post(reverse("plans:item", args=[mine.pk]), {"form": "mark", "status": "in_progress"})
    mine.refresh_from_db()
    assert mine.status == ItemStatus.IN_PROGRESS
    assert client.get(reverse("plans:item", args=[filled.items.get(number="1").pk])).status_code == 404


def test_the_list_shows_overdue_counts(client, operator, authority, filled):
    approve(operator, authority, filled)
    client.force_login(authority)

    page = client.get(reverse("plans:plans")).content.decode()

    assert filled.title in page and "<strong>10</strong>" in page  # last year's plan: all late


def test_item_edit_picks_an_interval_for_an_unknown_deadline(client, operator, plan):
    add_items(operator, plan, "№\tМероприятия\tСроки\tОтветственный\n1\tСовещание\tкак-нибудь\tИванов\n")
    item = plan.items.get()
    client.force_login(operator)

    client.post(reverse("plans:item", args=[item.pk]), {
        "form": "content", "number": "1", "title": "Совещание", "deadline_text": "как-нибудь",
        "starts_on": f"{plan.year}-05-01", "ends_on": f"{plan.year}-05-31",
        "responsible_users": [str(operator.pk)]})

    item.refresh_from_db()
    assert (item.deadline_unknown, item.ends_on.month) == (False, 5)
    assert list(item.responsible_users.all()) == [operator]


@pytest.mark.parametrize("name", ["plans:plans", "plans:plan_create", "plans:mine"])
def test_a_parent_is_refused(client, parent, name):
    client.force_login(parent)

    assert client.get(reverse(name)).status_code == 403


def test_a_media_plan_item_takes_a_publication(client, operator, authority):
    plan = make_plan(operator, code="media_plan")
    add_items(operator, plan)
    approve(operator, authority, plan)
    item = plan.items.first()
    client.force_login(operator)

    client.post(reverse("plans:item", args=[item.pk]), {
        "form": "publication", "published_on": today().isoformat(), "channel": "portal",
        "title": "Новость об открытии", "url": "https://moc.example.org/news/1", "reach": "300"})

    assert item.publications.get().reach == 300


def test_the_operator_deletes_an_item_of_a_draft(client, operator, filled):
    client.force_login(operator)
    item = filled.items.get(number="10")

    assert "Удалить мероприятие" in client.get(reverse("plans:item", args=[item.pk])).content.decode()
    response = client.post(reverse("plans:item_delete", args=[item.pk]))

    assert response["Location"] == reverse("plans:plan", args=[filled.pk])
    assert not filled.items.filter(pk=item.pk).exists()


def test_the_authority_and_the_rmc_accept_the_report_through_the_page(client, operator, authority, regional,
                                                                      filled):
    from opora.plans import services
    from tests.plans.conftest import signed

    approve(operator, authority, filled)
    services.agree(regional, filled, signed())
    services.start(operator, filled)
    for item in filled.items.all():
        services.mark_item(operator, item, {"status": "cancelled", "reason": "Не понадобилось"})
    services.report(operator, filled)
    client.force_login(authority)

    page = client.get(reverse("plans:plan", args=[filled.pk])).content.decode()
    client.post(reverse("plans:action", args=[filled.pk, "report_accept"]))

    assert "Принять отчёт" in page and "Вернуть отчёт" in page
    filled.refresh_from_db()
    assert filled.status == PlanStatus.REPORTED and filled.report_accepted_by_authority_on
    page = client.get(reverse("plans:plan", args=[filled.pk])).content.decode()
    assert "Принять отчёт" not in page and "Вернуть отчёт" in page

    client.force_login(regional)
    assert "Принять отчёт" in client.get(reverse("plans:plan", args=[filled.pk])).content.decode()
    client.post(reverse("plans:action", args=[filled.pk, "report_accept"]))

    filled.refresh_from_db()
    assert filled.status == PlanStatus.REPORT_ACCEPTED


def _interface_texts(page: str) -> list[str]:
    """Texts of labels, buttons, legends, column headers and second-level headings (not the
    language switch, which names each language in itself)."""
    found = re.findall(r"<(label|button|legend|h2)\b(?![^>]*\blang=)[^>]*>(.*?)</\1>", page, flags=re.S)
    found += [("th", text) for text in re.findall(r'<th scope="col">(.*?)</th>', page, flags=re.S)]
    return [" ".join(re.sub(r"<[^>]+>", " ", text).split()) for _tag, text in found]


@pytest.mark.parametrize("name", ["plans:plan", "plans:import", "plans:report", "plans:item"])
def test_the_pages_speak_english_under_english(client, operator, authority, filled, name):
    from django.conf import settings

    approve(operator, authority, filled)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(operator if name != "plans:plan" else authority)
    target = filled.items.first().pk if name == "plans:item" else filled.pk
    if name == "plans:import":
        filled.status = PlanStatus.DRAFT
        filled.save()

    page = client.get(reverse(name, args=[target])).content.decode()

    found = _interface_texts(page)
    assert found and [text for text in found if re.search("[А-Яа-яЁё]", text)] == []


def test_an_item_is_proved_by_a_report_opora_holds(client, operator, authority, filled):
    from tests.plans.conftest import approve

    approve(operator, authority, filled)
    item = filled.items.first()
    client.force_login(operator)
    url = reverse("plans:item", args=[item.pk])
    annual = f"/office/monitoring/annual/?year={filled.year}"

    page = client.get(url).content.decode()
    assert "Или документ Опоры" in page and f'value="{annual}"' in page.replace("&amp;", "&")
    assert client.post(url, {"form": "evidence", "link": annual}).status_code == 302
    assert item.evidence.get().note == f"Отчёт: Годовой отчёт за {filled.year} год"
    report = client.get(reverse("plans:report", args=[filled.pk])).content.decode()
    assert f'href="{annual}"' in report.replace("&amp;", "&")
