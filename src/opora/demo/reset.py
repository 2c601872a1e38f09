"""Deleting the demo region (``opora demo --reset``): children before parents, since
users, programs, organizations and municipalities are protected from cascading."""

from collections import defaultdict
from contextlib import contextmanager

from django.db.models import ProtectedError, Q, RestrictedError
from django.db.models.signals import post_delete

from opora import audit
from opora.accounts.models import User
from opora.demo import portal
from opora.demo.accounts import ACCOUNTS
from opora.demo.training import delete_training
from opora.enrollment.models import Application, Child
from opora.events.models import Event, GiftedRecord, Registration
from opora.financing.models import (
    Certificate,
    CertificateLedger,
    Contract,
    CooperationAgreement,
    GroupSwitch,
    Invoice,
    InvoiceDispute,
)
from opora.hotline.models import FaqEntry, Question
from opora.mailing.models import Mailing
from opora.monitoring.models import Snapshot
from opora.plans.models import Item, Plan
from opora.practices.models import Assignment as PracticeAssignment
from opora.practices.models import Practice, PracticeFile
from opora.quality.models import Appeal, Assignment, Campaign, CriteriaSet, Entry, Expert, Rating
from opora.registry.models import Group, Module, Municipality, Organization, Program, Teacher
from opora.surveys.models import Reply, Survey

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


def _delete_events(region) -> None:
    """The region's events (the РМЦ's have no municipality: those the demo accounts made),
    their registrations and the register of gifted children, with their audit trail."""
    events = Event.objects.filter(Q(municipality__region=region) | Q(organization__municipality__region=region)
                                  | Q(created_by__email__in=[a.email for a in ACCOUNTS]))
    event_ids = list(events.values_list("pk", flat=True))
    registrations = Registration.objects.filter(event_id__in=event_ids)
    records = GiftedRecord.objects.filter(municipality__region=region)
    for model, pks in ((Event, event_ids), (Registration, registrations.values_list("pk", flat=True)),
                       (GiftedRecord, records.values_list("pk", flat=True))):
        for chunk in _chunks(pks):
            audit.forget(model, chunk)
    _delete(records)
    _delete(registrations)
    for chunk in _chunks(event_ids):
        _delete(Event.objects.filter(pk__in=chunk, stage_of__isnull=False))
    for chunk in _chunks(event_ids):
        _delete(Event.objects.filter(pk__in=chunk))


# dispatch_uid prefixes of the catalog's receivers of deleted groups and financing sources
CATALOG_RECEIVERS = ("opora.navigator.index.group.", "opora.navigator.index.funding.")


@contextmanager
def catalog_muted():
    """Without the catalog's ``post_delete`` receivers: each deleted group and financing
    source would refresh its program's catalog entry, one by one (most of a reset's time),
    while ``build_demo`` reindexes the whole catalog after the reset anyway (a deleted
    program still drops its entry and search document itself). Matched by their
    dispatch_uid, since nothing imports the navigator."""
    with post_delete.lock:
        muted = [r for r in post_delete.receivers
                 if str(r[0][0]).startswith(CATALOG_RECEIVERS)]
        post_delete.receivers = [r for r in post_delete.receivers if r not in muted]
        post_delete.sender_receivers_cache.clear()
    try:
        yield
    finally:
        with post_delete.lock:
            post_delete.receivers += [r for r in muted if r not in post_delete.receivers]
            post_delete.sender_receivers_cache.clear()


def _delete_ratings(region) -> None:
    """Parents' ratings of the region's programs, before the applications they rate (the
    programs' stored ratings go with the programs)."""
    rated = Rating.objects.filter(program__organization__municipality__region=region)
    for chunk in _chunks(list(rated.values_list("pk", flat=True))):
        audit.forget(Rating, chunk)
    _delete(rated)


def _delete_surveys(region) -> None:
    """The data requests to, from or by the region (the РМЦ's have no municipality of
    their own), with their replies and audit trails."""
    surveys = Survey.objects.filter(
        pk__in=Survey.objects.filter(Q(municipality__region=region) | Q(addressees__region=region)
                                     | Q(created_by__email__in=[a.email for a in ACCOUNTS]))
        .values("pk"))
    for model, pks in ((Survey, surveys.values_list("pk", flat=True)),
                       (Reply, Reply.objects.filter(survey__in=surveys).values_list("pk", flat=True))):
        for chunk in _chunks(list(pks)):
            audit.forget(model, chunk)
    _delete(surveys)


def _delete_practices(region) -> None:
    """The region's practices with their files, experts' sheets and audit trails (before
    the experts and the organizations they point to)."""
    practices = Practice.objects.filter(municipality__region=region)
    for model, pks in ((Practice, practices.values_list("pk", flat=True)),
                       (PracticeAssignment, PracticeAssignment.objects.filter(practice__in=practices)
                        .values_list("pk", flat=True))):
        for chunk in _chunks(list(pks)):
            audit.forget(model, chunk)
    for stored in PracticeFile.objects.filter(practice__in=practices):
        stored.file.delete(save=False)
    _delete(practices)


