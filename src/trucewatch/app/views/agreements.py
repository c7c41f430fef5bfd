"""Read views of the stored agreements, rebuilt from their stored definitions."""

from __future__ import annotations

from trucewatch.agreements.model import LoadedAgreement
from trucewatch.app.agreements import stored_agreements
from trucewatch.app.roles import Permission, Principal, require
from trucewatch.app.session import Store
from trucewatch.app.views.errors import NotVisible


def agreements(store: Store, *, principal: Principal) -> list[LoadedAgreement]:
    """Every stored agreement, in the order stored."""
    require(principal, Permission.READ_AGREEMENTS)
    return stored_agreements(store)


def agreement(store: Store, agreement_id: int, *, principal: Principal) -> LoadedAgreement:
    """The stored agreement ``agreement_id``; :class:`NotVisible` when there is none."""
    for a in agreements(store, principal=principal):
        if a.agreement.id == agreement_id:
            return a
    raise NotVisible(f"no agreement {agreement_id}")
