"""Who reads which children and applications, positions in lists, and query counts that
do not grow with rows."""

import uuid

import pytest

from opora.accounts.models import Role
from opora.enrollment import selectors, services
from opora.enrollment.models import ApplicationStatus as S
from opora.errors import NotFound
from tests import factories as f
from tests.enrollment.conftest import add_child, open_group


@pytest.fixture
def applied(parent, child, group, other_parent, other_provider):
    """The parent's child applied to the city provider's group; another family's child
    (living in the district) applied to a district provider's group."""
    mine = services.submit_application(parent, child, group)[0]
    district_program = f.program(other_provider, status="published")
    foreign_child = add_child(other_parent, first_name="Чужой")
    foreign = services.submit_application(other_parent, foreign_child, open_group(district_program))[0]
    return mine, foreign


def test_parent_sees_only_own_children_and_applications(parent, other_parent, applied):
    mine, foreign = applied
    assert list(selectors.visible_children(parent)) == [mine.child]
    assert list(selectors.visible_applications(parent)) == [mine]
    assert list(selectors.visible_applications(other_parent)) == [foreign]


def test_staff_see_the_children_who_applied_to_them(staff, other_staff, applied):
    mine, foreign = applied
    assert list(selectors.visible_children(staff)) == [mine.child]
    assert list(selectors.visible_applications(staff)) == [mine]
    assert list(selectors.visible_children(other_staff)) == [foreign.child]


def test_moc_sees_children_of_its_municipality(operator, other_operator, regional, applied):
    mine, foreign = applied
    assert list(selectors.visible_children(operator)) == [mine.child]
    # the district МОЦ sees the child living there and the applications to its providers
    assert list(selectors.visible_children(other_operator)) == [foreign.child]
    assert list(selectors.visible_applications(other_operator)) == [foreign]
    assert set(selectors.visible_children(regional)) == {mine.child, foreign.child}


def test_anonymous_and_experts_see_no_child(applied):
    from django.contrib.auth.models import AnonymousUser

    expert = f.user(Role.EXPERT)
    for user in (AnonymousUser(), expert):
        assert list(selectors.visible_children(user)) == []
        assert list(selectors.visible_applications(user)) == []


def test_guessing_ids_finds_nothing(other_parent, other_staff, applied):
    mine, _ = applied
    for user in (other_parent, other_staff):
        with pytest.raises(NotFound):
            selectors.child_for(user, mine.child.uuid)
        with pytest.raises(NotFound):
            selectors.application_for(user, mine.uuid)
    with pytest.raises(NotFound):
        selectors.application_for(other_parent, uuid.uuid4())


def test_filters_of_the_staff_list(staff, group, published, family):
    second = open_group(published, name="Роботы-2")
    made = [services.submit_application(p, c, group)[0] for p, c in family(3)]
    made.append(services.submit_application(*family(1)[0], second)[0])

    assert [a.pk for a in selectors.visible_applications(staff, status=S.WAITLISTED)] == [made[2].pk]
    assert {a.pk for a in selectors.visible_applications(staff, group=second)} == {made[3].pk}
    assert {a.pk for a in selectors.visible_applications(staff, search="фамилия1")} == {made[1].pk}


def test_list_positions_are_ranks_among_the_waitlisted(staff, group, family):
    made = [services.submit_application(p, c, group)[0] for p, c in family(6)]
    services.withdraw_application(made[3].child.guardianships.get().parent, made[3])

    positions = {a.pk: a.position for a in selectors.visible_applications(staff)}
    assert [positions[a.pk] for a in made] == [None, None, 1, None, 2, 3]


def test_seat_counts(group, family):
    for p, c in family(3):
        services.submit_application(p, c, group)
    assert selectors.seats_of(group) == {"capacity_max": 2, "seats_taken": 2, "waitlisted": 1,
                                         "free_seats": 0}


@pytest.mark.parametrize("rows", [3, 30])
def test_lists_take_one_query_whatever_their_length(rows, staff, published, family,
                                                    django_assert_num_queries):
    group = open_group(published, capacity_max=10)
    people = family(rows)
    for p, c in people:
        services.submit_application(p, c, group)

    with django_assert_num_queries(1):
        listed = list(selectors.visible_applications(staff)[:50])
        shown = [(a.child.first_name, a.group.module.program.organization.short_name, a.position)
                 for a in listed]
    waiting = max(rows - 10, 0)
    assert [position for _n, _o, position in shown] == (
        list(range(waiting, 0, -1)) + [None] * min(rows, 10))
    with django_assert_num_queries(1):
        mine = list(selectors.applications_of(people[-1][0]))
        assert mine[0].group.module.program.title == published.title
