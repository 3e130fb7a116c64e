from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.identity import (
    is_valid_credit_code,
    is_valid_mobile,
    is_valid_resident_id,
    mask_mobile,
    mask_name,
    mask_resident_id,
    normalise_credit_code,
    normalise_mobile,
    normalise_resident_id,
)

# Written out again here, rather than imported, so that a mistake in the module's tables is
# caught instead of being shared by the tests.
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def resident_check(body: str) -> str:
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    assert weights == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    remainder = sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11
    return "10X98765432"[remainder]


def credit_check(body: str) -> str:
    weights = [3**i % 31 for i in range(17)]
    assert weights == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(body, weights, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def resident_id(region: str, birth: str, sequence: str) -> str:
    body = region + birth + sequence
    return body + resident_check(body)


# The often-quoted "440524188001010014" has a correct check digit but an 1880 birth date, which
# this module rejects, so a 1980 variant stands in for it.
VALID_RESIDENT_IDS = ["11010519491231002X", "440524198001010013"]
VALID_CREDIT_CODES = ["91350100M000100Y43", "91110000600037341L"]

# Each message must be raised for exactly its own kind of fault.
RESIDENT_LENGTH = "resident ID number must be 18 characters"
RESIDENT_CHECK = "resident ID number check digit is wrong"
RESIDENT_BIRTH = "resident ID number has an invalid birth date"
CREDIT_LENGTH = "unified social credit code must be 18 characters"
CREDIT_CHARACTER = "unified social credit code contains an invalid character"
CREDIT_CHECK = "unified social credit code check character is wrong"
MOBILE = "mobile number must be 11 digits starting with 1"


def other_characters(alphabet: str, current: str) -> list[str]:
    return [c for c in alphabet if c != current.upper()]


# --- resident ID ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", VALID_RESIDENT_IDS)
def test_known_resident_ids_are_valid(value: str) -> None:
    assert resident_check(value[:17]) == value[17]
    assert is_valid_resident_id(value)
    assert normalise_resident_id(value) == value


@pytest.mark.parametrize("value", VALID_RESIDENT_IDS)
def test_every_wrong_resident_check_character_is_rejected(value: str) -> None:
    for wrong in other_characters("0123456789X", value[17]):
        candidate = value[:17] + wrong
        assert not is_valid_resident_id(candidate)
        with pytest.raises(ValueError, match=f"^{RESIDENT_CHECK}$"):
            normalise_resident_id(candidate)


def test_changed_resident_body_digit_is_rejected() -> None:
    value = VALID_RESIDENT_IDS[1]
    for position in range(17):
        digit = str((int(value[position]) + 1) % 10)
        candidate = value[:position] + digit + value[position + 1 :]
        assert not is_valid_resident_id(candidate), position


def test_lowercase_x_check_character_is_accepted_and_uppercased() -> None:
    assert is_valid_resident_id("11010519491231002x")
    assert normalise_resident_id("11010519491231002x") == "11010519491231002X"


def test_resident_id_is_stripped() -> None:
    assert normalise_resident_id(" \t440524198001010013\n") == "440524198001010013"
    assert normalise_resident_id(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    "value", ["", "44052418800101001", "4405241880010100144", "1101051949123100 2X"]
)
def test_resident_id_of_wrong_length_is_rejected(value: str) -> None:
    assert not is_valid_resident_id(value)
    with pytest.raises(ValueError, match=f"^{RESIDENT_LENGTH}$"):
        normalise_resident_id(value)


@pytest.mark.parametrize(
    "value",
    [
        "X10105194912310021",
        "1101051949123100X2",
        "11010519491231002Y",
        "11010519491231002-",
        # Non-ASCII digits that int() would otherwise accept.
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",
        "１１０１０５１９４９１２３１００２X",
    ],
)
def test_resident_id_with_invalid_characters_is_rejected(value: str) -> None:
    assert len(value) == 18
    assert not is_valid_resident_id(value)
    with pytest.raises(ValueError):
        normalise_resident_id(value)


@pytest.mark.parametrize(
    "birth",
    [
        "19491331",  # month 13
        "19490001",  # month 0
        "19490100",  # day 0
        "19490230",  # 30 February
        "19000229",  # 1900 is not a leap year
        "19490431",  # 31 April
        "18991231",  # before 1900
        "00000101",
    ],
)
def test_resident_id_with_invalid_birth_date_is_rejected(birth: str) -> None:
    value = resident_id("110105", birth, "002")
    assert resident_check(value[:17]) == value[17]
    assert not is_valid_resident_id(value)
    with pytest.raises(ValueError, match=f"^{RESIDENT_BIRTH}$"):
        normalise_resident_id(value)


def test_resident_id_born_before_1900_is_rejected_despite_correct_check_digit() -> None:
    value = "440524188001010014"
    assert resident_check(value[:17]) == value[17]
    assert not is_valid_resident_id(value)
    with pytest.raises(ValueError, match=f"^{RESIDENT_BIRTH}$"):
        normalise_resident_id(value)


@pytest.mark.parametrize("birth", ["19000101", "20000229", "19491231", "20991231"])
def test_resident_id_with_real_birth_date_is_accepted(birth: str) -> None:
    assert is_valid_resident_id(resident_id("110105", birth, "002"))


# --- unified social credit code ------------------------------------------------------------


@pytest.mark.parametrize("value", VALID_CREDIT_CODES)
def test_known_credit_codes_are_valid(value: str) -> None:
    assert credit_check(value[:17]) == value[17]
    assert is_valid_credit_code(value)
    assert normalise_credit_code(value) == value


def test_credit_code_whose_check_value_is_31_uses_zero() -> None:
    body = "91350100M000100Y4"
    # Find a body whose weighted sum is a multiple of 31, the case the standard maps to "0".
    for last in CREDIT_CHARSET:
        candidate_body = body[:16] + last
        if credit_check(candidate_body) == "0":
            assert is_valid_credit_code(candidate_body + "0")
            return
    pytest.fail("no body with check value 31 found")


@pytest.mark.parametrize("value", VALID_CREDIT_CODES)
def test_every_wrong_credit_check_character_is_rejected(value: str) -> None:
    for wrong in other_characters(CREDIT_CHARSET, value[17]):
        candidate = value[:17] + wrong
        assert not is_valid_credit_code(candidate)
        with pytest.raises(ValueError, match=f"^{CREDIT_CHECK}$"):
            normalise_credit_code(candidate)


@pytest.mark.parametrize("value", ["", "91350100M000100Y4", "91350100M000100Y433"])
def test_credit_code_of_wrong_length_is_rejected(value: str) -> None:
    assert not is_valid_credit_code(value)
    with pytest.raises(ValueError, match=f"^{CREDIT_LENGTH}$"):
        normalise_credit_code(value)


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
@pytest.mark.parametrize("position", [0, 8, 17])
def test_credit_code_with_excluded_letter_is_rejected(letter: str, position: int) -> None:
    value = VALID_CREDIT_CODES[0]
    candidate = value[:position] + letter + value[position + 1 :]
    assert not is_valid_credit_code(candidate)
    with pytest.raises(ValueError, match=f"^{CREDIT_CHARACTER}$"):
        normalise_credit_code(candidate)


@pytest.mark.parametrize("character", ["-", " ", "Ａ", "Ⅰ"])
def test_credit_code_with_foreign_character_is_rejected(character: str) -> None:
    candidate = "91350100" + character + "000100Y43"
    assert not is_valid_credit_code(candidate)
    with pytest.raises(ValueError, match=f"^{CREDIT_CHARACTER}$"):
        normalise_credit_code(candidate)


def test_lowercase_credit_code_is_only_valid_once_normalised() -> None:
    assert not is_valid_credit_code("91350100m000100y43")
    assert normalise_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


# --- mobile --------------------------------------------------------------------------------


@pytest.mark.parametrize("second", "3456789")
def test_mobile_with_allowed_second_digit_is_valid(second: str) -> None:
    assert is_valid_mobile(f"1{second}812345678")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "13812345678 ",
        "+8613812345678",
        "1381234567",
        "138123456789",
        "10812345678",
        "12812345678",
        "23812345678",
        "1381234567a",
        "１３８１２３４５６７８",
    ],
)
def test_invalid_mobile_is_rejected(value: str) -> None:
    assert not is_valid_mobile(value)


