"""Provider and parent transitions, the waiting list taking released seats, capacity
changes and bulk processing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from opora import audit
from opora.enrollment import selectors, services
from opora.enrollment.models import Application
from opora.enrollment.models import ApplicationStatus as S
from opora.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from opora.registry.choices import FundingSource
from opora.registry.models import GroupFunding
from tests.financing.conftest import certify, make_certificate, make_period


def _statuses(applications):
    return [Application.objects.get(pk=a.pk).status for a in applications]


@pytest.fixture
def full(group, family):
    """The group's 2 seats taken and 3 children in line, in that order."""
    return [services.submit_application(p, c, group)[0] for p, c in family(5)]


def _actions(application):
    return [(e.action, e.from_state, e.to_state, e.reason) for e in audit.timeline(application)]


# --- confirm -------------------------------------------------------------------------


def test_staff_confirm_enrols_a_child_in_a_budget_group(staff, full):
    application = services.confirm_application(staff, full[0])

    assert application.status == S.ENROLLED
    assert _actions(application)[-1] == ("enrollment.application.confirmed", S.NEW, S.ENROLLED, "")
    assert Application.objects.get(pk=application.pk).enrolled_on == timezone.localdate()


def test_certificate_only_group_waits_for_the_contract(staff, group, full, city):
    GroupFunding.objects.filter(group=group).update(source=FundingSource.CERTIFICATE,
                                                    monthly_price=Decimal("1500.00"))
    certify(group.module)
    make_certificate(full[0].child, make_period(city))
    assert services.confirm_application(staff, full[0]).status == S.AWAITING_CONTRACT
    assert full[0].contract.status == "confirmed"
    assert Application.objects.get(pk=full[0].pk).enrolled_on is None  # not yet enrolled


def test_group_with_certificate_and_another_source_enrols(staff, group, full):
    GroupFunding.objects.create(group=group, source=FundingSource.CERTIFICATE,
                                monthly_price=Decimal("1500.00"))
    assert services.confirm_application(staff, full[0]).status == S.ENROLLED


def test_waitlisted_application_cannot_be_confirmed(staff, full):
    with pytest.raises(InvalidTransition) as err:
        services.confirm_application(staff, full[2])
    assert err.value.message == "Заявку в статусе «В очереди» нельзя подтвердить."
    assert _statuses(full) == [S.NEW, S.NEW, S.WAITLISTED, S.WAITLISTED, S.WAITLISTED]


# --- releasing seats promotes the first in line --------------------------------------


def test_rejection_gives_the_seat_to_the_first_in_line(staff, full):
    services.reject_application(staff, full[0], "Не пройден отбор")

    assert _statuses(full) == [S.REJECTED, S.NEW, S.NEW, S.WAITLISTED, S.WAITLISTED]
    assert Application.objects.get(pk=full[0].pk).reason == "Не пройден отбор"
    assert _actions(full[2])[-1] == ("enrollment.application.promoted", S.WAITLISTED, S.NEW, "")
    assert [selectors.position_of(Application.objects.get(pk=a.pk)) for a in full[3:]] == [1, 2]


def test_withdrawal_by_the_parent_gives_the_seat_to_the_first_in_line(group, family, full):
    parent = full[1].child.guardianships.get().parent
    services.withdraw_application(parent, full[1], "Передумали")

    assert _statuses(full) == [S.NEW, S.WITHDRAWN, S.NEW, S.WAITLISTED, S.WAITLISTED]
    assert _actions(full[1])[-1] == ("enrollment.application.withdrawn", S.NEW, S.WITHDRAWN,
                                     "Передумали")


def test_expulsion_gives_the_seat_to_the_first_in_line(staff, full):
    services.confirm_application(staff, full[0])
    on = timezone.localdate()
    services.expel(staff, full[0], "Переезд", on_date=on)

    expelled = Application.objects.get(pk=full[0].pk)
    assert (expelled.status, expelled.reason, expelled.ended_on) == (S.EXPELLED, "Переезд", on)
    assert _statuses(full)[1:] == [S.NEW, S.NEW, S.WAITLISTED, S.WAITLISTED]


