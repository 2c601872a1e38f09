"""Generators of valid identifiers, for the demo, benchmarks and tests."""

import random

from opora.registry.validators import _INN10, _check_digit


def make_inn(rng: random.Random) -> str:
    """A valid 10-digit organization ИНН."""
    digits = [rng.randint(0, 9) for _ in range(9)]
    digits[0] = rng.randint(1, 9)
    return "".join(map(str, digits)) + str(_check_digit(digits, _INN10))


def make_ogrn(rng: random.Random) -> str:
    """A valid 13-digit ОГРН."""
    body = str(rng.choice((1, 5))) + "".join(str(rng.randint(0, 9)) for _ in range(11))
    return body + str(int(body) % 11 % 10)
