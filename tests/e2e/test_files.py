"""Case files over HTTP: upload, list, download; too large, wrong type, another county; the
history names the file by its hash; a retry stores and records it once."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from domain.common import Role
from tests import factories as f
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

CASES = "/api/v1/cases"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8
NAME = "王某的工资条.jpg"


async def open_case(stack: Stack) -> str:
    return await stack.open_wage_arrears(f.intake())


async def upload(
    stack: Stack,
    case_id: str,
    headers: dict[str, str],
    content: bytes = JPEG,
    name: str = NAME,
    media_type: str = "image/jpeg",
    key: str | None = None,
) -> Any:
    if key:
        headers = {**headers, "Idempotency-Key": key}
    return await stack.http.post(
        f"{CASES}/{case_id}/files",
        files={"file": (name, content, media_type)},
        data={"reason": "pay slips the worker brought"},
        headers=headers,
    )


def stored_files(stack: Stack) -> list[Path]:
    root = stack.settings.files_root
    return [p for p in root.rglob("*") if p.is_file()]


async def test_a_file_is_uploaded_listed_downloaded_and_named_in_the_history(
    stack: Stack,
) -> None:
    case_id = await open_case(stack)
    mediator = await stack.login(Role.mediator)
    with capture_logs() as logs:
        attached = await upload(stack, case_id, mediator)
    assert attached.status_code == 201, attached.text
    sha256 = hashlib.sha256(JPEG).hexdigest()
    body = attached.json()
    assert (body["sha256"], body["name"], body["media_type"], body["size"]) == (
        sha256, NAME, "image/jpeg", len(JPEG),
    )  # fmt: skip
    assert attached.headers["Location"] == f"{CASES}/{case_id}/files/{sha256}"
    assert NAME not in repr(logs)  # the name may name a person: never logged

    listed = await stack.http.get(f"{CASES}/{case_id}/files", headers=mediator)
    assert [x["sha256"] for x in listed.json()["items"]] == [sha256]

    downloaded = await stack.http.get(body["url"], headers=mediator)
    assert downloaded.status_code == 200
    assert downloaded.content == JPEG
    assert downloaded.headers["content-type"] == "image/jpeg"
    assert "attachment" in downloaded.headers["content-disposition"]

    history = (await stack.http.get(f"{CASES}/{case_id}/history", headers=mediator)).json()
    [entry] = [e for e in history["events"] if e["what"] == "attach_file"]
    assert entry["details"]["sha256"] == sha256
    assert entry["details"]["size"] == len(JPEG)
    assert entry["details"]["media_type"] == "image/jpeg"
    assert entry["actor"]["role"] == "mediator"
    assert "content" not in entry["details"]


async def test_a_retried_upload_stores_and_records_the_file_once(stack: Stack) -> None:
    case_id = await open_case(stack)
    mediator = await stack.login(Role.mediator)
    content = b"%PDF-1.7\n" + uuid.uuid4().bytes + b"\n%%EOF\n"
    key = uuid.uuid4().hex
    first = await upload(stack, case_id, mediator, content, "complaint.pdf", key=key)
    assert first.status_code == 201, first.text
    again = await upload(stack, case_id, mediator, content, "complaint.pdf", key=key)
    assert again.status_code == 201 and again.json() == first.json()
    # The same content under another key and name is the file already recorded.
    other = await upload(stack, case_id, mediator, content, "copy.pdf")
    assert other.json()["name"] == "complaint.pdf"
    listed = (await stack.http.get(f"{CASES}/{case_id}/files", headers=mediator)).json()
    assert len(listed["items"]) == 1
    sha256 = hashlib.sha256(content).hexdigest()
    assert [p.name for p in stored_files(stack)].count(sha256) == 1


async def test_too_large_or_of_another_type_is_refused_and_nothing_is_stored(
    stack: Stack,
) -> None:
    case_id = await open_case(stack)
    mediator = await stack.login(Role.mediator)
    before = set(stored_files(stack))
    limit = stack.settings.max_file_bytes
    too_large = await upload(stack, case_id, mediator, b"%PDF-" + b"0" * limit, "big.pdf")
    assert too_large.status_code == 413, too_large.text
    # A name and a declared type that say PDF do not make an executable one.
    disguised = await upload(
        stack, case_id, mediator, b"MZ\x90\x00 not a pdf", "scan.pdf", "application/pdf"
    )
    assert disguised.status_code == 415, disguised.text
    assert disguised.json()["error"]["code"] == "unsupported_file_type"
    empty = await upload(stack, case_id, mediator, b"", "empty.pdf")
    assert empty.status_code == 422
    no_reason = await stack.http.post(
        f"{CASES}/{case_id}/files", files={"file": ("a.jpg", JPEG)}, headers=mediator
    )
    assert no_reason.status_code == 422
    as_json = await stack.http.post(f"{CASES}/{case_id}/files", json={"x": 1}, headers=mediator)
    assert as_json.status_code == 415
    assert set(stored_files(stack)) == before
    listed = (await stack.http.get(f"{CASES}/{case_id}/files", headers=mediator)).json()
    assert listed["items"] == []


async def test_a_file_is_not_found_from_another_county_or_through_another_case(
    stack: Stack,
) -> None:
    case_id = await open_case(stack)
    other_case = await open_case(stack)
    mediator = await stack.login(Role.mediator)
    url = (await upload(stack, case_id, mediator)).json()["url"]
    outsider = await stack.login(Role.mediator, ("140107",))
    assert (await stack.http.get(url, headers=outsider)).status_code == 404
    listed = await stack.http.get(f"{CASES}/{case_id}/files", headers=outsider)
    assert listed.status_code == 404
    attach = await upload(stack, case_id, outsider)
    assert attach.status_code == 404
    # The content exists, but it is no file of the other case.
    through_other = url.replace(case_id, other_case)
    assert (await stack.http.get(through_other, headers=mediator)).status_code == 404


async def test_a_closed_case_keeps_its_files(stack: Stack) -> None:
    case_id = await open_case(stack)
    mediator = await stack.login(Role.mediator)
    url = (await upload(stack, case_id, mediator)).json()["url"]
    supervisor = await stack.login(Role.supervisor)
    closed = await stack.http.post(
        f"{CASES}/{case_id}/actions/close",
        json={"reason": "complaint withdrawn", "outcome": "withdrawn"},
        headers=supervisor,
    )
    assert closed.status_code == 200, closed.text
    refused = await upload(stack, case_id, mediator, b"%PDF-1.7 late", "late.pdf")
    assert refused.status_code == 409, refused.text
    downloaded = await stack.http.get(url, headers=supervisor)
    assert downloaded.status_code == 200 and downloaded.content == JPEG
