"""The "smm" input format: sniffing, reading text and JSON Lines, and clear errors."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from trucewatch.errors import InputError
from trucewatch.ids import observation_uid
from trucewatch.sources import REGISTRY, read_file, read_head, sniff_format
from trucewatch.sources import smm as smm_format
from trucewatch.types import BearingRangeLocation, EventKind, Flow, PointLocation

PASSAGE = (
    "Positioned at the “DPR”-controlled Donetsk central railway station (8km north-west of "
    "Donetsk), the SMM heard and observed on 16 July between 08:10 and 16:00hrs 10 "
    "incoming/14 outgoing and 15 unknown explosions at locations 3-6km north, north-west, west "
    "and south of its position."
)
SOURCES_FIXTURES = Path(__file__).resolve().parents[1] / "data" / "sources"


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    def put(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path

    return put


def test_registered_after_patrol() -> None:
    names = list(REGISTRY)
    assert names.index("smm") == names.index("patrol") + 1
    assert REGISTRY["smm"] is smm_format


def test_sniff_text_and_jsonl(data_path: Callable[[str], Path], write: Callable[..., Path]) -> None:
    assert sniff_format(data_path("smm_passages.txt")) == "smm"
    jl = write("p.jsonl", json.dumps({"text": PASSAGE, "report_date": "2015-07-16"}) + "\n")
    assert sniff_format(jl) == "smm"


def test_sniff_examples_file(shared_path: Callable[..., Path]) -> None:
    assert sniff_format(shared_path("smm", "examples.jsonl")) == "smm"


@pytest.mark.parametrize(
    "name",
    [
        "patrol_smm_sample.jsonl",
        "firms_history_2022_sample.csv",
        "firms_viirs_nrt_2025-08-12_sample.csv",
    ],
)
def test_sniff_does_not_steal_other_formats(name: str) -> None:
    path = SOURCES_FIXTURES / name
    if not path.exists():
        pytest.skip(f"no fixture {path}")
    assert smm_format.sniff(path, read_head(path)) is False
    assert sniff_format(path) != "smm"


@pytest.mark.parametrize(
    "content",
    [
        "Just some notes about the weather.\n",
        '{"events": [], "text": "x"}\n',
        '["a", "b"]\n',
        "a,b,c\n1,2,3\n",
    ],
)
def test_sniff_rejects(write: Callable[..., Path], content: str) -> None:
    path = write("x.txt", content)
    assert smm_format.sniff(path, read_head(path)) is False


def test_news_text_is_not_smm(shared_path: Callable[..., Path]) -> None:
    path = shared_path("text", "2025-03-14-news.txt")
    assert smm_format.sniff(path, read_head(path)) is False


def test_read_text_fixture(data_path: Callable[[str], Path]) -> None:
    result = read_file(data_path("smm_passages.txt"))
    assert result.format == "smm"
    assert result.errors == []
    assert result.read == 2
    assert [o.count for o in result.observations] == [10, 14, 15, None]
    first = result.observations[0]
    assert first.kind is EventKind.EXPLOSION
    assert first.flow is Flow.INCOMING
    assert first.weapon == "mortar and light weapons"
    assert isinstance(first.location, BearingRangeLocation)
    assert isinstance(first.location.observer, PointLocation)  # geocoded
    assert first.location.distance_km_min == 3
    assert first.time_start.isoformat() == "2015-07-16T05:10:00+00:00"  # 08:10 Kyiv (EEST)
    assert first.attributes["parse_confidence"] == 1.0
    for i, obs in enumerate(result.observations[:3]):
        assert obs.source_format == "smm"
        assert obs.uid == observation_uid("smm", obs.payload, i)
        assert obs.payload_sha256 == hashlib.sha256(obs.payload.encode()).hexdigest()
        assert "\n" not in obs.payload


def test_read_jsonl_with_context(write: Callable[..., Path]) -> None:
    rows = [
        {"text": PASSAGE, "report_date": "2015-07-17", "source_id": "SMM-DON-1"},
        {"text": PASSAGE.replace("on 16 July ", ""), "report_date": "2015-07-17"},
    ]
    path = write("p.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    result = read_file(path)
    assert result.read == 2
    assert len(result.observations) == 6
    assert result.observations[0].source_id == "SMM-DON-1"
    assert result.observations[0].time_start.date().isoformat() == "2015-07-16"
    assert result.observations[3].time_start.date().isoformat() == "2015-07-17"


def test_reading_twice_gives_same_uids(data_path: Callable[[str], Path]) -> None:
    a = read_file(data_path("smm_passages.txt"))
    b = read_file(data_path("smm_passages.txt"), "smm")
    assert [o.uid for o in a.observations] == [o.uid for o in b.observations]


@pytest.mark.parametrize(
    ("content", "line", "field", "words"),
    [
        ("date: 2016-01-01\n\nThe SMM met the mayor of Horlivka and heard nothing.\n", 3, "text",
         "no event"),
        ("Positioned in Horlivka, the SMM heard five explosions 2km west.\n", 1, "date",
         "no date"),
        ("On 16 July, positioned in Horlivka, the SMM heard five explosions 2km west.\n", 1,
         "date", "no year"),
    ],
)  # fmt: skip
def test_errors_name_file_line_and_field(
    write: Callable[..., Path], content: str, line: int, field: str, words: str
) -> None:
    path = write("bad.txt", content)
    with pytest.raises(InputError) as info:
        read_file(path, "smm")
    err = info.value.error
    assert err.file == str(path)
    assert err.line == line
    assert err.field == field
    assert words in err.message


def test_bad_passage_stores_nothing_of_it(write: Callable[..., Path]) -> None:
    text = (
        "date: 2016-01-01\n\n"
        "Positioned in Horlivka, the SMM heard five explosions 2km west.\n\n"
        "The SMM heard nothing of interest today.\n"
    )
    path = write("mixed.txt", text)
    with pytest.raises(InputError):
        read_file(path, "smm")
    result = read_file(path, "smm", skip_bad=True)
    assert len(result.observations) == 1
    assert [e.line for e in result.errors] == [5]
    assert result.read == 2


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ('{"text": "x"\n', "json"),
        ('{"no_text": 1}\n', "text"),
        ('{"text": "On 4 May, positioned in Horlivka, the SMM heard 5 explosions.", '
         '"report_date": "May 2016"}\n', "report_date"),
    ],
)  # fmt: skip
def test_jsonl_errors(write: Callable[..., Path], content: str, field: str) -> None:
    path = write("bad.jsonl", content)
    with pytest.raises(InputError) as info:
        read_file(path, "smm")
    assert info.value.error.field == field
    assert info.value.error.line == 1


def test_non_utf8_file_is_one_clear_error(write: Callable[..., Path]) -> None:
    path = write(
        "latin.txt",
        "date: 2016-01-01\n\nPositioned in Horlivka, the SMM heard five explosions 2km west.\n\n"
        "K\xf6ln\n".encode("latin-1"),
    )
    with pytest.raises(InputError, match="UTF-8") as info:
        read_file(path, "smm")
    assert info.value.error.line == 5


def test_jsonl_fixture_for_the_contract_tests(data_path: Callable[[str], Path]) -> None:
    """``smm_passages.jsonl`` has one passage per line (what tests/sources/test_contract.py
    counts as records)."""
    path = data_path("smm_passages.jsonl")
    result = read_file(path)
    assert result.format == "smm"
    assert result.errors == []
    assert result.read == 3
    assert len(result.observations) == 7
    assert {o.source_id for o in result.observations} == {"SMM"}
    assert all(isinstance(o.location, BearingRangeLocation) for o in result.observations)


def test_parse_file_gives_records_and_errors(
    data_path: Callable[[str], Path], write: Callable[..., Path]
) -> None:
    records, errors = smm_format.parse_file(data_path("smm_passages.txt"))
    assert errors == []
    assert [r["line"] for r in records] == [3, 5]
    assert records[0]["observer_reference"] == {"km": 8, "direction": "north-west",
                                                "of": "Donetsk"}  # fmt: skip
    assert len(records[0]["events"]) == 3 and "observer_lon" in records[0]
    json.dumps(records)
    bad = write("bad.txt", "date: 2016-01-01\n\nThe SMM heard nothing.\n")
    records, errors = smm_format.parse_file(bad)
    assert records == []
    assert [(e.line, e.field) for e in errors] == [(3, "text")]
