"""Email over SMTP (aiosmtplib), or into the mail drop in the embedded stack."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from activities.channels import Refused
from activities.channels.maildrop import drop_email
from core.settings import Settings


def message(settings: Settings, to: str, subject: str, body: str, message_id: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    # The same id on every retry of the delivery: a receiving system may drop the repeat.
    msg["Message-ID"] = f"<{message_id}@labour-cases>"
    msg.set_content(body)
    return msg


async def send_email(settings: Settings, key: str, msg: EmailMessage) -> str:
    if settings.notify_email == "maildrop":
        return drop_email(settings.maildrop, key, msg)
    if settings.notify_email != "smtp":
        raise Refused("email is off")
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    response = await aiosmtplib.send(
        msg,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=password,
        use_tls=settings.smtp_security == "tls",
        start_tls=True if settings.smtp_security == "starttls" else False,
        timeout=settings.smtp_timeout,
    )
    return str(response[1])[:200]