@pytest.mark.parametrize(
    "value",
    [
        "13812345678",
        "+8613812345678",
        "8613812345678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        " 138-1234-5678 ",
        "86 13812345678",
    ],
)
def test_mobile_is_normalised(value: str) -> None:
    assert normalise_mobile(value) == "13812345678"


@pytest.mark.parametrize(
    "value",
    ["", "+86", "+8612812345678", "008613812345678", "+86+8613812345678", "861381234567"],
)
def test_invalid_mobile_is_not_normalised(value: str) -> None:
    with pytest.raises(ValueError, match=f"^{MOBILE}$"):
        normalise_mobile(value)


# --- masking -------------------------------------------------------------------------------


def test_mask_resident_id() -> None:
    assert mask_resident_id("110105194912311234") == "110105********1234"
    assert mask_resident_id("11010519491231002X") == "110105********002X"


@pytest.mark.parametrize("value", ["", "1101051949", "11010519491231002", "1101051949123100212"])
def test_mask_resident_id_of_unexpected_length_reveals_nothing(value: str) -> None:
    assert mask_resident_id(value) == "*" * len(value)


def test_mask_mobile() -> None:
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("1381234567") == "**********"
    assert mask_mobile("") == ""


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("欧阳娜娜", "欧***"), ("李", "*"), ("", "")],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


# --- personal data in errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("normalise", "value"),
    [
        (normalise_resident_id, "11010519491231002Y"),
        (normalise_resident_id, "110105194912310021"),
        (normalise_resident_id, "4405241880010100"),
        (normalise_resident_id, resident_id("110105", "19491331", "002")),
        (normalise_credit_code, "91350100M000100Y44"),
        (normalise_credit_code, "91350100I000100Y43"),
        (normalise_credit_code, "91350100M000100Y4"),
        (normalise_mobile, "+8612812345678"),
        (normalise_mobile, "1381234567"),
    ],
)
def test_error_messages_do_not_contain_the_value(
    normalise: Callable[[str], str], value: str
) -> None:
    with pytest.raises(ValueError) as excinfo:
        normalise(value)
    message = str(excinfo.value)
    assert value not in message
    # Not even a recognisable fragment of it.
    assert not any(value[i : i + 4] in message for i in range(len(value) - 3))
