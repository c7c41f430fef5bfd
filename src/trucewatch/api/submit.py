"""Submitting observations: validation exactly as ``trucewatch import`` does it, then one
transaction for the whole batch.

Records sent as JSON become canonical JSON lines (keys sorted, ``,``/``:`` separators,
UTF-8) checked by the patrol reader's record validation
(:func:`trucewatch.sources.patrol.parse_record`); raw text is written to a temporary file
and read with :func:`trucewatch.sources.stream_file`, the reader of ``trucewatch import``. The first
bad record refuses the whole batch (422 naming the record or line and the field); values
the store cannot hold (a NUL character, a count beyond 32 bits, a source id over 200
characters) are refused the same way before anything is written. Then every observation is
stored in one transaction, or none (``Store.import_batch``), with an ``observation`` entry
in the ledger for each new one (written by the store's import, in the same transaction).

Each submission is counted against its token's daily quota (:mod:`trucewatch.api.quotas`)
in the transaction that stores it, after its other checks: a batch that would pass the
quota is refused whole (429, nothing stored) and leaves the other submissions written with
it alone. An idempotent replay is answered before anything is counted.

Submissions of a party's liaison are **complaints**: the same patrol schema, stored with
source kind ``party_complaint``, format ``complaint``, source id ``complaint:<party>`` and
grading C4, as the party's complaint files (one source per party:
:func:`trucewatch.app.roles.as_complaint`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trucewatch import limits, sources
from trucewatch.api.errors import Conflict, Forbidden, Invalid, TooLarge, Unavailable
from trucewatch.api.schemas import ObservationBatch, RecordSignature, SubmissionResult
from trucewatch.api.state import AppState
from trucewatch.api.writer import Job
from trucewatch.app.roles import (
    PermissionDenied,
    Principal,
    prepare_submission,
    submits_complaints,
)
from trucewatch.app.submissions import (
    BatchChannel,
    BatchOrigin,
    DailyQuota,
    KeyOutcome,
    PendingImport,
    Reservation,
    StoredCounts,
    batch_info,
    charge_quota,
    complete_key,
    write_submissions,
)
from trucewatch.errors import InputError
from trucewatch.ledger.signing import binding_problem
from trucewatch.sources import jsonl, patrol
from trucewatch.types import Observation, SourceKind


@dataclass
class Part:
    """One piece of a submission: JSON records or raw text."""

    kind: str  # "records" or "lines"
    text: str
    format: str | None
    payloads: list[str] = field(default_factory=list)  # records: the line of each record


@dataclass
class Parsed:
    observations: list[Observation]
    read: int
    payload_of_record: dict[tuple[str, int], str]  # ("records", i) / ("lines", n) -> payload


def canonical_line(record: Any) -> str:
    """The line a JSON record is stored (and signed) as."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def request_digest(*parts: Any) -> str:
    """SHA-256 of a request's content (for idempotency)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(json.dumps(p, sort_keys=True, ensure_ascii=True).encode())
        h.update(b"\x1e")
    return h.hexdigest()


def parts_of(batch: ObservationBatch) -> list[Part]:
    parts: list[Part] = []
    if batch.records:
        lines = []
        for i, record in enumerate(batch.records):
            lines.append(canonical_line(record))
            _check_text(lines[-1], record=i)
        parts.append(Part("records", "\n".join(lines) + "\n", "patrol", lines))
    if batch.lines is not None and batch.lines.strip():
        _check_text(batch.lines, record=None)
        parts.append(Part("lines", batch.lines, batch.format))
    elif batch.format is not None and not batch.records:
        raise Invalid("lines: empty", field="lines")
    if not parts:
        raise Invalid("nothing to store: give records and/or lines", field="records")
    return parts


def _check_text(text: str, *, record: int | None) -> None:
    field_name = None if record is not None else "lines"
    if "\x00" in text or "\\u0000" in text:
        raise Invalid("a NUL character cannot be stored", record=record, field=field_name)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise Invalid(f"not valid Unicode text: {exc.reason}", record=record,
                      field=field_name) from exc


@contextmanager
def _spooled(text: str, suffix: str) -> Iterator[Path]:
    fd, name = tempfile.mkstemp(prefix="trucewatch-api-", suffix=suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        yield Path(name)
    finally:
        os.unlink(name)


def _known_format(name: str | None) -> str | None:
    if name is None:
        return None
    key = name.strip().lower()
    if key not in sources.REGISTRY:
        raise Invalid(
            f"unknown format {name!r} (known formats: {', '.join(sources.REGISTRY)})",
            field="format",
        )
    return key


def parse_parts(parts: Sequence[Part], max_records: int) -> Parsed:
    """Read every part with the import readers; raises :class:`Invalid` at the first bad
    record (nothing is stored)."""
    observations: list[Observation] = []
    payload_of: dict[tuple[str, int], str] = {}
    read = 0
    for part in parts:
        if part.kind == "records":
            for i, line in enumerate(part.payloads):
                observations.extend(_parse_record(i, line))
                if len(observations) > max_records:
                    raise TooLarge(f"more than {max_records} observations in one batch")
            read += len(part.payloads)
            payload_of.update({("records", i): p for i, p in enumerate(part.payloads)})
            continue
        fmt = _known_format(part.format)
        with _spooled(part.text, ".jsonl" if part.kind == "records" else ".txt") as path:
            try:
                stream = sources.stream_file(path, fmt)
                for obs in stream:
                    observations.append(obs)
                    if len(observations) > max_records:
                        raise TooLarge(f"more than {max_records} observations in one batch")
            except InputError as exc:
                raise _located(part, exc) from None
            except (TooLarge, Invalid):
                raise
            except Exception as exc:  # a reader that failed on a value it should refuse
                where = _where(part, stream.read if "stream" in locals() else 0)
                raise Invalid(f"record could not be read ({type(exc).__name__}: {exc})",
                              **where) from exc  # fmt: skip
            read += stream.read
        lines = part.text.replace("\r\n", "\n").split("\n")
        payload_of.update({("lines", n): ln for n, ln in enumerate(lines, 1)})
    return Parsed(observations, read, payload_of)


def _parse_record(index: int, line: str) -> list[Observation]:
    """One JSON record through the patrol reader's own validation
    (:func:`trucewatch.sources.patrol.parse_record`, what ``read`` calls for each line)."""
    try:
        return patrol.parse_record(jsonl.parse_json_line(line), line)
    except jsonl.FieldError as bad:
        path = f"records[{index}].{bad.field}" if bad.field else f"records[{index}]"
        raise Invalid(f"{path}: {bad.message}", field=path, record=index) from None
    except Exception as exc:  # a value the reader should have refused
        raise Invalid(f"records[{index}]: could not be read ({type(exc).__name__}: {exc})",
                      record=index) from exc  # fmt: skip


def _where(part: Part, record_index: int) -> dict[str, Any]:
    return {"record": record_index} if part.kind == "records" else {"field": "lines"}


def _located(part: Part, exc: InputError) -> Invalid:
    err = exc.error
    if part.kind == "records":
        record = None if err.line is None else err.line - 1
        where = f"records[{record}]" if record is not None else "records"
        field_path = f"{where}.{err.field}" if err.field else where
        return Invalid(f"{field_path}: {err.message}", field=field_path, record=record)
    field_path = err.field or "lines"
    prefix = f"lines, line {err.line}" if err.line is not None else "lines"
    return Invalid(f"{prefix}, field {field_path!r}: {err.message}", field=field_path,
                   line=err.line)  # fmt: skip


def check_storable(observations: Sequence[Observation], parsed: Parsed) -> None:
    """Refuse values the store's columns cannot hold, naming the record and field."""
    where_of = {payload: key for key, payload in parsed.payload_of_record.items()}
    for o in observations:
        problem = _unstorable(o)
        if problem is None:
            continue
        name, message = problem
        kind, index = where_of.get(o.payload, ("lines", None))
        if kind == "records":
            path = f"records[{index}].{name}"
            raise Invalid(f"{path}: {message}", field=path, record=index)
        at = "lines" if index is None else f"lines, line {index}"
        raise Invalid(f"{at}, field {name!r}: {message}", field=name, line=index)


