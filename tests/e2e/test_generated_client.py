"""A client generated from the OpenAPI document by a real generator (openapi-python-client)
walks the README's tour: open a case, record and confirm a payment, be refused a police
referral with its rule, read the case and its history. Every call is typed: the action
bodies are the document's own models, and an idempotent replay parses like the first
answer."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from domain.common import Role
from tests import factories as f
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

PACKAGE = "labour_cases_client"


@pytest.fixture
async def generated(stack: Stack, tmp_path: Path) -> AsyncIterator[ModuleType]:
    spec = tmp_path / "openapi.json"
    spec.write_text((await stack.http.get("/openapi.json")).text, "utf-8")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"package_name_override": PACKAGE, "post_hooks": []}), "utf-8")
    generator = Path(sys.executable).with_name("openapi-python-client")
    done = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(spec),
            "--config",
            str(config),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # The generator says what it could not type; nothing may be left untyped.
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _module(package: ModuleType, path: str) -> Any:
    return importlib.import_module(f"{package.__name__}.{path}")


async def test_the_readme_walk_through_a_generated_client(
    stack: Stack, generated: ModuleType
) -> None:
    api = lambda path: _module(generated, "api." + path)  # noqa: E731
    models = _module(generated, "models")
    mediator = await stack.login(Role.mediator, counties=["140105"])
    inspector = await stack.login(Role.inspector, counties=["140105"])
    supervisor = await stack.login(Role.supervisor, counties=["140105"])
    token = lambda headers: headers["Authorization"].removeprefix("Bearer ")  # noqa: E731
    client = generated.AuthenticatedClient(base_url=stack.base_url, token=token(mediator))

    body = f.intake(workers=2)
    del body["opened_by"]
    intake = models.WageArrearsIntakeIn.from_dict(body)
    key = f"complaint-{uuid.uuid4().hex[:8]}"
    create = api("cases.create_wage_arrears_case")
    first = await create.asyncio_detailed(client=client, body=intake, idempotency_key=key)
    assert first.status_code == 201, first.content
    case = first.parsed
    assert case.status == "open" and case.severity == "general"
    # Sent again with the same key: the same case, parsed like the first answer.
    again = await create.asyncio_detailed(client=client, body=intake, idempotency_key=key)
    assert again.status_code == 200 and again.parsed is not None
    assert again.parsed.case_id == case.case_id

    today = f.today()
    paid = await api("cases.record_payment").asyncio_detailed(
        case.case_id,
        client=client,
        body=models.WageArrearsRecordPaymentBody(
            reason="employer paid at the bureau", worker_no=1, amount="3000.00", paid_on=today
        ),
    )
    assert paid.status_code == 200, paid.content
    confirmed = await api("cases.confirm_payment").asyncio_detailed(
        case.case_id,
        client=client,
        body=models.WageArrearsConfirmPaymentBody(
            reason="worker signed the receipt", payment_id="P1"
        ),
    )
    assert confirmed.status_code == 200, confirmed.content

    as_inspector = generated.AuthenticatedClient(base_url=stack.base_url, token=token(inspector))
    refused = await api("cases.refer_to_police").asyncio_detailed(
        case.case_id,
        client=as_inspector,
        body=models.WageArrearsReferToPoliceBody(reason="refuses to pay"),
    )
    assert refused.status_code == 409
    error = json.loads(refused.content)["error"]
    assert error["code"] == "action_not_allowed" and "WA-10" in error["message"]

    as_supervisor = generated.AuthenticatedClient(base_url=stack.base_url, token=token(supervisor))
    read = await api("cases.get_case").asyncio(case.case_id, client=as_supervisor)
    assert read.case_id == case.case_id and float(read.totals.paid) == 3000
    history = await api("cases.get_case_history").asyncio(case.case_id, client=as_supervisor)
    whats = [e.what for e in history.events]
    assert "record_payment" in whats and "confirm_payment" in whats
