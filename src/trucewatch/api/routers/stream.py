"""The live stream: incidents as live fusion creates, updates and retires them, as
Server-Sent Events (``text/event-stream``).

Each event is one change (``incident_changes``): ``event: incident`` with the incident as
a GeoJSON feature (the incident list's shape) and the uids it replaces, or ``event:
retired`` with a uid. The ``id:`` of each event is the change id: a client that reconnects
with ``Last-Event-ID`` (browsers do) or ``?after=`` gets what it missed. A caller sees
only what ``GET /api/incidents`` would show it (a liaison: published findings), filtered
by the query's sectors, clauses, parties, least status and least confidence; a quiet
stream gets a comment line every ``stream_heartbeat_s`` seconds.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from trucewatch.api.auth import Permission, Principal, require
from trucewatch.api.errors import ERROR_RESPONSES, Unavailable
from trucewatch.api.params import Text, _split
from trucewatch.api.state import AppState, app_state
from trucewatch.app.alerts import (
    AlertFilter,
    Change,
    changes_after,
    matching_rows,
    observation_uids,
)
from trucewatch.app.views.features import feature_from_row

router = APIRouter(tags=["live"], responses=ERROR_RESPONSES)
State = Annotated[AppState, Depends(app_state)]
Reader = Annotated[
    Principal,
    Depends(require(Permission.READ_ALL_INCIDENTS, Permission.READ_PUBLISHED_FINDINGS)),
]
BATCH = 2_000
"""Changes read at once."""


def stream_filter(sector: list[str] | None, clause: list[str] | None, party: list[str] | None,
                  min_status: str, min_confidence: float) -> AlertFilter:  # fmt: skip
    return AlertFilter(sectors=_split(sector), clauses=_split(clause), parties=_split(party),
                       min_status=min_status, min_confidence=min_confidence)  # fmt: skip


@router.get(
    "/stream",
    summary="Live incidents as Server-Sent Events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}},
                     "description": "an endless event stream"}},
)
async def stream(
    request: Request,
    state: State,
    principal: Reader,
    sector: Annotated[list[Text] | None, Query(description="sector names (any)")] = None,
    clause: Annotated[list[Text] | None, Query(description="agreement clause ids (any)")] = None,
    party: Annotated[list[Text] | None, Query(description="attributed parties (any)")] = None,
    min_status: Annotated[str, Query(pattern="^(unverified|possible|probable|confirmed)$",
                                     description="least status")] = "unverified",
    min_confidence: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
    after: Annotated[int | None, Query(ge=0, description="start after this change id")] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    """Changes after ``after`` (or ``Last-Event-ID``; default: from now on), then live."""
    if state.live is None:
        raise Unavailable("the live stream is not running")
    flt = stream_filter(sector, clause, party, min_status, min_confidence)
    start = after
    if last_event_id is not None and last_event_id.strip().isdigit():
        start = int(last_event_id.strip())
    if start is None:
        start = state.live.feed.latest
    return StreamingResponse(
        _events(request, state, principal, flt, start),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _events(request: Request, state: AppState, principal: Principal, flt: AlertFilter,
                  last: int) -> AsyncIterator[str]:  # fmt: skip
    assert state.live is not None
    feed = state.live.feed
    everything = principal.can(Permission.READ_ALL_INCIDENTS)
    sent: set[str] = set()
    yield f"retry: 3000\n: connected after change {last}\n\n"
    while not await request.is_disconnected():
        if not await feed.wait_beyond(last, state.settings.stream_heartbeat_s):
            await run_in_threadpool(feed.poll)
            yield ": ping\n\n"
            continue
        changes = await run_in_threadpool(changes_after, state.store, last, BATCH)
        if not changes:
            last = max(last, feed.latest)
            continue
        ups = [c.incident_uid for c in changes if c.change == "upsert"]
        rows = await run_in_threadpool(matching_rows, state.store, principal, flt, ups,
                                       state.published_before())  # fmt: skip
        found = {r.uid: (r, n) for r, n in rows}
        members = await run_in_threadpool(observation_uids, state.store, principal, list(found))
        for c in changes:
            text = _event(c, found, members, sent, everything)
            if text:
                yield text
        last = changes[-1].id


def _event(c: Change, found: dict[str, Any], members: dict[str, list[str]], sent: set[str],
           everything: bool) -> str | None:  # fmt: skip
    """One change as an SSE event, or None when the caller may not see it (a retirement
    only of an incident this stream showed, or any to an analyst); ``members``: the
    observations of each incident, for those who may read them."""
    if c.change == "upsert":
        hit = found.get(c.incident_uid)
        if hit is None:
            return None
        sent.add(c.incident_uid)
        data: dict[str, Any] = {
            "change": "upsert", "id": c.id,
            "supersedes": [u for u in c.supersedes if everything or u in sent],
            "feature": feature_from_row(*hit),
        }  # fmt: skip
        if c.incident_uid in members:
            data["observations"] = members[c.incident_uid]
        kind = "incident"
    else:
        if not (everything or c.incident_uid in sent):
            return None
        sent.discard(c.incident_uid)
        data = {"change": "retire", "id": c.id, "uid": c.incident_uid}
        kind = "retired"
    body = json.dumps(data, separators=(",", ":"), allow_nan=False)
    return f"id: {c.id}\nevent: {kind}\ndata: {body}\n\n"
