"""Agreement files: the shipped examples, the schema, the stored definition and every
kind of error (naming the key, the problem and the TOML line)."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from trucewatch.agreements import EXAMPLES, example_paths, load_example, schema, schema_path
from trucewatch.agreements.load import (
    agreement_from_definition,
    as_loaded,
    load_agreement,
    loads_agreement,
)
from trucewatch.agreements.model import WEAPON_CLASSES
from trucewatch.errors import InputError
from trucewatch.types import DEFAULT_PARTIES, Agreement

BASE_TOML = (Path(__file__).parent / "data" / "base.toml").read_text(encoding="utf-8")


def _validator() -> jsonschema.Draft202012Validator:
    s = schema()
    jsonschema.Draft202012Validator.check_schema(s)
    return jsonschema.Draft202012Validator(s)


# --------------------------------------------------------------------------- examples


@pytest.mark.parametrize("slug", sorted(EXAMPLES))
def test_each_example_loads_and_matches_the_schema(slug: str) -> None:
    path = example_paths()[slug]
    ag = load_agreement(path)
    assert ag.slug == slug
    assert ag.path == str(path)
    assert ag.clauses and ag.parties
    assert ag.end > ag.start
    assert ag.start.utcoffset() is not None
    assert not list(_validator().iter_errors(tomllib.loads(path.read_text(encoding="utf-8"))))
    # the canonical definition is plain JSON and rebuilds the same agreement
    definition = json.loads(json.dumps(ag.definition))
    assert definition == ag.definition
    again = agreement_from_definition(definition, agreement_id=7)
    assert again.agreement.id == 7
    assert again.definition == ag.definition
    assert (again.start, again.end, again.scope, again.zones, again.parties) == (
        ag.start, ag.end, ag.scope, ag.zones, ag.parties)
    assert again.clauses == ag.clauses
    # stored definitions (without computed keys) validate against the file schema too
    stored = {k: v for k, v in definition.items()
              if k not in ("definition_version", "start_utc", "end_utc")}
    assert not list(_validator().iter_errors(stored))


def test_easter_truce_exact_instants(examples) -> None:
    ag = examples["easter-truce-2025"]
    assert ag.start == datetime(2025, 4, 19, 15, 0, tzinfo=UTC)
    assert ag.end == datetime(2025, 4, 20, 21, 0, tzinfo=UTC)
    assert ag.start.isoformat() == "2025-04-19T18:00:00+03:00"  # keeps local time
    assert ag.agreement.timezone == "Europe/Moscow"
    assert ag.definition["start_utc"] == "2025-04-19T15:00:00Z"
    assert [e.kind for e in ag.exceptions] == ["self_defence"]


def test_30_day_ceasefire_spans_the_dst_change(examples) -> None:
    ag = examples["ceasefire-30-day-2025"]
    assert ag.start == datetime(2025, 3, 11, 22, 0, tzinfo=UTC)  # 00:00 EET
    assert ag.end == datetime(2025, 4, 10, 21, 0, tzinfo=UTC)  # 00:00 EEST
    # (subtract in UTC: Python subtracts wall clocks of datetimes sharing a tzinfo)
    assert ag.end.astimezone(UTC) - ag.start.astimezone(UTC) == timedelta(days=30, hours=-1)
    assert ag.agreement.status == "proposed"


def test_energy_moratorium_sites_are_illustrative(examples) -> None:
    ag = examples["energy-moratorium-2025"]
    assert ag.scope == "protected_sites" and ag.sites is not None
    assert 3 <= len(ag.sites.sites) <= 10
    assert "ILLUSTRATIVE" in ag.sites.label
    raw = json.loads((example_paths()["energy-moratorium-2025"].parent
                      / ag.sites.file).read_text(encoding="utf-8"))
    assert "ILLUSTRATIVE" in raw["description"]
    assert all("ILLUSTRATIVE" in f["properties"]["note"] for f in raw["features"])
    types = {s.geometry.geom_type for s in ag.sites.sites}
    assert types == {"Point", "Polygon"}
    assert len(ag.definition["sites"]["sha256"]) == 64
    assert ag.definition["sites"]["geojson"]["type"] == "FeatureCollection"


def test_minsk_withdrawal_zones(examples) -> None:
    ag = examples["minsk-2015-withdrawal"]
    assert ag.start == datetime(2015, 2, 14, 22, 0, tzinfo=UTC)  # 00:00 Kyiv, UTC+2
    widths = {z.weapon_class: z.half_width_km for z in ag.zones}
    assert widths == {"artillery_100mm": 25.0, "mlrs": 35.0, "heavy_mlrs": 70.0,
                      "tactical_missile": 70.0}
    assert all(z.kind == "withdrawal" for z in ag.zones)
    c = ag.clause("2a")
    assert c.prohibits == ("heavy_weapons_presence",) and c.zone == "artillery-100mm"
    assert c.start == datetime(2015, 3, 1, 22, 0, tzinfo=UTC)


def test_default_withdrawal_widths_follow_minsk() -> None:
    assert {k: w.zone_width_km for k, w in WEAPON_CLASSES.items() if w.zone_width_km} == {
        "artillery_100mm": 50.0, "mlrs": 70.0, "heavy_mlrs": 140.0, "tactical_missile": 140.0}


def test_zone_widths(base_agreement) -> None:
    assert base_agreement.zone("security").half_width_km == 15.0
    art = base_agreement.zone("artillery")
    assert (art.kind, art.weapon_class, art.half_width_km) == ("withdrawal", "artillery_100mm",
                                                               25.0)


def test_each_side_reading_is_one_key_away(write_agreement) -> None:
    text = BASE_TOML.replace('weapon_class = "artillery_100mm"',
                             'weapon_class = "artillery_100mm"\nhalf_width_km = 50')
    assert load_agreement(write_agreement(text)).zone("artillery").half_width_km == 50.0


def test_definition_is_independent_of_the_files_location(tmp_path: Path) -> None:
    src = example_paths()["energy-moratorium-2025"]
    a = load_agreement(src)
    other = tmp_path / "copy"
    other.mkdir()
    (other / "x.toml").write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    (other / a.sites.file).write_bytes((src.parent / a.sites.file).read_bytes())  # type: ignore[union-attr]
    assert load_agreement(other / "x.toml").definition == a.definition


def test_explicit_offsets_and_toml_datetimes(write_agreement) -> None:
    text = (BASE_TOML.replace('timezone = "Europe/Kyiv"\n', "")
            .replace('start = "2025-06-01T00:00"', "start = 2025-06-01T00:00:00+03:00")
            .replace('end = "2025-07-01T00:00"', 'end = "2025-06-30T21:00Z"'))
    ag = load_agreement(write_agreement(text))
    assert ag.start == datetime(2025, 5, 31, 21, tzinfo=UTC)
    assert ag.end == datetime(2025, 6, 30, 21, tzinfo=UTC)
    assert ag.agreement.timezone == "+03:00"
    again = agreement_from_definition(ag.definition)
    assert (again.start, again.end) == (ag.start, ag.end)


def test_fixed_offset_timezone(write_agreement) -> None:
    ag = load_agreement(write_agreement(BASE_TOML.replace('"Europe/Kyiv"', '"+03:00"')))
    assert ag.start == datetime(2025, 5, 31, 21, tzinfo=UTC)
    assert ag.agreement.timezone == "+03:00"


def test_as_loaded_gives_a_bare_agreement_an_implicit_clause() -> None:
    bare = Agreement(name="x", parties=DEFAULT_PARTIES,
                     start=datetime(2025, 1, 1, tzinfo=UTC), end=datetime(2025, 2, 1, tzinfo=UTC))
    loaded = as_loaded(bare)
    assert [c.prohibits for c in loaded.clauses] == [("fire",)]
    assert as_loaded(loaded) is loaded
    with pytest.raises(ValueError):
        as_loaded(Agreement(name="y", parties=DEFAULT_PARTIES, start=bare.start, end=bare.end,
                            scope="protected_sites"))


def test_schema_file_is_in_the_package() -> None:
    assert schema_path().name == "agreement.schema.json" and schema_path().is_file()


@pytest.mark.parametrize(
    "doc_change",
    [
        {"scopee": "general"},
        {"scope": "land"},
        {"zones": [{"name": "w", "kind": "withdrawal", "width_km": 10}]},
        {"zones": [{"name": "s"}]},
        {"scope": "protected_sites"},
        {"start": "2025-06-01"},
    ],
)
def test_schema_rejects_bad_documents(doc_change: dict) -> None:
    doc = tomllib.loads(BASE_TOML)
    doc.update(doc_change)
    assert list(_validator().iter_errors(doc))


# --------------------------------------------------------------------------- errors


def _error(write_agreement, text: str) -> InputError:
    path = write_agreement(text)
    with pytest.raises(InputError) as info:
        load_agreement(path)
    assert info.value.error.file == str(path)
    return info.value


def _line_of(text: str, needle: str, nth: int = 0) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[nth]


def test_unknown_top_level_key_with_suggestion(write_agreement) -> None:
    text = BASE_TOML.replace('scope = "general"', 'scoep = "general"')
    e = _error(write_agreement, text)
    assert e.error.field == "scoep"
    assert "unknown key 'scoep'" in e.error.message and "did you mean 'scope'" in e.error.message
    assert e.error.line == _line_of(text, "scoep")
    assert str(e).startswith(f"{e.error.file}, line {e.error.line}, field 'scoep':")


def test_unknown_nested_key_names_the_path_and_line(write_agreement) -> None:
    text = BASE_TOML.replace('zone = "security"', 'zome = "security"')
    e = _error(write_agreement, text)
    assert e.error.field == "clauses[0].zome"
    assert "did you mean 'zone'" in e.error.message
    assert e.error.line == _line_of(text, "zome")


@pytest.mark.parametrize("end", ["2025-06-01T00:00", "2025-05-31T23:59"])
def test_end_not_after_start(write_agreement, end: str) -> None:
    text = BASE_TOML.replace('end = "2025-07-01T00:00"', f'end = "{end}"')
    e = _error(write_agreement, text)
    assert e.error.field == "end" and "is not after start" in e.error.message
    assert e.error.line == _line_of(text, "end =")


def test_unknown_weapon_class(write_agreement) -> None:
    text = BASE_TOML.replace('weapon_class = "artillery_100mm"', 'weapon_class = "artilery_100mm"')
    e = _error(write_agreement, text)
    assert e.error.field == "zones[1].weapon_class"
    assert "unknown weapon class 'artilery_100mm'" in e.error.message
    assert "did you mean 'artillery_100mm'" in e.error.message
    assert e.error.line == _line_of(text, "artilery_100mm")


def test_time_without_zone(write_agreement) -> None:
    text = BASE_TOML.replace('timezone = "Europe/Kyiv"\n', "")
    e = _error(write_agreement, text)
    assert e.error.field == "start" and "has no time zone" in e.error.message
    assert e.error.line == _line_of(text, "start =")


def test_clause_time_without_zone(write_agreement) -> None:
    text = (BASE_TOML.replace('timezone = "Europe/Kyiv"\n', "")
            .replace('start = "2025-06-01T00:00"', 'start = "2025-06-01T00:00+03:00"')
            .replace('end = "2025-07-01T00:00"', 'end = "2025-07-01T00:00+03:00"')
            .replace('zone = "artillery"', 'zone = "artillery"\nstart = "2025-06-10T00:00"'))
    e = _error(write_agreement, text)
    assert e.error.field == "clauses[1].start" and "has no time zone" in e.error.message


@pytest.mark.parametrize(
    ("tz", "hint"),
    [("Europe/Moskow", "did you mean 'Europe/Moscow'"), ("Mars/Olympus", ""), ("+25:00", "")],
)
def test_bad_time_zone_name(write_agreement, tz: str, hint: str) -> None:
    text = BASE_TOML.replace('"Europe/Kyiv"', f'"{tz}"')
    e = _error(write_agreement, text)
    assert e.error.field == "timezone"
    assert repr(tz) in e.error.message or "offset" in e.error.message
    assert hint in e.error.message
    assert e.error.line == _line_of(text, "timezone =")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"2025-06-01"', "date without a time of day"),
        ("2025-06-01", "date without a time of day"),
        ('"yesterday"', "is not a date and time"),
        ("12", "must be a date and time"),
        ('"2025-03-30T03:30"', "does not exist in Europe/Kyiv"),
        ('"2025-10-26T03:30"', "happens twice in Europe/Kyiv"),
        ('"2025-06-01T00:00+02:00"', "Europe/Kyiv is at +03:00"),
    ],
)
def test_bad_start_values(write_agreement, value: str, message: str) -> None:
    text = BASE_TOML.replace('start = "2025-06-01T00:00"', f"start = {value}")
    e = _error(write_agreement, text)
    assert e.error.field == "start" and message in e.error.message


def test_missing_sites_file(write_agreement) -> None:
    text = BASE_TOML.replace('scope = "general"', 'scope = "protected_sites"') + (
        '\n[sites]\nfile = "nowhere.geojson"\nbuffer_km = 2\n')
    e = _error(write_agreement, text)
    assert e.error.field == "sites.file" and "sites file not found" in e.error.message
    assert e.error.line == _line_of(text, "nowhere.geojson")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid GeoJSON"),
        ('{"features": []}', "no 'type' member"),
        ('{"type": "FeatureCollection", "features": []}', "has no sites"),
        ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
         '"geometry": {"type": "LineString", "coordinates": [[30, 50], [31, 50]]}}]}',
         "'LineString' is not supported"),
        ('{"type": "Point", "coordinates": [50.3, 190.0]}', "out of range"),
        ('{"type": "Point", "coordinates": "here"}', "bad Point coordinates"),
        ('{"type": "Polygon", "coordinates": [[[30, 50], [31, 51], [31, 50], [30, 51], '
         '[30, 50]]]}', "invalid Polygon"),
        ('{"type": "Feature", "properties": {}}', "no geometry"),
    ],
)
def test_bad_geojson(write_agreement, content: str, message: str) -> None:
    write_agreement(content, name="sites.geojson")
    text = BASE_TOML.replace('scope = "general"', 'scope = "protected_sites"') + (
        '\n[sites]\nfile = "sites.geojson"\nbuffer_km = 2\n')
    e = _error(write_agreement, text)
    assert e.error.field == "sites.file"
    assert message in e.error.message


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ('zone = "security"', 'zone = "securty"', "clauses[0].zone",
         "did you mean 'security'"),
        ('prohibits = ["fire"]', 'prohibits = ["shelling"]', "clauses[0].prohibits[0]",
         "unknown activity 'shelling'"),
        ('prohibits = ["fire"]', "prohibits = []", "clauses[0].prohibits", "at least one"),
        ('zone = "artillery"', 'zone = "security"', "clauses[1].zone",
         "needs a withdrawal zone"),
        ('id = "2"', 'id = "1"', "clauses[1].id", "used twice"),
        ('scope = "general"', 'scope = "land"', "scope", "unknown scope 'land'"),
        ('scope = "general"', 'scope = "protected_sites"', "sites", "needs a [sites] table"),
        ('half_width_km = 15', "half_width_km = -1", "zones[0].half_width_km", "positive"),
        ('half_width_km = 15', 'half_width_km = 15\nwidth_km = 30', "zones[0].width_km",
         "not both"),
        ('half_width_km = 15', 'description = "no width"', "zones[0].half_width_km",
         "needs half_width_km"),
        ('weapon_class = "artillery_100mm"', 'weapon_class = "tank"', "zones[1].width_km",
         "no default zone width"),
        ('kind = "withdrawal"\n', "", "zones[1].weapon_class", "only withdrawal zones"),
        ('kind = "withdrawal"', 'kind = "buffer"', "zones[1].kind",
         "unknown zone kind 'buffer'"),
        ('code = "UA"', 'code = "RU"', "parties[1].code", "listed twice"),
        ('code = "UA"', 'code = "1A"', "parties[0].code", "not a party code"),
        ('name = "Test truce"', 'name = ""', "name", "must not be empty"),
        ('clauses = ["1"]', 'clauses = ["9"]', "exceptions[0].clauses[0]",
         "unknown clause '9'"),
        ("schema_version = 1", "schema_version = 2", "schema_version", "only schema_version"),
        ('name = "Test truce"', 'name = "Test truce"\nslug = "Bad Slug"', "slug",
         "lower-case"),
        ('name = "Test truce"', 'name = "Test truce"\nstatus = "ratified"', "status",
         "unknown status"),
        ('zone = "artillery"', 'zone = "artillery"\nstart = "2025-08-01T00:00"',
         "clauses[1].start", "never be in force"),
    ],
)
def test_validation_errors(write_agreement, old: str, new: str, field: str,
                           message: str) -> None:
    assert old in BASE_TOML
    text = BASE_TOML.replace(old, new, 1)
    e = _error(write_agreement, text)
    assert e.error.field == field, e
    assert message in e.error.message, e
    assert e.error.line is not None


def test_sites_only_with_protected_sites_scope(write_agreement) -> None:
    text = BASE_TOML + '\n[sites]\nfile = "x.geojson"\nbuffer_km = 2\n'
    e = _error(write_agreement, text)
    assert e.error.field == "sites" and "only used with scope" in e.error.message


def test_missing_required_sections(write_agreement) -> None:
    head = BASE_TOML.split("[[parties]]")[0]
    e = _error(write_agreement, head)
    assert e.error.field == "parties" and "is required" in e.error.message
    no_clauses = BASE_TOML.split("[[clauses]]")[0]
    e = _error(write_agreement, no_clauses)
    assert e.error.field == "clauses" and "is required" in e.error.message


def test_invalid_toml_names_the_line(write_agreement) -> None:
    text = BASE_TOML.replace('name = "Test truce"', 'name = "Test truce')
    e = _error(write_agreement, text)
    assert "not valid TOML" in e.error.message
    assert e.error.line == _line_of(text, 'name = "Test truce')


def test_missing_file() -> None:
    with pytest.raises(InputError, match="file not found"):
        load_agreement("/nonexistent/agreement.toml")


def test_loads_agreement_without_a_directory_cannot_read_sites() -> None:
    text = BASE_TOML.replace('scope = "general"', 'scope = "protected_sites"') + (
        '\n[sites]\nfile = "sites.geojson"\nbuffer_km = 2\n')
    with pytest.raises(InputError, match="no directory"):
        loads_agreement(text)


def test_bad_definition_version() -> None:
    d = dict(load_example("easter-truce-2025").definition, definition_version=99)
    with pytest.raises(InputError, match="unsupported definition version"):
        agreement_from_definition(d)
