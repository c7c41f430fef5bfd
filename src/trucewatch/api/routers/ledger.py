"""The Merkle log: status, signed tree heads, inclusion and consistency proofs (the forms
``python -m trucewatch.ledger.verify`` checks). 503 when the store has no ledger."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from trucewatch.api.auth import Permission, Principal, require
from trucewatch.api.errors import ERROR_RESPONSES, ErrorResponse, Invalid, NotFound, Unavailable
from trucewatch.api.ledger_view import LedgerView
from trucewatch.api.params import SAFE_TEXT
from trucewatch.api.schemas import ConsistencyResponse, LedgerStatus, ProofList, TreeHeadList
from trucewatch.api.state import AppState, app_state

router = APIRouter(prefix="/ledger", tags=["ledger"], responses={
    **ERROR_RESPONSES,
    503: {"model": ErrorResponse, "description": "this store has no ledger"},
})  # fmt: skip
State = Annotated[AppState, Depends(app_state)]
Reader = Annotated[Principal, Depends(require(Permission.READ_LEDGER))]
Size = Annotated[int | None, Query(ge=0, le=2**62)]


def _ledger(state: AppState) -> LedgerView:
    if state.ledger is None:
        raise Unavailable("this store has no ledger (Merkle log)")
    return state.ledger


@router.get("", response_model=LedgerStatus, summary="Is there a log; its size and latest head")
def status(state: State, _p: Reader) -> LedgerStatus:
    if state.ledger is None:
        return LedgerStatus(available=False)
    with state.read() as conn:
        return LedgerStatus(available=True, size=state.ledger.size(conn),
                            tree_head=state.ledger.latest_head(conn))  # fmt: skip


@router.get("/tree-heads", response_model=TreeHeadList, summary="All signed tree heads")
def tree_heads(state: State, _p: Reader) -> TreeHeadList:
    ledger = _ledger(state)
    with state.read() as conn:
        return TreeHeadList(tree_heads=ledger.heads(conn))


@router.get(
    "/proofs",
    response_model=ProofList,
    responses={404: {"model": ErrorResponse}},
    summary="Inclusion proofs of the entries about a reference (an observation uid ...)",
)
def proofs(
    state: State,
    _p: Reader,
    ref: Annotated[str, Query(min_length=1, max_length=256, pattern=SAFE_TEXT)],
    entry_type: Annotated[str | None, Query(max_length=32, pattern=r"^[a-z_]+$")] = None,
    tree_size: Size = None,
) -> ProofList:
    ledger = _ledger(state)
    with state.read() as conn:
        head = ledger.latest_head(conn)
        size = tree_size if tree_size is not None else (None if head is None else
                                                        int(head["tree_size"]))  # fmt: skip
        if size is None:
            raise NotFound("no signed tree head yet: proofs need one")
        if size > ledger.size(conn):
            raise Invalid(f"tree_size {size} is larger than the log", field="tree_size")
        indices = [i for i in ledger.find(conn, ref, entry_type) if i < size]
        if not indices:
            raise NotFound(f"no log entry about {ref!r} in the first {size} entries")
        found: list[dict[str, Any]] = [ledger.inclusion_proof(conn, i, size) for i in indices]
    return ProofList(ref=ref, proofs=found, tree_head=head)


@router.get("/consistency", response_model=ConsistencyResponse,
            summary="Consistency proof between two tree sizes")  # fmt: skip
def consistency(
    state: State,
    _p: Reader,
    old_size: Annotated[int, Query(ge=0, le=2**62)],
    new_size: Size = None,
) -> ConsistencyResponse:
    ledger = _ledger(state)
    with state.read() as conn:
        n = ledger.size(conn)
        if old_size > n or (new_size is not None and not old_size <= new_size <= n):
            raise Invalid(f"need 0 <= old_size <= new_size <= {n}", field="old_size")
        return ConsistencyResponse(proof=ledger.consistency_proof(conn, old_size, new_size))
