"""The navigator's public pages for sitemap.xml (assembled with the portal's in ``opora.urls``):
the catalog, the directions, every published program and every active organization."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from opora.navigator import selectors
from opora.registry.choices import Direction


class CatalogSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return ["navigator:home", "navigator:directions",
                *(("navigator:direction", code) for code in Direction.values)]

    def location(self, item):
        return reverse(item) if isinstance(item, str) else reverse(item[0], args=[item[1]])


class ProgramSitemap(Sitemap):
    changefreq = "weekly"
    limit = 10_000

    def items(self):
        return selectors.public_programs().select_related(None).order_by("pk").only("pk")

    def location(self, item):
        return reverse("navigator:program", args=[item.pk])


class OrganizationSitemap(Sitemap):
    changefreq = "monthly"
    limit = 10_000

    def items(self):
        return selectors.public_organizations().select_related(None).order_by("pk").only("pk")

    def location(self, item):
        return reverse("navigator:organization", args=[item.pk])


SITEMAPS = {"catalog": CatalogSitemap, "programs": ProgramSitemap, "organizations": OrganizationSitemap}
