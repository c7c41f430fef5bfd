"""Observer positions of parsed narrative records: gazetteer look-up with the stated offset.

The observer reference ("8km north-west of Donetsk") is resolved with
:func:`trucewatch.localize.geocode.resolve_place`, which moves from the reference settlement
by the offset and widens the uncertainty (about 15% of the distance along, 11.25 degrees
across). A place named without a reference is looked up by name, the homonym nearest to the
reference settlement or, failing that, to :data:`DEFAULT_ANCHOR` (Donetsk) winning: GeoNames
has several Pervomaisks and Petrivskes, and the one in the monitored area is meant. A place
described in words ("northern edge of the Zolote disengagement area") is resolved through a
settlement named inside it, with at least :data:`DESCRIBED_PLACE_SIGMA_KM` of uncertainty.
Places that cannot be resolved are reported in the record's ``geocode`` key, never dropped.
"""

from __future__ import annotations

import math
import re
from typing import Any

from trucewatch.geo.gazetteer import Place, find_place
from trucewatch.localize.geocode import Unresolved, resolve_place, settlement_sigma_km
from trucewatch.types import PlaceLocation, PointLocation

DEFAULT_ANCHOR: tuple[float, float] = (37.80, 48.02)
"""(lon, lat) of Donetsk: among homonyms, the settlement nearest to this wins."""

DESCRIBED_PLACE_SIGMA_KM = 3.0
"""Minimum position uncertainty (km) of a place resolved through a settlement named in a
longer description."""

_STRIP = re.compile(
    r"\b(?:city\s+cent(?:re|er)|centre|center|outskirts\s+of|(?:northern|southern|eastern|"
    r"western|north-eastern|north-western|south-eastern|south-western)\s+(?:edge|part|outskirts)"
    r"\s+of|town|city|village|settlement)\b",
    re.IGNORECASE,
)


def _names_in(text: str) -> list[str]:
    """Settlement-like names in a phrase: the whole phrase cleaned, then capitalized runs."""
    cleaned = re.sub(r"\s+", " ", _STRIP.sub(" ", text)).strip(" ,")
    out = [cleaned] if cleaned else []
    for m in re.finditer(r"\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*", text):
        for name in (m.group(0), *m.group(0).split("/")):
            if name not in out:
                out.append(name)
    for part in re.split(r"[/]", cleaned):
        if part and part not in out:
            out.append(part)
    return out


def _lookup(name: str, near: tuple[float, float]) -> Place | None:
    hit = find_place(name, near=near, countries=("UA",))
    return hit if hit is not None else find_place(name, near=near)


def locate_observer(
    place: str | None, ref_km: float | None, ref_direction: str | None, ref_of: str | None
) -> tuple[PointLocation | None, dict[str, Any]]:
    """Position (WGS84, isotropic or offset uncertainty in km) of an observer and a note
    ``{"resolved": bool, "via": name, "method": ..., "reason": ...}``."""
    if ref_of:
        for name in _names_in(ref_of):
            loc = resolve_place(
                PlaceLocation(
                    place=place or name, ref_km=ref_km, ref_direction=ref_direction, ref_of=name
                )
            )
            if isinstance(loc, PointLocation):
                exact = name == ref_of
                method = "reference offset" if ref_km else "reference settlement"
                if not exact:
                    loc = _widen(loc, DESCRIBED_PLACE_SIGMA_KM)
                    method += f" (settlement {name!r} named in {ref_of!r})"
                return loc, {"resolved": True, "via": name, "method": method}
    anchor = DEFAULT_ANCHOR
    if ref_of:
        hit = _lookup(_names_in(ref_of)[0], DEFAULT_ANCHOR) if _names_in(ref_of) else None
        if hit is not None:
            anchor = (hit.lon, hit.lat)
    if place:
        for i, name in enumerate(_names_in(place)):
            hit = _lookup(name, anchor)
            if hit is None:
                continue
            sigma = settlement_sigma_km(hit.population)
            method = "place name"
            if i > 0 or name != place:
                sigma = max(sigma, DESCRIBED_PLACE_SIGMA_KM)
                method = f"settlement {hit.name!r} named in {place!r}"
            return PointLocation.isotropic(hit.lon, hit.lat, sigma), {
                "resolved": True,
                "via": name,
                "method": method,
            }
    what = ref_of or place
    reason = Unresolved(place=place or "", reason=f"no gazetteer match for {what!r}").reason
    if what is None:
        reason = "no observer position in the passage"
    return None, {"resolved": False, "reason": reason}


def _widen(loc: PointLocation, sigma_km: float) -> PointLocation:
    (a, b), (c, d) = loc.cov_km2
    s2 = sigma_km**2
    return PointLocation(lon=loc.lon, lat=loc.lat, cov_km2=((max(a, s2), b), (c, max(d, s2))))


def geocode_record(record: dict[str, Any]) -> dict[str, Any]:
    """The record with ``observer_lon``/``observer_lat``/``observer_sigma_km`` (WGS84 degrees,
    km: the larger axis of the uncertainty) and a ``geocode`` note added."""
    ref = record.get("observer_reference") or {}
    loc, note = locate_observer(
        record.get("observer_place"), ref.get("km"), ref.get("direction"), ref.get("of")
    )
    out = dict(record)
    out["geocode"] = note
    if loc is not None:
        vals = loc.cov_km2[0][0], loc.cov_km2[1][1]
        out["observer_lon"] = round(loc.lon, 5)
        out["observer_lat"] = round(loc.lat, 5)
        out["observer_sigma_km"] = round(math.sqrt(max(vals)), 2)
    else:
        out.setdefault("unparsed", [])
        out["unparsed"] = [*out["unparsed"], *([] if note["reason"].startswith("no observer")
                                               else [f"geocode: {note['reason']}"])]  # fmt: skip
    return out
