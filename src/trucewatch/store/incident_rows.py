"""Incidents in rows: an :class:`~trucewatch.types.Incident` to and from its ``incidents``
row (location in WGS84 degrees, covariance in km² east/north, times UTC), and its links to
the observations fused into it (``incident_observations``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from trucewatch.store import schema as t
from trucewatch.store.util import chunks
from trucewatch.types import (
    Attribution,
    EventKind,
    Incident,
    IncidentStatus,
    PointLocation,
    SourceKind,
)
from trucewatch.units import as_utc


def incident_row(i: Incident, fused_at: datetime) -> dict[str, Any]:
    """The ``incidents`` row of an incident fused at ``fused_at`` (UTC); its links to
    observations go to ``incident_observations``."""
    cov = i.location.cov_km2
    return {
        "uid": i.uid,
        "time_start": i.time_start,
        "time_end": i.time_end,
        "lon": i.location.lon,
        "lat": i.location.lat,
        "cov_ee": cov[0][0],
        "cov_en": cov[0][1],
        "cov_nn": cov[1][1],
        "kind": i.kind.value,
        "count": i.count,
        "confidence": i.confidence,
        "status": i.status.value,
        "attribution_party": i.attribution.party,
        "attribution": {
            "party": i.attribution.party,
            "probabilities": i.attribution.probabilities,
            "method": i.attribution.method,
        },
        "source_kinds": [s.value for s in i.source_kinds],
        "sector": i.sector,
        "held_by": i.held_by,
        "line_distance_km": i.line_distance_km,
        "assessment": i.assessment,
        "fused_at": fused_at,
    }


def observation_links(conn: Connection, incident_uids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Incident uid -> uids of its observations (sorted)."""
    c = t.incident_observations.c
    links: dict[str, list[str]] = {}
    for chunk in chunks(incident_uids, 5_000):
        query = select(c.incident_uid, c.observation_uid).where(c.incident_uid.in_(chunk))
        for inc, obs in conn.execute(query.order_by(c.incident_uid, c.observation_uid)):
            links.setdefault(inc, []).append(obs)
    return {k: tuple(v) for k, v in links.items()}


def incident_from_row(r: Any, observation_uids: Iterable[str]) -> Incident:
    """An :class:`Incident` from an ``incidents`` row (UTC restored on SQLite)."""
    att = r.attribution if isinstance(r.attribution, dict) else {}
    return Incident(
        uid=r.uid,
        time_start=as_utc(r.time_start),
        time_end=as_utc(r.time_end),
        location=PointLocation(
            lon=r.lon, lat=r.lat, cov_km2=((r.cov_ee, r.cov_en), (r.cov_en, r.cov_nn))
        ),
        kind=EventKind(r.kind),
        count=r.count,
        confidence=r.confidence,
        status=IncidentStatus(r.status),
        attribution=Attribution(
            party=att.get("party", r.attribution_party),
            probabilities=att.get("probabilities", {}),
            method=att.get("method", ""),
        ),
        observation_uids=tuple(observation_uids),
        source_kinds=tuple(SourceKind(s) for s in (r.source_kinds or ())),
        sector=r.sector,
        held_by=r.held_by,
        line_distance_km=r.line_distance_km,
        assessment=r.assessment if isinstance(r.assessment, dict) else {},
    )
