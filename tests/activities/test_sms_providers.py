"""The SMS adapters against loopback servers that implement the provider's documented request
and check its signature: Tencent Cloud SMS (SendSms 2021-01-11, TC3-HMAC-SHA256) through its
official SDK, and the plain HTTP gateway (HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from activities.channels import Refused
from activities.channels.sms import HttpGatewaySms, TencentSms
from core.settings import Settings
from tests.receivers import SMS_SECRET, HttpReceiver, SmsGateway, running

SECRET_ID = "AKIDtestsecretid"
SECRET_KEY = "tencent-secret-key-for-tests"


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


class TencentSmsServer(HttpReceiver):
    """Checks TC3-HMAC-SHA256 as Tencent Cloud documents it, answers as SendSms does."""

    def verify(self, body: bytes, headers: dict[str, str]) -> None:
        auth = headers["authorization"]
        algorithm, rest = auth.split(" ", 1)
        assert algorithm == "TC3-HMAC-SHA256"
        fields = dict(part.strip().split("=", 1) for part in rest.split(","))
        secret_id, date, service, _ = fields["Credential"].split("/")
        assert secret_id == SECRET_ID and service == "sms"
        stamp = headers["x-tc-timestamp"]
        assert datetime.fromtimestamp(int(stamp), UTC).strftime("%Y-%m-%d") == date
        signed = fields["SignedHeaders"].split(";")
        canonical_headers = "".join(f"{h}:{headers[h].lower()}\n" for h in signed)
        canonical = "\n".join(
            [
                "POST",
                "/",
                "",
                canonical_headers,
                fields["SignedHeaders"],
                hashlib.sha256(body).hexdigest(),
            ]
        )
        scope = f"{date}/{service}/tc3_request"
        to_sign = "\n".join(
            ["TC3-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
        )
        key = _hmac(_hmac(_hmac(("TC3" + SECRET_KEY).encode(), date), service), "tc3_request")
        want = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, fields["Signature"]):
            raise ValueError("signature mismatch")
        assert headers["x-tc-action"] == "SendSms" and headers["x-tc-version"] == "2021-01-11"

    def answer(self, status: int) -> bytes:
        request: dict[str, Any] = json.loads(self.requests[-1]["body"]) if self.requests else {}
        return json.dumps(
            {
                "Response": {
                    "SendStatusSet": [
                        {
                            "SerialNo": "2640:1234567890",
                            "PhoneNumber": request.get("PhoneNumberSet", [""])[0],
                            "Fee": 1,
                            "SessionContext": request.get("SessionContext", ""),
                            "Code": "Ok",
                            "Message": "send success",
                            "IsoCode": "CN",
                        }
                    ],
                    "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279",
                }
            }
        ).encode()


async def test_tencent_cloud_sms_sends_a_signed_sendsms_through_the_official_sdk() -> None:
    with running(TencentSmsServer()) as server:
        settings = Settings(
            sms_provider="tencent",
            sms_endpoint=f"http://127.0.0.1:{server.port}",
            sms_key_id=SECRET_ID,
            sms_key_secret=SECRET_KEY,
            sms_app_id="1400000001",
            sms_sign_name="太原人社",
            sms_template_id="2000001",
        )
        serial = await TencentSms(settings).send(
            "13900000001", "WA-2026-000001", "案件已受理。", "WA-2026-000001:k|sms|worker:1"
        )
    assert not server.refused, server.refused
    assert serial == "2640:1234567890"
    [request] = server.requests
    body = json.loads(request["body"])
    assert body["PhoneNumberSet"] == ["+8613900000001"]
    assert body["TemplateParamSet"] == ["WA-2026-000001", "案件已受理。"]
    assert body["SmsSdkAppId"] == "1400000001" and body["TemplateId"] == "2000001"
    assert body["SessionContext"] == "WA-2026-000001:k|sms|worker:1"


async def test_the_http_gateway_signs_and_keys_each_message() -> None:
    with running(SmsGateway()) as gateway:
        settings = Settings(
            sms_provider="http", sms_endpoint=gateway.url, sms_key_secret=SMS_SECRET
        )
        sms = HttpGatewaySms(settings)
        await sms.send("13900000001", "WA-2026-000001", "案件已受理。", "key-1")
        await sms.send("13900000001", "WA-2026-000001", "案件已受理。", "key-1")
    assert not gateway.refused
    assert len(gateway.requests) == 2 and len(gateway.processed_ids("idempotency-key")) == 1


async def test_a_gateway_refusing_the_request_is_not_retried() -> None:
    with running(SmsGateway(statuses=[400])) as gateway:
        settings = Settings(
            sms_provider="http", sms_endpoint=gateway.url, sms_key_secret=SMS_SECRET
        )
        with pytest.raises(Refused):
            await HttpGatewaySms(settings).send("13900000001", "WA-2026-000001", "x", "key-2")
