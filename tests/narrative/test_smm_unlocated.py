"""SMM passages whose observer position cannot be read (issue 17, item 5): their events are
kept, flagged unlocated (an ``UnlocatedPosition`` observer and ``attributes["unlocated"]``),
named in the import summary, stored idempotently and never placed by fusion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trucewatch.app import intake
from trucewatch.app import ledger as app_ledger
from trucewatch.cli import app
from trucewatch.codec import location_from_dict, location_to_dict
from trucewatch.errors import InputError
from trucewatch.fusion.engine import fuse_observations
from trucewatch.localize import Unresolved, localize_one
from trucewatch.sources import read_file
from trucewatch.sources import smm as smm_format
from trucewatch.sources.jsonl import FieldError
from trucewatch.sources.patrol import parse_record
from trucewatch.store import Store
from trucewatch.types import BearingRangeLocation, EventKind, PointLocation, UnlocatedPosition

LOCATED = "Positioned in Horlivka, the SMM heard five explosions 2km west."
NO_OBSERVER = "The SMM heard three explosions and two bursts 2-4km north-west."
ANAPHORA = "While in the same location, the SMM heard 70 explosions 5-6km north-west."
MIXED = f"date: 2016-01-01\n\n{LOCATED}\n\n{NO_OBSERVER}\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _unlocated(o) -> bool:  # type: ignore[no-untyped-def]
    loc = o.location
    return isinstance(loc, BearingRangeLocation) and isinstance(loc.observer, UnlocatedPosition)


def test_a_passage_with_no_observer_keeps_its_events_flagged_unlocated(tmp_path: Path) -> None:
    result = read_file(_write(tmp_path, "mixed.txt", MIXED))
    assert result.errors == [] and result.read == 2
    kept = [o for o in result.observations if _unlocated(o)]
    assert [(o.kind, o.count) for o in kept] == [(EventKind.EXPLOSION, 3), (EventKind.BURST, 2)]
    for o in kept:
        assert o.attributes["unlocated"] == "no observer position found"
        assert o.location.observer == UnlocatedPosition(reason="no observer position found")
        # what the passage says about direction and distance is kept, around no position
        assert o.location.bearings_deg == (315.0,)
        assert (o.location.distance_km_min, o.location.distance_km_max) == (2.0, 4.0)
        assert o.attributes["parse_confidence"] < 1.0
    (note,) = result.notes
    where = (str(tmp_path / "mixed.txt"), 5, "observer_place", 2)
    assert (note.file, note.line, note.field, note.unlocated) == where
    assert "kept unlocated" in note.message and "three explosions" in note.message


def test_a_readable_passage_is_unchanged(tmp_path: Path) -> None:
    alone = read_file(_write(tmp_path, "one.txt", f"date: 2016-01-01\n\n{LOCATED}\n"))
    mixed = read_file(_write(tmp_path, "mixed.txt", MIXED))
    (located,) = [o for o in mixed.observations if not _unlocated(o)]
    assert alone.observations == [located]
    assert isinstance(located.location.observer, PointLocation)
    assert "unlocated" not in located.attributes and alone.notes == []


def test_an_observer_referring_outside_the_passage_is_unlocated_with_the_reason(
    tmp_path: Path,
) -> None:
    rows = [{"text": ANAPHORA, "report_date": "2016-12-20"}]
    path = _write(tmp_path, "p.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    result = read_file(path)
    (o,) = result.observations
    assert _unlocated(o) and o.count == 70
    assert "the same location" in o.attributes["unlocated"]
    assert "refers to text outside the passage" in o.location.observer.reason
    assert [(n.line, n.unlocated) for n in result.notes] == [(1, 1)]


def test_a_passage_where_the_observer_is_read_later_keeps_both_parts(tmp_path: Path) -> None:
    text = ("The SMM heard two explosions 3km east. Later, positioned in Horlivka, the SMM "
            "heard five explosions 2km west.")  # fmt: skip
    path = _write(tmp_path, "p.jsonl", json.dumps({"text": text, "report_date": "2016-01-02"}))
    result = read_file(path)
    assert [(o.count, _unlocated(o)) for o in result.observations] == [(2, True), (5, False)]
    assert [(n.line, n.unlocated) for n in result.notes] == [(1, 1)]


def test_parse_smm_records_say_why_they_are_unlocated(tmp_path: Path) -> None:
    records, errors = smm_format.parse_file(_write(tmp_path, "mixed.txt", MIXED))
    assert errors == []
    assert [r.get("unlocated") for r in records] == [None, "no observer position found"]
    assert records[1]["observer_place"] is None and len(records[1]["events"]) == 2


def test_the_patrol_format_still_requires_an_observer() -> None:
    record = {"date": "2016-01-01", "events": [{"kind": "explosion", "count": 1}]}
    with pytest.raises(FieldError) as info:
        parse_record(record, "x")
    assert info.value.field == "observer_place"
    (o,) = parse_record(record, "x", unlocated="why")
    assert o.location.observer == UnlocatedPosition(reason="why")


def test_the_unlocated_location_round_trips_through_json(tmp_path: Path) -> None:
    o = next(o for o in read_file(_write(tmp_path, "m.txt", MIXED)).observations
             if _unlocated(o))  # fmt: skip
    d = location_to_dict(o.location)
    assert d["observer"] == {"type": "unlocated", "reason": "no observer position found"}
    assert location_from_dict(json.loads(json.dumps(d))) == o.location


def test_fusion_never_places_an_unlocated_event(tmp_path: Path) -> None:
    obs = read_file(_write(tmp_path, "mixed.txt", MIXED)).observations
    kept = {o.uid for o in obs if _unlocated(o)}
    for o in obs:
        if o.uid in kept:
            assert isinstance(localize_one(o), Unresolved)
    result = fuse_observations(obs)
    assert result.incidents  # the located passage gives an incident
    assert all(kept.isdisjoint(i.observation_uids) for i in result.incidents)
    unresolved = dict(result.unresolved)
    assert set(unresolved) == kept
    assert all("observer position not read" in why for why in unresolved.values())


def test_import_stores_and_names_them_and_a_reimport_is_idempotent(
    db_url: str, tmp_path: Path
) -> None:
    path = _write(tmp_path, "mixed.txt", MIXED)
    store = Store.open(db_url)
    try:
        first = intake.import_files(store, [path])
        assert (first["stored"], first["duplicates"], first["unlocated"]) == (3, 0, 2)
        (note,) = first["notes"]
        assert (note["file"], note["line"], note["unlocated"]) == (str(path), 5, 2)
        stored = [o for o in store.observations() if _unlocated(o)]
        assert len(stored) == 2
        assert all(o.attributes["unlocated"] == "no observer position found" for o in stored)
        again = intake.import_files(store, [path])
        assert (again["stored"], again["duplicates"], again["unlocated"]) == (0, 3, 2)
        assert len(store.observations()) == 3
        assert app_ledger.verify(store)["ok"]
    finally:
        store.close()


def test_nothing_of_a_file_is_stored_when_another_passage_is_bad(
    db_url: str, tmp_path: Path
) -> None:
    path = _write(tmp_path, "bad.txt", MIXED + "\nThe SMM met the mayor and heard nothing.\n")
    store = Store.open(db_url)
    try:
        with pytest.raises(InputError) as info:
            intake.import_files(store, [path])
        assert info.value.error.line == 7
        assert store.observations() == []
        done = intake.import_files(store, [path], skip_bad=True)
        assert (done["stored"], done["rejected"], done["unlocated"]) == (3, 1, 2)
    finally:
        store.close()


def test_the_import_command_says_how_many_were_kept_unlocated(tmp_path: Path) -> None:
    path = _write(tmp_path, "mixed.txt", MIXED)
    result = CliRunner().invoke(app, ["import", str(path), "--db",
                                      f"sqlite:///{tmp_path / 'cli.db'}"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "stored 3" in result.stdout
    assert "2 events kept unlocated" in result.stderr
    assert f"unlocated: {path}, line 5:" in result.stderr.replace("\n", "")