def _unstorable(o: Observation) -> tuple[str, str] | None:
    """The first field outside the bounds of :mod:`trucewatch.limits` (the same bounds
    ``trucewatch import`` applies), or ``None``."""
    return limits.observation_problem(o)


def _signature_payloads(
    parsed: Parsed, signatures: Sequence[RecordSignature], line_signatures: bool
) -> list[tuple[RecordSignature, str]]:
    out = []
    for s in signatures:
        key = ("lines", s.record) if line_signatures else ("records", s.record)
        payload = parsed.payload_of_record.get(key)
        if payload is None:
            what = "line" if line_signatures else "record"
            raise Invalid(f"signature for {what} {s.record}, which was not sent",
                          field="signatures")  # fmt: skip
        out.append((s, payload))
    return out


@dataclass(frozen=True)
class Submission:
    """One request to store: who sends it, its parts and record signatures, its
    idempotency key and the digest of its content (:func:`request_digest`)."""

    principal: Principal
    parts: Sequence[Part]
    signatures: Sequence[RecordSignature]
    idempotency_key: str
    digest: str


def submit(state: AppState, sub: Submission) -> SubmissionResult:
    """Validate and store one batch (idempotent on its key); waits for the app's writer
    (for a request handler running in a worker thread)."""
    queued = _queue(state, sub)
    if isinstance(queued, SubmissionResult):
        return queued
    future, holder = queued
    assert isinstance(future, Future)
    with _reserved(state, sub, holder):
        return future.result()


