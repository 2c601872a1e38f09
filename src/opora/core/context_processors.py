from django.conf import settings


def site(request):
    """What every page needs: the region's name and the accessibility mode."""
    return {
        "region_name": settings.OPORA_REGION_NAME,
        "accessible_mode": request.COOKIES.get("accessible") == "1",
    }
