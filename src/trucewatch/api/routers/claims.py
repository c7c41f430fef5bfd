"""The parties' claims: submit (signed by the party's key), list with their verdicts, and
the estimated totals per sector and day (docs/claims.md, docs/api.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from trucewatch.api.auth import Permission, Principal, require
from trucewatch.api.errors import ERROR_RESPONSES, QUOTA_RESPONSE, ErrorResponse, TooLarge
from trucewatch.api.params import utc_param
from trucewatch.api.schemas import RecordSignature
from trucewatch.api.state import AppState, app_state
from trucewatch.app import claims as app_claims
from trucewatch.app.submissions import BatchChannel, BatchOrigin

router = APIRouter(prefix="/claims", tags=["claims"], responses=ERROR_RESPONSES)
State = Annotated[AppState, Depends(app_state)]
Submitter = Annotated[
    Principal, Depends(require(Permission.SUBMIT_OBSERVATIONS, Permission.SUBMIT_COMPLAINTS))
]
Reader = Annotated[
    Principal, Depends(require(Permission.READ_ALL_INCIDENTS, Permission.SUBMIT_COMPLAINTS))
]
Analyst = Annotated[Principal, Depends(require(Permission.READ_ALL_INCIDENTS))]
TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorResponse, "description": "batch too large"}}
Since = Annotated[datetime | None, Query(description="start (ISO 8601, UTC if naive)")]
Until = Annotated[datetime | None, Query(description="end, exclusive")]


class ClaimBatch(BaseModel):
    """Claims as records of the claims format (docs/claims.md): stored all, or none. A
    signature signs a record's canonical JSON line (keys sorted, separators ``,`` ``:``)."""

    model_config = ConfigDict(extra="forbid")

    records: list[dict[str, Any]] = Field(min_length=1, description="claim records")
    signatures: list[RecordSignature] = Field(default_factory=list)


class ClaimResult(BaseModel):
    batch_id: int
    read: int
    stored: int
    duplicates: int
    claims: list[str] = Field(description="uids of the batch's claims, in order")


@router.post("", response_model=ClaimResult, status_code=201,
             summary="Submit claims (a party liaison: its own party's only)",
             responses={200: {"model": ClaimResult,
                              "description": "every claim was stored before: nothing stored"},
                        **TOO_LARGE, **QUOTA_RESPONSE})  # fmt: skip
async def submit_claims(batch: ClaimBatch, response: Response, state: State,
                        principal: Submitter) -> ClaimResult:  # fmt: skip
    """Validated like ``trucewatch claims import``; resubmitting a claim stores nothing.
    The claims not stored yet count against the token's daily quota (429 with
    ``Retry-After`` and nothing stored if they would pass it)."""
    if len(batch.records) > state.settings.max_batch_records:
        raise TooLarge(f"more than {state.settings.max_batch_records} records in one batch")
    origin = BatchOrigin(channel=BatchChannel.API, submitter=principal.name)
    sigs = [(s.record, s.signer, s.signature) for s in batch.signatures]
    result = await run_in_threadpool(lambda: app_claims.submit_claims(
        state.store, batch.records, sigs, principal=principal, origin=origin,
        quota=state.quotas.quota_of(principal)))  # fmt: skip
    if result["stored"] == 0:
        response.status_code = 200
    return ClaimResult.model_validate(result)


@router.get("", summary="Claims with their labels, and a summary by party")
def list_claims(state: State, principal: Reader, since: Since = None, until: Until = None,
                party: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2,16}$")] = None,
                ) -> dict[str, Any]:  # fmt: skip
    return app_claims.list_claims(state.store, utc_param(since, "since"),
                                  utc_param(until, "until"), claimant=party,
                                  principal=principal)  # fmt: skip


@router.get("/totals", summary="Estimated violations per sector and day, with 90% intervals")
def totals(state: State, principal: Analyst, since: Since = None, until: Until = None,
           criterion: Annotated[str, Query(pattern="^(aic|bic)$")] = "aic") -> dict[str, Any]:
    return app_claims.totals(state.store, utc_param(since, "since"), utc_param(until, "until"),
                             criterion=criterion, principal=principal)  # fmt: skip