async def submit_async(state: AppState, sub: Submission) -> SubmissionResult:
    """:func:`submit` for a request handler on the event loop, for a small batch: it is
    validated in place and the handler awaits the writer without taking a worker thread
    (one thread switch less per request, and no pile of threads contending for the
    interpreter under load). The key's reservation, a short transaction of its own, runs
    in a worker thread so that the event loop never waits on the database."""
    queued = await asyncio.to_thread(_queue, state, sub, validate=False)
    if isinstance(queued, SubmissionResult):
        return queued
    pending, holder = queued
    with _reserved(state, sub, holder):
        assert isinstance(pending, _Unvalidated)
        future = state.writer.submit(pending.job())
        return await asyncio.wrap_future(future)


@dataclass
class _Unvalidated:
    """A reserved submission whose validation runs on the caller's thread."""

    make: Callable[[], Job]

    def job(self) -> Job:
        return self.make()


def _queue(
    state: AppState, sub: Submission, *, validate: bool = True
) -> SubmissionResult | tuple[Future[SubmissionResult] | _Unvalidated, str]:
    """The answer to replay for a key used before, or (the writer's future answer for a
    new submission, the key's holder). The key is reserved first; the submission is then
    validated (422 at the first bad record, and the key is free again) and queued, or with
    ``validate=False`` handed back to validate and queue later."""
    complaint = _complaint(sub.principal, sub.parts)
    found = state.idempotency.reserve(sub.principal.name, sub.idempotency_key, sub.digest)
    if found.outcome is KeyOutcome.DONE:
        return _replay(state, found, sub.parts, sub.principal)
    holder = found.holder
    assert holder is not None

    def make() -> Job:
        return submission_job(state, sub.principal, sub.parts, sub.signatures,
                              sub.idempotency_key, sub.digest, complaint, holder)  # fmt: skip

    if not validate:
        return _Unvalidated(make), holder
    with _reserved(state, sub, holder):
        return state.writer.submit(make()), holder


@contextmanager
def _reserved(state: AppState, sub: Submission, holder: str) -> Iterator[None]:
    """An idempotency key reserved by this request: its answer completes it in the
    transaction that stores the batch; a block that fails frees it for a retry (a no-op
    when the batch was stored, or when another request took the key over)."""
    try:
        yield
    except BaseException:
        state.idempotency.release(sub.principal.name, sub.idempotency_key, holder)
        raise


