"""Region settings: per-county overrides of the configurable rule values (RULES.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.regions import RegionSettings
from store.tables import RegionSettingRecord


def load(engine: Engine, county_code: str) -> RegionSettings:
    with Session(engine) as session:
        row = session.get(RegionSettingRecord, county_code)
        values = dict(row.values) if row is not None else {}
    return RegionSettings.model_validate({**values, "county_code": county_code})


def save(engine: Engine, county_code: str, changes: dict[str, Any]) -> RegionSettings:
    """Merges `changes` into the county's overrides (None removes one: back to the default);
    cases opened from now on, and MA-8's awards recorded from now on, read them."""
    with Session(engine) as session:
        row = session.get(RegionSettingRecord, county_code)
        values = dict(row.values) if row is not None else {}
        for name, value in changes.items():
            if value is None:
                values.pop(name, None)
            else:
                values[name] = str(value)
        settings = RegionSettings.model_validate({**values, "county_code": county_code})
        if row is None:
            row = RegionSettingRecord(county_code=county_code)
        row.values = values
        row.updated_at = datetime.now(UTC)
        session.add(row)
        session.commit()
    return settings
