"""The payload codec: personal data is AES-GCM ciphertext in Temporal, keys rotate."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import ActivitySerializationContext, WorkflowSerializationContext
from temporalio.exceptions import ApplicationError

from core.codec import (
    CASE_ID_METADATA,
    ENCODING,
    KEY_ID_METADATA,
    REFUSED_ENCODING,
    EncryptionCodec,
    PayloadDecryptionError,
    PayloadKeyError,
    case_id_of,
    generate_key_spec,
    keys_from_settings,
    parse_keys,
)
from core.settings import Settings
from core.temporal import data_converter
from devstack.keys import embedded_key_file
from domain.wage_arrears.models import WageArrearsIntake
from tests.factories import intake

HISTORIES = Path(__file__).parents[1] / "workflows" / "histories"
OLD = generate_key_spec("2026-01")
NEW = generate_key_spec("2026-07")


def settings(**values: object) -> Settings:
    # Explicit, so a PAYLOAD_KEYS in the test process's environment cannot leak in.
    values.setdefault("payload_keys", None)
    values.setdefault("payload_key_file", None)
    return Settings(**values)  # type: ignore[arg-type]


def codec(spec: str) -> EncryptionCodec:
    return EncryptionCodec(parse_keys(spec))


def plain(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(text).encode())


async def test_round_trip_restores_payload_and_metadata() -> None:
    c = codec(NEW)
    original = plain("王某 140105199001010016 13900000001")
    [sealed] = await c.encode([original])
    assert sealed.metadata["encoding"] == ENCODING
    assert sealed.metadata[KEY_ID_METADATA] == b"2026-07"
    assert b"13900000001" not in sealed.SerializeToString()
    assert "王某".encode() not in sealed.SerializeToString()
    assert await c.decode([sealed]) == [original]


async def test_fresh_nonce_per_payload() -> None:
    c = codec(NEW)
    first, second = await c.encode([plain("same"), plain("same")])
    assert first.data != second.data
    assert first.data[:12] != second.data[:12]


async def test_rotation_old_payloads_still_decrypt_new_ones_use_new_key() -> None:
    before = codec(OLD)
    [old_sealed] = await before.encode([plain("before rotation")])

    after = codec(f"{NEW},{OLD}")  # the new key first: it encrypts; the old one still decrypts
    assert await after.decode([old_sealed]) == [plain("before rotation")]
    [new_sealed] = await after.encode([plain("after rotation")])
    assert new_sealed.metadata[KEY_ID_METADATA] == b"2026-07"
    # A process still on the old keys only cannot read it: rotate every process together.
    with pytest.raises(PayloadDecryptionError, match="'2026-07', which is not configured"):
        await before.decode([new_sealed])


async def test_unknown_key_id_is_a_clear_error() -> None:
    [sealed] = await codec(OLD).encode([plain("x")])
    with pytest.raises(PayloadDecryptionError, match=r"key id '2026-01'.*configured: 2026-07"):
        await codec(NEW).decode([sealed])


@pytest.mark.parametrize("where", ["nonce", "ciphertext", "tag"])
async def test_tampered_ciphertext_fails(where: str) -> None:
    c = codec(NEW)
    [sealed] = await c.encode([plain("amount owed 3000.00")])
    data = bytearray(sealed.data)
    index = {"nonce": 0, "ciphertext": 12, "tag": len(data) - 1}[where]
    data[index] ^= 0x01
    tampered = Payload(metadata=dict(sealed.metadata), data=bytes(data))
    with pytest.raises(PayloadDecryptionError, match="failed authentication"):
        await c.decode([tampered])


async def test_same_key_id_with_another_key_fails_authentication() -> None:
    [sealed] = await codec(NEW).encode([plain("x")])
    impostor = codec(generate_key_spec("2026-07"))
    with pytest.raises(PayloadDecryptionError, match="failed authentication"):
        await impostor.decode([sealed])


async def test_relabelled_key_id_fails_authentication() -> None:
    # The key id is bound in as associated data: moving a payload to another id is caught.
    both = codec(f"{NEW},{OLD}")
    [sealed] = await both.encode([plain("x")])
    relabelled = Payload(
        metadata={"encoding": ENCODING, KEY_ID_METADATA: b"2026-01"}, data=sealed.data
    )
    with pytest.raises(PayloadDecryptionError, match="failed authentication"):
        await both.decode([relabelled])


async def test_unmarked_payloads_are_refused() -> None:
    # What the API did not seal (`temporal workflow update execute --input '{...}'`) is refused.
    with pytest.raises(PayloadDecryptionError, match="unencrypted payloads are refused"):
        await codec(NEW).decode([plain("typed at the Temporal frontend")])


async def test_a_worker_turns_untrusted_payloads_into_refusals_not_errors() -> None:
    # Raising in a worker's decode would fail the workflow task for ever; a refused payload
    # instead fails the handler's argument conversion with a typed refusal.
    worker = EncryptionCodec(parse_keys(NEW), refuse_untrusted=True)
    forged = [plain("forged"), (await codec(OLD).encode([plain("another key")]))[0]]
    decoded = await worker.decode(forged)
    assert all(p.metadata["encoding"] == REFUSED_ENCODING for p in decoded)
    converter = data_converter(settings(payload_keys=NEW), worker=True).payload_converter
    with pytest.raises(ApplicationError) as refused:
        converter.from_payloads(decoded[:1], [str])
    assert refused.value.type == "Forbidden"
    assert refused.value.non_retryable


async def test_recorded_plaintext_history_payloads_decode_unchanged_for_the_replayer() -> None:
    path = sorted(HISTORIES.glob("*.json"))[0]
    history = WorkflowHistory.from_json(path.stem.split(".")[0], path.read_text())
    started = history.events[0].workflow_execution_started_event_attributes
    payloads = list(started.input.payloads)
    assert payloads and all(p.metadata["encoding"] != ENCODING for p in payloads)
    replayer = EncryptionCodec(parse_keys(NEW), accept_plaintext=True)
    assert await replayer.decode(payloads) == payloads


async def test_payloads_are_bound_to_their_case() -> None:
    bound = codec(NEW).with_context(WorkflowSerializationContext("default", "WA-2026-000001"))
    (sealed,) = await bound.encode([plain("a payment of WA-2026-000001")])
    assert case_id_of(sealed) == "WA-2026-000001"
    assert await codec(NEW).decode([sealed]) == [plain("a payment of WA-2026-000001")]
    moved = Payload()
    moved.CopyFrom(sealed)
    moved.metadata[CASE_ID_METADATA] = b"WA-2026-000002"
    with pytest.raises(PayloadDecryptionError, match="failed authentication"):
        await codec(NEW).decode([moved])


def test_activity_payloads_carry_their_workflow() -> None:
    context = ActivitySerializationContext(
        namespace="default",
        activity_id="1",
        activity_type="sync_case",
        activity_task_queue="q",
        workflow_id="MA-2026-000003",
        workflow_type="DisputeWorkflow",
        is_local=False,
    )
    sealed = codec(NEW).with_context(context).encrypt(plain("x"))
    assert case_id_of(sealed) == "MA-2026-000003"


async def test_data_converter_encrypts_pydantic_models() -> None:
    converter = data_converter(settings(payload_keys=NEW))
    model = WageArrearsIntake.model_validate(intake())
    [payload] = await converter.encode([model])
    assert payload.metadata["encoding"] == ENCODING
    worker = intake()["workers"][0]
    for secret in (worker["name"], worker["id_number"], worker["mobile"]):
        assert secret.encode() not in payload.SerializeToString()
    [back] = await converter.decode([payload], [WageArrearsIntake])
    assert back == model
    # The plain pydantic converter (no codec) cannot read it: the codec is really in the chain.
    with pytest.raises(Exception):  # noqa: B017
        await pydantic_data_converter.decode([payload], [WageArrearsIntake])


# --- keys from settings -------------------------------------------------------------


def test_first_key_encrypts_every_key_decrypts() -> None:
    keys = keys_from_settings(settings(payload_keys=f"{NEW}, {OLD}"))
    assert [k.key_id for k in keys] == ["2026-07", "2026-01"]
    assert EncryptionCodec(keys).encrypting_key_id == "2026-07"


def test_key_file_with_comments_and_lines(tmp_path: Path) -> None:
    path = tmp_path / "payload-keys"
    path.write_text(f"# newest first\n{NEW}\n{OLD}  # retired 2026-07\n")
    keys = keys_from_settings(settings(payload_key_file=path))
    assert [k.key_id for k in keys] == ["2026-07", "2026-01"]


def test_no_key_is_a_start_up_error_not_plaintext() -> None:
    with pytest.raises(PayloadKeyError, match="no payload encryption key configured"):
        data_converter(settings())


def test_missing_key_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(PayloadKeyError, match="PAYLOAD_KEY_FILE .*missing"):
        keys_from_settings(settings(payload_key_file=tmp_path / "missing"))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("k1", "`id:base64key`"),
        ("bad id:" + base64.b64encode(b"x" * 32).decode(), "`id:base64key`"),
        ("k1:not-base64!", "not valid base64"),
        ("k1:" + base64.b64encode(b"short").decode(), "5 bytes; AES-256 needs 32"),
        (f"{NEW},{NEW}", "appears twice"),
    ],
)
def test_malformed_keys_are_refused(spec: str, message: str) -> None:
    with pytest.raises(PayloadKeyError, match=message):
        parse_keys(spec)


def test_keys_never_in_repr_or_settings_repr() -> None:
    keys = parse_keys(NEW)
    secret = NEW.split(":", 1)[1]
    assert secret not in repr(keys)
    assert secret not in repr(settings(payload_keys=NEW))


# --- the embedded stack's key ------------------------------------------------------


def test_embedded_stack_makes_its_key_once_and_reuses_it(tmp_path: Path) -> None:
    local = settings(var_dir=tmp_path / "var")
    path = embedded_key_file(local)
    assert path == (tmp_path / "var" / "payload-keys").resolve()
    assert path.stat().st_mode & 0o777 == 0o600
    first = path.read_text()
    [key] = keys_from_settings(settings(payload_key_file=path))
    assert key.key_id == "local-1"
    # A second start reuses it: the persisted history needs the same key.
    assert embedded_key_file(local) == path
    assert path.read_text() == first


def test_embedded_stack_leaves_configured_keys_alone(tmp_path: Path) -> None:
    assert embedded_key_file(settings(var_dir=tmp_path, payload_keys=NEW)) is None
    assert not (tmp_path / "payload-keys").exists()
    # An empty PAYLOAD_KEYS is no key at all.
    assert embedded_key_file(settings(var_dir=tmp_path, payload_keys="")) is not None


def test_embedded_stack_refuses_a_broken_key_file(tmp_path: Path) -> None:
    (tmp_path / "payload-keys").write_text("local-1:not-base64!\n")
    with pytest.raises(PayloadKeyError, match="not valid base64"):
        embedded_key_file(settings(var_dir=tmp_path))
