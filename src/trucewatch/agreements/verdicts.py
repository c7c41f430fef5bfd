"""Assessment of incidents against agreements: violation, permitted or undetermined.

For each agreement in force at some instant of an incident's time window, each clause is
checked in four steps, each answering yes, no or "cannot tell":

1. **time**: is the incident's whole window inside the clause's period (the agreement's
   [start, end), narrowed by the clause's own start/end)? A window that straddles the
   start or the end cannot be judged against the exact instant: "cannot tell".
2. **kind**: is this kind of event what the scope covers? (``general``/``sea``: fire;
   ``protected_sites``: strikes; ``air``: air and drone strikes; a satellite thermal
   anomaly counts only when judged war-related, see :class:`AssessContext`.)
3. **place**: is it where the scope applies (within the buffer of a protected site; at
   sea) and inside the clause's zone (distance to the contact line)? Places closer to an
   edge than the location uncertainty (``boundary_z`` standard deviations along the
   worst axis) are "cannot tell".
4. **party**: fire attributed to a party not bound by the agreement cannot be its
   violation.

A clause is violated when every step says yes; permitted when one says no; otherwise
undetermined. The agreement's verdict is its worst clause (violation > undetermined >
permitted). The verdict is about the incident as described: whether it happened is its
confidence and status. Exceptions (self-defence) are quoted, never judged.

Distances in km; times compared as exact instants; locations WGS84.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np

from trucewatch.agreements.load import as_loaded
from trucewatch.agreements.model import Clause, LoadedAgreement
from trucewatch.agreements.sea import COAST, LAND, DefaultLand, LandTest, sea_state
from trucewatch.agreements.sites import SiteIndex
from trucewatch.types import UNDETERMINED_PARTY, Agreement, EventKind, Incident, IncidentStatus

if TYPE_CHECKING:
    from trucewatch.geo.history import ContextLookup

__all__ = [
    "AIR_STRIKE_KINDS",
    "ASSESSMENT_VERSION",
    "FIRE_KINDS",
    "STRIKE_KINDS",
    "AssessContext",
    "Assessment",
    "Verdict",
    "assess_incident",
    "assess_incidents",
    "assessment_dict",
    "attach_assessments",
    "worst_verdict",
]

ASSESSMENT_VERSION = 1
"""Version of the ``Incident.assessment`` shape written by :func:`assessment_dict`."""

AIR_STRIKE_KINDS: frozenset[str] = frozenset(
    {"air_strike", "drone_strike", "drone", "missile_strike", "missile", "aerial_bomb"}
)
"""Event kinds (by value) that are air or drone strikes. :class:`EventKind` has none
yet; a kind added with one of these values is assessed as such without a change here."""

FIRE_KINDS: frozenset[str] = frozenset(
    {"explosion", "artillery", "mortar", "small_arms", "burst", "shot", "projectile",
     "grenade"}
) | AIR_STRIKE_KINDS
"""Kinds that are fire for a ``general`` or ``sea`` scope."""

STRIKE_KINDS: frozenset[str] = frozenset(
    {"explosion", "artillery", "mortar", "projectile"}
) | AIR_STRIKE_KINDS
"""Kinds that are a strike on a site for a ``protected_sites`` scope."""

_KIND_WEAPON_CLASSES: dict[str, frozenset[str]] = {
    "artillery": frozenset({"artillery_100mm"}),
    "explosion": frozenset({"artillery_100mm", "mlrs", "heavy_mlrs", "tactical_missile"}),
    "projectile": frozenset({"artillery_100mm", "mlrs", "heavy_mlrs", "tactical_missile"}),
    "undetermined": frozenset({"artillery_100mm", "mlrs", "heavy_mlrs", "tactical_missile"}),
}
"""Weapon classes an event of each kind may have been fired by (for withdrawal zones)."""

_KIND_WORDS: dict[str, str] = {
    "explosion": "an explosion", "artillery": "artillery fire", "mortar": "mortar fire",
    "small_arms": "small-arms fire", "burst": "a burst of fire", "shot": "shots",
    "projectile": "a projectile", "flare": "an illumination flare",
    "grenade": "grenade fire", "undetermined": "an event of undetermined kind",
    "thermal_anomaly": "a satellite thermal anomaly",
}  # fmt: skip

_PROHIBITION_WORDS: dict[str, str] = {
    "fire": "fire",
    "offensive_movement": "offensive movement",
    "heavy_weapons_presence": "heavy weapons in the withdrawal zone",
}
_FIRE_WORDS_BY_SCOPE: dict[str, str] = {
    "general": "fire",
    "protected_sites": "strikes on the protected sites",
    "sea": "fire at sea",
    "air": "air or drone strikes",
}


class Verdict(StrEnum):
    """The finding on one incident under one agreement."""

    VIOLATION = "violation"
    PERMITTED = "permitted"
    UNDETERMINED = "undetermined"


_SEVERITY = {Verdict.PERMITTED: 0, Verdict.UNDETERMINED: 1, Verdict.VIOLATION: 2}


def worst_verdict(verdicts: Collection[Verdict | str]) -> Verdict | None:
    """The most severe verdict (violation > undetermined > permitted); None if empty."""
    vs = [Verdict(v) for v in verdicts]
    return max(vs, key=_SEVERITY.__getitem__) if vs else None


@dataclass(frozen=True, kw_only=True)
class Assessment:
    """The finding on one incident under one agreement.

    ``clause`` is the clause that decides the verdict (the first violated one; else the
    first undetermined one; else the first that prohibits this kind of activity) and
    ``zone`` its zone. ``party`` is the attributed party code (``"undetermined"``) and
    ``party_probability`` its probability (None when undetermined). ``other_clauses`` are
    further clauses violated or undetermined; ``exceptions`` the ids of exceptions
    (self-defence) that qualify the deciding clause, recorded, not judged.
    """

    agreement: str
    agreement_id: int | None
    agreement_name: str
    agreement_version: int
    verdict: Verdict
    clause: str | None
    zone: str | None
    party: str
    party_probability: float | None
    reason: str
    other_clauses: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-able dict (one entry of ``Incident.assessment["agreements"]``)."""
        return {
            "agreement": self.agreement,
            "agreement_id": self.agreement_id,
            "agreement_name": self.agreement_name,
            "agreement_version": self.agreement_version,
            "verdict": self.verdict.value,
            "clause": self.clause,
            "zone": self.zone,
            "party": self.party,
            "party_probability": self.party_probability,
            "reason": self.reason,
            "other_clauses": list(self.other_clauses),
            "exceptions": list(self.exceptions),
        }


