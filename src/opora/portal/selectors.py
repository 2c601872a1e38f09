"""What the portal's pages read: the live content of a centre, the materials library with
its filters and search, the catalog's distance, network and seasonal programs, and the
blocks of events and quality results (``opora.portal.blocks``)."""

import difflib
from dataclasses import dataclass, field

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opora.navigator import codes
from opora.navigator.models import CatalogEntry
from opora.navigator.search import FUNCTION_WORDS, stem, words
from opora.portal import blocks
from opora.portal.models import (
    OWN_DOCUMENTS,
    Audience,
    DocumentPage,
    MaterialKind,
    MaterialPage,
    MunicipalityPage,
    NewsPage,
    RegionPage,
)
from opora.registry.choices import Direction

HOME_NEWS = 4
LIST_SIZE = 12
PROGRAMS_SHOWN = 6


def live(model, territory=None):
    """Published pages of a kind, of one centre's subtree or of all, newest first."""
    pages = model.objects.live().public().select_related("cover")
    if territory is not None:
        pages = pages.child_of(territory)
    return pages.order_by("-date", "-pk")


def content_context(page, request) -> dict:
    territory = page.get_parent().specific
    return {
        **page_meta(page, territory=territory, image=page.cover, kind="article"),
        "attachments": list(page.attachments.select_related("document")),
    }


def news(territory=None):
    return live(NewsPage, territory)


def municipality_of(territory):
    return getattr(territory, "municipality", None)


@dataclass
class ProgramBlock:
    title: str
    entries: list
    more_url: str


def programs_blocks(territory) -> list[ProgramBlock]:
    """The catalog's published programs of the municipality (the region for the РМЦ) taught
    at a distance or in the network form, and the seasonal ones; a block only when it has
    programs. Read from the navigator's catalog index, the same rows the catalog shows."""
    municipality = municipality_of(territory)
    entries = CatalogEntry.objects.all()
    query = ""
    if municipality is not None:
        entries = entries.filter(municipality=municipality)
        query = f"&municipality={municipality.pk}"
    distance = codes.bit_of(codes.FORMS, "distance") | codes.bit_of(codes.FORMS, "network")
    found = []
    for title, rows, parameter in (
        (_("Дистанционные и сетевые программы"),
         entries.alias(remote=F("forms").bitand(distance)).filter(remote__gt=0), "form=distance&form=network"),
        (_("Сезонные программы: каникулы и летний отдых"), entries.filter(seasonal__gt=0), "&".join(
            f"seasonal={c.code}" for c in codes.SEASONAL)),
    ):
        shown = list(rows.select_related("organization").order_by("-free_seats", "title")[:PROGRAMS_SHOWN])
        if shown:
            found.append(ProgramBlock(str(title), shown, f"{reverse('navigator:home')}?{parameter}{query}"))
    return found


def documents(territory, own: bool):
    """The centre's own documents, or the normative ones: a МОЦ's page shows the region's
    normative documents (published by the РМЦ) with its own."""
    if own:
        return live(DocumentPage, territory).filter(kind__in=OWN_DOCUMENTS)
    pages = live(DocumentPage).exclude(kind__in=OWN_DOCUMENTS)
    region = RegionPage.objects.first()
    within = Q(path__startswith=territory.path)
    if region is not None:
        within |= Q(path__startswith=region.path)
    return pages.filter(within)


def territory_context(territory, request) -> dict:
    return {
        **page_meta(territory, territory=territory, section="home"),
        "news": list(news(territory)[:HOME_NEWS]),
        "materials": list(live(MaterialPage, territory)[:HOME_NEWS]),
        "normative": list(documents(territory, own=False)[:HOME_NEWS]),
        "own_documents": list(documents(territory, own=True)[:HOME_NEWS]),
        "program_blocks": programs_blocks(territory),
        "events_block": blocks.events_block(territory),
        "quality_block": blocks.quality_block(territory),
        "staff": list(territory.staff.all()),
        "territory": territory,
    }


def home_context(home, request) -> dict:
    region_page = RegionPage.objects.live().first()
    return {
        **page_meta(home),
        "region_page": region_page,
        "region_news": list(news(region_page)[:HOME_NEWS]) if region_page else [],
        "latest_news": list(news().exclude(path__startswith=region_page.path if region_page else "-")
                            .select_related("cover")[:HOME_NEWS]),
        "centres": list(MunicipalityPage.objects.live().select_related("municipality").order_by("title")),
        "program_blocks": programs_blocks(home),
        "events_block": blocks.events_block(None),
        "quality_block": blocks.quality_block(None),
    }


