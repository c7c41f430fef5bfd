"""Settings of the API server, read from ``TRUCEWATCH_*`` environment variables.

``TRUCEWATCH_DB`` is the store URL (the same variable the command line reads);
``TRUCEWATCH_TOKENS_FILE`` a JSON or TOML file of access tokens (see :mod:`.auth`);
``TRUCEWATCH_TOKENS`` the same list inline as JSON. CORS is off unless
``TRUCEWATCH_CORS_ORIGINS`` lists origins (JSON list).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from trucewatch import limits
from trucewatch.app.session import default_db_url

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"
"""Names of token holders (shown in batch logs as ``by:<name>``)."""


class TokenSpec(BaseModel):
    """One access token: who holds it, with which role (and, for a party liaison, which
    party). Give the token itself (``token``) or, better, only its SHA-256 hex digest
    (``token_sha256``) so the file holds no secret."""

    name: str = Field(pattern=NAME_PATTERN)
    role: str = Field(description="analyst | monitor | liaison | public")
    token: SecretStr | None = None
    token_sha256: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{64}$")
    party: str | None = Field(default=None, pattern=r"^[A-Z]{2,8}$")
    daily_quota: int | None = Field(
        default=None, ge=1, le=1_000_000_000,
        description="records this token may submit per UTC day (default: its role's)")


class Settings(BaseSettings):
    """Everything :func:`trucewatch.api.create_app` needs; tests build one per case."""

    model_config = SettingsConfigDict(env_prefix="TRUCEWATCH_", extra="ignore")

    db: str = Field(default_factory=default_db_url, description="store URL")
    tokens_file: Path | None = Field(default=None, description="JSON or TOML token list")
    tokens: list[TokenSpec] = Field(default_factory=list, description="inline token list")
    anonymous_role: str | None = Field(
        default="public", description="role of requests without a token (None: refuse them)"
    )
    cors_origins: list[str] = Field(default_factory=list, description="CORS origins; off")
    publish_lag_hours: float = Field(
        default=0.0,
        ge=0.0,
        le=24.0 * 366 * 100,
        description="a UTC day's findings and report are published this long after it ends",
    )
    max_batch_records: int = Field(default=10_000, ge=1, le=1_000_000)
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024,
                                description="largest request body on any route (413)")
    max_media_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1024, le=limits.MAX_MEDIA_BYTES,
        description="largest evidence media file (413); the body limit applies as well")
    media_dir: Path | None = Field(
        default=None, description="folder of the evidence media files (default: beside a "
        "SQLite store's file; required for PostgreSQL)")
    rate_per_second: float = Field(default=600.0, ge=0.0,
                                   description="requests per second per token (0: no limit)")
    rate_burst: float = Field(default=1200.0, ge=1.0,
                              description="requests a token may send at once (429 after)")
    daily_quota_monitor: int = Field(
        default=1_000_000, ge=0, le=1_000_000_000,
        description="records (observations, claims) a monitor token may submit per UTC "
                    "day (0: no quota)")
    daily_quota_liaison: int = Field(
        default=20_000, ge=0, le=1_000_000_000,
        description="records (complaints, claims) a party liaison's token may submit per "
                    "UTC day (0: no quota)")
    daily_quota_analyst: int = Field(
        default=0, ge=0, le=1_000_000_000,
        description="records an analyst token may submit per UTC day (0: no quota)")
    idempotency_ttl_hours: float = Field(default=24.0, gt=0.0)
    idempotency_lease_s: float = Field(
        default=60.0, gt=0.0,
        description="how long a request holds its idempotency key before another API "
                    "process may take the key over (a process that died mid-request)",
    )
    report_cache_dir: Path | None = Field(
        default=None, description="where daily reports are rendered (default: a temp dir)"
    )
    ledger: bool = Field(default=True, description="use the Merkle log when the store has it")
    cosign_config: Path | None = Field(
        default=None,
        description="publishing configuration (TOML, docs/ledger.md 8.4): when given, the "
        "server signs a tree head as entries arrive and publishes it once the witnesses' "
        "quorum cosigned it",
    )
    cosigned_wait_max_s: float = Field(
        default=60.0, ge=0.0, le=600.0,
        description="longest a write may wait for a cosigned head (Prefer: wait=N)",
    )
    require_signatures: bool = Field(
        default=False, description="refuse submitted records without a valid key signature"
    )
    bulletins: bool = Field(
        default=False, description="run the bulletin scheduler in the server (automatic "
        "bulletins at the lags, the daily report at the cut-off)")
    bulletin_lags_hours: list[float] = Field(
        default_factory=lambda: [1.0, 6.0, 24.0],
        description="automatic bulletins this many hours after each UTC day ends")
    bulletin_fuse: bool = Field(default=False,
                                description="re-fuse a period before its automatic bulletin")
    bulletin_interval_seconds: float = Field(default=60.0, ge=1.0, le=3600.0,
                                             description="how often the scheduler looks")
    cutoff: str = Field(default="19:30", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                        description="the mission's daily cut-off, local time HH:MM")
    cutoff_tz: str = Field(default="Europe/Kyiv", description="IANA zone of the cut-off")
    web_dir: Path | None = Field(default=None, description="dashboard files (default: packaged)")
    live: bool = Field(
        default=False,
        description="fuse submissions as they arrive and send alerts (`trucewatch serve` "
                    "turns it on; docs/operations.md)",
    )
    bus: str = Field(default="auto", pattern="^(auto|memory|postgres)$",
                     description="message bus: postgres (LISTEN/NOTIFY), memory, or auto")
    live_poll_s: float = Field(default=2.0, gt=0.0, le=3600.0,
                               description="live fusion looks for new batches this often")
    live_quiet_s: float = Field(default=10.0, ge=0.0, le=86_400.0,
                                description="refresh after this long without arrivals")
    live_refresh_s: float = Field(default=300.0, ge=1.0, le=86_400.0,
                                  description="refresh at least this often under load")
    live_seed_days: int = Field(default=2, ge=0, le=366,
                                description="UTC days of observations loaded at start")
    webhook_base_s: float = Field(default=1.0, gt=0.0, le=3600.0,
                                  description="first retry of a failed webhook after this")
    webhook_cap_s: float = Field(default=60.0, gt=0.0, le=86_400.0,
                                 description="longest wait between webhook retries")
    webhook_give_up_s: float = Field(default=6 * 3600.0, gt=0.0, le=30 * 86_400.0,
                                     description="a webhook alert is a dead letter after this")
    webhook_timeout_s: float = Field(default=5.0, gt=0.0, le=120.0)
    webhook_allowed_hosts: list[str] = Field(
        default_factory=list, max_length=256,
        description="host names, addresses or CIDR networks webhooks may reach besides "
                    "public addresses (loopback, private and reserved ones are refused "
                    "otherwise); JSON list in TRUCEWATCH_WEBHOOK_ALLOWED_HOSTS")  # fmt: skip
    stream_heartbeat_s: float = Field(default=15.0, gt=0.0, le=300.0,
                                      description="comment line sent on a quiet stream")
    osm_tiles_url: str = Field(
        default="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        description="tile URL the dashboard uses when its 'OSM tiles' toggle is on",
    )
