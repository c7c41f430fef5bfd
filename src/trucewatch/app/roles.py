"""Who may do what: the one role table shared by the API and the command line.

Roles: **analyst** (the mission's analysts: everything except filing a party's complaint),
**monitor** (submit observations, read its own submissions, map layers and agreements),
**liaison** (a party's liaison officer: submit complaints, read published findings and
reports, get ledger proofs), **public** (published findings, map layers and published
reports: what anyone may see without a token).

The API maps an access token to a :class:`Principal`; the command line acts as
:data:`OPERATOR` (an analyst: whoever holds the database file) unless told otherwise with
``--role``/``--party`` (or ``TRUCEWATCH_ROLE``/``TRUCEWATCH_PARTY``), so a liaison officer
given a terminal on the mission's machine is held to the same rules as over the API. The
use-case layer (:mod:`trucewatch.app`) checks the permission of every call with
:func:`require`; a submission by a principal who may only complain is turned into a party
complaint by :func:`prepare_submission` in both paths.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from trucewatch.errors import TrucewatchError
from trucewatch.ids import observation_uid
from trucewatch.kinds import SOURCE_KINDS
from trucewatch.types import Observation, SourceKind


class Role(StrEnum):
    ANALYST = "analyst"
    MONITOR = "monitor"
    LIAISON = "liaison"
    PUBLIC = "public"


class Permission(StrEnum):
    SUBMIT_OBSERVATIONS = "submit_observations"
    SUBMIT_COMPLAINTS = "submit_complaints"
    READ_OWN_SUBMISSIONS = "read_own_submissions"
    READ_ALL_OBSERVATIONS = "read_all_observations"
    READ_ALL_INCIDENTS = "read_all_incidents"
    READ_PUBLISHED_FINDINGS = "read_published_findings"
    READ_MAP_LAYERS = "read_map_layers"
    READ_AGREEMENTS = "read_agreements"
    READ_ALL_REPORTS = "read_all_reports"
    READ_PUBLISHED_REPORTS = "read_published_reports"
    READ_LEDGER = "read_ledger"
    MANAGE_MISSION = "manage_mission"
    """Load contact lines and agreements, fuse, publish reports, sign tree heads, register
    and revoke submitters' keys."""
    REVIEW_INCIDENTS = "review_incidents"
    """Confirm, reject, merge, split, relabel, annotate and publish incidents; sign off a
    period's reviewed bulletin (:mod:`trucewatch.app.review`)."""


P = Permission
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ANALYST: frozenset(set(P) - {P.SUBMIT_COMPLAINTS}),
    Role.MONITOR: frozenset(
        {P.SUBMIT_OBSERVATIONS, P.READ_OWN_SUBMISSIONS, P.READ_MAP_LAYERS, P.READ_AGREEMENTS}
    ),
    Role.LIAISON: frozenset({
        P.SUBMIT_COMPLAINTS, P.READ_OWN_SUBMISSIONS, P.READ_PUBLISHED_FINDINGS,
        P.READ_MAP_LAYERS, P.READ_AGREEMENTS, P.READ_PUBLISHED_REPORTS, P.READ_LEDGER,
    }),
    Role.PUBLIC: frozenset(
        {P.READ_PUBLISHED_FINDINGS, P.READ_MAP_LAYERS, P.READ_PUBLISHED_REPORTS}
    ),
}  # fmt: skip
"""What each role may do. Analysts may do everything except file a party's complaint."""


class PermissionDenied(TrucewatchError):
    """The principal may not do this; the message says what was needed."""


@dataclass(frozen=True)
class Principal:
    """Who is asking: name, role, party (for a liaison) and whether they authenticated;
    for an API token, its SHA-256 (what its daily quota is counted by) and its own daily
    quota in records (None: the role's default)."""

    name: str
    role: Role
    party: str | None = None
    authenticated: bool = True
    token_sha256: str | None = field(default=None, compare=False, repr=False)
    daily_quota: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.role is Role.LIAISON and not self.party:
            raise ValueError(f"{self.name}: a liaison acts for a party (give its party)")

    @property
    def permissions(self) -> frozenset[Permission]:
        return PERMISSIONS[self.role]

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


OPERATOR = Principal("operator", Role.ANALYST)
"""The command line's default principal: whoever holds the database acts as an analyst."""


def role_of(value: str) -> Role:
    """A role from its name, or a ValueError listing the roles."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {value!r} (one of {known})") from None


def require(principal: Principal, *any_of: Permission) -> None:
    """Raise :class:`PermissionDenied` unless the principal holds one of ``any_of``."""
    if any(principal.can(p) for p in any_of):
        return
    wanted = " or ".join(p.value for p in any_of)
    raise PermissionDenied(f"role {principal.role.value} may not do this (needs {wanted})")


def submits_complaints(principal: Principal) -> bool:
    """True when the principal's submissions are party complaints (a liaison); raises
    :class:`PermissionDenied` when it may not submit at all."""
    if principal.can(Permission.SUBMIT_OBSERVATIONS):
        return False
    if principal.can(Permission.SUBMIT_COMPLAINTS):
        return True
    raise PermissionDenied(f"role {principal.role.value} may not submit")


def as_complaint(o: Observation, party: str) -> Observation:
    """A liaison's record as the party's complaint: own uid space (the same record sent by a
    monitor and by a party are two observations), and the source id and default grading of
    every complaint of that party (:data:`~trucewatch.kinds.SOURCE_KINDS`: ``complaint:<party>``,
    C4, as a complaint file gives them), so the party counts once however it complains."""
    from trucewatch.sources import complaint

    model = SOURCE_KINDS[SourceKind.PARTY_COMPLAINT]
    index = int(o.attributes.get("event_index") or 0)
    return dataclasses.replace(
        o,
        uid=observation_uid(complaint.NAME, f"{party}\n{o.payload}", index),
        source_kind=model.kind,
        source_format=complaint.NAME,
        source_id=model.source_id(party),
        reliability=model.grading.reliability,
        credibility=model.grading.credibility,
        attributes={**o.attributes, "complainant": party, "reported_source_id": o.source_id},
    )


def prepare_submission(principal: Principal,
                       observations: Sequence[Observation]) -> list[Observation]:  # fmt: skip
    """The observations as this principal may store them: unchanged for a monitor or an
    analyst; for a liaison, patrol records become the party's complaints (any other format
    is refused)."""
    if not submits_complaints(principal):
        return list(observations)
    for o in observations:
        if o.source_format != "patrol":
            raise PermissionDenied(
                f"a party's complaints are patrol records, not {o.source_format!r} records")
    assert principal.party is not None
    return [as_complaint(o, principal.party) for o in observations]
