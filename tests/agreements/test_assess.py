"""Assessment of incidents against agreements: boundary instants, scopes, zones, parties,
the assessment dict, and a synthetic incident set with expected verdicts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from trucewatch.agreements.load import load_agreement
from trucewatch.agreements.sea import COAST, LAND, SEA, DefaultLand, PolygonLand, sea_state
from trucewatch.agreements.verdicts import (
    AssessContext,
    Verdict,
    assess_incident,
    assess_incidents,
    assessment_dict,
    attach_assessments,
    worst_verdict,
)
from trucewatch.geo.history import PlaceContext
from trucewatch.types import DEFAULT_PARTIES, Agreement, EventKind, IncidentStatus

BASE_TOML = (Path(__file__).parent / "data" / "base.toml").read_text(encoding="utf-8")
SECOND = timedelta(seconds=1)
MOSCOW = ZoneInfo("Europe/Moscow")
EASTER_START = datetime(2025, 4, 19, 15, 0, tzinfo=UTC)  # 18:00 Moscow
EASTER_END = datetime(2025, 4, 20, 21, 0, tzinfo=UTC)  # 00:00 Moscow, 21 April
JUNE = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)  # inside the base agreement
ODESA_SEA = (31.20, 46.20)  # Black Sea, ~35 km off Odesa
ZNPP = (34.585, 47.51)  # inside the illustrative Zaporizhzhia NPP rectangle
SOUTH_UKRAINE_NPP = (31.22, 47.81)


def _one(inc, agreements, context=None):
    res = assess_incident(inc, agreements, context)
    assert len(res) == 1, res
    return res[0]


def _scope_text(scope: str, zone: bool = False) -> str:
    """The base agreement with another scope and only clause 1 (no fire; in the
    security zone when ``zone``)."""
    head, clause1 = BASE_TOML.split("[[clauses]]")[:2]
    text = head.replace('scope = "general"', f'scope = "{scope}"') + "[[clauses]]" + clause1
    return text if zone else text.replace('zone = "security"\n', "")


def _agreement_text(write_agreement, text: str, **files: str):
    for name, content in files.items():
        write_agreement(content, name=name)
    return load_agreement(write_agreement(text))


# --------------------------------------------------------------------------- time


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (EASTER_START - SECOND, None),
        (EASTER_START, Verdict.VIOLATION),
        (EASTER_START + SECOND, Verdict.VIOLATION),
        (EASTER_END - SECOND, Verdict.VIOLATION),
        (EASTER_END, None),
        (EASTER_END + SECOND, None),
        (datetime(2025, 4, 19, 18, 0, tzinfo=MOSCOW), Verdict.VIOLATION),
        (datetime(2025, 4, 19, 17, 59, 59, tzinfo=MOSCOW), None),
        (datetime(2025, 4, 20, 23, 59, 59, tzinfo=MOSCOW), Verdict.VIOLATION),
        (datetime(2025, 4, 21, 0, 0, 0, tzinfo=MOSCOW), None),
    ],
)
def test_easter_instants(examples, make_incident, t: datetime, expected) -> None:
    res = assess_incident(make_incident(t), [examples["easter-truce-2025"]])
    assert [a.verdict for a in res] == ([] if expected is None else [expected])


@pytest.mark.parametrize(
    ("t0", "t1", "expected", "words"),
    [
        (EASTER_START - SECOND, EASTER_START + SECOND, Verdict.UNDETERMINED, "start"),
        (EASTER_START - timedelta(minutes=10), EASTER_START, Verdict.UNDETERMINED, "start"),
        (EASTER_END - SECOND, EASTER_END, Verdict.UNDETERMINED, "end"),
        (EASTER_END - SECOND, EASTER_END + timedelta(hours=1), Verdict.UNDETERMINED, "end"),
        (EASTER_START - SECOND, EASTER_END + SECOND, Verdict.UNDETERMINED, "start of"),
        (EASTER_START, EASTER_END - SECOND, Verdict.VIOLATION, ""),
        (EASTER_START - timedelta(hours=1), EASTER_START - SECOND, None, ""),
        (EASTER_END, EASTER_END + timedelta(hours=1), None, ""),
    ],
)
def test_windows_straddling_start_or_end(examples, make_incident, t0, t1, expected,
                                         words) -> None:
    res = assess_incident(make_incident(t0, t1), [examples["easter-truce-2025"]])
    if expected is None:
        assert res == []
        return
    (a,) = res
    assert a.verdict is expected
    if expected is Verdict.UNDETERMINED:
        assert "straddles the" in a.reason and words in a.reason
        assert "2025-04-19 18:00 MSK" in a.reason or "2025-04-21 00:00 MSK" in a.reason


def test_straddling_is_moot_when_out_of_scope(examples, make_incident) -> None:
    # small arms are not a strike on a site: permitted whatever the time window
    a = _one(make_incident(datetime(2025, 3, 18, 16, 59, tzinfo=UTC),
                           datetime(2025, 3, 18, 17, 1, tzinfo=UTC),
                           kind=EventKind.SMALL_ARMS, lon=ZNPP[0], lat=ZNPP[1]),
             [examples["energy-moratorium-2025"]])
    assert a.verdict is Verdict.PERMITTED


@settings(max_examples=150, deadline=None)
@given(part=st.integers(min_value=0, max_value=10**9 - 1))
def test_any_instant_inside_is_in_force(examples, make_incident, part: int) -> None:
    for ag in examples.values():
        start, end = ag.start.astimezone(UTC), ag.end.astimezone(UTC)
        total = (end - start) // timedelta(microseconds=1)
        t = start + timedelta(microseconds=total * part // 10**9)  # in [start, end)
        assert start <= t < end and ag.in_force(t)
        res = assess_incident(make_incident(t, kind=EventKind.ARTILLERY, lon=ZNPP[0],
                                            lat=ZNPP[1]), [ag])
        assert len(res) == 1
        assert res[0].verdict is Verdict.VIOLATION, res[0].reason


@settings(max_examples=100, deadline=None)
@given(seconds=st.integers(min_value=1, max_value=10 * 365 * 86400), after=st.booleans())
def test_any_instant_outside_is_not_assessed(examples, make_incident, seconds: int,
                                             after: bool) -> None:
    for ag in examples.values():
        t = (ag.end.astimezone(UTC) + timedelta(seconds=seconds - 1) if after
             else ag.start.astimezone(UTC) - timedelta(seconds=seconds))
        assert not ag.in_force(t)
        assert assess_incident(make_incident(t), [ag]) == []


# --------------------------------------------------------------------------- general scope


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (EventKind.EXPLOSION, Verdict.VIOLATION),
        (EventKind.ARTILLERY, Verdict.VIOLATION),
        (EventKind.MORTAR, Verdict.VIOLATION),
        (EventKind.SMALL_ARMS, Verdict.VIOLATION),
        (EventKind.BURST, Verdict.VIOLATION),
        (EventKind.SHOT, Verdict.VIOLATION),
        (EventKind.PROJECTILE, Verdict.VIOLATION),
        (EventKind.GRENADE, Verdict.VIOLATION),
        (EventKind.FLARE, Verdict.UNDETERMINED),
        (EventKind.UNDETERMINED, Verdict.UNDETERMINED),
        (EventKind.THERMAL_ANOMALY, Verdict.UNDETERMINED),
        ("drone_strike", Verdict.VIOLATION),
    ],
)
def test_general_scope_by_kind(examples, make_incident, kind, expected) -> None:
    a = _one(make_incident(JUNE.replace(year=2025, month=4, day=20), kind=kind),
             [examples["easter-truce-2025"]])
    assert a.verdict is expected, a.reason


def test_thermal_anomaly_counts_only_when_judged_war_related(examples, make_incident) -> None:
    inc = make_incident(datetime(2025, 4, 20, 1, tzinfo=UTC), kind=EventKind.THERMAL_ANOMALY,
                        party="undetermined", uid="fire-1")
    ag = [examples["easter-truce-2025"]]
    alone = _one(inc, ag)
    assert alone.verdict is Verdict.UNDETERMINED
    assert "not evidence of fire" in alone.reason
    judged = _one(inc, ag, AssessContext(war_fires={"fire-1"}))
    assert judged.verdict is Verdict.VIOLATION
    assert judged.party == "undetermined" and judged.party_probability is None
    assert "origin undetermined" in judged.reason


# --------------------------------------------------------------------------- zones


@pytest.mark.parametrize(
    ("line_km", "sigma", "expected", "words"),
    [
        (3.2, 0.2, Verdict.VIOLATION, "3.2 km from the line, inside the security zone (±15 km)"),
        (-3.2, 0.2, Verdict.VIOLATION, "3.2 km from the line"),  # either side of the line
        (14.5, 0.2, Verdict.VIOLATION, "inside"),
        (14.5, 1.0, Verdict.UNDETERMINED, "location uncertainty"),
        (15.4, 1.0, Verdict.UNDETERMINED, "edge of the security zone"),
        (20.0, 0.5, Verdict.PERMITTED, "outside the security zone"),
        (None, 0.2, Verdict.UNDETERMINED, "no contact line"),
    ],
)
def test_security_zone(base_agreement, make_incident, line_km, sigma, expected,
                       words) -> None:
    a = _one(make_incident(JUNE, kind=EventKind.MORTAR, line_km=line_km, sigma_km=sigma),
             [base_agreement])
    assert a.verdict is expected, a.reason
    assert words in a.reason
    assert a.clause == "1" and a.zone == "security"


def test_reason_reads_like_the_issue(base_agreement, make_incident) -> None:
    a = _one(make_incident(JUNE, kind=EventKind.ARTILLERY, line_km=3.2), [base_agreement])
    assert a.reason == (
        "Artillery fire 3.2 km from the line, inside the security zone (±15 km), during "
        "“Test truce”: breaks clause 1 (no fire); origin RU with probability 0.72; the "
        "self-defence exception (E1) is recorded, not judged."
    )
    assert (a.party, a.party_probability, a.exceptions) == ("RU", 0.72, ("E1",))
    assert a.other_clauses == ("2",)  # artillery near the line: presence undetermined


class FakeLines:
    """Contact line along 37.5° E: distance = (lon - 37.5) * 74 km (at 48° N)."""

    def place_context(self, lon, lat, days):
        d = (np.asarray(lon) - 37.5) * 74.0
        return PlaceContext(held_by=np.where(d > 0, "RU", "UA").astype(object),
                            distance_km=d, sector=np.full(len(d), "S", dtype=object))

    def parties(self, day):
        return ("RU", "UA")


def test_missing_line_distance_comes_from_the_context(base_agreement, make_incident) -> None:
    inc = make_incident(JUNE, line_km=None, lon=37.55, lat=48.0)
    assert _one(inc, [base_agreement]).verdict is Verdict.UNDETERMINED
    a = _one(inc, [base_agreement], AssessContext(lines=FakeLines()))
    assert a.verdict is Verdict.VIOLATION and "3.7 km from the line" in a.reason


@pytest.mark.parametrize(
    ("kind", "line_km", "expected"),
    [
        (EventKind.ARTILLERY, 12.0, Verdict.UNDETERMINED),  # suggests artillery in the zone
        (EventKind.EXPLOSION, 12.0, Verdict.UNDETERMINED),
        (EventKind.PROJECTILE, 12.0, Verdict.UNDETERMINED),
        (EventKind.ARTILLERY, 40.0, Verdict.PERMITTED),  # outside the 25 km zone
        (EventKind.MORTAR, 12.0, Verdict.PERMITTED),  # mortars are another class
        (EventKind.SMALL_ARMS, 12.0, Verdict.PERMITTED),
        (EventKind.THERMAL_ANOMALY, 12.0, Verdict.PERMITTED),
    ],
)
def test_withdrawal_zone_alone(write_agreement, make_incident, kind, line_km,
                               expected) -> None:
    text = BASE_TOML.split("[[clauses]]")[0] + (
        '[[clauses]]\nid = "2"\ntext = "Withdraw artillery."\n'
        'prohibits = ["heavy_weapons_presence"]\nzone = "artillery"\n')
    ag = load_agreement(write_agreement(text))
    a = _one(make_incident(JUNE, kind=kind, line_km=line_km), [ag])
    assert a.verdict is expected, a.reason
    if expected is Verdict.UNDETERMINED:
        assert a.zone == "artillery" and "not established" in a.reason


def test_minsk_withdrawal_clauses_start_later(examples, make_incident) -> None:
    ag = [examples["minsk-2015-withdrawal"]]
    early = _one(make_incident(datetime(2015, 2, 20, tzinfo=UTC), line_km=12.0), ag)
    assert early.verdict is Verdict.VIOLATION and early.clause == "1"
    assert early.other_clauses == ()  # withdrawal not yet due
    later = _one(make_incident(datetime(2015, 3, 5, tzinfo=UTC), line_km=12.0), ag)
    assert later.verdict is Verdict.VIOLATION and later.clause == "1"
    assert later.other_clauses == ("2a",)
    straddle = _one(make_incident(datetime(2015, 3, 1, 21, 59, tzinfo=UTC),
                                  datetime(2015, 3, 1, 22, 1, tzinfo=UTC), line_km=12.0), ag)
    assert straddle.verdict is Verdict.VIOLATION and straddle.other_clauses == ("2a",)


# --------------------------------------------------------------------------- partial scopes


@pytest.mark.parametrize(
    ("kind", "where", "sigma", "expected", "words"),
    [
        (EventKind.EXPLOSION, ZNPP, 0.2, Verdict.VIOLATION, "at Zaporizhzhia NPP"),
        (EventKind.ARTILLERY, (SOUTH_UKRAINE_NPP[0] + 0.027, SOUTH_UKRAINE_NPP[1]), 0.2,
         Verdict.VIOLATION, "2.0 km from South Ukraine NPP"),
        (EventKind.PROJECTILE, (SOUTH_UKRAINE_NPP[0] + 0.038, SOUTH_UKRAINE_NPP[1]), 0.5,
         Verdict.UNDETERMINED, "buffer's edge"),
        (EventKind.EXPLOSION, (SOUTH_UKRAINE_NPP[0] + 0.2, SOUTH_UKRAINE_NPP[1]), 0.2,
         Verdict.PERMITTED, "not within 3 km of a protected site"),
        (EventKind.ARTILLERY, (37.8, 48.0), 0.2, Verdict.PERMITTED, "nearest:"),
        (EventKind.SMALL_ARMS, ZNPP, 0.2, Verdict.PERMITTED, "not a strike"),
        (EventKind.THERMAL_ANOMALY, ZNPP, 0.2, Verdict.UNDETERMINED, "thermal anomaly"),
        (EventKind.UNDETERMINED, ZNPP, 0.2, Verdict.UNDETERMINED, "undetermined"),
    ],
)
def test_protected_sites_scope(examples, make_incident, kind, where, sigma, expected,
                               words) -> None:
    inc = make_incident(datetime(2025, 3, 25, 2, tzinfo=UTC), kind=kind, lon=where[0],
                        lat=where[1], sigma_km=sigma)
    a = _one(inc, [examples["energy-moratorium-2025"]])
    assert a.verdict is expected, a.reason
    assert words in a.reason


def test_protected_sites_with_a_polygon_file(write_agreement, make_incident) -> None:
    sites = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Substation X"},
         "geometry": {"type": "Polygon", "coordinates": [[[30.0, 50.0], [30.1, 50.0],
                                                           [30.1, 50.1], [30.0, 50.1],
                                                           [30.0, 50.0]]]}},
        {"type": "Feature", "properties": {},
         "geometry": {"type": "MultiPoint", "coordinates": [[31.0, 50.0], [32.0, 50.0]]}}]})
    text = _scope_text("protected_sites") + '\n[sites]\nfile = "s.geojson"\nbuffer_km = 1\n'
    ag = _agreement_text(write_agreement, text, **{"s.geojson": sites})
    assert [s.name for s in ag.sites.sites] == ["Substation X", "site 2"]  # type: ignore[union-attr]
    inside = _one(make_incident(JUNE, kind=EventKind.EXPLOSION, lon=30.05, lat=50.05), [ag])
    assert inside.verdict is Verdict.VIOLATION and "at Substation X" in inside.reason
    near_point = _one(make_incident(JUNE, kind=EventKind.EXPLOSION, lon=32.005, lat=50.0), [ag])
    assert near_point.verdict is Verdict.VIOLATION and "site 2" in near_point.reason


@pytest.mark.parametrize(
    ("where", "sigma", "expected", "words"),
    [
        (ODESA_SEA, 0.5, Verdict.VIOLATION, "at sea"),
        ((37.8, 48.0), 0.5, Verdict.PERMITTED, "on land"),
        ((30.80, 46.45), 3.0, Verdict.UNDETERMINED, "coast"),  # off Odesa's shore
        ((36.5, 46.0), 0.5, Verdict.VIOLATION, "at sea"),  # Sea of Azov
        ((34.0, 47.3), 0.5, Verdict.PERMITTED, "on land"),  # Kakhovka reservoir: not sea
        ((38.98, 45.04), 0.5, Verdict.PERMITTED, "on land"),  # Krasnodar, Russia
    ],
)
def test_sea_scope(write_agreement, make_incident, where, sigma, expected, words) -> None:
    ag = load_agreement(write_agreement(_scope_text("sea")))
    a = _one(make_incident(JUNE, kind=EventKind.EXPLOSION, lon=where[0], lat=where[1],
                           sigma_km=sigma, line_km=None), [ag])
    assert a.verdict is expected, a.reason
    assert words in a.reason


def test_sea_scope_with_a_custom_land(write_agreement, make_incident) -> None:
    ag = load_agreement(write_agreement(_scope_text("sea")))
    land = PolygonLand(box(37.0, 47.0, 38.0, 49.0))
    ctx = AssessContext(land=land)
    assert _one(make_incident(JUNE, lon=37.5, lat=48.0), [ag], ctx).verdict is Verdict.PERMITTED
    assert _one(make_incident(JUNE, lon=36.0, lat=48.0), [ag], ctx).verdict is Verdict.VIOLATION


def test_sea_state_values() -> None:
    lon = np.array([ODESA_SEA[0], 37.8, 30.80, np.nan])
    lat = np.array([ODESA_SEA[1], 48.0, 46.45, 46.0])
    assert sea_state(DefaultLand(), lon, lat, 3.0).tolist() == [SEA, LAND, COAST, COAST]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("drone_strike", Verdict.VIOLATION),
        ("air_strike", Verdict.VIOLATION),
        (EventKind.PROJECTILE, Verdict.UNDETERMINED),
        (EventKind.EXPLOSION, Verdict.UNDETERMINED),
        (EventKind.THERMAL_ANOMALY, Verdict.UNDETERMINED),
        (EventKind.UNDETERMINED, Verdict.UNDETERMINED),
        (EventKind.ARTILLERY, Verdict.PERMITTED),
        (EventKind.MORTAR, Verdict.PERMITTED),
        (EventKind.SMALL_ARMS, Verdict.PERMITTED),
        (EventKind.FLARE, Verdict.PERMITTED),
    ],
)
def test_air_scope(write_agreement, make_incident, kind, expected) -> None:
    ag = load_agreement(write_agreement(_scope_text("air")))
    a = _one(make_incident(JUNE, kind=kind), [ag])
    assert a.verdict is expected, a.reason
    if kind == EventKind.PROJECTILE:
        assert "no air or drone strike kind" in a.reason


# --------------------------------------------------------------------------- parties


def test_undetermined_attribution_is_said(examples, make_incident) -> None:
    a = _one(make_incident(datetime(2025, 4, 20, tzinfo=UTC), party="undetermined"),
             [examples["easter-truce-2025"]])
    assert a.verdict is Verdict.VIOLATION
    assert (a.party, a.party_probability) == ("undetermined", None)
    assert "origin undetermined" in a.reason


def test_fire_by_a_non_party_is_not_its_violation(examples, make_incident) -> None:
    a = _one(make_incident(datetime(2025, 4, 20, tzinfo=UTC), party="BY", p=0.9),
             [examples["easter-truce-2025"]])
    assert a.verdict is Verdict.UNDETERMINED
    assert "BY is not a party" in a.reason


def test_refuted_incidents_say_so(examples, make_incident) -> None:
    a = _one(make_incident(datetime(2025, 4, 20, tzinfo=UTC), status=IncidentStatus.REFUTED),
             [examples["easter-truce-2025"]])
    assert "refuted" in a.reason


def test_bare_agreement_is_a_general_ceasefire(make_incident) -> None:
    bare = Agreement(name="Bare", parties=DEFAULT_PARTIES, start=EASTER_START, end=EASTER_END,
                     id=3)
    a = _one(make_incident(EASTER_START), [bare])
    assert (a.verdict, a.clause, a.agreement_id, a.agreement) == (
        Verdict.VIOLATION, "ceasefire", 3, "")


# --------------------------------------------------------------------------- the dict


def test_assessment_dict_shape(examples, make_incident) -> None:
    ags = list(examples.values())
    inc = make_incident(datetime(2025, 4, 20, tzinfo=UTC), lon=ZNPP[0], lat=ZNPP[1])
    res = assess_incident(inc, ags)
    assert [a.agreement for a in res] == ["easter-truce-2025"]
    d = assessment_dict(res)
    assert json.loads(json.dumps(d)) == d
    assert d["agreements_version"] == 1 and d["agreement_verdict"] == "violation"
    (entry,) = d["agreements"]
    assert set(entry) == {"agreement", "agreement_id", "agreement_name", "agreement_version",
                          "verdict", "clause", "zone", "party", "party_probability", "reason",
                          "other_clauses", "exceptions"}
    assert assessment_dict([]) == {"agreements_version": 1, "agreement_verdict": None,
                                   "agreements": []}


def test_attach_keeps_other_keys(examples, make_incident) -> None:
    from dataclasses import replace

    inc = replace(make_incident(EASTER_START), assessment={"war_fire": 0.2})
    (out,) = attach_assessments([inc], [examples["easter-truce-2025"]])
    assert out.assessment["war_fire"] == 0.2
    assert out.assessment["agreement_verdict"] == "violation"
    assert out.assessment["agreements"][0]["clause"] == "1"


def test_worst_verdict() -> None:
    assert worst_verdict([]) is None
    assert worst_verdict(["permitted", "undetermined"]) is Verdict.UNDETERMINED
    assert worst_verdict([Verdict.PERMITTED, "violation", "undetermined"]) is Verdict.VIOLATION


def test_with_id_is_reported(examples, make_incident) -> None:
    ag = examples["easter-truce-2025"].with_id(12)
    a = _one(make_incident(EASTER_START), [ag])
    assert a.agreement_id == 12 and a.agreement_version == 1


# --------------------------------------------------------------------------- synthetic set

SYNTHETIC = [
    # (name, incident arguments, {agreement slug: expected verdict or None (not in force)})
    ("Easter: artillery near Donetsk during the truce",
     {"t0": datetime(2025, 4, 20, 3, tzinfo=UTC)},
     {"easter-truce-2025": "violation"}),
    ("Easter: mortar one second before 18:00 Moscow",
     {"t0": EASTER_START - SECOND, "kind": EventKind.MORTAR},
     {}),
    ("Easter: patrol window over the start",
     {"t0": EASTER_START - timedelta(minutes=30), "t1": EASTER_START + timedelta(minutes=30)},
     {"easter-truce-2025": "undetermined"}),
    ("Easter: satellite fire alone",
     {"t0": datetime(2025, 4, 20, 10, tzinfo=UTC), "kind": EventKind.THERMAL_ANOMALY,
      "party": "undetermined"},
     {"easter-truce-2025": "undetermined"}),
    ("Moratorium: explosion at the Zaporizhzhia NPP, also inside the 30-day proposal",
     {"t0": datetime(2025, 3, 25, 2, tzinfo=UTC), "kind": EventKind.EXPLOSION,
      "lon": ZNPP[0], "lat": ZNPP[1]},
     {"energy-moratorium-2025": "violation", "ceasefire-30-day-2025": "violation"}),
    ("Moratorium: shelling far from any listed site",
     {"t0": datetime(2025, 3, 25, 2, tzinfo=UTC)},
     {"energy-moratorium-2025": "permitted", "ceasefire-30-day-2025": "violation"}),
    ("Moratorium: strike an hour before it starts (proposal still in force)",
     {"t0": datetime(2025, 3, 18, 16, tzinfo=UTC), "kind": EventKind.EXPLOSION,
      "lon": ZNPP[0], "lat": ZNPP[1]},
     {"ceasefire-30-day-2025": "violation"}),
    ("30-day: last second, Kyiv summer time",
     {"t0": datetime(2025, 4, 10, 20, 59, 59, tzinfo=UTC)},
     {"ceasefire-30-day-2025": "violation", "energy-moratorium-2025": "permitted"}),
    ("30-day: first second after it",
     {"t0": datetime(2025, 4, 10, 21, 0, 0, tzinfo=UTC)},
     {"energy-moratorium-2025": "permitted"}),
    ("Minsk: artillery 12 km from the line after the withdrawal deadline",
     {"t0": datetime(2016, 7, 1, 1, tzinfo=UTC), "line_km": 12.0},
     {"minsk-2015-withdrawal": "violation"}),
    ("Minsk: flare",
     {"t0": datetime(2016, 7, 1, 1, tzinfo=UTC), "kind": EventKind.FLARE},
     {"minsk-2015-withdrawal": "undetermined"}),
    ("Minsk: the full-scale invasion, after the assumed end",
     {"t0": datetime(2022, 2, 24, 3, tzinfo=UTC)},
     {}),
]


def test_synthetic_incident_set(examples, make_incident) -> None:
    ags = list(examples.values())
    incidents = [make_incident(uid=f"s{k}", **kw) for k, (_, kw, _) in enumerate(SYNTHETIC)]
    results = assess_incidents(incidents, ags)
    assert len(results) == len(SYNTHETIC)
    for (name, _, expected), res in zip(SYNTHETIC, results, strict=True):
        got = {a.agreement: a.verdict.value for a in res}
        assert got == expected, (name, [a.reason for a in res])
    # the batch gives what one-by-one gives
    for inc, res in zip(incidents, results, strict=True):
        assert assess_incident(inc, ags) == res


def test_batch_of_many_random_incidents(examples, make_incident) -> None:
    rng = np.random.default_rng(5)
    ags = list(examples.values())
    kinds = list(EventKind)
    t0 = datetime(2025, 3, 1, tzinfo=UTC)
    incidents = [
        make_incident(t0 + timedelta(hours=float(rng.uniform(0, 24 * 60))),
                      kind=kinds[int(rng.integers(len(kinds)))],
                      lon=float(rng.uniform(30, 39)), lat=float(rng.uniform(46, 51)),
                      line_km=float(rng.uniform(-60, 60)), uid=f"r{k}")
        for k in range(300)
    ]
    results = assess_incidents(incidents, ags)
    assert sum(len(r) for r in results) > 100
    for inc, res in zip(incidents[:30], results[:30], strict=True):
        assert assess_incident(inc, ags) == res
    assert assess_incidents([], ags) == []
