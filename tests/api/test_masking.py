"""Free text masked like the fields (api/masking.py): resident ID numbers, mainland mobiles
and the case's own parties' names, wherever they stand in the text."""

from __future__ import annotations

from api.masking import TextMask, party_names
from tests import factories as f

ID_NUMBER = f.resident_id(5)
X_ID = "11010519491231002X"


def test_id_numbers_mobiles_and_names_are_masked_like_fields() -> None:
    mask = TextMask(["王小明", "李四"])
    text = f"王小明（{ID_NUMBER}）和李四，电话13900000005、+86 13800138000；证号{X_ID.lower()}"
    assert mask.text(text) == (
        f"王**（{ID_NUMBER[:6]}********{ID_NUMBER[-4:]}）和李*，电话139****0005、+86 "
        f"138****8000；证号110105********002x"
    )


def test_numbers_inside_longer_codes_and_short_names_are_left_alone() -> None:
    mask = TextMask(["王"])
    # A credit code, a 12-digit bank reference, an amount and a date are not personal data.
    text = "91350100M000100Y43 付款流水139000000051 金额3000.00 2026-01-05 王经理"
    assert mask.text(text) == text


def test_the_longest_name_is_masked_first() -> None:
    assert TextMask(["工人1", "工人12"]).text("工人12和工人1") == "工***和工**"


def test_deep_masks_every_string_and_keeps_keys() -> None:
    mask = TextMask(["赵某某"])
    value = {"赵某某": [{"reason": "赵某某 13900000001", "amount": 3}], "n": None}
    assert mask.deep(value) == {"赵某某": [{"reason": "赵** 139****0001", "amount": 3}], "n": None}


def test_party_names_are_found_in_any_intake() -> None:
    wage_arrears = {"workers": [{"name": "甲某"}, {"name": "乙某"}], "employer": {"name": "公司"}}
    transfer = {"worker": {"name": "丙某"}, "from_agency": {"name": "中心"}}
    carried = [{"state": {"intake": wage_arrears}}]
    assert party_names(wage_arrears) == ["甲某", "乙某"]
    assert party_names(transfer) == ["丙某"]
    assert party_names(carried) == ["甲某", "乙某"]
