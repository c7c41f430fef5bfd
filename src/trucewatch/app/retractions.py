"""Use case: an analyst retracts an observation (a party's false report, a value that
poisoned fusion). The observation is kept and the retraction is logged in the ledger; the
next ``fuse`` leaves it out."""

from __future__ import annotations

from typing import Any

from trucewatch import limits
from trucewatch.app.roles import OPERATOR, Permission, Principal, require
from trucewatch.app.views.errors import NotVisible
from trucewatch.errors import InputError, RecordError
from trucewatch.store import Store
from trucewatch.store import retractions as rows

MAX_REASON = 500
"""Longest reason (characters), as stored and logged."""


def retract_observation(store: Store, uid: str, reason: str, *,
                        principal: Principal = OPERATOR) -> dict[str, Any]:  # fmt: skip
    """Retract observation ``uid`` for ``reason`` (analysts only); returns the retraction
    with its ledger index."""
    require(principal, Permission.MANAGE_MISSION)
    text = reason.strip()
    problem = limits.text_problem(text, "reason", MAX_REASON) or (
        None if text else ("reason", "give the reason for the retraction"))  # fmt: skip
    if problem is not None:
        raise InputError(RecordError("retraction", None, *problem))
    try:
        return rows.retract(store.engine, store.ledger, uid.strip().lower(), principal.name,
                            text)  # fmt: skip
    except LookupError as exc:
        raise NotVisible(str(exc.args[0])) from None
    except ValueError as exc:
        raise InputError(RecordError("retraction", None, "uid", str(exc))) from None


def list_retractions(store: Store, *, principal: Principal = OPERATOR) -> dict[str, Any]:
    """Every retraction (analysts only)."""
    require(principal, Permission.READ_ALL_OBSERVATIONS)
    return {"retractions": rows.retractions(store.engine)}
