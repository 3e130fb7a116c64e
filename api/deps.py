"""Dependencies as Annotated aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio.client import Client

from api.access import (
    ActionGrant,
    CaseAccess,
    authorize_action,
    authorize_attach,
    get_case_access,
)
from api.auth import Principal, get_current_user, require_roles
from core.settings import Settings
from domain.common import Role
from store.files import FileStore


def get_app_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


def get_engine(request: Request) -> Engine:
    return cast(Engine, request.app.state.engine)


def get_temporal_client(request: Request) -> Client:
    return cast(Client, request.app.state.temporal)


def get_file_store(request: Request) -> FileStore:
    return cast(FileStore, request.app.state.files)


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
TemporalClientDep = Annotated[Client, Depends(get_temporal_client)]
FileStoreDep = Annotated[FileStore, Depends(get_file_store)]

# Who is calling (401 without a live bearer token); roles and counties are checked by the
# dependencies built on it (api/access.py), never in handlers.
CurrentUser = Annotated[Principal, Depends(get_current_user)]
AdminUser = Annotated[Principal, require_roles(Role.admin)]
# A case the caller may see (404 otherwise), and an action they may take on it (403 for the
# wrong role): api/access.py.
CaseAccessDep = Annotated[CaseAccess, Depends(get_case_access)]
ActionGrantDep = Annotated[ActionGrant, Depends(authorize_action)]
AttachGrantDep = Annotated[ActionGrant, Depends(authorize_attach)]
