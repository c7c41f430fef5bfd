"""The Merkle log: status, signed tree heads, inclusion and consistency proofs (the forms
``python -m trucewatch.ledger.verify`` checks). 503 when the store has no ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from trucewatch.api.auth import Permission, Principal, require
from trucewatch.api.errors import ERROR_RESPONSES, ErrorResponse, Unavailable, not_found
from trucewatch.api.params import SAFE_TEXT
from trucewatch.api.schemas import (
    ConsistencyResponse,
    CosignedHeadAnswer,
    CosignedHeadModel,
    LedgerStatus,
    ProofList,
    TreeHeadList,
)
from trucewatch.api.state import AppState, app_state
from trucewatch.app import cosign
from trucewatch.app.views import ledger as views

router = APIRouter(prefix="/ledger", tags=["ledger"], responses={
    **ERROR_RESPONSES,
    503: {"model": ErrorResponse, "description": "this store has no ledger"},
})  # fmt: skip
State = Annotated[AppState, Depends(app_state)]
Reader = Annotated[Principal, Depends(require(Permission.READ_LEDGER))]
Viewer = Annotated[Principal, Depends(require(
    Permission.READ_LEDGER, Permission.READ_PUBLISHED_REPORTS, Permission.READ_MAP_LAYERS))]
Size = Annotated[int | None, Query(ge=0, le=2**62)]


def _ledger(state: AppState) -> views.LedgerView:
    if state.ledger is None:
        raise Unavailable("this store has no ledger (Merkle log)")
    return state.ledger


@router.get("", response_model=LedgerStatus, summary="Is there a log; its size and latest head")
def status(state: State, principal: Reader) -> LedgerStatus:
    if state.ledger is None:
        return LedgerStatus(available=False)
    found = views.ledger_status(state.store, state.ledger, principal=principal)
    return LedgerStatus(available=True, size=found.size, tree_head=found.tree_head)


@router.get("/cosigned-head", response_model=CosignedHeadAnswer,
            summary="The latest log head the witnesses' quorum cosigned (public)")  # fmt: skip
def cosigned_head(state: State, principal: Viewer) -> CosignedHeadAnswer:
    """What the dashboard's badge and the daily report show: the size and root hash of
    the log as the parties' and neutral witnesses last cosigned it, with the checkpoint
    (c2sp.org/tlog-checkpoint and tlog-cosignature) to check against a witness's own."""
    found = cosign.latest_cosigned_head(state.store, principal=principal)
    return CosignedHeadAnswer(cosigned_head=None if found is None else CosignedHeadModel(
        **found))  # fmt: skip


@router.get("/tree-heads", response_model=TreeHeadList, summary="All signed tree heads")
def tree_heads(state: State, principal: Reader) -> TreeHeadList:
    heads = views.tree_heads(state.store, _ledger(state), principal=principal)
    return TreeHeadList(tree_heads=heads)


@router.get(
    "/proofs", response_model=ProofList,
    responses=not_found("no log entry about the reference, or no signed tree head"),
    summary="Inclusion proofs of the entries about a reference (an observation uid ...)",
)  # fmt: skip
def proofs(
    state: State,
    principal: Reader,
    ref: Annotated[str, Query(min_length=1, max_length=256, pattern=SAFE_TEXT)],
    entry_type: Annotated[str | None, Query(max_length=32, pattern=r"^[a-z_]+$")] = None,
    tree_size: Size = None,
) -> ProofList:
    found = views.proofs_about(state.store, _ledger(state), ref, entry_type, tree_size,
                               principal=principal,
                               published_before=state.published_before())  # fmt: skip
    return ProofList(ref=ref, proofs=found.proofs, tree_head=found.tree_head)


@router.get("/consistency", response_model=ConsistencyResponse,
            summary="Consistency proof between two tree sizes")  # fmt: skip
def consistency(
    state: State,
    principal: Reader,
    old_size: Annotated[int, Query(ge=0, le=2**62)],
    new_size: Size = None,
) -> ConsistencyResponse:
    proof = views.consistency_proof(state.store, _ledger(state), old_size, new_size,
                                    principal=principal)  # fmt: skip
    return ConsistencyResponse(proof=proof)
