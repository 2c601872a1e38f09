"""The portal's part of a plan's evidence (``opora.plans.links``): what the plan's МОЦ
published on its part of the portal within the plan's period — news, methodical
materials and documents — linked to their public pages. News items and materials are
publications too: a media plan's item takes one with its date, title and address.

Only live, public pages are offered, to anyone marking the item: a draft has no public
address and the authority and the РМЦ reading the report could not open it; a page
withdrawn later keeps its evidence, which then leads to a missing page, as a link to
another site would."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opora.plans import links
from opora.portal.models import DocumentPage, MaterialPage, MunicipalityPage, NewsPage

KINDS = (  # (model, the kind in the list, whether it is a publication)
    (NewsPage, gettext_lazy("Новость портала"), True),
    (MaterialPage, gettext_lazy("Материал портала"), True),
    (DocumentPage, gettext_lazy("Документ портала"), False),
)


def content_of(municipality_id, date_from, date_to, model):
    """Live pages of a kind on the municipality's part of the portal dated within the two
    dates, newest first."""
    centre = MunicipalityPage.objects.filter(municipality_id=municipality_id).first()
    if centre is None:
        return model.objects.none()
    return (model.objects.live().public().descendant_of(centre)
            .filter(date__gte=date_from, date__lte=date_to).order_by("-date", "-pk"))


@links.register
def portal_pages(user, plan):
    """News, materials and documents of the plan's МОЦ on the portal within its period
    (they are public: whoever marks the item may open them)."""
    for model, kind, publication in KINDS:
        pages = content_of(plan.municipality_id, plan.period_start, plan.period_end, model)
        for page in pages[:links.PER_SOURCE]:
            yield links.Link(page.get_url(), _("«%(title)s», %(date)s") % {
                "title": page.title, "date": f"{page.date:%d.%m.%Y}"}, str(kind),
                day=page.date if publication else None, headline=page.title if publication else "")
