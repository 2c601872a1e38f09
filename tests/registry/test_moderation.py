"""Moderation of program cards: Черновик → Модерация → Опубликовано / Ожидает правки → Архив."""

import pytest

from opora import audit
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.registry import services
from opora.registry.choices import ProgramStatus as S
from opora.registry.choices import Register
from tests import factories as f


def _reload(program):
    program.refresh_from_db()
    return program


def test_staff_submit_and_operator_publish_record_both_steps(program, staff, operator):
    services.submit_program(staff, program)
    services.publish_program(operator, program)

    assert _reload(program).status == S.PUBLISHED
    assert program.published_at is not None
    steps = [(e.action, e.actor_id, e.from_state, e.to_state) for e in audit.timeline(program)]
    assert steps == [
        ("registry.program.submitted", staff.pk, S.INITIAL, S.MODERATING),
        ("registry.program.published", operator.pk, S.MODERATING, S.PUBLISHED),
    ]


def test_operator_returns_with_remark_and_staff_resubmit(program, staff, operator):
    services.submit_program(staff, program)
    services.return_program(operator, program, "Уточните цели программы.")
    assert _reload(program).status == S.WAIT_FOR_EDITING
    assert program.moderation_remark == "Уточните цели программы."
    event = list(audit.timeline(program))[-1]
    assert (event.action, event.reason) == ("registry.program.returned", "Уточните цели программы.")

    services.submit_program(staff, program)
    assert _reload(program).status == S.MODERATING


def test_return_without_remark_is_refused_and_changes_nothing(program, staff, operator):
    services.submit_program(staff, program)
    with pytest.raises(ValidationFailed) as err:
        services.return_program(operator, program, "   ")
    assert err.value.field == "remark"
    assert _reload(program).status == S.MODERATING


def test_archive_only_published(program, staff, operator):
    with pytest.raises(InvalidTransition):
        services.archive_program(staff, program)
    services.submit_program(staff, program)
    services.publish_program(operator, program)
    services.archive_program(operator, program, "Программа больше не реализуется")
    assert _reload(program).status == S.ARCHIVE


@pytest.mark.parametrize("status", [S.INITIAL, S.WAIT_FOR_EDITING, S.PUBLISHED, S.ARCHIVE])
def test_publish_refused_outside_moderation(provider, operator, status):
    program = f.program(provider, status=status)
    with pytest.raises(InvalidTransition):
        services.publish_program(operator, program)
    assert _reload(program).status == status


@pytest.mark.parametrize("status", [S.MODERATING, S.PUBLISHED, S.ARCHIVE])
def test_submit_refused_from_wrong_state(provider, staff, status):
    program = f.program(provider, status=status)
    with pytest.raises(InvalidTransition):
        services.submit_program(staff, program)
    assert _reload(program).status == status


def test_operator_of_another_municipality_cannot_moderate(program, staff, other_operator):
    services.submit_program(staff, program)
    with pytest.raises(PermissionDenied):
        services.publish_program(other_operator, program)
    assert _reload(program).status == S.MODERATING


@pytest.mark.parametrize("persona", ["other_staff", "authority", "regional", "parent"])
def test_others_cannot_publish(request, program, staff, persona):
    services.submit_program(staff, program)
    with pytest.raises(PermissionDenied):
        services.publish_program(request.getfixturevalue(persona), program)
    assert _reload(program).status == S.MODERATING


def test_staff_cannot_publish_own_program(program, staff):
    services.submit_program(staff, program)
    with pytest.raises(PermissionDenied):
        services.publish_program(staff, program)


def test_staff_of_other_organization_cannot_submit(program, other_staff):
    with pytest.raises(PermissionDenied):
        services.submit_program(other_staff, program)
    assert _reload(program).status == S.INITIAL


def test_editing_public_field_of_published_program_waits_for_the_moc(
        program, staff, operator):
    """The published version stays (tests/registry/test_revisions.py has the rest)."""
    title = program.title
    services.submit_program(staff, program)
    services.publish_program(operator, program)
    services.update_program(staff, program, {"title": "Робототехника для начинающих"})
    assert (_reload(program).status, program.title) == (S.PUBLISHED, title)
    assert program.revision.values == {"title": "Робототехника для начинающих"}


def test_editing_internal_field_keeps_program_published(program, staff, operator):
    services.submit_program(staff, program)
    services.publish_program(operator, program)
    services.update_program(staff, program, {"registers": int(Register.SIGNIFICANT)})
    assert _reload(program).status == S.PUBLISHED
    assert program.registers == Register.SIGNIFICANT


def test_partners_follow_the_rule_of_the_page(program, staff, city, other_provider):
    """Partners are other active organizations of the program's municipality, as the
    page offers them; one chosen before it was switched off stays."""
    school = f.organization(city, short_name="Школа")
    closed = f.organization(city, short_name="Закрытый клуб", is_active=False)
    kept = f.organization(city, short_name="Бывший партнёр")
    program.partners.set([kept])
    kept.is_active = False
    kept.save()

    with pytest.raises(ValidationFailed) as err:
        services.update_program(staff, program, {"title": "Сеть"}, partners=[school, closed, other_provider])

    assert err.value.errors == {"partners": [
        "Партнёром может быть только действующая организация муниципалитета программы: "
        f"Закрытый клуб, {other_provider.short_name}."]}
    assert (_reload(program).title, list(program.partners.all())) == (program.title, [kept])
    assert list(services.partner_choices(program.organization, program)) == [kept, school]

    services.update_program(staff, program, {}, partners=[kept, school])
    assert set(program.partners.all()) == {kept, school}


def test_update_with_bad_ages_names_the_field_and_changes_nothing(program, staff):
    with pytest.raises(ValidationFailed) as err:
        services.update_program(staff, program, {"age_min": 15, "age_max": 10})
    assert "age_max" in err.value.errors
    assert (_reload(program).age_min, program.age_max) == (7, 14)
