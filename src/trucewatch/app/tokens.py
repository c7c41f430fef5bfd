"""Use cases: API access tokens issued, listed, revoked and rotated by the mission
(``trucewatch token ...``), and the lookup of a request's token (:func:`principal_for`).

A token is ``tw_`` and 43 URL-safe characters (256 random bits); the store keeps only its
SHA-256, so a stolen database holds no usable token. A token may expire; revocation and
expiry take effect on the token's next request (every request looks it up).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from trucewatch.app.roles import OPERATOR, Permission, Principal, Role, require, role_of
from trucewatch.errors import InputError, RecordError
from trucewatch.store import Store
from trucewatch.store import tokens as rows

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
"""Names of token holders (shown in batch logs as the submitter)."""
PARTY_PATTERN = re.compile(r"^[A-Z]{2,8}$")
PREFIX = "tw_"
MAX_DAILY_QUOTA = 1_000_000_000
"""The largest daily quota a token may be given (records per UTC day; fits the store's
integer column with room for one more batch)."""


def digest(token: str) -> str:
    """SHA-256 hex of a token (what the store keeps)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _bad(field: str, message: str) -> InputError:
    return InputError(RecordError("token", None, field, message))


def new_token(store: Store, role: str, *, name: str | None = None, party: str | None = None,
              expires_in: timedelta | None = None, daily_quota: int | None = None,
              principal: Principal = OPERATOR) -> dict[str, Any]:  # fmt: skip
    """Issue a token for ``role`` (and ``party``, for a liaison), valid for ``expires_in``
    (``None``: until revoked), that may submit ``daily_quota`` records per UTC day
    (``None``: the API's default for its role, docs/security.md). The answer holds the
    token itself: it is shown once."""
    require(principal, Permission.MANAGE_MISSION)
    try:
        r = role_of(role)
    except ValueError as exc:
        raise _bad("role", str(exc)) from None
    if r is Role.LIAISON and not party:
        raise _bad("party", "a liaison token needs its party (--party UA)")
    if party is not None and not PARTY_PATTERN.match(party):
        raise _bad("party", f"a party code is 2-8 capital letters, not {party!r}")
    holder = name or f"{r.value}-{secrets.token_hex(3)}"
    if not NAME_PATTERN.match(holder):
        raise _bad("name", f"1-64 letters, digits and ._@- (starting with a letter or digit), "
                           f"not {holder!r}")  # fmt: skip
    if expires_in is not None and expires_in <= timedelta(0):
        raise _bad("expires", "must be in the future")
    if daily_quota is not None and not 1 <= daily_quota <= MAX_DAILY_QUOTA:
        raise _bad("daily_quota", f"records per UTC day: 1 to {MAX_DAILY_QUOTA}, "
                                  f"not {daily_quota}")  # fmt: skip
    token = PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    row = rows.TokenRow(digest(token), holder, r.value, party, now,
                        None if expires_in is None else now + expires_in, None,
                        daily_quota)  # fmt: skip
    rows.add(store.engine, row)
    return {"token": token, **_public(row, now)}


def _public(row: rows.TokenRow, now: datetime) -> dict[str, Any]:
    out = asdict(row)
    out["id"] = out.pop("token_sha256")[:12]
    out["active"] = row.active(now)
    return out


def list_tokens(store: Store, *, principal: Principal = OPERATOR) -> dict[str, Any]:
    """Every issued token (id = the first 12 hex digits of its SHA-256; never the token)."""
    require(principal, Permission.MANAGE_MISSION)
    now = datetime.now(UTC)
    return {"tokens": [_public(r, now) for r in rows.all_tokens(store.engine)]}


def revoke_token(store: Store, name_or_id: str, *,
                 principal: Principal = OPERATOR) -> dict[str, Any]:  # fmt: skip
    """Revoke every active token of a holder (by name) or one token (by id); refused
    when none matches."""
    require(principal, Permission.MANAGE_MISSION)
    n = rows.revoke(store.engine, name_or_id.strip())
    if n == 0:
        raise _bad("token", f"no active token named or with id {name_or_id!r}")
    return {"revoked": n}


def rotate_token(store: Store, name: str, *, grace: timedelta = timedelta(0),
                 expires_in: timedelta | None = None,
                 principal: Principal = OPERATOR) -> dict[str, Any]:  # fmt: skip
    """A new token for holder ``name`` (same role, party and daily quota); the holder's
    older tokens stop working after ``grace`` (at once by default)."""
    require(principal, Permission.MANAGE_MISSION)
    now = datetime.now(UTC)
    current = [r for r in rows.all_tokens(store.engine) if r.name == name and r.active(now)]
    if not current:
        raise _bad("token", f"no active token named {name!r}")
    last = current[-1]
    issued = new_token(store, last.role, name=name, party=last.party, expires_in=expires_in,
                       daily_quota=last.daily_quota, principal=principal)  # fmt: skip
    rows.revoke(store.engine, name, now + grace, keep=digest(issued["token"]))
    return {**issued, "replaced": len(current)}


def principal_for(store: Store, token: str) -> Principal | None:
    """The principal of an issued token that is neither revoked nor expired, else None."""
    row = rows.find(store.engine, digest(token))
    if row is None or not row.active(datetime.now(UTC)):
        return None
    return Principal(row.name, Role(row.role), row.party, token_sha256=row.token_sha256,
                     daily_quota=row.daily_quota)  # fmt: skip
