"""Deleting the demo region (``opora demo --reset``): children before parents, since
users, programs, organizations and municipalities are protected from cascading."""

from collections import defaultdict

from django.db.models import ProtectedError, Q, RestrictedError

from opora import audit
from opora.accounts.models import User
from opora.demo.accounts import ACCOUNTS
from opora.enrollment.models import Application, Child
from opora.plans.models import Item, Plan
from opora.registry.models import Group, Module, Municipality, Organization, Program, Teacher

CHUNK = 900  # below SQLite's limit of parameters in one statement


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _delete(queryset, depth=0):
    """Delete the rows, first deleting the rows of other apps that protect them (say, an
    application holding a seat in a demo group), as far down as they go."""
    while True:
        try:
            queryset.delete()
            return
        except (ProtectedError, RestrictedError) as error:
            if depth > 10:
                raise
            blockers = getattr(error, "protected_objects", None) or error.restricted_objects
            by_model = defaultdict(set)
            for row in blockers:
                by_model[type(row)].add(row.pk)
            for model, pks in by_model.items():
                for chunk in _chunks(pks):
                    _delete(model._base_manager.filter(pk__in=chunk), depth + 1)


def delete_region(region) -> None:
    """Delete the demo region with its users, organizations, programs, groups, their audit
    events and their field history."""
    in_region = {"organization__municipality__region": region}
    ids = {
        Organization: list(Organization.objects.filter(municipality__region=region)
                           .values_list("pk", flat=True)),
        Teacher: list(Teacher.objects.filter(**in_region).values_list("pk", flat=True)),
        Program: list(Program.objects.filter(**in_region).values_list("pk", flat=True)),
        Module: list(Module.objects.filter(program__organization__municipality__region=region)
                     .values_list("pk", flat=True)),
        Group: list(Group.objects.filter(
            module__program__organization__municipality__region=region)
            .values_list("pk", flat=True)),
    }
    for model in (Organization, Program):
        for chunk in _chunks(ids[model]):
            audit.forget(model, chunk)
    # The families: applications to the region's groups (whoever the child is) and the
    # children living in the region, with their audit trails.
    applications = Application.objects.filter(
        group__module__program__organization__municipality__region=region)
    children = Child.objects.filter(municipality__region=region)
    for model, pks in ((Application, applications.values_list("pk", flat=True)),
                       (Child, children.values_list("pk", flat=True))):
        for chunk in _chunks(pks):
            audit.forget(model, chunk)
    _delete(applications)
    _delete(children)
    plans = Plan.objects.filter(municipality__region=region)
    for model, pks in ((Plan, plans.values_list("pk", flat=True)),
                       (Item, Item.objects.filter(plan__in=plans).values_list("pk", flat=True))):
        for chunk in _chunks(pks):
            audit.forget(model, chunk)
    _delete(plans)

    _delete(User.objects.filter(Q(municipality__region=region)
                                | Q(organization__municipality__region=region)
                                | Q(email__in=[a.email for a in ACCOUNTS])))
    _delete(Program.objects.filter(**in_region))
    _delete(Organization.objects.filter(municipality__region=region))
    _delete(Municipality.objects.filter(region=region))
    region.delete()

    # The field history of rows that no longer exist would only clutter the admin.
    for model, pks in ids.items():
        for chunk in _chunks(pks):
            model.history.model.objects.filter(id__in=chunk).delete()
