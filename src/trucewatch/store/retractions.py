"""Retracted observations: an analyst takes an observation out of fusion. The row stays
(nothing is deleted), the retraction is stored in ``observation_retractions`` and logged in
the ledger (a ``retraction`` entry naming the uid, who and why, with the stored row's digest
in ``meta.row`` and ``meta.cols``) in the same transaction.

Also the loading of observations for fusion, which never trusts a stored row: a row that
cannot be decoded is returned apart (its uid and why), for the caller to quarantine.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select

from trucewatch.ledger.entry import EntryType, content_entry
from trucewatch.store import schema as t
from trucewatch.store.coverage import RETRACTIONS, row_metas
from trucewatch.store.ledger import Ledger
from trucewatch.store.observations import observation_from_row
from trucewatch.store.util import PROGRESS_ROWS, Progress
from trucewatch.types import Observation
from trucewatch.units import as_utc


def retract(engine: Engine, ledger: Ledger, uid: str, by: str, reason: str) -> dict[str, Any]:
    """Retract observation ``uid``, logging it. Raises ``LookupError`` for an unknown uid
    and ``ValueError`` when it is already retracted (the primary key refuses a second
    retraction even from a concurrent writer)."""
    now = datetime.now(UTC)
    r = t.observation_retractions.c
    with engine.begin() as conn:
        found = conn.execute(select(t.observations.c.uid).where(t.observations.c.uid == uid))
        if found.first() is None:
            raise LookupError(f"no observation {uid!r}")
        if conn.execute(select(r.uid).where(r.uid == uid)).first() is not None:
            raise ValueError(f"observation {uid} is already retracted")
        conn.execute(insert(t.observation_retractions).values(
            uid=uid, retracted_at=now, retracted_by=by, reason=reason))  # fmt: skip
        record = {"uid": uid, "by": by, "reason": reason, "time": now.isoformat()}
        content = json.dumps(record, sort_keys=True).encode("utf-8")
        meta = {"by": by[:200], "reason": reason[:500], **row_metas(conn, RETRACTIONS, [uid])[uid]}
        entry = content_entry(EntryType.RETRACTION, uid, content, now, meta=meta)
        seq = ledger.append(conn, [entry])[0]
    return {"observation": uid, "retracted_by": by, "reason": reason,
            "retracted_at": now, "ledger_index": seq,
            "sha256": hashlib.sha256(content).hexdigest()}  # fmt: skip


def retractions(engine: Engine) -> list[dict[str, Any]]:
    """Every retraction, oldest first."""
    r = t.observation_retractions.c
    with engine.connect() as conn:
        rows = conn.execute(select(t.observation_retractions).order_by(r.retracted_at)).all()
    return [{"observation": x.uid, "retracted_by": x.retracted_by, "reason": x.reason,
             "retracted_at": as_utc(x.retracted_at)} for x in rows]  # fmt: skip


def observations_for_fusion(
    engine: Engine, since: datetime | None, until: datetime | None,
    progress: Progress | None = None,
) -> tuple[list[Observation], list[tuple[str, str]]]:
    """Observations starting in [since, until), oldest first, without the retracted ones;
    and ``(uid, reason)`` of each row that could not be decoded. ``progress`` is told the
    rows decoded (after a count of them)."""
    o, r = t.observations.c, t.observation_retractions.c
    query = (t.observation_rows()
             .where(~o.uid.in_(select(r.uid)))
             .order_by(o.time_start, o.uid))  # fmt: skip
    if since is not None:
        query = query.where(o.time_start >= since)
    if until is not None:
        query = query.where(o.time_start < until)
    good: list[Observation] = []
    bad: list[tuple[str, str]] = []
    with engine.connect() as conn:
        total = 0
        if progress is not None:
            counted = select(func.count()).select_from(query.order_by(None).subquery())
            total = conn.execute(counted).scalar_one()
        decode_observations(conn.execute(query), good, bad, progress, total)
    return good, bad


def decode_observations(rows: Iterable[Any], good: list[Observation],
                        bad: list[tuple[str, str]], progress: Progress | None = None,
                        total: int = 0) -> None:  # fmt: skip
    """Decode stored observation rows into ``good``; ``(uid, reason)`` into ``bad`` for each
    row that cannot be read (fusion never trusts stored input). ``progress`` is told
    ``reading observations`` with the rows decoded (of ``total``) every
    :data:`~trucewatch.store.util.PROGRESS_ROWS`."""
    what = f"reading {total:,} observations"
    if progress is not None:
        progress(what, 0, total)
    n = 0
    for n, row in enumerate(rows, 1):
        if progress is not None and not n % PROGRESS_ROWS:
            progress(what, n, max(n, total))
        try:
            good.append(observation_from_row(row))
        except (ValueError, TypeError, KeyError, ArithmeticError) as exc:
            bad.append((row.uid, f"stored row cannot be read ({type(exc).__name__}: {exc})"))
    if progress is not None:
        progress(what, n, max(n, total))
