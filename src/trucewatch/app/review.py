"""Use cases: the analyst's review of incidents, kept beside the automatic solutions and
carried across re-fusions.

An incident has an **automatic** solution (``incidents``: what fusion decided, replaced by
every ``trucewatch fuse`` of its period) and, once an analyst has acted on it, a
**manual** one (``reviewed_incidents``), as ObsPy's ``Origin`` carries an evaluation mode
(automatic, manual) and an evaluation status:

=============  =========================================================================
preliminary    automatic, not reviewed (no reviewed row)
confirmed      an analyst confirmed it
reviewed       an analyst relabelled, merged, split or annotated it
rejected       an analyst rejected it (not an incident), or merged it into another
=============  =========================================================================

Every act (:class:`Action`) needs a reason and is stored with the analyst's name
(``incident_reviews``); both tables are covered by the log. Publication to the parties and
the public is one more act (``publish``).

**Re-fusion.** :func:`remap_reviews` runs after each fusion of a period: each new automatic
incident is mapped onto the reviewed incident it shares most observations with (ties: the
smaller uid; deterministic), its other observations are attached to it as new evidence;
a reviewed incident keeps resting on the automatic incident it rested on while that one
still shares its evidence (else on the one sharing most, then the smaller uid); and a
*material* change of the automatic solution against the one the analyst reviewed
(status, attributed party, deciding clause or verdict, place moved more than
:data:`MATERIAL_MOVE_KM`) flags the reviewed incident for re-review (``needs_review``)
instead of overwriting it. The analyst's next act clears the flag.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from trucewatch import limits
from trucewatch.app.roles import Permission, Principal, require
from trucewatch.app.session import Store
from trucewatch.app.views.errors import BadQuery, NotVisible
from trucewatch.codec import incident_record
from trucewatch.geo.projection import GEOD
from trucewatch.store import queries as q
from trucewatch.store import reviews as rs
from trucewatch.types import Incident, IncidentStatus
from trucewatch.units import iso_utc

MANUAL, AUTOMATIC = "manual", "automatic"
"""Evaluation modes."""

MATERIAL_MOVE_KM = 5.0
"""A re-fused incident whose place moved farther than this (km, geodesic on WGS84) from
the automatic place the analyst reviewed is flagged for re-review."""

FUSION = "fusion"
"""The name under which a re-fusion's own acts (attach, flag) are stored."""

VERDICTS = ("violation", "undetermined", "permitted")
WINDOW = timedelta(days=2)
"""How far around a period (or an incident) reviewed incidents are looked for when mapping
automatic incidents onto them (by shared observations)."""


class EvaluationStatus(StrEnum):
    PRELIMINARY = "preliminary"
    CONFIRMED = "confirmed"
    REVIEWED = "reviewed"
    REJECTED = "rejected"


class Action(StrEnum):
    """An act of review. The first seven are an analyst's; ``attach`` and ``flag`` a
    re-fusion's."""

    CONFIRM = "confirm"
    REJECT = "reject"
    MERGE = "merge"
    SPLIT = "split"
    RELABEL = "relabel"
    ANNOTATE = "annotate"
    PUBLISH = "publish"
    ATTACH = "attach"
    FLAG = "flag"


ANALYST_ACTIONS = (Action.CONFIRM, Action.REJECT, Action.MERGE, Action.SPLIT, Action.RELABEL,
                   Action.ANNOTATE, Action.PUBLISH)  # fmt: skip


@dataclass(frozen=True)
class ReviewRequest:
    """One act of review on an incident. ``status``/``attribution``/``clause``/``verdict``
    are the new labels of a ``relabel`` (at least one); ``merge`` the uids (automatic or
    reviewed) merged into this incident; ``observations`` the observation uids split off
    into a new incident."""

    action: str
    reason: str
    status: str | None = None
    attribution: str | None = None
    clause: str | None = None
    verdict: str | None = None
    merge: tuple[str, ...] = ()
    observations: tuple[str, ...] = ()


# --------------------------------------------------------------------------- pure parts


