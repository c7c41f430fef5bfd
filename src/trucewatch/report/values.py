"""Values of the report document: rounding without NaN, enum values as text."""

from __future__ import annotations

import math
from enum import Enum
from typing import Any


def rounded(x: float | None, nd: int) -> float | None:
    """Round, mapping None/NaN/inf to None (JSON has no NaN)."""
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(v):
        return None
    v = round(v, nd)
    return 0.0 if v == 0 else v  # no "-0.0"


def enum_text(x: Any) -> str:
    """The value of an enum member as text, or ``str(x)``."""
    return str(x.value) if isinstance(x, Enum) else str(x)


CLAIM_LABELS = ("corroborated", "partly_corroborated", "not_verifiable", "contradicted",
                "pending")  # fmt: skip
"""The labels of claim items in the report's claims section (``pending``: not adjudicated)."""
AGGREGATE_VERDICTS = ("consistent", "overstated", "understated", "no_estimate", "pending")
"""The verdicts of aggregate claims in the report's claims section."""
