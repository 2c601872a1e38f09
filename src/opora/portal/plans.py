"""The МОЦ's approved plans on its portal page, without the МОЦ doing anything: the portal
listens to ``opora.plans.signals.plan_changed`` (``plans`` is below the portal and does
not import it) and keeps one document page per plan among the centre's own documents —
«План», dated and signed as the authority approved it, with the plan as a Word file with
its stamps (``plans.exporters.plan_document``).

- A plan approved, agreed with the РМЦ, in execution or reported: the page is published,
  or published again with the file rebuilt (the РМЦ's stamp, items changed by an
  approved revision).
- A plan returned (the РМЦ returned an approved plan, whose approval is then void): the
  page is withdrawn until the plan is approved again.

Each publication and withdrawal is Wagtail's revision and log entry (no user: Opora did
it), mirrored into the audit trail like any other (``receivers``). The МОЦ may edit the
page's texts in the CMS; the next change of the plan publishes Opora's version again.
"""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model

from opora.plans.exporters import plan_document
from opora.plans.models import PeriodKind, Plan, PlanStatus
from opora.portal import services, tree
from opora.portal.models import Attachment, DocumentKind, DocumentPage, MunicipalityPage

PUBLISHED = (PlanStatus.APPROVED, PlanStatus.AGREED, PlanStatus.IN_EXECUTION, PlanStatus.REPORTED,
             PlanStatus.REPORT_ACCEPTED)


def page_of(plan) -> DocumentPage | None:
    return DocumentPage.objects.filter(source_plan=plan).first()


def _lead(plan) -> str:
    lead = _("Утверждён %(date)s: %(position)s %(name)s.") % {
        "date": f"{plan.approved_on:%d.%m.%Y}", "position": plan.approved_by_position,
        "name": plan.approved_by_name}
    if plan.agreed_on:
        lead += " " + _("Согласован с РМЦ %(date)s.") % {"date": f"{plan.agreed_on:%d.%m.%Y}"}
    return lead


def _file(plan, centre, document=None):
    """The plan's .docx as a document of the centre's collection (the same document,
    its file replaced, when there is one)."""
    items = plan.items.select_related("section").order_by("position", "pk")
    content = ContentFile(plan_document(plan, items).content(), name=f"plan-{plan.pk}.docx")
    title = _("%(title)s (%(period)s), .docx") % {"title": plan.title, "period": plan.period_label}
    if document is None:
        document = get_document_model()(title=title, collection=tree.collection_of(centre))
    elif document.file:
        document.file.delete(save=False)
    document.title, document.file = title, content
    document._set_document_file_metadata()  # its size and hash, as the CMS's upload sets them
    document.save()
    return document


@transaction.atomic
def publish_plan(plan_id: int) -> DocumentPage | None:
    """Publish, refresh or withdraw the plan's page as its status says; the page."""
    plan = Plan.objects.select_related("municipality", "kind").filter(pk=plan_id).first()
    if plan is None:
        return None
    page = page_of(plan)
    if plan.status not in PUBLISHED:
        if page is not None and page.live:
            page.unpublish(log_action=True)
        return page
    centre = MunicipalityPage.objects.filter(municipality=plan.municipality_id).first()
    if centre is None:  # the portal is not set up: nothing to publish to
        return None
    title = (_("%(title)s на %(period)s год") if plan.period_kind == PeriodKind.CALENDAR
             else _("%(title)s на %(period)s учебный год")) % {"title": plan.title, "period": plan.period_label}
    if page is None:
        document = _file(plan, centre)
        page = DocumentPage(
            title=title, slug=services._free_slug(centre, f"plan-{plan.pk}"), source_plan=plan,
            kind=DocumentKind.PLAN, live=False)
        page.attachments = [Attachment(document=document)]
        _fill(page, plan)
        centre.add_child(instance=page)
    else:
        attachment = page.attachments.select_related("document").first()
        document = _file(plan, centre, attachment.document if attachment else None)
        if attachment is None:
            page.attachments = [Attachment(document=document)]
        page.title = title
        _fill(page, plan)
    page.save_revision(log_action=True).publish(log_action=True)
    page.refresh_from_db()
    return page


def _fill(page, plan) -> None:
    page.signed_on = page.date = plan.approved_on
    page.lead = _lead(plan)
    page.body = "<p>{}</p>".format(_("%(kind)s: %(municipality)s, %(period)s.") % {
        "kind": plan.kind.title, "municipality": plan.municipality.name,
        "period": f"{plan.get_period_kind_display()} {plan.period_label}"})


def on_plan_changed(sender, plan_id, **kwargs):
    publish_plan(plan_id)
