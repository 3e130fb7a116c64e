"""An answer or a row built from an object whose attributes have the same names: a SQL row, a
table record, another model. Only the fields whose value is worked out are written out."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


def field_names(cls: type[Any]) -> list[str]:
    """The fields of a pydantic model or a dataclass, in their order."""
    if issubclass(cls, BaseModel):
        return list(cls.model_fields)
    return [f.name for f in dataclasses.fields(cls)]


def from_attributes(cls: type[T], source: object, **given: Any) -> T:
    """`cls` with each field not in `given` read from `source`'s attribute of that name."""
    copied = {name: getattr(source, name) for name in field_names(cls) if name not in given}
    return cls(**copied, **given)
