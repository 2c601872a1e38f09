from opora.office.nav import office_menu


def office(request):
    """The back-office menu of the user (empty for a visitor and a role without a cabinet)."""
    return {"office_nav": office_menu(request)}
