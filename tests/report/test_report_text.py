"""Wording helpers of the report: plurals, lists, dates, agreement coverage."""

from __future__ import annotations

from datetime import date

from trucewatch.report.text import (
    agreement_coverage,
    count_noun,
    fmt_day,
    join_words,
)


def test_count_noun() -> None:
    assert count_noun(0, "incident") == "no incidents"
    assert count_noun(1, "incident") == "1 incident"
    assert count_noun(2, "incident") == "2 incidents"
    assert count_noun(1234, "observation") == "1,234 observations"
    assert count_noun(0, "day", zero="") == "0 days"
    assert count_noun(3, "party", "parties") == "3 parties"


def test_join_words() -> None:
    assert join_words([]) == ""
    assert join_words(["a"]) == "a"
    assert join_words(["a", "b"]) == "a and b"
    assert join_words(["a", "b", "c"]) == "a, b and c"


def test_fmt_day() -> None:
    assert fmt_day(date(2025, 8, 12)) == "12 August 2025"
    assert fmt_day(date(2025, 3, 1)) == "1 March 2025"


def test_agreement_coverage() -> None:
    d = date(2025, 8, 12)

    def ag(a: str | None, b: str | None) -> dict[str, str | None]:
        return {"in_force_from": a, "in_force_until": b}

    assert agreement_coverage(ag("2025-08-12T00:00:00Z", "2025-08-13T00:00:00Z"), d) == (
        "throughout the day"
    )
    assert agreement_coverage(ag("2025-08-12T14:00:00Z", "2025-08-13T00:00:00Z"), d) == (
        "from 14:00 UTC"
    )
    assert agreement_coverage(ag("2025-08-12T00:00:00Z", "2025-08-12T06:30:00Z"), d) == (
        "until 06:30 UTC"
    )
    assert agreement_coverage(ag("2025-08-12T06:00:00Z", "2025-08-12T18:00:00Z"), d) == (
        "from 06:00 to 18:00 UTC"
    )
    assert agreement_coverage(ag(None, None), d) == "not in force on that day"
