"""The agreements in the store, with their clauses and zones."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from trucewatch.agreements.model import LoadedAgreement
from trucewatch.api.auth import Permission, Principal, require
from trucewatch.api.errors import ERROR_RESPONSES, not_found
from trucewatch.api.schemas import AgreementDetail, AgreementSummary, ClauseModel, ZoneModel
from trucewatch.api.state import AppState, app_state
from trucewatch.app.views import agreements as views

router = APIRouter(prefix="/agreements", tags=["agreements"], responses=ERROR_RESPONSES)
State = Annotated[AppState, Depends(app_state)]
Reader = Annotated[Principal, Depends(require(Permission.READ_AGREEMENTS))]


def _summary(a: LoadedAgreement) -> dict[str, object]:
    return {
        "id": a.agreement.id or 0,
        "slug": a.slug,
        "name": a.name,
        "version": a.agreement.version,
        "status": a.agreement.status,
        "scope": a.scope,
        "start_utc": a.start.astimezone(UTC),
        "end_utc": a.end.astimezone(UTC),
        "timezone": a.agreement.timezone,
        "parties": [{"code": p.code, "name": p.name} for p in a.parties],
        "zones": [ZoneModel(name=z.name, kind=z.kind, half_width_km=z.half_width_km,
                            description=z.description) for z in a.zones],
        "clauses": [ClauseModel(id=c.id, text=c.text, prohibits=list(c.prohibits), zone=c.zone)
                    for c in a.clauses],
    }


@router.get("", response_model=list[AgreementSummary], summary="Stored agreements")
def list_agreements(state: State, principal: Reader) -> list[AgreementSummary]:
    return [AgreementSummary.model_validate(_summary(a))
            for a in views.agreements(state.store, principal=principal)]  # fmt: skip


@router.get("/{agreement_id}", response_model=AgreementDetail,
            responses=not_found("no such agreement"),
            summary="One agreement with its full stored definition")  # fmt: skip
def get_agreement(
    agreement_id: Annotated[int, Path(ge=1, le=2**31 - 1)], state: State, principal: Reader
) -> AgreementDetail:
    a = views.agreement(state.store, agreement_id, principal=principal)
    return AgreementDetail.model_validate({**_summary(a), "definition": a.definition})
