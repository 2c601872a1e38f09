"""Checksums of ИНН, ОГРН and СНИЛС: real numbers pass, typos are caught."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from opora.registry.identifiers import make_inn, make_ogrn
from opora.registry.validators import (
    inn_error,
    ogrn_error,
    snils_error,
    validate_inn,
    validate_ogrn,
    validate_snils,
)

INN_LENGTH = "ИНН должен состоять из 10 цифр (организация) или 12 цифр (ИП)."
INN_CHECKSUM = "Неверная контрольная сумма ИНН."
OGRN_LENGTH = "ОГРН должен состоять из 13 цифр (ОГРНИП — из 15)."
OGRN_CHECKSUM = "Неверная контрольная цифра ОГРН."
SNILS_LENGTH = "СНИЛС должен состоять из 11 цифр."
SNILS_CHECKSUM = "Неверная контрольная сумма СНИЛС."


def _with_digit(value: str, position: int, shift: int) -> str:
    """``value`` with the digit at ``position`` replaced by another one."""
    digit = (int(value[position]) + shift) % 10
    return value[:position] + str(digit) + value[position + 1:]


# --- ИНН --------------------------------------------------------------------------------


@pytest.mark.parametrize("inn", [
    "7707083893",  # ПАО Сбербанк
    "7736207543",  # ООО «Яндекс»
    "7830002293",  # ПАО «Ленэнерго»
    "500100732259",  # a person's ИНН from the ФНС's own examples
    " 7707083893 ",  # pasted with spaces around
])
def test_real_inn_is_accepted(inn):
    assert inn_error(inn) is None
    validate_inn(inn)


@pytest.mark.parametrize(("inn", "message"), [
    ("7707083894", INN_CHECKSUM),  # last digit of Сбербанк's changed
    ("7707083839", INN_CHECKSUM),  # two digits swapped
    ("500100732258", INN_CHECKSUM),  # second control digit wrong
    ("500100732249", INN_CHECKSUM),  # first control digit wrong
    ("770708389", INN_LENGTH),
    ("77070838930", INN_LENGTH),
    ("7707O83893", INN_LENGTH),  # a letter O for a zero
    ("7707-083893", INN_LENGTH),
    ("", INN_LENGTH),
    (None, INN_LENGTH),
])
def test_bad_inn_is_refused_with_its_reason(inn, message):
    assert inn_error(inn) == message
    with pytest.raises(ValidationError) as error:
        validate_inn(inn)
    assert error.value.messages == [message]


@pytest.mark.parametrize("inn", [
    "٧٧٠٧٠٨٣٨٩٣",  # Arabic-Indic digits are digits to Python, not to the tax service
    "７７０７０８３８９３",  # full-width digits
    "770708389²",  # a superscript two
])
def test_inn_of_non_ascii_digits_is_refused(inn):
    assert inn_error(inn) == INN_LENGTH


@given(st.randoms(use_true_random=False))
def test_generated_inn_is_valid_and_exactly_one_control_digit_fits(rng):
    inn = make_inn(rng)

    assert inn_error(inn) is None
    others = [inn[:-1] + str(d) for d in range(10) if str(d) != inn[-1]]
    assert [inn_error(other) for other in others] == [INN_CHECKSUM] * 9


@given(st.randoms(use_true_random=False), st.integers(0, 8), st.integers(1, 9))
def test_one_changed_digit_of_an_inn_is_caught(rng, position, shift):
    inn = make_inn(rng)
    typo = _with_digit(inn, position, shift)

    # Weights are below 11, so a one-digit change always moves the sum modulo 11;
    # only residues 0 and 10 share the control digit 0 and can hide a typo.
    if inn[-1] != "0":
        assert inn_error(typo) == INN_CHECKSUM


# --- ОГРН -------------------------------------------------------------------------------


@pytest.mark.parametrize("ogrn", [
    "1027700132195",  # ПАО Сбербанк
    "1027700229193",  # ООО «Яндекс»
    "304500116000157",  # ОГРНИП from the ФНС's examples
])
def test_real_ogrn_is_accepted(ogrn):
    assert ogrn_error(ogrn) is None
    validate_ogrn(ogrn)


@pytest.mark.parametrize(("ogrn", "message"), [
    ("1027700132196", OGRN_CHECKSUM),
    ("304500116000158", OGRN_CHECKSUM),
    ("102770013219", OGRN_LENGTH),
    ("10277001321950", OGRN_LENGTH),
    ("1027700l32195", OGRN_LENGTH),  # a letter l for a one
    ("", OGRN_LENGTH),
    ("１０２７７００１３２１９５", OGRN_LENGTH),  # full-width digits
    ("102770013219²", OGRN_LENGTH),
])
def test_bad_ogrn_is_refused_with_its_reason(ogrn, message):
    assert ogrn_error(ogrn) == message


@given(st.randoms(use_true_random=False), st.integers(0, 11), st.integers(1, 9))
def test_generated_ogrn_is_valid_and_a_changed_digit_is_caught(rng, position, shift):
    ogrn = make_ogrn(rng)
    typo = _with_digit(ogrn, position, shift)

    assert ogrn_error(ogrn) is None
    assert ogrn_error(ogrn[:-1] + str((int(ogrn[-1]) + shift) % 10)) == OGRN_CHECKSUM
    # 10**k is never a multiple of 11, so the remainder always moves; 0 and 10 both give 0.
    if ogrn[-1] != "0":
        assert ogrn_error(typo) == OGRN_CHECKSUM


# --- СНИЛС ------------------------------------------------------------------------------


@pytest.mark.parametrize("snils", [
    "112-233-445 95",  # the Пенсионный фонд's own example
    "11223344595",
    "112 233 445 95",
    "112-233-445-95",
    "087-654-303 00",  # the sum, 202, is a multiple of 101: the control is 00
])
def test_valid_snils_is_accepted_in_any_usual_writing(snils):
    assert snils_error(snils) is None
    validate_snils(snils)


@pytest.mark.parametrize(("snils", "message"), [
    ("112-233-445 96", SNILS_CHECKSUM),
    ("112-233-454 95", SNILS_CHECKSUM),  # two digits swapped
    ("112-233-445 9", SNILS_LENGTH),
    ("112-233-445 955", SNILS_LENGTH),
    ("112/233/445 95", SNILS_LENGTH),
    ("112-233-445 9S", SNILS_LENGTH),
    ("", SNILS_LENGTH),
])
def test_bad_snils_is_refused_with_its_reason(snils, message):
    assert snils_error(snils) == message
    with pytest.raises(ValidationError):
        validate_snils(snils)


@pytest.mark.parametrize("snils", ["001-001-998 00", "001-001-998 57", "000-000-001 99"])
def test_small_snils_numbers_carry_no_checksum(snils):
    assert snils_error(snils) is None


def test_checksum_applies_from_001_001_999():
    # 0*9+0*8+1*7+0*6+0*5+1*4+9*3+9*2+9*1 = 65
    assert snils_error("001-001-999 65") is None
    assert snils_error("001-001-999 00") == SNILS_CHECKSUM


snils_numbers = st.integers(1001999, 999_999_999).map(lambda n: f"{n:09d}")


@given(snils_numbers)
def test_exactly_one_control_fits_each_snils_number(number):
    fitting = [control for control in range(100) if snils_error(f"{number}{control:02d}") is None]

    assert len(fitting) == 1


@given(snils_numbers, st.integers(0, 8), st.integers(1, 9))
def test_one_changed_digit_of_a_snils_is_caught(number, position, shift):
    control = next(c for c in range(100) if snils_error(f"{number}{c:02d}") is None)
    typo = _with_digit(number, position, shift)

    # Weights 1..9 times a change 1..9 stay below 101, so the sum modulo 101 always moves;
    # only 0 and 100 share the control 00, and small numbers carry no checksum at all.
    if control != 0 and int(typo) > 1001998:
        assert snils_error(f"{typo}{control:02d}") == SNILS_CHECKSUM