def deciding(assessment: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``(clause, verdict)`` deciding an incident's assessment: the worst verdict over the
    agreements and the clause of the first agreement with that verdict."""
    verdict = assessment.get("agreement_verdict")
    for a in assessment.get("agreements") or ():
        if isinstance(a, Mapping) and a.get("verdict") == verdict:
            return a.get("clause"), verdict
    return None, verdict


def basis_of(incident: Incident) -> dict[str, Any]:
    """The facts of an automatic solution a review rests on: status, attributed party,
    place (WGS84 degrees), deciding clause and verdict."""
    clause, verdict = deciding(incident.assessment)
    return {"status": incident.status.value, "attribution_party": incident.attribution.party,
            "lon": incident.location.lon, "lat": incident.location.lat,
            "clause": clause, "verdict": verdict}  # fmt: skip


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance on the WGS84 ellipsoid, km."""
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000.0


def material_changes(before: Mapping[str, Any], after: Mapping[str, Any],
                     move_km: float = MATERIAL_MOVE_KM) -> list[str]:  # fmt: skip
    """What changed materially between two automatic solutions (:func:`basis_of`), in
    words; empty when nothing did."""
    out = [f"{name} {before.get(key)} -> {after.get(key)}"
           for key, name in (("status", "status"), ("attribution_party", "attribution"),
                             ("clause", "clause"), ("verdict", "verdict"))
           if before.get(key) != after.get(key)]  # fmt: skip
    moved = distance_km(before["lon"], before["lat"], after["lon"], after["lat"])
    if moved > move_km:
        out.append(f"place moved {moved:.1f} km")
    return out


@dataclass(frozen=True)
class Assignment:
    """Automatic incidents mapped onto reviewed ones: the automatic uid each reviewed
    incident now rests on (None: none shares its observations), the observations to
    attach to each, and which reviewed incident each automatic one belongs to."""

    automatic_of: dict[str, str | None]
    attach: dict[str, list[str]]
    owner_of_automatic: dict[str, str]
    sharing: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    """Reviewed uid -> every automatic incident sharing an observation with it."""


def assign(reviewed_obs: Mapping[str, Iterable[str]],
           automatic: Iterable[tuple[str, Iterable[str]]]) -> Assignment:  # fmt: skip
    """Map automatic incidents (uid, observation uids) onto reviewed ones (uid ->
    observation uids) by shared observations. An automatic incident belongs to the
    reviewed incident it shares most observations with (ties: smaller uid) and its other
    observations are attached to that one; a reviewed incident rests on the automatic
    incident it shares most observations with (ties: smaller uid). Deterministic: the
    answer does not depend on the order of either input."""
    owner: dict[str, str] = {}
    for r_uid in sorted(reviewed_obs):
        for o in reviewed_obs[r_uid]:
            owner.setdefault(o, r_uid)
    candidates: dict[str, list[tuple[int, str]]] = {}
    attach: dict[str, list[str]] = {}
    owner_of_automatic: dict[str, str] = {}
    autos = sorted((a_uid, tuple(sorted(set(obs)))) for a_uid, obs in automatic)
    for a_uid, obs in autos:
        shared = Counter(owner[o] for o in obs if o in owner)
        if not shared:
            continue
        best = min(shared, key=lambda r: (-shared[r], r))
        owner_of_automatic[a_uid] = best
        new = [o for o in obs if o not in owner]
        if new:
            attach.setdefault(best, []).extend(new)
        for r_uid, n in shared.items():
            candidates.setdefault(r_uid, []).append((-n, a_uid))
    for r_uid, new in attach.items():
        for o in new:
            owner[o] = r_uid
    automatic_of = {r: (min(candidates[r])[1] if r in candidates else None)
                    for r in reviewed_obs}  # fmt: skip
    sharing = {r: frozenset(a for _, a in c) for r, c in candidates.items()}
    return Assignment(automatic_of, attach, owner_of_automatic, sharing)


def split_uid(observation_uids: Iterable[str]) -> str:
    """The uid of an incident split off by an analyst: SHA-256 (hex) of ``split`` and its
    sorted observation uids, one a line."""
    text = "\n".join(["split", *sorted(observation_uids)])
    return hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------- rows


def _from_automatic(inc: Incident, analyst: str, now: datetime) -> dict[str, Any]:
    """A new reviewed row copying the automatic solution ``inc`` (not stored yet)."""
    clause, verdict = deciding(inc.assessment)
    return {
        "uid": inc.uid, "automatic_uid": inc.uid, "evaluation_mode": MANUAL,
        "evaluation_status": EvaluationStatus.REVIEWED.value,
        "time_start": inc.time_start, "time_end": inc.time_end,
        "lon": inc.location.lon, "lat": inc.location.lat,
        "status": inc.status.value, "attribution_party": inc.attribution.party,
        "clause": clause, "verdict": verdict, "sector": inc.sector,
        "observations": sorted(inc.observation_uids), "basis": basis_of(inc),
        "record": incident_record(inc), "needs_review": None, "merged_into": None,
        "revision": 0, "reviewed_by": analyst, "reviewed_at": now,
        "published_by": None, "published_at": None,
    }  # fmt: skip


def _evidence(row: dict[str, Any], observations: Sequence[str]) -> None:
    """Set a reviewed row's evidence (and its record's)."""
    row["observations"] = sorted(set(observations))
    row["record"] = {**row["record"], "observations": row["observations"],
                     "observation_count": len(row["observations"])}  # fmt: skip


def _label(row: dict[str, Any], **labels: Any) -> None:
    """Set labels of a reviewed row (columns and record alike)."""
    record = dict(row["record"])
    for key, value in labels.items():
        row[key] = value
        if key == "attribution_party":
            record["attribution"] = {**(record.get("attribution") or {}), "party": value}
        elif key in ("status", "verdict", "clause", "lon", "lat"):
            record[key] = value
        elif key in ("time_start", "time_end"):
            record[key] = iso_utc(value)
    row["record"] = record


# --------------------------------------------------------------------------- resolving


def _resolve(conn: Any, uid: str) -> dict[str, Any] | Incident | None:
    """The reviewed incident ``uid`` names (its own uid, its automatic incident's, or one
    sharing observations with that automatic incident; merged ones followed to the
    incident they were merged into), else the automatic incident, else None."""
    found = rs.reviewed(conn, [uid]).get(uid) or rs.reviewed_of_automatic(conn, [uid]).get(uid)
    hops = 0
    while found is not None and found["merged_into"] and hops < 100:
        found = rs.reviewed(conn, [found["merged_into"]]).get(found["merged_into"])
        hops += 1
    if found is not None:
        return found
    inc = q.get_incident(conn, uid)
    if inc is None:
        return None
    near = rs.reviewed_between(conn, inc.time_start - WINDOW, inc.time_end + WINDOW)
    plan = assign({r["uid"]: r["observations"] for r in near}, [(inc.uid, inc.observation_uids)])
    owner = plan.owner_of_automatic.get(inc.uid)
    if owner is not None:
        return next(r for r in near if r["uid"] == owner)
    return inc


def _reviewed_row(conn: Any, uid: str, analyst: str, now: datetime) -> dict[str, Any]:
    """The reviewed row for ``uid``, made from its automatic solution on a first review;
    :class:`NotVisible` when there is no such incident."""
    found = _resolve(conn, uid)
    if found is None:
        raise NotVisible(f"no incident {uid}")
    if isinstance(found, Incident):
        return _from_automatic(found, analyst, now)
    return dict(found)


# --------------------------------------------------------------------------- use cases


def _check(request: ReviewRequest) -> Action:
    """The request's action, or :class:`BadQuery` naming the field at fault."""
    try:
        action = Action(request.action)
    except ValueError:
        raise BadQuery(f"unknown action {request.action!r} (one of "
                       f"{', '.join(a.value for a in ANALYST_ACTIONS)})", field="action") from None
    if action not in ANALYST_ACTIONS:
        raise BadQuery(f"{action.value} is done by a re-fusion, not by an analyst", field="action")
    reason = request.reason.strip() if isinstance(request.reason, str) else ""
    if not reason:
        raise BadQuery("a reason is required for every act of review", field="reason")
    if len(reason) > limits.MAX_REASON_CHARS:
        raise BadQuery(f"the reason is longer than {limits.MAX_REASON_CHARS} characters",
                       field="reason")  # fmt: skip
    if action is Action.RELABEL:
        if not any((request.status, request.attribution, request.clause, request.verdict)):
            raise BadQuery("relabel needs status, attribution, clause or verdict", field="status")
        if request.status is not None and request.status not in {s.value for s in IncidentStatus}:
            raise BadQuery(f"unknown status {request.status!r}", field="status")
        if request.verdict is not None and request.verdict not in VERDICTS:
            raise BadQuery(f"unknown verdict {request.verdict!r} (one of {', '.join(VERDICTS)})",
                           field="verdict")  # fmt: skip
        for name in ("attribution", "clause"):
            value = getattr(request, name)
            if value is not None and not 0 < len(value) <= limits.MAX_TEXT:
                raise BadQuery(f"{name} must be 1 to {limits.MAX_TEXT} characters", field=name)
    if action is Action.MERGE and not request.merge:
        raise BadQuery("merge needs the uids of the incidents merged into this one", field="merge")
    if action is Action.SPLIT and not request.observations:
        raise BadQuery("split needs the observations split off", field="observations")
    if len(request.merge) > limits.MAX_REVIEW_UIDS or \
            len(request.observations) > limits.MAX_REVIEW_UIDS:
        raise BadQuery(f"at most {limits.MAX_REVIEW_UIDS} uids per act", field="merge")
    return action


def review_incident(store: Store, uid: str, request: ReviewRequest, *,
                    principal: Principal) -> dict[str, Any]:  # fmt: skip
    """Apply one act of review to the incident ``uid`` (automatic or reviewed uid) in one
    transaction: the reviewed row(s) and the act are stored and logged. Returns the
    incident's review (:func:`review_state`). Raises :class:`BadQuery` for a request
    that cannot be applied and :class:`NotVisible` for an unknown incident."""
    require(principal, Permission.REVIEW_INCIDENTS)
    action = _check(request)
    reason = request.reason.strip()
    now = datetime.now(UTC)
    analyst = principal.name
    with store.engine.begin() as conn:
        store.ledger.lock_log(conn)
        row = _reviewed_row(conn, uid, analyst, now)
        rows, details = _apply(conn, action, row, request, analyst, now)
        for r in rows:
            r["revision"] += 1
        rs.save_reviewed(conn, store.ledger, rows, now)
        acts = [{"reviewed_uid": row["uid"], "action": action.value, "reason": reason,
                 "analyst": analyst, "at": now, "details": details}]  # fmt: skip
        acts += [{"reviewed_uid": r["uid"], "action": action.value, "reason": reason,
                  "analyst": analyst, "at": now, "details": {"with": row["uid"]}}
                 for r in rows[1:]]  # fmt: skip
        rs.add_acts(conn, store.ledger, acts, now)
    return review_state(store, row["uid"], principal=principal)


def _apply(conn: Any, action: Action, row: dict[str, Any], request: ReviewRequest,
           analyst: str, now: datetime) -> tuple[list[dict[str, Any]], dict[str, Any]]:  # fmt: skip
    """The rows an act changes (``row`` first) and the act's details."""
    details: dict[str, Any] = {}
    if action is Action.PUBLISH:
        row["published_by"], row["published_at"] = analyst, now
        return [row], {"evaluation_status": row["evaluation_status"]}
    row["reviewed_by"], row["reviewed_at"] = analyst, now
    _refresh_basis(conn, row)
    rows = [row]
    if action is Action.CONFIRM:
        row["evaluation_status"] = EvaluationStatus.CONFIRMED.value
        if row["status"] == IncidentStatus.REFUTED.value:
            _label(row, status=IncidentStatus.CONFIRMED.value)
    elif action is Action.REJECT:
        row["evaluation_status"] = EvaluationStatus.REJECTED.value
        _label(row, status=IncidentStatus.REFUTED.value)
    elif action is Action.RELABEL:
        labels = {k: v for k, v in (("status", request.status),
                                    ("attribution_party", request.attribution),
                                    ("clause", request.clause),
                                    ("verdict", request.verdict)) if v is not None}  # fmt: skip
        details = {"before": {k: row[k] for k in labels}, "after": labels}
        _label(row, **labels)
        _reviewed(row)
    elif action is Action.ANNOTATE:
        _reviewed(row)
    elif action is Action.MERGE:
        rows += _merge(conn, row, request.merge, analyst, now)
        details = {"merged": [r["uid"] for r in rows[1:]]}
    elif action is Action.SPLIT:
        rows.append(_split(conn, row, request.observations))
        details = {"split_off": rows[1]["uid"], "observations": sorted(request.observations)}
    return rows, details


def _reviewed(row: dict[str, Any]) -> None:
    """A first act other than confirm or reject leaves an incident ``reviewed``; a
    confirmed or rejected one keeps its status."""
    if row["evaluation_status"] not in (EvaluationStatus.CONFIRMED, EvaluationStatus.REJECTED):
        row["evaluation_status"] = EvaluationStatus.REVIEWED.value


def _refresh_basis(conn: Any, row: dict[str, Any]) -> None:
    """An analyst's act answers any flag: the review now rests on the current automatic
    solution."""
    row["needs_review"] = None
    if row["automatic_uid"]:
        auto = q.get_incident(conn, row["automatic_uid"])
        if auto is not None:
            row["basis"] = basis_of(auto)


def _merge(conn: Any, row: dict[str, Any], uids: Sequence[str], analyst: str,
           now: datetime) -> list[dict[str, Any]]:  # fmt: skip
    """Merge the incidents ``uids`` into ``row``: its evidence and time span grow, each
    merged one is rejected with ``merged_into`` set. Returns the merged rows."""
    merged: list[dict[str, Any]] = []
    for uid in sorted(set(uids)):
        other = _reviewed_row(conn, uid, analyst, now)
        if other["uid"] == row["uid"] or any(m["uid"] == other["uid"] for m in merged):
            raise BadQuery(f"{uid} is this incident, or named twice", field="merge")
        other.update(merged_into=row["uid"], evaluation_status=EvaluationStatus.REJECTED.value,
                     reviewed_by=analyst, reviewed_at=now, needs_review=None)  # fmt: skip
        merged.append(other)
    _evidence(row, [*row["observations"], *(o for m in merged for o in m["observations"])])
    _label(row, time_start=min([row["time_start"], *(m["time_start"] for m in merged)]),
           time_end=max([row["time_end"], *(m["time_end"] for m in merged)]))  # fmt: skip
    _reviewed(row)
    return merged


def _split(conn: Any, row: dict[str, Any], observations: Sequence[str]) -> dict[str, Any]:
    """Split ``observations`` off ``row`` into a new reviewed incident, placed at the mean
    of their point locations (WGS84 degrees; the parent's place when none has one) and
    spanning their times."""
    moved = sorted(set(observations))
    unknown = sorted(set(moved) - set(row["observations"]))
    if unknown:
        raise BadQuery(f"observation {unknown[0]} is not evidence of incident {row['uid']}",
                       field="observations")  # fmt: skip
    if len(moved) == len(row["observations"]):
        raise BadQuery("a split leaves at least one observation with the incident",
                       field="observations")  # fmt: skip
    places = rs.observation_places(conn, moved)
    new = {**row, "record": dict(row["record"]), "uid": split_uid(moved),
           "automatic_uid": None, "published_by": None, "published_at": None,
           "revision": 0, "merged_into": None}  # fmt: skip
    if rs.reviewed(conn, [new["uid"]]):
        raise BadQuery("these observations were already split off", field="observations")
    points = [(lon, lat) for _, _, _, lon, lat in places if lon is not None and lat is not None]
    labels: dict[str, Any] = {}
    if points:
        labels["lon"] = sum(p[0] for p in points) / len(points)
        labels["lat"] = sum(p[1] for p in points) / len(points)
    if places:
        labels["time_start"] = min(p[1] for p in places)
        labels["time_end"] = max(p[2] for p in places)
    new["record"]["uid"] = new["uid"]
    _label(new, **labels)
    _evidence(new, moved)
    _evidence(row, [o for o in row["observations"] if o not in set(moved)])
    _reviewed(row)
    new["evaluation_status"] = EvaluationStatus.REVIEWED.value
    return new


def publish(store: Store, uid: str, reason: str, *, principal: Principal) -> dict[str, Any]:
    """Publish the reviewed version of incident ``uid`` to the parties and the public (an
    act of review, logged)."""
    return review_incident(store, uid, ReviewRequest(action=Action.PUBLISH.value, reason=reason),
                           principal=principal)  # fmt: skip


# --------------------------------------------------------------------------- reading


def review_state(store: Store, uid: str, *, principal: Principal,
                 published_before: datetime | None = None) -> dict[str, Any]:  # fmt: skip
    """The review of incident ``uid``: its evaluation mode and status and, when reviewed,
    the reviewed version and (for analysts) every act. Those who read published findings
    only (``published_before``: the existing publication limit) see a reviewed version
    once it is published, and an unreviewed, automatic incident otherwise."""
    require(principal, Permission.READ_ALL_INCIDENTS, Permission.READ_PUBLISHED_FINDINGS)
    analyst = principal.can(Permission.READ_ALL_INCIDENTS)
    with store.engine.connect() as conn:
        found = _resolve(conn, uid)
        if found is None:
            raise NotVisible(f"no incident {uid}")
        if not analyst:
            start = found.time_start if isinstance(found, Incident) else found["time_start"]
            if published_before is None or start >= published_before:
                raise NotVisible(f"no incident {uid}")
        if isinstance(found, Incident) or (not analyst and found["published_at"] is None):
            return {"uid": uid, "evaluation_mode": AUTOMATIC,
                    "evaluation_status": EvaluationStatus.PRELIMINARY.value, "reviewed": None,
                    "acts": []}  # fmt: skip
        acts = rs.acts_of(conn, [found["uid"]]) if analyst else []
    return {"uid": uid, "evaluation_mode": MANUAL,
            "evaluation_status": found["evaluation_status"],
            "reviewed": reviewed_view(found, analyst=analyst),
            "acts": [act_view(a) for a in acts]}  # fmt: skip


def reviewed_view(row: Mapping[str, Any], *, analyst: bool) -> dict[str, Any]:
    """A reviewed incident as the API shows it (analysts also see the automatic basis,
    the flag and who reviewed it)."""
    out = {k: row[k] for k in ("uid", "automatic_uid", "evaluation_mode", "evaluation_status",
                               "time_start", "time_end", "lon", "lat", "status",
                               "attribution_party", "clause", "verdict", "sector",
                               "observations", "merged_into", "revision",
                               "published_at")}  # fmt: skip
    if analyst:
        out.update({k: row[k] for k in ("basis", "needs_review", "reviewed_by", "reviewed_at",
                                        "published_by")})  # fmt: skip
    return out


def act_view(a: Mapping[str, Any]) -> dict[str, Any]:
    return {k: a[k] for k in ("id", "reviewed_uid", "action", "reason", "analyst", "at", "details")}


def reviewed_incidents(store: Store, since: datetime | None = None,
                       until: datetime | None = None, *, needs_review: bool | None = None,
                       principal: Principal,
                       published_before: datetime | None = None
                       ) -> list[dict[str, Any]]:  # fmt: skip
    """Reviewed incidents starting in [since, until) (analysts: all, optionally only those
    flagged or not; others: the published ones before ``published_before``)."""
    require(principal, Permission.READ_ALL_INCIDENTS, Permission.READ_PUBLISHED_FINDINGS)
    analyst = principal.can(Permission.READ_ALL_INCIDENTS)
    if not analyst:
        until = published_before if until is None or published_before is None \
            else min(until, published_before)  # fmt: skip
    with store.engine.connect() as conn:
        rows = rs.reviewed_between(conn, since, until, needs_review=needs_review if analyst
                                   else None, published_only=not analyst)  # fmt: skip
    return [reviewed_view(r, analyst=analyst) for r in rows]


# --------------------------------------------------------------------------- re-fusion


def remap_reviews(store: Store, since: datetime | None, until: datetime | None,
                  move_km: float = MATERIAL_MOVE_KM) -> dict[str, int]:  # fmt: skip
    """After a fusion of [since, until) replaced its incidents: map the automatic incidents
    stored around the period (:data:`WINDOW` either side) onto the reviewed incidents there
    (:func:`assign`), attach new evidence, and flag material changes for re-review (one
    transaction, logged). Returns counts: ``reviewed`` (looked at), ``attached``
    (observations), ``flagged``, ``unmatched`` (reviewed incidents that no automatic
    incident shares an observation with any more)."""
    now = datetime.now(UTC)
    lo = None if since is None else since - WINDOW
    hi = None if until is None else until + WINDOW
    counts = {"reviewed": 0, "attached": 0, "flagged": 0, "unmatched": 0}
    with store.engine.begin() as conn:
        rows = rs.reviewed_between(conn, lo, hi)
        if not rows:
            return counts
        store.ledger.lock_log(conn)
        automatic = {i.uid: i for i in rs.automatic_between(conn, lo, hi)}
        plan = assign({r["uid"]: r["observations"] for r in rows},
                      [(i.uid, i.observation_uids) for i in automatic.values()])  # fmt: skip
        changed, acts = [], []
        for row in rows:
            counts["reviewed"] += 1
            new_row, new_acts = _remapped(row, plan, automatic, move_km, now)
            if new_row is not None:
                changed.append(new_row)
                acts += new_acts
                counts["attached"] += len(plan.attach.get(row["uid"], ()))
                counts["flagged"] += any(a["action"] == Action.FLAG for a in new_acts)
            counts["unmatched"] += plan.automatic_of[row["uid"]] is None
        rs.save_reviewed(conn, store.ledger, changed, now)
        rs.add_acts(conn, store.ledger, acts, now)
    return counts


Row = dict[str, Any]


def _remapped(row: Row, plan: Assignment, automatic: Mapping[str, Incident],
              move_km: float, now: datetime) -> tuple[Row | None, list[Row]]:  # fmt: skip
    """The reviewed row after a re-fusion (None when unchanged) and the re-fusion's acts."""
    new = dict(row)
    acts: list[dict[str, Any]] = []
    auto_uid = plan.automatic_of[row["uid"]]
    if row["automatic_uid"] in plan.sharing.get(row["uid"], ()):
        auto_uid = row["automatic_uid"]  # still there and sharing evidence: it stays
    new["automatic_uid"] = auto_uid
    attached = plan.attach.get(row["uid"], [])
    if attached:
        _evidence(new, [*row["observations"], *attached])
        acts.append({"reviewed_uid": row["uid"], "action": Action.ATTACH.value,
                     "reason": f"{len(attached)} new observation(s) from automatic incident "
                               f"{auto_uid}", "analyst": FUSION, "at": now,
                     "details": {"observations": sorted(attached),
                                 "automatic_uid": auto_uid}})  # fmt: skip
    if auto_uid is None:
        changes = ["no automatic incident shares its observations any more"]
    else:
        changes = material_changes(row["basis"], basis_of(automatic[auto_uid]), move_km)
    flag = "; ".join(changes) if changes else None
    if flag and flag != row["needs_review"]:
        new["needs_review"] = flag
        acts.append({"reviewed_uid": row["uid"], "action": Action.FLAG.value,
                     "reason": f"material change since the review: {flag}", "analyst": FUSION,
                     "at": now,
                     "details": {"automatic_uid": auto_uid, "changes": changes}})  # fmt: skip
    if new == row:
        return None, []
    new["revision"] = row["revision"] + 1
    return new, acts
