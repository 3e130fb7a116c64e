"""Personal data is ciphertext in Temporal: the real CLI sees none of it; the codec endpoint
decodes it for supervisors and admins only."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from temporalio.api.common.v1 import Payload

from core.codec import ENCODING
from core.temporal import installed_binary
from domain.common import Role
from tests import factories as f
from tests.e2e.codec_payloads import CASE_ID, for_case
from tests.e2e.codec_payloads import body as request_body
from tests.e2e.conftest import Stack, run_outside

pytestmark = pytest.mark.e2e

UI_ORIGIN = "http://127.0.0.1:8233"


async def open_case(stack: Stack) -> tuple[str, dict[str, Any]]:
    intake = f.intake(workers=3)
    response = await stack.http.post("/api/v1/cases/wage-arrears", json=intake)
    assert response.status_code == 201, response.text
    return response.json()["case_id"], intake


def personal_data(intake: dict[str, Any]) -> list[str]:
    return [w[k] for w in intake["workers"] for k in ("name", "id_number", "mobile")]


async def temporal_cli(stack: Stack, *args: str) -> tuple[int, str, str]:
    return await run_outside(
        str(installed_binary("temporal")),
        *args,
        "--address",
        stack.settings.temporal_address,
        "--namespace",
        stack.settings.temporal_namespace,
    )


def payloads_in(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every Payload in `temporal workflow show --output json` (metadata + data), by path."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        if "metadata" in node and "data" in node:
            found.append((path, node))
        for key, value in node.items():
            found += payloads_in(value, f"{path}.{key}")
    elif isinstance(node, list):
        for value in node:
            found += payloads_in(value, path)
    return found


def decoded_data(out: str) -> str:
    return "\n".join(
        base64.b64decode(p["data"]).decode(errors="replace")
        for _, p in payloads_in(json.loads(out))
    )


# Never through a codec (DESIGN.md): search attributes, and the SDK's own patch markers.
UNENCRYPTED = ("searchAttributes", "markerRecordedEventAttributes")


async def test_workflow_show_prints_no_personal_data(stack: Stack) -> None:
    case_id, intake = await open_case(stack)
    secrets = personal_data(intake)

    code, out, err = await temporal_cli(
        stack, "workflow", "show", "--workflow-id", case_id, "--output", "json"
    )
    assert code == 0, err
    shown = json.dumps(json.loads(out), ensure_ascii=False)
    for secret in secrets:
        assert secret not in shown

    payloads = payloads_in(json.loads(out))
    assert any("workflowExecutionStartedEventAttributes.input" in path for path, _ in payloads)
    for path, payload in payloads:
        if not any(part in path for part in UNENCRYPTED):
            assert base64.b64decode(payload["metadata"]["encoding"]) == ENCODING, path
        # Search attributes hold no personal data either.
        data = base64.b64decode(payload["data"])
        for secret in secrets:
            assert secret.encode() not in data, path

    # The API reads the same case through the codec and masks it for the reader.
    case = (await stack.http.get(f"/api/v1/cases/{case_id}")).json()
    worker = case["workers"][0]
    assert (
        worker["id_number"]
        == intake["workers"][0]["id_number"][:6]
        + "********"
        + (intake["workers"][0]["id_number"][-4:])
    )
    assert worker["mobile"] != intake["workers"][0]["mobile"]
    assert case["status"] == "open"


async def test_cli_reads_decoded_history_through_the_codec_endpoint(stack: Stack) -> None:
    case_id, intake = await open_case(stack)
    if CASE_ID not in (await _encrypted_input(stack, case_id))[0].metadata:
        # The endpoint decodes only payloads that name their case (tests/e2e/codec_payloads.py).
        pytest.skip("this build's payload codec does not seal the case id into payloads")
    id_number = intake["workers"][0]["id_number"]
    show = ["workflow", "show", "--workflow-id", case_id, "--output", "json"]
    endpoint = ["--codec-endpoint", f"{stack.base_url}/codec"]

    supervisor = (await stack.login(Role.supervisor))["Authorization"]
    code, out, err = await temporal_cli(stack, *show, *endpoint, "--codec-auth", supervisor)
    assert code == 0, err
    assert id_number in decoded_data(out)

    mediator = (await stack.login(Role.mediator))["Authorization"]
    code, out, err = await temporal_cli(stack, *show, *endpoint, "--codec-auth", mediator)
    assert code != 0 or id_number not in decoded_data(out)
    assert id_number not in out + err


async def _encrypted_input(stack: Stack, case_id: str) -> list[Payload]:
    history = await stack.client.get_workflow_handle(case_id).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    return list(started.input.payloads)


async def _case_input(stack: Stack, case_id: str) -> list[Payload]:
    """The case's encrypted input, naming its case as the codec endpoint requires."""
    return [for_case(p, case_id) for p in await _encrypted_input(stack, case_id)]


