"""Use cases shared by the command line, the demo and (later) the API.

Each function takes an open :class:`~trucewatch.store.Store`, does one job and returns a
plain dict (the ``--json`` result of the matching command). Progress is reported through
an optional callback so the core stays free of terminal code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from shapely import wkt

from trucewatch import sources
from trucewatch.agreements import LoadedAgreement, agreement_from_definition, load_agreement
from trucewatch.assess.agreement import AssessContext, attach_assessments
from trucewatch.errors import InputError, RecordError
from trucewatch.fusion import FusionResult, PlaceContext, fuse_observations
from trucewatch.geo.contact_line import derive, read_line_file
from trucewatch.geo.lookup import LineContext
from trucewatch.geo.outline import load_country_outline
from trucewatch.geo.projection import geodesic_length_km
from trucewatch.geo.sectors import cut_sectors
from trucewatch.roles import (
    OPERATOR,
    Permission,
    PermissionDenied,
    Principal,
    as_complaint,
    require,
    submits_complaints,
)
from trucewatch.store import Store
from trucewatch.types import ContactLine, Observation, Sector

Progress = Callable[[str, int, int], None]
"""Progress callback: (task description, done, total)."""

SECTOR_REACH_KM = 50.0
"""An incident belongs to the sector of the nearest point of the line only within this
distance of the line (km); further away (a field fire near Lviv) it is outside sectors."""

LINE_WKT_PRECISION = 6
"""Decimal places of stored WGS84 coordinates (about 0.1 m)."""


def _no_progress(_task: str, _done: int, _total: int) -> None:
    return None


# ---------------------------------------------------------------------- contact lines


def valid_from_of(path: Path, geometry_hint: dict[str, Any] | None = None) -> date | None:
    """The date a control map or line is valid from, read from the file name
    (``..._YYYYMMDD`` or ``..._YYYY-MM-DD``) or from the latest ``EditDate`` property."""
    m = re.search(r"(20\d\d)-?(\d\d)-?(\d\d)(?!\d)", path.stem)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    if geometry_hint and geometry_hint.get("edit_date"):
        return date.fromisoformat(str(geometry_hint["edit_date"])[:10])
    return None


def _latest_edit_date(path: Path) -> str | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    dates = [
        str(f.get("properties", {}).get("EditDate"))
        for f in doc.get("features", [])
        if f.get("properties", {}).get("EditDate")
    ]
    return max(dates) if dates else None


def import_line(
    store: Store,
    path: Path,
    *,
    valid_from: date | None = None,
    name: str | None = None,
    country: Path | None = None,
    sector_km: float = 50.0,
    controlled_by: str = "RU",
    other_party: str = "UA",
    principal: Principal = OPERATOR,
) -> dict[str, Any]:
    """Import a control-area file (deriving the contact line) or a line file, cut it into
    sectors and store it, versioned by ``valid_from``."""
    require(principal, Permission.MANAGE_MISSION)
    kind, geom = read_line_file(path)
    if valid_from is None:
        valid_from = valid_from_of(path, {"edit_date": _latest_edit_date(path)})
    if valid_from is None:
        raise InputError(
            RecordError(str(path), None, "valid_from",
                        "no date in the file name or EditDate; give --valid-from YYYY-MM-DD")
        )  # fmt: skip
    control = country_geom = None
    line = geom
    if kind == "control":
        derived = derive(geom, load_country_outline(country))
        line, control, country_geom = derived.line, derived.control, derived.country
    if line.is_empty:
        raise InputError(
            RecordError(str(path), None, "geometry",
                        "no line of contact: the control area touches no land of the other party")
        )  # fmt: skip
    pieces = cut_sectors(line, target_km=sector_km)
    contact = ContactLine(
        id=None,
        name=name or path.stem,
        valid_from=valid_from,
        length_km=round(geodesic_length_km(line), 3),
        geometry_wkt=wkt.dumps(line, rounding_precision=LINE_WKT_PRECISION),
        controlled_by=controlled_by,
        other_party=other_party,
        control_wkt=None if control is None else wkt.dumps(control, rounding_precision=6),
        country_wkt=None if country_geom is None else wkt.dumps(country_geom, rounding_precision=5),
        source=str(path),
    )
    sectors = [
        Sector(
            line_id=0,
            index=p.index,
            name=p.name,
            start_km=round(p.start_km, 3),
            end_km=round(p.end_km, 3),
            geometry_wkt=wkt.dumps(p.geometry, rounding_precision=LINE_WKT_PRECISION),
        )
        for p in pieces
    ]
    line_id, status = store.add_line(contact, sectors)
    return {
        "line_id": line_id,
        "name": contact.name,
        "valid_from": valid_from.isoformat(),
        "length_km": contact.length_km,
        "sectors": len(sectors),
        "derived_from": kind,
        "status": status,
    }


class StoredLines:
    """The stored contact lines as a :class:`~trucewatch.fusion.ContextLookup`: every
    lookup uses the line valid on the point's day."""

    def __init__(self, lines: Sequence[ContactLine], sectors: dict[int, list[Sector]]) -> None:
        self._lines = sorted(lines, key=lambda ln: ln.valid_from)
        self._sectors = sectors
        self._contexts: dict[int, LineContext] = {}

    @classmethod
    def from_store(cls, store: Store) -> StoredLines:
        lines = store.lines()
        return cls(lines, {ln.id: store.sectors(ln.id) for ln in lines if ln.id is not None})

    def __bool__(self) -> bool:
        return bool(self._lines)

    def line_on(self, day: date) -> ContactLine | None:
        """The line valid on ``day`` (latest ``valid_from <= day``)."""
        valid = [ln for ln in self._lines if ln.valid_from <= day]
        return valid[-1] if valid else None

    def context(self, line: ContactLine) -> LineContext:
        assert line.id is not None
        if line.id not in self._contexts:
            self._contexts[line.id] = LineContext.from_stored(line, self._sectors[line.id])
        return self._contexts[line.id]

    def parties(self, day: date) -> tuple[str, str] | None:
        line = self.line_on(day)
        return None if line is None else (line.controlled_by, line.other_party)

    def locate(self, lon: np.ndarray, lat: np.ndarray, days: Sequence[date]) -> PlaceContext:
        n = len(lon)
        held = np.full(n, None, dtype=object)
        dist = np.full(n, np.nan)
        sector = np.full(n, None, dtype=object)
        line_ids = np.array([_id_or_minus(self.line_on(d)) for d in days], dtype=int)
        for line in self._lines:
            mask = line_ids == line.id
            if not mask.any():
                continue
            res = self.context(line).locate(np.asarray(lon)[mask], np.asarray(lat)[mask])
            held[mask] = res.held_by
            dist[mask] = res.distance_km
            near = np.abs(res.distance_km) <= SECTOR_REACH_KM
            sector[np.flatnonzero(mask)[near]] = res.sector_name[near]
        return PlaceContext(held_by=held, distance_km=dist, sector=sector)


