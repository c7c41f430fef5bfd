"""Incidents: filtered pages (GeoJSON or CSV), facets, per-sector trend, and one incident
with its evidence chain. A party's liaison sees published findings only."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from trucewatch.api.auth import Permission, Principal, require
from trucewatch.api.errors import ERROR_RESPONSES, ErrorResponse, NotFound
from trucewatch.api.params import IncidentQuery, PageQuery, parse_cursor
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
    TrendResponse,
)
from trucewatch.api.state import AppState, app_state
from trucewatch.store import queries as q
from trucewatch.units import iso_utc

router = APIRouter(prefix="/incidents", tags=["incidents"], responses=ERROR_RESPONSES)
State = Annotated[AppState, Depends(app_state)]
Reader = Annotated[
    Principal,
    Depends(require(Permission.READ_ALL_INCIDENTS, Permission.READ_PUBLISHED_FINDINGS)),
]
Filters = Annotated[IncidentQuery, Depends()]
Paging = Annotated[PageQuery, Depends()]


def published_limit(state: AppState, principal: Principal) -> datetime | None:
    """None for analysts; the publication instant for those who see published findings."""
    if principal.can(Permission.READ_ALL_INCIDENTS):
        return None
    return state.published_before()


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
    """A page of incidents, oldest first; continue with ``cursor=next_cursor``."""
    limit_to = published_limit(state, principal)
    flt = filters.to_filter(limit_to)
    cursor = parse_cursor(paging.cursor)
    with state.read() as conn:
        page = q.find_incident_rows(conn, flt, limit=paging.limit, cursor=cursor,
                                    with_total=paging.count)  # fmt: skip
        counts = q.observation_counts(conn, [r.uid for r in page.items])
    features = [feature_from_row(r, counts.get(r.uid, 0)) for r in page.items]
    links = []
    if page.next_cursor is not None:
        nxt = str(request.url.include_query_params(cursor=page.next_cursor))
        links.append({"rel": "next", "href": nxt, "type": "application/geo+json"})
    if format == "csv":
        headers = {"Content-Disposition": 'attachment; filename="incidents.csv"'}
        if page.next_cursor is not None:
            headers["Link"] = f'<{links[0]["href"]}>; rel="next"'
        if page.total is not None:
            headers["X-Total-Count"] = str(page.total)
        return Response(incidents_csv(features), media_type="text/csv", headers=headers)
    body = {
        "type": "FeatureCollection",
        "features": features,
        "numberReturned": len(features),
        "numberMatched": page.total,
        "next_cursor": page.next_cursor,
        "published_before": None if limit_to is None else iso_utc(limit_to),
        "links": links,
    }
    # built as plain JSON (the IncidentCollection shape, checked by the schema tests):
    # validating thousands of features through pydantic would cost more than the query
    return Response(json.dumps(body, allow_nan=False, separators=(",", ":")),
                    media_type="application/json")  # fmt: skip


@router.get("/facets", response_model=Facets, summary="Filter choices and time range")
def facets(state: State, principal: Reader) -> Facets:
    limit_to = published_limit(state, principal)
    with state.read() as conn:
        span = q.time_range(conn)
        out = Facets(
            sectors=q.distinct_values(conn, "sector"),
            statuses=q.distinct_values(conn, "status"),
            parties=q.distinct_values(conn, "attribution_party"),
            kinds=q.distinct_values(conn, "kind"),
            time_min=None if span is None else span[0],
            time_max=None if span is None else span[1],
            published_before=limit_to,
        )
    if limit_to is not None and out.time_max is not None and out.time_max >= limit_to:
        out.time_max = limit_to
    return out


@router.get("/trend", response_model=TrendResponse, summary="Incidents per sector and UTC day")
def trend(state: State, principal: Reader, filters: Filters) -> TrendResponse:
    flt = filters.to_filter(published_limit(state, principal))
    with state.read() as conn:
        counts = q.incident_counts_by_sector_day(conn, flt)
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
    responses={404: {"model": ErrorResponse, "description": "no such (visible) incident"}},
    summary="One incident with its evidence chain, sources, assessment and proofs",
)
def get_incident(uid: UidPath, state: State, principal: Reader) -> IncidentDetail:
    limit_to = published_limit(state, principal)
    with state.read() as conn:
        chain = q.evidence_chain(conn, uid)
        if chain is None or (limit_to is not None and chain.incident.time_start >= limit_to):
            raise NotFound(f"no incident {uid}")
        obs_uids = [s.observation.uid for s in chain.observations]
        ledger, proofs, head, entries = state.ledger, None, None, {}
        ledger_state = "unavailable"
        if ledger is not None:
            entries = {u: ledger.find(conn, u, "observation") for u in obs_uids}
            head = ledger.latest_head(conn)
            covered = ledger.covered_size(conn)
            ledger_state = "available" if covered is not None else "no_tree_head"
            if covered is not None and principal.can(Permission.READ_LEDGER):
                proofs = [ledger.inclusion_proof(conn, i, covered)
                          for u in obs_uids for i in entries[u] if i < covered]  # fmt: skip
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
        proofs=proofs,
        tree_head=head if principal.can(Permission.READ_LEDGER) else None,
        ledger=ledger_state,
    )
