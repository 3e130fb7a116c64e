"""Validation, normalisation and masking of Chinese identity numbers and mobile numbers.

Every value handled here is personal data, so error messages describe what is wrong without
ever repeating the value.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

_DIGITS: Final = frozenset("0123456789")

# GB 11643-1999.
_RESIDENT_ID_LENGTH: Final = 18
_RESIDENT_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_ID_CHECK_MAP: Final = "10X98765432"
_MIN_BIRTH_YEAR: Final = 1900

# GB 32100-2015. I, O, Z, S and V are left out because they are easily confused with 1, 0, 2,
# 5 and U.
_CREDIT_CODE_LENGTH: Final = 18
_CREDIT_CODE_CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_CODE_MODULUS: Final = len(_CREDIT_CODE_CHARSET)

_MOBILE_LENGTH: Final = 11
_MOBILE_SECOND_DIGITS: Final = frozenset("3456789")
_COUNTRY_PREFIXES: Final = ("+86", "86")

_MASK: Final = "*"

RESIDENT_ID_LENGTH_ERROR: Final = "resident ID number must be 18 characters"
RESIDENT_ID_FORMAT_ERROR: Final = "resident ID number must be 17 digits followed by a digit or X"
RESIDENT_ID_CHECK_ERROR: Final = "resident ID number check digit is wrong"
RESIDENT_ID_BIRTH_DATE_ERROR: Final = "resident ID number has an invalid birth date"
CREDIT_CODE_LENGTH_ERROR: Final = "unified social credit code must be 18 characters"
CREDIT_CODE_CHARACTER_ERROR: Final = "unified social credit code contains an invalid character"
CREDIT_CODE_CHECK_ERROR: Final = "unified social credit code check character is wrong"
MOBILE_ERROR: Final = "mobile number must be 11 digits starting with 1"


def _resident_id_check_char(body: str) -> str:
    weighted = zip(body, _RESIDENT_ID_WEIGHTS, strict=True)
    total = sum(int(char) * weight for char, weight in weighted)
    return _RESIDENT_ID_CHECK_MAP[total % 11]


def _is_real_birth_date(digits: str) -> bool:
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if year < _MIN_BIRTH_YEAR:
        return False
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _resident_id_error(value: str) -> str | None:
    if len(value) != _RESIDENT_ID_LENGTH:
        return RESIDENT_ID_LENGTH_ERROR
    body, check = value[:-1], value[-1]
    # str.isdigit() would also accept non-ASCII digits such as "١", which int() then reads.
    if not set(body) <= _DIGITS or not (check in _DIGITS or check in "Xx"):
        return RESIDENT_ID_FORMAT_ERROR
    if _resident_id_check_char(body) != check.upper():
        return RESIDENT_ID_CHECK_ERROR
    if not _is_real_birth_date(body[6:14]):
        return RESIDENT_ID_BIRTH_DATE_ERROR
    return None


def _credit_code_check_char(body: str) -> str:
    total = sum(
        _CREDIT_CODE_CHARSET.index(char) * weight
        for char, weight in zip(body, _CREDIT_CODE_WEIGHTS, strict=True)
    )
    check = _CREDIT_CODE_MODULUS - total % _CREDIT_CODE_MODULUS
    # The standard maps a check value of 31 (remainder 0) to 0.
    return _CREDIT_CODE_CHARSET[check % _CREDIT_CODE_MODULUS]


def _credit_code_error(value: str) -> str | None:
    if len(value) != _CREDIT_CODE_LENGTH:
        return CREDIT_CODE_LENGTH_ERROR
    if not all(char in _CREDIT_CODE_CHARSET for char in value):
        return CREDIT_CODE_CHARACTER_ERROR
    if _credit_code_check_char(value[:-1]) != value[-1]:
        return CREDIT_CODE_CHECK_ERROR
    return None


def is_valid_resident_id(value: str) -> bool:
    """Whether `value` is an 18-character resident ID number (GB 11643-1999).

    The check character may be an upper- or lower-case X. The embedded birth date must be a
    real calendar date in 1900 or later; it is not compared with today's date.
    """
    return _resident_id_error(value) is None


def is_valid_credit_code(value: str) -> bool:
    """Whether `value` is an upper-case unified social credit code (GB 32100-2015)."""
    return _credit_code_error(value) is None


def is_valid_mobile(value: str) -> bool:
    """Whether `value` is exactly an 11-digit mainland China mobile number, without prefix."""
    return (
        len(value) == _MOBILE_LENGTH
        and set(value) <= _DIGITS
        and value[0] == "1"
        and value[1] in _MOBILE_SECOND_DIGITS
    )


def normalise_resident_id(value: str) -> str:
    """Strip surrounding whitespace and upper-case a trailing x, or raise `ValueError`."""
    candidate = value.strip()
    if candidate.endswith("x"):
        candidate = candidate[:-1] + "X"
    error = _resident_id_error(candidate)
    if error is not None:
        raise ValueError(error)
    return candidate


def normalise_credit_code(value: str) -> str:
    """Strip surrounding whitespace and upper-case, or raise `ValueError`."""
    candidate = value.strip().upper()
    error = _credit_code_error(candidate)
    if error is not None:
        raise ValueError(error)
    return candidate


def normalise_mobile(value: str) -> str:
    """Drop whitespace, dashes and a leading +86 or 86, or raise `ValueError`."""
    candidate = "".join(char for char in value if not char.isspace() and char != "-")
    for prefix in _COUNTRY_PREFIXES:
        # A bare number starts with 1, so removing "86" can never eat part of one.
        if candidate.startswith(prefix):
            candidate = candidate.removeprefix(prefix)
            break
    if not is_valid_mobile(candidate):
        raise ValueError(MOBILE_ERROR)
    return candidate


def luhn_ok(digits: str) -> bool:
    """A bank card number's check digit (ISO/IEC 7812, Luhn), as China UnionPay cards carry."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def normalise_bank_card(value: str) -> str:
    """Drop spaces and dashes; 16 to 19 digits with a valid check digit, or `ValueError`."""
    card = value.replace(" ", "").replace("-", "")
    if not card.isdigit() or not 16 <= len(card) <= 19:
        raise ValueError("a bank card number is 16 to 19 digits")
    if not luhn_ok(card):
        raise ValueError("the bank card number's check digit is wrong")
    return card


def mask_bank_card(value: str) -> str:
    """Keep the last 4 digits only, e.g. "************1234"."""
    return _MASK * max(len(value) - 4, 0) + value[-4:]


def mask_resident_id(value: str) -> str:
    """Keep the first 6 and last 4 characters, e.g. "110105********1234".

    A value that is not 18 characters long is masked entirely, so that a malformed number
    cannot leak more of itself than a well-formed one would.
    """
    if len(value) != _RESIDENT_ID_LENGTH:
        return _MASK * len(value)
    return value[:6] + _MASK * 8 + value[-4:]


def mask_mobile(value: str) -> str:
    """Keep the first 3 and last 4 digits, e.g. "138****5678".

    A value that is not 11 characters long is masked entirely, for the same reason as
    `mask_resident_id`.
    """
    if len(value) != _MOBILE_LENGTH:
        return _MASK * len(value)
    return value[:3] + _MASK * 4 + value[-4:]


def mask_name(value: str) -> str:
    """Keep the first character and mask the rest; a one-character name becomes "*"."""
    if len(value) <= 1:
        return _MASK * len(value)
    return value[0] + _MASK * (len(value) - 1)
