"""The API killed (SIGKILL) mid-upload or mid-notice: no half file is ever listed. A file
the case lists is whole in the store under its hash; an upload cut off stores and lists
nothing; a notice whose API died before its file was recorded is produced again under the
same document number and recorded once."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import signal
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from domain.common import Role
from tests import factories as f
from tests.faults.conftest import CASES, FaultStack, stop

pytestmark = [pytest.mark.e2e, pytest.mark.faults, pytest.mark.timeout(180)]


async def _login(stack: FaultStack, role: Role) -> dict[str, str]:
    assert stack.users is not None
    return await asyncio.to_thread(stack.users.login, role, ("140105",), None)


def _stored(stack: FaultStack) -> dict[str, bytes]:
    root = stack.tmp / "files"
    return {p.name: p.read_bytes() for p in root.rglob("*") if p.is_file()} if root.exists() else {}


async def _killed_api(stack: FaultStack) -> None:
    assert stack.api is not None
    stop(stack.api, signal.SIGKILL)
    stack.api = None
    await stack.stop_api()


async def _listed_files_are_whole(
    stack: FaultStack, case_id: str, headers: dict[str, str]
) -> list[dict[str, str]]:
    assert stack.http is not None
    listed = (await stack.http.get(f"{CASES}/{case_id}/files", headers=headers)).json()["items"]
    stored = _stored(stack)
    for item in listed:
        content = stored[item["sha256"]]
        assert hashlib.sha256(content).hexdigest() == item["sha256"]
        assert len(content) == item["size"]
    return list(listed)


async def test_an_upload_cut_off_by_a_killed_api_stores_and_lists_nothing(
    fault_stack: FaultStack,
) -> None:
    stack = fault_stack
    case_id = (await stack.open_case(workers=1))["case_id"]
    mediator = await _login(stack, Role.mediator)
    boundary = uuid.uuid4().hex
    content = b"%PDF-1.7\n" + uuid.uuid4().bytes * 4096 + b"\n%%EOF\n"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="reason"\r\n\r\npay slips\r\n'
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="工人1的工资条.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    sent = asyncio.Event()

    async def body() -> AsyncIterator[bytes]:
        yield head + content[: len(content) // 2]
        sent.set()
        await asyncio.sleep(60)  # the rest never comes: the API dies first
        yield content[len(content) // 2 :]

    assert stack.http is not None
    in_flight = asyncio.create_task(
        stack.http.post(
            f"{CASES}/{case_id}/files",
            content=body(),
            headers={**mediator, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
    )
    await asyncio.wait_for(sent.wait(), timeout=20)
    await asyncio.sleep(0.5)
    await _killed_api(stack)
    with pytest.raises(httpx.TransportError):
        await in_flight

    await stack.start_api()
    assert await _listed_files_are_whole(stack, case_id, mediator) == []
    sha256 = hashlib.sha256(content).hexdigest()
    assert sha256 not in _stored(stack)
    leftovers = (
        list((stack.tmp / "files").rglob(".partial-*")) if (stack.tmp / "files").exists() else []
    )
    assert leftovers == []


async def test_a_notice_whose_api_was_killed_is_recorded_once_under_its_first_number(
    fault_stack: FaultStack,
) -> None:
    stack = fault_stack
    case_id = (await stack.open_case(workers=1))["case_id"]
    issued = await stack.act(
        case_id, "issue_order_to_pay", {"actor": f.actor(Role.inspector), "reason": "order"}
    )
    assert issued.status_code == 200, issued.text
    inspector = await _login(stack, Role.inspector)
    assert stack.http is not None
    notice = f"{CASES}/{case_id}/notices/order_to_pay"
    # Killed while producing it: before or after its number was issued, its PDF stored, its
    # attach update sent; wherever it died, what the case lists is whole.
    in_flight = asyncio.create_task(stack.http.post(notice, headers=inspector))
    await asyncio.sleep(0.1)
    await _killed_api(stack)
    with contextlib.suppress(httpx.TransportError):
        await in_flight  # cut off, unless it was quicker than the kill
    before = stack.rows("SELECT seq FROM issued_notices WHERE case_id = :case_id", case_id=case_id)

    await stack.start_api()
    inspector = await _login(stack, Role.inspector)
    for item in await _listed_files_are_whole(stack, case_id, inspector):
        assert item["media_type"] == "application/pdf"
    assert stack.http is not None
    again = await stack.http.post(notice, headers=inspector)
    assert again.status_code in (200, 201), again.text
    [(seq,)] = stack.rows(
        "SELECT seq FROM issued_notices WHERE case_id = :case_id", case_id=case_id
    )
    assert before in ([], [(seq,)])  # a number issued before the kill is the one kept
    assert again.json()["number"].endswith(f"第{seq:03d}号")
    listed = await _listed_files_are_whole(stack, case_id, inspector)
    assert [x["sha256"] for x in listed] == [again.json()["file"]["sha256"]]
