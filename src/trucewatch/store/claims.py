"""The parties' claims and their verdicts in the store (tables ``claims`` and
``claim_verdicts``; docs/claims.md).

A claim is stored as the text of its record (a JSON Lines file's line as written, else the
record's canonical JSON line, :func:`trucewatch.claims.read.canonical_record`: what a party
signs), its uid the SHA-256 of ``"claim\\n" + line``; each new claim is
logged in the ledger (entry type ``claim``, with the signer's key id and signature when it
was signed). A batch of claims is stored whole or not at all; a claim already stored is a
duplicate, and a claim id a party reuses for a different claim refuses the batch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, tuple_

from trucewatch.claims.model import AggregateClaim, Claim, ItemClaim
from trucewatch.errors import InputError, RecordError
from trucewatch.ids import sha256_hex
from trucewatch.ledger.entry import EntryType, LogEntry
from trucewatch.ledger.signing import COMPLAINT_SOURCE_PREFIX
from trucewatch.store import quotas
from trucewatch.store import schema as t
from trucewatch.store.batches import FILE_IMPORT, NEW_BATCH, BatchOrigin, batch_row
from trucewatch.store.coverage import (
    BATCHES,
    CLAIM_VERDICTS,
    CLAIMS,
    log_rows,
    normalize,
    read_rows,
    row_metas,
)
from trucewatch.store.ledger import Ledger
from trucewatch.store.quotas import DailyQuota
from trucewatch.store.util import chunks
from trucewatch.units import as_utc

__all__ = ["ClaimTable", "PendingClaim", "StoredClaim"]

CHUNK = 500


@dataclass(frozen=True)
class PendingClaim:
    """A validated claim to store: the claim, its canonical line, and its checked
    signature (key id and hex signature), if any."""

    claim: Claim
    record: str
    signer: str | None = None
    signature: str | None = None

    @property
    def sha256(self) -> str:
        return sha256_hex(self.record)

    @property
    def uid(self) -> str:
        return sha256_hex(f"claim\n{self.record}")


@dataclass(frozen=True)
class StoredClaim:
    """A stored claim and its latest verdict (``None`` until adjudicated)."""

    uid: str
    claim: Claim
    signer: str | None
    verdict: dict[str, Any] | None


def _row(p: PendingClaim, batch_id: int, now: datetime) -> dict[str, Any]:
    c = p.claim
    item = isinstance(c, ItemClaim)
    return {
        "uid": p.uid, "claim_id": c.claim_id, "type": "item" if item else "aggregate",
        "claimant": c.claimant, "accused": c.accused, "stated_at": c.stated_at,
        "time_start": c.time_start if isinstance(c, ItemClaim) else c.period_start,
        "time_end": c.time_end if isinstance(c, ItemClaim) else c.period_end,
        "lon": c.lon if isinstance(c, ItemClaim) else None,
        "lat": c.lat if isinstance(c, ItemClaim) else None,
        "sector": c.sector if isinstance(c, AggregateClaim) else None,
        "count": c.count, "record": p.record, "record_sha256": p.sha256, "signer": p.signer,
        "batch_id": batch_id, "imported_at": now,
    }  # fmt: skip


class ClaimTable:
    """Claims and verdicts on one store's engine, logged in its ledger."""

    def __init__(self, engine: Engine, ledger: Ledger) -> None:
        self.engine = engine
        self.ledger = ledger

    def add(self, pending: Sequence[PendingClaim], files: Sequence[str] = (),
            origin: BatchOrigin = FILE_IMPORT,
            quota: DailyQuota | None = None) -> dict[str, int]:  # fmt: skip
        """Store a batch of claims in one transaction; returns ``stored``, ``duplicates``
        and the ``batch_id``. With ``quota`` (an API token's), the claims not stored yet
        are counted against it in the same transaction, before anything is written:
        :class:`~trucewatch.errors.QuotaExceeded` if they would pass it (nothing stored);
        claims sent again are not counted."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            batch_id = int(conn.execute(NEW_BATCH, batch_row(files, origin, now, read=len(
                pending))).inserted_primary_key[0])  # type: ignore[index]  # fmt: skip
            new = self._new_claims(conn, pending, files[0] if files else "claims")
            if quota is not None:
                quotas.charge(conn, quota, len(new))
            rows = [_row(p, batch_id, now) for p in new.values()]
            for chunk in chunks(rows, CHUNK):
                conn.execute(insert(t.claims), list(chunk))
            rows_meta = row_metas(conn, CLAIMS, list(new))
            self.ledger.append(conn, [LogEntry(
                type=EntryType.CLAIM, ref=p.uid, sha256=p.sha256, time=now, signer=p.signer,
                sig=p.signature, meta={**_signed_meta(p), **rows_meta[p.uid]})
                for p in new.values()], verify_signatures=False)  # fmt: skip
            conn.execute(t.import_batches.update().where(t.import_batches.c.id == batch_id)
                         .values(stored=len(new), duplicates=len(pending) - len(new),
                                 finished_at=datetime.now(UTC)))  # fmt: skip
            log_rows(conn, self.ledger, BATCHES, [batch_id], now)
        return {"stored": len(new), "duplicates": len(pending) - len(new), "batch_id": batch_id}

    @staticmethod
    def _new_claims(conn: Connection, pending: Sequence[PendingClaim], where: str
                    ) -> dict[str, PendingClaim]:  # fmt: skip
        """The claims of ``pending`` not stored yet, by uid; a claim id reused for another
        claim raises :class:`InputError` naming the record (1-based)."""
        c = t.claims.c
        owner: dict[tuple[str, str], str] = {}
        pairs = [(p.claim.claimant, p.claim.claim_id) for p in pending]
        for chunk in chunks(pairs, CHUNK):
            query = select(c.uid, c.claimant, c.claim_id).where(
                tuple_(c.claimant, c.claim_id).in_(list(chunk)))
            owner.update({(r.claimant, r.claim_id): r.uid for r in conn.execute(query)})
        stored = set(owner.values())
        new: dict[str, PendingClaim] = {}
        for k, p in enumerate(pending, start=1):
            if p.uid in stored or p.uid in new:
                continue
            key = (p.claim.claimant, p.claim.claim_id)
            if owner.setdefault(key, p.uid) != p.uid:
                raise InputError(RecordError(
                    where, k, "claim_id", f"{key[0]} claim {key[1]!r} is already given with "
                    "other content (a claim id names one claim)"))  # fmt: skip
            new[p.uid] = p
        return new

    def list(self, since: datetime | None = None, until: datetime | None = None, *,
             claimant: str | None = None) -> list[StoredClaim]:  # fmt: skip
        """Claims whose window (or period) starts in [since, until), oldest first, with
        their verdicts."""
        c, v = t.claims.c, t.claim_verdicts.c
        query = (select(c.uid, c.record, c.signer, v.label, v.reason, v.coverage, v.details,
                        v.adjudicated_at)
                 .join_from(t.claims, t.claim_verdicts, v.claim_uid == c.uid, isouter=True)
                 .order_by(c.time_start, c.uid))  # fmt: skip
        if since is not None:
            query = query.where(c.time_start >= since)
        if until is not None:
            query = query.where(c.time_start < until)
        if claimant is not None:
            query = query.where(c.claimant == claimant)
        from trucewatch.claims.read import parse_claim  # the gazetteer: only when reading claims

        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [StoredClaim(uid=r.uid, claim=parse_claim(json.loads(r.record)), signer=r.signer,
                            verdict=None if r.label is None else {
                                "label": r.label, "reason": r.reason, "coverage": r.coverage,
                                "details": r.details,
                                "adjudicated_at": as_utc(r.adjudicated_at)})
                for r in rows]  # fmt: skip

    def set_verdicts(self, verdicts: Sequence[dict[str, Any]]) -> None:
        """Replace the verdicts of the claims named (each ``claim_uid``, ``label``,
        ``reason``, ``coverage``, ``details``), in one transaction, logging each new or
        changed verdict row (a ``claim_verdict`` entry with its row digest); a verdict
        stored again unchanged keeps its entry and its ``adjudicated_at``."""
        now = datetime.now(UTC)
        v = t.claim_verdicts.c
        with self.engine.begin() as conn:
            uids = [d["claim_uid"] for d in verdicts]
            before = {r["claim_uid"]: r for r in read_rows(conn, CLAIM_VERDICTS, uids)}
            rows = [_verdict_row(d, before.get(d["claim_uid"]), now) for d in verdicts]
            for chunk in chunks(uids, CHUNK):
                conn.execute(delete(t.claim_verdicts).where(v.claim_uid.in_(list(chunk))))
            for part in chunks(rows, CHUNK):
                conn.execute(insert(t.claim_verdicts), list(part))
            changed = [r["claim_uid"] for r in rows if r["adjudicated_at"] is now]
            log_rows(conn, self.ledger, CLAIM_VERDICTS, changed, now)


def _verdict_row(verdict: dict[str, Any], stored: dict[str, Any] | None,
                 now: datetime) -> dict[str, Any]:  # fmt: skip
    """The row to store for ``verdict``: with the ``stored`` row's time when nothing else
    changed (the row is then not logged again), else with ``now``."""
    if stored is not None:
        again = {**verdict, "adjudicated_at": stored["adjudicated_at"]}
        if normalize(CLAIM_VERDICTS, again) == normalize(CLAIM_VERDICTS, stored):
            return again
    return {**verdict, "adjudicated_at": now}


def _signed_meta(p: Any) -> dict[str, str]:
    """The ledger meta of a signed claim: its source, the claimant party as for a party's
    complaint (``complaint:P``), which binds the signing key to that party
    (:func:`trucewatch.ledger.signing.binding_problem`); none for an unsigned claim."""
    return {"source": f"{COMPLAINT_SOURCE_PREFIX}{p.claim.claimant}"} if p.signer else {}
