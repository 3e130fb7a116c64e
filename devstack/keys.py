"""The embedded stack's payload key: made on first start under var/, reused after.

Only for the stack on loopback; a process pointed at a real cluster must be given its keys
(PAYLOAD_KEYS or PAYLOAD_KEY_FILE) and refuses to start without them.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.codec import generate_key_spec, parse_keys
from core.settings import Settings

KEY_FILE_NAME = "payload-keys"


def embedded_key_file(settings: Settings) -> Path | None:
    """The key file to hand to the children, or None when keys are configured already.

    The file is created once, readable by its owner only; losing it makes the persisted
    Temporal history of the embedded stack unreadable, so it is never overwritten.
    """
    configured = settings.payload_keys is not None and settings.payload_keys.get_secret_value()
    if configured or settings.payload_key_file is not None:
        return None
    path = (settings.var_dir / KEY_FILE_NAME).resolve()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        text = (
            "# Payload encryption keys of the embedded stack (`id:base64key`, first encrypts).\n"
            "# Generated on first start; Temporal's history in this directory needs it.\n"
            f"{generate_key_spec('local-1')}\n"
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)
    # Fail here, with the file named, rather than in every child.
    parse_keys(path.read_text(), f"PAYLOAD_KEY_FILE {path}")
    return path


def export_embedded_key(settings: Settings) -> Settings:
    """Puts the embedded key file into the environment the children inherit."""
    path = embedded_key_file(settings)
    if path is None:
        return settings
    os.environ["PAYLOAD_KEY_FILE"] = str(path)
    return settings.model_copy(update={"payload_key_file": path})
