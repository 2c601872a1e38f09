"""The one gate of a page by role: ``@section_page("territory")``.

An anonymous visitor is sent to the sign-in page; a signed-in user whose role may not
open the section (``scope.SECTIONS``) gets 403. The menu is built from the same table."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from opora.accounts import scope


def section_page(section: str):
    if section not in scope.SECTIONS:
        raise ValueError(f"unknown back-office section {section!r}")

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not scope.may_open(request.user, section):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.section = section
        return wrapper

    return decorator
