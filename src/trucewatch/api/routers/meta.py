"""Who am I, is the server up."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from trucewatch import __version__
from trucewatch.api.auth import CurrentPrincipal, Permission
from trucewatch.api.errors import ERROR_RESPONSES
from trucewatch.api.schemas import Health, Me
from trucewatch.api.state import AppState, app_state
from trucewatch.app.views.health import database_name

router = APIRouter(tags=["meta"], responses=ERROR_RESPONSES)
SUBMITTING = frozenset({Permission.SUBMIT_OBSERVATIONS, Permission.SUBMIT_COMPLAINTS})
State = Annotated[AppState, Depends(app_state)]


@router.get("/health", response_model=Health, summary="Server and store are up")
def health(state: State) -> Health:
    return Health(
        version=__version__,
        database=database_name(state.store),
        ledger=state.ledger is not None,
    )


@router.get("/me", response_model=Me, summary="The caller's role and permissions")
def me(principal: CurrentPrincipal, state: State) -> Me:
    return Me(
        name=principal.name,
        role=principal.role.value,
        party=principal.party,
        authenticated=principal.authenticated,
        permissions=sorted(p.value for p in principal.permissions),
        daily_quota=state.quotas.limit_of(principal) if principal.permissions & SUBMITTING
        else None,
    )
