"""The РМЦ's view of every municipality's plans side by side: counts on a hand-made table,
drafts left out, and who sees it."""

import pytest
from django.urls import reverse

from opora.plans import selectors, services
from opora.plans.models import ItemStatus
from tests.plans.conftest import add_items, make_plan, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(operator, other_operator):
    """The city's work plan of last year, sent for approval: of its 10 items 3 done on
    time, 2 late, 1 not done, 1 cancelled, 3 still open (all of them due: the year is
    over). The district's plan is a draft, which the РМЦ does not see."""
    plan = make_plan(operator)
    add_items(operator, plan)
    services.send(operator, plan)
    items = list(plan.items.order_by("position"))
    statuses = [ItemStatus.DONE] * 3 + [ItemStatus.DONE_LATE] * 2 + [ItemStatus.NOT_DONE,
                                                                     ItemStatus.CANCELLED]
    for item, status in zip(items, statuses, strict=False):
        item.status = status
        item.save(update_fields=["status"])
    draft = make_plan(other_operator)
    add_items(other_operator, draft)
    return plan


def test_every_municipality_side_by_side(sent, regional):
    rows = {row["municipality"].name: row for row in selectors.comparison(regional, sent.year)}

    city = rows["Город Тестов"]
    assert (city["plans"], city["items"], city["due"]) == (1, 10, 9)
    assert (city["done"], city["done_late"], city["not_done"], city["overdue"]) == (3, 2, 1, 3)
    assert city["on_time_share"] == 33
    district = rows["Тестовский район"]  # only a draft: nothing to see
    assert (district["plans"], district["items"], district["on_time_share"]) == (0, 0, None)
    assert selectors.comparison(regional, sent.year + 1)[0]["items"] == 0


def test_items_done_before_they_are_due_wait_for_their_interval_to_end(sent, regional):
    # Early in the plan's year nothing is due yet: three items done early are not yet «done
    # on time» of the items due (4 of 6 due items done, 3 overdue, was 7 of 6).
    import datetime as dt

    rows = {row["municipality"].name: row
            for row in selectors.comparison(regional, sent.year, today=dt.date(sent.year, 1, 1))}

    city = rows["Город Тестов"]
    assert (city["due"], city["done"], city["done_late"], city["not_done"]) == (0, 0, 0, 0)
    assert city["on_time_share"] is None


def test_the_rmc_page_shows_it_and_the_moc_page_does_not(client, sent, regional, operator):
    client.force_login(regional)
    page = client.get(reverse("plans:plans"), {"year": sent.year})
    assert 'data-testid="plans-comparison"' in page.content.decode()
    assert len(page.context["comparison"]) == 2
    assert client.get(reverse("plans:plans"), {"year": "когда-то"}).context["year"] == today().year

    client.force_login(operator)
    assert "comparison" not in client.get(reverse("plans:plans")).context