def _id_or_minus(line: ContactLine | None) -> int:
    return -1 if line is None or line.id is None else line.id


# ---------------------------------------------------------------------- observations


def import_files(
    store: Store,
    paths: Sequence[Path],
    *,
    format: str | None = None,
    skip_bad: bool = False,
    progress: Progress = _no_progress,
    principal: Principal = OPERATOR,
    signatures: Path | None = None,
    require_signatures: bool = False,
) -> dict[str, Any]:
    """Import files in one transaction: every accepted observation of every file is
    stored, or nothing (a bad record fails the whole import unless ``skip_bad``).
    Files are streamed, not held in memory. Re-importing stores nothing new.

    ``principal``: who submits (:mod:`trucewatch.roles`): a party's liaison may import only
    patrol records, stored as that party's complaints. ``signatures``: a JSON Lines file of
    ``{"payload_sha256", "signer", "signature"}`` (``trucewatch key sign-file``), each
    checked against the keys registered with the mission before anything is stored; the
    signer and signature go into each observation's log entry. ``require_signatures``:
    refuse the import unless every record is signed by an active submitter key."""
    complaints = submits_complaints(principal)
    streams = [sources.stream_file(p, format, skip_bad=skip_bad) for p in paths]
    if complaints:
        for stream in streams:
            if stream.format != "patrol":
                raise PermissionDenied(f"{stream.path}: a party's complaints are patrol "
                                       f"records, not {stream.format!r} records")  # fmt: skip
    signed = read_signatures(signatures) if signatures is not None else {}
    errors: list[RecordError] = []
    with store.import_batch([str(p) for p in paths]) as batch:
        batch.signatures = _checked_signatures(store, batch.conn, signed, signatures)
        for k, stream in enumerate(streams):
            progress(f"importing {stream.path.name}", k, len(streams))
            items: Iterator[Observation] = iter(stream)
            if complaints:
                assert principal.party is not None
                items = (as_complaint(o, principal.party) for o in items)
            if require_signatures:
                items = _signed_only(items, batch.signatures, stream.path)
            batch.add(items)
            batch.finish(read=stream.read, rejected=len(stream.errors))
            errors.extend(stream.errors)
        progress("committing", len(streams), len(streams))
    return {
        "read": batch.read,
        "stored": batch.counts.stored,
        "duplicates": batch.counts.duplicates,
        "rejected": len(errors),
        "signatures": len(batch.signatures),
        "as": {"role": principal.role.value, "party": principal.party},
        "errors": [e.as_dict() for e in errors],
    }


