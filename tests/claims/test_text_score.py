"""The statement reader against the fragments of tests/data/claims/statements.jsonl: the
development half is read right (the held-out half is scored for docs/claims.md, not
asserted: its figure is what it is)."""

from __future__ import annotations

import json
from pathlib import Path

from trucewatch.claims.text_score import main, score_fragments

DATA = Path(__file__).resolve().parents[1] / "data" / "claims" / "statements.jsonl"


def rows(half: str) -> list[dict]:
    return [r for r in map(json.loads, DATA.read_text(encoding="utf-8").splitlines())
            if r["half"] == half]  # fmt: skip


def test_halves_are_twenty_fragments_in_three_languages() -> None:
    for half in ("dev", "heldout"):
        got = rows(half)
        assert len(got) == 20 and {r["lang"] for r in got} == {"en", "uk", "ru"}
        assert sum(not r["expected"] for r in got) >= 4  # negative fragments in each half


def test_development_half_is_read_right() -> None:
    result = score_fragments(rows("dev"))
    assert result["accuracy"] == 1.0, [d for d in result["details"] if not d["right"]]
    assert result["recall"] == result["precision"] == 1.0


def test_a_wrong_reading_is_scored_wrong() -> None:
    row = dict(rows("dev")[0])
    row["expected"] = [dict(row["expected"][0], count=2936)]
    result = score_fragments([row])
    assert (result["right"], result["fields"]["count"], result["fields"]["claimant"]) == (
        0, 0.0, 1.0)


def test_command_line(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main([str(DATA), "--half", "dev"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fragments"] == 20 and "details" not in out
