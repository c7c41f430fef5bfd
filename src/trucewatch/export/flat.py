"""The flat, ACLED-style row of an incident: one value per column, no nesting, so that a
spreadsheet or QGIS can filter and style by verdict, party or settlement.

Every export but GeoJSON writes these columns (CSV, GeoPackage, KML, GeoParquet), and so
does the API's CSV (:func:`rows` takes records from either). Columns, in order:

==========================  ==========================================================
``event_date``              UTC day of the start (YYYY-MM-DD)
``time_start``/``time_end`` the time window, ISO 8601 UTC
``latitude``/``longitude``  WGS84 degrees, 5 decimals (about 1 m)
``geo_precision``           ACLED's code from the 95% ellipse's semi-major axis:
                            1 within :data:`PRECISE_KM` (2 km), 2 within
                            :data:`NEAR_KM` (10 km), 3 beyond
``precision_km``            that semi-major axis (km, 2 decimals)
``event_type``              ``Explosions/Remote violence``, ``Battles`` (small arms),
                            ``Strategic developments`` (a flare) or ``Satellite fire``
                            (:data:`EVENT_TYPES`)
``sub_event_type``          the incident kind (``artillery``, ``mortar``, ...)
``count``                   rounds or detections counted
``responsible_party``       the attributed party, if any
``responsible_probability`` its probability (0-1, 3 decimals)
``confidence``              that the incident happened (0-1, 3 decimals)
``status``                  review status
``verdict``                 the worst verdict over the agreements in force
``agreement``, ``clause``   the agreement and clause of that verdict
``sector``, ``held_by``     sector of the line; party holding the location
``line_distance_km``        signed distance to the line (km, 2 decimals)
``settlement``              the nearest GeoNames settlement (≥ 1,000 inhabitants)
``settlement_km``           how far it is (km, 1 decimal)
``country``                 its country (ISO code)
``oblast``                  its oblast (Ukraine only; :data:`trucewatch.geo.gazetteer.
                            UA_OBLASTS`): the oblast of the nearest settlement, which
                            near an oblast border may differ from the point's own
``raion``                   empty: no district data is shipped (GeoNames' first-level
                            divisions only; no boundary data set of raions is at hand)
``sources``                 source kinds, ``;``-separated
``observations``            number of observations
``uid``                     the incident's identifier
==========================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from trucewatch.export.format import Record
from trucewatch.geo.gazetteer import get_gazetteer, nearest_places, oblast_of

COLUMNS: tuple[str, ...] = (
    "event_date", "time_start", "time_end", "latitude", "longitude", "geo_precision",
    "precision_km", "event_type", "sub_event_type", "count", "responsible_party",
    "responsible_probability", "confidence", "status", "verdict", "agreement", "clause",
    "sector", "held_by", "line_distance_km", "settlement", "settlement_km", "country",
    "oblast", "raion", "sources", "observations", "uid",
)  # fmt: skip
"""The flat columns, in order (see the module docstring)."""

PRECISE_KM = 2.0
"""Semi-major axis (km, 95%) up to which a location is ACLED geo-precision 1."""
NEAR_KM = 10.0
"""... and up to which it is geo-precision 2 (3 beyond)."""

EVENT_TYPES: dict[str, str] = {
    "small_arms": "Battles", "burst": "Battles", "shot": "Battles",
    "flare": "Strategic developments", "thermal_anomaly": "Satellite fire",
}  # fmt: skip
"""ACLED-style event type of an incident kind (the rest: ``Explosions/Remote violence``)."""
REMOTE_VIOLENCE = "Explosions/Remote violence"


def rows(records: Iterable[Record]) -> list[dict[str, Any]]:
    """The flat rows of incident records (:func:`trucewatch.codec.incident_record`, or
    the API's features' properties with ``lon``/``lat``), with their nearest settlements."""
    records = list(records)
    places = _places([r["lon"] for r in records], [r["lat"] for r in records])
    return [_row(r, p) for r, p in zip(records, places, strict=True)]


def _row(r: Record, place: dict[str, Any]) -> dict[str, Any]:
    party = r["attribution"]["party"]
    probability = (r["attribution"].get("probabilities") or {}).get(party) if party else None
    agreement, clause = _verdict_clause(r)
    semi_major = r["ellipse"]["semi_major_km"]
    n_obs = r.get("observation_count", len(r.get("observations") or ()))
    return {
        "event_date": r["time_start"][:10],
        "time_start": r["time_start"],
        "time_end": r["time_end"],
        "latitude": _round(r["lat"], 5),
        "longitude": _round(r["lon"], 5),
        "geo_precision": _precision(semi_major),
        "precision_km": _round(semi_major, 2),
        "event_type": EVENT_TYPES.get(r["kind"], REMOTE_VIOLENCE),
        "sub_event_type": r["kind"],
        "count": r["count"],
        "responsible_party": party,
        "responsible_probability": _round(probability, 3),
        "confidence": _round(r["confidence"], 3),
        "status": r["status"],
        "verdict": r.get("verdict"),
        "agreement": agreement,
        "clause": clause,
        "sector": r["sector"],
        "held_by": r["held_by"],
        "line_distance_km": _round(r["line_distance_km"], 2),
        **place,
        "raion": None,
        "sources": ";".join(r["sources"]),
        "observations": n_obs,
        "uid": r["uid"],
    }


def _verdict_clause(r: Record) -> tuple[str | None, str | None]:
    """The agreement and clause behind the incident's (worst) verdict."""
    verdict = r.get("verdict")
    entries = (r.get("assessment") or {}).get("agreements") or []
    for entry in entries:
        if verdict is not None and entry.get("verdict") == verdict:
            return entry.get("agreement"), entry.get("clause")
    return None, None


def _precision(semi_major_km: float | None) -> int | None:
    if semi_major_km is None or not np.isfinite(semi_major_km):
        return None
    return 1 if semi_major_km <= PRECISE_KM else 2 if semi_major_km <= NEAR_KM else 3


def _places(lon: Sequence[float], lat: Sequence[float]) -> list[dict[str, Any]]:
    """Nearest settlement, its distance (km), country and oblast of each point."""
    if not lon:
        return []
    gz = get_gazetteer()
    near = nearest_places(np.asarray(lon, float), np.asarray(lat, float), gazetteer=gz)
    out: list[dict[str, Any]] = []
    for i, d in zip(near.index.tolist(), near.distance_km.tolist(), strict=True):
        if i < 0:
            out.append({"settlement": None, "settlement_km": None, "country": None,
                        "oblast": None})  # fmt: skip
            continue
        country = str(gz.country[i])
        oblast = oblast_of(country, str(gz.admin1[i]))
        out.append({"settlement": str(gz.name[i]), "settlement_km": round(d, 1),
                    "country": country, "oblast": oblast})  # fmt: skip
    return out


def _round(x: float | None, digits: int) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), digits)
