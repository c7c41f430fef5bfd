"""Core objects -> API models, leaving out what the caller's role may not see."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from datetime import UTC
from types import SimpleNamespace
from typing import Any

from trucewatch.api.auth import Permission, Principal
from trucewatch.api.schemas import IncidentFeature, ObservationModel, SourceSummary
from trucewatch.app.views.observations import BatchInfo, StoredObservation
from trucewatch.codec import iso_utc, location_to_dict
from trucewatch.export import CSV_COLUMNS
from trucewatch.types import Incident


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


CHI2_95 = math.sqrt(-2.0 * math.log(1.0 - 0.95))
"""Scale from standard deviations to the 95% ellipse of a 2-D Gaussian."""


def ellipse95(ee: float, en: float, nn: float) -> dict[str, float | None]:
    """The 95% ellipse of the covariance [[ee, en], [en, nn]] (km², east/north), in closed
    form (the same numbers as :meth:`trucewatch.types.Ellipse.from_cov`)."""
    if not all(math.isfinite(v) for v in (ee, en, nn)):
        return {"semi_major_km": None, "semi_minor_km": None, "orientation_deg": None,
                "confidence": 0.95}  # fmt: skip
    mid, half = (ee + nn) / 2.0, math.hypot((ee - nn) / 2.0, en)
    big, small = max(mid + half, 0.0), max(mid - half, 0.0)
    if en != 0.0:
        east, north = en, big - ee
    else:
        east, north = (1.0, 0.0) if ee >= nn else (0.0, 1.0)
    return {
        "semi_major_km": CHI2_95 * math.sqrt(big),
        "semi_minor_km": CHI2_95 * math.sqrt(small),
        "orientation_deg": math.degrees(math.atan2(east, north)) % 180.0,
        "confidence": 0.95,
    }


def _time(value: Any) -> str:
    return iso_utc(value.replace(tzinfo=UTC) if value.tzinfo is None else value)


def feature_from_row(r: Any, observation_count: int) -> dict[str, Any]:
    """An ``incidents`` row as a GeoJSON feature (the :class:`IncidentFeature` shape),
    without building core objects: the fast path of the incident list."""
    att = r.attribution if isinstance(r.attribution, dict) else {}
    assessment = _json_safe(r.assessment) if isinstance(r.assessment, dict) else {}
    return {
        "type": "Feature",
        "id": r.uid,
        "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
        "properties": {
            "uid": r.uid,
            "time_start": _time(r.time_start),
            "time_end": _time(r.time_end),
            "kind": r.kind,
            "count": r.count,
            "confidence": _finite(r.confidence),
            "status": r.status,
            "attribution": {
                "party": att.get("party", r.attribution_party),
                "probabilities": _json_safe(att.get("probabilities", {})),
                "method": att.get("method", ""),
            },
            "sources": list(r.source_kinds or ()),
            "observation_count": observation_count,
            "sector": r.sector,
            "held_by": r.held_by,
            "line_distance_km": _finite(r.line_distance_km),
            "ellipse": ellipse95(r.cov_ee, r.cov_en, r.cov_nn),
            "verdict": assessment.get("agreement_verdict"),
            "assessment": assessment,
        },
    }


def incident_feature(inc: Incident, observation_count: int | None = None) -> IncidentFeature:
    """An incident as a GeoJSON point feature with its 95% ellipse."""
    n = len(inc.observation_uids) if observation_count is None else observation_count
    (ee, en), (_, nn) = inc.location.cov_km2
    row = SimpleNamespace(
        uid=inc.uid, time_start=inc.time_start, time_end=inc.time_end,
        lon=inc.location.lon, lat=inc.location.lat, cov_ee=ee, cov_en=en, cov_nn=nn,
        kind=inc.kind.value, count=inc.count, confidence=inc.confidence,
        status=inc.status.value, attribution_party=inc.attribution.party,
        attribution={"party": inc.attribution.party,
                     "probabilities": inc.attribution.probabilities,
                     "method": inc.attribution.method},
        source_kinds=[k.value for k in inc.source_kinds], sector=inc.sector,
        held_by=inc.held_by, line_distance_km=inc.line_distance_km,
        assessment=inc.assessment,
    )  # fmt: skip
    return IncidentFeature.model_validate(feature_from_row(row, n))


def incidents_csv(features: Iterable[dict[str, Any]]) -> str:
    """CSV text with the columns of ``trucewatch export incidents --format csv``
    (plus the verdict), from features as made by :func:`feature_from_row`."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*CSV_COLUMNS, "verdict"], lineterminator="\n")
    writer.writeheader()
    for f in features:
        p, ell = f["properties"], f["properties"]["ellipse"]
        writer.writerow({
            "uid": p["uid"], "time_start": p["time_start"], "time_end": p["time_end"],
            "lon": f["geometry"]["coordinates"][0], "lat": f["geometry"]["coordinates"][1],
            "semi_major_km": _round(ell["semi_major_km"], 3),
            "semi_minor_km": _round(ell["semi_minor_km"], 3),
            "orientation_deg": _round(ell["orientation_deg"], 1),
            "kind": p["kind"], "count": p["count"], "confidence": p["confidence"],
            "status": p["status"], "attribution_party": p["attribution"]["party"],
            "sector": p["sector"], "held_by": p["held_by"],
            "line_distance_km": p["line_distance_km"], "sources": ";".join(p["sources"]),
            "observations": p["observation_count"], "verdict": p["verdict"],
        })  # fmt: skip
    return out.getvalue()


def _round(x: float | None, nd: int) -> float | None:
    return None if x is None else round(x, nd)


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
            location=_json_safe(location_to_dict(o.location)),
            payload=o.payload,
            attributes=_json_safe(o.attributes),
            batch_id=stored.batch_id,
            submitted_by=None if batch is None else batch.submitter,
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


def _json_safe(value: Any) -> Any:
    """NaN/inf -> None, recursively (JSON has no NaN)."""
    if isinstance(value, float):
        return _finite(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value
