from django.utils.functional import SimpleLazyObject

from opora.office.nav import grouped, office_menu


def office(request):
    """The back-office menu of the user (empty for a visitor and a role without a cabinet),
    flat (``office_nav``) and under its groups' titles (``office_groups``)."""
    items = office_menu(request)
    return {"office_nav": items, "office_groups": SimpleLazyObject(lambda: grouped(items))}
