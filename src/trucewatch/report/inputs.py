"""The input of the daily report, gathered by the caller (CLI, API).

Re-exported by :mod:`trucewatch.report` and :mod:`trucewatch.report.daily`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from trucewatch.types import Agreement, Incident, Sector


@dataclass(frozen=True, kw_only=True)
class DailyReportInput:
    """Everything the daily report shows, gathered by the caller (CLI, API).

    ``incidents`` are those whose ``time_start`` falls on ``day`` (00:00-24:00 UTC).
    ``history`` is incidents per UTC day for the trend chart (for example the 14 previous
    days and ``day``); days missing inside its range are shown as zero, and the value for
    ``day`` itself is always ``len(incidents)`` so that chart and tables agree.
    ``sectors``, ``line_wkt`` and ``control_wkt`` are WGS84 and valid on ``day``;
    ``control_wkt`` is the area held by ``controlled_by``. ``agreements`` are those in
    force at some time on ``day``. ``observation_counts`` maps source kind -> observations
    received that day. ``data_sources`` are attribution lines shown verbatim.
    """

    day: date
    generated_at: datetime
    incidents: Sequence[Incident]
    history: Sequence[tuple[date, int]] = ()
    history_by_sector: Mapping[str, Sequence[tuple[date, int]]] | None = None
    sectors: Sequence[Sector] = ()
    line_wkt: str | None = None
    control_wkt: str | None = None
    line_name: str = ""
    line_valid_from: date | None = None
    controlled_by: str = "RU"
    other_party: str = "UA"
    agreements: Sequence[Agreement] = ()
    observation_counts: Mapping[str, int] = field(default_factory=dict)
    data_sources: Sequence[str] = ()
    claims: Sequence[Mapping[str, Any]] = ()
    """The parties' claims of the day with their verdicts (rows of
    :func:`trucewatch.app.claims.claim_dict`: ``claimant``, ``type``, ``label``, ...)."""
    language: str = "en"
    """The report's language: ``en``, ``uk`` or ``ru`` (:data:`trucewatch.i18n.LOCALES`);
    ``data_sources`` are expected in it already."""
    cosigned_head: Mapping[str, Any] | None = None
    """The latest log head the witnesses' quorum cosigned when the report was made
    (``origin``, ``tree_size``, ``root_hash`` hex, ``cosigned_by``, ``published_at``), or
    None when none was published."""
