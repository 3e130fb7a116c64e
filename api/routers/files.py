"""Case files: attach (the case's `attach_file` action), list, download.

The content is stored content-addressed before the action is sent, so a retried upload
writes the same object and the case's history records the hash, never the content. A file
is served only as a file of a case the caller sees (404 otherwise), closed cases included.
File names are shown, never logged: they may name a person.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import structlog
from fastapi import APIRouter, File, Form, Header, Path, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from api import gateway
from api.deps import AttachGrantDep, CaseAccessDep, FileStoreDep, SettingsDep, TemporalClientDep
from api.errors import ApiError
from api.schemas import CaseFileList, CaseFilePublic
from domain.files import CaseFile, find_file, sniff_media_type
from store.files import FileStoreError, sha256_of

router = APIRouter(prefix="/api/v1/cases", tags=["files"])
log = structlog.get_logger("api.files")

IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
]
Sha256Path = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
_UNSAFE_NAME = str.maketrans(dict.fromkeys("/\\" + "".join(map(chr, range(32))) + "\x7f", "_"))


def _public(case_id: str, f: CaseFile) -> CaseFilePublic:
    return CaseFilePublic(**f.model_dump(), url=f"/api/v1/cases/{case_id}/files/{f.sha256}")


def _file_name(given: str | None) -> str:
    """The name as the device gave it, without a path or control characters."""
    name = (given or "").replace("\\", "/").rsplit("/", 1)[-1].translate(_UNSAFE_NAME).strip()
    return name[:255] or "file"


async def _files(client: Any, case_id: str) -> list[CaseFile]:
    view: Any = await gateway.get_view(client, case_id)
    files: list[CaseFile] = view.state.files
    return files


@router.post("/{case_id}/files", status_code=201, response_model=CaseFilePublic)
async def attach_case_file(
    case_id: str,
    grant: AttachGrantDep,
    client: TemporalClientDep,
    store: FileStoreDep,
    settings: SettingsDep,
    response: Response,
    file: Annotated[UploadFile, File(description="a PDF, JPEG, PNG, WebP or HEIC image")],
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
    idempotency_key: IdempotencyKey = None,
) -> CaseFilePublic:
    """Attaches a file to the case as the caller: 413 past the size limit, 415 for content
    that is not a PDF, JPEG, PNG, WebP or HEIC image (by its bytes, whatever its name says),
    and 403/404/409 like any action. Attaching the same content again answers with the file
    already recorded; the same `Idempotency-Key` returns the first outcome."""
    content = await file.read(settings.max_file_bytes + 1)
    if len(content) > settings.max_file_bytes:
        raise ApiError(
            413, "file_too_large", f"a file may be at most {settings.max_file_bytes} bytes"
        )
    if not content:
        raise ApiError(422, "empty_file", "the file is empty")
    media_type = sniff_media_type(content[:16])
    if media_type is None:
        raise ApiError(
            415, "unsupported_file_type", "a case file is a PDF, JPEG, PNG, WebP or HEIC image"
        )
    body = {
        "reason": reason,
        "sha256": sha256_of(content),
        "name": _file_name(file.filename),
        "media_type": media_type,
        "size": len(content),
    }
    cmd = gateway.parse_action(case_id, "attach_file", grant.command_input(body))
    try:
        sha256 = await run_in_threadpool(store.put, content)
    except FileStoreError as err:
        raise ApiError(503, "file_store_unavailable", str(err)) from None
    await gateway.run_action(client, case_id, "attach_file", cmd, idempotency_key)
    recorded = find_file(await _files(client, case_id), sha256)
    if recorded is None:
        raise ApiError(500, "action_failed", "the file was not recorded")
    log.info("file attached", sha256=sha256, media_type=media_type, size=len(content))
    response.headers["Location"] = f"/api/v1/cases/{case_id}/files/{sha256}"
    return _public(case_id, recorded)


@router.get("/{case_id}/files", response_model=CaseFileList)
async def list_case_files(
    case_id: str, access: CaseAccessDep, client: TemporalClientDep
) -> CaseFileList:
    """The case's files, in the order they were attached."""
    return CaseFileList(items=[_public(case_id, f) for f in await _files(client, case_id)])


@router.get(
    "/{case_id}/files/{sha256}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download_case_file(
    case_id: str,
    sha256: Sha256Path,
    access: CaseAccessDep,
    client: TemporalClientDep,
    store: FileStoreDep,
) -> Response:
    """The file's content, if it is a file of this case (404 otherwise)."""
    recorded = find_file(await _files(client, case_id), sha256)
    if recorded is None:
        raise ApiError(404, "file_not_found", "the case has no such file")
    try:
        content = await run_in_threadpool(store.get, sha256)
    except FileStoreError as err:
        raise ApiError(503, "file_store_unavailable", str(err)) from None
    if content is None or sha256_of(content) != sha256:
        log.error("case file missing or damaged in the store", sha256=sha256)
        raise ApiError(503, "file_store_unavailable", "the file's content is not available")
    disposition = f"attachment; filename*=UTF-8''{quote(recorded.name, safe='')}"
    return Response(
        content,
        media_type=recorded.media_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )
