"""The analyst's review and the bulletins in the store: reviewed incidents
(``reviewed_incidents``), the acts of review (``incident_reviews``) and the bulletins of
each period (``bulletins``). Every row written here is logged in the ledger in the same
transaction (:mod:`trucewatch.store.coverage`: entry types ``reviewed_incident``,
``review`` and ``bulletin``), so ``ledger verify`` names any later edit.

Every function takes the caller's open :class:`~sqlalchemy.Connection` (the use case in
:mod:`trucewatch.app.review` or :mod:`trucewatch.app.bulletins` owns the transaction).
Times are aware UTC datetimes; places WGS84 degrees.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from trucewatch.ledger.entry import EntryType
from trucewatch.store import schema as t
from trucewatch.store.coverage import BULLETINS, REVIEWED, REVIEWS, log_rows
from trucewatch.store.incident_rows import incident_from_row, observation_links
from trucewatch.store.ledger import Ledger
from trucewatch.store.util import chunks
from trucewatch.types import Incident
from trucewatch.units import as_utc

_TIMES = ("time_start", "time_end", "reviewed_at", "published_at", "at", "period_start",
          "period_end", "issued_at")  # fmt: skip


def _plain(row: Any) -> dict[str, Any]:
    """A row as a dict, its times aware UTC (SQLite gives them naive)."""
    out = dict(row._mapping)
    for name in _TIMES:
        if out.get(name) is not None:
            out[name] = as_utc(out[name])
    return out


# --------------------------------------------------------------------------- reviewed


def reviewed(conn: Connection, uids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Reviewed incidents by uid (those stored)."""
    c = t.reviewed_incidents.c
    out: dict[str, dict[str, Any]] = {}
    for chunk in chunks(sorted(set(uids)), 5_000):
        for r in conn.execute(select(t.reviewed_incidents).where(c.uid.in_(chunk))):
            out[r.uid] = _plain(r)
    return out


