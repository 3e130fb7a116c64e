"""`manage.py create-user | create-token | revoke-token | users`: API users and tokens.

    create-user USER_ID --role ROLE --county CODE [--county CODE ...] [--replace] [--token]
    create-token USER_ID [--label TEXT]
    revoke-token PREFIX
    users

A token's secret is printed once, to stdout, and never stored: keep it, or issue another.
The embedded stack's first start calls `bootstrap_demo_users` to give a new user someone to
be (docs/security.md, "Authentication and roles").
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import Engine

from core.settings import Settings, get_settings
from domain.common import Role
from domain.regions import TAIYUAN_COUNTIES
from store import users
from store.db import create_schema, engine_for
from store.delivery import DEMO_MAIL_DOMAIN, set_email

TAIYUAN = tuple(TAIYUAN_COUNTIES)
# (variable in var/tokens.env, user id, role, counties)
DEMO_USERS: tuple[tuple[str, str, Role, tuple[str, ...]], ...] = (
    ("ADMIN_TOKEN", "admin-01", Role.admin, TAIYUAN),
    ("SUPERVISOR_TOKEN", "supervisor-01", Role.supervisor, TAIYUAN),
    ("MEDIATOR_TOKEN", "mediator-01", Role.mediator, ("140105",)),
    ("INSPECTOR_TOKEN", "insp-07", Role.inspector, ("140105",)),
    ("CLERK_140105_TOKEN", "clerk-140105", Role.agency_clerk, ("140105",)),
    ("CLERK_140106_TOKEN", "clerk-140106", Role.agency_clerk, ("140106",)),
)
TOKENS_FILE = "tokens.env"


def bootstrap_demo_users(settings: Settings, engine: Engine) -> Path | None:
    """On an empty users table, creates the demo users and writes their tokens to
    `var/tokens.env` (owner-readable only; var/ is ignored by git). None if users exist."""
    if users.list_users(engine):
        return None
    lines = ["# Demo users of the embedded stack; `. var/tokens.env` in a shell to use them."]
    for variable, user_id, role, counties in DEMO_USERS:
        users.create_user(engine, user_id, role, counties)
        # Their notification emails go to the embedded stack's mail drop.
        set_email(engine, user_id, f"{user_id}@{DEMO_MAIL_DOMAIN}")
        issued = users.issue_token(engine, user_id, "embedded stack demo")
        lines.append(f"# {user_id}: {role.value} in {', '.join(counties)}")
        lines.append(f"{variable}={issued.token}")
    path = settings.var_dir / TOKENS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("\n".join(lines) + "\n")
    return path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manage.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    user = sub.add_parser("create-user", help="a user bound to one or more counties")
    user.add_argument("user_id", help="a staff id (letters, digits, ._@-), never a name")
    user.add_argument("--role", required=True, choices=[r.value for r in Role])
    user.add_argument("--county", action="append", default=[], help="repeatable")
    user.add_argument("--replace", action="store_true", help="rebind an existing user")
    user.add_argument("--token", action="store_true", help="also issue a token")
    token = sub.add_parser("create-token", help="a bearer token for a user, printed once")
    token.add_argument("user_id")
    token.add_argument("--label", default="")
    revoke = sub.add_parser("revoke-token", help="revoke a token by its public prefix")
    revoke.add_argument("prefix")
    sub.add_parser("users", help="list users and their tokens (prefixes only)")
    return parser


def _print_token(issued: users.IssuedToken) -> None:
    print(f"token for {issued.user_id} (prefix {issued.prefix}), shown once:", file=sys.stderr)
    print(issued.token)


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(argv)
    settings = get_settings()
    engine = engine_for(settings)
    create_schema(engine)
    try:
        if args.command == "create-user":
            row = users.create_user(
                engine, args.user_id, Role(args.role), args.county, replace=args.replace
            )
            print(f"user {row.user_id}: {row.role} in {', '.join(row.counties)}", file=sys.stderr)
            if args.token:
                _print_token(users.issue_token(engine, row.user_id, args.role))
        elif args.command == "create-token":
            _print_token(users.issue_token(engine, args.user_id, args.label))
        elif args.command == "revoke-token":
            revoked = users.revoke_token(engine, args.prefix)
            print(f"token {revoked.prefix} of {revoked.user_id} revoked", file=sys.stderr)
        else:
            for row in users.list_users(engine):
                prefixes = [
                    t.prefix + (" (revoked)" if t.revoked_at else "")
                    for t in users.list_tokens(engine, row.user_id)
                ]
                print(f"{row.user_id}\t{row.role}\t{','.join(row.counties)}\t{' '.join(prefixes)}")
    except users.UserError as err:
        print(f"manage.py: {err}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
