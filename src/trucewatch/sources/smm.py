"""OSCE SMM-style narrative passages as an input format ("smm").

Two layouts are read:

* **plain text**: one passage per paragraph (paragraphs are separated by blank lines; a
  paragraph may wrap over several lines). A paragraph that is only ``date: YYYY-MM-DD`` (or
  ``report_date: ...``), or a paragraph starting with ``date YYYY-MM-DD`` (the dateline of
  saved news pages), sets the report date of the passages after it;
* **JSON Lines**: one object per line with a ``text`` key (the passage) and optionally
  ``report_date`` ("YYYY-MM-DD"), ``default_year``, ``source_id``, ``reliability`` and
  ``credibility``, as in ``shared/data/smm/examples.jsonl`` (other keys are ignored).

Each passage is read by :func:`trucewatch.narrative.smm.parse_passage` (observer position
geocoded with the gazetteer) into patrol records, and each record into observations by
:func:`trucewatch.sources.patrol.parse_record`, so a parsed passage imports and fuses like
any patrol report. The observations carry ``source_format`` "smm", uids from the passage
(``payload``: the JSON line as read, or the paragraph joined into one line), and in
``attributes`` the ``parse_confidence``, the ``unparsed`` spans and the ``geocode`` note.

A passage is all or nothing: one :class:`~trucewatch.errors.RecordError` (naming the file,
the passage's first line and the field) and no observation when it has no readable event,
no date, or a record the patrol reader rejects.

A passage whose observer position cannot be read ("The SMM heard five explosions 2km west."
with no position, or "in the same location" at the start of a passage) keeps its events,
flagged unlocated: the observer of their location is an
:class:`~trucewatch.types.UnlocatedPosition` (with the reason; bearings and distances as
read), ``attributes["unlocated"]`` holds the reason, and the reader yields a
:class:`~trucewatch.errors.RecordNote` after them (file, the passage's first line, field
``observer_place``, how many events) for the import summary. Fusion gives them no place:
they join no incident and are listed as unresolved. A place that is read but not found in
the gazetteer is not this case: it stays a place name that fusion tries to geocode.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from trucewatch import limits
from trucewatch.errors import RecordError, RecordNote
from trucewatch.ids import observation_uid
from trucewatch.narrative.lexicon import EVENT_NOUN_RE
from trucewatch.narrative.smm import parse_passage
from trucewatch.sources.base import iter_lines
from trucewatch.sources.jsonl import FieldError, checked_record, iso_date, parse_json_line
from trucewatch.sources.patrol import parse_record
from trucewatch.types import Observation

NAME = "smm"

_DATE_LINE = re.compile(r"^\s*(?:report[_\s-]?)?date\s*[:=]?\s*(\d{4}-\d{2}-\d{2})\b\s*", re.I)
_SMM_WORDS = re.compile(
    r"\bSMM\b|Special Monitoring Mission|\bmonitors?\b|\bpatrol\b|\bobservers?\b", re.I
)
_VERBS = re.compile(r"\b(?:heard|saw|observed|recorded)\b", re.I)
_PASSTHROUGH = ("source_id", "reliability", "credibility")


def _first_line(head: str) -> str | None:
    for line in head.lstrip("\ufeff").split("\n"):
        if line.strip():
            return line
    return None


def sniff(path: Path, head: str) -> bool:
    """JSON Lines whose first object has a ``text`` key and no ``events`` or ``format``
    key, or plain text mentioning the mission (SMM, monitors, patrol) and an event heard,
    seen, observed or recorded (explosions, bursts, shots, ...)."""
    del path
    first = _first_line(head)
    if first is None:
        return False
    if first.lstrip().startswith("{"):
        try:
            obj = json.loads(first)
        except (ValueError, RecursionError):
            return False
        return (
            isinstance(obj, dict)
            and isinstance(obj.get("text"), str)
            and "events" not in obj
            and "format" not in obj  # records of the other JSON Lines formats say their name
        )
    if first.lstrip().startswith("[") or (first.count(",") >= 2 and " " not in first.strip()):
        return False
    return bool(
        _SMM_WORDS.search(head) and _VERBS.search(head) and re.search(EVENT_NOUN_RE, head, re.I)
    )


# --------------------------------------------------------------------------- reading


def _passages(path: Path) -> Iterator[tuple[int, str, dict[str, Any]] | RecordError]:
    """``(line, payload, context)`` per passage of a file (JSON Lines or plain text)."""
    with open(path, "rb") as f:
        lines = list(iter_lines(f, path))
    first = next((t for _, t in lines if isinstance(t, str) and t.strip()), None)
    if first is not None and first.lstrip().startswith("{"):
        for number, text in lines:
            if isinstance(text, RecordError):
                yield text
                continue
            if not text.strip():
                continue
            try:
                obj = parse_json_line(text)
            except FieldError as bad:
                yield RecordError(str(path), number, bad.field, bad.message)
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                yield RecordError(
                    str(path), number, "text", "a record must be a JSON object with a text key"
                )
                continue
            yield number, text, obj
        return
    report: str | None = None
    buf: list[str] = []
    start = 0

    def flush() -> Iterator[tuple[int, str, dict[str, Any]]]:
        nonlocal report
        text = " ".join(s.strip() for s in buf)
        m = _DATE_LINE.match(text)
        if m:
            report = m.group(1)
            text = text[m.end() :]
        if text.strip():
            ctx: dict[str, Any] = {"text": text}
            if report is not None:
                ctx["report_date"] = report
            yield start, text, ctx

    for number, text in lines:
        if isinstance(text, RecordError):
            yield text
            continue
        if text.strip():
            if not buf:
                start = number
            buf.append(text)
        elif buf:
            yield from flush()
            buf = []
    if buf:
        yield from flush()


def _context(obj: dict[str, Any]) -> tuple[date | None, int | None]:
    raw = obj.get("report_date")
    report = None if raw is None else iso_date(raw, "report_date")
    year = obj.get("default_year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
        raise FieldError("default_year", f"must be a year, not {year!r}")
    return report, year


def passage_records(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """Patrol records of one passage (``obj["text"]`` plus context keys), checked as the
    importer checks them; raises :class:`~trucewatch.sources.jsonl.FieldError` naming what
    could not be read. A record whose observer position could not be read has the reason
    in ``unlocated``."""
    return [rec if why is None else {**rec, "unlocated": why}
            for rec, _, why in _checked_records(obj)]  # fmt: skip


def _unlocated(rec: dict[str, Any]) -> str | None:
    """Why a parsed record has no observer position (neither a place nor coordinates), or
    ``None`` when it has one: the reader's notes on it ("no observer position found",
    "observer position 'the same location' refers to text outside the passage"). An
    observer the reader finds always has a place (:mod:`trucewatch.narrative.observer`)."""
    if rec["observer_place"] is not None or rec.get("observer_lon") is not None:
        return None
    said = [n for n in rec["notes"] if "observer position" in n]
    return "; ".join(said) or "no observer position in the passage"


def _checked_records(obj: dict[str, Any]
                     ) -> list[tuple[dict[str, Any], dict[str, Any], str | None]]:  # fmt: skip
    """``(full record, record for the patrol reader, why it is unlocated or None)`` per
    record of a passage."""
    report, year = _context(obj)
    text = obj["text"]
    records = parse_passage(text, default_year=year, report_date=report)
    snippet = re.sub(r"\s+", " ", text).strip()[:70]
    checked: list[tuple[dict[str, Any], dict[str, Any], str | None]] = []
    for rec in records:
        if not rec["events"]:
            why = "; ".join(rec["unparsed"]) or "no explosion, burst, shot or other event named"
            raise FieldError("text", f"no event could be read from {snippet!r}... ({why})")
        if rec["date"] is None:
            said = next((n for n in rec["notes"] if "has no year" in n), None)
            what = said.split(" (")[0] if said else "the passage names no date"
            raise FieldError(
                "date",
                f"{what}: give report_date or default_year (JSON keys) or a "
                "'date: YYYY-MM-DD' paragraph before it",
            )
        unlocated = _unlocated(rec)
        record = {k: v for k, v in rec.items() if k not in ("unparsed", "notes", "source_text")}
        for key in _PASSTHROUGH:
            if obj.get(key) is not None:
                record[key] = obj[key]
                rec = {**rec, key: obj[key]}
        parse_record(record, text.replace("\n", " "), unlocated=unlocated)  # patrol accepts it
        checked.append((rec, record, unlocated))
    return checked


def passage_observations(obj: dict[str, Any], payload: str) -> list[Observation]:
    """Observations of one passage (``obj["text"]`` plus context keys); raises
    :class:`~trucewatch.sources.jsonl.FieldError` naming what could not be read."""
    out: list[Observation] = []
    for rec, record, why in _checked_records(obj):
        for obs in parse_record(record, payload, unlocated=why):
            index = len(out)
            attributes = dict(obs.attributes)
            attributes["event_index"] = index
            attributes["parse_confidence"] = rec["parse_confidence"]
            if rec["unparsed"]:
                attributes["unparsed"] = list(rec["unparsed"])
            if rec.get("geocode") is not None:
                attributes["geocode"] = rec["geocode"]
            if why is not None:
                attributes["unlocated"] = why
            out.append(
                dataclasses.replace(
                    obs,
                    uid=observation_uid(NAME, payload, index),
                    source_format=NAME,
                    attributes=attributes,
                )
            )
    return out


def parse_file(path: Path) -> tuple[list[dict[str, Any]], list[RecordError]]:
    """Patrol records of every passage of a file (what ``trucewatch parse smm`` prints), each
    with ``line`` (the passage's first line), and one :class:`RecordError` per passage that
    could not be read (the same checks as :func:`read`)."""
    records: list[dict[str, Any]] = []
    errors: list[RecordError] = []
    for item in _passages(path):
        if isinstance(item, RecordError):
            errors.append(item)
            continue
        number, _payload, obj = item
        try:
            records += [{**rec, "line": number} for rec in passage_records(obj)]
        except FieldError as bad:
            errors.append(RecordError(str(path), number, bad.field, bad.message))
    return records, errors


def read(path: Path) -> Iterator[Observation | RecordError | RecordNote]:
    """Observations of an SMM narrative file; one :class:`RecordError` per unreadable
    passage (naming its first line), and one :class:`RecordNote` after the events of a
    passage kept unlocated."""
    for item in _passages(path):
        if isinstance(item, RecordError):
            yield item
            continue
        number, payload, obj = item
        if len(payload) > limits.MAX_PASSAGE_CHARS:
            yield RecordError(str(path), number, "text",
                              f"passage longer than {limits.MAX_PASSAGE_CHARS} characters")
            continue
        items = checked_record(str(path), number,
                               functools.partial(passage_observations, obj, payload), "text")
        yield from items
        note = _unlocated_note(path, number, obj["text"], items)
        if note is not None:
            yield note


def _unlocated_note(path: Path, number: int, text: str,
                    items: list[Observation] | list[RecordError]) -> RecordNote | None:  # fmt: skip
    """The note of a passage (first line ``number``) some of whose events were kept
    unlocated, or ``None``."""
    whys = [o.attributes["unlocated"] for o in items
            if isinstance(o, Observation) and "unlocated" in o.attributes]  # fmt: skip
    if not whys:
        return None
    snippet = re.sub(r"\s+", " ", text).strip()[:70]
    reasons = "; ".join(dict.fromkeys(whys))
    return RecordNote(str(path), number, "observer_place",
                      f"{len(whys)} of its events kept unlocated ({reasons}), not placed by "
                      f"fusion: {snippet!r}...", unlocated=len(whys))  # fmt: skip
