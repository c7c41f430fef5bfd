"""Core objects -> API models, leaving out what the caller's role may not see."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from trucewatch.api.auth import Permission, Principal
from trucewatch.api.schemas import IncidentFeature, MediaModel, ObservationModel, SourceSummary
from trucewatch.app.views.features import FEATURE_PROPERTIES, feature_from_row
from trucewatch.app.views.observations import BatchInfo, StoredObservation
from trucewatch.codec import incident_record, json_value, location_to_dict
from trucewatch.export import csv as csv_export
from trucewatch.export import geojson
from trucewatch.types import Incident

__all__ = [
    "CSV_COLUMNS", "FEATURE_PROPERTIES", "feature_from_row", "incident_feature", "incidents_csv",
    "observation_model", "sees_everything_of", "source_summaries",
]  # fmt: skip

CSV_COLUMNS: tuple[str, ...] = csv_export.COLUMNS
"""Columns of the incident list as CSV: the flat columns of ``trucewatch export incidents
--format csv`` (:mod:`trucewatch.export.flat`), byte for byte the same rows."""


def incident_feature(inc: Incident, observation_count: int | None = None) -> IncidentFeature:
    """An incident as a GeoJSON point feature with its 95% ellipse."""
    record = incident_record(inc, observation_count=observation_count)
    return IncidentFeature.model_validate(geojson.feature(record, FEATURE_PROPERTIES))


def incidents_csv(features: Iterable[dict[str, Any]]) -> str:
    """CSV text with the columns :data:`CSV_COLUMNS`, from features as made by
    :func:`feature_from_row`."""
    records = ({**f["properties"], "lon": f["geometry"]["coordinates"][0],
                "lat": f["geometry"]["coordinates"][1]} for f in features)  # fmt: skip
    return csv_export.encode(records, columns=CSV_COLUMNS)


def sees_everything_of(principal: Principal, batch: BatchInfo | None) -> bool:
    """Whether the caller may see an observation's full content: analysts, and the
    holder who submitted it."""
    if principal.can(Permission.READ_ALL_OBSERVATIONS):
        return True
    return batch is not None and batch.submitter == principal.name


def observation_model(
    stored: StoredObservation,
    principal: Principal,
    batch: BatchInfo | None,
    *,
    incidents: Sequence[str] | None = None,
    ledger_entries: Sequence[int] | None = None,
    media: Sequence[dict[str, Any]] | None = None,
) -> ObservationModel:
    """An observation for ``principal``: in full, or (a liaison reading findings) only
    what identifies it and what the ledger proves: no payload, position or source id."""
    o = stored.observation
    full = sees_everything_of(principal, batch)
    base: dict[str, Any] = {
        "uid": o.uid,
        "source_kind": o.source_kind.value,
        "source_format": o.source_format,
        "time_start": o.time_start,
        "time_end": o.time_end,
        "kind": o.kind.value,
        "count": o.count,
        "weapon": o.weapon,
        "flow": None if o.flow is None else o.flow.value,
        "reliability": o.reliability,
        "credibility": o.credibility,
        "payload_sha256": o.payload_sha256,
        "incidents": None if incidents is None else list(incidents),
        "ledger_entries": None if ledger_entries is None else list(ledger_entries),
    }
    if full:
        base.update(
            source_id=o.source_id,
            location=json_value(location_to_dict(o.location)),
            payload=o.payload,
            attributes=json_value(o.attributes),
            batch_id=stored.batch_id,
            submitted_by=None if batch is None else batch.submitter,
            media=None if media is None else [MediaModel(**m) for m in media],
        )
    return ObservationModel(**base)


def source_summaries(
    evidence: Sequence[StoredObservation], principal: Principal
) -> list[SourceSummary]:
    """Observations per source (kind and id; the id only for those who see it)."""
    full = principal.can(Permission.READ_ALL_OBSERVATIONS)
    groups: dict[tuple[str, str | None], list[StoredObservation]] = {}
    for s in evidence:
        key = (s.observation.source_kind.value, s.observation.source_id if full else None)
        groups.setdefault(key, []).append(s)
    return [
        SourceSummary(
            source_kind=kind,
            source_id=sid,
            observations=len(items),
            reliability=sorted({s.observation.reliability for s in items}),
            credibility=sorted({s.observation.credibility for s in items}),
        )
        for (kind, sid), items in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
    ]
