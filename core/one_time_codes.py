"""One-time codes for the worker's window (docs/worker-window.md, PUB-1).

A code is never stored and never travels through the outbox or a workflow's history: it is
derived from the challenge's random id with a secret of the deployment, once by the API (to
keep its HMAC) and once by the SMS activity (to put it in the text). The secret is derived
from the first payload key (PAYLOAD_KEYS), which both the API and the worker hold; the same
secret keys the HMAC of a mobile number, so a stored hash cannot be reversed by trying every
number.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from temporalio.api.common.v1 import Payload

from core.codec import EncryptionCodec, keys_from_settings
from core.settings import Settings

CODE_DIGITS = 6


@lru_cache(maxsize=4)
def _secret_for(key: bytes) -> bytes:
    return hashlib.sha256(b"labour-cases/worker-window/v1\x00" + key).digest()


def secret(settings: Settings) -> bytes:
    return _secret_for(keys_from_settings(settings)[0].key)


def _mac(key: bytes, *parts: str) -> str:
    return hmac.new(key, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()


def code_for(key: bytes, challenge_id: str) -> str:
    """The challenge's 6-digit code."""
    number = int(_mac(key, "code", challenge_id)[:15], 16) % 10**CODE_DIGITS
    return f"{number:0{CODE_DIGITS}d}"


def code_hash(key: bytes, challenge_id: str, code: str) -> str:
    return _mac(key, "check", challenge_id, code)


def matches(key: bytes, challenge_id: str, stored_hash: str, code: str) -> bool:
    return hmac.compare_digest(code_hash(key, challenge_id, code), stored_hash)


def mobile_hash(key: bytes, mobile: str) -> str:
    return _mac(key, "mobile", mobile)


def subject_hash(key: bytes, value: str) -> str:
    """What a rate limit counts a mobile or a case number by: never the value itself."""
    return _mac(key, "limit", value)[:32]


def seal_mobile(settings: Settings, case_id: str, mobile: str) -> str:
    """A mobile sealed for storage (PUB-7) as payloads are: AES-256-GCM, bound to its case."""
    codec = EncryptionCodec.from_settings(settings)
    sealed = codec.encrypt(
        Payload(metadata={"encoding": b"binary/plain"}, data=mobile.encode()), case_id
    )
    return base64.b64encode(sealed.SerializeToString()).decode()


def unseal_mobile(settings: Settings, sealed: str) -> str:
    codec = EncryptionCodec.from_settings(settings)
    payload = codec.decrypt(Payload.FromString(base64.b64decode(sealed)))
    return payload.data.decode()


def mobiles_on_file(
    settings: Settings, written: dict[int, str], confirmed: dict[int, str]
) -> dict[int, str]:
    """Each worker's mobile: the one in the case's intake, unless staff confirmed a new one."""
    return {**written, **{n: unseal_mobile(settings, s) for n, s in confirmed.items()}}
