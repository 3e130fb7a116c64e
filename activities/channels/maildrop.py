"""The embedded stack's stand-in for an SMTP server and an SMS provider: each message that
would have been sent is written to a file under `var/maildrop/`, named by its delivery key,
so a retried write leaves one file. `manage.py maildrop` lists them."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from core.logging import mask_text


def _name(key: str, suffix: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:24] + suffix


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def drop_email(directory: Path, key: str, message: EmailMessage) -> str:
    path = directory / _name(key, ".eml")
    _write(path, message.as_bytes())
    return path.name


def drop_sms(directory: Path, key: str, mobile: str, case_id: str, text: str) -> str:
    # The drop is a file on disk: the number is kept masked, as in the logs.
    path = directory / _name(key, ".sms.json")
    record = {
        "to": mask_text(mobile),
        "case_id": case_id,
        "text": text,
        "at": datetime.now(UTC).isoformat(),
    }
    _write(path, json.dumps(record, ensure_ascii=False, indent=1).encode())
    return path.name
