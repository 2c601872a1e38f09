from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from opora.office.nav import office_menu


@login_required
def dashboard(request):
    """Send each role to the first page of its menu (the catalog for a role without one)."""
    menu = office_menu(request)
    return redirect(menu[0]["url"] if menu else "navigator:home")
