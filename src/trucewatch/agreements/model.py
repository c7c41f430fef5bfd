"""The vocabulary of agreement files and the loaded form of an agreement.

The words a clause may prohibit and the scopes are the keys of the clause and scope
registries (:mod:`trucewatch.agreements.clauses.registry`,
:mod:`trucewatch.agreements.scopes.registry`). An agreement file (TOML, see
``docs/agreements.md``) is read into a
:class:`LoadedAgreement`: the :class:`trucewatch.types.Agreement` summary that the store
and the reports use, plus what assessment needs (clauses, exceptions, protected sites)
and the canonical definition (a JSON-able dict) that the store keeps.

Units: distances in km; times are aware datetimes, compared as instants.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from shapely.geometry.base import BaseGeometry

from trucewatch.types import Agreement, Party, Zone

__all__ = [
    "DEFINITION_VERSION",
    "EXCEPTION_KINDS",
    "STATUSES",
    "WEAPON_CLASSES",
    "ZONE_KINDS",
    "AgreementException",
    "Clause",
    "LoadedAgreement",
    "Site",
    "SiteSet",
    "WeaponClass",
]

_T = TypeVar("_T")

DEFINITION_VERSION = 1
"""Version of the canonical definition dict (:attr:`LoadedAgreement.definition`)."""

ZONE_KINDS: tuple[str, ...] = ("security", "withdrawal")
"""``security``: a band either side of the line where clauses restrict activity;
``withdrawal``: a band from which a weapon class must be withdrawn."""

EXCEPTION_KINDS: tuple[str, ...] = ("self_defence", "other")
"""Kinds of exception; exceptions are recorded and reported, never judged."""

STATUSES: tuple[str, ...] = ("signed", "declared", "proposed", "illustrative")
"""Optional status of the text: signed by the parties, declared (unilaterally or
reciprocally), proposed (never took effect; assessed as if it had), illustrative."""


@dataclass(frozen=True)
class WeaponClass:
    """A weapon class of withdrawal zones.

    ``zone_width_km`` is the default *total* width of its withdrawal zone (the distance
    the two sides' weapons must be apart, as the Minsk package words it), or ``None``
    when a file must give the width. The zone extends half of it on each side of the
    line; see ``docs/agreements.md`` for why.
    """

    key: str
    description: str
    zone_width_km: float | None


WEAPON_CLASSES: dict[str, WeaponClass] = {
    w.key: w
    for w in (
        WeaponClass("artillery_100mm", "artillery systems of calibre 100 mm and more", 50.0),
        WeaponClass("mlrs", "multiple-launch rocket systems (e.g. BM-21 Grad)", 70.0),
        WeaponClass("heavy_mlrs", "heavy MLRS Tornado-S, Uragan, Smerch", 140.0),
        WeaponClass("tactical_missile", "tactical missile systems Tochka, Tochka-U", 140.0),
        WeaponClass("tank", "tanks", None),
        WeaponClass("artillery_under_100mm", "artillery systems of calibre under 100 mm", None),
        WeaponClass("mortar", "mortars (up to 120 mm)", None),
    )
}
"""Known weapon classes. The widths of the first four are those of point 2 of the
Package of Measures for the Implementation of the Minsk Agreements (12 February 2015)."""


@dataclass(frozen=True, kw_only=True)
class Clause:
    """One clause: what it prohibits and where.

    ``zone`` names a zone of the agreement (``None``: wherever the scope applies).
    ``start``/``end`` narrow the clause to a later start or an earlier end than the
    agreement's (``None``: the agreement's own); aware datetimes.
    """

    id: str
    text: str
    prohibits: tuple[str, ...]
    zone: str | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class AgreementException:
    """An exception (e.g. self-defence): recorded with the clauses it qualifies (empty:
    all clauses) and quoted in assessments, never judged."""

    id: str
    text: str
    kind: str = "self_defence"
    clauses: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Site:
    """A protected site: a point or polygon in WGS84 lon/lat, with a name."""

    name: str
    geometry: BaseGeometry
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class SiteSet:
    """The protected sites of an agreement: a strike within ``buffer_km`` of any site
    (distance to the point, or to the polygon's edge; 0 inside) is a strike on it."""

    sites: tuple[Site, ...]
    buffer_km: float
    label: str = ""
    file: str = ""
    sha256: str = ""


class _FromSummary(Generic[_T]):
    """A read-only attribute of :class:`LoadedAgreement` that is the attribute of the same
    name of its summary (``LoadedAgreement.agreement``)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: LoadedAgreement, objtype: type | None = None) -> _T:
        value: _T = getattr(obj.agreement, self.name)
        return value


@dataclass(frozen=True, kw_only=True)
class LoadedAgreement:
    """An agreement as loaded from a file (or rebuilt from a stored definition).

    ``agreement`` is the summary the store and the reports use; ``definition`` is the
    canonical JSON-able form to store (the same file always gives the same dict, whatever
    its location; the sites are embedded). ``path`` is the file read, if any.
    """

    agreement: Agreement
    clauses: tuple[Clause, ...]
    exceptions: tuple[AgreementException, ...] = ()
    sites: SiteSet | None = None
    definition: dict[str, Any] = field(default_factory=dict)
    path: str | None = None

    # shortcuts to the summary (read-only)
    name = _FromSummary[str]()
    slug = _FromSummary[str]()
    start = _FromSummary[datetime]()
    end = _FromSummary[datetime]()
    scope = _FromSummary[str]()
    parties = _FromSummary[tuple[Party, ...]]()
    zones = _FromSummary[tuple[Zone, ...]]()

    def zone(self, name: str) -> Zone:
        """The zone called ``name`` (KeyError if none)."""
        for z in self.agreement.zones:
            if z.name == name:
                return z
        raise KeyError(name)

    def clause(self, clause_id: str) -> Clause:
        """The clause with id ``clause_id`` (KeyError if none)."""
        for c in self.clauses:
            if c.id == clause_id:
                return c
        raise KeyError(clause_id)

    def in_force(self, t: datetime) -> bool:
        """True when instant ``t`` lies in [start, end)."""
        return self.agreement.in_force(t)

    def with_id(self, agreement_id: int | None) -> LoadedAgreement:
        """The same agreement with the store's id set on its summary."""
        return replace(self, agreement=replace(self.agreement, id=agreement_id))
