"""The interface a clause check implements, and the facts and answers it works with.

Every check answers yes, no or "cannot tell" (:class:`Tri`) with a text for the reason;
a clause is broken when every check says yes (see :mod:`trucewatch.agreements.verdicts`).
Times are aware datetimes in UTC; distances in km.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import ClassVar, Protocol, TypeVar

from trucewatch.agreements.model import Clause, LoadedAgreement
from trucewatch.types import Incident

__all__ = [
    "Check",
    "ClauseCase",
    "ClauseCheck",
    "IncidentFacts",
    "Keyed",
    "ScopeTerms",
    "Tri",
    "by_key",
]


class Tri(IntEnum):
    """The answer of one check."""

    NO = 0
    UNKNOWN = 1
    YES = 2


@dataclass(frozen=True)
class Check:
    """One check's answer and the words that explain it (empty: nothing to say)."""

    tri: Tri
    text: str


@dataclass(frozen=True)
class IncidentFacts:
    """What the checks need about one incident (computed once per batch)."""

    incident: Incident
    t0: datetime  # start of the time window (UTC)
    t1: datetime  # end of the time window (UTC)
    kind: str  # EventKind value
    margin_km: float  # location uncertainty allowance (km)
    line_km: float | None  # |distance to the line| (km)
    war_fire: bool  # a thermal anomaly judged war-related


class ScopeTerms(Protocol):
    """What a clause check asks of the agreement's scope
    (:class:`trucewatch.agreements.scopes.base.Scope`)."""

    @property
    def fire_words(self) -> str:
        """What "fire" means under this scope, for reasons ("fire at sea")."""
        ...

    def kind_check(self, facts: IncidentFacts) -> Check:
        """Is this kind of event what the scope covers?"""
        ...


@dataclass(frozen=True)
class ClauseCase:
    """One incident against one clause of an agreement in force: what a clause check is
    given. ``timing`` is the clause's time check, ``scope`` the agreement's scope and
    ``place`` the scope's place checks of this incident."""

    facts: IncidentFacts
    agreement: LoadedAgreement
    clause: Clause
    timing: Check
    scope: ScopeTerms
    place: Sequence[Check]


class ClauseCheck(ABC):
    """How a clause prohibiting one activity (``key``, a word of ``prohibits``) is judged.

    ``relevant`` is False for an activity that no incident can be (the clause then never
    decides a verdict unless nothing else does).
    """

    key: ClassVar[str]
    relevant: ClassVar[bool] = True

    @abstractmethod
    def words(self, scope: ScopeTerms) -> str:
        """The prohibited activity in words ("heavy weapons in the withdrawal zone")."""

    @abstractmethod
    def checks(self, case: ClauseCase) -> list[Check]:
        """The checks of one incident against the clause, in order: the clause is broken
        when all say yes."""


class Keyed(Protocol):
    """Anything registered under a key (a clause check, a scope)."""

    @property
    def key(self) -> str:
        """The word of the agreement file that names it."""
        ...


_K = TypeVar("_K", bound=Keyed)


def by_key(*items: _K) -> dict[str, _K]:
    """A registry: the items by their ``key``, in the order given."""
    return {item.key: item for item in items}
