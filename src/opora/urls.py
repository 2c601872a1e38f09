import posixpath

from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.urls import include, path, re_path
from django.views import defaults
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from opora.api.errors import server_error as api_server_error
from opora.navigator.sitemaps import SITEMAPS as NAVIGATOR_SITEMAPS
from opora.portal import sitemaps

# The Django admin is a tool for superusers only; everyone else works in the back office.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
admin.site.site_header = "Опора"

urlpatterns = [
    # First: every other include below is tried pattern by pattern before a path falls
    # through to the next, and the API (the opening-day path) has no pattern in common
    # with them.
    path("api/v1/", include("opora.api.urls")),
    path("", include("opora.navigator.urls")),
    path("", include("opora.core.urls")),
    path("", include("opora.office.urls")),
    path("", include("opora.enrollment.urls")),
    path("", include("opora.financing.urls")),
    path("", include("opora.surveys.urls")),
    path("", include("opora.plans.urls")),
    path("", include("opora.events.urls")),
    path("", include("opora.monitoring.urls")),
    path("", include("opora.training.urls")),
    path("", include("opora.hotline.urls")),
    path("", include("opora.mailing.urls")),
    path("", include("opora.quality.urls")),
    path("", include("opora.practices.urls")),
    path("", include("opora.portal.urls")),
    path("accounts/", include("opora.accounts.urls")),
    path("office/registry/", include("opora.registry.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # the portal (Wagtail): its CMS, its files, its pages; the sitemap of the whole public site
    path("cms/", include(wagtailadmin_urls)),
    path("portal/files/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemaps.index, {"extra": NAVIGATOR_SITEMAPS}, name="sitemap"),
    path("sitemap-<section>.xml", sitemaps.section, {"extra": NAVIGATOR_SITEMAPS}, name="sitemap_section"),
    path("portal/", include(wagtail_urls)),
]


def server_error(request):
    """``handler500``: the API answers in JSON, pages with the site's ``500.html`` (a page
    that needs no context processor, so it renders even when the database is down)."""
    if request.path.startswith("/api/"):
        return api_server_error(request)
    return defaults.server_error(request)


handler500 = server_error

if settings.OPORA_SERVE_MEDIA:
    # Only the public folders of the uploads (program photos, the portal's images): evidence
    # of plans and files of answers lie under media too, and open only through the views
    # that check who asks.
    def public_media(request, path):
        # «programs/../plans/…» would pass the pattern and stay inside MEDIA_ROOT: the
        # folder is checked on the normalised path.
        path = posixpath.normpath(path)
        if path.split("/", 1)[0] not in settings.OPORA_PUBLIC_MEDIA:
            raise Http404
        return serve(request, path, document_root=settings.MEDIA_ROOT)

    public = "|".join(settings.OPORA_PUBLIC_MEDIA)
    urlpatterns += [re_path(rf"^media/(?P<path>(?:{public})/.*)$", public_media)]