def test_leaving_the_line_moves_everyone_behind_up(parent, full):
    services.withdraw_application(full[2].child.guardianships.get().parent, full[2])

    assert _statuses(full) == [S.NEW, S.NEW, S.WITHDRAWN, S.WAITLISTED, S.WAITLISTED]
    assert [selectors.position_of(Application.objects.get(pk=a.pk)) for a in full[3:]] == [1, 2]


def test_completion_does_not_offer_the_seat_to_the_line(staff, full):
    services.confirm_application(staff, full[0])
    services.complete(staff, full[0])

    assert _statuses(full) == [S.COMPLETED, S.NEW, S.WAITLISTED, S.WAITLISTED, S.WAITLISTED]
    assert Application.objects.get(pk=full[0].pk).ended_on == timezone.localdate()


# --- refusals of wrong transitions ---------------------------------------------------


@pytest.mark.parametrize(("call", "message"), [
    (lambda staff, a: services.confirm_application(staff, a),
     "Заявку в статусе «Обучается» нельзя подтвердить."),
    (lambda staff, a: services.reject_application(staff, a, "Причина"),
     "Заявку в статусе «Обучается» нельзя отклонить."),
])
def test_enrolled_child_can_only_be_expelled_or_complete(staff, full, call, message):
    services.confirm_application(staff, full[0])
    with pytest.raises(InvalidTransition) as err:
        call(staff, full[0])
    assert err.value.message == message
    assert _statuses(full)[:3] == [S.ENROLLED, S.NEW, S.WAITLISTED]


def test_parent_cannot_withdraw_an_enrolled_child(staff, full):
    services.confirm_application(staff, full[0])
    with pytest.raises(InvalidTransition) as err:
        services.withdraw_application(full[0].child.guardianships.get().parent, full[0])
    assert err.value.message == "Заявку в статусе «Обучается» нельзя отозвать."
    assert _statuses(full)[0] == S.ENROLLED


def test_new_application_cannot_be_expelled_or_completed(staff, full):
    with pytest.raises(InvalidTransition):
        services.expel(staff, full[0], "Причина")
    with pytest.raises(InvalidTransition):
        services.complete(staff, full[0])
    assert _statuses(full)[0] == S.NEW


def test_ended_application_cannot_be_withdrawn_or_rejected_again(staff, full):
    services.reject_application(staff, full[0], "Нет мест по медицинским показаниям")
    with pytest.raises(InvalidTransition):
        services.reject_application(staff, full[0], "Ещё раз")
    with pytest.raises(InvalidTransition):
        services.withdraw_application(full[0].child.guardianships.get().parent, full[0])
    assert Application.objects.get(pk=full[0].pk).reason == "Нет мест по медицинским показаниям"


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejection_and_expulsion_need_a_reason(staff, full, reason):
    with pytest.raises(ValidationFailed) as err:
        services.reject_application(staff, full[0], reason)
    assert (err.value.field, err.value.message) == ("reason", "Укажите причину.")
    services.confirm_application(staff, full[1])
    with pytest.raises(ValidationFailed):
        services.expel(staff, full[1], reason)
    assert _statuses(full)[:3] == [S.NEW, S.ENROLLED, S.WAITLISTED]


def test_expulsion_date_cannot_be_in_the_future(staff, full):
    services.confirm_application(staff, full[0])
    with pytest.raises(ValidationFailed) as err:
        services.expel(staff, full[0], "Переезд", on_date=timezone.localdate() + dt.timedelta(days=1))
    assert err.value.field == "on_date"
    assert _statuses(full)[0] == S.ENROLLED


# --- permissions ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["other_staff", "operator", "authority", "regional", "parent"])
def test_only_the_groups_staff_process_applications(request, persona, full):
    actor = request.getfixturevalue(persona)
    for call in (lambda: services.confirm_application(actor, full[0]),
                 lambda: services.reject_application(actor, full[0], "Причина"),
                 lambda: services.process_applications(actor, [full[0].pk], "confirm")):
        with pytest.raises((PermissionDenied, NotFound)):
            call()
    assert _statuses(full)[:3] == [S.NEW, S.NEW, S.WAITLISTED]


def test_parent_of_another_family_cannot_withdraw_by_guessing(other_parent, full):
    with pytest.raises(NotFound):
        services.withdraw_application(other_parent, full[0])
    assert _statuses(full)[0] == S.NEW


def test_staff_cannot_withdraw_for_the_parent(staff, full):
    with pytest.raises(NotFound):
        services.withdraw_application(staff, full[0])
    assert _statuses(full)[0] == S.NEW


