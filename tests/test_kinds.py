"""The source-kind models (:mod:`trucewatch.kinds`) and the stages that read them."""

from __future__ import annotations

import json
from importlib import resources

from trucewatch import sources
from trucewatch.fusion.calibration import FEATURES
from trucewatch.kinds import SOURCE_KINDS, Grading, Onset
from trucewatch.types import SourceKind


def test_every_source_kind_has_a_model() -> None:
    assert set(SOURCE_KINDS) == set(SourceKind)
    for kind, model in SOURCE_KINDS.items():
        assert model.kind is kind
        assert model.grading.reliability in "ABCDEF" and 1 <= model.grading.credibility <= 6


def test_formats_are_registered_in_the_order_of_the_kinds() -> None:
    names = [name for model in SOURCE_KINDS.values() for name in model.formats]
    assert list(sources.REGISTRY) == names
    assert all(name == sources.REGISTRY[name].NAME for name in names)


def test_calibration_has_a_feature_per_kind() -> None:
    per_kind = [model.calibration_feature for model in SOURCE_KINDS.values()]
    assert [f for f in FEATURES if f.startswith("n_")] == per_kind
    text = resources.files("trucewatch.fusion").joinpath("data", "calibration.json").read_text()
    assert set(per_kind) <= set(json.loads(text)["weights"])


def test_what_the_kinds_mean() -> None:
    acoustic = SOURCE_KINDS[SourceKind.ACOUSTIC]
    assert acoustic.exclusive and acoustic.negative_evidence and acoustic.range_falloff
    assert acoustic.onset is Onset.ARRIVAL and acoustic.detection_range_km == 15.0
    satellite = SOURCE_KINDS[SourceKind.SATELLITE_THERMAL]
    assert not satellite.exclusive and satellite.reports_impact
    assert satellite.onset is Onset.WINDOW and satellite.onset_lookback_s == 6 * 3600.0
    complaint = SOURCE_KINDS[SourceKind.PARTY_COMPLAINT]
    assert complaint.grading == Grading("C", 4) and complaint.accuses
    assert complaint.source_id("UA") == "complaint:UA"
    assert [k for k, m in SOURCE_KINDS.items() if m.exclusive] == [
        SourceKind.PATROL, SourceKind.ACOUSTIC, SourceKind.CAMERA,
    ]  # fmt: skip
