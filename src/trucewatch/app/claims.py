"""Use cases of the parties' claims (docs/claims.md): import (files, or records sent to
the API, signed by the party's key), adjudicate (items against the monitoring incidents
and coverage, aggregates against the estimated totals), list, and the estimated totals
per sector and day."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from trucewatch.app.intake import read_signatures
from trucewatch.app.lines import line_history
from trucewatch.app.roles import OPERATOR, Permission, PermissionDenied, Principal, require
from trucewatch.claims import captures
from trucewatch.claims.adjudicate import MONITORING, adjudicate_items
from trucewatch.claims.aggregate import ScopeIncident, by_day, judge_aggregate
from trucewatch.claims.coverage import presence_of
from trucewatch.claims.estimate import Estimate
from trucewatch.claims.model import AggregateClaim, Claim, ItemClaim
from trucewatch.claims.read import canonical_record, parse_claim, read_claims
from trucewatch.claims.text import records_from_text
from trucewatch.errors import InputError, RecordError
from trucewatch.fusion.engine import fuse_observations
from trucewatch.ledger.errors import LedgerError
from trucewatch.store import Store
from trucewatch.store.batches import BatchOrigin
from trucewatch.store.claims import PendingClaim
from trucewatch.store.quotas import DailyQuota
from trucewatch.types import Incident

__all__ = ["LISTS", "adjudicate", "import_claims", "import_records", "list_claims", "read_text",
           "submit_claims", "totals", "write_records"]

LISTS = tuple(sorted(k.value for k in MONITORING))
"""The lists of the totals' capture histories: the monitoring source kinds."""
MARGIN = timedelta(hours=12)
"""Observations this long before and after the claims' span are fused with them."""


def _may_claim_for(principal: Principal, claims: Sequence[Claim], where: str) -> None:
    """A liaison files only its own party's claims; an analyst or monitor any."""
    if principal.can(Permission.SUBMIT_OBSERVATIONS):
        return
    require(principal, Permission.SUBMIT_COMPLAINTS)
    for k, c in enumerate(claims, start=1):
        if c.claimant != principal.party:
            raise PermissionDenied(f"{where}, record {k}: a liaison of {principal.party} may "
                                   f"not file a claim of {c.claimant}")  # fmt: skip


def _checked(store: Store, pending: list[PendingClaim], where: str,
             require_signatures: bool) -> None:  # fmt: skip
    with store.engine.connect() as conn:
        for k, p in enumerate(pending, start=1):
            if p.signer is None:
                if require_signatures:
                    raise InputError(RecordError(where, k, "signature", "claim is not signed "
                                                 "by a registered key; signatures are required"))
                continue
            try:
                store.ledger.check_submission_digest(conn, p.sha256, p.signer, p.signature)
            except LedgerError as exc:
                raise InputError(RecordError(where, k, "signature", str(exc))) from exc


def import_claims(store: Store, paths: Sequence[Path], *, principal: Principal = OPERATOR,
                  signatures: Path | None = None, skip_bad: bool = False,
                  require_signatures: bool = False) -> dict[str, Any]:  # fmt: skip
    """Import claims files in one transaction (a bad record refuses them all unless
    ``skip_bad``); ``signatures``: the JSON Lines file of ``trucewatch key sign-file``
    over the claims' canonical lines."""
    signed = read_signatures(signatures) if signatures is not None else {}
    pending: list[PendingClaim] = []
    errors: list[RecordError] = []
    for path in paths:
        if not path.is_file():
            raise InputError(RecordError(str(path), None, None, "no such file"))
        claims, bad = read_claims(path)
        if bad and not skip_bad:
            raise InputError(bad[0])
        errors.extend(bad)
        _may_claim_for(principal, [c for c, _ in claims], str(path))
        for c, record in claims:
            p = PendingClaim(c, record)
            sig = signed.get(p.sha256)
            pending.append(PendingClaim(c, record, *sig) if sig else p)
    where = ", ".join(str(p) for p in paths)
    _checked(store, pending, where, require_signatures)
    stored = store.claims.add(pending, [str(p) for p in paths])
    return {**stored, "read": len(pending) + len(errors), "rejected": len(errors),
            "signed": sum(p.signer is not None for p in pending),
            "errors": [e.as_dict() for e in errors]}  # fmt: skip


