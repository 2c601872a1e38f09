"""The catalog's filter choices: each a URL code, a bit in the catalog index and a label.

Every choice field of the catalog is stored in ``CatalogEntry`` as a set of bits, so a
filter is ``column & mask <> 0`` and the count of every choice comes from grouping on
the column's few distinct values. URL and API parameters use the readable codes.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from opora.registry.choices import Direction, Level, OvzKind, SeasonalKind, StudyForm


@dataclass(frozen=True)
class Choice:
    code: str
    bit: int
    label: str


def _choices(items) -> tuple[Choice, ...]:
    return tuple(Choice(code, 1 << n, label) for n, (code, label) in enumerate(items))


DIRECTIONS = _choices(Direction.choices)
LEVELS = tuple(Choice(member.name.lower(), int(member), member.label) for member in Level)
FORMS = _choices([
    *StudyForm.choices,
    ("distance", _("С применением дистанционных технологий")),
    ("network", _("Сетевая форма")),
])
PAYMENTS = _choices([
    ("free", _("Бесплатно")),
    ("certificate", _("По сертификату")),
    ("paid", _("Платно")),
])
DISABLED_BIT = 1 << len(OvzKind)
OVZ = (*(Choice(member.name.lower(), int(member), member.label) for member in OvzKind),
       Choice("disabled", DISABLED_BIT, _("Дети-инвалиды")))
SEASONAL = _choices([(value, label) for value, label in SeasonalKind.choices if value])

# funding sources of a group -> payment bit
PAYMENT_OF_SOURCE = {"budget": 1, "certificate": 2, "social_certificate": 2, "paid": 4, "private": 4}

# The navigator's age range: programs take children of 3 to 18 (docs/domain.md §2).
AGES = tuple(range(3, 19))


def bit_of(choices, code: str) -> int | None:
    for choice in choices:
        if choice.code == code:
            return choice.bit
    return None


def codes_of(choices, mask: int) -> list[str]:
    return [c.code for c in choices if mask & c.bit]


def labels_of(choices, mask: int) -> list:
    return [c.label for c in choices if mask & c.bit]

