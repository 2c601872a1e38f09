"""One page of a list, for the pages and the API lists alike."""

from django.conf import settings
from django.core.paginator import Paginator


def page_of(request, queryset, size: int | None = None):
    """The page ``?page=`` asks for (a bad number means the first, past the end the last)."""
    return paginator(queryset, size).get_page(request.GET.get("page"))


def paginator(queryset, size: int | None = None) -> Paginator:
    return Paginator(queryset, size or settings.OPORA_PAGE_SIZE)