def _complaint(principal: Principal, parts: Sequence[Part]) -> bool:
    """Whether the principal's submission is a party's complaint (refused if the principal
    may not submit, or submits a party's complaint in a format other than patrol)."""
    try:
        complaint = submits_complaints(principal)
    except PermissionDenied as exc:
        raise Forbidden(str(exc)) from None
    if complaint and any(p.kind == "lines" and _known_format(p.format) not in (None, "patrol")
                         for p in parts):  # fmt: skip
        raise Forbidden("a party's complaints are patrol records, not other formats")
    return complaint


def _parse_for(
    state: AppState, principal: Principal, parts: Sequence[Part], complaint: bool
) -> Parsed:
    parsed = parse_parts(parts, state.settings.max_batch_records)
    if complaint:
        try:
            parsed.observations = prepare_submission(principal, parsed.observations)
        except PermissionDenied:
            raise Forbidden("a party's complaints are patrol records, not other formats") from None
    check_storable(parsed.observations, parsed)
    return parsed


@dataclass
class SubmissionJob(Job):
    """Writing one validated submission (run by the app's :class:`SubmissionWriter`)."""

    state: AppState
    parsed: Parsed
    signed: list[tuple[RecordSignature, str]]
    origin: BatchOrigin
    complaint: bool
    holder: str
    quota: DailyQuota | None = None
    _signatures: dict[str, tuple[str, str]] = field(default_factory=dict)

    def check(self, conn: Any) -> None:
        """The signatures, then the daily quota (last: a refusal after it would leave the
        count taken in the group's transaction)."""
        self._signatures = _check_signatures(self.state, conn, self.signed,
                                             self.parsed.observations)  # fmt: skip
        if self.quota is not None:
            charge_quota(conn, self.quota, len(self.parsed.observations))

    def lock_order(self) -> str:
        """The quota row this job's check locks (the writer checks a group in this order,
        so two processes' groups never wait for each other's rows)."""
        return "" if self.quota is None else self.quota.token_sha256

    def write(self, conn: Any) -> SubmissionResult:
        return self.write_all(conn, [self])[0]

    @classmethod
    def write_all(cls, conn: Any, jobs: Sequence[Job]) -> list[Any]:
        """Every submission of a group with a handful of statements
        (:func:`trucewatch.app.submissions.write_submissions`); each keeps its own batch row, ledger
        entries (the store logs every new observation) and answer."""
        subs = [j for j in jobs if isinstance(j, SubmissionJob)]
        assert len(subs) == len(jobs)
        if not subs:
            return []
        imports = [
            PendingImport([], s.parsed.observations, s.parsed.read, s._signatures, s.origin)
            for s in subs
        ]
        stored = write_submissions(subs[0].state.store, conn, imports)
        results = [s._result(*ids_counts) for s, ids_counts in zip(subs, stored, strict=True)]
        for s, result in zip(subs, results, strict=True):
            s._complete(conn, result)
        return results

    def _complete(self, conn: Any, result: SubmissionResult) -> None:
        """Complete this request's idempotency key with its answer, in the transaction
        that stores it; refused (409, nothing stored) when the key's lease ran out and
        another request took it over."""
        who, key = self.origin.submitter, self.origin.idempotency_key
        assert who is not None and key is not None
        if not complete_key(conn, who, key, self.holder, result.batch_id,
                            result.model_dump_json()):  # fmt: skip
            raise Conflict(f"Idempotency-Key {key!r} was taken over by another request "
                           "after this one's lease ran out; nothing was stored")  # fmt: skip

    def _result(self, batch_id: int, counts: StoredCounts) -> SubmissionResult:
        obs = self.parsed.observations
        return SubmissionResult(
            batch_id=batch_id,
            read=self.parsed.read,
            stored=counts.stored,
            duplicates=counts.duplicates,
            unlocated=_unlocated(obs),
            observations=[o.uid for o in obs],
            ledger_entries=counts.stored if self.state.ledger is not None else 0,
            source_kind=(SourceKind.PARTY_COMPLAINT if self.complaint else _kind(obs)),
        )


