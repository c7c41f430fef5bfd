"""trucewatch.report: the daily report (HTML + JSON) with its map and charts.

>>> from trucewatch.report import DailyReportInput, write_daily_report  # doctest: +SKIP
>>> paths = write_daily_report(DailyReportInput(day=..., generated_at=..., incidents=...), out)

The report is self-contained (images embedded as base64 PNG, no external URL) and never
touches the database or the command line: the caller gathers a :class:`DailyReportInput`.
"""

from trucewatch.report.daily import (
    OUTSIDE_SECTORS,
    DailyReportInput,
    ReportPaths,
    build_report,
    render_html,
    write_daily_report,
)
from trucewatch.report.text import summary_sentences

__all__ = [
    "OUTSIDE_SECTORS",
    "DailyReportInput",
    "ReportPaths",
    "build_report",
    "render_html",
    "summary_sentences",
    "write_daily_report",
]
