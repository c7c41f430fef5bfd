"""Claims and accusations in news text, and their check against a control map."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import shapely
from shapely.geometry import box, shape

from trucewatch.narrative.claims import (
    Claim,
    Span,
    check_claim_against_control,
    claim_observation,
    encirclement_share,
    extract_claims,
    place_holder,
)
from trucewatch.types import SourceKind


@pytest.fixture
def news(shared_path: Callable[..., Path]) -> str:
    return shared_path("text", "2025-03-14-news.txt").read_text(encoding="utf-8")


def test_news_claims(news: str) -> None:
    claims = extract_claims(news)
    assert claims
    for c in claims:
        assert news[c.evidence.start : c.evidence.end] == c.evidence.text
        assert c.reliability == "F" and c.credibility == 6
        assert c.claim_type in ("accusation", "claim", "statement")
    acc = [c for c in claims if c.claim_type == "accusation"]
    assert len(acc) == 1
    assert acc[0].party == "UA" and acc[0].target == "RU"
    assert "Zelensky" in acc[0].speaker
    assert acc[0].evidence.text.startswith("accused Russia of deliberately setting conditions")
    assert acc[0].date == "2025-03-14"  # "On Friday", the article's date
    enc = [c for c in claims if c.topic == "encirclement"]
    assert len(enc) == 1
    assert enc[0].speaker == "Trump" and enc[0].party == "US"
    assert enc[0].target == "UA"  # Ukrainian troops said to be surrounded
    assert enc[0].claim_type == "claim"
    assert "COMPLETELY SURROUNDED" in enc[0].evidence.text
    assert "Kremlin" in {c.speaker.replace("The ", "") for c in claims}
    assert any(c.topic == "ceasefire" and c.party == "RU" for c in claims)
    json.dumps([c.as_dict() for c in claims])


def test_weekday_resolved_against_article_date() -> None:
    (c,) = extract_claims("Kyiv said on Thursday that Russian troops shelled Kharkiv.",
                          doc_date="2025-03-14")  # fmt: skip
    assert c.date == "2025-03-13"
    assert c.party == "UA" and c.target == "RU"
    assert c.claim_type == "claim"
    assert [p["gazetteer_name"] for p in c.places] == ["Kharkiv"]


def test_no_speaker_no_claim() -> None:
    assert extract_claims("The weather was fine. Trees grew.") == []


# --------------------------------------------------------------------------- control checks

RU_AREA = box(37.0, 47.0, 38.5, 48.5)  # a square held by RU, for synthetic checks


def _claim(text: str, places: list[dict[str, object]], topic: str | None, target: str) -> Claim:
    span = Span(start=0, end=len(text), text=text)
    return Claim(speaker="Moscow", party="RU", target=target, claim_type="claim",
                 evidence=span, sentence=span, places=places, date="2025-03-14",
                 topic=topic)  # fmt: skip


def test_place_holder() -> None:
    assert place_holder(37.8, 48.0, RU_AREA) == "RU"
    assert place_holder(36.0, 48.0, RU_AREA) == "UA"


def test_encirclement_share() -> None:
    ring = box(36, 46, 40, 50).difference(box(37.4, 47.9, 37.6, 48.1))
    assert encirclement_share(37.5, 48.0, ring, radius_km=15) == 1.0
    assert encirclement_share(35.0, 48.0, RU_AREA, radius_km=15) == 0.0


def test_encirclement_claim_consistent_and_inconsistent() -> None:
    ring = box(36, 46, 40, 50).difference(box(37.4, 47.9, 37.6, 48.1))
    place = {"name": "Pocket", "lon": 37.5, "lat": 48.0}
    c = _claim("Ukrainian troops are surrounded in Pocket", [place], "encirclement", "UA")
    assert check_claim_against_control(c, ring)["verdict"] == "consistent"
    open_side = box(37.55, 46, 40, 50)  # RU only to the east
    res = check_claim_against_control(c, open_side)
    assert res["verdict"] == "inconsistent" and res["credibility"] == 5


def test_claim_naming_no_place_cannot_be_checked(news: str) -> None:
    enc = next(c for c in extract_claims(news) if c.topic == "encirclement")
    res = check_claim_against_control(enc, RU_AREA)
    assert res["verdict"] == "cannot be checked"


def test_real_control_map(shared_path: Callable[..., Path]) -> None:
    """Against the DeepStateMap area held by RU on 2025-03-13: Donetsk is RU-held,
    Kramatorsk UA-held."""
    data = json.loads(shared_path("control", "deepstate", "deepstatemap_data_20250313.geojson")
                      .read_text(encoding="utf-8"))  # fmt: skip
    geoms = [shape(f["geometry"]) for f in data.get("features", [])] or [shape(data)]
    control = shapely.make_valid(shapely.union_all(geoms))
    (c,) = extract_claims("Moscow claimed that Russian troops took control of Kramatorsk.",
                          doc_date="2025-03-13")  # fmt: skip
    res = check_claim_against_control(c, control)
    assert res["places"][0]["held_by"] == "UA"
    assert res["verdict"] == "inconsistent"
    (c2,) = extract_claims("Moscow claimed that Russian troops hold Donetsk.",
                           doc_date="2025-03-13")  # fmt: skip
    assert c2.places == [] or check_claim_against_control(c2, control)["verdict"] in (
        "consistent", "cannot be checked")  # fmt: skip


def test_claim_observation() -> None:
    (c,) = extract_claims("Kyiv said on Thursday that Russian troops shelled Kharkiv.",
                          doc_date="2025-03-14")  # fmt: skip
    obs = claim_observation(c)
    assert obs is not None
    assert obs.source_kind is SourceKind.OPEN_SOURCE
    assert obs.reliability == "F" and obs.credibility == 6
    assert obs.time_start.isoformat() == "2025-03-13T00:00:00+00:00"
    assert claim_observation(_claim("x", [], None, "UA")) is None
