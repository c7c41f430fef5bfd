"""Clauses that prohibit heavy weapons in a withdrawal zone (weapon-class zones, as in
the Minsk package: a class of weapon withdrawn to half the zone's width from the line)."""

from __future__ import annotations

from trucewatch.agreements.clauses.base import (
    Check,
    ClauseCase,
    ClauseCheck,
    IncidentFacts,
    ScopeTerms,
    Tri,
)
from trucewatch.agreements.clauses.steps import kind_words, zone_check
from trucewatch.agreements.model import LoadedAgreement

__all__ = ["KIND_WEAPON_CLASSES", "HeavyWeaponsPresenceClause"]

KIND_WEAPON_CLASSES: dict[str, frozenset[str]] = {
    "artillery": frozenset({"artillery_100mm"}),
    "explosion": frozenset({"artillery_100mm", "mlrs", "heavy_mlrs", "tactical_missile"}),
    "projectile": frozenset({"artillery_100mm", "mlrs", "heavy_mlrs", "tactical_missile"}),
    "undetermined": frozenset({"artillery_100mm", "mlrs", "heavy_mlrs", "tactical_missile"}),
}
"""Weapon classes an event of each kind may have been fired by (for withdrawal zones)."""


class HeavyWeaponsPresenceClause(ClauseCheck):
    """Weapons of the zone's class are prohibited in the withdrawal zone. An event can
    suggest such a weapon nearby but never establishes where it stood: at best the
    clause cannot be judged."""

    key = "heavy_weapons_presence"

    def words(self, scope: ScopeTerms) -> str:
        return "heavy weapons in the withdrawal zone"

    def checks(self, case: ClauseCase) -> list[Check]:
        zone = case.clause.zone
        assert zone is not None  # the loader requires a withdrawal zone
        return [case.timing, _presence_check(case.facts, case.agreement, zone),
                zone_check(case.facts, case.agreement, zone)]


def _presence_check(f: IncidentFacts, ag: LoadedAgreement, zone_name: str) -> Check:
    z = ag.zone(zone_name)
    classes = KIND_WEAPON_CLASSES.get(f.kind, frozenset())
    if z.weapon_class not in classes:
        return Check(Tri.NO, f"{kind_words(f.kind)} does not indicate a weapon of class "
                     f"{z.weapon_class}")
    return Check(Tri.UNKNOWN, f"{kind_words(f.kind)} suggests a weapon of class "
                 f"{z.weapon_class} nearby, but the firing position and the weapon are not "
                 "established by the incident")
