"""Payloads as the codec endpoint receives them, each carrying its case's id.

The payload codec (core/codec.py) seals the case id (the workflow id) into each payload's
metadata under `case-id`, authenticated with the ciphertext; the codec endpoint decodes a
payload only for users of that case's counties. These helpers make such payloads whatever
the codec of this build does: with `encrypt(payload, case_id=...)` where it takes one,
otherwise by adding the metadata to what it sealed.
"""

from __future__ import annotations

import base64
import inspect
from typing import Any

from temporalio.api.common.v1 import Payload

from core.codec import EncryptionCodec
from tests.e2e.conftest import Stack

CASE_ID = "case-id"


def codec_of(stack: Stack) -> EncryptionCodec:
    codec = stack.client.data_converter.payload_codec
    assert isinstance(codec, EncryptionCodec)
    return codec


def seal(stack: Stack, case_id: str, data: bytes = b'"x"') -> Payload:
    codec = codec_of(stack)
    plain = Payload(metadata={"encoding": b"json/plain"}, data=data)
    if "case_id" in inspect.signature(codec.encrypt).parameters:
        sealed: Payload = codec.encrypt(plain, case_id=case_id)  # type: ignore[call-arg]
        return sealed
    return for_case(codec.encrypt(plain), case_id)


def for_case(payload: Payload, case_id: str) -> Payload:
    """`payload` naming its case, if the codec did not put the case id in already."""
    if CASE_ID in payload.metadata:
        return payload
    named = Payload()
    named.CopyFrom(payload)
    named.metadata[CASE_ID] = case_id.encode()
    return named


def body(payloads: list[Payload]) -> dict[str, Any]:
    return {
        "payloads": [
            {
                "metadata": {k: base64.b64encode(v).decode() for k, v in p.metadata.items()},
                "data": base64.b64encode(p.data).decode(),
            }
            for p in payloads
        ]
    }
