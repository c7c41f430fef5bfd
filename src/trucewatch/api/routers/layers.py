"""Map layers as GeoJSON: country outline, contact lines, sectors, control areas, zones."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from trucewatch.api import layers
from trucewatch.api.auth import Permission, Principal, require
from trucewatch.api.errors import ERROR_RESPONSES
from trucewatch.api.params import SAFE_TEXT
from trucewatch.api.schemas import FeatureCollection
from trucewatch.api.state import AppState, app_state
from trucewatch.store import queries as q

router = APIRouter(prefix="/layers", tags=["map layers"], responses=ERROR_RESPONSES)
State = Annotated[AppState, Depends(app_state)]
Reader = Annotated[Principal, Depends(require(Permission.READ_MAP_LAYERS))]




Day = Annotated[
    date | None, Query(description="the line valid on this UTC day (default: every line)")
]
Simplify = Annotated[
    float, Query(ge=0.0, le=1.0, allow_inf_nan=False, description="tolerance in degrees")
]


def _cached(state: AppState, key: tuple[Any, ...], make: Any) -> FeatureCollection:
    if key not in state.cache:
        state.cache[key] = FeatureCollection.model_validate(make())
    result: FeatureCollection = state.cache[key]
    return result


@router.get("/outline", response_model=FeatureCollection, summary="Country outline")
def outline(state: State, _p: Reader, simplify: Simplify = 0.005) -> FeatureCollection:
    return _cached(state, ("outline", simplify), lambda: layers.outline(simplify))


def _store_key(state: AppState) -> Any:
    with state.read() as conn:
        return q.line_versions(conn)


@router.get("/lines", response_model=FeatureCollection, summary="Contact lines")
def lines(state: State, _p: Reader, day: Day = None, simplify: Simplify = 0.0) -> FeatureCollection:
    return _cached(state, ("lines", day, simplify, _store_key(state)),
                   lambda: layers.contact_lines(state.store, day, simplify))  # fmt: skip


@router.get("/sectors", response_model=FeatureCollection, summary="Sectors of the lines")
def sectors(
    state: State, _p: Reader, day: Day = None, simplify: Simplify = 0.0
) -> FeatureCollection:
    return _cached(state, ("sectors", day, simplify, _store_key(state)),
                   lambda: layers.sectors(state.store, day, simplify))  # fmt: skip


@router.get("/control", response_model=FeatureCollection, summary="Control areas")
def control(
    state: State, _p: Reader, day: Day = None, simplify: Simplify = 0.002
) -> FeatureCollection:
    return _cached(state, ("control", day, simplify, _store_key(state)),
                   lambda: layers.control_areas(state.store, day, simplify))  # fmt: skip


@router.get("/zones", response_model=FeatureCollection, summary="Zones of the agreements")
def zones(
    state: State,
    _p: Reader,
    day: Day = None,
    agreement: Annotated[
        str | None, Query(max_length=200, pattern=SAFE_TEXT, description="agreement slug")
    ] = None,
) -> FeatureCollection:
    return FeatureCollection.model_validate(
        layers.zones(state.store, day, agreement, state.cache)
    )
