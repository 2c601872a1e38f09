"""Writing the portal's content outside the CMS's screens (the demo, imports, tests): the
same rules as the CMS, because they are the CMS's — Wagtail's page permissions, given by
``access.sync_editor`` from the user's Opora role — and the same records (a revision and
Wagtail's log entry for each step, mirrored into Opora's audit by ``receivers``)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from opora.errors import DomainError, PermissionDenied
from opora.portal import access, tree


class PortalError(DomainError):
    pass


@transaction.atomic
def add_content(user, parent, page, *, publish: bool = True, go_live_at=None):
    """Put a content page under a centre's page as a draft, and publish it now or at
    ``go_live_at``, in the user's name; only an editor of that centre may."""
    access.sync_editor(user)
    permissions = parent.permissions_for_user(user)
    if not permissions.can_add_subpage() or not page.can_exist_under(parent):
        raise PermissionDenied(_("Публиковать здесь может только опорный центр этой территории."))
    if publish and not permissions.can_publish_subpage():
        raise PermissionDenied(_("Недостаточно прав для публикации."))
    page.live = False
    page.go_live_at = go_live_at
    page.slug = page.slug or _free_slug(parent, tree.transliterated(page.title)[:60] or "page")
    parent.add_child(instance=page)
    revision = page.save_revision(user=user, log_action=True)
    if publish:
        if go_live_at is not None and go_live_at <= timezone.now():
            raise PortalError(_("Время публикации уже прошло: укажите будущее или опубликуйте сейчас."))
        revision.publish(user=user)
        page.refresh_from_db()
    return page


def _free_slug(parent, slug: str) -> str:
    taken = set(Page.objects.child_of(parent).filter(slug__startswith=slug).values_list("slug", flat=True))
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug}-{n}"
    return candidate


@transaction.atomic
def edit_content(user, page, **fields):
    """Change a page's fields as a new draft revision in the user's name."""
    access.sync_editor(user)
    if not page.permissions_for_user(user).can_edit():
        raise PermissionDenied(_("Изменять материалы может только опорный центр этой территории."))
    latest = page.get_latest_revision_as_object()
    for name, value in fields.items():
        setattr(latest, name, value)
    return latest.save_revision(user=user, log_action=True)


@transaction.atomic
def publish(user, page):
    access.sync_editor(user)
    if not page.permissions_for_user(user).can_publish():
        raise PermissionDenied(_("Недостаточно прав для публикации."))
    page.get_latest_revision().publish(user=user)
    page.refresh_from_db()
    return page


@transaction.atomic
def archive(user, page):
    """Withdraw a published page: it stays in the CMS with its history, off the site."""
    access.sync_editor(user)
    if not page.permissions_for_user(user).can_unpublish():
        raise PermissionDenied(_("Недостаточно прав, чтобы снять материал с публикации."))
    page.unpublish(user=user, log_action=True)
    page.refresh_from_db()
    return page
