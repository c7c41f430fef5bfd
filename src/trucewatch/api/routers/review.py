"""The analyst's review and the bulletins: confirm, reject, merge, split, relabel,
annotate and publish an incident (analysts only, each with a reason, logged), read an
incident's review, list reviewed incidents, and the bulletins of each period with the
analyst's sign-off (docs/api.md, docs/operations.md).

Visibility: analysts see every review and bulletin; liaisons and the public keep the
existing publication rule (a UTC day's findings after the publication lag) and, on top of
it, see a reviewed version only once an analyst published it, and only the reviewed
(signed-off) bulletins.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from trucewatch import limits
from trucewatch.api.auth import Permission, Principal, require
from trucewatch.api.errors import ERROR_RESPONSES, not_found
from trucewatch.api.state import AppState, app_state
from trucewatch.app import bulletins as app_bulletins
from trucewatch.app import review as app_review

router = APIRouter(tags=["review"], responses=ERROR_RESPONSES)
State = Annotated[AppState, Depends(app_state)]
Reader = Annotated[
    Principal,
    Depends(require(Permission.READ_ALL_INCIDENTS, Permission.READ_PUBLISHED_FINDINGS)),
]
Reviewer = Annotated[Principal, Depends(require(Permission.REVIEW_INCIDENTS))]
Uid = Annotated[str, Path(pattern=r"^[0-9a-f]{1,64}$", description="incident uid (hex)")]
HexUid = Annotated[str, Field(pattern=r"^[0-9a-f]{1,64}$")]
Reason = Annotated[str, Field(min_length=1, max_length=limits.MAX_REASON_CHARS,
                              description="why (required; stored with the analyst's name)")]
Label = Annotated[str, Field(min_length=1, max_length=limits.MAX_TEXT,
                             pattern=r"^[^\x00-\x1f]*$")]


class ReviewBody(BaseModel):
    """One act of review."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["confirm", "reject", "merge", "split", "relabel", "annotate", "publish"]
    reason: Reason
    status: Literal["unverified", "possible", "probable", "confirmed", "refuted"] | None = Field(
        default=None, description="relabel: the incident's new status")
    attribution: Label | None = Field(default=None,
                                      description="relabel: the party held responsible")
    clause: Label | None = Field(default=None, description="relabel: the deciding clause id")
    verdict: Literal["violation", "undetermined", "permitted"] | None = Field(
        default=None, description="relabel: the verdict against the agreement")
    merge: list[HexUid] = Field(default_factory=list, max_length=limits.MAX_REVIEW_UIDS,
                                description="merge: incidents merged into this one")
    observations: list[HexUid] = Field(default_factory=list,
                                       max_length=limits.MAX_REVIEW_UIDS,
                                       description="split: observations split off")  # fmt: skip


class ReasonBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class ReviewState(BaseModel):
    """An incident's review: evaluation mode (automatic, manual) and status (preliminary,
    confirmed, reviewed, rejected), the reviewed version and, for analysts, every act."""

    uid: str
    evaluation_mode: str
    evaluation_status: str
    reviewed: dict[str, Any] | None = None
    acts: list[dict[str, Any]] = Field(default_factory=list)


class ReviewedList(BaseModel):
    reviewed: list[dict[str, Any]]


class BulletinSummary(BaseModel):
    id: int
    period: date
    kind: str
    lag_hours: float | None
    version: int
    issued_by: str
    issued_at: datetime
    incidents: int
    unreviewed: int | None
    sha256: str
    changes: dict[str, Any]


class Bulletin(BulletinSummary):
    content: dict[str, Any]


class BulletinList(BaseModel):
    bulletins: list[BulletinSummary]


@router.get("/incidents/{uid}/review", response_model=ReviewState,
            responses=not_found("no such (visible) incident"),
            summary="An incident's review: automatic or manual, its status and acts")  # fmt: skip
def get_review(uid: Uid, state: State, principal: Reader) -> ReviewState:
    found = app_review.review_state(state.store, uid, principal=principal,
                                    published_before=state.published_before())  # fmt: skip
    return ReviewState(**found)


@router.post("/incidents/{uid}/review", response_model=ReviewState, status_code=201,
             responses=not_found("no such incident"),
             summary="Review an incident (analysts): confirm, reject, merge, split, relabel, "
                     "annotate or publish, with a reason; logged")  # fmt: skip
def post_review(uid: Uid, body: ReviewBody, state: State, principal: Reviewer) -> ReviewState:
    request = app_review.ReviewRequest(
        action=body.action, reason=body.reason, status=body.status,
        attribution=body.attribution, clause=body.clause, verdict=body.verdict,
        merge=tuple(body.merge), observations=tuple(body.observations))  # fmt: skip
    return ReviewState(**app_review.review_incident(state.store, uid, request,
                                                    principal=principal))  # fmt: skip


@router.post("/incidents/{uid}/publish", response_model=ReviewState, status_code=201,
             responses=not_found("no such incident"),
             summary="Publish an incident's reviewed version to the parties and the public "
                     "(analysts; logged)")  # fmt: skip
def post_publish(uid: Uid, body: ReasonBody, state: State, principal: Reviewer) -> ReviewState:
    return ReviewState(**app_review.publish(state.store, uid, body.reason, principal=principal))


@router.get("/reviews", response_model=ReviewedList,
            summary="Reviewed incidents (analysts: all, or those awaiting re-review; "
                    "others: the published ones)")  # fmt: skip
def list_reviews(
    state: State, principal: Reader,
    since: Annotated[datetime | None, Query(description="time_start at or after (UTC)")] = None,
    until: Annotated[datetime | None, Query(description="time_start before (UTC)")] = None,
    needs_review: Annotated[bool | None, Query(description="only those flagged (true) or "
                                                           "not (false)")] = None,
) -> ReviewedList:
    from trucewatch.app.incidents import utc_bounds

    since, until = utc_bounds(since, until)
    rows = app_review.reviewed_incidents(state.store, since, until, needs_review=needs_review,
                                         principal=principal,
                                         published_before=state.published_before())  # fmt: skip
    return ReviewedList(reviewed=rows)


@router.get("/bulletins", response_model=BulletinList,
            summary="Bulletins (analysts: all; others: the signed-off ones)")  # fmt: skip
def list_bulletins(
    state: State, principal: Reader,
    since: Annotated[date | None, Query(description="first period (UTC day)")] = None,
    until: Annotated[date | None, Query(description="period before (UTC day)")] = None,
) -> BulletinList:
    rows = app_bulletins.list_bulletins(state.store, since, until, principal=principal)
    return BulletinList(bulletins=[BulletinSummary(**r) for r in rows])


@router.get("/bulletins/{bulletin_id}", response_model=Bulletin,
            responses=not_found("no such (visible) bulletin"),
            summary="One bulletin: its incidents and what changed since the previous one")
def get_bulletin(bulletin_id: Annotated[int, Path(ge=1, le=2**62)], state: State,
                 principal: Reader) -> Bulletin:  # fmt: skip
    return Bulletin(**app_bulletins.get_bulletin(state.store, bulletin_id, principal=principal))


@router.post("/bulletins/{day}/sign-off", response_model=BulletinSummary, status_code=201,
             summary="Sign a period off (analysts): issue and publish its reviewed bulletin")
def sign_off(day: Annotated[date, Path(description="the period, a UTC day YYYY-MM-DD")],
             body: ReasonBody, state: State, principal: Reviewer) -> BulletinSummary:  # fmt: skip
    return BulletinSummary(**app_bulletins.sign_off(state.store, day, body.reason,
                                                    principal=principal))  # fmt: skip
