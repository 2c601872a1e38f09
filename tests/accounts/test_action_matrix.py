"""Every action of ``opora.accounts.scope.ACTIONS`` × every persona, on the very kind of
object the services hand to ``scope.require`` / ``scope.can`` for that action.

Municipality A (the city) has «Центр А1», whose program, module, group, application,
certification and invoice are the targets; «Студия А2», another provider of A; «Центр
А3», which the МОЦ of A authorised to issue certificates; municipality B (the district)
has «Центр Б1» and «Центр Б3», authorised by B. A parent of A has a child with a
certificate in A's financing period. The answers are written out below, not derived from
ACTIONS: a change of the table or of ``scope`` that moves a right shows up here.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from opora.accounts import scope
from opora.accounts.models import Role, User
from opora.enrollment.models import Application, ApplicationStatus, Channel
from opora.errors import PermissionDenied
from opora.financing.models import Invoice, InvoiceKind
from opora.registry.choices import ProgramStatus
from opora.registry.models import MunicipalityPopulation
from tests import factories as f
from tests.enrollment.conftest import add_child
from tests.financing.conftest import certify, make_certificate, make_period

PERSONAS = ["parent", "staff_a", "staff_a2", "staff_b", "acting_staff", "acting_staff_b", "operator_a",
            "operator_b", "authority_a", "authority_b", "regional", "expert", "anonymous", "inactive",
            "superuser"]

# action -> the objects the services pass to scope for it (grep `scope.require(actor, "<action>"`)
TARGETS = {
    "registry.edit": ["program", "organization"],
    "registry.moderate": ["program"],
    "registry.manage_organizations": ["organization"],
    "registry.import": ["organization"],
    "enrollment.process": ["application", "group"],
    "enrollment.merge_children": ["child"],
    "enrollment.confirm_guardians": ["guardianship"],
    "enrollment.configure": ["municipality"],
    "financing.configure": ["municipality", "period"],
    "financing.certificates": ["certificate"],
    "financing.certify": ["certification"],
    "financing.provide": ["module", "invoice"],
    "financing.settle": ["municipality", "invoice"],
    "monitoring.view": ["municipality"],
    "monitoring.configure": ["municipality", "population"],
}

# Exactly these (action, persona) pairs are allowed on A's / A1's objects; every other
# pair is refused. Nobody of B, no parent, expert, visitor, switched-off account or
# administrator (who works in the admin, not through the services) holds any action; the
# РМЦ (and an administrator, whose role is the РМЦ's) holds only the actions of the
# indicators, on the whole region.
ALLOWED = {
    ("registry.edit", "staff_a"),
    ("registry.moderate", "operator_a"),
    ("registry.manage_organizations", "operator_a"),
    ("registry.import", "staff_a"),
    ("registry.import", "operator_a"),
    ("enrollment.process", "staff_a"),
    ("enrollment.merge_children", "operator_a"),
    ("enrollment.confirm_guardians", "operator_a"),
    ("enrollment.configure", "operator_a"),
    ("financing.configure", "operator_a"),
    ("financing.configure", "authority_a"),
    ("financing.certificates", "operator_a"),
    ("financing.certificates", "acting_staff"),  # «Центр А3», authorised by the МОЦ of A
    ("financing.certify", "operator_a"),
    ("financing.provide", "staff_a"),
    ("financing.settle", "operator_a"),
    ("financing.settle", "authority_a"),
    ("monitoring.view", "operator_a"),
    ("monitoring.view", "authority_a"),
    ("monitoring.view", "regional"),  # the РМЦ reads the indicators of the whole region
    ("monitoring.configure", "operator_a"),
    ("monitoring.configure", "authority_a"),
    ("monitoring.configure", "regional"),
    # an administrator's account has the РМЦ's role, so it holds the РМЦ's actions
    ("monitoring.view", "superuser"),
    ("monitoring.configure", "superuser"),
}

CASES = [pytest.param(action, target, id=f"{action}-{target}")
         for action, targets in TARGETS.items() for target in targets]


@pytest.fixture
def world(city, district):
    a1 = f.organization(city, short_name="Центр А1")
    a2 = f.organization(city, short_name="Студия А2")
    a3 = f.organization(city, short_name="Центр А3", issues_certificates=True)
    b1 = f.organization(district, short_name="Центр Б1")
    b3 = f.organization(district, short_name="Центр Б3", issues_certificates=True)
    program = f.program(a1, title="А1 модерация", status=ProgramStatus.MODERATING)
    module = program.modules.get()
    group = f.group(program, name="Г А1")
    parent = f.user(Role.PARENT, municipality=city)
    child = add_child(parent)
    period = make_period(city)

    def staff_of(org):
        return f.user(Role.ORGANIZATION_STAFF, organization=org, municipality=org.municipality)

    people = {
        "parent": parent,
        "staff_a": staff_of(a1),
        "staff_a2": staff_of(a2),
        "staff_b": staff_of(b1),
        "acting_staff": staff_of(a3),
        "acting_staff_b": staff_of(b3),
        "operator_a": f.user(Role.SUPPORT_CENTRE, municipality=city),
        "operator_b": f.user(Role.SUPPORT_CENTRE, municipality=district),
        "authority_a": f.user(Role.EDUCATION_AUTHORITY, municipality=city),
        "authority_b": f.user(Role.EDUCATION_AUTHORITY, municipality=district),
        "regional": f.user(Role.REGIONAL_CENTRE),
        "expert": f.user(Role.EXPERT),
        "anonymous": AnonymousUser(),
        # would hold every МОЦ action on A if the account were active
        "inactive": f.user(Role.SUPPORT_CENTRE, municipality=city, is_active=False),
        "superuser": User.objects.create_superuser("root@example.org", "root-pass-123"),
    }
    targets = {
        "program": program,
        "organization": a1,
        "module": module,
        "group": group,
        "application": Application.objects.create(
            child=child, group=group, status=ApplicationStatus.REJECTED, channel=Channel.CABINET,
            status_changed_at=timezone.now()),
        "child": child,
        "guardianship": child.guardianships.get(),
        "municipality": city,
        "population": MunicipalityPopulation.objects.create(municipality=city, year=2026,
                                                            children_5_17=1000),
        "period": period,
        "certificate": make_certificate(child, period),
        "certification": certify(module),
        "invoice": Invoice.objects.create(municipality=city, organization=a1, month=dt.date(2026, 10, 1),
                                          kind=InvoiceKind.FINAL),
    }
    return people, targets


def _answers(user, action, obj) -> tuple[bool, bool, bool]:
    """What ``can``, ``actionable`` and ``require`` answer for one user."""
    try:
        scope.require(user, action, obj)
    except PermissionDenied:
        required = False
    else:
        required = True
    return (scope.can(user, action, obj),
            scope.actionable(user, action, type(obj).objects.filter(pk=obj.pk)).exists(), required)


@pytest.mark.parametrize(("action", "target"), CASES)
def test_every_action_for_every_persona(world, action, target):
    """Every persona against one target of the action: the three checks agree, and the
    personas allowed are exactly the table's (a dict diff names the persona that differs)."""
    people, targets = world
    obj = targets[target]

    answers = {persona: _answers(people[persona], action, obj) for persona in PERSONAS}

    expected = {persona: ((action, persona) in ALLOWED,) * 3 for persona in PERSONAS}
    assert answers == expected


def test_the_matrix_covers_every_action():
    assert set(TARGETS) == set(scope.ACTIONS)
    assert {action for action, _ in ALLOWED} == set(scope.ACTIONS)
    assert {persona for _, persona in ALLOWED} <= set(PERSONAS)
