"""«Избранное»: programs a parent saved from the catalog to compare and come back to.

Only a parent's own account keeps favourites; only a program the catalog shows can be
saved (a program that later leaves the catalog stays in the list, marked, so the parent
sees what happened to it). Saving twice is not an error: the service says whether the
row is new.
"""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from opora.accounts import scope
from opora.enrollment.models import Favourite
from opora.errors import NotFound, PermissionDenied, ValidationFailed
from opora.registry.models import Program

# Enough for any family; a limit keeps a script from filling the table.
MOST = 200


def _require_parent(user) -> None:
    if not scope.is_parent(user):
        raise PermissionDenied(_("Сохранять программы в избранное может родитель в личном кабинете."))


def save(user, program_id) -> tuple[Favourite, bool]:
    """Save a program the catalog shows; ``(favourite, created)``."""
    _require_parent(user)
    program = Program.objects.filter(Program.public_q(), pk=_id(program_id)).first()
    if program is None:
        raise NotFound(_("Программа не найдена в каталоге."))
    existing = Favourite.objects.filter(user=user, program=program).first()
    if existing is not None:
        return existing, False
    if Favourite.objects.filter(user=user).count() >= MOST:
        raise ValidationFailed(_("В избранном уже %(n)s программ: удалите ненужные, чтобы сохранить "
                                 "новую.") % {"n": MOST})
    favourite, created = Favourite.objects.get_or_create(user=user, program=program)
    return favourite, created


def remove(user, program_id) -> bool:
    """Remove a program from the parent's favourites; whether it was there."""
    _require_parent(user)
    deleted, _rows = Favourite.objects.filter(user=user, program_id=_id(program_id)).delete()
    return bool(deleted)


def of(user):
    """The parent's favourites, newest first, with what the list shows of each program."""
    _require_parent(user)
    listed = Program.objects.filter(Program.public_q(), pk=OuterRef("program_id"))
    return (Favourite.objects.filter(user=user).annotate(listed=Exists(listed))
            .select_related("program__organization__municipality", "program__specialisation"))


def program_ids(user) -> frozenset[int]:
    """Ids of the programs a parent saved (empty for anyone else): what the catalog's cards
    need to show «в избранном»."""
    if not scope.is_parent(user):
        return frozenset()
    return frozenset(Favourite.objects.filter(user=user).values_list("program_id", flat=True))


def _id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound(_("Программа не найдена в каталоге.")) from None
