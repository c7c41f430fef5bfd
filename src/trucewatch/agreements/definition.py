"""The canonical definition of an agreement: the JSON-able dict the store keeps.

The same file always gives the same dict, whatever its location: times as local ISO
strings with their UTC instants, the sites embedded as canonical GeoJSON, plain JSON types
only. :func:`trucewatch.agreements.load.agreement_from_definition` reads it back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from trucewatch.agreements.model import (
    DEFINITION_VERSION,
    AgreementException,
    Clause,
    SiteSet,
)
from trucewatch.agreements.sites import canonical_geojson
from trucewatch.agreements.times import TimeZoneSpec, iso_local
from trucewatch.types import Agreement
from trucewatch.units import iso_utc

__all__ = ["COMPUTED_KEYS", "canonical_definition"]

COMPUTED_KEYS: tuple[str, ...] = ("definition_version", "start_utc", "end_utc")
"""Keys of the definition that are computed, not read (dropped when it is read back)."""


def canonical_definition(
    ag: Agreement,
    description: str,
    assumptions: list[str],
    zone: TimeZoneSpec | None,
    sites: SiteSet | None,
    clauses: Sequence[Clause],
    exceptions: Sequence[AgreementException],
) -> dict[str, Any]:
    """The canonical definition of a validated agreement (``zone``: its named time zone,
    if the file gave one)."""
    d: dict[str, Any] = {
        "definition_version": DEFINITION_VERSION,
        "schema_version": 1,
        "slug": ag.slug,
        "version": ag.version,
        "name": ag.name,
        "status": ag.status,
        "description": description,
        "source": ag.source,
        "assumptions": assumptions,
        "start": iso_local(ag.start),
        "end": iso_local(ag.end),
        "start_utc": iso_utc(ag.start),
        "end_utc": iso_utc(ag.end),
        "scope": ag.scope,
        "parties": [{"code": p.code, "name": p.name} for p in ag.parties],
        "zones": [
            {k: v for k, v in {
                "name": z.name, "kind": z.kind, "half_width_km": z.half_width_km,
                "weapon_class": z.weapon_class, "description": z.description,
            }.items() if v not in (None, "")}
            for z in ag.zones
        ],
        "clauses": [
            {k: v for k, v in {
                "id": c.id, "text": c.text, "prohibits": list(c.prohibits),
                "zone": c.zone,
                "start": iso_local(c.start) if c.start else None,
                "end": iso_local(c.end) if c.end else None,
            }.items() if v is not None}
            for c in clauses
        ],
        "exceptions": [
            {"id": e.id, "text": e.text, "kind": e.kind, "clauses": list(e.clauses)}
            for e in exceptions
        ],
    }
    if zone is not None:
        d["timezone"] = zone.name
    if sites is not None:
        d["sites"] = {
            "file": sites.file,
            "buffer_km": sites.buffer_km,
            "label": sites.label,
            "sha256": sites.sha256,
            "geojson": canonical_geojson(sites),
        }
    # plain JSON types only (tuples -> lists), so that a stored copy compares equal
    result: dict[str, Any] = json.loads(json.dumps(d, ensure_ascii=False))
    return result
