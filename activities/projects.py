"""The project watch's read-model write (PW rules), idempotent like the cases' own."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from temporalio import activity

from domain.project_watch.view import ProjectSnapshot
from store.projects import sync_project


class ProjectActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn
    def sync_project(self, snapshot: ProjectSnapshot) -> None:
        """Writes the project's rows; an older revision never overwrites a newer one."""
        sync_project(self._engine, snapshot)
