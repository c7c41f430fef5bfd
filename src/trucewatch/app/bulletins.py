"""Use cases: the bulletins of each period and the daily report at the mission's cut-off.

A **period** is a UTC day. For each period the mission issues

* **automatic bulletins** at configured lags after the period's end (default 1 h, 6 h and
  24 h: :data:`DEFAULT_LAGS_HOURS`), each listing the period's automatic incidents with
  their evaluation status;
* the **reviewed bulletin**, when an analyst signs the period off (:func:`sign_off`):
  the reviewed incidents of the period that are not rejected, with the reviewed values;

and, once a day at the **cut-off** (default 19:30 Europe/Kyiv, as the OSCE SMM's daily
report), the daily report of that day is written and published (logged), as
``trucewatch report daily`` does.

Every bulletin is a new version of its period (``version`` 1, 2, ...) stored with what
changed since the previous bulletin of the same kind (the first reviewed bulletin: since
the latest automatic one) (:func:`changes`: incidents added, removed and changed,
an incident followed across a re-fusion by its shared observations), and logged in the
ledger (``bulletin`` entries). :func:`run_due` does whatever is due at an instant: the
server's scheduler loop (``trucewatch serve --bulletins``) calls it every minute and
``trucewatch bulletin run`` from cron. Liaisons and the public read the reviewed bulletins
(a sign-off is the period's publication); automatic bulletins are the mission's.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from trucewatch import limits
from trucewatch.app.review import EvaluationStatus, assign, deciding
from trucewatch.app.roles import Permission, Principal, Role, require
from trucewatch.app.session import Store
from trucewatch.app.views.errors import BadQuery, NotVisible
from trucewatch.store import reviews as rs
from trucewatch.types import (
    Attribution,
    EventKind,
    Incident,
    IncidentStatus,
    PointLocation,
    SourceKind,
)
from trucewatch.units import iso_utc

log = logging.getLogger(__name__)

AUTOMATIC, REVIEWED = "automatic", "reviewed"
DEFAULT_LAGS_HOURS: tuple[float, ...] = (1.0, 6.0, 24.0)
DEFAULT_CUTOFF = time(19, 30)
DEFAULT_TZ = "Europe/Kyiv"
SCHEDULER = Principal("scheduler", Role.ANALYST)
"""Who the scheduler acts as (an analyst's rights; its name is what the log records)."""

COMPARED = ("time_start", "lon", "lat", "status", "attribution_party", "clause", "verdict",
            "evaluation_status", "observation_count")  # fmt: skip
"""The fields of a bulletin's incident whose change :func:`changes` reports."""


@dataclass(frozen=True)
class Schedule:
    """When bulletins and the daily report are due: ``lags_hours`` after each period's end
    (UTC day), the daily report at ``cutoff`` local time in ``tz`` (IANA name).
    ``lookback_days``: how many past periods are still considered (a server started after
    a long stop issues no bulletins for old days)."""

    lags_hours: tuple[float, ...] = DEFAULT_LAGS_HOURS
    cutoff: time = DEFAULT_CUTOFF
    tz: str = DEFAULT_TZ
    lookback_days: int = 2
    report_dir: Path | None = None
    reports: bool = True

    def __post_init__(self) -> None:
        if not self.lags_hours or any(not 0 <= h <= 24 * 31 for h in self.lags_hours):
            raise ValueError("bulletin lags must be 0 to 744 hours, at least one")
        ZoneInfo(self.tz)  # raises for an unknown zone


def period_of(day: date) -> tuple[datetime, datetime]:
    """The period (UTC day) ``day``: [start, end); :class:`BadQuery` for a day outside
    the years :mod:`trucewatch.limits` accepts."""
    if not limits.YEARS[0] <= day.year <= limits.YEARS[1]:
        raise BadQuery(f"{day} is outside {limits.YEARS[0]}-{limits.YEARS[1]}", field="day")
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


# --------------------------------------------------------------------------- content


def _automatic_entry(inc: Incident, reviewed: Mapping[str, Any] | None) -> dict[str, Any]:
    clause, verdict = deciding(inc.assessment)
    return {
        "uid": inc.uid, "automatic_uid": inc.uid, "time_start": iso_utc(inc.time_start),
        "lon": inc.location.lon, "lat": inc.location.lat, "kind": inc.kind.value,
        "status": inc.status.value, "attribution_party": inc.attribution.party,
        "clause": clause, "verdict": verdict, "sector": inc.sector,
        "confidence": inc.confidence, "evaluation_mode": "automatic",
        "evaluation_status": EvaluationStatus.PRELIMINARY.value if reviewed is None
        else reviewed["evaluation_status"],
        "observation_count": len(inc.observation_uids),
        "observations": sorted(inc.observation_uids),
    }  # fmt: skip


def _reviewed_entry(row: Mapping[str, Any]) -> dict[str, Any]:
    record = row["record"]
    return {
        "uid": row["uid"], "automatic_uid": row["automatic_uid"],
        "time_start": iso_utc(row["time_start"]), "lon": row["lon"], "lat": row["lat"],
        "kind": record.get("kind"), "status": row["status"],
        "attribution_party": row["attribution_party"], "clause": row["clause"],
        "verdict": row["verdict"], "sector": row["sector"],
        "confidence": record.get("confidence"), "evaluation_mode": row["evaluation_mode"],
        "evaluation_status": row["evaluation_status"],
        "observation_count": len(row["observations"]), "observations": row["observations"],
    }  # fmt: skip


def bulletin_content(conn: Any, day: date, kind: str) -> dict[str, Any]:
    """What a bulletin of ``kind`` for ``day`` says now (JSON-able): the period, its
    incidents sorted by time and uid, and how many automatic incidents are not reviewed."""
    start, end = period_of(day)
    automatic = rs.automatic_between(conn, start, end)
    reviewed_of = rs.reviewed_of_automatic(conn, [i.uid for i in automatic])
    unreviewed = sum(i.uid not in reviewed_of for i in automatic)
    if kind == AUTOMATIC:
        entries = [_automatic_entry(i, reviewed_of.get(i.uid)) for i in automatic]
    else:
        rows = rs.reviewed_between(conn, start, end)
        entries = [_reviewed_entry(r) for r in rows
                   if r["evaluation_status"] != EvaluationStatus.REJECTED]  # fmt: skip
    entries.sort(key=lambda e: (e["time_start"], e["uid"]))
    return {"period": {"start": iso_utc(start), "end": iso_utc(end)}, "kind": kind,
            "incidents": entries, "unreviewed": unreviewed}  # fmt: skip


def changes(before: Sequence[Mapping[str, Any]],
            after: Sequence[Mapping[str, Any]]) -> dict[str, Any]:  # fmt: skip
    """What changed between two versions' incidents: ``added`` and ``removed`` uids, and
    ``changed`` (``uid``, ``was`` when the uid changed, ``fields``: name -> [before,
    after] over :data:`COMPARED`). An incident whose uid changed (a re-fusion gave it more
    evidence) is followed by its shared observations (:func:`~trucewatch.app.review.assign`)."""
    old = {e["uid"]: e for e in before}
    new = {e["uid"]: e for e in after}
    pairs = [(u, u) for u in sorted(old.keys() & new.keys())]
    gone = {u: old[u] for u in old.keys() - new.keys()}
    came = sorted(new.keys() - old.keys())
    if gone and came:
        plan = assign({u: e.get("observations") or () for u, e in gone.items()},
                      [(u, new[u].get("observations") or ()) for u in came])  # fmt: skip
        for u in sorted(gone):
            follower = plan.automatic_of[u]
            if follower is not None and plan.owner_of_automatic.get(follower) == u:
                pairs.append((u, follower))
    paired_old = {a for a, _ in pairs}
    paired_new = {b for _, b in pairs}
    changed = []
    for a, b in sorted(pairs, key=lambda p: p[1]):
        fields = {k: [old[a].get(k), new[b].get(k)] for k in COMPARED
                  if old[a].get(k) != new[b].get(k)}  # fmt: skip
        if fields or a != b:
            changed.append({"uid": b, **({"was": a} if a != b else {}), "fields": fields})
    return {"added": sorted(set(new) - paired_new), "removed": sorted(set(old) - paired_old),
            "changed": changed}  # fmt: skip


def _issue(store: Store, day: date, kind: str, lag_hours: float | None,
           issued_by: str, note: str | None = None) -> dict[str, Any]:  # fmt: skip
    """Store and log the next version of the bulletin of ``day`` (one transaction)."""
    start, end = period_of(day)
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        store.ledger.lock_log(conn)
        content = bulletin_content(conn, day, kind)
        if note:
            content["sign_off"] = note
        versions = rs.bulletins_of(conn, start)
        same_kind = [v for v in versions if v["kind"] == kind] or versions
        previous = same_kind[-1]["content"]["incidents"] if same_kind else []
        text = json.dumps(content, sort_keys=True, separators=(",", ":"))
        row = {"period_start": start, "period_end": end, "kind": kind, "lag_hours": lag_hours,
               "version": len(versions) + 1, "issued_by": issued_by, "issued_at": now,
               "content": content, "content_sha256": hashlib.sha256(text.encode()).hexdigest(),
               "changes": changes(previous, content["incidents"])}  # fmt: skip
        row["id"] = rs.add_bulletin(conn, store.ledger, row, now)
    return bulletin_view(row)


def bulletin_view(row: Mapping[str, Any], *, with_content: bool = False) -> dict[str, Any]:
    """A bulletin as the API and the command line show it (times ISO 8601 UTC)."""
    content = row["content"]
    out = {"id": row["id"], "period": row["period_start"].date().isoformat(),
           "kind": row["kind"], "lag_hours": row["lag_hours"], "version": row["version"],
           "issued_by": row["issued_by"], "issued_at": iso_utc(row["issued_at"]),
           "incidents": len(content["incidents"]), "unreviewed": content.get("unreviewed"),
           "sha256": row["content_sha256"],
           "changes": {k: len(v) for k, v in row["changes"].items()}}  # fmt: skip
    if with_content:
        out["content"] = content
        out["changes"] = row["changes"]
    return out


# --------------------------------------------------------------------------- use cases


def issue_automatic(store: Store, day: date, lag_hours: float | None = None, *,
                    principal: Principal) -> dict[str, Any]:  # fmt: skip
    """Issue an automatic bulletin of ``day`` now (the scheduler gives the lag it is due
    at; by hand it is None)."""
    require(principal, Permission.MANAGE_MISSION)
    return _issue(store, day, AUTOMATIC, lag_hours, principal.name)


def sign_off(store: Store, day: date, reason: str, *, principal: Principal) -> dict[str, Any]:
    """An analyst signs the period ``day`` off: its reviewed bulletin is issued, logged and
    published to liaisons and the public. Refused (:class:`BadQuery`) while a reviewed
    incident of the period awaits re-review, or without a reason."""
    require(principal, Permission.REVIEW_INCIDENTS)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason or len(reason) > limits.MAX_REASON_CHARS:
        raise BadQuery(f"a sign-off needs a reason (1 to {limits.MAX_REASON_CHARS} "
                       "characters)", field="reason")  # fmt: skip
    start, end = period_of(day)
    with store.engine.connect() as conn:
        flagged = rs.reviewed_between(conn, start, end, needs_review=True)
    if flagged:
        raise BadQuery(f"{len(flagged)} reviewed incident(s) of {day} await re-review "
                       f"(first {flagged[0]['uid']}: {flagged[0]['needs_review']})",
                       field="day")  # fmt: skip
    return _issue(store, day, REVIEWED, None, principal.name, note=reason)


def due(store: Store, now: datetime, schedule: Schedule) -> tuple[list[tuple[date, float]],
                                                                 list[date]]:  # fmt: skip
    """What is due at ``now`` (aware): ``(day, lag)`` of automatic bulletins (per period,
    only the largest lag passed and not issued yet, so a late start issues one bulletin,
    not one per missed lag) and the days whose daily report is due (the cut-off of that
    local date passed, report not logged)."""
    now = now.astimezone(UTC)
    today = now.date()
    bulletins_due: list[tuple[date, float]] = []
    with store.engine.connect() as conn:
        for back in range(schedule.lookback_days, 0, -1):
            day = today - timedelta(days=back)
            start, end = period_of(day)
            passed = [h for h in sorted(schedule.lags_hours) if end + timedelta(hours=h) <= now]
            if not passed:
                continue
            issued = rs.bulletins_of(conn, start)
            issued_lags = [b["lag_hours"] for b in issued if b["kind"] == AUTOMATIC
                           and b["lag_hours"] is not None]  # fmt: skip
            if not issued_lags or max(issued_lags) < passed[-1]:
                bulletins_due.append((day, passed[-1]))
        reports_due = []
        if schedule.reports:
            zone = ZoneInfo(schedule.tz)
            local_today = now.astimezone(zone).date()
            days = [local_today - timedelta(days=k) for k in range(schedule.lookback_days, -1, -1)]
            cutoffs = {d: datetime.combine(d, schedule.cutoff, zone) for d in days}
            done = rs.logged_refs(conn, [f"daily-report:{d.isoformat()}" for d in days])
            reports_due = [d for d in days if cutoffs[d] <= now
                           and f"daily-report:{d.isoformat()}" not in done]  # fmt: skip
    return bulletins_due, reports_due


def run_due(store: Store, schedule: Schedule, now: datetime | None = None, *,
            principal: Principal = SCHEDULER, fuse_first: bool = False) -> dict[str, Any]:
    """Issue every bulletin and write every daily report due at ``now`` (default: the
    current time). With ``fuse_first`` each period is re-fused first (for cron without
    live fusion). Returns what was done."""
    from trucewatch.app.incidents import fuse
    from trucewatch.app.reports import daily_report

    require(principal, Permission.MANAGE_MISSION)
    now = now or datetime.now(UTC)
    bulletins_due, reports_due = due(store, now, schedule)
    issued, reports = [], []
    for day, lag in bulletins_due:
        if fuse_first:
            fuse(store, *period_of(day), principal=principal)
        issued.append(issue_automatic(store, day, lag, principal=principal))
    if reports_due and schedule.report_dir is None:
        raise ValueError("daily reports are due but no report folder is set")
    for day in reports_due:
        assert schedule.report_dir is not None
        out = schedule.report_dir / day.isoformat()
        out.mkdir(parents=True, exist_ok=True)
        reports.append(daily_report(store, day, out, principal=principal))
    return {"bulletins": issued, "reports": reports}


# --------------------------------------------------------------------------- reading


def list_bulletins(store: Store, since: date | None = None, until: date | None = None, *,
                   principal: Principal) -> list[dict[str, Any]]:  # fmt: skip
    """Bulletins of the periods in [since, until) (UTC days): analysts every one; those
    who read published findings the reviewed (signed-off) ones."""
    require(principal, Permission.READ_ALL_INCIDENTS, Permission.READ_PUBLISHED_FINDINGS)
    kinds = () if principal.can(Permission.READ_ALL_INCIDENTS) else (REVIEWED,)
    with store.engine.connect() as conn:
        rows = rs.bulletins_between(conn, None if since is None else period_of(since)[0],
                                    None if until is None else period_of(until)[0],
                                    kinds=kinds)  # fmt: skip
    return [bulletin_view(r) for r in rows]


def get_bulletin(store: Store, bulletin_id: int, *, principal: Principal) -> dict[str, Any]:
    """One bulletin with its content and changes (:class:`NotVisible` when the caller may
    not see it)."""
    require(principal, Permission.READ_ALL_INCIDENTS, Permission.READ_PUBLISHED_FINDINGS)
    with store.engine.connect() as conn:
        row = rs.bulletin(conn, bulletin_id)
    if row is None or (row["kind"] != REVIEWED and not principal.can(
            Permission.READ_ALL_INCIDENTS)):  # fmt: skip
        raise NotVisible(f"no bulletin {bulletin_id}")
    return bulletin_view(row, with_content=True)


def render_bulletin(store: Store, bulletin_id: int, out_dir: Path, *,
                    principal: Principal) -> dict[str, Any]:  # fmt: skip
    """Write a bulletin to ``out_dir``: its JSON (``bulletin-<period>-v<version>.json``)
    and an HTML page rendered by the report package over the bulletin's incidents (the
    reviewed values for a reviewed bulletin)."""
    from trucewatch.app.reports import render_incidents

    found = get_bulletin(store, bulletin_id, principal=principal)
    day = date.fromisoformat(found["period"])
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"bulletin-{found['period']}-v{found['version']}"
    json_path = out_dir / f"{stem}.json"
    json_path.write_text(json.dumps(found, indent=1, sort_keys=True), encoding="utf-8")
    incidents = _as_incidents(store, day, found["content"]["incidents"])
    html_dir = out_dir / stem
    _, html = render_incidents(store, day, incidents, html_dir)
    return {**found, "json": str(json_path), "html": str(html)}


def _as_incidents(store: Store, day: date,
                  entries: Sequence[Mapping[str, Any]]) -> list[Incident]:  # fmt: skip
    """Incidents for rendering a bulletin: the stored record of each (the reviewed one's
    when reviewed, else the automatic one's)."""
    uids = [e["uid"] for e in entries]
    with store.engine.connect() as conn:
        reviewed = rs.reviewed(conn, uids)
        automatic = {i.uid: i for i in rs.automatic_between(conn, *period_of(day))}
    out = []
    for u in uids:
        if u in reviewed:
            out.append(incident_of_record(reviewed[u]["record"]))
        elif u in automatic:
            out.append(automatic[u])
    return out


def incident_of_record(record: Mapping[str, Any]) -> Incident:
    """An :class:`Incident` from its canonical record (:func:`trucewatch.codec.incident_record`)."""
    att = record.get("attribution") or {}
    cov = record.get("cov_km2") or [[1.0, 0.0], [0.0, 1.0]]
    return Incident(
        uid=record["uid"],
        time_start=datetime.fromisoformat(record["time_start"].replace("Z", "+00:00")),
        time_end=datetime.fromisoformat(record["time_end"].replace("Z", "+00:00")),
        location=PointLocation(lon=record["lon"], lat=record["lat"],
                               cov_km2=((cov[0][0], cov[0][1]), (cov[1][0], cov[1][1]))),
        kind=EventKind(record["kind"]), count=record.get("count"),
        confidence=record.get("confidence") or 0.0, status=IncidentStatus(record["status"]),
        attribution=Attribution(party=att.get("party", "undetermined"),
                                probabilities=att.get("probabilities") or {},
                                method=att.get("method") or ""),
        observation_uids=tuple(record.get("observations") or ()),
        source_kinds=tuple(SourceKind(s) for s in record.get("sources") or ()),
        sector=record.get("sector"), held_by=record.get("held_by"),
        line_distance_km=record.get("line_distance_km"),
        assessment=record.get("assessment") or {},
    )  # fmt: skip


__all__ = ["AUTOMATIC", "REVIEWED", "Schedule", "changes", "due", "get_bulletin",
           "issue_automatic", "list_bulletins", "render_bulletin", "run_due", "sign_off"]