# --- capacity ------------------------------------------------------------------------


def test_raising_capacity_promotes_the_first_in_line(staff, group, full):
    services.change_capacity(staff, group, 4)

    assert _statuses(full) == [S.NEW, S.NEW, S.NEW, S.NEW, S.WAITLISTED]
    assert selectors.seats_of(group) == {"capacity_max": 4, "seats_taken": 4, "waitlisted": 1,
                                         "free_seats": 0}
    event = audit.timeline(group).get()
    assert (event.action, event.data) == ("enrollment.group.capacity_changed",
                                          {"capacity_before": 2, "capacity_after": 4})


def test_lowering_capacity_drops_nobody(staff, group, full):
    services.confirm_application(staff, full[0])
    services.change_capacity(staff, group, 1)

    assert _statuses(full) == [S.ENROLLED, S.NEW, S.WAITLISTED, S.WAITLISTED, S.WAITLISTED]
    assert selectors.seats_of(group)["free_seats"] == 0
    # one seat fewer: a released seat is not offered while the group is over capacity
    services.reject_application(staff, full[1], "Не явились")
    assert _statuses(full) == [S.ENROLLED, S.REJECTED, S.WAITLISTED, S.WAITLISTED, S.WAITLISTED]


def test_capacity_cannot_go_below_the_minimum(staff, group):
    with pytest.raises(ValidationFailed) as err:
        services.change_capacity(staff, group, 0)
    assert err.value.field == "capacity_max"
    group.refresh_from_db()
    assert group.capacity_max == 2


def test_staff_of_another_organization_cannot_change_capacity(other_staff, group):
    with pytest.raises(PermissionDenied):
        services.change_capacity(other_staff, group, 10)
    group.refresh_from_db()
    assert group.capacity_max == 2


def test_registry_hook_promotes_after_a_capacity_raise_saved_elsewhere(group, full):
    group.capacity_max = 3
    group.save()
    promoted = services.after_capacity_change(group)

    assert [a.pk for a in promoted] == [full[2].pk]
    assert _statuses(full) == [S.NEW, S.NEW, S.NEW, S.WAITLISTED, S.WAITLISTED]


# --- bulk ----------------------------------------------------------------------------


def test_bulk_confirm(staff, full):
    done = services.process_applications(staff, [full[1].pk, full[0].pk], "confirm")

    assert [a.pk for a in done] == [full[0].pk, full[1].pk]
    assert _statuses(full)[:2] == [S.ENROLLED, S.ENROLLED]


def test_bulk_is_all_or_nothing_and_names_the_refused_application(staff, full):
    with pytest.raises(InvalidTransition) as err:
        services.process_applications(staff, [full[0].pk, full[2].pk], "confirm")

    assert err.value.message == (
        f"Заявка № {full[2].pk}: Заявку в статусе «В очереди» нельзя подтвердить.")
    assert _statuses(full) == [S.NEW, S.NEW, S.WAITLISTED, S.WAITLISTED, S.WAITLISTED]
    assert not any(e.action == "enrollment.application.confirmed" for e in audit.timeline(full[0]))


def test_bulk_reject_promotes_as_many_as_released(staff, full):
    services.process_applications(staff, [full[0].pk, full[1].pk], "reject", reason="Набор закрыт")

    assert _statuses(full) == [S.REJECTED, S.REJECTED, S.NEW, S.NEW, S.WAITLISTED]


def test_bulk_refuses_foreign_ids_and_changes_nothing(staff, other_staff, full):
    with pytest.raises(NotFound):
        services.process_applications(other_staff, [full[0].pk], "reject", reason="Чужая")
    with pytest.raises(NotFound):
        services.process_applications(staff, [full[0].pk, 999999], "reject", reason="Нет")
    with pytest.raises(ValidationFailed):
        services.process_applications(staff, [full[0].pk], "delete")
    assert _statuses(full)[0] == S.NEW


def test_bulk_reject_without_a_reason_names_the_field(staff, full):
    with pytest.raises(ValidationFailed) as err:
        services.process_applications(staff, [full[0].pk, full[1].pk], "reject")
    assert (err.value.field, err.value.message) == ("reason", "Укажите причину.")
    assert _statuses(full)[:2] == [S.NEW, S.NEW]