def submit_claims(store: Store, records: Sequence[Any],
                  signatures: Sequence[tuple[int, str, str]], *, principal: Principal,
                  origin: BatchOrigin,
                  quota: DailyQuota | None = None) -> dict[str, Any]:  # fmt: skip
    """Store claims sent as JSON records (the API): each is validated like a file's record,
    and a signature ``(record index, key id, signature)`` signs the record's canonical
    JSON line as sent. All are stored, or none. With ``quota`` (the API token's daily
    quota), the claims not stored yet are counted against it in the same transaction
    (:class:`~trucewatch.errors.QuotaExceeded` and nothing stored if they would pass
    it)."""
    pending: list[PendingClaim] = []
    by_index = {i: (s, g) for i, s, g in signatures}
    for k, rec in enumerate(records):
        try:
            c = parse_claim(rec, source="api")
        except ValueError as exc:
            raise InputError(RecordError("request", k + 1, getattr(exc, "field", None),
                                         str(exc))) from exc  # fmt: skip
        signer, sig = by_index.get(k, (None, None))
        pending.append(PendingClaim(c, canonical_record(rec), signer, sig))
    _may_claim_for(principal, [p.claim for p in pending], "request")
    _checked(store, pending, "request", require_signatures=False)
    stored = store.claims.add(pending, ["api"], origin, quota=quota)
    return {**stored, "read": len(pending), "claims": [p.uid for p in pending]}


def read_text(path: Path, lang: str, *, statement_date: date | datetime | None = None,
              claimant: str | None = None, truce: tuple[datetime, datetime] | None = None
              ) -> dict[str, Any]:  # fmt: skip
    """Claim records read from a statement or news text file (UTF-8) in ``lang`` (en, uk,
    ru), and the sentences that read as claims but gave none, with the reason
    (:func:`trucewatch.claims.text.records_from_text`). Stores nothing."""
    if not path.is_file():
        raise InputError(RecordError(str(path), None, None, "no such file"))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(RecordError(str(path), None, None, f"not UTF-8 text: {exc}")) from exc
    if claimant is not None and claimant.upper() not in ("UA", "RU"):
        raise InputError(RecordError(str(path), None, "claimant",
                                     f"must be UA or RU, not {claimant!r}"))  # fmt: skip
    try:
        records, unread, claims = records_from_text(
            text, lang, statement_date=statement_date, claimant=claimant, truce=truce,
            source=path.name)  # fmt: skip
    except ValueError as exc:
        raise InputError(RecordError(str(path), None, getattr(exc, "field", "lang"),
                                     str(exc))) from exc  # fmt: skip
    return {"file": str(path), "language": lang, "claims": len(records),
            "items": sum(c.__class__ is ItemClaim for c in claims),
            "aggregates": sum(c.__class__ is AggregateClaim for c in claims),
            "unread": unread, "records": records}  # fmt: skip


def write_records(records: Sequence[dict[str, Any]], path: Path) -> None:
    """Write claim records as a claims file: JSON Lines of canonical records (what
    :func:`import_records` stores, so importing the file again stores nothing), or a JSON
    array for a ``.json`` name."""
    if path.suffix.lower() == ".json":
        text = json.dumps(list(records), ensure_ascii=False, indent=1) + "\n"
    else:
        text = "".join(canonical_record(dict(r)) + "\n" for r in records)
    path.write_text(text, encoding="utf-8")


def import_records(store: Store, records: Sequence[dict[str, Any]], *, source: str,
                   principal: Principal = OPERATOR) -> dict[str, Any]:  # fmt: skip
    """Store claim records made here (read from text) as one import batch of ``source``,
    unsigned; a liaison stores only its own party's claims."""
    pending: list[PendingClaim] = []
    for k, rec in enumerate(records, start=1):
        try:
            c = parse_claim(rec, source=source)
        except ValueError as exc:
            raise InputError(RecordError(source, k, getattr(exc, "field", None),
                                         str(exc))) from exc  # fmt: skip
        pending.append(PendingClaim(c, canonical_record(rec)))
    _may_claim_for(principal, [p.claim for p in pending], source)
    stored = store.claims.add(pending, [source])
    return {**stored, "read": len(pending)}


