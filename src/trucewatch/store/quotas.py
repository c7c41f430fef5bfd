"""Daily submission quotas of API tokens, counted in the database (``submission_quotas``:
one row per token digest and UTC day with the records counted), so that every API
process of a store enforces one quota.

A submission is **charged** in the transaction that stores it (:func:`charge`): one
``INSERT ... ON CONFLICT DO UPDATE SET used = used + n WHERE used + n <= quota RETURNING
used`` (SQLite >= 3.35 and PostgreSQL). The row's lock makes concurrent charges of one
token wait for each other (PostgreSQL re-checks the condition against the committed count;
SQLite has one writer), so the count never passes the quota however many processes
submit; a charge that would pass it changes nothing and raises
:class:`~trucewatch.errors.QuotaExceeded`, and the caller's transaction (the submission)
is rolled back whole. A submission rolled back for any other reason takes its charge with
it. Callers that charge several tokens in one transaction charge them in the order of
their digests (no two transactions wait for each other's rows).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from sqlalchemy import Connection, Executable, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from trucewatch.errors import QuotaExceeded
from trucewatch.store import schema as t


@dataclass(frozen=True)
class DailyQuota:
    """The daily quota ``limit`` (records per UTC day, >= 1) of the token whose SHA-256 is
    ``token_sha256``, as it stands at the instant ``at`` (aware; its UTC day is the one
    charged)."""

    token_sha256: str
    limit: int
    at: datetime

    @property
    def day(self) -> date:
        return self.at.astimezone(UTC).date()

    def retry_after_s(self) -> int:
        """Whole seconds (at least 1) from ``at`` to the next midnight UTC."""
        midnight = datetime.combine(self.day + timedelta(days=1), time(), tzinfo=UTC)
        return max(1, math.ceil((midnight - self.at).total_seconds()))


def charge(conn: Connection, c: DailyQuota, records: int) -> int:
    """Count ``records`` against the token's quota of ``c.day`` in the caller's
    transaction; returns the day's count with them. Raises
    :class:`~trucewatch.errors.QuotaExceeded` (nothing counted) when the count would
    pass the quota."""
    if records <= c.limit:
        params = {"token": c.token_sha256, "day": c.day, "n": records, "limit": c.limit}
        counted = conn.execute(_charge_statement(conn.dialect.name), params).scalar()
        if counted is not None:
            return int(counted)
    raise QuotaExceeded(quota=c.limit, used=used(conn, c.token_sha256, c.day),
                        requested=records, day=c.day,
                        retry_after_s=c.retry_after_s())  # fmt: skip


@cache
def _charge_statement(dialect_name: str) -> Executable:
    """The conditional upsert of :func:`charge`, built once per dialect (building it costs
    more than running it), with the parameters ``token``, ``day``, ``n`` and ``limit``."""
    q = t.submission_quotas
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    stmt = dialect.insert(q).values(token_sha256=bindparam("token"), day=bindparam("day"),
                                    used=bindparam("n"))  # fmt: skip
    return stmt.on_conflict_do_update(
        index_elements=[q.c.token_sha256, q.c.day],
        set_={"used": q.c.used + stmt.excluded.used},
        where=q.c.used + stmt.excluded.used <= bindparam("limit"),
    ).returning(q.c.used)


def used(conn: Connection, token_sha256: str, day: date) -> int:
    """Records counted for the token on ``day`` (UTC)."""
    q = t.submission_quotas
    found = conn.execute(
        select(q.c.used).where(q.c.token_sha256 == token_sha256, q.c.day == day)
    ).scalar()
    return 0 if found is None else int(found)
