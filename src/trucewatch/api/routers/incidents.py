"""Incidents: filtered pages (GeoJSON or CSV), facets, per-sector trend, and one incident
with its evidence chain. A party's liaison sees published findings only."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from trucewatch.api.auth import Permission, Principal, require
from trucewatch.api.errors import ERROR_RESPONSES, Invalid, not_found
from trucewatch.api.params import IncidentPageQuery, IncidentQuery, parse_cursor
from trucewatch.api.present import (
    feature_from_row,
    incident_feature,
    incidents_csv,
    observation_model,
    source_summaries,
)
from trucewatch.api.schemas import (
    DayCountModel,
    Facets,
    IncidentCollection,
    IncidentDetail,
    MarkerCollection,
    TrendResponse,
)
from trucewatch.api.state import AppState, app_state
from trucewatch.app.views import incidents as views
from trucewatch.codec import finite
from trucewatch.units import as_utc, iso_utc

router = APIRouter(prefix="/incidents", tags=["incidents"], responses=ERROR_RESPONSES)
State = Annotated[AppState, Depends(app_state)]
Reader = Annotated[
    Principal,
    Depends(require(Permission.READ_ALL_INCIDENTS, Permission.READ_PUBLISHED_FINDINGS)),
]
Filters = Annotated[IncidentQuery, Depends()]
Paging = Annotated[IncidentPageQuery, Depends()]
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}},
          "description": "GeoJSON FeatureCollection, or CSV with format=csv"},
}  # fmt: skip


@router.get(
    "",
    response_model=IncidentCollection,
    responses=CSV_RESPONSE,
    summary="Incidents by bbox, time, sector, status, party and agreement clause",
)
def list_incidents(
    request: Request,
    state: State,
    principal: Reader,
    filters: Filters,
    paging: Paging,
    format: Annotated[Literal["geojson", "csv"], Query(description="geojson or csv")] = "geojson",
) -> Any:
    """A page of incidents (oldest first unless ``sort`` says otherwise); continue with
    ``cursor=next_cursor``."""
    page = _page(state, principal, filters, paging, markers=False)
    features = [feature_from_row(r, page.observation_counts.get(r.uid, 0)) for r in page.rows]
    links = []
    if page.next_cursor is not None:
        nxt = str(request.url.include_query_params(cursor=page.next_cursor))
        links.append({"rel": "next", "href": nxt, "type": "application/geo+json"})
    if format == "csv":
        return _csv_page(features, page, links)
    body = {
        "type": "FeatureCollection",
        "features": features,
        "numberReturned": len(features),
        "numberMatched": page.total,
        "next_cursor": page.next_cursor,
        "published_before": None if page.published_before is None else
                            iso_utc(page.published_before),
        "links": links,
    }  # fmt: skip
    return _json(body)


def _page(
    state: AppState, principal: Principal, filters: IncidentQuery, paging: IncidentPageQuery,
    *, markers: bool,
) -> views.IncidentRows:
    cursor = parse_cursor(paging.cursor)
    if cursor is not None and cursor.sort != paging.sort:
        raise Invalid(f"cursor: it continues sort={cursor.sort}, not sort={paging.sort}",
                      field="cursor")  # fmt: skip
    return views.incident_rows(
        state.store, filters.to_filter(), limit=paging.limit, cursor=cursor,
        with_total=paging.count, published_before=state.published_before(), principal=principal,
        sort=paging.sort, markers=markers,
    )  # fmt: skip


def _json(body: dict[str, Any]) -> Response:
    # built as plain JSON (the schema's shape, checked by the schema tests): validating
    # thousands of features through pydantic would cost more than the query
    return Response(json.dumps(body, allow_nan=False, separators=(",", ":")),
                    media_type="application/json")  # fmt: skip


@router.get("/markers", response_model=MarkerCollection,
            summary="Incidents as map markers: the same filters, order and pages, few fields")
def list_markers(state: State, principal: Reader, filters: Filters, paging: Paging) -> Response:
    """A page of incidents with only what a map marker needs (position to 1e-5 degree,
    kind, status, confidence, sector): what the dashboard's map loads
    (``sort=-confidence``)."""
    page = _page(state, principal, filters, paging, markers=True)
    features = [{
        "type": "Feature", "id": r.uid,
        "geometry": {"type": "Point", "coordinates": [round(r.lon, 5), round(r.lat, 5)]},
        "properties": {"uid": r.uid, "time_start": iso_utc(as_utc(r.time_start)), "kind": r.kind,
                       "status": r.status, "confidence": finite(r.confidence),
                       "sector": r.sector},
    } for r in page.rows]  # fmt: skip
    return _json({
        "type": "FeatureCollection", "features": features, "numberReturned": len(features),
        "numberMatched": page.total, "next_cursor": page.next_cursor,
        "published_before": None if page.published_before is None else
                            iso_utc(page.published_before),
    })  # fmt: skip


def _csv_page(
    features: list[dict[str, Any]], page: views.IncidentRows, links: list[dict[str, str]]
) -> Response:
    headers = {"Content-Disposition": 'attachment; filename="incidents.csv"'}
    if page.next_cursor is not None:
        headers["Link"] = f'<{links[0]["href"]}>; rel="next"'
    if page.total is not None:
        headers["X-Total-Count"] = str(page.total)
    return Response(incidents_csv(features), media_type="text/csv", headers=headers)


@router.get("/facets", response_model=Facets, summary="Filter choices and time range")
def facets(state: State, principal: Reader) -> Facets:
    choices = views.filter_choices(state.store, state.published_before(), principal=principal)
    return Facets(**choices.values, time_min=choices.time_min, time_max=choices.time_max,
                  published_before=choices.published_before)  # fmt: skip


@router.get("/trend", response_model=TrendResponse, summary="Incidents per sector and UTC day")
def trend(state: State, principal: Reader, filters: Filters) -> TrendResponse:
    counts = views.incident_trend(state.store, filters.to_filter(), state.published_before(),
                                  principal=principal)  # fmt: skip
    days = sorted({c.day for c in counts})
    sectors = sorted({c.sector for c in counts}, key=lambda s: (s is None, s or ""))
    return TrendResponse(
        counts=[DayCountModel(sector=c.sector, day=c.day, status=c.status, count=c.count)
                for c in counts],
        days=days,
        sectors=sectors,
    )


UidPath = Annotated[str, Path(pattern=r"^[0-9a-f]{1,64}$", description="incident uid (hex)")]


@router.get(
    "/{uid}",
    response_model=IncidentDetail,
    responses=not_found("no such (visible) incident"),
    summary="One incident with its evidence chain, sources, assessment and proofs",
)
def get_incident(uid: UidPath, state: State, principal: Reader) -> IncidentDetail:
    found = views.incident_evidence(state.store, state.ledger, uid, state.published_before(),
                                    principal=principal)  # fmt: skip
    chain, entries = found.chain, found.ledger_entries
    evidence = [
        observation_model(s, principal, chain.batches.get(s.batch_id or -1),
                          incidents=None, ledger_entries=entries.get(s.observation.uid))
        for s in chain.observations
    ]  # fmt: skip
    return IncidentDetail(
        incident=incident_feature(chain.incident),
        evidence=evidence,
        sources=source_summaries(chain.observations, principal),
        assessment=incident_feature(chain.incident).properties.assessment,
        proofs=found.proofs,
        tree_head=found.tree_head,
        ledger=found.ledger_state,
    )
