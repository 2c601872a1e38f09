"""Wagtail's log of page actions (every create, edit, publish, schedule, unpublish, move
and delete, with the user and the revision — shown in the CMS's page history and its
«Журнал сайта» report) feeds Opora's audit trail with the changes of state: a page's
creation, publication, scheduling, withdrawal, move and deletion appear in the back
office's timelines as ``portal.page.<action>``. Edits of drafts stay in Wagtail's log and
revisions only (each is a revision a reader can compare and restore)."""

from opora import audit

# Wagtail's action -> (Opora's action, the page's state after it)
MIRRORED = {
    "wagtail.create": ("portal.page.created", "draft"),
    "wagtail.publish": ("portal.page.published", "published"),
    "wagtail.publish.scheduled": ("portal.page.published", "published"),
    "wagtail.schedule.revision": ("portal.page.scheduled", "scheduled"),
    "wagtail.schedule.cancel": ("portal.page.schedule_cancelled", "draft"),
    "wagtail.unpublish": ("portal.page.unpublished", "archived"),
    "wagtail.unpublish.scheduled": ("portal.page.unpublished", "archived"),
    "wagtail.move": ("portal.page.moved", ""),
    "wagtail.delete": ("portal.page.deleted", "deleted"),
}


def mirror_page_log(sender, instance, created, **kwargs):
    """post_save of Wagtail's PageLogEntry: one audit event per change of state."""
    if not created or instance.action not in MIRRORED:
        return
    action, state = MIRRORED[instance.action]
    page = instance.page
    if page is None:
        return
    audit.record(instance.user, action, page, to_state=state, wagtail_log=instance.pk,
                 revision=instance.revision_id)