# --------------------------------------------------------------------------- totals


def sector_day_estimates(incidents: Sequence[Incident], *, criterion: str = "aic"
                         ) -> dict[tuple[str, date], Estimate]:  # fmt: skip
    """The estimated total of every (sector, UTC day) with a counted incident seen by a
    monitoring source (:data:`LISTS`; :func:`trucewatch.claims.captures.sector_day_estimates`:
    incidents weighted by their confidence, those of one violation linked)."""
    return captures.sector_day_estimates(incidents, LISTS, criterion=criterion)


def _estimate_dict(key: tuple[str, date], e: Estimate) -> dict[str, Any]:
    r = (lambda x: None if x is None else round(x, 1))  # noqa: E731
    return {"sector": key[0], "day": key[1].isoformat(), "status": e.status,
            "observed": e.observed, "seen": r(e.seen), "total": r(e.total), "low": r(e.low),
            "high": r(e.high),
            "lists": list(e.lists), "model": e.model, "reason": e.reason}  # fmt: skip


def totals(store: Store, since: datetime | None = None, until: datetime | None = None, *,
           principal: Principal = OPERATOR, criterion: str = "aic") -> dict[str, Any]:  # fmt: skip
    """Estimated violations per sector and UTC day of the stored incidents starting in
    [since, until), with 90% intervals (docs/claims.md, "The estimator")."""
    require(principal, Permission.READ_ALL_INCIDENTS)
    if criterion not in ("aic", "bic"):
        raise InputError(RecordError("criterion", None, None, "must be aic or bic"))
    est = sector_day_estimates(store.incidents(since, until), criterion=criterion)
    return {"lists": list(LISTS), "criterion": criterion,
            "sector_days": [_estimate_dict(k, e) for k, e in est.items()]}  # fmt: skip


# --------------------------------------------------------------------------- adjudication


def _span(claims: Sequence[Claim]) -> tuple[datetime, datetime]:
    starts = [c.time_start if isinstance(c, ItemClaim) else c.period_start for c in claims]
    ends = [c.time_end if isinstance(c, ItemClaim) else c.period_end for c in claims]
    return min(starts) - MARGIN, max(ends) + MARGIN


def _item_verdicts(store: Store, items: Sequence[Any]) -> list[dict[str, Any]]:
    """Verdicts of stored items: their period's monitoring observations fused apart from
    the parties' complaints (a claim must not corroborate itself)."""
    since, until = _span([s.claim for s in items])
    monitoring = [o for o in store.observations(since, until) if o.source_kind in MONITORING]
    lines = line_history(store)
    incidents = fuse_observations(monitoring, lines if lines else None).incidents
    verdicts = adjudicate_items([s.claim for s in items], incidents, presence_of(monitoring))
    return [{"claim_uid": s.uid, "label": v.label.value, "reason": v.reason,
             "coverage": v.coverage,
             "details": {"incidents": list(v.incidents[:10]), "distance_km": v.distance_km,
                         "likelihood_ratio": v.likelihood_ratio}}
            for s, v in zip(items, verdicts, strict=True)]  # fmt: skip


def _aggregate_verdicts(store: Store, aggs: Sequence[Any]) -> list[dict[str, Any]]:
    since, until = _span([s.claim for s in aggs])
    incidents = store.incidents(since, until)
    estimates = sector_day_estimates(incidents)
    sectors = sorted({s.name for ln in store.lines() if ln.id is not None
                      for s in store.sectors(ln.id)})  # fmt: skip
    scope = by_day([ScopeIncident(i.sector, i.time_start.astimezone(UTC).date(),
                                  i.location.lon, i.location.lat, i.attribution.party)
                    for i in incidents])  # fmt: skip
    out = []
    for s in aggs:
        assert isinstance(s.claim, AggregateClaim)
        v = judge_aggregate(s.claim, scope, estimates, sectors)
        out.append({"claim_uid": s.uid, "label": v.verdict, "reason": v.reason, "coverage": None,
                     "details": {"incidents": v.incidents,
                                 "incidents_by_accused": v.incidents_by_accused,
                                 "estimate": v.estimate,
                                 "interval": list(v.interval) if v.interval else None}})
    return out


