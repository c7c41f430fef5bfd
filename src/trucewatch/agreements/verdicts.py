"""Assessment of incidents against agreements: violation, permitted or undetermined.

For each agreement in force at some instant of an incident's time window, each clause is
checked in four steps, each answering yes, no or "cannot tell":

1. **time**: is the incident's whole window inside the clause's period (the agreement's
   [start, end), narrowed by the clause's own start/end)? A window that straddles the
   start or the end cannot be judged against the exact instant: "cannot tell".
2. **kind**: is this kind of event what the scope covers? (``general``/``sea``: fire;
   ``protected_sites``: strikes; ``air``: air and drone strikes; a satellite thermal
   anomaly counts only when judged war-related, see :class:`AssessContext`; one class per
   scope in :mod:`trucewatch.agreements.scopes`.)
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

How each prohibited activity is checked is one class per clause type in
:mod:`trucewatch.agreements.clauses` (fire, offensive movement, heavy weapons in a
withdrawal zone); this module combines their checks into verdicts.

Distances in km; times compared as exact instants; locations WGS84.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np

from trucewatch.agreements.clauses.base import Check, ClauseCase, IncidentFacts, Tri
from trucewatch.agreements.clauses.registry import CLAUSE_CHECKS
from trucewatch.agreements.clauses.steps import kind_words, time_check
from trucewatch.agreements.load import as_loaded
from trucewatch.agreements.model import Clause, LoadedAgreement
from trucewatch.agreements.scopes.base import Places
from trucewatch.agreements.scopes.registry import scope_of
from trucewatch.agreements.sea import LandTest
from trucewatch.types import UNDETERMINED_PARTY, Agreement, Incident, IncidentStatus

if TYPE_CHECKING:
    from trucewatch.geo.history import ContextLookup

__all__ = [
    "ASSESSMENT_VERSION",
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


# --------------------------------------------------------------------------- one clause


@dataclass(frozen=True)
class _Finding:
    verdict: Verdict
    clause: Clause
    relevant: bool  # the clause prohibits this kind of activity at all
    text: str


def _as_utc(t: datetime) -> datetime:
    return t.astimezone(UTC)


def _clause_finding(
    f: IncidentFacts,
    ag: LoadedAgreement,
    clause: Clause,
    place: list[Check],
) -> _Finding:
    """The worst finding over the activities the clause prohibits (a relevant one first
    among equals)."""
    # by instant (datetimes sharing a tzinfo compare by wall clock); keep local for text
    start = max(ag.start, clause.start or ag.start, key=_as_utc)
    end = min(ag.end, clause.end or ag.end, key=_as_utc)
    what = f"clause {clause.id}" if (clause.start or clause.end) else f"“{ag.name}”"
    timing = time_check(f, start, end, what)
    scope = scope_of(ag.scope)
    best: _Finding | None = None
    for prohibition in clause.prohibits:
        check = CLAUSE_CHECKS[prohibition]
        case = ClauseCase(facts=f, agreement=ag, clause=clause, timing=timing, scope=scope,
                          place=place)
        finding = _combine(clause, check.checks(case), relevant=check.relevant)
        if best is None or _SEVERITY[finding.verdict] > _SEVERITY[best.verdict] or (
            finding.relevant and not best.relevant and finding.verdict == best.verdict
        ):
            best = finding
    assert best is not None
    return best


def _combine(clause: Clause, checks: Sequence[Check], *, relevant: bool) -> _Finding:
    """Violated when every check says yes; permitted when one says no; else undetermined."""
    no = [c.text for c in checks if c.tri is Tri.NO]
    if no:
        return _Finding(Verdict.PERMITTED, clause, relevant, no[0])
    unknown = [c.text for c in checks if c.tri is Tri.UNKNOWN]
    if unknown:
        return _Finding(Verdict.UNDETERMINED, clause, relevant, "; ".join(unknown))
    facts = [c.text for c in checks if c.tri is Tri.YES and c.text]
    text = facts[0] + (" " + ", ".join(facts[1:]) if len(facts) > 1 else "") if facts else ""
    return _Finding(Verdict.VIOLATION, clause, relevant, text)


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
    f: IncidentFacts, ag: LoadedAgreement, place: list[Check]
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
        agreement=ag.slug, agreement_id=ag.agreement.id, agreement_name=ag.name,
        agreement_version=ag.agreement.version, verdict=verdict,
        clause=top.clause.id if top.relevant else None, zone=zone, party=party,
        party_probability=prob, reason=reason, other_clauses=others, exceptions=exceptions,
    )  # fmt: skip


def _reason(verdict: Verdict, top: _Finding, ag: LoadedAgreement, origin: str,
            f: IncidentFacts, *, non_party: bool = False) -> str:
    scope = scope_of(ag.scope)
    prohibits = " or ".join(CLAUSE_CHECKS[p].words(scope) for p in top.clause.prohibits)
    clause = f"clause {top.clause.id} (no {prohibits})"
    if non_party:
        party = f.incident.attribution.party
        text = (f"{top.text}, during “{ag.name}”: would break {clause}, but {origin} and "
                f"{party} is not a party to this agreement.")
    elif verdict is Verdict.VIOLATION:
        text = f"{top.text}, during “{ag.name}”: breaks {clause}; {origin}."
    elif verdict is Verdict.UNDETERMINED:
        text = (f"{kind_words(f.kind)} during “{ag.name}”: {clause} cannot be judged: "
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
        Loaded agreements (:func:`trucewatch.agreements.load.load_agreement`); a bare
        :class:`~trucewatch.types.Agreement` is a general ceasefire with one implicit
        clause (:func:`trucewatch.agreements.load.as_loaded`).
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
        IncidentFacts(incident=inc, t0=t0[k], t1=t1[k],
                      kind=str(getattr(inc.kind, "value", inc.kind)), margin_km=float(margins[k]),
                      line_km=line_km[k], war_fire=inc.uid in war)
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
) -> list[list[Check]]:
    """The scope's place checks of each incident in force (``mask``); empty elsewhere."""
    checks: list[list[Check]] = [[] for _ in range(len(lon))]
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return checks
    places = Places(lon=lon[idx], lat=lat[idx], margins_km=margins[idx], land=ctx.land)
    for k, found in zip(idx, scope_of(ag.scope).place_checks(ag, places), strict=True):
        checks[k] = found
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