# --- the materials library ---------------------------------------------------------------


@dataclass
class MaterialQuery:
    text: str = ""
    audience: str = ""
    direction: str = ""
    kind: str = ""
    corrections: dict = field(default_factory=dict)

    @classmethod
    def from_get(cls, data) -> "MaterialQuery":
        def one(name, choices):
            value = data.get(name, "")
            return value if value in dict(choices) else ""

        return cls(text=(data.get("q") or "").strip()[:200], audience=one("audience", Audience.choices),
                   direction=one("direction", Direction.choices), kind=one("kind", MaterialKind.choices))

    @property
    def empty(self) -> bool:
        return not (self.text or self.audience or self.direction or self.kind)


def _vocabulary(pages) -> list[str]:
    known = set()
    for text in pages.values_list("search_stems", flat=True):
        known.update(text.split())
    return sorted(known)


def materials(territory, query: MaterialQuery):
    """The library, filtered: each typed word, cut to its stem the way the navigator cuts
    it, must start a stem of the material's text or of its attached files; a word that
    starts none is read as the closest known one (a misprint)."""
    pages = live(MaterialPage, territory)
    if query.audience:
        pages = pages.filter(**{f"for_{query.audience}": True})
    if query.direction:
        pages = pages.filter(direction=query.direction)
    if query.kind:
        pages = pages.filter(kind=query.kind)
    typed = [w for w in words(query.text) if w not in FUNCTION_WORDS]
    vocabulary = None
    for word in typed:
        word_stem = stem(word)
        condition = Q(search_stems__contains=f" {word_stem}")
        if not pages.filter(condition).exists():
            vocabulary = vocabulary if vocabulary is not None else _vocabulary(live(MaterialPage, territory))
            close = difflib.get_close_matches(word_stem, vocabulary, n=1, cutoff=0.75)
            if close:
                query.corrections[word] = close[0]
                condition = Q(search_stems__contains=f" {close[0]} ")
        pages = pages.filter(condition)
    return pages


# --- what every portal page tells search engines and messengers --------------------------


def page_meta(page, *, territory=None, section="", title="", description="", image=None,
              kind="website") -> dict:
    """The <title>, description and Open Graph tags of a portal page, and its navigation."""
    from django.conf import settings
    from django.utils.translation import gettext

    from opora.portal.models import PortalHomePage

    site_title = gettext("Портал дополнительного образования детей")
    if settings.OPORA_REGION_NAME:
        site_title = f"{site_title} · {settings.OPORA_REGION_NAME}"
    own_title = title or page.seo_title or page.title
    if territory is not None and territory.pk != page.pk and not title:
        own_title = f"{own_title} · {territory.title}"
    elif title and territory is not None:
        own_title = f"{title} · {territory.title}"
    text = description or page.search_description or getattr(page, "description", "") \
        or getattr(page, "intro", "") or getattr(page, "centre_name", "") or site_title
    return {
        "meta_title": own_title,
        "meta_description": " ".join(str(text).split())[:300],
        "meta_image": image,
        "meta_type": kind,
        "site_title": site_title,
        "feed_page": territory or page,
        "portal_home": PortalHomePage.objects.first(),
        "territory": territory,
        "section": section,
    }


# --- the back office ---------------------------------------------------------------------

RECENT_CHANGES = 12


def centres():
    """Every centre's page, the РМЦ first (what an administrator sees)."""
    from opora.portal.models import TerritoryPage

    return TerritoryPage.objects.order_by("path")


@dataclass
class CentreSummary:
    page: object
    counts: dict
    changes: list


def centre_summary(centre) -> CentreSummary:
    """A centre's content by status and the latest entries of Wagtail's log of its subtree."""
    from wagtail.models import PageLogEntry

    from opora.portal.models import ContentPage, Status

    counts = {status: 0 for status in Status}
    now = timezone.now()
    for live, first_published, go_live_at, expired in ContentPage.objects.child_of(centre).values_list(
            "live", "first_published_at", "go_live_at", "expired"):
        if live:
            counts[Status.PUBLISHED] += 1
        elif expired or first_published:
            counts[Status.ARCHIVED] += 1
        elif go_live_at and go_live_at > now:
            counts[Status.SCHEDULED] += 1
        else:
            counts[Status.DRAFT] += 1
    changes = list(PageLogEntry.objects.filter(page__path__startswith=centre.path)
                   .select_related("user", "page").order_by("-timestamp", "-pk")[:RECENT_CHANGES])
    return CentreSummary(centre, {Status(s).label: n for s, n in counts.items()}, changes)
