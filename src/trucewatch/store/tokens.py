"""Issued API access tokens (``api_tokens``): only each token's SHA-256 is stored, with
its holder's name, role, party, expiry, revocation time and own daily quota. Every request
looks its token up here, so a revocation or an expiry takes effect on the next request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, or_, select, update

from trucewatch.store import schema as t
from trucewatch.units import as_utc


@dataclass(frozen=True)
class TokenRow:
    """One issued token (never the token itself)."""

    token_sha256: str
    name: str
    role: str
    party: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    daily_quota: int | None = None
    """Records the token may submit per UTC day (None: its role's default)."""

    def active(self, now: datetime) -> bool:
        revoked = self.revoked_at is not None and self.revoked_at <= now
        return not revoked and (self.expires_at is None or now < self.expires_at)


def _row(r: object) -> TokenRow:
    def t_(v: datetime | None) -> datetime | None:
        return None if v is None else as_utc(v)

    return TokenRow(r.token_sha256, r.name, r.role, r.party, as_utc(r.created_at),  # type: ignore[attr-defined]
                    t_(r.expires_at), t_(r.revoked_at), r.daily_quota)  # type: ignore[attr-defined]  # fmt: skip


def add(engine: Engine, row: TokenRow) -> None:
    with engine.begin() as conn:
        conn.execute(insert(t.api_tokens).values(
            token_sha256=row.token_sha256, name=row.name, role=row.role, party=row.party,
            created_at=row.created_at, expires_at=row.expires_at, revoked_at=None,
            daily_quota=row.daily_quota))  # fmt: skip


def find(engine: Engine, digest: str) -> TokenRow | None:
    """The token with this SHA-256, if issued (active or not)."""
    c = t.api_tokens.c
    with engine.connect() as conn:
        r = conn.execute(select(t.api_tokens).where(c.token_sha256 == digest)).first()
    return None if r is None else _row(r)


def all_tokens(engine: Engine) -> list[TokenRow]:
    c = t.api_tokens.c
    with engine.connect() as conn:
        rows = conn.execute(select(t.api_tokens).order_by(c.created_at, c.name)).all()
    return [_row(r) for r in rows]


def revoke(engine: Engine, name_or_id: str, when: datetime | None = None,
           keep: str | None = None) -> int:  # fmt: skip
    """Revoke (at ``when``, default now) the unrevoked tokens named ``name_or_id`` or
    whose SHA-256 starts with it (at least 8 hex digits), except ``keep``; returns how
    many. A later ``when`` leaves them working until then (a rotation's grace period)."""
    c = t.api_tokens.c
    now = datetime.now(UTC)
    match = c.name == name_or_id
    if len(name_or_id) >= 8 and all(ch in "0123456789abcdef" for ch in name_or_id):
        match = or_(match, c.token_sha256.like(f"{name_or_id}%"))
    query = update(t.api_tokens).where(match, or_(c.revoked_at.is_(None), c.revoked_at > now))
    if keep is not None:
        query = query.where(c.token_sha256 != keep)
    with engine.begin() as conn:
        return int(conn.execute(query.values(revoked_at=when or now)).rowcount or 0)