def _unlocated(observations: Sequence[Observation]) -> int:
    """How many of ``observations`` were kept without a place (``unlocated``)."""
    return sum(1 for o in observations if o.attributes.get("unlocated"))


def submission_job(
    state: AppState,
    principal: Principal,
    parts: Sequence[Part],
    signatures: Sequence[RecordSignature],
    key: str,
    digest: str,
    complaint: bool,
    holder: str,
) -> SubmissionJob:
    """Read and check a submission (422 at the first bad record): the job that writes it."""
    parsed = _parse_for(state, principal, parts, complaint)
    line_sigs = not any(p.kind == "records" for p in parts)
    signed = _signature_payloads(parsed, signatures, line_sigs)
    if (signed or state.settings.require_signatures) and state.ledger is None:
        raise Unavailable("signatures need the ledger, which this store does not have")
    origin = BatchOrigin(channel=BatchChannel.API, submitter=principal.name,
                         idempotency_key=key, request_sha256=digest)  # fmt: skip
    return SubmissionJob(state, parsed, signed, origin, complaint, holder,
                         state.quotas.quota_of(principal))  # fmt: skip


def _kind(obs: Sequence[Observation]) -> str:
    kinds = sorted({o.source_kind.value for o in obs})
    return kinds[0] if len(kinds) == 1 else "mixed"


def _check_signatures(
    state: AppState,
    conn: Any,
    signed: Sequence[tuple[RecordSignature, str]],
    obs: Sequence[Observation],
) -> dict[str, tuple[str, str]]:
    """Payload hash -> (signer, signature), each checked against the registered keys."""
    ledger = state.ledger
    by_hash: dict[str, tuple[str, str]] = {}
    if ledger is None:
        return by_hash
    sources: dict[str, set[str]] = {}
    for o in obs:
        sources.setdefault(o.payload_sha256, set()).add(o.source_id)
    for sig, payload in signed:
        key = ledger.check_signature(conn, payload.encode("utf-8"), sig.signer, sig.signature)
        digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        for source in sorted(sources.get(digest, ())):
            unbound = binding_problem(key.role.value, key.party, source)
            if unbound is not None:
                raise Invalid(f"signatures[record {sig.record}]: key {sig.signer} "
                              f"({key.owner}): {unbound}", field="signatures")  # fmt: skip
        by_hash[digest] = (sig.signer, sig.signature)
    if state.settings.require_signatures:
        unsigned = sorted({o.payload_sha256 for o in obs} - set(by_hash))
        if unsigned:
            raise Invalid(f"{len(unsigned)} record(s) are not signed; this server requires "
                          "a signature from a registered key on every record",
                          field="signatures")  # fmt: skip
    return by_hash


def _replay(
    state: AppState, found: Reservation, parts: Sequence[Part], principal: Principal
) -> SubmissionResult:
    """The first answer to a key, again (``replayed``): as it was stored, or, for a key of a
    batch stored before answers were kept, re-derived from its batch and the request."""
    if found.response is not None:
        earlier = SubmissionResult.model_validate_json(found.response)
        return earlier.model_copy(update={"replayed": True})
    assert found.batch_id is not None
    batch = batch_info(state.store, found.batch_id)
    if batch is None:
        raise Conflict("the batch of this Idempotency-Key is no longer stored")
    complaint = submits_complaints(principal)
    parsed = _parse_for(state, principal, parts, complaint)
    return SubmissionResult(
        batch_id=batch.id,
        read=batch.read,
        stored=batch.stored,
        duplicates=batch.duplicates,
        unlocated=_unlocated(parsed.observations),
        observations=[o.uid for o in parsed.observations],
        replayed=True,
        source_kind=SourceKind.PARTY_COMPLAINT if complaint else _kind(parsed.observations),
    )
