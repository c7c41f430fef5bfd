"""Scope ``protected_sites``: strikes on listed sites (within a buffer of each, in km)."""

from __future__ import annotations

import math

from trucewatch.agreements.clauses.base import Check, Tri
from trucewatch.agreements.clauses.steps import edge_check, fmt_km
from trucewatch.agreements.model import LoadedAgreement
from trucewatch.agreements.scopes.air import AIR_STRIKE_KINDS
from trucewatch.agreements.scopes.base import Places, Scope
from trucewatch.agreements.sites import SiteIndex

__all__ = ["STRIKE_KINDS", "ProtectedSitesScope"]

STRIKE_KINDS: frozenset[str] = frozenset(
    {"explosion", "artillery", "mortar", "projectile"}
) | AIR_STRIKE_KINDS
"""Kinds that are a strike on a site for a ``protected_sites`` scope."""


class ProtectedSitesScope(Scope):
    """Strikes within the buffer of the nearest protected site (distance to the point or
    the polygon's edge, km), allowing for the location uncertainty."""

    key = "protected_sites"
    fire_words = "strikes on the protected sites"

    def event_check(self, kind: str, words: str) -> Check:
        if kind in STRIKE_KINDS:
            return Check(Tri.YES, words)
        return Check(Tri.NO, f"{words} is not a strike on a site")

    def place_checks(self, agreement: LoadedAgreement, places: Places) -> list[list[Check]]:
        if agreement.sites is None:
            return super().place_checks(agreement, places)
        near = SiteIndex(agreement.sites.sites).nearest(places.lon, places.lat)
        return [
            [_site_check(agreement, int(near.index[j]), float(near.distance_km[j]),
                         float(places.margins_km[j]))]
            for j in range(len(places.lon))
        ]


def _site_check(ag: LoadedAgreement, index: int, d: float, m: float) -> Check:
    """Within the buffer of the nearest site (``index``, distance ``d`` km), allowing a
    location uncertainty of ``m`` km."""
    assert ag.sites is not None
    b = ag.sites.buffer_km
    if index < 0 or not math.isfinite(d):
        return Check(Tri.UNKNOWN, "the distance to the protected sites is unknown")
    name = ag.sites.sites[index].name
    label = f" ({ag.sites.label})" if ag.sites.label else ""
    at = f"at {name}" if d == 0 else f"{fmt_km(d)} from {name}"
    return edge_check(
        d, b, m,
        inside=f"{at}, within the {b:g} km buffer of the protected sites{label}",
        outside=f"not within {b:g} km of a protected site (nearest: {name}, {fmt_km(d)})",
        near=f"{fmt_km(d)} from {name}: within the location uncertainty (±{fmt_km(m)}) of "
             f"the {b:g} km buffer's edge",
    )
