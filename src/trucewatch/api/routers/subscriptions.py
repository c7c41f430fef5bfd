"""Alert subscriptions (webhooks) and their deliveries, with the dead letters.

Whoever may read incidents subscribes; alerts show only what the subscriber's role may read
(docs/operations.md). ``POST /subscriptions`` answers the webhook's signing secret once.
An analyst lists every subscription and every alert and sends a dead letter again; anyone
else sees their own.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from trucewatch.api.auth import Permission, Principal, require
from trucewatch.api.errors import ERROR_RESPONSES, not_found
from trucewatch.api.params import SAFE_TEXT
from trucewatch.api.state import AppState, app_state
from trucewatch.app import alerts
from trucewatch.app.webhook_hosts import WebhookHosts
from trucewatch.units import iso_utc

router = APIRouter(tags=["alerts"], responses=ERROR_RESPONSES)
State = Annotated[AppState, Depends(app_state)]
Reader = Annotated[
    Principal,
    Depends(require(Permission.READ_ALL_INCIDENTS, Permission.READ_PUBLISHED_FINDINGS)),
]
Analyst = Annotated[Principal, Depends(require(Permission.MANAGE_MISSION))]
Value = Annotated[str, Field(min_length=1, max_length=200, pattern=SAFE_TEXT)]
Status = Literal["unverified", "possible", "probable", "confirmed"]


class SubscriptionIn(BaseModel):
    """A new subscription: its name, filters (empty lists: any) and an optional webhook."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64, pattern=SAFE_TEXT)
    sectors: list[Value] = Field(default_factory=list, max_length=alerts.MAX_LIST)
    clauses: list[Value] = Field(default_factory=list, max_length=alerts.MAX_LIST,
                                 description="agreement clause ids (deciding or broken)")
    parties: list[Value] = Field(default_factory=list, max_length=alerts.MAX_LIST,
                                 description="attributed party (or 'undetermined')")
    min_status: Status = Field(default="probable", description="least status")
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    webhook_url: str | None = Field(default=None, max_length=2000,
                                    description="POSTed each alert (http or https)")


class SubscriptionOut(BaseModel):
    id: int
    name: str
    owner: str
    role: str
    party: str | None
    sectors: list[str]
    clauses: list[str]
    parties: list[str]
    min_status: str
    min_confidence: float
    webhook_url: str | None
    created_at: str
    secret: str | None = Field(
        default=None, description="HMAC-SHA256 key of the webhook's signatures: given once, "
                                  "when the subscription is created")  # fmt: skip


class AlertOut(BaseModel):
    id: int
    alert_id: str = Field(description="idempotency id: the same on every attempt")
    subscription_id: int
    incident_uid: str
    event: str = Field(description="new | updated")
    state: str = Field(description="pending | delivered | dead | cancelled")
    attempts: int
    created_at: str
    next_attempt_at: str | None
    delivered_at: str | None
    last_error: str | None
    body: dict[str, Any]


def _sub_out(s: alerts.Subscription) -> SubscriptionOut:
    f = s.filters
    return SubscriptionOut(id=s.id, name=s.name, owner=s.owner, role=s.role, party=s.party,
                           sectors=list(f.sectors), clauses=list(f.clauses),
                           parties=list(f.parties), min_status=f.min_status,
                           min_confidence=f.min_confidence, webhook_url=s.webhook_url,
                           created_at=iso_utc(s.created_at), secret=s.secret)  # fmt: skip


def _alert_out(d: alerts.Delivery) -> AlertOut:
    return AlertOut(id=d.id, alert_id=d.alert_id, subscription_id=d.subscription_id,
                    incident_uid=d.incident_uid, event=d.event, state=d.state,
                    attempts=d.attempts, created_at=iso_utc(d.created_at),
                    next_attempt_at=iso_utc(d.next_attempt_at) if d.state == "pending" else None,
                    delivered_at=None if d.delivered_at is None else iso_utc(d.delivered_at),
                    last_error=d.last_error, body=json.loads(d.body))  # fmt: skip


@router.post("/subscriptions", status_code=201, response_model=SubscriptionOut,
             summary="Subscribe to alerts (webhook optional)")
def subscribe(body: SubscriptionIn, state: State, principal: Reader) -> SubscriptionOut:
    flt = alerts.AlertFilter(sectors=tuple(body.sectors), clauses=tuple(body.clauses),
                             parties=tuple(body.parties), min_status=body.min_status,
                             min_confidence=body.min_confidence)  # fmt: skip
    hosts = WebhookHosts(state.settings.webhook_allowed_hosts)
    sub = alerts.create_subscription(state.store, principal, body.name, flt, body.webhook_url,
                                     hosts)  # fmt: skip
    return _sub_out(sub)


@router.get("/subscriptions", response_model=list[SubscriptionOut],
            summary="Subscriptions (an analyst: all; anyone else: their own)")
def list_subscriptions(state: State, principal: Reader) -> list[SubscriptionOut]:
    return [_sub_out(s) for s in alerts.list_subscriptions(state.store, principal)]


@router.delete("/subscriptions/{sub_id}", status_code=204,
               responses=not_found("no such subscription"),
               summary="End a subscription (its pending alerts are dropped)")
def unsubscribe(sub_id: Annotated[int, Path(ge=1)], state: State, principal: Reader) -> Response:
    alerts.delete_subscription(state.store, principal, sub_id)
    return Response(status_code=204)


@router.get("/alerts", response_model=list[AlertOut],
            summary="Webhook alerts by state (default: the dead letters)")
async def list_alerts(
    state: State, principal: Reader,
    state_: Annotated[Literal["dead", "pending", "delivered", "cancelled", "all"],
                      Query(alias="state")] = "dead",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AlertOut]:
    which = None if state_ == "all" else state_
    rows = await run_in_threadpool(alerts.alert_deliveries, state.store, principal, which, limit)
    return [_alert_out(d) for d in rows]


@router.post("/alerts/{delivery_id}/redeliver", status_code=202,
             responses=not_found("no such dead letter"),
             summary="Send a dead letter again (an analyst)")
def redeliver(delivery_id: Annotated[int, Path(ge=1)], state: State,
              principal: Analyst) -> Response:  # fmt: skip
    alerts.redeliver(state.store, principal, delivery_id)
    if state.live is not None and state.live.webhooks is not None:
        state.live.webhooks.wake()
    return Response(status_code=202)
