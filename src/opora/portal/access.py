"""Rights in the CMS derived from Opora's roles, never granted by hand: a МОЦ operator
edits and publishes the pages of its municipality's subtree and the images and documents
of its collection; the РМЦ the region-wide pages. Each centre has one Wagtail group
(«Портал: …») holding those rights; ``sync_editor`` puts a user in exactly the group their
role and territory call for (and out of every other portal group) before each request to
the CMS, so a changed role or municipality takes effect on the next click."""

from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupCollectionPermission, GroupPagePermission

from opora.accounts import scope
from opora.accounts.models import Role
from opora.portal import tree
from opora.portal.models import MunicipalityPage, RegionPage

GROUP_PREFIX = "Портал #"
PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"), ("wagtailimages", "change_image"), ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"), ("wagtaildocs", "change_document"), ("wagtaildocs", "choose_document"),
)


def editor_page(user):
    """The page whose subtree the user edits, or None: the МОЦ its municipality's, the РМЦ the
    region's (``portal.edit`` in ``accounts.scope``)."""
    if not scope.holds(user, "portal.edit") or user.is_superuser:
        return None
    if user.role == Role.REGIONAL_CENTRE:
        return RegionPage.objects.first()
    if user.role == Role.SUPPORT_CENTRE and user.municipality_id:
        page = MunicipalityPage.objects.filter(municipality_id=user.municipality_id).first()
        if page is None:
            tree.ensure_portal()
            page = MunicipalityPage.objects.filter(municipality_id=user.municipality_id).first()
        return page
    return None


def group_of(page) -> Group:
    """The centre's group («Портал #<page>: <title>») with its rights on the page's subtree
    and its collection; the rights are granted again if the page was made anew."""
    key = f"{GROUP_PREFIX}{page.pk}:"
    group = Group.objects.filter(name__startswith=key).first()
    if group is None:
        group = Group.objects.create(name=f"{key} {page.title}"[:150])
    if not GroupPagePermission.objects.filter(group=group, page=page).exists():
        group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin",
                                                     codename="access_admin"))
        for codename in PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=group, page=page,
                permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename))
        collection = tree.collection_of(page)
        for app_label, codename in COLLECTION_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=collection,
                permission=Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


def sync_editor(user) -> Group | None:
    """Put the user in the one portal group their role calls for; returns it (None: no rights)."""
    page = editor_page(user)
    wanted = group_of(page) if page is not None else None
    current = list(user.groups.filter(name__startswith=GROUP_PREFIX))
    stale = [g for g in current if wanted is None or g.pk != wanted.pk]
    if stale:
        user.groups.remove(*stale)
    if wanted is not None and all(g.pk != wanted.pk for g in current):
        user.groups.add(wanted)
    if stale or (wanted is not None and all(g.pk != wanted.pk for g in current)):
        # Django caches a user's permissions on the object
        for cache in ("_perm_cache", "_group_perm_cache", "_user_perm_cache"):
            user.__dict__.pop(cache, None)
    return wanted
