"""Submitting observations (batches, idempotent) and reading them back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from trucewatch import limits
from trucewatch.api.auth import Permission, Principal, require
from trucewatch.api.cosigned import PREFERENCE, requested_wait
from trucewatch.api.errors import (
    ERROR_RESPONSES,
    QUOTA_RESPONSE,
    ErrorResponse,
    Invalid,
    TooLarge,
    Unavailable,
    not_found,
)
from trucewatch.api.params import SAFE_TEXT, parse_bbox, parse_cursor, utc_param
from trucewatch.api.present import observation_model
from trucewatch.api.schemas import (
    CosignedHeadModel,
    ObservationBatch,
    ObservationModel,
    ObservationPage,
)
from trucewatch.api.schemas import SubmissionResult as Result
from trucewatch.api.state import AppState, app_state
from trucewatch.api.submit import Part, Submission, parts_of, request_digest, submit, submit_async
from trucewatch.app import cosign, retractions
from trucewatch.app.views import observations as views
from trucewatch.app.views.incidents import MAX_PAGE
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
    202: {"model": Result, "description": "stored, but not in a cosigned head within the "
                                           "wait asked for (Prefer: wait-for-cosigned-head)"},
    409: {"model": ErrorResponse, "description": "the same key is still being processed"},
    413: {"model": ErrorResponse, "description": "batch too large"},
    **QUOTA_RESPONSE,
    503: {"model": ErrorResponse, "description": "store or ledger unavailable"},
}


Prefer = Annotated[str | None, Header(
    alias="Prefer", max_length=200,
    description="`wait-for-cosigned-head` (optionally with `wait=SECONDS`): answer once the "
    "batch is in a log head the witnesses' quorum cosigned; 202 if none did in time")]
WaitQuery = Annotated[str | None, Query(
    max_length=16, pattern=r"^[a-z]+$", description="`cosigned`: as `Prefer: "
    "wait-for-cosigned-head`")]


async def _answer(result: Result, response: Response, state: AppState | None = None,
                  wait_s: float | None = None) -> Result:  # fmt: skip
    """201 (200 for a replay); with ``wait_s``, once the batch is in a cosigned head, or
    202 with the result when none covers it within ``wait_s`` seconds."""
    response.status_code = 200 if result.replayed else 201
    if wait_s is None or state is None:
        return result
    if state.ledger is None:
        raise Unavailable("this store has no ledger: there is no cosigned head to wait for")
    response.headers["Preference-Applied"] = PREFERENCE
    index = await run_in_threadpool(cosign.batch_ledger_index, state.store, result.batch_id)
    head = None if index is None else await state.cosigned.head_covering(index, wait_s)
    result = result.model_copy()  # the idempotency cache keeps the answer without the wait
    result.ledger_index = index
    result.cosigned_head = None if head is None else CosignedHeadModel(**head)
    if head is None:
        response.status_code = 202
    return result


def _wait_s(state: AppState, prefer: str | None, wait: str | None) -> float | None:
    return requested_wait(prefer, wait, state.settings.cosigned_wait_max_s)


def _submission_route(path: str, summary: str, **extra: Any) -> Callable[[Any], Any]:
    """Decorator of a route that stores a submission (201, or 200 for a replay)."""
    return router.post(path, response_model=Result, status_code=201,
                       responses=SUBMIT_RESPONSES, summary=summary, **extra)  # fmt: skip


@_submission_route("", "Submit a batch of observations (JSON records and/or raw lines)")
async def submit_batch(
    batch: ObservationBatch,
    response: Response,
    state: State,
    principal: Submitter,
    idempotency_key: IdempotencyKey,
    prefer: Prefer = None,
    wait: WaitQuery = None,
) -> Result:
    """Validated like ``trucewatch import``; all stored, or none (422 names the record and
    field; 429 when its observations would take the token over its daily quota). A party
    liaison's records are stored as that party's complaints. With
    ``Prefer: wait-for-cosigned-head`` the answer comes once the batch is in a cosigned
    log head (202 if not within the wait)."""
    if len(batch.records) > state.settings.max_batch_records:
        raise TooLarge(f"more than {state.settings.max_batch_records} records in one batch")
    for i, record in enumerate(batch.records):
        if limits.depth_of(record) > limits.MAX_DEPTH:
            raise Invalid(f"records[{i}]: nested deeper than {limits.MAX_DEPTH} levels",
                          field=f"records[{i}]", record=i)

    def prepare() -> Submission:
        return Submission(principal, parts_of(batch), batch.signatures, idempotency_key,
                          request_digest(batch.model_dump(mode="json")))  # fmt: skip

    wait_s = _wait_s(state, prefer, wait)
    if len(batch.records) > INLINE_RECORDS or batch.lines:  # not on the event loop
        result = await run_in_threadpool(lambda: submit(state, prepare()))
    else:
        result = await submit_async(state, prepare())
    return await _answer(result, response, state, wait_s)


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


@_submission_route("/raw", "Submit a file's text (patrol JSON Lines, FIRMS CSV) as one batch",
                   openapi_extra=RAW_BODY)
async def submit_raw(
    request: Request,
    response: Response,
    state: State,
    principal: Submitter,
    idempotency_key: IdempotencyKey,
    format: Annotated[
        str | None, Query(max_length=32, pattern=SAFE_TEXT, description="sniffed if omitted")
    ] = None,
    prefer: Prefer = None,
    wait: WaitQuery = None,
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
    sub = Submission(principal, [Part("lines", text, format)], [], idempotency_key,
                     request_digest("raw", format, text))  # fmt: skip
    result = await run_in_threadpool(submit, state, sub)
    return await _answer(result, response, state, _wait_s(state, prefer, wait))


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
    flt = views.ObservationFilter(
        bbox=parse_bbox(bbox),
        since=utc_param(since, "since"),
        until=utc_param(until, "until"),
        source_kinds=tuple(k.value for k in source_kind or ()),
    )
    page = views.observation_rows(state.store, flt, mine=mine, limit=limit,
                                  cursor=parse_cursor(cursor), principal=principal)  # fmt: skip
    items = [
        observation_model(s, principal, page.batches.get(s.batch_id or -1),
                          incidents=page.incidents.get(s.observation.uid, []))
        for s in page.items
    ]
    return ObservationPage(observations=items, numberReturned=len(items),
                           next_cursor=page.next_cursor)  # fmt: skip


@router.get("/{uid}", response_model=ObservationModel, summary="One observation",
            responses=not_found("no such (visible) observation"))  # fmt: skip
def get_observation(
    uid: Annotated[str, Path(pattern=r"^[0-9a-f]{1,64}$", description="uid (hex)")],
    state: State, principal: Reader
) -> ObservationModel:
    found = views.observation_detail(state.store, state.ledger, uid, principal=principal)
    return observation_model(found.stored, principal, found.batch, incidents=found.incidents,
                             ledger_entries=found.ledger_entries, media=found.media)  # fmt: skip


class Retraction(BaseModel):
    """Why an observation is retracted (logged in the ledger)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=retractions.MAX_REASON)


class RetractionResult(BaseModel):
    observation: str
    retracted_by: str
    reason: str
    retracted_at: datetime
    ledger_index: int
    sha256: str


@router.post("/{uid}/retract", response_model=RetractionResult, status_code=201,
             summary="Retract an observation (analysts): kept and logged, left out of fusion",
             responses=not_found("no such observation"))  # fmt: skip
def retract_observation(
    uid: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="uid (hex)")],
    body: Retraction,
    state: State,
    principal: Annotated[Principal, Depends(require(Permission.MANAGE_MISSION))],
) -> RetractionResult:
    done = retractions.retract_observation(state.store, uid, body.reason, principal=principal)
    if state.live is not None:  # live fusion takes the observation out of its incidents
        state.live.submissions_committed()
    return RetractionResult(**done)
