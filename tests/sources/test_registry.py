"""Sniffing and reading files: unreadable, empty, non-UTF-8, unknown formats, skip_bad."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from trucewatch.errors import InputError
from trucewatch.sources import REGISTRY, read_file, sniff_format

VIIRS_HEADER = (
    "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence,"
    "version,bright_ti5,frp,daynight,instrument"
)
VIIRS_ROW = (
    "49.72786,37.61411,302.74,0.63,0.54,2025-08-12,00:26:00,N20,nominal,2.0NRT,283.17,1.41,N,VIIRS"
)


def test_unknown_format_name_lists_known(fixture_path: Callable[[str], Path]) -> None:
    path = fixture_path("firms_history_2022_sample.csv")
    with pytest.raises(InputError) as info:
        read_file(path, "kml")
    message = str(info.value)
    assert "kml" in message
    for name in REGISTRY:
        assert name in message
    assert info.value.error.file == str(path)
    assert info.value.error.field == "format"


def test_format_name_is_case_insensitive(fixture_path: Callable[[str], Path]) -> None:
    path = fixture_path("firms_history_2022_sample.csv")
    assert read_file(path, "FIRMS").format == "firms"


@pytest.mark.parametrize("fmt", [None, "firms", "patrol"])
def test_empty_file(write: Callable[..., Path], fmt: str | None) -> None:
    path = write("empty.csv", "")
    with pytest.raises(InputError, match="empty") as info:
        read_file(path, fmt)
    assert info.value.error.file == str(path)


def test_whitespace_only_file_is_empty(write: Callable[..., Path]) -> None:
    path = write("blank.jsonl", "\n  \n\t\n")
    with pytest.raises(InputError, match="empty"):
        sniff_format(path)


@pytest.mark.parametrize("fmt", [None, "firms", "patrol"])
def test_non_utf8_file(write: Callable[..., Path], fmt: str | None) -> None:
    path = write("latin1.csv", "LATITUDE,LONGITUDE,ACQ_DATE\n48.1,37.2,2022-01-01 K\xf6ln\n".encode(
        "latin-1"
    ))  # fmt: skip
    with pytest.raises(InputError, match="UTF-8") as info:
        read_file(path, fmt)
    assert str(path) in str(info.value)
    assert info.value.error.line == 2


def test_binary_file(write: Callable[..., Path]) -> None:
    path = write("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    with pytest.raises(InputError, match="UTF-8"):
        sniff_format(path)


def test_non_utf8_line_after_the_head_is_a_record_error(write: Callable[..., Path]) -> None:
    """A bad byte deep in a big file: that line is rejected, the others are kept."""
    good = "48.1,37.2,2022-01-01\n" * 1000  # more than the sniffed head
    path = write("late.csv", b"LATITUDE,LONGITUDE,ACQ_DATE\n" + good.encode() + b"48.1,37.2,\xff\n")
    with pytest.raises(InputError, match="UTF-8") as info:
        read_file(path)
    assert info.value.error.line == 1002
    result = read_file(path, skip_bad=True)
    assert len(result.observations) == 1000
    assert [e.line for e in result.errors] == [1002]
    assert result.read == 1001


def test_unrecognised_format(write: Callable[..., Path]) -> None:
    path = write("notes.txt", "Dear diary,\nthe guns were quiet today.\n")
    with pytest.raises(InputError) as info:
        sniff_format(path)
    message = str(info.value)
    assert str(path) in message
    assert "firms" in message and "patrol" in message


def test_raw_smm_examples_are_not_patrol_records(shared_path: Callable[..., Path]) -> None:
    """The narrative examples (id/url/text/expected) are input of `parse smm`, not patrol
    records: sniffing takes them for the smm narrative format."""
    assert sniff_format(shared_path("smm", "examples.jsonl")) == "smm"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    with pytest.raises(InputError, match="cannot read") as info:
        read_file(path)
    assert info.value.error.file == str(path)
    with pytest.raises(InputError, match="cannot read"):
        read_file(path, "firms")


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        sniff_format(tmp_path)


def test_byte_order_mark_is_ignored(write: Callable[..., Path]) -> None:
    plain = write("plain.csv", f"{VIIRS_HEADER}\n{VIIRS_ROW}\n")
    bom = write("bom.csv", f"\ufeff{VIIRS_HEADER}\n{VIIRS_ROW}\n")
    assert sniff_format(bom) == "firms"
    assert read_file(bom).observations == read_file(plain).observations


def test_first_error_raises_without_skip_bad(write: Callable[..., Path]) -> None:
    path = write(
        "mixed.csv", "LATITUDE,LONGITUDE,ACQ_DATE\n48,37,2022-01-01\n95,37,2022-01-01\n"
        "48,37,2022-13-01\n48,37,2022-01-02\n",
    )  # fmt: skip
    with pytest.raises(InputError) as info:
        read_file(path)
    assert info.value.error.line == 3
    assert info.value.error.field == "LATITUDE"


def test_skip_bad_collects_errors_and_keeps_good_records(write: Callable[..., Path]) -> None:
    path = write(
        "mixed.csv", "LATITUDE,LONGITUDE,ACQ_DATE\n48,37,2022-01-01\n95,37,2022-01-01\n"
        "48,37,2022-13-01\n48,37,2022-01-02\n",
    )  # fmt: skip
    result = read_file(path, skip_bad=True)
    assert [(e.line, e.field) for e in result.errors] == [(3, "LATITUDE"), (4, "ACQ_DATE")]
    assert len(result.observations) == 2
    assert result.read == 4
    assert all(str(path) == e.file for e in result.errors)


def test_record_counting_for_multi_event_records(
    fixture_path: Callable[[str], Path],
) -> None:
    result = read_file(fixture_path("patrol_smm_sample.jsonl"))
    assert result.read == 3
    assert len(result.observations) == 7
