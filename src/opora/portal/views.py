"""The lists of a centre's part of the portal (its pages themselves are served by Wagtail)."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from opora.accounts.decorators import section_page
from opora.core.pages import page_of
from opora.portal import access, selectors
from opora.portal.models import Audience, MaterialKind
from opora.registry.choices import Direction

LIST_SIZE = 12


def news_list(request, territory):
    return render(request, "portal/news_list.html", {
        **selectors.page_meta(territory, territory=territory, section="news", title=_("Новости")),
        "page": territory, "items": page_of(request, selectors.news(territory), LIST_SIZE),
    })


def material_list(request, territory):
    query = selectors.MaterialQuery.from_get(request.GET)
    found = selectors.materials(territory, query)
    return render(request, "portal/material_list.html", {
        **selectors.page_meta(territory, territory=territory, section="materials",
                              title=_("Методические материалы")),
        "page": territory, "query": query,
        "items": page_of(request, found, LIST_SIZE),
        "audiences": Audience.choices, "directions": Direction.choices, "kinds": MaterialKind.choices,
    })


def document_list(request, territory):
    return render(request, "portal/document_list.html", {
        **selectors.page_meta(territory, territory=territory, section="documents", title=_("Документы")),
        "page": territory,
        "normative": selectors.documents(territory, own=False),
        "own_documents": selectors.documents(territory, own=True),
    })


@section_page("portal.edit")
def office(request):
    """The back office's door to the CMS: the centre's pages by status, the latest changes
    from Wagtail's log, links to write and to edit."""
    page = access.editor_page(request.user)
    centres = [page] if page is not None else list(selectors.centres())
    return render(request, "portal/office.html", {
        "centres": [selectors.centre_summary(centre) for centre in centres],
    })
