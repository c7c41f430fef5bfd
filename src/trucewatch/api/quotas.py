"""Daily quotas of submitted records per API token (``docs/security.md``).

Each token may submit so many records per UTC day: its own quota when it was issued with
one (``trucewatch token new --daily-quota N``, or ``daily_quota`` in the token file),
else its role's (``Settings.daily_quota_monitor``, ``_liaison``, ``_analyst``; 0 means no
quota). A record is one stored observation (one event of a patrol record or complaint, one
FIRMS row) or one claim. The count is kept in the store and charged in the transaction
that stores the submission (:mod:`trucewatch.store.quotas`), so every API process of the
store shares it and a submission that would pass the quota is refused whole: 429 with
``Retry-After`` (seconds to the next midnight UTC).

An idempotent replay (the same ``Idempotency-Key`` and body) stores nothing and is not
counted; claims already stored and sent again are not counted either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from trucewatch.api.settings import Settings
from trucewatch.app.roles import Principal, Role
from trucewatch.app.submissions import DailyQuota


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class DailyQuotas:
    """The quota of each role (records per UTC day; 0: none) and the clock that says which
    UTC day a submission counts on (tests set another)."""

    by_role: Mapping[Role, int]
    clock: Callable[[], datetime] = field(default=_utc_now)

    @classmethod
    def from_settings(cls, settings: Settings) -> DailyQuotas:
        return cls({Role.MONITOR: settings.daily_quota_monitor,
                    Role.LIAISON: settings.daily_quota_liaison,
                    Role.ANALYST: settings.daily_quota_analyst})  # fmt: skip

    def limit_of(self, principal: Principal) -> int | None:
        """Records per UTC day the principal may submit, or None (no quota: no token, or
        a role without one)."""
        if principal.token_sha256 is None:
            return None
        if principal.daily_quota is not None:
            return principal.daily_quota
        return self.by_role.get(principal.role, 0) or None

    def quota_of(self, principal: Principal) -> DailyQuota | None:
        """The principal's quota as it stands now (what a submission is charged to)."""
        limit = self.limit_of(principal)
        if limit is None:
            return None
        assert principal.token_sha256 is not None
        return DailyQuota(principal.token_sha256, limit, self.clock())
