"""The МОЦ's children and suspected duplicates through the pages: the pairs side by side,
merging with a reason, «Это разные дети»; other municipalities and other roles are
refused."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opora import audit
from opora.accounts.models import Role
from opora.enrollment import children as children_service
from opora.enrollment import services
from opora.enrollment.models import Application, Child, DistinctChildren, Guardianship
from opora.enrollment.models import ApplicationStatus as S
from tests import factories as f
from tests.enrollment.conftest import add_child, child_data, snils

DUPLICATES = "/office/children/duplicates/"


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def notes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def twins(city, group):
    """One child entered twice, with two different СНИЛС, by two parents of the city; the
    second record has an application."""
    first_parent = f.user(Role.PARENT, municipality=city)
    second_parent = f.user(Role.PARENT, municipality=city)
    first = add_child(first_parent, snils=snils(123456789))
    second = add_child(second_parent, snils=snils(223456789))
    application = services.submit_application(second_parent, second, group)[0]
    return first, second, application


def _pair_post(first, second, **extra):
    return {"first": str(first.uuid), "second": str(second.uuid), **extra}


def test_operator_sees_the_pair_side_by_side(operator_client, twins):
    first, second, _application = twins

    response = operator_client.get(DUPLICATES)

    assert [(r["pair"].first, r["pair"].second) for r in response.context["rows"]] == [
        (first, second)]
    assert [[c["applications"] for c in r["children"]] for r in response.context["rows"]] == [
        [0, 1]]
    page = text(response)
    assert "Совпадают ФИО и дата рождения" in page
    assert "123-456-789" in page and "223-456-789" in page
    assert "Объединить" in page and "Это разные дети" in page


def test_operator_merges_keeping_the_second_record(operator_client, operator, twins):
    first, second, application = twins

    response = operator_client.post(reverse("enrollment:merge"), _pair_post(
        first, second, keep="second", reason="Один ребёнок, СНИЛС введён с ошибкой"))

    assert response["Location"] == DUPLICATES
    assert list(Child.objects.all()) == [second]
    assert second.guardianships.count() == 2
    assert Application.objects.get(pk=application.pk).child == second
    event = audit.timeline(second).last()
    assert (event.action, event.reason) == ("enrollment.child.merged",
                                            "Один ребёнок, СНИЛС введён с ошибкой")
    assert notes(response)[0].startswith("Записи объединены: осталась запись «Смирнова Алёна")


def test_merge_needs_a_reason_and_keeps_both(operator_client, twins):
    first, second, _application = twins

    response = operator_client.post(reverse("enrollment:merge"),
                                    _pair_post(first, second, keep="first", reason=" "))

    assert notes(response) == ["Укажите, почему записи объединяются."]
    assert Child.objects.count() == 2


def test_merge_needs_the_record_to_keep(operator_client, twins):
    first, second, _application = twins

    response = operator_client.post(reverse("enrollment:merge"),
                                    _pair_post(first, second, reason="Дубль"))

    assert notes(response) == ["Выберите, какую запись оставить."]
    assert Child.objects.count() == 2


def test_operator_marks_the_pair_as_different_children(operator_client, twins):
    first, second, _application = twins

    response = operator_client.post(reverse("enrollment:mark_distinct"), _pair_post(first, second))

    assert notes(response) == ["Отмечено: Смирнова Алёна Игоревна и Смирнова Алёна Игоревна — "
                               "разные дети."]
    assert DistinctChildren.objects.count() == 1
    assert operator_client.get(DUPLICATES).context["rows"] == []


def test_operator_of_another_municipality_sees_no_pair_and_cannot_merge(client, other_operator,
                                                                        twins):
    first, second, application = twins
    client.force_login(other_operator)

    listed = client.get(DUPLICATES)
    merge = client.post(reverse("enrollment:merge"),
                        _pair_post(first, second, keep="first", reason="Чужие"))
    distinct = client.post(reverse("enrollment:mark_distinct"), _pair_post(first, second))

    assert listed.context["rows"] == []
    assert (merge.status_code, distinct.status_code) == (404, 404)
    assert Child.objects.count() == 2 and DistinctChildren.objects.count() == 0
    assert Application.objects.get(pk=application.pk).status == S.NEW


@pytest.mark.parametrize("persona", ["parent", "staff", "authority", "regional"])
def test_only_the_moc_opens_the_duplicates(client, request, persona, twins):
    first, second, _application = twins
    client.force_login(request.getfixturevalue(persona))

    assert client.get(DUPLICATES).status_code == 403
    assert client.post(reverse("enrollment:merge"), _pair_post(
        first, second, keep="first", reason="Дубль")).status_code == 403
    assert Child.objects.count() == 2


# --- children of the territory -------------------------------------------------------


def test_operator_lists_and_searches_the_children_of_the_municipality(operator_client, twins,
                                                                      other_parent):
    add_child(other_parent, last_name="Районова")  # lives in the other municipality

    listed = operator_client.get(reverse("enrollment:children"))
    found = operator_client.get(reverse("enrollment:children"), {"q": "СМИРНОВА алена"})
    missing = operator_client.get(reverse("enrollment:children"), {"q": "Районова"})

    assert len(listed.context["page"]) == 2 and "Районова" not in text(listed)
    assert [c.live_applications for c in listed.context["page"]] == [0, 1]
    assert len(found.context["page"]) == 2
    assert len(missing.context["page"]) == 0


@pytest.mark.parametrize("persona", ["parent", "staff"])
def test_parents_and_providers_have_no_children_register(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("enrollment:children")).status_code == 403


def test_children_list_runs_the_same_queries_for_3_and_30_rows(operator_client, parent, group,
                                                               settings):
    settings.OPORA_PAGE_SIZE = 50
    counts = []
    for size in (3, 27):
        for n in range(size):
            kid = add_child(parent, first_name=f"Ребёнок{len(counts)}-{n}")
            services.submit_application(parent, kid, group)
        with CaptureQueriesContext(connection) as queries:
            response = operator_client.get(reverse("enrollment:children"))
        assert len(response.context["page"].object_list) == (3 if not counts else 30)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_duplicates_page_runs_the_same_queries_for_1_and_10_pairs(operator_client, city):
    counts = []
    for size in (1, 9):
        for n in range(size):
            for number in (1, 2):
                parent = f.user(Role.PARENT, municipality=city)
                # a birth date of its own per pair: no near matches across pairs
                add_child(parent, first_name=f"Двойня{len(counts)}-{n}",
                          birth_date=dt.date(2015, 1, 1) + dt.timedelta(days=len(counts) * 100 + n),
                          snils=snils(100000000 + len(counts) * 1000 + n * 10 + number))
        with CaptureQueriesContext(connection) as queries:
            response = operator_client.get(DUPLICATES)
        assert len(response.context["rows"]) == (1 if not counts else 10)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- pending guardians ---------------------------------------------------------------


def test_operator_confirms_a_pending_guardian_on_the_page(client, operator, parent, other_parent,
                                                         city):
    child, _ = children_service.register_child(parent, child_data(city), consent=True)
    children_service.register_child(other_parent, child_data(city), consent=True)
    link = Guardianship.objects.get(child=child, parent=other_parent)
    client.force_login(operator)

    page = client.get(reverse("enrollment:guardians")).content.decode()
    client.post(reverse("enrollment:guardian_decide", args=[link.pk]), {"action": "confirm"})

    assert other_parent.email in page
    link.refresh_from_db()
    assert link.confirmed_at is not None and link.confirmed_by == operator


def test_guardians_page_runs_the_same_queries_for_3_and_30_requests(operator_client, parent,
                                                                  other_parent, city, settings):
    settings.OPORA_PAGE_SIZE = 50
    counts = []
    for size in (3, 27):
        for n in range(size):
            data = child_data(city, first_name=f"Ребёнок{len(counts)}-{n}")
            children_service.register_child(parent, data, consent=True)
            children_service.register_child(other_parent, data, consent=True)  # waits for the МОЦ
        with CaptureQueriesContext(connection) as queries:
            response = operator_client.get(reverse("enrollment:guardians"))
        assert len(response.context["page"].object_list) == (3 if not counts else 30)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_operator_of_another_municipality_cannot_decide(client, other_operator, parent,
                                                        other_parent, city):
    child, _ = children_service.register_child(parent, child_data(city), consent=True)
    children_service.register_child(other_parent, child_data(city), consent=True)
    link = Guardianship.objects.get(child=child, parent=other_parent)
    client.force_login(other_operator)

    response = client.post(reverse("enrollment:guardian_decide", args=[link.pk]),
                           {"action": "confirm"})

    assert response.status_code == 404
    link.refresh_from_db()
    assert link.confirmed_at is None
