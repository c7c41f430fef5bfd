"""Submitting observations (batches, idempotent) and reading them back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from trucewatch.api.auth import Permission, Principal, require
from trucewatch.api.errors import ERROR_RESPONSES, ErrorResponse, Invalid, NotFound, TooLarge
from trucewatch.api.params import SAFE_TEXT, parse_bbox, parse_cursor, utc_param
from trucewatch.api.present import observation_model
from trucewatch.api.schemas import ObservationBatch, ObservationModel, ObservationPage
from trucewatch.api.schemas import SubmissionResult as Result
from trucewatch.api.state import AppState, app_state
from trucewatch.api.submit import (
    Part,
    parts_of,
    request_digest,
    submit,
    submit_async,
)
from trucewatch.store import queries as q
from trucewatch.store.queries import MAX_PAGE
from trucewatch.types import SourceKind

INLINE_RECORDS = 50
"""Batches up to this many JSON records (and no raw lines) are validated on the event loop
(tens of µs per record); larger ones in a worker thread, so that they do not hold up other
requests."""
router = APIRouter(prefix="/observations", tags=["observations"], responses=ERROR_RESPONSES)
State = Annotated[AppState, Depends(app_state)]
Submitter = Annotated[
    Principal, Depends(require(Permission.SUBMIT_OBSERVATIONS, Permission.SUBMIT_COMPLAINTS))
]
Reader = Annotated[
    Principal, Depends(require(Permission.READ_ALL_OBSERVATIONS, Permission.READ_OWN_SUBMISSIONS))
]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[A-Za-z0-9._:-]{1,128}$",
        description="unique per batch (e.g. a UUID); a retry with the same key and body "
        "gets the first answer again and stores nothing",
    ),
]
SUBMIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": Result, "description": "replay of an earlier identical request"},
    409: {"model": ErrorResponse, "description": "the same key is still being processed"},
    413: {"model": ErrorResponse, "description": "batch too large"},
    503: {"model": ErrorResponse, "description": "store or ledger unavailable"},
}


def _answer(result: Result, response: Response) -> Result:
    response.status_code = 200 if result.replayed else 201
    return result


@router.post(
    "",
    response_model=Result,
    status_code=201,
    responses=SUBMIT_RESPONSES,
    summary="Submit a batch of observations (JSON records and/or raw lines)",
)
async def submit_batch(
    batch: ObservationBatch,
    response: Response,
    state: State,
    principal: Submitter,
    idempotency_key: IdempotencyKey,
) -> Result:
    """Validated like ``trucewatch import``; all stored, or none (422 names the record and
    field). A party liaison's records are stored as that party's complaints."""
    if len(batch.records) > state.settings.max_batch_records:
        raise TooLarge(f"more than {state.settings.max_batch_records} records in one batch")


    def prepare() -> tuple[list[Part], str]:
        return parts_of(batch), request_digest(batch.model_dump(mode="json"))

    def run() -> Result:
        parts, digest = prepare()
        return submit(state, principal, parts, batch.signatures,
                      idempotency_key=idempotency_key, digest=digest)  # fmt: skip

    if len(batch.records) > INLINE_RECORDS or batch.lines:  # not on the event loop
        return _answer(await run_in_threadpool(run), response)
    parts, digest = prepare()
    result = await submit_async(state, principal, parts, batch.signatures,
                                idempotency_key=idempotency_key, digest=digest)  # fmt: skip
    return _answer(result, response)


RAW_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/plain": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/raw",
    response_model=Result,
    status_code=201,
    responses=SUBMIT_RESPONSES,
    openapi_extra=RAW_BODY,
    summary="Submit a file's text (patrol JSON Lines, FIRMS CSV) as one batch",
)
async def submit_raw(
    request: Request,
    response: Response,
    state: State,
    principal: Submitter,
    idempotency_key: IdempotencyKey,
    format: Annotated[
        str | None, Query(max_length=32, pattern=SAFE_TEXT, description="sniffed if omitted")
    ] = None,
) -> Result:
    """The body is the text of a file, as ``trucewatch import FILE`` would read it."""
    limit = state.settings.max_body_bytes
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise TooLarge(f"body larger than {limit} bytes")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"body is not UTF-8 text (byte {exc.start + 1})", field="body") from None
    if not text.strip():
        raise Invalid("body is empty", field="body")
    part = Part("lines", text, format)
    digest = request_digest("raw", format, text)

    def run() -> Result:
        return submit(state, principal, [part], [],
                      idempotency_key=idempotency_key, digest=digest)  # fmt: skip

    return _answer(await run_in_threadpool(run), response)


def _own_batches(state: AppState, principal: Principal) -> tuple[int, ...] | None:
    if principal.can(Permission.READ_ALL_OBSERVATIONS):
        return None
    with state.read() as conn:
        return tuple(b.id for b in q.api_batches(conn, submitter=principal.name))


@router.get(
    "",
    response_model=ObservationPage,
    summary="Observations (analysts: all; monitors and liaisons: their own submissions)",
)
def list_observations(
    state: State,
    principal: Reader,
    bbox: Annotated[str | None, Query(max_length=200, description="west,south,east,north")] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    source_kind: Annotated[list[SourceKind] | None, Query()] = None,
    mine: Annotated[bool, Query(description="only my own submissions")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> ObservationPage:
    own = _own_batches(state, principal)
    if mine and own is None:
        with state.read() as conn:
            own = tuple(b.id for b in q.api_batches(conn, submitter=principal.name))
    flt = q.ObservationFilter(
        bbox=parse_bbox(bbox),
        since=utc_param(since, "since"),
        until=utc_param(until, "until"),
        source_kinds=tuple(k.value for k in source_kind or ()),
        batch_ids=own,
    )
    with state.read() as conn:
        page = q.find_observations(conn, flt, limit=limit, cursor=parse_cursor(cursor))
        batches = {b.id: b for b in q.get_batches(
            conn, sorted({s.batch_id for s in page.items if s.batch_id is not None}))}  # fmt: skip
        incidents = q.incidents_of_observations(conn, [s.observation.uid for s in page.items])
    items = [
        observation_model(s, principal, batches.get(s.batch_id or -1),
                          incidents=incidents.get(s.observation.uid, []))
        for s in page.items
    ]
    return ObservationPage(observations=items, numberReturned=len(items),
                           next_cursor=page.next_cursor)  # fmt: skip


@router.get(
    "/{uid}",
    response_model=ObservationModel,
    responses={404: {"model": ErrorResponse}},
    summary="One observation",
)
def get_observation(
    uid: Annotated[str, Path(pattern=r"^[0-9a-f]{1,64}$", description="uid (hex)")],
    state: State, principal: Reader
) -> ObservationModel:
    with state.read() as conn:
        found = q.get_observations(conn, [uid])
        if not found:
            raise NotFound(f"no observation {uid}")
        stored = found[0]
        batches = q.get_batches(conn, [stored.batch_id] if stored.batch_id is not None else [])
        batch = batches[0] if batches else None
        if not principal.can(Permission.READ_ALL_OBSERVATIONS) and (
            batch is None or batch.submitter != principal.name
        ):
            raise NotFound(f"no observation {uid} among your submissions")
        incidents = q.incidents_of_observations(conn, [uid]).get(uid, [])
        entries = None
        if state.ledger is not None:
            entries = state.ledger.find(conn, uid, "observation")
    return observation_model(stored, principal, batch, incidents=incidents,
                             ledger_entries=entries)  # fmt: skip
