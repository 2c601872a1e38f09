from django.conf import settings

from opora.core.accessibility import COOKIE, Accessibility


def site(request):
    """What every page needs: the region's name and the settings of the version for the
    visually impaired (``None`` in the ordinary version)."""
    return {
        "region_name": settings.OPORA_REGION_NAME,
        "accessibility": Accessibility.from_cookie(request.COOKIES.get(COOKIE)),
    }