def read_signatures(path: Path) -> dict[str, tuple[str, str]]:
    """``payload_sha256 -> (signer, signature)`` from a signatures file (JSON Lines); a
    bad line is an :class:`InputError` naming it."""
    out: dict[str, tuple[str, str]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(RecordError(str(path), None, None,
                                     f"cannot read file: {exc.strerror or exc}")) from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            digest, signer, sig = rec["payload_sha256"], rec["signer"], rec["signature"]
        except (ValueError, TypeError, KeyError) as exc:
            field = exc.args[0] if isinstance(exc, KeyError) else "json"
            raise InputError(RecordError(str(path), number, str(field),
                                         "expected {payload_sha256, signer, signature}")) from exc
        if not all(isinstance(v, str) for v in (digest, signer, sig)):
            raise InputError(RecordError(str(path), number, "signature", "values must be text"))
        out[digest.lower()] = (signer.lower(), sig.lower())
    return out


def _checked_signatures(store: Store, conn: Any, signed: dict[str, tuple[str, str]],
                        path: Path | None) -> dict[str, tuple[str, str]]:  # fmt: skip
    """Check each signature against the registered keys (in the import's transaction)."""
    from trucewatch.ledger.errors import LedgerError

    for number, (digest, (signer, sig)) in enumerate(signed.items(), start=1):
        try:
            store.ledger.check_submission_digest(conn, digest, signer, sig)
        except LedgerError as exc:
            raise InputError(RecordError(str(path), number, "signature",
                                         f"payload {digest[:12]}...: {exc}")) from exc
    return signed


def _signed_only(items: Iterator[Observation], signed: dict[str, tuple[str, str]],
                 path: Path) -> Iterator[Observation]:  # fmt: skip
    for o in items:
        if o.payload_sha256 not in signed:
            index = o.attributes.get("event_index")
            raise InputError(RecordError(
                str(path), None, "signature",
                f"record {o.payload_sha256[:12]}... (event {index or 0}) is not signed by a "
                "registered key; signatures are required"))
        yield o


# ---------------------------------------------------------------------- agreements


def add_agreement(store: Store, path: Path, *, principal: Principal = OPERATOR
                  ) -> dict[str, Any]:  # fmt: skip
    """Validate an agreement file and store it (a re-added identical file is unchanged)."""
    require(principal, Permission.MANAGE_MISSION)
    loaded = load_agreement(path)
    agreement_id, created = store.add_agreement(loaded.agreement, loaded.definition)
    return {
        "agreement_id": agreement_id,
        "created": created,
        "slug": loaded.slug,
        "name": loaded.name,
        "version": loaded.agreement.version,
        "scope": loaded.scope,
        "start_utc": loaded.definition.get("start_utc"),
        "end_utc": loaded.definition.get("end_utc"),
        "clauses": len(loaded.clauses),
        "zones": [z.name for z in loaded.zones],
    }


def stored_agreements(store: Store) -> list[LoadedAgreement]:
    """Every stored agreement, rebuilt from its stored definition."""
    return [
        agreement_from_definition(definition, agreement_id=agreement_id)
        for agreement_id, definition in store.agreement_definitions()
    ]


def agreements_in_force(
    agreements: Sequence[LoadedAgreement], start: datetime, end: datetime
) -> list[LoadedAgreement]:
    """Agreements in force at some instant of [start, end)."""
    return [a for a in agreements if a.start < end and a.end > start]


# ---------------------------------------------------------------------- fusion


def utc_bounds(since: datetime | None, until: datetime | None) -> tuple[Any, Any]:
    """Both bounds as aware UTC datetimes (a naive time is taken as UTC)."""

    def norm(t: datetime | None) -> datetime | None:
        if t is None:
            return None
        return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)

    return norm(since), norm(until)


