"""Real receivers on loopback for the delivery tests: an SMTP server (aiosmtpd), a Standard
Webhooks receiver that verifies signatures, an SMS gateway that checks its HMAC signature.

The HTTP receivers run on threads (stdlib `http.server`), so they answer whatever the test's
event loop is doing; each answers with the statuses it is told to, in turn, then 200.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from standardwebhooks.webhooks import Webhook

WEBHOOK_SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # base64 of 24 bytes
SMS_SECRET = "gateway-secret-for-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(
            message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        )
        return "250 OK"


@dataclass
class SmtpServer:
    port: int
    handler: _Inbox = field(default_factory=_Inbox)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[Message]:
        return self.handler.messages


@dataclass
class HttpReceiver:
    """Records each request; `statuses` are answered first, in turn, then 200.

    `verify` decides whether a request is authentic; `hold` keeps a request waiting (the
    worker may be killed meanwhile) until released."""

    statuses: list[int] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    hold: threading.Event | None = None
    held: threading.Event = field(default_factory=threading.Event)
    port: int = 0
    server: ThreadingHTTPServer | None = None

    def verify(self, body: bytes, headers: dict[str, str]) -> None:
        raise NotImplementedError

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    receiver.verify(body, headers)
                except Exception as exc:
                    receiver.refused.append(str(exc))
                    self._answer(401)
                    return
                receiver.requests.append({"path": self.path, "headers": headers, "body": body})
                if receiver.hold is not None and not receiver.hold.is_set():
                    receiver.held.set()
                    receiver.hold.wait(60)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self._answer(status)

            def _answer(self, status: int) -> None:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(receiver.answer(status))

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, status: int) -> bytes:
        return b"{}"

    def stop(self) -> None:
        if self.hold is not None:
            self.hold.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def processed_ids(self, header: str) -> list[str]:
        """Ids a receiver honouring the key processes: each once, and only when answered 2xx."""
        return sorted({r["headers"][header] for r in self.requests})


class WebhookReceiver(HttpReceiver):
    def verify(self, body: bytes, headers: dict[str, str]) -> None:
        # The scheme's own verification: id, timestamp (within 5 minutes) and signature.
        Webhook(WEBHOOK_SECRET).verify(body, headers)


class SmsGateway(HttpReceiver):
    def verify(self, body: bytes, headers: dict[str, str]) -> None:
        stamp = headers["x-timestamp"].encode()
        want = hmac.new(SMS_SECRET.encode(), stamp + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(headers["x-signature"], "sha256=" + want):
            raise ValueError("bad signature")
        json.loads(body)


@contextmanager
def running(receiver: HttpReceiver) -> Iterator[HttpReceiver]:
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()
