"""The pages of data requests: the РМЦ writes and sends a request, a provider answers
(a file too), the МОЦ accepts and submits, the РМЦ returns and accepts, everyone
downloads what they see as Excel; refusals come back onto the page."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from opora.surveys.models import Reply, ReplyStatus, Survey, SurveyStatus
from tests.spreadsheets import content_of, header_row, ods_book, ods_cells, xlsx_book, xlsx_formats
from tests.surveys.conftest import field, reply_of, week_ahead


def login(client, user):
    client.force_login(user)
    return client


def sheet_rows(response):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book}


def test_the_regional_centre_writes_and_sends_a_request(client, regional, city, district, provider):
    login(client, regional)

    created = client.post(reverse("surveys:create"), {
        "title": "Бассейны", "description": "", "deadline": week_ahead().isoformat(),
        "everyone": "", "municipalities": [city.pk], "asks_providers": "on"})
    survey = Survey.objects.get()
    assert created["Location"] == reverse("surveys:detail", args=[survey.pk])
    added = client.post(reverse("surveys:field_add", args=[survey.pk]), {
        "label": "Есть бассейн", "kind": "choice", "options": "да\nнет", "prefill": ""})
    assert added.status_code == 302
    client.post(reverse("surveys:send", args=[survey.pk]))

    survey.refresh_from_db()
    assert survey.status == SurveyStatus.SENT
    assert {(r.municipality, r.organization) for r in survey.replies.all()} == {
        (city, None), (city, provider)}
    page = client.get(reverse("surveys:detail", args=[survey.pk])).content.decode()
    assert "Город Тестов" in page and "Нет ответа" in page


def test_bad_input_comes_back_onto_the_form(client, regional, city):
    login(client, regional)

    response = client.post(reverse("surveys:create"), {
        "title": "Бассейны", "deadline": (dt.date.today() - dt.timedelta(days=3)).isoformat(),
        "everyone": "on"})

    assert response.status_code == 400
    assert "Срок ответа уже прошёл" in response.content.decode()
    assert not Survey.objects.exists()


def test_a_provider_answers_and_a_bad_number_is_shown_next_to_its_field(client, sent, staff, provider):
    login(client, staff)
    reply = reply_of(sent, provider)
    url = reverse("surveys:reply", args=[reply.pk])
    count, choice, upload = field(sent, "Число кружков"), field(sent, "Есть ли бассейн"), field(sent, "Справка")

    refused = client.post(url, {f"field_{count.pk}": "много", "submit": ""})
    assert refused.status_code == 400
    assert "«Число кружков»: введите число" in refused.content.decode()

    client.post(url, {f"field_{count.pk}": "12", f"field_{choice.pk}": "нет", "submit": "",
                      f"field_{upload.pk}": SimpleUploadedFile("план.txt", b"plan")})
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SUBMITTED
    answer = reply.answers.get(field=upload)
    download = client.get(reverse("surveys:answer_file", args=[reply.pk, answer.pk]))
    assert b"".join(download.streaming_content) == b"plan"


def test_the_cycle_through_the_pages_and_the_excel_file(client, sent, staff, operator, regional, provider,
                                                        city, district, studio):
    count = field(sent, "Число кружков")
    reply = reply_of(sent, provider)
    login(client, staff).post(reverse("surveys:reply", args=[reply.pk]),
                              {f"field_{count.pk}": "9", "submit": ""})

    login(client, operator)
    client.post(reverse("surveys:reply_review", args=[reply.pk]), {"decision": "accept"})
    municipal = reply_of(sent, municipality=city)
    page = client.get(reverse("surveys:reply", args=[municipal.pk])).content.decode()
    assert "Сумма принятых ответов организаций: 9" in page
    client.post(reverse("surveys:reply", args=[municipal.pk]), {f"field_{count.pk}": "1", "submit": ""})
    assert Reply.objects.get(pk=municipal.pk).status == ReplyStatus.SUBMITTED

    login(client, regional)
    returned = client.post(reverse("surveys:reply_review", args=[municipal.pk]),
                           {"decision": "return", "remarks": ""}, follow=True)
    assert "Напишите, что нужно исправить." in returned.content.decode()
    client.post(reverse("surveys:reply_review", args=[municipal.pk]), {"decision": "accept"})
    assert Reply.objects.get(pk=municipal.pk).status == ReplyStatus.ACCEPTED

    rows = sheet_rows(client.get(reverse("surveys:excel", args=[sent.pk])))
    [(title, table)] = rows.items()
    assert title == "Кружки и секции"
    header = table[2]
    assert header[:6] == ["Муниципалитет", "Организация", "Состояние", "Отправлен", "После срока",
                          "Замечания"]
    assert header[6:] == ["Число кружков", "Комментарий", "Есть ли бассейн", "Справка"]
    body = [(row[0], row[1], row[2], row[6]) for row in table[3:]]
    assert body == [
        ("Город Тестов", "МОЦ (итого по муниципалитету)", "Принят", 10),
        ("Город Тестов", provider.short_name, "Принят", 9),
        ("Город Тестов", studio.short_name, "Нет ответа", None),
        ("Тестовский район", "МОЦ (итого по муниципалитету)", "Нет ответа", None),
        ("Тестовский район", sent.replies.get(municipality=district, organization__isnull=False)
         .organization.short_name, "Нет ответа", None),
    ]

    own = sheet_rows(login(client, operator).get(reverse("surveys:excel_all")))
    assert [row[0] for row in own["Кружки и секции"][3:]] == ["Город Тестов"] * 3

    # the same file for LibreOffice; both set up as every export (header, filter, print)
    sheet = xlsx_book(content_of(client.get(reverse("surveys:excel", args=[sent.pk])))).active
    assert header_row(sheet) == 3 and xlsx_formats(sheet)["Число кружков"] == "General"
    document = ods_book(content_of(client.get(reverse("surveys:excel", args=[sent.pk]), {"format": "ods"})))
    cells = ods_cells(document, "Кружки и секции")
    assert cells[0][0]["value"] == "Кружки и секции" and cells[3][6]["value"] == 10


@pytest.mark.parametrize("persona", ["other_operator", "other_staff"])
def test_another_territorys_reply_is_not_found(client, request, sent, provider, persona):
    login(client, request.getfixturevalue(persona))

    assert client.get(reverse("surveys:reply", args=[reply_of(sent, provider).pk])).status_code == 404


def test_a_provider_cannot_post_a_review_or_open_the_new_request_page(client, sent, staff, provider):
    login(client, staff)
    reply = reply_of(sent, provider)

    client.post(reverse("surveys:reply_review", args=[reply.pk]), {"decision": "accept"})

    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.PENDING
    assert client.get(reverse("surveys:create")).status_code == 403


def test_the_education_authority_reads_its_municipalitys_answers_without_changing_them(
        client, sent, staff, authority, provider, city):
    reply = reply_of(sent, provider)
    login(client, staff).post(reverse("surveys:reply", args=[reply.pk]),
                              {f"field_{field(sent, 'Число кружков').pk}": "4", "submit": ""})
    login(client, authority)

    page = client.get(reverse("surveys:reply", args=[reply.pk])).content.decode()
    municipal = client.get(reverse("surveys:reply", args=[reply_of(sent, municipality=city).pk]))

    assert "Проверка ответа" not in page and "Отправить на проверку" not in page
    assert municipal.status_code == 200 and "Отправить на проверку" not in municipal.content.decode()
    assert client.post(reverse("surveys:reply", args=[reply.pk]), {}).status_code == 403
    client.post(reverse("surveys:reply_review", args=[reply.pk]), {"decision": "accept"})
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.SUBMITTED


def test_a_draft_is_edited_its_fields_removed_and_an_empty_one_is_not_sent(client, regional, city, district):
    login(client, regional)
    client.post(reverse("surveys:create"), {"title": "Черновик", "deadline": week_ahead().isoformat(),
                                            "everyone": "on"})
    survey = Survey.objects.get()
    client.post(reverse("surveys:field_add", args=[survey.pk]), {"label": "Лишнее", "kind": "text"})
    refused = client.post(reverse("surveys:field_add", args=[survey.pk]),
                          {"label": "Бассейн", "kind": "choice", "options": "да"})
    assert refused.status_code == 400
    assert "нужны хотя бы два разных варианта" in refused.content.decode()

    client.post(reverse("surveys:field_remove", args=[survey.pk, survey.fields.get().pk]))
    edited = client.post(reverse("surveys:edit", args=[survey.pk]), {
        "title": "Бассейны", "deadline": week_ahead().isoformat(), "municipalities": [district.pk]})
    sent = client.post(reverse("surveys:send", args=[survey.pk]), follow=True)

    survey.refresh_from_db()
    assert edited.status_code == 302
    assert (survey.title, list(survey.addressees.all()), survey.fields.count()) == ("Бассейны", [district], 0)
    assert "Добавьте в запрос хотя бы одно поле." in sent.content.decode()
    assert survey.status == SurveyStatus.DRAFT


def test_a_late_answer_is_marked_on_the_moc_page(client, sent, staff, operator, provider):
    Survey.objects.filter(pk=sent.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    reply = reply_of(sent, provider)
    login(client, staff).post(reverse("surveys:reply", args=[reply.pk]),
                              {f"field_{field(sent, 'Число кружков').pk}": "4", "submit": ""})

    page = login(client, operator).get(reverse("surveys:detail", args=[sent.pk])).content.decode()

    assert Reply.objects.get(pk=reply.pk).late is True
    row = page.split(provider.short_name, 1)[1].split("</tr>", 1)[0]
    assert "На проверке" in row and "после срока" in row
