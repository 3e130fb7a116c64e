"""Bad input, fuzzed and by hand, against the real API, dev server and worker.

Schemathesis generates requests from the API's own OpenAPI document, valid and invalid ones,
with a supervisor's token and with none: no answer is a 5xx, every answer matches what the
document declares (status, content type, body schema), and without a token every protected
call is a 401. Then the bodies no schema describes: too large (413), not JSON (415), broken
JSON, bytes that are not UTF-8, text no store can keep, unknown fields (422); none of them
changes anything recorded.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from api.limits import MAX_BODY_BYTES
from domain.common import Role
from tests import factories as f
from tests.e2e.auth import TEST_COUNTIES
from tests.e2e.conftest import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

CASES = "/api/v1/cases"
# Per operation and generation mode: enough to reach every parameter's edges, small enough
# that the whole run stays well under a minute on two cores.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Answered before authentication, by the body and query checks every request goes through.
REFUSED_BEFORE_AUTH = {"invalid_text", "invalid_encoding", "invalid_json", "body_too_large"}
# What anyone may call without a token.
PUBLIC = {"GET /health", "DELETE /codec/session"}

Check = Callable[[Any, Any], None]


def fuzz(
    document: dict[str, Any],
    base_url: str,
    headers: dict[str, str],
    check: Check,
    modes: tuple[GenerationMode, ...] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
    max_examples: int = MAX_EXAMPLES,
) -> list[str]:
    """Calls every operation with generated cases and runs `check(case, response)` on each;
    the failures, one per operation and generation mode."""
    schema = schemathesis.openapi.from_dict(document)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=max_examples,
                deadline=None,
                database=None,
                # The same cases on every run: CI must not pass or fail by chance.
                derandomize="FUZZ_MAX_EXAMPLES" not in os.environ,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                check(case, case.call(base_url=base_url, headers=headers, timeout=30))

            try:
                run()
            except Unsatisfiable:
                # Nothing to make invalid (an operation without parameters or body).
                continue
            except Exception as err:  # noqa: BLE001 - every operation's failure is reported
                failures.append(f"{operation.label} [{mode.value}]: {err}"[:3000])
    return failures


async def openapi(stack: Stack) -> dict[str, Any]:
    response = await stack.http.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


async def test_fuzzed_requests_with_a_token_get_no_5xx_and_match_the_schema(
    stack: Stack,
) -> None:
    document = await openapi(stack)
    token = await stack.login(Role.supervisor, TEST_COUNTIES)

    def check(case: Any, response: Any) -> None:
        case.validate_response(response, checks=CHECKS)

    # In a thread: the API under test serves from this test's event loop.
    failures = await asyncio.to_thread(fuzz, document, stack.base_url, token, check)
    assert not failures, "\n\n".join(failures)


async def test_fuzzed_requests_without_a_token_are_401(stack: Stack) -> None:
    document = await openapi(stack)

    def check(case: Any, response: Any) -> None:
        case.validate_response(response, checks=CHECKS)
        label = f"{case.method.upper()} {case.operation.path}"
        if label in PUBLIC:
            return
        if response.status_code != 401:
            code = response.json().get("error", {}).get("code")
            assert code in REFUSED_BEFORE_AUTH, f"{label}: {response.status_code} {code}"

    # Whether a token is there is decided before any input is looked at: a few valid cases
    # per operation say it.
    failures = await asyncio.to_thread(
        fuzz, document, stack.base_url, {}, check, (GenerationMode.POSITIVE,), 4
    )
    assert not failures, "\n\n".join(failures)


@pytest.fixture
async def recorded(stack: Stack) -> AsyncIterator[dict[str, Any]]:
    """A case and the count of cases before a test; after it, both must be as they were."""
    opened = await stack.http.post(f"{CASES}/wage-arrears", json=f.intake(workers=1))
    assert opened.status_code == 201, opened.text
    case = opened.json()
    before = (await stack.http.get(CASES, params={"limit": 1})).json()["total"]
    yield case
    assert (await stack.http.get(CASES, params={"limit": 1})).json()["total"] == before
    after = (await stack.http.get(f"{CASES}/{case['case_id']}")).json()
    assert after["revision"] == case["revision"] and after["payments"] == []


def assert_error(response: Any, status: int, code: str, *words: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and set(error) == {"code", "message", "message_zh", "details"}
    for word in words:
        assert word in error["message"]


def payment(**extra: Any) -> dict[str, Any]:
    return {
        "actor": f.actor(Role.mediator),
        "reason": "paid at the bureau",
        "worker_no": 1,
        "amount": "100.00",
        "paid_on": "2026-11-20",
        **extra,
    }


async def test_an_oversized_body_is_413_whether_declared_or_streamed(
    stack: Stack, recorded: dict[str, Any]
) -> None:
    body = f.intake(summary="欠" * MAX_BODY_BYTES)
    declared = await stack.http.post(f"{CASES}/wage-arrears", json=body)
    assert_error(declared, 413, "body_too_large", str(MAX_BODY_BYTES))

    raw = json.dumps(payment(reason="x" * MAX_BODY_BYTES)).encode()

    async def chunks() -> AsyncIterator[bytes]:
        # No Content-Length: the limit holds while the body is read.
        for start in range(0, len(raw), 64 * 1024):
            yield raw[start : start + 64 * 1024]

    streamed = await stack.http.post(
        f"{CASES}/{recorded['case_id']}/actions/record_payment",
        content=chunks(),
        # A token given here: the tests' actor-as-token helper would read the stream first.
        headers={
            "Content-Type": "application/json",
            **(await stack.login(Role.mediator, (f.COUNTY,))),
        },
    )
    assert_error(streamed, 413, "body_too_large")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None]
)
async def test_a_body_that_is_not_json_is_415(
    stack: Stack, recorded: dict[str, Any], content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    for url, body in (
        (f"{CASES}/wage-arrears", f.intake()),
        (f"{CASES}/{recorded['case_id']}/actions/record_payment", payment()),
    ):
        response = await stack.http.post(url, content=json.dumps(body).encode(), headers=headers)
        assert_error(response, 415, "unsupported_media_type", "application/json")


async def test_json_with_a_charset_or_a_json_suffix_is_json(stack: Stack) -> None:
    body = json.dumps(f.intake(workers=1, amount="10.00")).encode()
    for content_type in ("application/json; charset=utf-8", "application/merge+json"):
        response = await stack.http.post(
            f"{CASES}/wage-arrears", content=body, headers={"Content-Type": content_type}
        )
        assert response.status_code == 201, response.text


async def test_unknown_fields_are_422_and_named(stack: Stack, recorded: dict[str, Any]) -> None:
    intake = await stack.http.post(f"{CASES}/wage-arrears", json=f.intake(nickname="老王"))
    assert_error(intake, 422, "invalid_input")
    assert ["body", "nickname"] in [d["loc"] for d in intake.json()["error"]["details"]]
    worker = f.intake()
    worker["workers"][0]["hometown"] = "河南"
    nested = await stack.http.post(f"{CASES}/wage-arrears", json=worker)
    assert_error(nested, 422, "invalid_input")
    assert "hometown" in nested.text and "河南" not in nested.text
    action = await stack.http.post(
        f"{CASES}/{recorded['case_id']}/actions/record_payment", json=payment(tip="50.00")
    )
    assert action.status_code == 422 and "tip" in action.text


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        (b'{"source": "complaint",', "invalid_json", ("not valid JSON", "line 1")),
        (b"[1, 2", "invalid_json", ("not valid JSON",)),
        (b'{"summary": "\xff\xfe"}', "invalid_encoding", ("UTF-8",)),
        (b'{"summary": "\xe6\xac"}', "invalid_encoding", ("UTF-8",)),
        (b'{"summary": "\\ud800"}', "invalid_text", ("surrogate",)),
        (b'{"summary": "a\\u0000b"}', "invalid_text", ("NUL",)),
        (b'{"a\\udfff": 1}', "invalid_text", ("surrogate",)),
    ],
)
async def test_broken_json_and_invalid_unicode_are_422_with_what_is_wrong(
    stack: Stack, recorded: dict[str, Any], raw: bytes, code: str, words: tuple[str, ...]
) -> None:
    for url in (
        f"{CASES}/wage-arrears",
        f"{CASES}/{recorded['case_id']}/actions/record_payment",
    ):
        response = await stack.http.post(
            url, content=raw, headers={"Content-Type": "application/json"}
        )
        assert_error(response, 422, code, *words)


@pytest.mark.parametrize("query", ["status=%00", "county_code=%ff", "status=%ed%a0%80"])
async def test_a_query_string_with_invalid_text_is_422(stack: Stack, query: str) -> None:
    response = await stack.http.get(f"{CASES}?{query}")
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] in {"invalid_text", "invalid_encoding"}


@pytest.mark.parametrize("path", [CASES, "/api/v1/sla"])
@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59"])
async def test_an_instant_outside_the_calendar_in_utc_is_422(
    stack: Stack, path: str, instant: str
) -> None:
    response = await stack.http.get(path, params={"due_before": instant})
    assert_error(response, 422, "invalid_input")
    assert "outside years 1 to 9999" in response.text


@pytest.mark.parametrize("path", [CASES, "/api/v1/sla"])
async def test_an_offset_past_any_page_is_422(stack: Stack, path: str) -> None:
    response = await stack.http.get(path, params={"offset": 2**63})
    assert_error(response, 422, "invalid_input")