async def test_codec_endpoint_decodes_for_supervisor_and_admin(stack: Stack) -> None:
    case_id, intake = await open_case(stack)
    encrypted = await _case_input(stack, case_id)
    assert encrypted[0].metadata["encoding"] == ENCODING
    headers = {"X-Namespace": stack.settings.temporal_namespace}

    for role in (Role.supervisor, Role.admin):
        response = await stack.http.post(
            "/codec/decode",
            json=request_body(encrypted),
            headers=headers | await stack.login(role),
        )
        assert response.status_code == 200, response.text
        [decoded] = response.json()["payloads"]
        assert base64.b64decode(decoded["metadata"]["encoding"]) == b"json/plain"
        data = base64.b64decode(decoded["data"]).decode()
        assert intake["workers"][0]["id_number"] in data

    # What was never sealed (search attributes) is shown as it is, and nothing is sealed for
    # a caller: a payload sealed with the API's key would be believed as the API's own.
    named = {CASE_ID: base64.b64encode(case_id.encode()).decode()}
    plain = {
        "metadata": {"encoding": base64.b64encode(b"json/plain").decode(), **named},
        "data": "IjEi",
    }
    admin = headers | await stack.login(Role.admin)
    passed = await stack.http.post("/codec/decode", json={"payloads": [plain]}, headers=admin)
    assert passed.status_code == 200, passed.text
    assert passed.json()["payloads"] == [plain]
    encode = await stack.http.post("/codec/encode", json={"payloads": [plain]}, headers=admin)
    assert encode.status_code in (404, 405)


@pytest.mark.parametrize("role", [Role.mediator, Role.inspector, Role.agency_clerk])
async def test_codec_endpoint_refuses_other_roles(stack: Stack, role: Role) -> None:
    case_id, _ = await open_case(stack)
    body = request_body(await _case_input(stack, case_id))
    response = await stack.http.post("/codec/decode", json=body, headers=await stack.login(role))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert "payloads" not in response.json()


async def test_codec_endpoint_needs_a_token(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.base_url) as anonymous:
        response = await anonymous.post("/codec/decode", json={"payloads": []})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


async def test_codec_endpoint_refuses_bad_input_and_other_namespaces(stack: Stack) -> None:
    case_id, _ = await open_case(stack)
    admin = await stack.login(Role.admin)
    bad = {"payloads": [{"metadata": {"encoding": "%%%"}, "data": ""}]}
    response = await stack.http.post("/codec/decode", json=bad, headers=admin)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"][-1] == "encoding"

    tampered = {
        "payloads": [
            {
                "metadata": {
                    "encoding": base64.b64encode(ENCODING).decode(),
                    "encryption-key-id": base64.b64encode(b"test").decode(),
                    CASE_ID: base64.b64encode(case_id.encode()).decode(),
                },
                "data": base64.b64encode(b"\x00" * 40).decode(),
            }
        ]
    }
    response = await stack.http.post("/codec/decode", json=tampered, headers=admin)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "payload_not_decryptable"

    response = await stack.http.post(
        "/codec/decode",
        json={"payloads": []},
        headers=admin | {"X-Namespace": "someone-else"},
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "namespace_not_served"


async def test_codec_cors_lets_the_temporal_ui_in_and_nothing_else(stack: Stack) -> None:
    preflight = {
        "Origin": UI_ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
    }
    async with httpx.AsyncClient(base_url=stack.base_url) as raw:
        allowed = await raw.options("/codec/decode", headers=preflight)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == UI_ORIGIN
        assert "x-namespace" in allowed.headers["access-control-allow-headers"].lower()
        assert allowed.headers["access-control-allow-credentials"] == "true"

        stranger = await raw.options(
            "/codec/decode", headers=preflight | {"Origin": "http://evil.example"}
        )
        assert "access-control-allow-origin" not in stranger.headers

        # The rest of the API gets no CORS from the UI's origin.
        other = await raw.options("/api/v1/cases", headers=preflight)
        assert "access-control-allow-origin" not in other.headers


async def test_codec_session_cookie_lets_the_ui_decode(stack: Stack) -> None:
    case_id, intake = await open_case(stack)
    body = request_body(await _case_input(stack, case_id))
    async with httpx.AsyncClient(base_url=stack.base_url) as browser:
        refused = await browser.post("/codec/session", headers=await stack.login(Role.mediator))
        assert refused.status_code == 403
        assert "lce_codec" not in browser.cookies

        opened = await browser.post("/codec/session", headers=await stack.login(Role.supervisor))
        assert opened.status_code == 204
        cookie = opened.headers["set-cookie"].lower()
        assert "httponly" in cookie and "path=/codec" in cookie and "samesite=strict" in cookie

        # What the UI sends: the cookie, no Authorization header.
        decoded = await browser.post("/codec/decode", json=body)
        assert decoded.status_code == 200, decoded.text
        data = base64.b64decode(decoded.json()["payloads"][0]["data"]).decode()
        assert intake["workers"][0]["mobile"] in data

        assert (await browser.delete("/codec/session")).status_code == 204
        assert (await browser.post("/codec/decode", json=body)).status_code == 401
