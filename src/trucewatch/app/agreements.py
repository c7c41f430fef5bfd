"""Use cases of the agreements: add one (validated TOML), list them, and the ones in
force over a period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from trucewatch.agreements.load import agreement_from_definition, load_agreement
from trucewatch.agreements.model import LoadedAgreement
from trucewatch.app.roles import OPERATOR, Permission, Principal, require
from trucewatch.store import Store


def add_agreement(store: Store, path: Path, *, principal: Principal = OPERATOR
                  ) -> dict[str, Any]:  # fmt: skip
    """Validate an agreement file and store it (a re-added identical file is unchanged)."""
    require(principal, Permission.MANAGE_MISSION)
    loaded = load_agreement(path)
    agreement_id, created = store.add_agreement(loaded.agreement, loaded.definition)
    return {
        "agreement_id": agreement_id,
        "created": created,
        "slug": loaded.slug,
        "name": loaded.name,
        "version": loaded.agreement.version,
        "scope": loaded.scope,
        "start_utc": loaded.definition.get("start_utc"),
        "end_utc": loaded.definition.get("end_utc"),
        "clauses": len(loaded.clauses),
        "zones": [z.name for z in loaded.zones],
    }


def stored_agreements(store: Store) -> list[LoadedAgreement]:
    """Every stored agreement, rebuilt from its stored definition."""
    return [
        agreement_from_definition(definition, agreement_id=agreement_id)
        for agreement_id, definition in store.agreement_definitions()
    ]


def agreements_in_force(
    agreements: Sequence[LoadedAgreement], start: datetime, end: datetime
) -> list[LoadedAgreement]:
    """Agreements in force at some instant of [start, end)."""
    return [a for a in agreements if a.start < end and a.end > start]


def list_agreements(store: Store, *, principal: Principal = OPERATOR) -> dict[str, Any]:
    """Every stored agreement: id, slug, name, scope and period (UTC)."""
    require(principal, Permission.READ_AGREEMENTS)
    return {"agreements": [
        {"agreement_id": a.agreement.id, "slug": a.slug, "name": a.name,
         "scope": a.scope, "start_utc": a.definition.get("start_utc"),
         "end_utc": a.definition.get("end_utc")}
        for a in stored_agreements(store)
    ]}  # fmt: skip
