"""The portal's tree and the CMS's fixtures, kept in step with the registry: the region's
home page, the РМЦ's page, a page and an image/document collection per municipality, and
the Wagtail site that serves the tree. Idempotent: called by the demo, by
``opora portal_setup`` and, cheaply, before a portal or CMS page is served."""

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Collection, Locale, Page, Site

from opora import audit
from opora.portal.models import MunicipalityPage, PortalHomePage, RegionPage
from opora.registry.models import Municipality

REGION_SLUG = "rmc"


def transliterated(name: str) -> str:
    """A Latin slug of a Russian text («Летние смены» → «letnie-smeny»)."""
    table = str.maketrans({
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
        "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
        "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch",
        "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya"})
    return slugify(name.lower().translate(table))


def municipality_slug(home, municipality) -> str:
    """The name in Latin letters («gorodskoy-okrug-seversk»), with the id if another has it."""
    slug = (transliterated(municipality.name) or "m")[:50]
    return f"{slug}-{municipality.pk}" if Page.objects.child_of(home).filter(slug=slug).exists() else slug


def _root():
    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    root = Page.get_first_root_node()
    if root is None:  # a database made without Wagtail's migrations (the test suite)
        root = Page.add_root(title="Root", slug="root", live=True)
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")
    return root


def _collection(name: str) -> Collection:
    root = Collection.get_first_root_node()
    found = root.get_children().filter(name=name).first()
    return found or root.add_child(name=name)


def collection_of(territory_page) -> Collection:
    """The images and documents of a centre, named after its page."""
    return _collection(territory_page.title)


def is_complete() -> bool:
    """Is there a page for every municipality (two counting queries)?"""
    return (MunicipalityPage.objects.count() == Municipality.objects.count()
            and PortalHomePage.objects.exists())


@transaction.atomic
def ensure_portal() -> PortalHomePage:
    """The region's home page, the РМЦ's page and a page per municipality; what exists is kept."""
    root = _root()
    home = PortalHomePage.objects.first()
    if home is None:
        region = settings.OPORA_REGION_NAME
        home = root.add_child(instance=PortalHomePage(
            title=_("Портал дополнительного образования детей"), slug="portal", live=True,
            intro=_("Новости, методические материалы и документы регионального и муниципальных "
                    "опорных центров дополнительного образования детей") + (f" · {region}" if region else "")))
        # Wagtail's welcome page, when its migrations made one, gives way to the portal; it
        # was scaffolding, never content, so its deletion leaves no trail in the audit
        for page in root.get_children().exclude(pk=home.pk).filter(depth=2, numchild=0):
            if page.specific_class is Page:
                pk = page.pk
                page.delete()
                audit.forget(Page, [pk])
    Site.objects.update_or_create(is_default_site=True, defaults={
        "hostname": "localhost", "port": 80, "root_page": home, "site_name": _("Портал")})
    if not RegionPage.objects.exists():
        region_page = home.add_child(instance=RegionPage(
            title=_("Региональный модельный центр"), slug=REGION_SLUG, live=True))
        collection_of(region_page)
    existing = set(MunicipalityPage.objects.values_list("municipality_id", flat=True))
    for municipality in Municipality.objects.exclude(pk__in=existing).order_by("name"):
        page = home.add_child(instance=MunicipalityPage(
            title=_("МОЦ: %(name)s") % {"name": municipality.name}, slug=municipality_slug(home, municipality),
            municipality=municipality, live=True,
            centre_name=_("Муниципальный опорный центр дополнительного образования детей")))
        collection_of(page)
    return home
