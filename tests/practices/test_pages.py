"""The pages of the bank: the provider's, the МОЦ's, the expert's, the РМЦ's and the public ones."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opora.practices import services
from opora.practices.models import Practice, PracticeStatus
from tests.practices.conftest import full_sheet, practice_data, score_all
from tests.spreadsheets import content_of, header_row, xlsx_book

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_provider_writes_attaches_and_submits(client, staff, published_program):
    signed_in(client, staff)
    data = practice_data(programs=[str(published_program.pk)])

    response = client.post(reverse("practices:create"), data)
    practice = Practice.objects.get()
    assert response.status_code == 302 and response.url == reverse("practices:my_practice", args=[practice.pk])

    bad = client.post(reverse("practices:my_practice", args=[practice.pk]),
                      {"action": "file", "file": SimpleUploadedFile("x.pdf", b"not a pdf")})
    assert bad.status_code == 400 and "Файл повреждён" in bad.content.decode()
    client.post(reverse("practices:my_practice", args=[practice.pk]),
                {"action": "file", "file": SimpleUploadedFile("План.pdf", b"%PDF-1.4 plan")})
    client.post(reverse("practices:my_practice", args=[practice.pk]), {"action": "submit"})

    practice.refresh_from_db()
    assert practice.status == PracticeStatus.SUBMITTED and practice.files.count() == 1
    page = client.get(reverse("practices:my_practice", args=[practice.pk])).content.decode()
    assert "подана в МОЦ" in page and "План.pdf" in page and "Изменить" not in page
    download = client.get(reverse("practices:file", args=[practice.files.get().pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 plan"


def test_a_bad_form_keeps_what_was_typed(client, staff):
    response = signed_in(client, staff).post(reverse("practices:create"),
                                              practice_data(links="ftp://example.org"))

    assert response.status_code == 400
    assert "не ссылка http:// или https://" in response.content.decode()
    assert not Practice.objects.exists()


def test_pages_are_scoped(client, other_staff, other_operator, regional, submitted, draft):
    signed_in(client, other_staff)
    assert client.get(reverse("practices:my_practice", args=[draft.pk])).status_code == 404
    signed_in(client, other_operator)
    assert client.get(reverse("practices:practice", args=[submitted.pk])).status_code == 404
    signed_in(client, regional)
    assert client.get(reverse("practices:practice", args=[submitted.pk])).status_code == 404
    assert client.get(reverse("practices:mine")).status_code == 403
    client.logout()
    assert client.get(reverse("practices:office")).status_code == 302
    assert client.get(reverse("practices:bank_practice", args=[submitted.pk])).status_code == 404


def test_the_moc_reviews_publishes_and_forwards(client, operator, submitted, experts):
    signed_in(client, operator)
    page = client.get(reverse("practices:practice", args=[submitted.pk])).content.decode()
    assert "Передать экспертам" in page and experts[1].user.last_name in page
    assert experts[0].user.last_name not in page  # works at the provider

    client.post(reverse("practices:practice_action", args=[submitted.pk, "review"]),
                {"experts": [str(experts[1].user_id)]})
    submitted.refresh_from_db()
    assert submitted.status == PracticeStatus.REVIEW
    refused = client.post(reverse("practices:practice_action", args=[submitted.pk, "publish"]), follow=True)
    assert "Не все эксперты сдали листы" in refused.content.decode()

    score_all(submitted)
    page = client.get(reverse("practices:practice", args=[submitted.pk])).content.decode()
    assert "100,0 %" in page and "Опубликовать в банке" in page
    client.post(reverse("practices:practice_action", args=[submitted.pk, "publish"]))
    client.post(reverse("practices:practice_action", args=[submitted.pk, "forward"]))
    submitted.refresh_from_db()
    assert submitted.status == PracticeStatus.PUBLISHED and submitted.forwarded_at
    assert client.post(reverse("practices:practice_action", args=[submitted.pk, "nonsense"])).status_code == 404


def test_the_expert_scores_on_the_sheet(client, in_review):
    assignment = in_review.assignments.order_by("pk").first()
    signed_in(client, assignment.expert)
    assert in_review.title in client.get(reverse("practices:assignments")).content.decode()

    data = {"action": "submit"}
    for criterion, (value, _comment) in full_sheet(assignment, 1, "").items():
        data[f"score-{criterion}"] = value
    response = client.post(reverse("practices:assignment", args=[assignment.pk]), data)
    assert response.status_code == 400 and "объясните" in response.content.decode()

    for criterion in full_sheet(assignment):
        data[f"comment-{criterion}"] = "Мало подтверждений."
    assert client.post(reverse("practices:assignment", args=[assignment.pk]), data).status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == "submitted"
    other = in_review.assignments.exclude(pk=assignment.pk).first()
    assert client.get(reverse("practices:assignment", args=[other.pk])).status_code == 404


def test_the_regional_centre_marks_and_exports(client, operator, regional, in_review):
    practice = services.forward(operator, services.publish(operator, score_all(in_review)))
    signed_in(client, regional)
    assert practice.title in client.get(reverse("practices:office")).content.decode()

    client.post(reverse("practices:practice_action", args=[practice.pk, "regional"]))
    practice.refresh_from_db()
    assert practice.is_regional

    response = client.get(reverse("practices:office"), {"regional": "1", "format": "xlsx"})
    sheet = xlsx_book(content_of(response)).active
    row = header_row(sheet)
    rows = [[cell.value for cell in line] for line in sheet.iter_rows(min_row=row)]
    assert rows[0][:4] == ["Практика", "Авторы", "Организация", "Муниципалитет"]
    assert rows[1][0] == practice.title and rows[1][12] == "да"


def test_the_public_bank_finds_by_stems_typos_and_filters(client, operator, in_review, staff, city):
    practice = services.publish(operator, score_all(in_review))
    other = services.save_practice(staff, practice_data(
        title="Театральная студия для детей с ОВЗ", target_group="ovz", kind="methodology",
        direction="arts", summary="Инклюзивный театр."))
    Practice.objects.filter(pk=other.pk).update(status=PracticeStatus.PUBLISHED)

    def found(**params):
        page = client.get(reverse("practices:bank"), params).content.decode()
        return [p.title for p in (practice, other) if p.title in page]

    assert found() == [practice.title, other.title]
    assert found(q="инженерный клуб") == [practice.title]  # «инженера», «клубе»: stems
    assert found(q="театральный") == [other.title]
    assert found(q="робототехникка") == [practice.title]  # a misprint
    assert found(target_group="ovz") == [other.title]
    assert found(kind="network", direction="technical", municipality=str(city.pk)) == [practice.title]
    assert found(municipality="99999999") == []
    assert found(q="космонавтика") == []

    page = client.get(reverse("practices:bank_practice", args=[practice.pk])).content.decode()
    assert practice.organization.full_name in page
    assert practice.programs.get().title in page  # the linked published program
