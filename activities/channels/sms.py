"""SMS to workers through one provider adapter, chosen by `SMS_PROVIDER`.

- `aliyun`: Alibaba Cloud SMS (dysmsapi 2017-05-25, SendSms), its official SDK. `OutId` is the
  delivery key, echoed in delivery receipts; the API does not deduplicate on it.
- `tencent`: Tencent Cloud SMS (2021-01-11, SendSms), its official SDK; `SessionContext` is
  the delivery key, likewise echoed, not deduplicated.
- `http`: a plain HTTP gateway: a JSON POST with an `Idempotency-Key` header and an
  HMAC-SHA256 signature (`X-Signature: sha256=hex(HMAC(secret, timestamp + "." + body))`,
  `X-Timestamp`); a gateway that honours the key sends once whatever the retries.
- `maildrop`: a file under `var/maildrop/` (the embedded default).

The cloud providers send an approved template: `SMS_TEMPLATE_ID` with two parameters, the
case number and the text (Tencent: TemplateParamSet [case, text]; Alibaba: {"case", "text"}).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from activities.channels import Refused
from activities.channels.maildrop import drop_sms
from core.settings import Settings


class SmsProvider(Protocol):
    async def send(self, mobile: str, case_id: str, text: str, key: str) -> str:
        """Sends one SMS; returns the provider's message id. Raises `Refused` or retryably."""
        ...


def _secret(settings: Settings) -> str:
    if settings.sms_key_secret is None:
        raise Refused("SMS_KEY_SECRET is not set")
    return settings.sms_key_secret.get_secret_value()


def _endpoint(settings: Settings, default: str) -> tuple[str, str]:
    """(scheme, host[:port]) of SMS_ENDPOINT, or the provider's public endpoint."""
    if not settings.sms_endpoint:
        return "https", default
    parts = urlsplit(settings.sms_endpoint)
    if parts.scheme and parts.netloc:
        return parts.scheme, parts.netloc
    return "https", settings.sms_endpoint


class MaildropSms:
    def __init__(self, settings: Settings) -> None:
        self._dir = settings.maildrop

    async def send(self, mobile: str, case_id: str, text: str, key: str) -> str:
        return drop_sms(self._dir, key, mobile, case_id, text)


class HttpGatewaySms:
    def __init__(self, settings: Settings) -> None:
        if not settings.sms_endpoint:
            raise Refused("SMS_ENDPOINT is not set for the HTTP gateway")
        self._url = settings.sms_endpoint
        self._secret = _secret(settings).encode()
        self._timeout = settings.notify_http_timeout

    async def send(self, mobile: str, case_id: str, text: str, key: str) -> str:
        body = json.dumps(
            {"to": mobile, "case_id": case_id, "text": text}, ensure_ascii=False
        ).encode()
        stamp = str(int(time.time()))
        signature = hmac.new(self._secret, stamp.encode() + b"." + body, hashlib.sha256)
        idempotency_key = hashlib.sha256(key.encode()).hexdigest()
        headers = {
            "content-type": "application/json",
            "idempotency-key": idempotency_key,
            "x-timestamp": stamp,
            "x-signature": "sha256=" + signature.hexdigest(),
        }
        async with httpx.AsyncClient(timeout=self._timeout) as http:
            response = await http.post(self._url, content=body, headers=headers)
        if 400 <= response.status_code < 500 and response.status_code not in (408, 409, 429):
            raise Refused(f"the SMS gateway refused the message: HTTP {response.status_code}")
        if response.status_code >= 300:
            raise RuntimeError(f"the SMS gateway answered HTTP {response.status_code}")
        return idempotency_key[:16]


class TencentSms:
    def __init__(self, settings: Settings) -> None:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        scheme, host = _endpoint(settings, "sms.tencentcloudapi.com")
        profile = HttpProfile(
            protocol=scheme, endpoint=host, reqTimeout=int(settings.notify_http_timeout)
        )
        self._client = sms_client.SmsClient(
            credential.Credential(settings.sms_key_id, _secret(settings)),
            settings.sms_region,
            ClientProfile(httpProfile=profile),
        )
        self._settings = settings

    def _send(self, mobile: str, case_id: str, text: str, key: str) -> str:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111 import models

        request = models.SendSmsRequest()
        request.PhoneNumberSet = ["+86" + mobile]
        request.SmsSdkAppId = self._settings.sms_app_id
        request.SignName = self._settings.sms_sign_name
        request.TemplateId = self._settings.sms_template_id
        request.TemplateParamSet = [case_id, text]
        request.SessionContext = key[:512]
        try:
            response: Any = self._client.SendSms(request)
        except TencentCloudSDKException as exc:
            code = str(exc.get_code() or "")
            if code.startswith(("AuthFailure", "InvalidParameter", "UnauthorizedOperation")):
                raise Refused(f"Tencent Cloud SMS refused: {code}") from None
            raise RuntimeError(f"Tencent Cloud SMS failed: {code or 'no answer'}") from None
        status = response.SendStatusSet[0]
        if status.Code != "Ok":
            raise RuntimeError(f"Tencent Cloud SMS did not send: {status.Code}")
        return str(status.SerialNo)

    async def send(self, mobile: str, case_id: str, text: str, key: str) -> str:
        return await asyncio.to_thread(self._send, mobile, case_id, text, key)


class AliyunSms:
    def __init__(self, settings: Settings) -> None:
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as openapi

        scheme, host = _endpoint(settings, "dysmsapi.aliyuncs.com")
        config = openapi.Config(
            access_key_id=settings.sms_key_id,
            access_key_secret=_secret(settings),
            endpoint=host,
            protocol=scheme,
            read_timeout=int(settings.notify_http_timeout * 1000),
            connect_timeout=int(settings.notify_http_timeout * 1000),
        )
        self._client = Client(config)
        self._settings = settings

    async def send(self, mobile: str, case_id: str, text: str, key: str) -> str:
        from alibabacloud_dysmsapi20170525 import models

        request = models.SendSmsRequest(
            phone_numbers=mobile,
            sign_name=self._settings.sms_sign_name,
            template_code=self._settings.sms_template_id,
            template_param=json.dumps({"case": case_id, "text": text}, ensure_ascii=False),
            out_id=hashlib.sha256(key.encode()).hexdigest()[:32],
        )
        try:
            response: Any = await self._client.send_sms_async(request)
        except Exception as exc:
            code = str(getattr(exc, "code", "") or type(exc).__name__)
            raise RuntimeError(f"Alibaba Cloud SMS failed: {code}") from None
        body = response.body
        if body.code != "OK":
            if str(body.code).startswith(("isv.", "InvalidAccessKeyId", "SignatureDoesNotMatch")):
                raise Refused(f"Alibaba Cloud SMS refused: {body.code}")
            raise RuntimeError(f"Alibaba Cloud SMS did not send: {body.code}")
        return str(body.biz_id)


def sms_provider(settings: Settings) -> SmsProvider | None:
    """The configured provider, or None when SMS is off."""
    if settings.sms_provider == "off":
        return None
    if settings.sms_provider == "maildrop":
        return MaildropSms(settings)
    if settings.sms_provider == "http":
        return HttpGatewaySms(settings)
    if settings.sms_provider == "tencent":
        return TencentSms(settings)
    return AliyunSms(settings)
