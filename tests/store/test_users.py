"""API users and tokens in the read model: hashed at rest, revoked means refused, bindings
checked (an agency clerk belongs to one agency's county)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.common import Role
from store import users


def test_a_token_is_stored_as_its_hash_and_finds_its_user(engine: Engine) -> None:
    users.create_user(engine, "insp-07", Role.inspector, ["140105", "140106"])
    issued = users.issue_token(engine, "insp-07", "laptop")
    assert issued.token.startswith(f"lce_{issued.prefix}_")
    with engine.connect() as conn:
        [row] = conn.execute(text("SELECT prefix, secret_hash, label FROM api_tokens")).all()
    assert row.prefix == issued.prefix and row.label == "laptop"
    assert row.secret_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    user = users.authenticate(engine, issued.token)
    assert user is not None and user.user_id == "insp-07"
    assert user.counties == ["140105", "140106"] and user.role == "inspector"


def test_unknown_malformed_wrong_secret_and_revoked_tokens_find_nobody(engine: Engine) -> None:
    users.create_user(engine, "sup-01", Role.supervisor, ["140105"])
    issued = users.issue_token(engine, "sup-01")
    wrong_secret = issued.token[:-4] + ("aaaa" if not issued.token.endswith("aaaa") else "bbbb")
    for token in ("", "lce_", "Bearer x", f"lce_{'a' * 10}_{'b' * 43}", wrong_secret):
        assert users.authenticate(engine, token) is None, token
    revoked = users.revoke_token(engine, issued.prefix)
    assert revoked.revoked_at is not None
    assert users.authenticate(engine, issued.token) is None
    # Revoking again keeps the first time.
    assert users.revoke_token(engine, issued.prefix).revoked_at == revoked.revoked_at
    with pytest.raises(users.UserError):
        users.revoke_token(engine, "zzzzzzzzzz")


def test_last_use_is_recorded_at_most_once_a_minute(engine: Engine) -> None:
    users.create_user(engine, "med-01", Role.mediator, ["140105"])
    issued = users.issue_token(engine, "med-01")
    users.authenticate(engine, issued.token)
    first = users.list_tokens(engine, "med-01")[0].last_used_at
    assert first is not None
    users.authenticate(engine, issued.token)
    assert users.list_tokens(engine, "med-01")[0].last_used_at == first
    with Session(engine) as session:
        row = session.get(users.ApiTokenRecord, issued.token_id)
        assert row is not None
        row.last_used_at = datetime.now(UTC) - timedelta(minutes=2)
        session.add(row)
        session.commit()
    users.authenticate(engine, issued.token)
    later = users.list_tokens(engine, "med-01")[0].last_used_at
    assert later is not None and later.replace(tzinfo=UTC) > first.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("role", "counties", "agency", "problem"),
    [
        (Role.agency_clerk, ["140105", "140106"], None, "exactly one county"),
        (Role.agency_clerk, ["140105"], "140106", "exactly one county"),
        (Role.inspector, ["140105"], "140105", "agency clerks only"),
        (Role.supervisor, [], None, "at least one county"),
        (Role.mediator, ["1401"], None, "six-digit"),
    ],
)
def test_bindings_that_make_no_sense_are_refused(
    engine: Engine, role: Role, counties: list[str], agency: str | None, problem: str
) -> None:
    with pytest.raises(users.UserError, match=problem):
        users.create_user(engine, "someone", role, counties, agency)
    assert users.get_user(engine, "someone") is None


def test_a_clerk_is_bound_to_their_agency_county_and_users_are_not_overwritten(
    engine: Engine,
) -> None:
    clerk = users.create_user(engine, "clerk-1", Role.agency_clerk, [], "140106")
    assert clerk.counties == ["140106"] and clerk.agency_county == "140106"
    with pytest.raises(users.UserError, match="exists"):
        users.create_user(engine, "clerk-1", Role.supervisor, ["140105"])
    rebound = users.create_user(engine, "clerk-1", Role.supervisor, ["140105"], replace=True)
    assert rebound.role == "supervisor" and rebound.agency_county is None
    with pytest.raises(users.UserError, match="not a staff id|letters"):
        users.create_user(engine, "王某", Role.mediator, ["140105"])
    with pytest.raises(users.UserError, match="no user"):
        users.issue_token(engine, "nobody")
