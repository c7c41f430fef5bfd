"""The read views of the API's screens: permission checks, what a party's liaison and a
monitor may see, and the ledger views on a store without a signed tree head."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from trucewatch.app import agreements as app_agreements
from trucewatch.app import incidents as app_incidents
from trucewatch.app import intake as app_intake
from trucewatch.app.demo import AGREEMENT_FILE, demo_file
from trucewatch.app.roles import OPERATOR, PermissionDenied, Principal, Role
from trucewatch.app.session import Store, open_store
from trucewatch.app.views import agreements, incidents, layers, ledger, observations
from trucewatch.app.views.errors import BadQuery, NotVisible

LIAISON = Principal("liaison-ua", Role.LIAISON, "UA")
MONITOR = Principal("mon", Role.MONITOR)
PUBLIC = Principal("pub", Role.PUBLIC)
LATE = datetime(2100, 1, 1, tzinfo=UTC)
"""A publication instant after every incident: everything is published."""


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Store]:
    """Synthetic patrols and the demo agreement, fused (no contact line)."""
    store = open_store(sqlite_url)
    app_agreements.add_agreement(store, demo_file(AGREEMENT_FILE))
    app_intake.import_files(store, [demo_file("patrols_synthetic_2025-08-13.jsonl")])
    app_incidents.fuse(store)
    yield store
    store.close()


def _rows(store: Store, principal: Principal, published_before: datetime) -> list[str]:
    page = incidents.incident_rows(
        store, incidents.IncidentFilter(), limit=incidents.MAX_PAGE, cursor=None,
        with_total=True, published_before=published_before, principal=principal,
    )  # fmt: skip
    return [r.uid for r in page.rows]


def test_a_liaison_sees_published_findings_only(store: Store) -> None:
    everything = _rows(store, OPERATOR, datetime(2000, 1, 1, tzinfo=UTC))
    assert everything  # an analyst sees every incident, published or not
    assert _rows(store, LIAISON, LATE) == everything
    assert _rows(store, LIAISON, datetime(2000, 1, 1, tzinfo=UTC)) == []
    choices = incidents.filter_choices(store, datetime(2000, 1, 1, tzinfo=UTC),
                                       principal=LIAISON)  # fmt: skip
    # nothing is published: no time range and no filter values (not even the limit)
    assert choices.time_min is None and choices.time_max is None
    assert choices.published_before == datetime(2000, 1, 1, tzinfo=UTC)
    assert not any(choices.values.values())
    with pytest.raises(NotVisible, match="no incident"):
        incidents.incident_evidence(store, None, everything[0], datetime(2000, 1, 1, tzinfo=UTC),
                                    principal=LIAISON)  # fmt: skip
    found = incidents.incident_evidence(store, None, everything[0], LATE, principal=LIAISON)
    assert found.chain.incident.uid == everything[0]
    assert (found.ledger_state, found.proofs, found.tree_head) == ("unavailable", None, None)


def test_views_check_the_callers_permission(store: Store) -> None:
    with pytest.raises(PermissionDenied):
        _rows(store, MONITOR, LATE)
    with pytest.raises(PermissionDenied):
        agreements.agreements(store, principal=PUBLIC)
    assert layers.line_layer(store, "lines", None, 0.0, principal=PUBLIC)["features"] == []
    with pytest.raises(PermissionDenied):
        observations.observation_rows(store, observations.ObservationFilter(), mine=False,
                                      limit=10, cursor=None, principal=PUBLIC)  # fmt: skip


def test_a_monitor_reads_only_its_own_submissions(store: Store) -> None:
    flt = observations.ObservationFilter()
    everything = observations.observation_rows(store, flt, mine=False, limit=10, cursor=None,
                                               principal=OPERATOR)  # fmt: skip
    assert len(everything.items) == 10 and everything.next_cursor is not None
    own = observations.observation_rows(store, flt, mine=False, limit=10, cursor=None,
                                        principal=MONITOR)  # fmt: skip
    assert own.items == [] and own.next_cursor is None
    uid = everything.items[0].observation.uid
    with pytest.raises(NotVisible, match="among your submissions"):
        observations.observation_detail(store, None, uid, principal=MONITOR)
    detail = observations.observation_detail(store, None, uid, principal=OPERATOR)
    assert detail.stored == everything.items[0] and detail.ledger_entries is None


def test_agreement_and_line_layers(store: Store) -> None:
    [stored] = agreements.agreements(store, principal=MONITOR)
    assert stored.agreement.id is not None
    assert agreements.agreement(store, stored.agreement.id, principal=MONITOR).slug == stored.slug
    with pytest.raises(NotVisible, match="no agreement 999"):
        agreements.agreement(store, 999, principal=MONITOR)
    assert layers.line_layer(store, "sectors", None, 0.0, principal=MONITOR) == {
        "type": "FeatureCollection", "features": []}
    assert layers.lines_version(store) == ()


def test_ledger_views_without_a_tree_head(store: Store) -> None:
    view = ledger.LedgerView.probe(store)
    if view is None:
        pytest.skip("this store has no ledger")
    status = ledger.ledger_status(store, view, principal=LIAISON)
    assert status.size > 0 and status.tree_head is None
    with pytest.raises(NotVisible, match="no signed tree head"):
        ledger.proofs_about(store, view, "anything", principal=LIAISON)
    with pytest.raises(BadQuery, match="old_size"):
        ledger.consistency_proof(store, view, status.size + 1, principal=LIAISON)
    with pytest.raises(PermissionDenied):
        ledger.tree_heads(store, view, principal=MONITOR)
