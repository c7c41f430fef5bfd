"""Map layers as GeoJSON: country outline, coast, places, contact lines, sectors, control
areas, zones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from trucewatch.api.auth import Permission, Principal, require
from trucewatch.api.errors import ERROR_RESPONSES
from trucewatch.api.params import SAFE_TEXT
from trucewatch.api.schemas import FeatureCollection
from trucewatch.api.state import AppState, app_state
from trucewatch.app.views import layers

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
def outline(state: State, principal: Reader, simplify: Simplify = 0.005) -> FeatureCollection:
    return _cached(state, ("outline", simplify),
                   lambda: layers.outline(simplify, principal=principal))  # fmt: skip


@router.get("/coast", response_model=FeatureCollection, summary="Sea coast (about 1 km)")
def coast(state: State, principal: Reader) -> FeatureCollection:
    return _cached(state, ("coast",), lambda: layers.coast(principal=principal))


@router.get("/places", response_model=FeatureCollection,
            summary="Settlements (GeoNames) and oblast names, for map labels")  # fmt: skip
def places(
    state: State,
    principal: Reader,
    min_population: Annotated[int, Query(ge=2000, le=10_000_000,
                                         description="smallest settlement kept")] = 2000,
    lang: Annotated[Literal["en", "uk", "ru"], Query(description="language of the oblast names")
                    ] = "en",
) -> FeatureCollection:
    return _cached(state, ("places", min_population, lang),
                   lambda: layers.places(min_population, lang, principal=principal))  # fmt: skip


def _line_layer_route(
    layer: layers.LineLayer, summary: str, default_simplify: float
) -> Callable[..., FeatureCollection]:
    """The route of a layer drawn from the stored lines (cached until a line changes)."""

    @router.get(f"/{layer}", response_model=FeatureCollection, summary=summary, name=layer)
    def route(
        state: State, principal: Reader, day: Day = None, simplify: Simplify = default_simplify
    ) -> FeatureCollection:
        key = (layer, day, simplify, layers.lines_version(state.store))
        return _cached(state, key, lambda: layers.line_layer(state.store, layer, day, simplify,
                                                             principal=principal))  # fmt: skip

    return route


lines = _line_layer_route("lines", "Contact lines", 0.0)
sectors = _line_layer_route("sectors", "Sectors of the lines", 0.0)
control = _line_layer_route("control", "Control areas", 0.002)


@router.get("/zones", response_model=FeatureCollection, summary="Zones of the agreements")
def zones(
    state: State,
    principal: Reader,
    day: Day = None,
    agreement: Annotated[
        str | None, Query(max_length=200, pattern=SAFE_TEXT, description="agreement slug")
    ] = None,
) -> FeatureCollection:
    return FeatureCollection.model_validate(
        layers.zones(state.store, day, agreement, state.cache, principal=principal)
    )