@dataclass(frozen=True, kw_only=True)
class AssessContext:
    """What assessment needs beyond the incidents and agreements.

    Attributes
    ----------
    lines : ContextLookup, optional
        The contact lines (:class:`trucewatch.fusion.ContextLookup`, e.g. the service's
        stored lines), used only for incidents without ``line_distance_km``; without it
        such incidents are undetermined for zone clauses.
    land : LandTest, optional
        Land test of the ``sea`` scope (default
        :class:`trucewatch.agreements.sea.DefaultLand`).
    war_fires : collection of str
        Uids of satellite thermal-anomaly incidents judged war-related (e.g. by the
        Economist-style test of the thermal module). Others are undetermined as evidence
        of fire.
    boundary_z : float
        Standard deviations of location uncertainty (along the worst axis) within which
        a zone or buffer edge, or a coast, makes the place undetermined; 1.645 is
        one-sided 95 %.
    """

    lines: ContextLookup | None = None
    land: LandTest | None = None
    war_fires: Collection[str] = field(default_factory=frozenset)
    boundary_z: float = 1.645


# --------------------------------------------------------------------------- checks


class _Tri(IntEnum):
    NO = 0
    UNKNOWN = 1
    YES = 2


@dataclass(frozen=True)
class _Check:
    tri: _Tri
    text: str


@dataclass(frozen=True)
class _Facts:
    """What the checks need about one incident (precomputed in batch)."""

    incident: Incident
    t0: datetime
    t1: datetime
    kind: str
    margin_km: float  # location uncertainty allowance (km)
    line_km: float | None  # |distance to the line| (km)
    war_fire: bool