def _delete_quality(region) -> None:
    """The region's assessment: campaigns of its municipalities (and the regional ones),
    the programs assessed, the experts of the demo, with their audit trails."""
    in_region = {"program__organization__municipality__region": region}
    campaigns = Campaign.objects.filter(Q(municipality__region=region) | Q(municipality=None))
    entries = Entry.objects.filter(Q(campaign__in=campaigns) | Q(**in_region))
    experts = Expert.objects.filter(Q(municipality__region=region) | Q(organization__municipality__region=region)
                                    | Q(user__email__endswith="@demo.opora"))
    for model, pks in ((Campaign, campaigns.values_list("pk", flat=True)),
                       (Entry, entries.values_list("pk", flat=True)),
                       (Assignment, Assignment.objects.filter(entry__in=entries).values_list("pk", flat=True)),
                       (Appeal, Appeal.objects.filter(entry__in=entries).values_list("pk", flat=True)),
                       (Expert, experts.values_list("pk", flat=True)),
                       (Municipality, Municipality.objects.filter(region=region).values_list("pk", flat=True))):
        for chunk in _chunks(list(pks)):
            audit.forget(model, chunk)
    _delete(entries)
    _delete(campaigns)
    _delete(experts)
    _delete(CriteriaSet.objects.filter(municipality__region=region))


def delete_region(region) -> None:
    with catalog_muted():
        _delete_region(region)


def _delete_region(region) -> None:
    """Delete the demo region with its users, organizations, programs, groups, their audit
    events and their field history."""
    in_region = {"organization__municipality__region": region}
    # the region-wide snapshots (no municipality to cascade from) froze the demo's figures
    Snapshot.objects.filter(municipality__isnull=True).delete()
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
    certificates = Certificate.objects.filter(municipality__region=region)
    contracts = Contract.objects.filter(period__municipality__region=region)
    invoices = Invoice.objects.filter(municipality__region=region)
    for model, pks in ((Invoice, invoices.values_list("pk", flat=True)),
                       (InvoiceDispute, InvoiceDispute.objects.filter(line__invoice__in=invoices)
                        .values_list("pk", flat=True)),
                       (GroupSwitch, GroupSwitch.objects.filter(contract__in=contracts)
                        .values_list("pk", flat=True)),
                       (Contract, contracts.values_list("pk", flat=True)),
                       (Application, applications.values_list("pk", flat=True)),
                       (Child, children.values_list("pk", flat=True)),
                       (Certificate, certificates.values_list("pk", flat=True))):
        for chunk in _chunks(pks):
            audit.forget(model, chunk)
    _delete(invoices)
    _delete_ratings(region)
    _delete(contracts)
    agreements = CooperationAgreement.objects.filter(payer__region=region)
    audit.forget(CooperationAgreement, list(agreements.values_list("pk", flat=True)))
    _delete(agreements)
    _delete_events(region)
    _delete(applications)
    _delete(CertificateLedger.objects.filter(certificate__municipality__region=region))
    _delete(certificates)
    _delete(children)
    _delete_surveys(region)
    delete_training(region, [a.email for a in ACCOUNTS])
    plans = Plan.objects.filter(municipality__region=region)
    for model, pks in ((Plan, plans.values_list("pk", flat=True)),
                       (Item, Item.objects.filter(plan__in=plans).values_list("pk", flat=True))):
        for chunk in _chunks(pks):
            audit.forget(model, chunk)
    _delete(plans)
    _delete_hotline_and_mailings(region)
    _delete_practices(region)
    _delete_quality(region)
    portal.forget(region)

    _delete(User.objects.filter(Q(municipality__region=region)
                                | Q(organization__municipality__region=region)
                                | Q(teacher__organization__municipality__region=region)
                                | Q(email__in=[a.email for a in ACCOUNTS])))
    _delete(Program.objects.filter(**in_region))
    _delete(Organization.objects.filter(municipality__region=region))
    _delete(Municipality.objects.filter(region=region))
    region.delete()

    # The field history of rows that no longer exist would only clutter the admin.
    for model, pks in ids.items():
        for chunk in _chunks(pks):
            model.history.model.objects.filter(id__in=chunk).delete()


def _delete_hotline_and_mailings(region) -> None:
    """The region's hotline questions, FAQ entries and mailings, with their audit trails."""
    questions = Question.objects.filter(municipality__region=region)
    entries = FaqEntry.objects.filter(Q(municipality__region=region) | Q(question__in=questions)
                                      | Q(municipality__isnull=True, question__isnull=True))
    mailings = Mailing.objects.filter(municipality__region=region)
    for model, queryset in ((Question, questions), (FaqEntry, entries), (Mailing, mailings)):
        for chunk in _chunks(queryset.values_list("pk", flat=True)):
            audit.forget(model, chunk)
    _delete(entries)
    _delete(questions)
    _delete(mailings)
