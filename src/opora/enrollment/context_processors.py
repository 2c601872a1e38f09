from django.utils.functional import SimpleLazyObject

from opora.accounts import scope
from opora.enrollment import favourites as favourites_service


def favourites(request):
    """``favourite_program_ids``: the programs a signed-in parent saved, read once per page
    and only if the page shows a card; ``None`` for everyone else (the cards show no star)."""
    user = getattr(request, "user", None)
    if user is None or not scope.is_parent(user):
        return {"favourite_program_ids": None}
    return {"favourite_program_ids": SimpleLazyObject(lambda: favourites_service.program_ids(user))}
