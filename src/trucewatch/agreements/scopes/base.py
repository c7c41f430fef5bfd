"""The interface a scope implements: which events it covers and where.

Locations are WGS84 lon/lat degrees; distances and location margins in km.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from trucewatch.agreements.clauses.base import Check, IncidentFacts, Tri
from trucewatch.agreements.clauses.steps import kind_words
from trucewatch.agreements.model import LoadedAgreement
from trucewatch.agreements.sea import LandTest
from trucewatch.types import EventKind

__all__ = ["Places", "Scope"]


@dataclass(frozen=True)
class Places:
    """The incidents of a batch in force under one agreement: where they are.

    ``lon``/``lat`` WGS84 degrees; ``margins_km`` the location uncertainty allowance of
    each (km, inf when unknown); ``land`` the land test of the assessment context (None:
    the default).
    """

    lon: np.ndarray
    lat: np.ndarray
    margins_km: np.ndarray
    land: LandTest | None


class Scope(ABC):
    """What an agreement of scope ``key`` covers.

    :meth:`kind_check` reads a satellite thermal anomaly (fire only when judged
    war-related) and an undetermined kind the same way for every scope, and leaves the
    other kinds to :meth:`event_check`.
    """

    key: ClassVar[str]
    fire_words: ClassVar[str]
    """What a clause prohibiting "fire" prohibits under this scope, in words."""

    def kind_check(self, facts: IncidentFacts) -> Check:
        """Is this kind of event what the scope covers?"""
        kind = facts.kind
        if kind == EventKind.THERMAL_ANOMALY.value:
            return self.thermal_check(facts)
        if kind == EventKind.UNDETERMINED.value:
            return Check(Tri.UNKNOWN, "the kind of event is undetermined")
        return self.event_check(kind, kind_words(kind))

    def thermal_check(self, facts: IncidentFacts) -> Check:
        """A satellite thermal anomaly: fire by a party only when judged war-related."""
        if facts.war_fire:
            return Check(Tri.YES, "a satellite-detected fire judged war-related")
        return Check(Tri.UNKNOWN, "a satellite thermal anomaly alone is not evidence of "
                     "fire by a party (it may be a field, forest or industrial fire)")

    @abstractmethod
    def event_check(self, kind: str, words: str) -> Check:
        """Is an event of ``kind`` (an :class:`EventKind` value, ``words`` its words)
        covered?"""

    def place_checks(self, agreement: LoadedAgreement, places: Places) -> list[list[Check]]:
        """The place checks of each incident (none by default: the scope applies
        everywhere)."""
        return [[] for _ in range(len(places.lon))]