@dataclass(frozen=True)
class _Finding:
    verdict: Verdict
    clause: Clause
    relevant: bool  # the clause prohibits this kind of activity at all
    text: str


def _kind_words(kind: str) -> str:
    return _KIND_WORDS.get(kind, kind.replace("_", " "))


def _fmt_km(x: float) -> str:
    return f"{x:.1f} km"


def _fmt_time(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _as_utc(t: datetime) -> datetime:
    return t.astimezone(UTC)


def _fmt_instant(t: datetime) -> str:
    utc = t.astimezone(UTC)
    local = f"{t:%Y-%m-%d %H:%M} {t.tzname() or ''}".strip()
    text = f"{utc:%Y-%m-%d %H:%M} UTC"
    return text if t.utcoffset() == utc.utcoffset() else f"{text} ({local})"


def _time_check(f: _Facts, start: datetime, end: datetime, what: str) -> _Check:
    """Whole window in [start, end): yes; straddles start or end: cannot tell."""
    start, end, shown = start.astimezone(UTC), end.astimezone(UTC), (start, end)
    if f.t0 >= start and f.t1 < end:
        return _Check(_Tri.YES, "")
    if f.t1 < start or f.t0 >= end:
        edge = "before" if f.t1 < start else "after"
        when = _fmt_instant(shown[0] if edge == "before" else shown[1])
        return _Check(_Tri.NO, f"{what} {'starts' if edge == 'before' else 'ends'} at {when}")
    window = f"{_fmt_time(f.t0)} to {_fmt_time(f.t1)}"
    parts = []
    if f.t0 < start <= f.t1:
        parts.append(f"the start of {what} at {_fmt_instant(shown[0])}")
    if f.t0 < end <= f.t1:
        parts.append(f"the end of {what} at {_fmt_instant(shown[1])}")
    return _Check(_Tri.UNKNOWN, f"the incident's time window ({window}) straddles "
                  + " and ".join(parts))


def _kind_check(f: _Facts, scope: str) -> _Check:
    kind, words = f.kind, _kind_words(f.kind)
    if kind == EventKind.THERMAL_ANOMALY.value:
        if scope == "air":
            return _Check(_Tri.UNKNOWN, "a satellite thermal anomaly does not tell an air "
                          "strike from shelling or a field fire")
        if f.war_fire:
            return _Check(_Tri.YES, "a satellite-detected fire judged war-related")
        return _Check(_Tri.UNKNOWN, "a satellite thermal anomaly alone is not evidence of "
                      "fire by a party (it may be a field, forest or industrial fire)")
    if kind == EventKind.UNDETERMINED.value:
        return _Check(_Tri.UNKNOWN, "the kind of event is undetermined")
    if scope == "air":
        if kind in AIR_STRIKE_KINDS:
            return _Check(_Tri.YES, words)
        if kind in ("projectile", "explosion"):
            return _Check(_Tri.UNKNOWN, f"{words} may come from a drone, missile or aircraft "
                          "or from artillery (the event vocabulary has no air or drone "
                          "strike kind yet)")
        return _Check(_Tri.NO, f"{words} is not an air or drone strike")
    if scope == "protected_sites":
        if kind in STRIKE_KINDS:
            return _Check(_Tri.YES, words)
        return _Check(_Tri.NO, f"{words} is not a strike on a site")
    if kind in FIRE_KINDS:
        return _Check(_Tri.YES, words)
    if kind == EventKind.FLARE.value:
        return _Check(_Tri.UNKNOWN, "an illumination flare is not fire at the other side; "
                      "whether it breaks the truce depends on the text")
    return _Check(_Tri.UNKNOWN, f"{words} is not a known kind of fire")


def _edge_check(d: float, limit: float, margin: float, inside: str, outside: str,
                near: str) -> _Check:
    if d + margin <= limit:
        return _Check(_Tri.YES, inside)
    if d - margin > limit:
        return _Check(_Tri.NO, outside)
    return _Check(_Tri.UNKNOWN, near)


def _zone_check(f: _Facts, ag: LoadedAgreement, zone_name: str) -> _Check:
    z = ag.zone(zone_name)
    label = (f"the {z.name} withdrawal zone (±{z.half_width_km:g} km)" if z.kind == "withdrawal"
             else f"the {z.name} zone (±{z.half_width_km:g} km)")
    if f.line_km is None:
        return _Check(_Tri.UNKNOWN, f"no contact line is known at the incident's time, so "
                      f"{label} cannot be checked")
    d, m = f.line_km, f.margin_km
    return _edge_check(
        d, z.half_width_km, m,
        inside=f"{_fmt_km(d)} from the line, inside {label}",
        outside=f"{_fmt_km(d)} from the line, outside {label}",
        near=f"{_fmt_km(d)} from the line, within the location uncertainty (±{_fmt_km(m)}) "
             f"of the edge of {label}",
    )


def _site_check(ag: LoadedAgreement, index: int, d: float, m: float) -> _Check:
    """Within the buffer of the nearest site (``index``, distance ``d`` km), allowing a
    location uncertainty of ``m`` km."""
    assert ag.sites is not None
    b = ag.sites.buffer_km
    if index < 0 or not math.isfinite(d):
        return _Check(_Tri.UNKNOWN, "the distance to the protected sites is unknown")
    name = ag.sites.sites[index].name
    label = f" ({ag.sites.label})" if ag.sites.label else ""
    at = f"at {name}" if d == 0 else f"{_fmt_km(d)} from {name}"
    return _edge_check(
        d, b, m,
        inside=f"{at}, within the {b:g} km buffer of the protected sites{label}",
        outside=f"not within {b:g} km of a protected site (nearest: {name}, {_fmt_km(d)})",
        near=f"{_fmt_km(d)} from {name}: within the location uncertainty (±{_fmt_km(m)}) of "
             f"the {b:g} km buffer's edge",
    )


def _sea_check(state: int | None) -> _Check:
    if state is None or state == COAST:
        return _Check(_Tri.UNKNOWN, "the coast lies within the location uncertainty, so "
                      "'at sea' cannot be told")
    if state == LAND:
        return _Check(_Tri.NO, "on land, and the agreement covers only the sea")
    return _Check(_Tri.YES, "at sea")


def _presence_check(f: _Facts, ag: LoadedAgreement, zone_name: str) -> _Check:
    z = ag.zone(zone_name)
    classes = _KIND_WEAPON_CLASSES.get(f.kind, frozenset())
    if z.weapon_class not in classes:
        return _Check(_Tri.NO, f"{_kind_words(f.kind)} does not indicate a weapon of class "
                      f"{z.weapon_class}")
    return _Check(_Tri.UNKNOWN, f"{_kind_words(f.kind)} suggests a weapon of class "
                  f"{z.weapon_class} nearby, but the firing position and the weapon are not "
                  "established by the incident")


# --------------------------------------------------------------------------- one clause


def _clause_finding(
    f: _Facts,
    ag: LoadedAgreement,
    clause: Clause,
    place: list[_Check],
) -> _Finding:
    # by instant (datetimes sharing a tzinfo compare by wall clock); keep local for text
    start = max(ag.start, clause.start or ag.start, key=_as_utc)
    end = min(ag.end, clause.end or ag.end, key=_as_utc)
    what = f"clause {clause.id}" if (clause.start or clause.end) else f"“{ag.name}”"
    timing = _time_check(f, start, end, what)
    best: _Finding | None = None
    for prohibition in clause.prohibits:
        if prohibition == "offensive_movement":
            finding = _Finding(Verdict.PERMITTED, clause, False,
                               f"{_kind_words(f.kind)} is not an offensive movement")
        else:
            zone_checks = [_zone_check(f, ag, clause.zone)] if clause.zone else []
            if prohibition == "heavy_weapons_presence":
                assert clause.zone is not None
                checks = [timing, _presence_check(f, ag, clause.zone), *zone_checks]
            else:
                checks = [timing, _kind_check(f, ag.scope), *place, *zone_checks]
                if not zone_checks and f.line_km is not None:
                    checks.append(_Check(_Tri.YES, f"{_fmt_km(f.line_km)} from the line"))
            finding = _combine(clause, checks)
        if best is None or _SEVERITY[finding.verdict] > _SEVERITY[best.verdict] or (
            finding.relevant and not best.relevant and finding.verdict == best.verdict
        ):
            best = finding
    assert best is not None
    return best


def _combine(clause: Clause, checks: Sequence[_Check]) -> _Finding:
    no = [c.text for c in checks if c.tri is _Tri.NO]
    if no:
        return _Finding(Verdict.PERMITTED, clause, True, no[0])
    unknown = [c.text for c in checks if c.tri is _Tri.UNKNOWN]
    if unknown:
        return _Finding(Verdict.UNDETERMINED, clause, True, "; ".join(unknown))
    facts = [c.text for c in checks if c.tri is _Tri.YES and c.text]
    text = facts[0] + (" " + ", ".join(facts[1:]) if len(facts) > 1 else "") if facts else ""
    return _Finding(Verdict.VIOLATION, clause, True, text)


# --------------------------------------------------------------------------- one agreement


def _party(incident: Incident) -> tuple[str, float | None, str]:
    att = incident.attribution
    if att.party and att.party != UNDETERMINED_PARTY:
        p = att.probabilities.get(att.party)
        prob = None if p is None else round(float(p), 3)
        text = f"origin {att.party}" + ("" if prob is None else f" with probability {prob:.2f}")
        return att.party, prob, text
    if att.probabilities:
        best, p = max(att.probabilities.items(), key=lambda kv: (kv[1], kv[0]))
        return UNDETERMINED_PARTY, None, f"origin undetermined (at most {best} {p:.2f})"
    return UNDETERMINED_PARTY, None, "origin undetermined"


def _assess_agreement(
    f: _Facts, ag: LoadedAgreement, place: list[_Check]
) -> Assessment | None:
    if f.t1 < _as_utc(ag.start) or f.t0 >= _as_utc(ag.end):
        return None
    findings = [_clause_finding(f, ag, c, place) for c in ag.clauses]
    order = sorted(range(len(findings)),
                   key=lambda i: (-_SEVERITY[findings[i].verdict], not findings[i].relevant, i))
    top = findings[order[0]]
    verdict = top.verdict
    party, prob, origin = _party(f.incident)
    codes = {p.code for p in ag.parties}
    notes: list[str] = []
    non_party = verdict is Verdict.VIOLATION and party != UNDETERMINED_PARTY and (
        party not in codes)
    if non_party:
        verdict = Verdict.UNDETERMINED
    exceptions = tuple(
        e.id for e in ag.exceptions
        if verdict is not Verdict.PERMITTED and (not e.clauses or top.clause.id in e.clauses)
    )
    if exceptions:
        kinds = sorted({e.kind.replace("_", "-") for e in ag.exceptions if e.id in exceptions})
        notes.append(f"the {' and '.join(kinds)} exception ({', '.join(exceptions)}) is "
                     "recorded, not judged")
    if f.incident.status is IncidentStatus.REFUTED:
        notes.append("the incident itself is refuted")
    reason = _reason(verdict, top, ag, origin, f, non_party=non_party)
    if notes:
        reason = reason[:-1] + "; " + "; ".join(notes) + "."
    zone = top.clause.zone if top.relevant else None
    others = tuple(
        findings[i].clause.id for i in order[1:]
        if findings[i].verdict is not Verdict.PERMITTED and findings[i].relevant
    )
    return Assessment(
        agreement=ag.slug,
        agreement_id=ag.agreement.id,
        agreement_name=ag.name,
        agreement_version=ag.agreement.version,
        verdict=verdict,
        clause=top.clause.id if top.relevant else None,
        zone=zone,
        party=party,
        party_probability=prob,
        reason=reason,
        other_clauses=others,
        exceptions=exceptions,
    )


def _reason(verdict: Verdict, top: _Finding, ag: LoadedAgreement, origin: str,
            f: _Facts, *, non_party: bool = False) -> str:
    prohibits = " or ".join(
        _FIRE_WORDS_BY_SCOPE.get(ag.scope, "fire") if p == "fire" else _PROHIBITION_WORDS[p]
        for p in top.clause.prohibits
    )
    clause = f"clause {top.clause.id} (no {prohibits})"
    if non_party:
        party = f.incident.attribution.party
        text = (f"{top.text}, during “{ag.name}”: would break {clause}, but {origin} and "
                f"{party} is not a party to this agreement.")
    elif verdict is Verdict.VIOLATION:
        text = f"{top.text}, during “{ag.name}”: breaks {clause}; {origin}."
    elif verdict is Verdict.UNDETERMINED:
        text = (f"{_kind_words(f.kind)} during “{ag.name}”: {clause} cannot be judged: "
                f"{top.text}; {origin}.")
    elif not top.relevant:
        text = f"not prohibited by “{ag.name}”: {top.text}."
    else:
        text = f"not prohibited by “{ag.name}” ({clause}): {top.text}."
    return text[0].upper() + text[1:]


# --------------------------------------------------------------------------- batch


def _margins_km(incidents: Sequence[Incident], z: float) -> np.ndarray:
    """``z`` times the largest standard deviation of each location (km); inf if unknown."""
    cov = np.array([i.location.cov_km2 for i in incidents], dtype=float).reshape(-1, 2, 2)
    ok = np.isfinite(cov).all(axis=(1, 2))
    out = np.full(len(cov), math.inf)
    if ok.any():
        top = np.linalg.eigvalsh(cov[ok])[:, -1]
        out[ok] = z * np.sqrt(np.clip(top, 0.0, None))
    return out


def _line_distances(
    incidents: Sequence[Incident], context: AssessContext
) -> list[float | None]:
    out: list[float | None] = [
        None if i.line_distance_km is None or not math.isfinite(i.line_distance_km)
        else abs(float(i.line_distance_km))
        for i in incidents
    ]
    missing = [k for k, d in enumerate(out) if d is None]
    if missing and context.lines is not None:
        lon = np.array([incidents[k].location.lon for k in missing], dtype=float)
        lat = np.array([incidents[k].location.lat for k in missing], dtype=float)
        days: list[date] = [incidents[k].time_start.astimezone(UTC).date() for k in missing]
        ctx = context.lines.place_context(lon, lat, days)
        for j, k in enumerate(missing):
            d = float(ctx.distance_km[j])
            out[k] = abs(d) if math.isfinite(d) else None
    return out


def assess_incidents(
    incidents: Sequence[Incident],
    agreements: Sequence[LoadedAgreement | Agreement],
    context: AssessContext | None = None,
) -> list[list[Assessment]]:
    """Assess many incidents against many agreements.

    Geometry is computed once per batch: distances to the line for incidents that lack
    them, the nearest protected site of each ``protected_sites`` agreement (an STRtree),
    and the land/sea test of each ``sea`` agreement, each only for the incidents in
    force under an agreement that needs it.

    Parameters
    ----------
    incidents : sequence of Incident
        Aware ``time_start``/``time_end``; location WGS84 with covariance (km²).
    agreements : sequence of LoadedAgreement or Agreement
        Loaded agreements (:func:`trucewatch.agreements.load_agreement`); a bare
        :class:`~trucewatch.types.Agreement` is a general ceasefire with one implicit
        clause (:func:`trucewatch.agreements.as_loaded`).
    context : AssessContext, optional
        Lines, land test, war-fire judgements, boundary allowance.

    Returns
    -------
    list of list of Assessment
        Per incident, one assessment per agreement in force at some instant of its
        window, in the order of ``agreements`` (empty when none is).
    """
    ctx = context or AssessContext()
    ags = [as_loaded(a) for a in agreements]
    n = len(incidents)
    if n == 0:
        return []
    t0 = [i.time_start.astimezone(UTC) for i in incidents]
    t1 = [max(i.time_end, i.time_start).astimezone(UTC) for i in incidents]
    overlap = [
        np.array([not (t1[k] < a.start or t0[k] >= a.end) for k in range(n)], dtype=bool)
        for a in ags
    ]
    any_zone = [bool(a.zones) and bool(m.any()) for a, m in zip(ags, overlap, strict=True)]
    line_km = _line_distances(incidents, ctx) if any(any_zone) else [
        None if i.line_distance_km is None else abs(float(i.line_distance_km)) for i in incidents
    ]
    margins = _margins_km(incidents, ctx.boundary_z)
    lon = np.array([i.location.lon for i in incidents], dtype=float)
    lat = np.array([i.location.lat for i in incidents], dtype=float)
    war = set(ctx.war_fires)
    facts = [
        _Facts(incident=inc, t0=t0[k], t1=t1[k], kind=str(getattr(inc.kind, "value", inc.kind)),
               margin_km=float(margins[k]), line_km=line_km[k], war_fire=inc.uid in war)
        for k, inc in enumerate(incidents)
    ]
    place = [_place_checks(a, m, lon, lat, margins, ctx) for a, m in zip(ags, overlap, strict=True)]
    out: list[list[Assessment]] = []
    for k in range(n):
        row = []
        for j, a in enumerate(ags):
            if not overlap[j][k]:
                continue
            res = _assess_agreement(facts[k], a, place[j][k])
            if res is not None:
                row.append(res)
        out.append(row)
    return out


def _place_checks(
    ag: LoadedAgreement,
    mask: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    margins: np.ndarray,
    ctx: AssessContext,
) -> list[list[_Check]]:
    """Scope place checks per incident (empty list where the scope has none)."""
    n = len(lon)
    checks: list[list[_Check]] = [[] for _ in range(n)]
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return checks
    if ag.scope == "protected_sites" and ag.sites is not None:
        near = SiteIndex(ag.sites.sites).nearest(lon[idx], lat[idx])
        for j, k in enumerate(idx):
            checks[k] = [_site_check(ag, int(near.index[j]), float(near.distance_km[j]),
                                     float(margins[k]))]
    elif ag.scope == "sea":
        land = ctx.land if ctx.land is not None else DefaultLand()
        radius = np.where(np.isfinite(margins[idx]), margins[idx], 0.0)
        states = sea_state(land, lon[idx], lat[idx], radius)
        bad = ~np.isfinite(margins[idx])
        for j, k in enumerate(idx):
            checks[k] = [_sea_check(None if bad[j] else int(states[j]))]
    return checks


def assess_incident(
    incident: Incident,
    agreements: Sequence[LoadedAgreement | Agreement],
    context: AssessContext | None = None,
) -> list[Assessment]:
    """Assess one incident: one :class:`Assessment` per agreement in force at some
    instant of its time window (see :func:`assess_incidents`)."""
    return assess_incidents([incident], agreements, context)[0]


def assessment_dict(assessments: Sequence[Assessment]) -> dict[str, Any]:
    """The JSON-able agreements part of ``Incident.assessment``.

    ``{"agreements_version": 1, "agreement_verdict": "violation"|"undetermined"|
    "permitted"|None, "agreements": [Assessment.as_dict(), ...]}``; the verdict is the
    worst over the agreements, None when no agreement was in force.
    """
    worst = worst_verdict([a.verdict for a in assessments])
    return {
        "agreements_version": ASSESSMENT_VERSION,
        "agreement_verdict": None if worst is None else worst.value,
        "agreements": [a.as_dict() for a in assessments],
    }


def attach_assessments(
    incidents: Sequence[Incident],
    agreements: Sequence[LoadedAgreement | Agreement],
    context: AssessContext | None = None,
) -> list[Incident]:
    """The incidents with their ``assessment`` dict updated by :func:`assessment_dict`
    (other keys already in it are kept)."""
    results = assess_incidents(incidents, agreements, context)
    return [
        replace(inc, assessment={**inc.assessment, **assessment_dict(res)})
        for inc, res in zip(incidents, results, strict=True)
    ]
