"""The case workflows' activities on the SQL read model and outbox (the SQL is in
store/read_model.py, which the rebuild writes through too)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine
from temporalio import activity

from domain.notifications import Notification
from domain.regions import RegionSettings
from domain.snapshot import CaseSnapshot
from store import read_model
from store.case_numbers import allocate_case_id


class ReadModelActivities:
    def __init__(
        self, engine: Engine, deliver: Callable[[list[Notification]], None] | None = None
    ) -> None:
        self._engine = engine
        # Starts each notification's delivery workflow (activities/delivery_start.py); the
        # worker passes it, unit tests do not.
        self._deliver = deliver

    @activity.defn
    def load_region_settings(self, county_code: str) -> RegionSettings:
        return read_model.region_settings(self._engine, county_code)

    @activity.defn
    def sync_case(self, snapshot: CaseSnapshot) -> None:
        """Upserts the case row and its deadlines unless a newer revision is there already
        or the case is marked as ended abnormally (store/read_model.py)."""
        read_model.sync_case(self._engine, snapshot)

    @activity.defn
    def keep_case(self, snapshot: CaseSnapshot) -> CaseSnapshot:
        """`sync_case`, answering with the snapshot: run as a local activity, whose input is
        in no history, the answer is, for the audit trail and rebuild (core/history.py)."""
        read_model.sync_case(self._engine, snapshot)
        return snapshot

    @activity.defn
    def allocate_case_id(self, kind: str) -> str:
        """A new case number (a retry may skip a number; it never repeats one)."""
        with self._engine.begin() as conn:
            return allocate_case_id(conn, kind)

    @activity.defn
    def write_notifications(self, notifications: list[Notification]) -> int:
        """Adds each notification to the outbox unless its key is there already, then starts
        the delivery of each (once per key: a retried write starts nothing new)."""
        if not notifications:
            return 0
        written = read_model.write_notifications(self._engine, notifications)
        if self._deliver is not None:
            # Every one, not only the new rows: a write retried after a failed start must
            # still start it; a started one is left alone.
            self._deliver(notifications)
        return written

    @activity.defn
    def keep_notifications(self, notifications: list[Notification]) -> list[Notification]:
        """`write_notifications`, answering with the batch (see keep_case)."""
        self.write_notifications(notifications)
        return notifications
