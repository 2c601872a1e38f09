"""An edit of a published program waits for the МОЦ while parents keep seeing, finding
and enrolling into the published version (``ProgramRevision``)."""

import pytest
from django.urls import reverse

from opora import audit
from opora.enrollment import services as enrollment
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.navigator.catalog import search_catalog
from opora.navigator.filters import Filters
from opora.navigator.models import CatalogEntry
from opora.registry import revisions, selectors, services
from opora.registry.choices import ProgramStatus as S
from opora.registry.choices import Register
from opora.registry.models import Program, ProgramRevision
from tests import factories as f
from tests.enrollment.conftest import add_child, open_group

OLD = "Робототехника для начинающих"
NEW = "Квадрокоптеры и дроны"


@pytest.fixture
def published(provider, staff, operator):
    program = f.program(provider, title=OLD, description="Собираем роботов из конструктора.")
    services.submit_program(staff, program)
    return services.publish_program(operator, program)


@pytest.fixture
def edited(published, staff):
    services.update_program(staff, published, {"title": NEW, "age_min": 9})
    return published


def _fresh(program):
    return Program.objects.get(pk=program.pk)


def found(q):
    return [p.title for p in search_catalog(Filters(q=q, page_size=100)).items]


def test_the_edit_waits_and_the_catalog_search_and_page_keep_the_published_version(
        client, edited, staff):
    program = _fresh(edited)
    assert (program.status, program.title, program.age_min) == (S.PUBLISHED, OLD, 7)
    assert CatalogEntry.objects.get(program=program).title == OLD
    assert found("робототехника") == [OLD]
    assert found("квадрокоптеры") == []

    page = client.get(reverse("navigator:program", args=[program.pk]))
    assert page.status_code == 200
    assert OLD in page.content.decode() and NEW not in page.content.decode()

    revision = program.revision
    assert revision.status == ProgramRevision.Status.MODERATING
    assert revision.values == {"title": NEW, "age_min": 9}
    assert [(c.label, c.published, c.proposed) for c in revisions.changes(program, revision)] == [
        ("Название", OLD, NEW), ("Возраст от", "7", "9")]
    event = audit.timeline(program).last()
    assert (event.action, event.data["fields"]) == (
        "registry.program.revision_submitted", ["age_min", "title"])
    # the provider's form shows the edit, but cannot change it while the МОЦ has it
    client.force_login(staff)
    form = client.get(reverse("registry:program_edit", args=[program.pk])).content.decode()
    assert "Изменения программы на модерации" in form


def test_parents_enrol_into_the_published_program_during_moderation(edited, parent):
    group = open_group(edited)
    application, created = enrollment.submit_application(parent, add_child(parent), group)
    assert created and application.group.module.program_id == edited.pk


def test_the_moderation_queue_and_card_show_the_edit_field_by_field(client, edited, operator):
    queued = selectors.moderation_queue(operator).get(pk=edited.pk)
    assert queued.revision_pending and not queued.prices_pending
    client.force_login(operator)
    card = client.get(reverse("registry:program_detail", args=[edited.pk])).content.decode()
    assert "Изменения на модерации" in card and NEW in card and "Утвердить изменения" in card


def test_approval_swaps_the_published_version(client, edited, operator):
    client.force_login(operator)
    response = client.post(reverse("registry:program_moderate", args=[edited.pk]),
                           {"action": "publish"})
    assert response.status_code == 302

    program = _fresh(edited)
    assert (program.status, program.title, program.age_min) == (S.PUBLISHED, NEW, 9)
    assert not ProgramRevision.objects.filter(program=program).exists()
    assert CatalogEntry.objects.get(program=program).title == NEW
    assert found("квадрокоптеры") == [NEW]
    assert found("начинающих") == []
    event = audit.timeline(program).last()
    assert (event.action, event.actor_id) == ("registry.program.revision_approved", operator.pk)


def test_return_keeps_the_published_version_and_the_provider_corrects_the_edit(
        edited, staff, operator):
    services.return_program(operator, edited, "Квадрокоптеры — это другая программа.")

    program = _fresh(edited)
    assert (program.status, program.title) == (S.PUBLISHED, OLD)
    assert found("робототехника") == [OLD]
    revision = program.revision
    assert (revision.status, revision.remark) == (
        ProgramRevision.Status.RETURNED, "Квадрокоптеры — это другая программа.")
    assert audit.timeline(program).last().action == "registry.program.revision_returned"

    services.update_program(staff, program, {"title": "Робототехника и дроны"})
    revision.refresh_from_db()
    assert revision.status == ProgramRevision.Status.MODERATING
    assert revision.values == {"title": "Робототехника и дроны", "age_min": 9}

    services.return_program(operator, program, "Оставьте возраст.")
    services.submit_program(staff, program)  # sent again as it is
    revision.refresh_from_db()
    assert revision.status == ProgramRevision.Status.MODERATING


def test_an_undone_edit_leaves_nothing_to_moderate(edited, staff, operator):
    services.return_program(operator, edited, "Не нужно.")
    services.update_program(staff, edited, {"title": OLD, "age_min": 7})
    assert not ProgramRevision.objects.filter(program=edited).exists()
    assert not selectors.moderation_queue(operator).filter(pk=edited.pk).exists()


def test_internal_fields_change_at_once_and_partners_wait(published, staff, operator, city):
    partner = f.organization(city, short_name="Школа № 5")
    services.update_program(staff, published, {"registers": int(Register.SIGNIFICANT)},
                            partners=[partner])
    program = _fresh(published)
    assert program.registers == Register.SIGNIFICANT
    assert list(program.partners.all()) == []
    assert program.revision.partners == [partner.pk]

    services.publish_program(operator, program)
    assert list(_fresh(program).partners.all()) == [partner]


def test_archiving_drops_the_edit(edited, staff):
    services.archive_program(staff, edited, "Не набираем")
    assert not ProgramRevision.objects.filter(program=edited).exists()
    assert _fresh(edited).title == OLD


@pytest.mark.parametrize("persona", ["staff", "other_operator", "other_staff", "authority", "parent"])
def test_only_the_moc_of_the_municipality_approves_or_returns(request, edited, persona):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.publish_program(actor, edited)
    with pytest.raises(PermissionDenied):
        services.return_program(actor, edited, "Нет.")
    assert _fresh(edited).title == OLD
    assert _fresh(edited).revision.status == ProgramRevision.Status.MODERATING


def test_others_cannot_edit_a_published_program(published, other_staff, operator):
    with pytest.raises(PermissionDenied):
        services.update_program(other_staff, published, {"title": NEW})
    assert not ProgramRevision.objects.filter(program=published).exists()


def test_bad_input_is_refused_and_changes_nothing(edited, published, staff, operator):
    with pytest.raises(ValidationFailed) as err:
        services.return_program(operator, edited, "  ")
    assert err.value.field == "remark"
    with pytest.raises(InvalidTransition):  # the МОЦ has the edit in hand
        services.update_program(staff, edited, {"title": "Третий вариант"})
    services.return_program(operator, edited, "Исправьте возраст.")
    with pytest.raises(ValidationFailed) as err:
        services.update_program(staff, edited, {"age_min": 15})
    assert err.value.field == "age_max"
    revision = ProgramRevision.objects.get(program=edited)
    assert (revision.values, revision.status) == ({"title": NEW, "age_min": 9},
                                                  ProgramRevision.Status.RETURNED)
    with pytest.raises(InvalidTransition):  # nothing waits: publishing a published card
        services.publish_program(operator, f.program(edited.organization, status=S.PUBLISHED))
