"""`manage.py maildrop`: what the embedded stack would have emailed and texted, newest first.

python3 manage.py maildrop            the newest 20 messages
python3 manage.py maildrop --all      every one
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from email import message_from_bytes, policy
from pathlib import Path

from core.settings import get_settings


def describe(path: Path) -> str:
    if path.name.endswith(".sms.json"):
        record = json.loads(path.read_text("utf-8"))
        return f"SMS   {record['at'][:19]}  to {record['to']}\n      {record['text']}"
    msg = message_from_bytes(path.read_bytes(), policy=policy.default)
    body = msg.get_body(preferencelist=("plain",))
    text = body.get_content().strip().splitlines()[0] if body is not None else ""
    return f"EMAIL {msg['Date']}  to {msg['To']}\n      {msg['Subject']}\n      {text}"


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="manage.py maildrop", description=__doc__.split("\n")[0])
    parser.add_argument("--all", action="store_true", help="every message, not the newest 20")
    args = parser.parse_args(argv)
    directory = get_settings().maildrop
    files = sorted(
        (p for p in directory.glob("*") if p.suffix in (".eml", ".json")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    if not files:
        print(f"the mail drop ({directory}) is empty", file=sys.stderr)
        return 0
    for path in files if args.all else files[:20]:
        print(describe(path))
    print(f"{len(files)} message(s) in {directory}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
