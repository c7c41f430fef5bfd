"""Calibrated confidence: the probability that an incident is real.

The grading of the sources (:mod:`trucewatch.fusion.confidence`) says how far each source
is trusted, but not how often a report of each kind turns out real on this front: a party's
complaint graded C4 is worth 0.6 on paper and far less in practice during a truce. So the
confidence of an incident is a logistic model over a few features of its evidence:

* ``admiralty``: the log-odds of the graded independent sources combined (the prior
  belief of the analyst's grading);
* ``negative``: log P(the working acoustic arrays that stayed silent would all have
  missed it) (:mod:`trucewatch.fusion.coverage`), <= 0;
* ``n_<kind>``: independent sources of each kind (capped at :data:`COUNT_CAP`), one per
  source kind (:attr:`trucewatch.kinds.SourceKindModel.calibration_feature`, in the order
  of :data:`trucewatch.kinds.SOURCE_KINDS`);
* ``ill_posed``: 1 when the geometry could not fix the range (a single bearing);
* ``single_source``: 1 for an uncorroborated detection (one independent source);
* ``source_kinds``: distinct kinds among the independent sources (capped at
  :data:`COUNT_CAP`): two kinds of sensor agreeing are better evidence than two of a kind;
* ``lone_array``: 1 when the only source is an acoustic array (a kind whose silence is
  evidence, ``negative_evidence``): a detection no second array timed (no time difference
  of arrival), where echoes, own fire and false alarms hide;
* ``arrays_corroborated``: 1 when two or more arrays heard it (time differences of arrival);
* ``satellite_only``: 1 when every source is a satellite (a hot pixel alone: often a fire
  unrelated to any strike);
* ``single_round``: 1 when the episode's count of rounds is known and is one (a lone
  impulse: what false alarms, echoes and stray noises look like; real fire comes in series);
* ``array_alone``: for an incident only one array heard (``lone_array``), the log-odds of
  the share of that array's detections on the same UTC day (the incident's start) that no
  other source corroborated (smoothed: (alone + 1) / (all + 2)), else 0: an array that
  usually speaks alone (echoes, its own side's fire, false alarms, or no neighbour in
  hearing range) is worth less when it speaks alone again. A record of the sensor, not of
  the scenario.
* ``activity``: for an uncorroborated incident, log(1 + the corroborated incidents of the
  same fusion within :data:`trucewatch.fusion.context.ACTIVITY_KM` and
  :data:`~trucewatch.fusion.context.ACTIVITY_S`), else 0: fire comes in clusters in space and
  time (the fighting of a sector and an afternoon), false alarms fall anywhere; a lone
  detection where nothing else is seen is worth less than one amid confirmed fire.
* ``beyond_range``: log of the largest ratio, over the incident's acoustic arrays, of the
  distance from the array to the incident's place to the range the array stated it could
  hear (``range_max_km``), 0 when every array is within its range: arrivals of two
  different sounds joined into one place put it where neither array could have heard it.

``single_source`` to ``satellite_only`` are functions of the per-kind counts, so the model
stays general (no scenario flags): they let a logistic model tell the lone sensor, which
the count features add up linearly, from corroborated evidence.

The weights are fitted by maximum likelihood on simulated incidents scored against their
ground truth (``python -m benchmarks.calibrate``: ``standard`` and ``field``, seeds 1 and 2,
pooled; the benchmark scores other seeds) and stored with their provenance in
``data/calibration.json``; the benchmark shows the reliability curve (of incidents given
0.8, the share that were real). Without that file the model falls back to
``admiralty + negative`` (uncalibrated).
Re-fit whenever the engine or the sensor mix changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trucewatch.kinds import SOURCE_KINDS
from trucewatch.types import SourceKind

COUNT_CAP = 4
FEATURES: tuple[str, ...] = (
    "bias", "admiralty", "negative",
    *(model.calibration_feature for model in SOURCE_KINDS.values()), "ill_posed",
    "single_source", "source_kinds", "lone_array", "arrays_corroborated", "satellite_only",
    "single_round", "array_alone", "activity", "beyond_range",
)  # fmt: skip
_ARRAY_COLUMNS = [c for c, model in enumerate(SOURCE_KINDS.values()) if model.negative_evidence]
_SATELLITE_COLUMN = list(SOURCE_KINDS).index(SourceKind.SATELLITE_THERMAL)
CALIBRATION_FILE = "calibration.json"


def feature_matrix(admiralty: NDArray[np.float64], negative: NDArray[np.float64],
                   counts: NDArray[np.float64], ill_posed: NDArray[np.bool_],
                   rounds: NDArray[np.float64], array_alone: NDArray[np.float64],
                   activity: NDArray[np.float64] | None = None,
                   beyond_range: NDArray[np.float64] | None = None
                   ) -> NDArray[np.float64]:  # fmt: skip
    """(k, len(FEATURES)) features; ``counts`` (k, len(SOURCE_KINDS)) independent sources
    per kind (columns in the order of :data:`trucewatch.kinds.SOURCE_KINDS`); ``rounds``
    (k,) the episode's count of rounds (NaN when no report counted them); ``array_alone``
    (k,) the ``array_alone`` feature, ``activity`` and ``beyond_range`` (k,) the features of
    those names (see the module's docstring; None: 0)."""
    k = admiralty.size
    activity = np.zeros(k) if activity is None else activity
    beyond_range = np.zeros(k) if beyond_range is None else beyond_range
    total = counts.sum(axis=1)
    single = total == 1
    arrays = counts[:, _ARRAY_COLUMNS].sum(axis=1)
    return np.column_stack([
        np.ones(k), admiralty, negative, np.minimum(counts, COUNT_CAP),
        ill_posed.astype(float), single.astype(float),
        np.minimum((counts > 0).sum(axis=1), COUNT_CAP).astype(float),
        (single & (arrays == 1)).astype(float), (arrays >= 2).astype(float),
        ((total > 0) & (counts[:, _SATELLITE_COLUMN] == total)).astype(float),
        (rounds == 1).astype(float), array_alone, activity, beyond_range,
    ])  # fmt: skip


@dataclass(frozen=True)
class Calibration:
    """Logistic weights per feature name, with where they came from."""

    weights: dict[str, float]
    provenance: dict[str, Any] = field(default_factory=dict)

    def predict(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Probability (0-1) per row of the feature matrix."""
        w = np.array([self.weights.get(name, 0.0) for name in FEATURES])
        z = np.clip(x @ w, -30.0, 30.0)
        return 1.0 / (1.0 + np.exp(-z))

    @classmethod
    def uncalibrated(cls) -> Calibration:
        """``admiralty + negative``: the grading's log-odds and the silence of arrays."""
        return cls({"admiralty": 1.0, "negative": 1.0}, {"fitted": False})

    def to_json(self) -> str:
        return json.dumps({"weights": self.weights, "provenance": self.provenance}, indent=2)


@lru_cache(maxsize=1)
def shipped() -> Calibration:
    """The calibration shipped with the package (or the uncalibrated fallback)."""
    try:
        text = resources.files("trucewatch.fusion").joinpath("data", CALIBRATION_FILE).read_text(
            encoding="utf-8")
    except (FileNotFoundError, OSError):
        return Calibration.uncalibrated()
    data = json.loads(text)
    return Calibration({str(k): float(v) for k, v in data["weights"].items()},
                       dict(data.get("provenance", {})))  # fmt: skip


def fit(x: NDArray[np.float64], y: NDArray[np.bool_], l2: float = 1e-3,
        provenance: dict[str, Any] | None = None) -> Calibration:  # fmt: skip
    """Maximum-likelihood logistic weights (small L2 penalty, not on the bias)."""
    from scipy.optimize import minimize

    yf = y.astype(float)
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 0.0

    def loss(w: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        z = x @ w
        ll = _log_loss(z, yf)
        p = 1.0 / (1.0 + np.exp(-z))
        grad = x.T @ (p - yf) / len(yf) + 2 * penalty * w
        return float(ll.mean() + (penalty * w * w).sum()), grad

    res = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B")
    weights = {name: round(float(v), 6) for name, v in zip(FEATURES, res.x, strict=True)}
    z = x @ res.x
    p = 1.0 / (1.0 + np.exp(-z))
    prov = dict(provenance or {})
    prov.update({"fitted": True, "l2": l2, "incidents": len(yf),
                 "share_real": round(float(yf.mean()), 4),
                 "brier": round(float(((p - yf) ** 2).mean()), 4),
                 "log_loss": round(float(_log_loss(z, yf).mean()), 4)})  # fmt: skip
    return Calibration(weights, prov)


def _log_loss(z: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Per-row negative log-likelihood of labels ``y`` (0/1) at log-odds ``z``:
    log(1 + e^z) - y z, computed stably."""
    return np.logaddexp(0.0, z) - y * z
