"""The price of a group: every change is recorded with its old and new value, and on a
published program a new price reaches the catalog only once the МОЦ approves it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from opora import audit
from opora.audit.models import AuditEvent
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.navigator.models import CatalogEntry
from opora.registry import forms as registry_forms
from opora.registry import selectors, services
from opora.registry.choices import FundingSource
from opora.registry.choices import ProgramStatus as S
from opora.registry.models import GroupFunding, Program
from tests import factories as f
from tests.registry.prices import GROUP_FIELDS, line, save_prices  # noqa: F401

CERT = FundingSource.CERTIFICATE
PAID = FundingSource.PAID




def prices(group):
    return sorted(GroupFunding.objects.filter(group=group)
                  .values_list("source", "monthly_price", "total_price"))


def price_events(program, action="registry.group.price_changed"):
    return [(e.data["source"], e.data["old"], e.data["new"])
            for e in audit.timeline(program).filter(action=action)]


@pytest.fixture
def group(program):
    """A group paid for by certificates at 1 600 ₽ a month (14 400 ₽ the course)."""
    group = f.group(program, name="Группа 1-А")
    GroupFunding.objects.filter(group=group).delete()
    GroupFunding.objects.create(group=group, source=CERT, monthly_price=Decimal("1600"),
                                total_price=Decimal("14400"))
    return group


@pytest.fixture
def published(program, group, staff, operator):
    services.submit_program(staff, program)
    services.publish_program(operator, program)
    return program


def catalog_price(program):
    return CatalogEntry.objects.get(program=program).min_price


# --- every change is recorded ------------------------------------------------------------


def test_a_changed_price_of_a_draft_is_recorded_with_old_and_new_value(program, group, staff):
    line_id = GroupFunding.objects.get(group=group).pk

    save_prices(staff, group, [line(CERT, "9999", "89991")])

    assert prices(group) == [(CERT, Decimal("9999.00"), Decimal("89991.00"))]
    event = audit.timeline(program).get(action="registry.group.price_changed")
    assert (event.actor, event.data["group"], event.data["group_name"]) == (staff, group.pk, "Группа 1-А")
    assert (event.data["source"], event.data["old"], event.data["new"],
            event.data["old_total"], event.data["new_total"]) == (
        CERT, "1600.00", "9999.00", "14400.00", "89991.00")
    # the line was updated in place, and its history keeps both prices
    changed = GroupFunding.objects.get(group=group)
    assert changed.pk == line_id
    assert [h.monthly_price for h in changed.history.order_by("history_date")] == [
        Decimal("1600.00"), Decimal("9999.00")]


def test_added_and_removed_sources_are_recorded(program, group, staff):
    save_prices(staff, group, [line(PAID, "2500", "22500")])

    assert prices(group) == [(PAID, Decimal("2500.00"), Decimal("22500.00"))]
    assert price_events(program) == [(CERT, "1600.00", None), (PAID, None, "2500.00")]


def test_saving_a_group_with_the_same_prices_records_nothing(program, group, staff):
    save_prices(staff, group, [line(CERT, "1600.00", "14400")], name="Группа 1-Б")

    assert price_events(program) == []


def test_the_history_on_the_card_reads_the_change(client, program, group, staff):
    save_prices(staff, group, [line(CERT, "9999", "89991")])
    client.force_login(staff)

    html = client.get(reverse("registry:program_detail", args=[program.pk])).content.decode()

    assert "Изменена стоимость группы" in html
    assert ("группа «Группа 1-А», Сертификат: 1\xa0600\xa0₽ → 9\xa0999\xa0₽ в месяц; "
            "за обучение 14\xa0400\xa0₽ → 89\xa0991\xa0₽") in html


# --- a published program: the МОЦ approves a new price -------------------------------------


def test_a_new_price_of_a_published_program_waits_and_the_catalog_keeps_the_old(
        client, published, group, staff):
    save_prices(staff, group, [line(CERT, "9999", "89991")])

    published.refresh_from_db()
    assert published.status == S.PUBLISHED
    assert prices(group) == [(CERT, Decimal("1600.00"), Decimal("14400.00"))]
    assert catalog_price(published) == Decimal("1600.00")
    page = client.get(reverse("navigator:program", args=[published.pk])).content.decode()
    assert "1\xa0600 ₽ в месяц" in page and "9\xa0999" not in page
    body = client.get(f"/api/v1/programs/{published.pk}").json()
    assert [(x["source"], x["monthly_price"]) for x in body["groups"][0]["funding"]] == [
        (CERT, "1600.00")]
    assert price_events(published, "registry.group.price_proposed") == [(CERT, "1600.00", "9999.00")]
    assert price_events(published) == []


def test_the_moderation_queue_shows_the_change_and_approval_applies_it(
        client, published, group, staff, operator):
    save_prices(staff, group, [line(CERT, "9999", "89991")])

    queue = list(selectors.moderation_queue(operator))
    assert [(p.pk, p.prices_pending) for p in queue] == [(published.pk, True)]
    client.force_login(operator)
    listed = client.get(reverse("registry:moderation")).content.decode()
    assert "Новая стоимость групп" in listed and published.title in listed
    card = client.get(reverse("registry:program_detail", args=[published.pk])).content.decode()
    assert "Новая стоимость на проверке МОЦ" in card
    assert "Сертификат: 1\xa0600\xa0₽ → 9\xa0999\xa0₽ в месяц" in card

    client.post(reverse("registry:program_moderate", args=[published.pk]),
                {"action": "approve_prices"})

    assert prices(group) == [(CERT, Decimal("9999.00"), Decimal("89991.00"))]
    assert catalog_price(published) == Decimal("9999.00")
    assert not group.proposed_funding.exists()
    assert list(selectors.moderation_queue(operator)) == []
    event = audit.timeline(published).get(action="registry.group.price_changed")
    assert (event.actor, event.data["old"], event.data["new"], event.data["proposed_by"]) == (
        operator, "1600.00", "9999.00", staff.pk)
    client.logout()
    body = client.get(f"/api/v1/programs/{published.pk}").json()
    assert body["groups"][0]["funding"][0]["monthly_price"] == "9999.00"


def test_returning_the_change_keeps_the_published_price(published, group, staff, operator):
    save_prices(staff, group, [line(CERT, "9999", "89991")])

    services.return_prices(operator, published, "Цена выше нормативной в шесть раз.")

    published.refresh_from_db()
    assert published.status == S.PUBLISHED
    assert prices(group) == [(CERT, Decimal("1600.00"), Decimal("14400.00"))]
    assert catalog_price(published) == Decimal("1600.00")
    assert not group.proposed_funding.exists()
    event = audit.timeline(published).get(action="registry.group.price_returned")
    assert (event.actor, event.reason) == (operator, "Цена выше нормативной в шесть раз.")
    # the provider's form starts again from the published price
    assert registry_forms.funding_initial(group) == [
        {"source": CERT, "monthly_price": Decimal("1600.00"), "total_price": Decimal("14400.00")}]


def test_the_operator_returns_the_change_on_the_card(client, published, group, staff, operator):
    save_prices(staff, group, [line(CERT, "9999", "89991")])
    client.force_login(operator)
    url = reverse("registry:program_moderate", args=[published.pk])

    blank = client.post(url, {"action": "return_prices", "remark": ""})
    assert blank.status_code == 400 and group.proposed_funding.count() == 1
    done = client.post(url, {"action": "return_prices", "remark": "Обоснуйте рост цены."},
                       follow=True)

    assert "Новая стоимость возвращена организации, в навигаторе осталась прежняя." in (
        done.content.decode())
    assert not group.proposed_funding.exists()
    assert prices(group) == [(CERT, Decimal("1600.00"), Decimal("14400.00"))]


def test_return_without_a_remark_is_refused(published, group, staff, operator):
    save_prices(staff, group, [line(CERT, "9999", "89991")])

    with pytest.raises(ValidationFailed) as err:
        services.return_prices(operator, published, "  ")

    assert (err.value.field, err.value.message) == ("remark", "Напишите, что нужно исправить.")
    assert group.proposed_funding.count() == 1


def test_a_provider_cannot_approve_its_own_change(client, published, group, staff, other_operator):
    save_prices(staff, group, [line(CERT, "9999", "89991")])

    for actor in (staff, other_operator):
        with pytest.raises(PermissionDenied):
            services.approve_prices(actor, published)
    client.force_login(staff)
    client.post(reverse("registry:program_moderate", args=[published.pk]),
                {"action": "approve_prices"})

    assert prices(group) == [(CERT, Decimal("1600.00"), Decimal("14400.00"))]
    assert catalog_price(published) == Decimal("1600.00")
    assert group.proposed_funding.count() == 1


def test_approval_is_refused_while_enrolment_is_open(published, group, staff, operator):
    save_prices(staff, group, [line(CERT, "9999", "89991")])
    save_prices(staff, group, [line(CERT, "9999", "89991")], enrolment_open=True)

    with pytest.raises(InvalidTransition) as err:
        services.approve_prices(operator, published)

    assert "в группу открыта запись" in err.value.message
    assert prices(group) == [(CERT, Decimal("1600.00"), Decimal("14400.00"))]


def test_nothing_to_approve_is_refused(published, operator):
    with pytest.raises(InvalidTransition) as err:
        services.approve_prices(operator, published)
    assert err.value.message == "Новой стоимости на проверке нет."


def test_the_provider_edits_its_proposal_and_may_withdraw_it(published, group, staff):
    save_prices(staff, group, [line(CERT, "9999", "89991")])
    save_prices(staff, group, [line(CERT, "2000", "18000")])
    assert sorted(group.proposed_funding.values_list("source", "monthly_price")) == [
        (CERT, Decimal("2000.00"))]

    save_prices(staff, group, [line(CERT, "1600", "14400")])

    assert not group.proposed_funding.exists()
    assert audit.timeline(published).filter(action="registry.group.price_withdrawn").count() == 1
    assert prices(group) == [(CERT, Decimal("1600.00"), Decimal("14400.00"))]


def test_while_enrolment_is_open_the_proposal_may_be_kept_or_withdrawn_but_not_changed(
        published, group, staff):
    save_prices(staff, group, [line(CERT, "9999", "89991")])
    save_prices(staff, group, [line(CERT, "9999", "89991")], enrolment_open=True)

    with pytest.raises(ValidationFailed) as err:
        save_prices(staff, group, [line(CERT, "2000", "18000")])
    assert "в группу открыта запись" in err.value.message
    assert sorted(group.proposed_funding.values_list("monthly_price", flat=True)) == [
        Decimal("9999.00")]

    save_prices(staff, group, [line(CERT, "1600", "14400")])
    assert not group.proposed_funding.exists()
    assert prices(group) == [(CERT, Decimal("1600.00"), Decimal("14400.00"))]


def _under_moderation(program):
    """A published program sent back to moderation as a whole (as edits of the card did
    before they became revisions; such cards are still in the registry)."""
    Program.objects.filter(pk=program.pk).update(status=S.MODERATING)
    program.refresh_from_db()


def test_publishing_a_program_under_moderation_applies_its_new_price(
        published, group, staff, operator):
    _under_moderation(published)
    save_prices(staff, group, [line(CERT, "1800", "16200")])
    assert prices(group) == [(CERT, Decimal("1600.00"), Decimal("14400.00"))]

    services.publish_program(operator, published)

    assert prices(group) == [(CERT, Decimal("1800.00"), Decimal("16200.00"))]
    assert catalog_price(published) == Decimal("1800.00")


def test_returning_a_program_under_moderation_drops_its_new_price(
        published, group, staff, operator):
    _under_moderation(published)
    save_prices(staff, group, [line(CERT, "1800", "16200")])

    services.return_program(operator, published, "Уточните описание.")

    assert prices(group) == [(CERT, Decimal("1600.00"), Decimal("14400.00"))]
    assert not group.proposed_funding.exists()


def test_archiving_a_program_drops_its_new_price(published, group, staff, operator):
    save_prices(staff, group, [line(CERT, "1800", "16200")])

    services.archive_program(staff, published, "Набор закрыт")
    services.restore_program(staff, published)

    assert prices(group) == [(CERT, Decimal("1600.00"), Decimal("14400.00"))]
    assert not group.proposed_funding.exists()
    event = audit.timeline(published).get(action="registry.group.price_withdrawn")
    assert (event.actor, event.reason) == (staff, "Набор закрыт")


def test_the_provider_sees_its_proposal_on_the_group_page(client, published, group, staff):
    client.force_login(staff)
    save_prices(staff, group, [line(CERT, "9999", "89991")])

    page = client.get(reverse("registry:group_edit", args=[group.pk]))

    html = page.content.decode()
    assert "Изменение стоимости проверяет МОЦ" in html
    assert "Действующая стоимость: Сертификат — 1\xa0600 ₽ в месяц" in html
    assert page.context["line_formsets"][1][1].initial == [
        {"source": CERT, "monthly_price": Decimal("9999.00"), "total_price": Decimal("89991.00")}]


# --- bad input changes nothing -------------------------------------------------------------


@pytest.mark.parametrize(("monthly", "message"), [
    ("-1", "Стоимость не может быть отрицательной."),
    ("1000000000", "Стоимость в месяц не может быть больше 1 000 000 ₽."),
    ("дорого", "Стоимость указывается числом в рублях, например 1600 или 1600.50."),
])
@pytest.mark.parametrize("status", [S.INITIAL, S.PUBLISHED])
def test_a_bad_price_is_refused_in_russian_and_changes_nothing(
        program, group, staff, operator, monthly, message, status):
    if status == S.PUBLISHED:
        services.submit_program(staff, program)
        services.publish_program(operator, program)
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationFailed) as err:
        save_prices(staff, group, [{"source": CERT, "monthly_price": monthly,
                                    "total_price": Decimal("14400")}])

    assert err.value.errors == {"funding-1-monthly_price": [message]}
    assert prices(group) == [(CERT, Decimal("1600.00"), Decimal("14400.00"))]
    assert not group.proposed_funding.exists()
    assert AuditEvent.objects.count() == events


def test_an_absurd_price_on_the_page_is_shown_next_to_the_field(client, program, group, staff):
    from tests.registry.staff_posts import group_post

    client.force_login(staff)
    response = client.post(reverse("registry:group_edit", args=[group.pk]), group_post(
        funding=[{"source": CERT, "monthly_price": "5000000", "total_price": "45000000"}],
        funding_initial=1, enrolment_open=None))

    assert "Стоимость в месяц не может быть больше 1 000 000 ₽." in response.content.decode()
    assert prices(group) == [(CERT, Decimal("1600.00"), Decimal("14400.00"))]
