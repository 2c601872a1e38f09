"""sitemap.xml of the whole public site: an index of sections, the portal's live pages
(Wagtail's sitemap) and the sections the assembly adds (the navigator's)."""

from django.contrib.sitemaps import views as sitemap_views
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap


class PortalSitemap(WagtailSitemap):
    """Live public pages of the portal; a page's date is when it last changed."""

    def lastmod(self, obj):
        return obj.last_published_at or obj.latest_revision_created_at


def _sections(request, extra):
    return {"portal": PortalSitemap(request), **{name: cls() for name, cls in extra.items()}}


def index(request, extra):
    return sitemap_views.index(request, _sections(request, extra), sitemap_url_name="sitemap_section")


def section(request, section, extra):
    return sitemap_views.sitemap(request, _sections(request, extra), section=section)
