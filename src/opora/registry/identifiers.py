"""Generators of valid identifiers, for the demo, benchmarks and tests."""

import random

from opora.registry.validators import _INN10, _INN12_1, _INN12_2, _check_digit


def make_inn(rng: random.Random) -> str:
    """A valid 10-digit organization ИНН."""
    digits = [rng.randint(0, 9) for _ in range(9)]
    digits[0] = rng.randint(1, 9)
    return "".join(map(str, digits)) + str(_check_digit(digits, _INN10))


def make_ogrn(rng: random.Random) -> str:
    """A valid 13-digit ОГРН."""
    body = str(rng.choice((1, 5))) + "".join(str(rng.randint(0, 9)) for _ in range(11))
    return body + str(int(body) % 11 % 10)


def make_person_inn(rng: random.Random) -> str:
    """A valid 12-digit ИНН of a person (a sole trader's)."""
    digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(9)]
    digits.append(_check_digit(digits, _INN12_1))
    digits.append(_check_digit(digits, _INN12_2))
    return "".join(map(str, digits))


def make_ogrnip(rng: random.Random) -> str:
    """A valid 15-digit ОГРНИП."""
    body = "3" + "".join(str(rng.randint(0, 9)) for _ in range(13))
    return body + str(int(body) % 13 % 10)