def reviewed_of_automatic(conn: Connection, automatic_uids: Iterable[str]
                          ) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Automatic incident uid -> the reviewed incident mapped onto it (merged ones left
    out; when several are, the smallest uid)."""
    c = t.reviewed_incidents.c
    out: dict[str, dict[str, Any]] = {}
    for chunk in chunks(sorted(set(automatic_uids)), 5_000):
        query = (select(t.reviewed_incidents)
                 .where(c.automatic_uid.in_(chunk), c.merged_into.is_(None))
                 .order_by(c.uid.desc()))  # fmt: skip
        for r in conn.execute(query):
            out[r.automatic_uid] = _plain(r)
    return out


def reviewed_between(conn: Connection, since: datetime | None, until: datetime | None, *,
                     needs_review: bool | None = None, merged: bool = False,
                     published_only: bool = False) -> list[dict[str, Any]]:  # fmt: skip
    """Reviewed incidents starting in [since, until), oldest first (merged ones only with
    ``merged``); ``needs_review`` True/False keeps those flagged or not."""
    c = t.reviewed_incidents.c
    query = select(t.reviewed_incidents).order_by(c.time_start, c.uid)
    if since is not None:
        query = query.where(c.time_start >= since)
    if until is not None:
        query = query.where(c.time_start < until)
    if not merged:
        query = query.where(c.merged_into.is_(None))
    if needs_review is True:
        query = query.where(c.needs_review.is_not(None))
    elif needs_review is False:
        query = query.where(c.needs_review.is_(None))
    if published_only:
        query = query.where(c.published_at.is_not(None))
    return [_plain(r) for r in conn.execute(query)]


def save_reviewed(conn: Connection, ledger: Ledger, rows: Sequence[Mapping[str, Any]],
                  time: datetime) -> None:  # fmt: skip
    """Insert or update reviewed incidents (whole rows) and log each as stored."""
    if not rows:
        return
    c = t.reviewed_incidents.c
    uids = [r["uid"] for r in rows]
    existing = set(conn.execute(select(c.uid).where(c.uid.in_(uids))).scalars())
    for r in rows:
        if r["uid"] in existing:
            conn.execute(update(t.reviewed_incidents).where(c.uid == r["uid"]).values(**r))
        else:
            conn.execute(insert(t.reviewed_incidents).values(**r))
    log_rows(conn, ledger, REVIEWED, uids, time)


# --------------------------------------------------------------------------- acts


def add_acts(conn: Connection, ledger: Ledger, acts: Sequence[Mapping[str, Any]],
             time: datetime) -> list[int]:  # fmt: skip
    """Store acts of review (``reviewed_uid, action, reason, analyst, at, details``) in
    order and log each; returns their ids."""
    if not acts:
        return []
    returning = insert(t.incident_reviews).returning(t.incident_reviews.c.id,
                                                     sort_by_parameter_order=True)  # fmt: skip
    ids = [int(i) for i in conn.execute(returning, list(acts)).scalars()]
    log_rows(conn, ledger, REVIEWS, ids, time)
    return ids


def acts_of(conn: Connection, reviewed_uids: Iterable[str]) -> list[dict[str, Any]]:
    """The acts of review of these reviewed incidents, in the order done."""
    c = t.incident_reviews.c
    out: list[dict[str, Any]] = []
    for chunk in chunks(sorted(set(reviewed_uids)), 5_000):
        query = select(t.incident_reviews).where(c.reviewed_uid.in_(chunk))
        out += [_plain(r) for r in conn.execute(query)]
    return sorted(out, key=lambda a: a["id"])


def count_acts(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(t.incident_reviews)).scalar_one())


# --------------------------------------------------------------------------- bulletins


def bulletins_of(conn: Connection, period_start: datetime) -> list[dict[str, Any]]:
    """The bulletins of the period starting at ``period_start``, by version."""
    c = t.bulletins.c
    query = select(t.bulletins).where(c.period_start == period_start).order_by(c.version)
    return [_plain(r) for r in conn.execute(query)]


def bulletins_between(conn: Connection, since: datetime | None, until: datetime | None, *,
                      kinds: Sequence[str] = ()) -> list[dict[str, Any]]:  # fmt: skip
    """Bulletins of the periods starting in [since, until), oldest period and version
    first (``kinds``: only those kinds)."""
    c = t.bulletins.c
    query = select(t.bulletins).order_by(c.period_start, c.version)
    if since is not None:
        query = query.where(c.period_start >= since)
    if until is not None:
        query = query.where(c.period_start < until)
    if kinds:
        query = query.where(c.kind.in_(list(kinds)))
    return [_plain(r) for r in conn.execute(query)]


def bulletin(conn: Connection, bulletin_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(t.bulletins).where(t.bulletins.c.id == bulletin_id)).first()
    return None if row is None else _plain(row)


def add_bulletin(conn: Connection, ledger: Ledger, row: Mapping[str, Any],
                 time: datetime) -> int:  # fmt: skip
    """Store one bulletin and log it; returns its id."""
    new_id = conn.execute(insert(t.bulletins).values(**row)).inserted_primary_key[0]  # type: ignore[index]
    log_rows(conn, ledger, BULLETINS, [new_id], time)
    return int(new_id)


# --------------------------------------------------------------------------- reports


def logged_refs(conn: Connection, refs: Sequence[str],
                entry_type: EntryType = EntryType.REPORT) -> set[str]:  # fmt: skip
    """Which of ``refs`` the log holds an entry of ``entry_type`` about (e.g. the daily
    reports already published: ``daily-report:YYYY-MM-DD``)."""
    c = t.ledger_entries.c
    query = select(c.ref).where(c.entry_type == entry_type.value, c.ref.in_(list(refs)))
    return set(conn.execute(query).scalars())


Place = tuple[str, datetime, datetime, float | None, float | None]


def observation_places(conn: Connection, uids: Sequence[str]) -> list[Place]:
    """``(uid, time_start, time_end, lon, lat)`` of stored observations (lon/lat None for
    an observation without a point location)."""
    c = t.observations.c
    out = []
    for chunk in chunks(list(uids), 5_000):
        query = select(c.uid, c.time_start, c.time_end, c.lon, c.lat).where(c.uid.in_(chunk))
        out += [(u, as_utc(a), as_utc(b), lon, lat) for u, a, b, lon, lat in conn.execute(query)]
    return sorted(out)


def automatic_between(conn: Connection, since: datetime | None, until: datetime | None
                      ) -> list[Incident]:  # fmt: skip
    """The automatic incidents starting in [since, until), with their observation uids,
    oldest first."""
    c = t.incidents.c
    query = select(t.incidents).order_by(c.time_start, c.uid)
    if since is not None:
        query = query.where(c.time_start >= since)
    if until is not None:
        query = query.where(c.time_start < until)
    rows = conn.execute(query).all()
    links = observation_links(conn, [r.uid for r in rows])
    return [incident_from_row(r, links.get(r.uid, ())) for r in rows]
