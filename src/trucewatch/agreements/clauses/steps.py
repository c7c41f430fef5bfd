"""Checks shared by clause types: the time window, the zone around the line, an edge.

Times are aware datetimes (compared as instants, shown in UTC and in the agreement's local
time); distances in km.
"""

from __future__ import annotations

from datetime import UTC, datetime

from trucewatch.agreements.clauses.base import Check, IncidentFacts, Tri
from trucewatch.agreements.model import LoadedAgreement
from trucewatch.units import utc_label

__all__ = ["edge_check", "fmt_km", "kind_words", "time_check", "zone_check"]

_KIND_WORDS: dict[str, str] = {
    "explosion": "an explosion", "artillery": "artillery fire", "mortar": "mortar fire",
    "small_arms": "small-arms fire", "burst": "a burst of fire", "shot": "shots",
    "projectile": "a projectile", "flare": "an illumination flare",
    "grenade": "grenade fire", "undetermined": "an event of undetermined kind",
    "thermal_anomaly": "a satellite thermal anomaly",
}  # fmt: skip


def kind_words(kind: str) -> str:
    """An event kind in words ("artillery fire")."""
    return _KIND_WORDS.get(kind, kind.replace("_", " "))


def fmt_km(x: float) -> str:
    """A distance in km, one decimal."""
    return f"{x:.1f} km"


def _fmt_instant(t: datetime) -> str:
    utc = t.astimezone(UTC)
    local = f"{t:%Y-%m-%d %H:%M} {t.tzname() or ''}".strip()
    text = f"{utc:%Y-%m-%d %H:%M} UTC"
    return text if t.utcoffset() == utc.utcoffset() else f"{text} ({local})"


def time_check(f: IncidentFacts, start: datetime, end: datetime, what: str) -> Check:
    """Whole window in [start, end): yes; straddles start or end: cannot tell."""
    start, end, shown = start.astimezone(UTC), end.astimezone(UTC), (start, end)
    if f.t0 >= start and f.t1 < end:
        return Check(Tri.YES, "")
    if f.t1 < start or f.t0 >= end:
        edge = "before" if f.t1 < start else "after"
        when = _fmt_instant(shown[0] if edge == "before" else shown[1])
        return Check(Tri.NO, f"{what} {'starts' if edge == 'before' else 'ends'} at {when}")
    window = f"{utc_label(f.t0)} to {utc_label(f.t1)}"
    parts = []
    if f.t0 < start <= f.t1:
        parts.append(f"the start of {what} at {_fmt_instant(shown[0])}")
    if f.t0 < end <= f.t1:
        parts.append(f"the end of {what} at {_fmt_instant(shown[1])}")
    return Check(Tri.UNKNOWN, f"the incident's time window ({window}) straddles "
                 + " and ".join(parts))


def edge_check(d: float, limit: float, margin: float, inside: str, outside: str,
               near: str) -> Check:
    """Distance ``d`` (km) within ``limit`` (km) allowing ``margin`` (km) either way."""
    if d + margin <= limit:
        return Check(Tri.YES, inside)
    if d - margin > limit:
        return Check(Tri.NO, outside)
    return Check(Tri.UNKNOWN, near)


def zone_check(f: IncidentFacts, ag: LoadedAgreement, zone_name: str) -> Check:
    """Inside the zone ``zone_name`` (its half width either side of the line)?"""
    z = ag.zone(zone_name)
    label = (f"the {z.name} withdrawal zone (±{z.half_width_km:g} km)" if z.kind == "withdrawal"
             else f"the {z.name} zone (±{z.half_width_km:g} km)")
    if f.line_km is None:
        return Check(Tri.UNKNOWN, f"no contact line is known at the incident's time, so "
                     f"{label} cannot be checked")
    d, m = f.line_km, f.margin_km
    return edge_check(
        d, z.half_width_km, m,
        inside=f"{fmt_km(d)} from the line, inside {label}",
        outside=f"{fmt_km(d)} from the line, outside {label}",
        near=f"{fmt_km(d)} from the line, within the location uncertainty (±{fmt_km(m)}) "
             f"of the edge of {label}",
    )
