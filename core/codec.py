"""Payload encryption: what Temporal stores and shows is AES-GCM ciphertext.

Every payload (workflow inputs, update arguments, results, query answers, activity inputs)
is serialised whole, metadata included, and sealed with AES-256-GCM under a fresh random
nonce; the key id travels in the payload's metadata, so several keys can be accepted at
once and rotated: the first configured key encrypts, any configured key decrypts.

Each payload is bound to its case: the workflow id of the serialization context (the case id,
never personal data) travels in the metadata under `case-id` and is part of the associated
data, so a ciphertext cannot be moved to another case's metadata, and the codec endpoint can
decode only the payloads of the caller's cases.

What the API did not seal is refused: a payload without the encryption marker, with an unknown
key or one that fails authentication. A client (the API) raises on it; a worker instead turns
it into a *refused* payload (`binary/refused`), which the payload converter refuses with a
typed `Forbidden` error when a handler's arguments are converted, so a forged update is
rejected and a forged signal dropped, instead of failing the workflow task over and over.
Histories recorded before encryption replay only with `accept_plaintext` (the replayer).

Search attributes never pass through a codec: they hold no personal data (DESIGN.md).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import PydanticPayloadConverter
from temporalio.converter import (
    EncodingPayloadConverter,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
)
from temporalio.exceptions import ApplicationError

from core.settings import Settings

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
CASE_ID_METADATA = "case-id"
REFUSED_ENCODING = b"binary/refused"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # GCM's standard nonce; random per payload, never reused with a key

_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class PayloadKeyError(ValueError):
    """The payload keys are missing or malformed; the process must not start."""


class PayloadDecryptionError(Exception):
    """A payload cannot be decrypted: unknown key id, or it was altered."""


@dataclass(frozen=True)
class PayloadKey:
    key_id: str
    key: bytes = b""

    def __repr__(self) -> str:
        # Never the key itself, not even in a traceback.
        return f"PayloadKey(key_id={self.key_id!r})"


def generate_key_spec(key_id: str = "k1") -> str:
    """A fresh key in the configuration format, `id:base64key`."""
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"


def parse_keys(spec: str, source: str = "PAYLOAD_KEYS") -> list[PayloadKey]:
    """`id:base64key` entries separated by commas or new lines; `#` starts a comment."""
    keys: list[PayloadKey] = []
    entries = [
        entry.strip()
        for line in spec.splitlines()
        for entry in line.split("#", 1)[0].split(",")
        if entry.strip()
    ]
    for entry in entries:
        key_id, sep, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not _KEY_ID.match(key_id):
            raise PayloadKeyError(
                f"{source}: each key is `id:base64key` with an id of letters, digits, "
                f"'.', '_' or '-' (got an entry starting {entry[:8]!r})"
            )
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise PayloadKeyError(f"{source}: key {key_id!r} is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise PayloadKeyError(
                f"{source}: key {key_id!r} is {len(key)} bytes; AES-256 needs {KEY_BYTES}"
            )
        if any(existing.key_id == key_id for existing in keys):
            raise PayloadKeyError(f"{source}: key id {key_id!r} appears twice")
        keys.append(PayloadKey(key_id, key))
    return keys


def keys_from_settings(settings: Settings) -> list[PayloadKey]:
    """PAYLOAD_KEYS first, then PAYLOAD_KEY_FILE; an empty result is a start-up error.

    There is no plaintext fallback: a process that forgot its key would otherwise write
    personal data into Temporal in the clear, for good.
    """
    keys: list[PayloadKey] = []
    if settings.payload_keys is not None:
        keys += parse_keys(settings.payload_keys.get_secret_value(), "PAYLOAD_KEYS")
    if settings.payload_key_file is not None:
        path = Path(settings.payload_key_file)
        try:
            text = path.read_text()
        except OSError as err:
            raise PayloadKeyError(f"PAYLOAD_KEY_FILE {path}: {err.strerror or err}") from None
        for key in parse_keys(text, f"PAYLOAD_KEY_FILE {path}"):
            if any(existing.key_id == key.key_id for existing in keys):
                raise PayloadKeyError(f"key id {key.key_id!r} is in both PAYLOAD_KEYS and file")
            keys.append(key)
    if not keys:
        raise PayloadKeyError(
            "no payload encryption key configured: set PAYLOAD_KEYS (`id:base64key`, "
            "comma-separated, the first encrypts) or PAYLOAD_KEY_FILE; make one with "
            "`python -c 'from core.codec import generate_key_spec; print(generate_key_spec())'`"
        )
    return keys


def case_id_of(payload: Payload) -> str | None:
    """The case an encrypted payload belongs to, as its metadata says (authenticated on
    decryption); None for a payload sealed without a workflow context."""
    raw = payload.metadata.get(CASE_ID_METADATA)
    return raw.decode(errors="replace") if raw else None


def _associated_data(key_id: str, case_id: str | None) -> bytes:
    # Payloads sealed before case binding have the key id alone as associated data.
    return key_id.encode() if not case_id else key_id.encode() + b"\x00" + case_id.encode()


class EncryptionCodec(PayloadCodec, WithSerializationContext):
    """AES-256-GCM over each whole payload; the key id and the case id are associated data.

    `refuse_untrusted`: the worker's mode; an untrusted payload decodes to a refused payload
    instead of raising (see the module's docstring). `accept_plaintext`: only for replaying
    histories recorded before encryption.
    """

    def __init__(
        self,
        keys: Sequence[PayloadKey],
        *,
        accept_plaintext: bool = False,
        refuse_untrusted: bool = False,
        case_id: str | None = None,
    ) -> None:
        if not keys:
            raise PayloadKeyError("EncryptionCodec needs at least one key")
        self._keys = list(keys)
        self._encrypting = keys[0]
        self._ciphers = {key.key_id: AESGCM(key.key) for key in keys}
        self._accept_plaintext = accept_plaintext
        self._refuse_untrusted = refuse_untrusted
        self._case_id = case_id

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> EncryptionCodec:
        return cls(keys_from_settings(settings), **options)

    def with_context(self, context: SerializationContext) -> EncryptionCodec:
        """The same keys, sealing for the workflow (case) the context names."""
        case_id = getattr(context, "workflow_id", None)
        if case_id == self._case_id:
            return self
        return EncryptionCodec(
            self._keys,
            accept_plaintext=self._accept_plaintext,
            refuse_untrusted=self._refuse_untrusted,
            case_id=case_id,
        )

    @property
    def encrypting_key_id(self) -> str:
        return self._encrypting.key_id

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._decode_one(payload) for payload in payloads]

    def _decode_one(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") == REFUSED_ENCODING:
            return payload
        try:
            return self.decrypt(payload)
        except PayloadDecryptionError as err:
            if not self._refuse_untrusted:
                raise
            return Payload(metadata={"encoding": REFUSED_ENCODING}, data=str(err).encode())

    def encrypt(self, payload: Payload, case_id: str | None = None) -> Payload:
        key_id = self._encrypting.key_id
        case_id = case_id or self._case_id
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[key_id].encrypt(
            nonce, payload.SerializeToString(), _associated_data(key_id, case_id)
        )
        metadata = {"encoding": ENCODING, KEY_ID_METADATA: key_id.encode()}
        if case_id:
            metadata[CASE_ID_METADATA] = case_id.encode()
        return Payload(metadata=metadata, data=nonce + sealed)

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            if self._accept_plaintext:
                # Recorded before encryption: nothing to undo.
                return payload
            raise PayloadDecryptionError(
                "payload is not sealed by the API or a worker: unencrypted payloads are refused"
            )
        key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            known = ", ".join(sorted(self._ciphers))
            raise PayloadDecryptionError(
                f"payload was encrypted with key id {key_id!r}, which is not configured "
                f"(configured: {known}); add that key to PAYLOAD_KEYS"
            )
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            plain = cipher.decrypt(nonce, sealed, _associated_data(key_id, case_id_of(payload)))
        except InvalidTag:
            raise PayloadDecryptionError(
                f"payload encrypted with key {key_id!r} failed authentication: it was "
                "altered, or the key with that id is not the one that encrypted it"
            ) from None
        return Payload.FromString(plain)


class RefusedPayloadConverter(EncodingPayloadConverter):
    """Converts nothing: a refused payload becomes a typed refusal when a handler reads it."""

    @property
    def encoding(self) -> str:
        return REFUSED_ENCODING.decode()

    def to_payload(self, value: Any) -> Payload | None:
        return None

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        raise ApplicationError(
            f"payload refused: {payload.data.decode(errors='replace')}",
            type="Forbidden",
            non_retryable=True,
        )


class CasePayloadConverter(PydanticPayloadConverter):
    """Pydantic models to JSON, and refused payloads to typed refusals."""

    def __init__(self) -> None:
        super().__init__()
        self._set_converters(RefusedPayloadConverter(), *self.converters.values())
