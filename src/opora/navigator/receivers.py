"""The catalog index follows the registry: whenever a program, a group, a financing
source or an organization is saved or deleted, the entries of the programs concerned
are refreshed in the same transaction.

These are Django's model signals used as an extension point: the registry knows
nothing of the navigator (imports go navigator → registry only), and every way of
changing the registry — services, the admin, imports, test factories — keeps the
catalog exact. The Excel import's bulk INSERTs send no signals and call the registry's
``after_bulk_write`` hook instead, and the enrollment's seat counter (raw SQL) its
``after_seats_changed`` hook; other bulk writes (``QuerySet.update``, COPY) are
followed by ``index.rebuild()`` or ``opora navigator_reindex``.
"""

from django.db.models.signals import post_delete, post_save

from opora.navigator import index
from opora.navigator.models import CatalogEntry
from opora.registry.models import Group, GroupFunding, Module, Organization, Program


def program_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        index.refresh(programs=[instance.pk])


def program_deleted(sender, instance, **kwargs):
    # its groups, deleted first, may have brought the entry back
    CatalogEntry.objects.filter(program_id=instance.pk).delete()
    index.forget([instance.pk])


def organization_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        index.refresh(organization=instance.pk)


def group_changed(sender, instance, raw=False, **kwargs):
    if not raw:  # by its module: a deleted group is no longer found
        index.refresh(programs=Module.objects.filter(pk=instance.module_id)
                      .values_list("program_id", flat=True))


def funding_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        index.refresh_groups([instance.group_id])


def programs_bulk_written(program_ids):
    index.refresh(programs=program_ids)


def connect():
    from opora.registry import services

    if programs_bulk_written not in services.after_bulk_write:
        services.after_bulk_write.append(programs_bulk_written)
    if index.refresh_groups not in services.after_seats_changed:
        services.after_seats_changed.append(index.refresh_groups)
    uid = "opora.navigator.index"
    post_save.connect(program_saved, sender=Program, dispatch_uid=f"{uid}.program_saved")
    post_delete.connect(program_deleted, sender=Program, dispatch_uid=f"{uid}.program_deleted")
    post_save.connect(organization_saved, sender=Organization, dispatch_uid=f"{uid}.organization")
    for signal in (post_save, post_delete):
        signal.connect(group_changed, sender=Group, dispatch_uid=f"{uid}.group.{id(signal)}")
        signal.connect(funding_changed, sender=GroupFunding, dispatch_uid=f"{uid}.funding.{id(signal)}")
