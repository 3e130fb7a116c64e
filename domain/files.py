"""Case files: what attaching one records, and which kinds of file a case takes.

The content never enters a workflow: the API stores it content-addressed (store/files.py)
and the case's history records who attached what, by hash, name, media type and size.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Protocol

from pydantic import Field

from domain.common import Command, CountyCode, StrictModel
from domain.effects import Effects

MediaType = Literal["application/pdf", "image/jpeg", "image/png", "image/webp", "image/heic"]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the content")]
# A file name as the uploader's device gave it: no path, no control characters.
FileName = Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[^\x00-\x1f/\\]+$")]

# HEIF brands of HEVC-coded images (ISO/IEC 23008-12); AVIF and plain `mif1` are left out.
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}


def sniff_media_type(head: bytes) -> MediaType | None:
    """The media type the content's own first bytes declare; None for any other content."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return "image/heic"
    return None


class NoticeRef(StrictModel):
    """Which official notice a file is, and the document number it was given (the read
    model's issued numbers can be restored from the files of every case)."""

    kind: str = Field(pattern=r"^[a-z_]{1,40}$")
    occasion: str = Field(pattern=r"^[0-9A-Za-z_-]{1,40}$")
    county_code: CountyCode
    year: int = Field(ge=2000, le=2200)
    seq: int = Field(ge=1)


class AttachFile(Command):
    """Attaches a file already stored under its hash to the case."""

    sha256: Sha256
    name: FileName
    media_type: MediaType
    size: int = Field(gt=0, description="bytes")
    # Set when the file is an official notice the API printed (api/routers/notices.py).
    notice: NoticeRef | None = None


class CaseFile(StrictModel):
    sha256: Sha256
    name: FileName
    media_type: MediaType
    size: int
    attached_at: datetime
    attached_by: str
    attached_by_role: str
    notice: NoticeRef | None = None


def file_attached(files: list[CaseFile], cmd: AttachFile, now: datetime) -> bool:
    """Records the file once: the same content attached again is the file already there."""
    if any(f.sha256 == cmd.sha256 for f in files):
        return False
    files.append(
        CaseFile(
            sha256=cmd.sha256,
            name=cmd.name,
            media_type=cmd.media_type,
            size=cmd.size,
            attached_at=now,
            attached_by=cmd.actor.id,
            attached_by_role=cmd.actor.role.value,
            notice=cmd.notice,
        )
    )
    return True


class WithFiles(Protocol):
    files: list[CaseFile]


def attach_file(state: WithFiles, cmd: Command, now: datetime) -> Effects:
    """The `attach_file` action of a case: the file is recorded and nothing else follows."""
    assert isinstance(cmd, AttachFile)
    file_attached(state.files, cmd, now)
    return Effects()


def find_file(files: list[CaseFile], sha256: str) -> CaseFile | None:
    return next((f for f in files if f.sha256 == sha256), None)
