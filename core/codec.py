"""Payload encryption: what Temporal stores and shows is AES-GCM ciphertext.

Every payload (workflow inputs, update arguments, results, query answers, activity inputs)
is serialised whole, metadata included, and sealed with AES-256-GCM under a fresh random
nonce; the key id travels in the payload's metadata, so several keys can be accepted at
once and rotated: the first configured key encrypts, any configured key decrypts.

Payloads without the encryption marker pass through decoding unchanged, so histories
recorded before encryption still replay and still render.

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

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from core.settings import Settings

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
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


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM over each whole payload; the key id is bound in as associated data."""

    def __init__(self, keys: Sequence[PayloadKey]) -> None:
        if not keys:
            raise PayloadKeyError("EncryptionCodec needs at least one key")
        self._encrypting = keys[0]
        self._ciphers = {key.key_id: AESGCM(key.key) for key in keys}

    @classmethod
    def from_settings(cls, settings: Settings) -> EncryptionCodec:
        return cls(keys_from_settings(settings))

    @property
    def encrypting_key_id(self) -> str:
        return self._encrypting.key_id

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(payload) for payload in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        key_id = self._encrypting.key_id
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[key_id].encrypt(nonce, payload.SerializeToString(), key_id.encode())
        return Payload(
            metadata={"encoding": ENCODING, KEY_ID_METADATA: key_id.encode()},
            data=nonce + sealed,
        )

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            # Recorded before encryption (or never encrypted): nothing to undo.
            return payload
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
            plain = cipher.decrypt(nonce, sealed, key_id.encode())
        except InvalidTag:
            raise PayloadDecryptionError(
                f"payload encrypted with key {key_id!r} failed authentication: it was "
                "altered, or the key with that id is not the one that encrypted it"
            ) from None
        return Payload.FromString(plain)