def fuse(
    store: Store, since: datetime | None = None, until: datetime | None = None, *,
    principal: Principal = OPERATOR,
) -> dict[str, Any]:
    """Re-fuse the observations starting in [since, until) and replace their incidents."""
    require(principal, Permission.MANAGE_MISSION)
    since, until = utc_bounds(since, until)
    observations = store.observations(since, until)
    lines = StoredLines.from_store(store)
    result: FusionResult = fuse_observations(observations, lines if lines else None)
    agreements = stored_agreements(store)
    incidents = attach_assessments(
        result.incidents, agreements, AssessContext(lines=lines if lines else None)
    )
    store.replace_incidents(incidents, since, until)
    by_status: dict[str, int] = {}
    verdicts: dict[str, int] = {}
    for inc in incidents:
        by_status[inc.status.value] = by_status.get(inc.status.value, 0) + 1
        verdict = inc.assessment.get("agreement_verdict")
        if verdict:
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
    return {
        "observations": len(observations),
        "incidents": len(incidents),
        "by_status": by_status,
        "agreements": len(agreements),
        "by_verdict": verdicts,
        "unresolved": [{"observation": uid, "reason": why} for uid, why in result.unresolved],
        "lines": len(store.lines()),
    }


# ---------------------------------------------------------------------- reports


DATA_SOURCES = {
    "satellite_thermal": "Satellite fire detections: NASA FIRMS (public domain).",
    "patrol": "Patrol observations as submitted (synthetic where so labelled).",
}


def _incident_history(store: Store, day: date, days: int) -> list[tuple[date, int]]:
    """Incidents per day for up to ``days`` days before ``day`` and the day itself,
    starting no earlier than the first day with any observation (days before the data
    begin are unknown, not quiet)."""
    first = day - timedelta(days=days)
    earliest = store.first_observation_time(datetime(first.year, first.month, first.day,
                                                     tzinfo=UTC))  # fmt: skip
    if earliest is not None:
        first = max(first, min(earliest.date(), day))
    per_day = store.incident_counts_per_day(first, day + timedelta(days=1))
    span = (day - first).days
    return [(first + timedelta(days=k), per_day.get(first + timedelta(days=k), 0))
            for k in range(span + 1)]  # fmt: skip


def daily_report(
    store: Store, day: date, out_dir: Path, *, history_days: int = 14,
    principal: Principal = OPERATOR,
) -> dict[str, Any]:
    """Write the daily report for the UTC day ``day`` into ``out_dir`` (publishing it:
    the report is logged in the ledger)."""
    require(principal, Permission.MANAGE_MISSION)
    from trucewatch.report import DailyReportInput, write_daily_report

    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    end = start + timedelta(days=1)
    incidents = store.incidents(start, end)
    history = _incident_history(store, day, history_days)
    line = store.line_valid_on(day)
    sectors = store.sectors(line.id) if line is not None and line.id is not None else []
    counts = store.observation_counts_by_source(start, end)
    data_sources = [DATA_SOURCES[k] for k in sorted(counts) if k in DATA_SOURCES]
    if line is not None:
        data_sources.append(f"Contact line: {line.name} (valid from {line.valid_from}), "
                            "derived from control-area maps (DeepStateMap / ISW).")
        if line.country_wkt:
            data_sources.append("Country outline: © OpenStreetMap contributors (ODbL).")
    in_force = agreements_in_force(stored_agreements(store), start, end)
    inp = DailyReportInput(
        day=day,
        generated_at=datetime.now(UTC),
        incidents=incidents,
        history=history,
        history_by_sector=None,
        sectors=sectors,
        line_wkt=None if line is None else line.geometry_wkt,
        control_wkt=None if line is None else line.control_wkt,
        line_name="" if line is None else line.name,
        line_valid_from=None if line is None else line.valid_from,
        controlled_by="RU" if line is None else line.controlled_by,
        other_party="UA" if line is None else line.other_party,
        agreements=[a.agreement for a in in_force],
        observation_counts=counts,
        data_sources=data_sources,
    )
    paths = write_daily_report(inp, out_dir)
    log_index = store.log_publication(f"daily-report:{day.isoformat()}", paths.json.read_bytes())
    return {
        "date": day.isoformat(),
        "incidents": len(incidents),
        "html": str(paths.html),
        "json": str(paths.json),
        "ledger_index": log_index,
    }

