"""Helpers shared by the pages of every app."""

from django.http import Http404

from opora.errors import NotFound


def found_or_404(lookup, *args):
    """``lookup(*args)`` — a scoped selector that raises NotFound outside the user's view —
    with NotFound turned into the 404 page carrying its Russian message."""
    try:
        return lookup(*args)
    except NotFound as error:
        raise Http404(error.message) from None
