from django.conf import settings

from opora.accounts.scope import is_back_office


def site(request):
    """What every page needs: the region's name, the accessibility mode, the user's cabinet."""
    from opora.core.nav import office_menu

    return {
        "office_nav": office_menu(request),
        "region_name": settings.OPORA_REGION_NAME,
        "accessible_mode": request.COOKIES.get("accessible") == "1",
        "is_back_office": is_back_office(getattr(request, "user", None)),
    }
