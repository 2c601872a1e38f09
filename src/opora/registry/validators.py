"""Checksums of Russian identifiers. Each function returns the Russian refusal
message, or None when the value is valid. ``validate_*`` wrap them for Django."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits, weights):
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_error(value: str) -> str | None:
    """ИНН: 10 digits (organization) or 12 (person, ИП) with control digits."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) not in (10, 12):
        return _("ИНН должен состоять из 10 цифр (организация) или 12 цифр (ИП).")
    d = [int(c) for c in value]
    if len(d) == 10:
        ok = _check_digit(d, _INN10) == d[9]
    else:
        ok = _check_digit(d, _INN12_1) == d[10] and _check_digit(d, _INN12_2) == d[11]
    return None if ok else _("Неверная контрольная сумма ИНН.")


def ogrn_error(value: str) -> str | None:
    """ОГРН: 13 digits (organization) or ОГРНИП: 15 digits, with a control digit."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) not in (13, 15):
        return _("ОГРН должен состоять из 13 цифр (ОГРНИП — из 15).")
    body, control = int(value[:-1]), int(value[-1])
    modulus = 11 if len(value) == 13 else 13
    return None if body % modulus % 10 == control else _("Неверная контрольная цифра ОГРН.")


def snils_error(value: str) -> str | None:
    """СНИЛС: 11 digits, written with or without «-» and spaces; the last two are the check."""
    digits = "".join(c for c in (value or "") if c.isdigit())
    if len(digits) != 11 or any(c not in "0123456789- " for c in value):
        return _("СНИЛС должен состоять из 11 цифр.")
    number, control = digits[:9], int(digits[9:])
    if int(number) <= 1001998:
        return None  # numbers up to 001-001-998 carry no checksum
    total = sum(int(c) * (9 - i) for i, c in enumerate(number))
    expected = total % 101 % 100
    return None if expected == control else _("Неверная контрольная сумма СНИЛС.")


def _raise_if(message):
    if message:
        raise ValidationError(message)


def validate_inn(value):
    _raise_if(inn_error(value))


def validate_ogrn(value):
    _raise_if(ogrn_error(value))


def validate_snils(value):
    _raise_if(snils_error(value))