def adjudicate(store: Store, since: datetime | None = None, until: datetime | None = None, *,
               principal: Principal = OPERATOR) -> dict[str, Any]:  # fmt: skip
    """Adjudicate the stored claims whose window starts in [since, until) and store their
    verdicts (replacing earlier ones)."""
    require(principal, Permission.MANAGE_MISSION)
    stored = store.claims.list(since, until)
    items = [s for s in stored if isinstance(s.claim, ItemClaim)]
    aggs = [s for s in stored if isinstance(s.claim, AggregateClaim)]
    verdicts = (_item_verdicts(store, items) if items else []) + (
        _aggregate_verdicts(store, aggs) if aggs else [])  # fmt: skip
    store.claims.set_verdicts(verdicts)
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v["label"]] = counts.get(v["label"], 0) + 1
    return {"items": len(items), "aggregates": len(aggs), "by_label": counts}


def list_claims(store: Store, since: datetime | None = None, until: datetime | None = None, *,
                claimant: str | None = None, principal: Principal = OPERATOR
                ) -> dict[str, Any]:  # fmt: skip
    """The stored claims with their verdicts, and a summary by party: for the mission and
    the parties' liaison officers, not the public (claims are not published findings)."""
    require(principal, Permission.READ_ALL_INCIDENTS, Permission.SUBMIT_COMPLAINTS)
    stored = store.claims.list(since, until, claimant=claimant.upper() if claimant else None)
    rows = [claim_dict(s.uid, s.claim, s.signer, s.verdict) for s in stored]
    return {"claims": rows, "by_party": by_party(rows)}


def claim_dict(uid: str, c: Claim, signer: str | None, verdict: dict[str, Any] | None
               ) -> dict[str, Any]:  # fmt: skip
    """A claim and its verdict as a JSON-able row (times ISO 8601 UTC; ``lon``, ``lat``
    WGS84 degrees and ``sigma_km`` the claimed point's sd per axis in km, for items;
    ``sector`` and ``kind`` for aggregates)."""
    item = isinstance(c, ItemClaim)
    start = c.time_start if isinstance(c, ItemClaim) else c.period_start
    end = c.time_end if isinstance(c, ItemClaim) else c.period_end
    v = verdict or {}
    return {
        "uid": uid, "claim_id": c.claim_id, "type": "item" if item else "aggregate",
        "claimant": c.claimant, "accused": c.accused, "start": start.isoformat(),
        "end": end.isoformat(), "count": c.count,
        "lon": c.lon if isinstance(c, ItemClaim) else None,
        "lat": c.lat if isinstance(c, ItemClaim) else None,
        "sigma_km": c.sigma_km if isinstance(c, ItemClaim) else None,
        "place": c.place if isinstance(c, ItemClaim) else None,
        "weapon": c.weapon if isinstance(c, ItemClaim) else None,
        "target": c.target if isinstance(c, ItemClaim) else None,
        "sector": c.sector if isinstance(c, AggregateClaim) else None,
        "kind": c.kind if isinstance(c, AggregateClaim) else None,
        "stated": c.stated_at.isoformat() if c.stated_at else None,
        "signed": signer is not None, "label": v.get("label"), "reason": v.get("reason"),
        "coverage": v.get("coverage"), "details": v.get("details"),
    }  # fmt: skip


def by_party(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Claims per claimant and label (``pending``: not adjudicated yet)."""
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        party = out.setdefault(r["claimant"], {})
        label = r["label"] or "pending"
        party[label] = party.get(label, 0) + 1
    return out
