"""What each kind of source means, in one place: a :class:`SourceKindModel` per
:class:`~trucewatch.types.SourceKind`, and the registry :data:`SOURCE_KINDS`.

An acoustic array, a fixed camera, a patrol, a satellite's thermal sensor, a party's
complaint and an open-source claim report fire differently, and the stages of the pipeline
act on that difference: the readers (:mod:`trucewatch.sources`) give each report its
default grading and source id; localization (:mod:`trucewatch.localize.measurements`) its
onset interval, range fall-off and signature; association and fusion
(:mod:`trucewatch.associate`, :mod:`trucewatch.fusion`) whether one source may report an
event twice, which sensors' silence is evidence, whose reports name an accused party and
which feature of the confidence model counts the kind; the permission model
(:mod:`trucewatch.app.roles`) what a liaison's submission becomes. They all read it here.

Foundation module: it imports only :mod:`trucewatch.types`, so every layer may read it.

How to add a source kind
------------------------

1. :class:`trucewatch.types.SourceKind`: add the member (its value is stored).
2. Here: add its :class:`SourceKindModel` to :data:`SOURCE_KINDS`, naming the input
   format(s) whose records are of this kind; the registry's order is the order in which
   formats sniff a file (first match wins) and the calibration lists its features.
3. ``trucewatch/sources/<format>.py``: the reader (``NAME``, ``sniff``, ``read``; see
   :mod:`trucewatch.sources.base`), which takes kind, default grading, default detection
   range and source id from its model. :data:`trucewatch.sources.REGISTRY` registers it
   from the model's ``formats``.

Fusion, localization and the calibration then handle the kind from its model alone. The
confidence model's new feature ``n_<kind>`` weighs 0 until the calibration is re-fitted
(``python -m benchmarks.calibrate``, which rewrites ``fusion/data/calibration.json``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from trucewatch.types import SourceKind

__all__ = [
    "FIRE_BURN_S",
    "SOURCE_KINDS",
    "Grading",
    "Onset",
    "SourceKindModel",
]


class Onset(StrEnum):
    """How a report's times bound when the event itself began (its onset interval, UTC).

    Any report carrying an arrival time (attribute ``arrival_utc``) is read as
    :attr:`ARRIVAL`, whatever its kind.
    """

    ARRIVAL = "arrival"
    """The first impulse's arrival at the sensor, minus at most the sound's travel time
    from the farthest the source can be (acoustic arrays)."""
    FRAME = "frame"
    """The start of the window is the frame that showed it, to the second (cameras)."""
    HEARD = "heard"
    """The reported start, minus the sound's travel time from the farthest distance
    given, with minute rounding either way (an observer noting what it heard)."""
    WINDOW = "window"
    """Anywhere in the reported window, widened back by the model's
    ``onset_lookback_s`` (reports that give only a window)."""


@dataclass(frozen=True)
class Grading:
    """A NATO Admiralty grading: ``reliability`` of the source (A-F) and ``credibility``
    of the information (1-6)."""

    reliability: str
    credibility: int


FIRE_BURN_S = 6 * 3600.0
"""How long before a satellite saw a fire the fighting that lit it may have been (s):
fires started by shelling burn for hours (the simulator draws 0.5-12 h)."""


@dataclass(frozen=True, kw_only=True)
class SourceKindModel:
    """What one kind of source means to the pipeline.

    ``exclusive``
        one report is one event: two reports of one source (an array, a camera, a patrol
        team) are two events and never fuse into one incident (a satellite's adjacent
        pixels, a party repeating itself may);
    ``onset``, ``onset_lookback_s``
        how the report's times bound the event's onset (:class:`Onset`), and how far (s)
        before the reported window it may have begun;
    ``detection_range_km``
        how far the sensor detects (km), the reader's default when a report gives none
        (``None``: the kind states no detection range);
    ``range_falloff``
        the report's wedge runs from the sensor to its detection range and what it
        reports is more likely near than far (detection probability falls linearly with
        distance);
    ``negative_evidence``
        the sensor detects all around it, so its silence while working is evidence that
        nothing happened near it (:mod:`trucewatch.fusion.coverage`);
    ``reports_impact``
        the kind reports where fire landed, not where it was fired from (the signature
        ``impact`` unless the report says otherwise);
    ``accuses``
        its reports may name the party accused of firing (attribute ``accused``), an
        allegation attribution weighs;
    ``grading``
        the default Admiralty grading of its reports;
    ``source_id_prefix``
        what :meth:`source_id` puts before the name of a source of this kind;
    ``formats``
        the input formats (modules of :mod:`trucewatch.sources`) whose records are of
        this kind, in sniffing order.
    """

    kind: SourceKind
    exclusive: bool
    onset: Onset
    grading: Grading
    onset_lookback_s: float = 0.0
    detection_range_km: float | None = None
    range_falloff: bool = False
    negative_evidence: bool = False
    reports_impact: bool = False
    accuses: bool = False
    source_id_prefix: str = ""
    formats: tuple[str, ...] = ()

    @property
    def calibration_feature(self) -> str:
        """The confidence model's feature counting independent sources of this kind
        (:mod:`trucewatch.fusion.calibration`)."""
        return f"n_{self.kind.value}"

    def source_id(self, name: str) -> str:
        """The source id of the source ``name`` of this kind: the same source always gets
        the same id, so fusion counts it once."""
        return self.source_id_prefix + name


_MODELS = (
    SourceKindModel(
        # NASA FIRMS: "FIRMS <instrument> <satellite>"; usually reliable with known false
        # alarms (industry, gas flares), and a hot pixel is only possibly a strike
        kind=SourceKind.SATELLITE_THERMAL, exclusive=False, onset=Onset.WINDOW,
        onset_lookback_s=FIRE_BURN_S, reports_impact=True, grading=Grading("B", 3),
        source_id_prefix="FIRMS ", formats=("firms",),
    ),
    SourceKindModel(
        # a trained observer reporting what it saw or heard itself: usually reliable,
        # probably true; the patrol or team id (SMM passages are read into patrol records)
        kind=SourceKind.PATROL, exclusive=True, onset=Onset.HEARD, grading=Grading("B", 2),
        formats=("patrol", "smm"),
    ),
    SourceKindModel(
        # an acoustic array: hears all around it up to its range; the sensor id
        kind=SourceKind.ACOUSTIC, exclusive=True, onset=Onset.ARRIVAL,
        detection_range_km=15.0, range_falloff=True, negative_evidence=True,
        grading=Grading("B", 3), formats=("acoustic",),
    ),
    SourceKindModel(
        # a fixed camera: sees a flash or smoke along a bearing; the camera id
        kind=SourceKind.CAMERA, exclusive=True, onset=Onset.FRAME, detection_range_km=5.0,
        range_falloff=True, grading=Grading("B", 2), formats=("camera",),
    ),
    SourceKindModel(
        # a party's complaint about fire on its side: fairly reliable but not neutral,
        # doubtful until confirmed; "complaint:<party>" (a party repeating itself is one
        # source)
        kind=SourceKind.PARTY_COMPLAINT, exclusive=False, onset=Onset.WINDOW,
        reports_impact=True, accuses=True, grading=Grading("C", 4),
        source_id_prefix="complaint:", formats=("complaint",),
    ),
    SourceKindModel(
        # a claim in news text (trucewatch.narrative.claims): reliability cannot be judged
        kind=SourceKind.OPEN_SOURCE, exclusive=False, onset=Onset.WINDOW,
        grading=Grading("F", 6),
    ),
)  # fmt: skip

SOURCE_KINDS: dict[SourceKind, SourceKindModel] = {m.kind: m for m in _MODELS}
"""Every source kind's model, in the order formats sniff a file and the calibration lists
its features."""
