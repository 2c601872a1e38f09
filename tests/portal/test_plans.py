"""An approved plan appears among its МОЦ's documents on the portal by itself (the portal
listens to the plans), is refreshed as the plan changes and withdrawn when its approval
is void."""

import io

import pytest
from django.urls import reverse
from docx import Document as Docx

from opora.plans import services
from opora.plans.models import PlanStatus
from opora.portal import plans as published
from opora.portal.models import DocumentKind
from opora.portal.selectors import documents
from tests.plans.conftest import add_items, make_plan, signed


@pytest.fixture
def filled(operator):
    plan = make_plan(operator)
    add_items(operator, plan)
    return plan


def _committed(callbacks, work):
    with callbacks(execute=True):
        return work()


def _docx_text(page) -> str:
    document = page.attachments.get().document
    with document.file.open("rb") as stream:
        docx = Docx(io.BytesIO(stream.read()))
    cells = [cell.text for table in docx.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in docx.paragraphs] + cells)


def test_an_approved_plan_is_published_among_the_mocs_documents(
        client, operator, authority, regional, city_page, filled, django_capture_on_commit_callbacks):
    _committed(django_capture_on_commit_callbacks, lambda: services.send(operator, filled))
    assert published.page_of(filled) is None  # sent, not approved: not public

    _committed(django_capture_on_commit_callbacks, lambda: services.approve(authority, filled, signed()))

    filled.refresh_from_db()
    page = published.page_of(filled)
    assert page.live and page.get_parent().pk == city_page.pk
    assert (page.kind, page.signed_on) == (DocumentKind.PLAN, filled.approved_on)
    assert list(documents(city_page, own=True)) == [page]
    assert "УТВЕРЖДАЮ" in _docx_text(page) and "Гречаная Н.М." in _docx_text(page)
    home = client.get(city_page.url).content.decode()
    assert page.title in home and page.url in home
    assert client.get(page.attachments.get().document.url).status_code == 200
    assert client.get(page.url).status_code == 200

    _committed(django_capture_on_commit_callbacks, lambda: services.agree(regional, filled, signed()))
    page.refresh_from_db()
    assert "Согласован с РМЦ" in page.lead and page.attachments.count() == 1


def test_an_approved_revision_refreshes_the_published_file(
        operator, authority, city_page, filled, django_capture_on_commit_callbacks):
    _committed(django_capture_on_commit_callbacks, lambda: (services.send(operator, filled),
                                                            services.approve(authority, filled, signed())))
    revision = services.open_revision(operator, filled, "Дополнение")
    services.save_item(operator, filled, {"number": "11", "title": "Летняя школа вожатых",
                                          "deadline_text": "июнь"})
    _committed(django_capture_on_commit_callbacks, lambda: services.send_revision(operator, revision))
    assert "Летняя школа вожатых" not in _docx_text(published.page_of(filled))

    _committed(django_capture_on_commit_callbacks,
               lambda: services.approve_revision(authority, revision, signed()))

    assert "Летняя школа вожатых" in _docx_text(published.page_of(filled))


def test_a_plan_returned_by_the_rmc_is_withdrawn_and_a_draft_is_never_public(
        operator, other_operator, authority, regional, city_page, filled, django_capture_on_commit_callbacks):
    other = make_plan(other_operator)
    _committed(django_capture_on_commit_callbacks, lambda: (services.send(operator, filled),
                                                            services.approve(authority, filled, signed())))

    _committed(django_capture_on_commit_callbacks, lambda: services.return_plan(regional, filled, "Нет"))

    filled.refresh_from_db()
    page = published.page_of(filled)
    assert filled.status == PlanStatus.RETURNED and not page.live
    assert list(documents(city_page, own=True)) == []
    assert published.publish_plan(other.pk) is None and published.page_of(other) is None


def test_the_page_is_in_the_cms_log_and_the_audit(operator, authority, city_page, filled,
                                                  django_capture_on_commit_callbacks):
    from opora import audit

    _committed(django_capture_on_commit_callbacks, lambda: (services.send(operator, filled),
                                                            services.approve(authority, filled, signed())))

    actions = [event.action for event in audit.timeline(published.page_of(filled))]
    assert "portal.page.published" in actions
    assert reverse("plans:print", args=[filled.pk])  # the same plan prints in the office
