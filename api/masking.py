"""Personal data inside free text (reasons, summaries, descriptions), masked like the fields.

A reason typed by a mediator may name a worker or quote an ID or phone number. For a caller
who sees the case's fields masked (api/access.py), the same text shows them masked too:
resident ID numbers (18 characters, the last may be X) and mainland mobiles (11 digits
starting with 1) wherever they stand, and the names of the case's own parties.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from domain import identity

# Not inside a longer run of digits or letters: a credit code or a bank reference is not one.
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
# A one-character name would mask that character in every word: names of two or more only.
_MIN_NAME_LENGTH = 2


class TextMask:
    """Masks free text of one case for a caller who must not see its personal data."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        distinct = {n.strip() for n in names if len(n.strip()) >= _MIN_NAME_LENGTH}
        # Longest first, so a full name is masked before a shorter name inside it.
        ordered = sorted(distinct, key=lambda n: (-len(n), n))
        self._names = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def text(self, value: str) -> str:
        value = _RESIDENT_ID.sub(lambda m: identity.mask_resident_id(m.group()), value)
        value = _MOBILE.sub(lambda m: identity.mask_mobile(m.group()), value)
        if self._names is not None:
            value = self._names.sub(lambda m: identity.mask_name(m.group()), value)
        return value

    def deep(self, value: Any) -> Any:
        """Every string inside lists and dicts (keys stay as they are)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.deep(item) for item in value]
        if isinstance(value, dict):
            return {key: self.deep(item) for key, item in value.items()}
        return value


def party_names(value: Any) -> list[str]:
    """The names of the people a case is about, wherever its input holds them: `workers`
    (a list) or `worker` (one), at any depth of an intake or a carried-over state."""
    found: list[str] = []

    def walk(node: Any, under_party: bool) -> None:
        if isinstance(node, dict):
            if under_party and isinstance(node.get("name"), str):
                found.append(node["name"])
            for key, item in node.items():
                walk(item, key in ("workers", "worker"))
        elif isinstance(node, list):
            for item in node:
                walk(item, under_party)

    walk(value, False)
    return found
