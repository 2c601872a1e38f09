"""The items of the plan of professional development name their audience: kept by the
plan's service (a plan of another kind has none), shown, filtered and exported."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from opora.errors import ValidationFailed
from opora.plans import services as plans
from opora.plans.models import Audience, Plan, PlanKind
from opora.training.kinds import PLAN_KIND
from tests.training.conftest import today

pytestmark = pytest.mark.django_db


def _item(operator, plan, number, title, audience):
    return plans.save_item(operator, plan, {"number": number, "title": title,
                                            "deadline_text": "в течение года", "audience": audience})


@pytest.fixture
def training_plan(city):
    kind = PlanKind.objects.get(code=PLAN_KIND[0])
    assert kind.has_audience
    return Plan.objects.create(municipality=city, kind=kind, year=today().year, title=kind.title)


def test_the_audience_is_kept_on_a_training_plan_only(operator, city, training_plan):
    item = _item(operator, training_plan, "1", "Вебинары для руководителей", [Audience.HEADS, Audience.METHODISTS])
    work = Plan.objects.create(municipality=city, kind=PlanKind.objects.get(code="work_plan"), year=2026,
                               title="План работы")
    other = _item(operator, work, "1", "Совещание", [Audience.HEADS])

    assert item.audience == Audience.HEADS | Audience.METHODISTS
    assert item.audience_labels == ["руководители", "методисты"]
    assert other.audience == 0
    with pytest.raises(ValidationFailed, match="категория"):
        plans.save_item(operator, training_plan, {"number": "2", "title": "Х", "audience": 8})
    assert training_plan.items.count() == 1


def test_the_plan_page_filters_by_audience_and_the_report_has_the_column(client, operator, training_plan):
    _item(operator, training_plan, "1", "Семинары для педагогов", [Audience.TEACHERS])
    _item(operator, training_plan, "2", "Вебинары для руководителей", [Audience.HEADS])
    _item(operator, training_plan, "3", "Конференция для всех", [Audience.TEACHERS, Audience.HEADS])
    client.force_login(operator)

    heads = client.get(reverse("training:plan"), {"audience": int(Audience.HEADS)})
    everyone = client.get(reverse("training:plan"))
    sheet = load_workbook(io.BytesIO(b"".join(client.get(
        reverse("plans:report", args=[training_plan.pk]) + "?format=xlsx").streaming_content))).active

    assert [item.number for item in heads.context["items"]] == ["2", "3"]
    assert len(everyone.context["items"]) == 3
    rows = list(sheet.iter_rows(values_only=True))
    header = next(n for n, row in enumerate(rows) if row[0] == "№ п/п")
    assert rows[header][3] == "Категории участников"
    assert [row[3] for row in rows[header + 1:header + 4]] == ["педагоги", "руководители",
                                                              "педагоги, руководители"]


def test_the_item_form_edits_the_audience(client, operator, training_plan):
    client.force_login(operator)
    answer = client.post(reverse("plans:item_create", args=[training_plan.pk]), {
        "form": "content", "number": "1", "title": "Мастер-классы", "audience": [
            str(int(Audience.TEACHERS)), str(int(Audience.METHODISTS))]})
    assert answer.status_code == 302
    item = training_plan.items.get()
    assert item.audience == Audience.TEACHERS | Audience.METHODISTS
    page = client.get(reverse("plans:item", args=[item.pk])).content.decode()
    assert "педагоги, методисты" in page
