"""Claims read from statements and news text, as the claim records of docs/claims.md
("Formats"): the same records ``trucewatch claims import`` reads from JSON, so a claim
read from text is stored, signed and adjudicated like any other.

The reading itself is :func:`trucewatch.narrative.statements.read_statements`; this module
turns each :class:`~trucewatch.narrative.statements.StatementClaim` into a record and
checks it with :func:`trucewatch.claims.read.parse_claim`.

A record's ``claim_id`` is ``text-`` and the first 16 hex digits of the SHA-256 of its
sentence, its place in the sentence and its fields, so reading the same text again gives the
same ids (and importing it again stores nothing). Keys beyond the formats' are kept with the
claim: ``text`` (the sentence), ``text_offsets`` (its characters in the input),
``claimant_text``, ``accused_text``, ``count_text``, ``count_bound``, ``read_notes``,
``language``, ``place_text`` (the settlement as written: "Херсону"; ``place`` is the
gazetteer's name) and, for an aggregate, ``weapon`` and ``target``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

from trucewatch.claims.model import Claim
from trucewatch.claims.read import PLACE_SIGMA_KM, parse_claim
from trucewatch.narrative.statements import StatementClaim, StatementReading, read_statements

__all__ = ["claim_record", "records_from_text"]


def _utc(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def claim_record(c: StatementClaim, *, lang: str, source: str,
                 stated_at: datetime | None = None) -> dict[str, Any]:  # fmt: skip
    """The claim record (docs/claims.md) of one claim read from text."""
    rec: dict[str, Any] = {"type": c.type, "claimant": c.claimant}
    if c.accused:
        rec["accused"] = c.accused
    if stated_at is not None:
        rec["stated_utc"] = _utc(stated_at)
    if c.type == "item":
        rec |= {"time_start_utc": _utc(c.start), "time_end_utc": _utc(c.end),
                "lon": round(c.lon or 0.0, 5), "lat": round(c.lat or 0.0, 5),
                "location_sigma_km": PLACE_SIGMA_KM, "place": c.place_name,
                "place_text": c.place}  # fmt: skip
        for key in ("weapon", "target", "count"):
            if getattr(c, key) is not None:
                rec[key] = getattr(c, key)
    else:
        rec |= {"period_start_utc": _utc(c.start), "period_end_utc": _utc(c.end),
                "count": c.count, "kind": c.kind or "violations"}  # fmt: skip
        for key in ("weapon", "target"):
            if getattr(c, key) is not None:
                rec[key] = getattr(c, key)
    rec |= {"source": source, "language": lang, "text": c.sentence.text,
            "text_offsets": [c.sentence.start, c.sentence.end],
            "claimant_text": c.claimant_text}  # fmt: skip
    for key in ("accused_text", "count_text", "count_bound"):
        if getattr(c, key):
            rec[key] = getattr(c, key)
    if c.notes:
        rec["read_notes"] = list(c.notes)
    digest = hashlib.sha256(json.dumps([c.sentence.text, c.index, rec], sort_keys=True,
                                       ensure_ascii=False).encode()).hexdigest()  # fmt: skip
    return {"claim_id": f"text-{digest[:16]}", **rec}


def records_from_text(
    text: str,
    lang: str,
    *,
    statement_date: date | datetime | str | None = None,
    claimant: str | None = None,
    truce: tuple[datetime, datetime] | None = None,
    source: str = "text",
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Claim]]:
    """Claim records read from a text, what could not be read, and the parsed claims.

    Parameters are those of :func:`~trucewatch.narrative.statements.read_statements`;
    ``source`` names the text in each record (a file name or URL).

    Returns
    -------
    records : list of dict
        One claim record per claim read, in text order.
    unread : list of dict
        ``{"text", "start", "end", "status", "reason"}`` of each sentence (or clause) that
        reads as a claim but gave none (``status``: unread, denial, negated).
    claims : list of Claim
        The records parsed (:func:`~trucewatch.claims.read.parse_claim`), as an import
        would parse them.
    """
    reading: StatementReading = read_statements(text, lang, statement_date=statement_date,
                                                claimant=claimant, truce=truce)  # fmt: skip
    records: list[dict[str, Any]] = []
    claims: list[Claim] = []
    unread: list[dict[str, Any]] = [
        {"text": u.sentence.text, "start": u.sentence.start, "end": u.sentence.end,
         "status": u.status, "reason": u.reason} for u in reading.unread]  # fmt: skip
    for c in reading.claims:
        rec = claim_record(c, lang=lang, source=source, stated_at=reading.stated_at)
        claims.append(parse_claim(rec, source=source))
        records.append(rec)
    unread.sort(key=lambda u: u["start"])
    return records, unread, claims
