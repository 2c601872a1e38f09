"""Who may do what, and who sees which rows: ``opora.accounts.scope`` for every role.

Municipality A (the city) has two providers, «Центр А1» and «Студия А2», and a
switched-off one; municipality B (the district) has «Центр Б1».
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from opora.accounts import scope
from opora.accounts.models import Role, User
from opora.registry.choices import ProgramStatus as S
from opora.registry.models import Group, Module, Organization, Program, ScheduleLine, Teacher
from tests import factories as f

ROLES = ["parent", "staff_a", "staff_b", "operator_a", "operator_b", "authority_a", "regional",
         "expert", "anonymous", "inactive", "superuser"]


@pytest.fixture
def world(city, district):
    a1 = f.organization(city, short_name="Центр А1")
    a2 = f.organization(city, short_name="Студия А2")
    off = f.organization(city, short_name="Закрытый центр", is_active=False)
    b1 = f.organization(district, short_name="Центр Б1")
    programs = {
        title: f.program(org, title=title, status=status) for title, org, status in [
            ("А1 черновик", a1, S.INITIAL),
            ("А1 модерация", a1, S.MODERATING),
            ("А1 опубликована", a1, S.PUBLISHED),
            ("А1 ожидает правки", a1, S.WAIT_FOR_EDITING),
            ("А1 архив", a1, S.ARCHIVE),
            ("А2 опубликована", a2, S.PUBLISHED),
            ("А2 черновик", a2, S.INITIAL),
            ("Откл опубликована", off, S.PUBLISHED),
            ("Б1 опубликована", b1, S.PUBLISHED),
            ("Б1 черновик", b1, S.INITIAL),
        ]
    }
    for name, title, active in [("Г А1 опубл", "А1 опубликована", True),
                                ("Г А1 опубл выкл", "А1 опубликована", False),
                                ("Г А1 черн", "А1 черновик", True),
                                ("Г откл", "Откл опубликована", True),
                                ("Г Б1 опубл", "Б1 опубликована", True)]:
        f.group(programs[title], name=name, is_active=active)
    for org, name in [(a1, "А1"), (a2, "А2"), (off, "Откл"), (b1, "Б1")]:
        f.teacher(org, last_name=f"Педагог {name}")
    return {"a1": a1, "a2": a2, "city": city, "district": district, "programs": programs}


@pytest.fixture
def people(world):
    city, district = world["city"], world["district"]

    def staff_of(org):
        return f.user(Role.ORGANIZATION_STAFF, organization=org, municipality=org.municipality)

    return {
        "parent": f.user(Role.PARENT, municipality=city),
        "staff_a": staff_of(world["a1"]),
        "staff_b": staff_of(world["a2"]),
        "operator_a": f.user(Role.SUPPORT_CENTRE, municipality=city),
        "operator_b": f.user(Role.SUPPORT_CENTRE, municipality=district),
        "authority_a": f.user(Role.EDUCATION_AUTHORITY, municipality=city),
        "regional": f.user(Role.REGIONAL_CENTRE),
        "expert": f.user(Role.EXPERT),
        "anonymous": AnonymousUser(),
        # would moderate municipality A if the account were active
        "inactive": f.user(Role.SUPPORT_CENTRE, municipality=city, is_active=False),
        "superuser": User.objects.create_superuser("root@example.org", "root-pass-123"),
    }


# --- actions (every action × every persona: tests/accounts/test_action_matrix.py) ---------


def test_unknown_action_is_denied_to_everyone(world, people):
    program = world["programs"]["А1 черновик"]

    assert [role for role in ROLES if scope.can(people[role], "registry.delete", program)] == []


def test_editing_reaches_every_part_of_a_program(world, people):
    program = world["programs"]["А1 опубликована"]
    group = Group.objects.get(name="Г А1 опубл")
    parts = [program, Module.objects.get(program=program), group,
             ScheduleLine.objects.get(group=group), group.funding.get(),
             Teacher.objects.get(last_name="Педагог А1"), world["a1"]]

    assert [scope.can(people["staff_a"], "registry.edit", part) for part in parts] == [True] * 7
    assert [scope.can(people["staff_b"], "registry.edit", part) for part in parts] == [False] * 7


# --- what each role sees ------------------------------------------------------------------

PUBLIC_PROGRAMS = {"А1 опубликована", "А2 опубликована", "Б1 опубликована"}
ALL_PROGRAMS = {"А1 черновик", "А1 модерация", "А1 опубликована", "А1 ожидает правки", "А1 архив",
                "А2 опубликована", "А2 черновик", "Откл опубликована", "Б1 опубликована",
                "Б1 черновик"}
CITY_PROGRAMS = ALL_PROGRAMS - {"Б1 опубликована", "Б1 черновик"}
A1_PROGRAMS = {"А1 черновик", "А1 модерация", "А1 опубликована", "А1 ожидает правки", "А1 архив"}

PUBLIC_GROUPS = {"Г А1 опубл", "Г Б1 опубл"}
ALL_GROUPS = {"Г А1 опубл", "Г А1 опубл выкл", "Г А1 черн", "Г откл", "Г Б1 опубл"}

PUBLIC_ORGANIZATIONS = {"Центр А1", "Студия А2", "Центр Б1"}
ALL_ORGANIZATIONS = PUBLIC_ORGANIZATIONS | {"Закрытый центр"}

ALL_TEACHERS = {"Педагог А1", "Педагог А2", "Педагог Откл", "Педагог Б1"}

VISIBLE = {
    "parent": (PUBLIC_PROGRAMS, PUBLIC_GROUPS, PUBLIC_ORGANIZATIONS, set()),
    "staff_a": (A1_PROGRAMS | PUBLIC_PROGRAMS,
                {"Г А1 опубл", "Г А1 опубл выкл", "Г А1 черн", "Г Б1 опубл"},
                PUBLIC_ORGANIZATIONS, {"Педагог А1"}),
    "staff_b": (PUBLIC_PROGRAMS | {"А2 черновик"}, PUBLIC_GROUPS, PUBLIC_ORGANIZATIONS,
                {"Педагог А2"}),
    "operator_a": (CITY_PROGRAMS | PUBLIC_PROGRAMS, ALL_GROUPS, ALL_ORGANIZATIONS,
                   {"Педагог А1", "Педагог А2", "Педагог Откл"}),
    "operator_b": (PUBLIC_PROGRAMS | {"Б1 черновик"}, PUBLIC_GROUPS, PUBLIC_ORGANIZATIONS,
                   {"Педагог Б1"}),
    "authority_a": (CITY_PROGRAMS | PUBLIC_PROGRAMS, ALL_GROUPS, ALL_ORGANIZATIONS,
                    {"Педагог А1", "Педагог А2", "Педагог Откл"}),
    "regional": (ALL_PROGRAMS, ALL_GROUPS, ALL_ORGANIZATIONS, ALL_TEACHERS),
    "expert": (PUBLIC_PROGRAMS, PUBLIC_GROUPS, PUBLIC_ORGANIZATIONS, set()),
    "anonymous": (PUBLIC_PROGRAMS, PUBLIC_GROUPS, PUBLIC_ORGANIZATIONS, set()),
    "inactive": (PUBLIC_PROGRAMS, PUBLIC_GROUPS, PUBLIC_ORGANIZATIONS, set()),
    "superuser": (ALL_PROGRAMS, ALL_GROUPS, ALL_ORGANIZATIONS, ALL_TEACHERS),
}

MODELS = [(Program, "title"), (Group, "name"), (Organization, "short_name"),
          (Teacher, "last_name")]


@pytest.mark.parametrize("model_index", range(len(MODELS)), ids=[m.__name__ for m, _ in MODELS])
@pytest.mark.parametrize("role", ROLES)
def test_visible_rows_per_role(world, people, role, model_index):
    model, name = MODELS[model_index]
    rows = scope.visible(people[role], model.objects.all())

    assert set(rows.values_list(name, flat=True)) == VISIBLE[role][model_index]


def test_public_catalogue_hides_every_unpublished_status_and_switched_off_providers(world):
    visible = set(scope.visible(None, Program.objects.all()).values_list("title", flat=True))

    assert visible == PUBLIC_PROGRAMS
    assert {"А1 черновик", "А1 модерация", "А1 ожидает правки", "А1 архив",
            "Откл опубликована"}.isdisjoint(visible)


def test_visible_adds_no_duplicates_when_own_rows_are_also_public(world, people):
    rows = scope.visible(people["staff_a"], Program.objects.all())

    assert rows.count() == len(A1_PROGRAMS | PUBLIC_PROGRAMS) == 7


def test_back_office_roles(people):
    assert [role for role in ROLES if scope.reads_back_office(people[role])] == [
        "staff_a", "staff_b", "operator_a", "operator_b", "authority_a", "regional", "superuser"]
