"""Use case: score the store's incidents against a simulation's ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trucewatch.app.roles import OPERATOR, Permission, Principal, require
from trucewatch.errors import InputError, RecordError
from trucewatch.sim import evaluate_store
from trucewatch.store import Store


def evaluate(store: Store, truth: Path, *, principal: Principal = OPERATOR) -> dict[str, Any]:
    """The metrics of :func:`trucewatch.sim.evaluate_store` for the incidents in the store
    against ``truth`` (``truth.jsonl`` written by ``trucewatch simulate``)."""
    require(principal, Permission.READ_ALL_INCIDENTS)
    if not truth.is_file():
        raise InputError(RecordError(str(truth), None, "--truth", "no such file"))
    return evaluate_store(store, truth)
