"""Read-side queries of the registry: the program filters, the moderation queue and the
inventory, on a small known set of programs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from opora import audit
from opora.accounts import scope
from opora.audit.models import AuditEvent
from opora.registry import selectors
from opora.registry.choices import (
    Direction,
    FundingSource,
    Level,
    OrganizationKind,
    OvzKind,
    ProgramStatus,
    StudyForm,
)
from opora.registry.models import GroupFunding, Organization, Program
from tests import factories as f

S = ProgramStatus


@pytest.fixture
def known(city, district, provider, other_provider):
    """Four programs whose every filterable property is chosen on purpose."""
    rural = f.organization(city, is_rural=True, kind=OrganizationKind.GENERAL)
    robots = f.program(provider, title="Робототехника", direction=Direction.TECHNICAL,
                       levels=int(Level.START | Level.BASE), status=S.PUBLISHED)
    f.group(robots)  # budget
    dance = f.program(rural, title="Танцевальная студия", direction=Direction.ARTS,
                      levels=int(Level.ADVANCED), study_form=StudyForm.MIXED, is_distance=True,
                      ovz_kinds=int(OvzKind.DEAF | OvzKind.BLIND), status=S.MODERATING)
    dance_group = f.group(dance)
    GroupFunding.objects.filter(group=dance_group).update(source=FundingSource.CERTIFICATE)
    chess = f.program(provider, title="Шахматы", direction=Direction.SPORTS,
                      levels=int(Level.BASE), study_form=StudyForm.CORRESPONDENCE,
                      is_network=True, is_for_disabled=True, status=S.INITIAL)
    little = f.program(other_provider, title="Робототехника для малышей",
                       direction=Direction.TECHNICAL, levels=int(Level.START),
                       status=S.PUBLISHED)
    little_group = f.group(little)
    GroupFunding.objects.create(group=little_group, source=FundingSource.PAID,
                                monthly_price=Decimal("1500.00"), total_price=Decimal("13500.00"))
    return {"robots": robots, "dance": dance, "chess": chess, "little": little,
            "rural": rural}


def _titles(queryset):
    return sorted(queryset.values_list("title", flat=True))


ROBOTS, DANCE, CHESS, LITTLE = ("Робототехника", "Танцевальная студия", "Шахматы",
                                "Робототехника для малышей")


@pytest.mark.parametrize(("params", "expected"), [
    ({}, [ROBOTS, LITTLE, DANCE, CHESS]),
    ({"q": "робот"}, [ROBOTS, LITTLE]),
    ({"q": "МАЛЫШ"}, [LITTLE]),
    ({"direction": "arts"}, [DANCE]),
    ({"level": str(int(Level.BASE))}, [ROBOTS, CHESS]),
    ({"level": str(int(Level.START))}, [ROBOTS, LITTLE]),
    ({"form": "full_time"}, [ROBOTS, LITTLE]),
    ({"form": "mixed"}, [DANCE]),
    ({"form": "correspondence"}, [CHESS]),
    ({"form": "distance"}, [DANCE]),
    ({"form": "network"}, [CHESS]),
    ({"funding": "budget"}, [ROBOTS, LITTLE]),
    ({"funding": "certificate"}, [DANCE]),
    ({"funding": "paid"}, [LITTLE]),
    ({"funding": "private"}, []),
    ({"status": "published"}, [ROBOTS, LITTLE]),
    ({"status": "initial"}, [CHESS]),
    ({"rural": "yes"}, [DANCE]),
    ({"rural": "no"}, [ROBOTS, LITTLE, CHESS]),
    ({"ovz": "any"}, [DANCE]),
    ({"ovz": str(int(OvzKind.BLIND))}, [DANCE]),
    ({"ovz": str(int(OvzKind.AUTISM))}, []),
    ({"ovz": "disabled"}, [CHESS]),
    ({"direction": "technical", "funding": "paid"}, [LITTLE]),
    ({"q": "робот", "status": "published", "level": str(int(Level.BASE))}, [ROBOTS]),
    ({"direction": "sports", "form": "network", "ovz": "disabled", "status": "initial"}, [CHESS]),
])
def test_each_filter_and_combination_returns_exactly_the_matching_programs(
        known, params, expected):
    assert _titles(selectors.filter_programs(Program.objects.all(), params)) == sorted(expected)


def test_municipality_and_organization_filters(known, city, district, provider):
    base = Program.objects.all()
    assert _titles(selectors.filter_programs(base, {"municipality": str(district.pk)})) == [LITTLE]
    assert _titles(selectors.filter_programs(base, {"municipality": str(city.pk)})) == sorted(
        [ROBOTS, DANCE, CHESS])
    assert _titles(selectors.filter_programs(base, {"organization": str(provider.pk)})) == sorted(
        [ROBOTS, CHESS])


@pytest.mark.parametrize("params", [
    {"level": "99"}, {"level": "abc"}, {"direction": "cooking"}, {"form": "x"},
    {"funding": "barter"}, {"status": "deleted"}, {"rural": "maybe"}, {"ovz": "512"},
    {"municipality": "999999"}, {"organization": "nope"}, {"q": "x" * 500},
])
def test_bad_filter_value_is_ignored_with_a_russian_note(known, params):
    form = selectors.ProgramFilterForm(params)

    assert _titles(selectors.filter_programs(Program.objects.all(), form)) == sorted(
        [ROBOTS, DANCE, CHESS, LITTLE])
    [note] = form.ignored()
    assert note.startswith("Фильтр «") and "не применён" in note


def test_bad_value_does_not_drop_the_good_ones(known):
    form = selectors.ProgramFilterForm({"direction": "technical", "level": "banana"})
    assert _titles(selectors.filter_programs(Program.objects.all(), form)) == sorted(
        [ROBOTS, LITTLE])
    assert form.ignored() == ["Фильтр «Уровень» не применён: Выберите корректный вариант. "
                              "banana нет среди допустимых значений."]


def test_operator_filter_form_has_no_municipality_and_lists_own_organizations(
        known, operator, provider, other_provider):
    form = selectors.ProgramFilterForm({"municipality": "1"}, user=operator)
    assert "municipality" not in form.fields
    choices = set(form.fields["organization"].queryset)
    assert choices == {provider, known["rural"]}


def test_operator_cannot_filter_by_organization_of_another_municipality(
        known, operator, other_provider):
    form = selectors.ProgramFilterForm({"organization": str(other_provider.pk)}, user=operator)
    queryset = selectors.filter_programs(selectors.registry_programs(operator), form)
    assert _titles(queryset) == sorted([ROBOTS, DANCE, CHESS])
    assert len(form.ignored()) == 1


def test_registry_of_operator_is_own_municipality_only(known, operator, regional, authority):
    assert _titles(selectors.registry_programs(operator)) == sorted([ROBOTS, DANCE, CHESS])
    assert _titles(selectors.registry_programs(authority)) == sorted([ROBOTS, DANCE, CHESS])
    assert _titles(selectors.registry_programs(regional)) == sorted([ROBOTS, DANCE, CHESS, LITTLE])


def test_organization_filters(known, city, provider, other_provider):
    rural = known["rural"]
    other_provider.is_active = False
    other_provider.save()
    base = Organization.objects.all()

    def names(params):
        return set(selectors.filter_organizations(base, params))

    assert names({"rural": "yes"}) == {rural}
    assert names({"kind": "general"}) == {rural}
    assert names({"active": "no"}) == {other_provider}
    assert names({"municipality": str(city.pk), "kind": "supplementary"}) == {provider}
    assert names({"q": provider.inn}) == {provider}
    assert names({"q": "центр"}) == {provider, rural, other_provider}
    assert names({"sector": "culture"}) == set()
    assert names({"ownership": "bogus"}) == {provider, rural, other_provider}


def test_organization_rows_count_programs(known, provider, other_provider):
    rows = {o.pk: (o.program_count, o.published_count)
            for o in selectors.organization_rows(Organization.objects.all())}
    assert rows[provider.pk] == (2, 1)
    assert rows[known["rural"].pk] == (1, 0)
    assert rows[other_provider.pk] == (1, 1)


def test_moderation_queue_is_oldest_submission_first(provider, other_provider, staff,
                                                     operator, regional):
    from opora.registry import services

    first, second, third = (f.program(provider, title=t) for t in ("Первая", "Вторая", "Третья"))
    elsewhere = f.program(other_provider, title="Чужая", status=S.MODERATING)
    f.program(provider, title="Черновик")
    for program in (first, second, third):
        services.submit_program(staff, program)
    # Submissions happened in this order a week apart, but the second came first.
    now = timezone.now()
    for program, days_ago in ((first, 7), (second, 14), (third, 1)):
        AuditEvent.objects.filter(target_id=str(program.pk), action="registry.program.submitted"
                                  ).update(created_at=now - dt.timedelta(days=days_ago))

    queue = list(selectors.moderation_queue(operator))

    assert [p.title for p in queue] == ["Вторая", "Первая", "Третья"]
    assert queue[0].submitted_at == now - dt.timedelta(days=14)
    assert {p.title for p in selectors.moderation_queue(regional)} == {
        "Первая", "Вторая", "Третья", "Чужая"}
    assert elsewhere not in queue


def test_moderation_queue_uses_latest_resubmission(provider, staff, operator):
    from opora.registry import services

    early, late = f.program(provider, title="Ранняя"), f.program(provider, title="Поздняя")
    services.submit_program(staff, early)
    services.submit_program(staff, late)
    services.return_program(operator, early, "Исправьте описание.")
    services.submit_program(staff, early)
    old = timezone.now() - dt.timedelta(days=3)
    AuditEvent.objects.filter(target_id=str(late.pk)).update(created_at=old)

    assert [p.title for p in selectors.moderation_queue(operator)] == ["Поздняя", "Ранняя"]
    assert [e.action for e in audit.timeline(early)][-1] == "registry.program.submitted"


def _table(result, key):
    [table] = [t for t in result["tables"] if t["key"] == key]
    return {row["code"]: (row["count"], row["share"]) for row in table["rows"]}


def test_inventory_counts_every_dimension_exactly(known):
    result = selectors.inventory(Program.objects.all())

    assert (result["total"], result["organizations"], result["rural"]) == (4, 3, 1)
    assert _table(result, "direction") == {
        "technical": (2, 50.0), "natural_science": (0, 0.0), "arts": (1, 25.0),
        "tourism": (0, 0.0), "social": (0, 0.0), "sports": (1, 25.0)}
    assert _table(result, "level") == {1: (2, 50.0), 2: (2, 50.0), 4: (1, 25.0)}
    assert _table(result, "form") == {
        "full_time": (2, 50.0), "mixed": (1, 25.0), "correspondence": (1, 25.0),
        "distance": (1, 25.0), "network": (1, 25.0)}
    assert _table(result, "funding") == {
        "budget": (2, 50.0), "certificate": (1, 25.0), "social_certificate": (0, 0.0), "paid": (1, 25.0),
        "private": (0, 0.0), "none": (1, 25.0)}
    ovz = _table(result, "ovz")
    assert ovz["any"] == (1, 25.0)
    assert ovz[str(int(OvzKind.DEAF))] == (1, 25.0)
    assert ovz[str(int(OvzKind.SPEECH))] == (0, 0.0)
    assert ovz["disabled"] == (1, 25.0)
    kinds = _table(result, "kind")
    assert kinds["supplementary"] == (3, 75.0)
    assert kinds["general"] == (1, 25.0)
    assert sum(count for count, _share in kinds.values()) == 4


def test_inventory_defaults_to_published_and_narrows_by_status(known, regional, operator):
    base = scope.territory(regional, Program.objects.all())
    published = selectors.inventory(selectors.InventoryFilterForm({}, user=regional).filter(base))
    assert (published["total"], published["organizations"]) == (2, 2)
    everything = selectors.inventory(
        selectors.InventoryFilterForm({"status": "all"}, user=regional).filter(base))
    assert everything["total"] == 4
    drafts = selectors.inventory(
        selectors.InventoryFilterForm({"status": "initial"}, user=regional).filter(base))
    assert _table(drafts, "direction")["sports"] == (1, 100.0)


def test_inventory_of_empty_territory_is_all_zero(db):
    result = selectors.inventory(Program.objects.none())
    assert result["total"] == 0
    assert all(row["count"] == 0 and row["share"] == 0.0
               for table in result["tables"] for row in table["rows"])
