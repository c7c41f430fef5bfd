"""Exact instants from the local times of agreement texts.

A truce "from 18:00 Moscow time" is the instant 15:00 UTC; a time without a zone is
ambiguous by up to a day along a front that spans time zones, so it is refused. A time is
written either with an explicit UTC offset (``"2025-04-19T18:00+03:00"``) or as a local
time with the agreement's ``timezone`` (an IANA name such as ``"Europe/Moscow"``, or a
fixed offset such as ``"+03:00"``). Local times that do not exist (skipped by a daylight
saving change) or exist twice (repeated by one) are refused too: give the offset.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache

from trucewatch import limits
from trucewatch.agreements.problem import AgreementProblem, did_you_mean

__all__ = ["TimeZoneSpec", "iso_local", "parse_instant", "parse_timezone"]

_OFFSET = re.compile(r"^(?:UTC)?([+-])(\d{2}):?(\d{2})$", re.IGNORECASE)
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TimeZoneSpec:
    """A time zone as written in a file: ``name`` (IANA key, ``"UTC"`` or ``"+03:00"``)
    and the ``tzinfo`` it stands for."""

    name: str
    tz: tzinfo


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def parse_timezone(value: object, field: str = "timezone") -> TimeZoneSpec:
    """The time zone named by ``value``.

    Accepts an IANA name (``"Europe/Kyiv"``), ``"UTC"``/``"Z"``, or a fixed offset
    (``"+03:00"``, ``"UTC+03:00"``, ``"-0130"``).

    Raises
    ------
    AgreementProblem
        Not a string, or an unknown name (with the closest IANA name, if any).
    """
    if not isinstance(value, str) or not value.strip():
        raise AgreementProblem(field, "must be a time zone name such as 'Europe/Kyiv'")
    text = value.strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return TimeZoneSpec("UTC", UTC)
    m = _OFFSET.match(text)
    if m:
        hours, minutes = int(m[2]), int(m[3])
        if hours > 23 or minutes > 59:
            raise AgreementProblem(field, f"bad UTC offset {text!r}")
        delta = timedelta(hours=hours, minutes=minutes) * (-1 if m[1] == "-" else 1)
        return TimeZoneSpec(f"{m[1]}{hours:02d}:{minutes:02d}", timezone(delta))
    try:
        return TimeZoneSpec(text, zoneinfo.ZoneInfo(text))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        hint = did_you_mean(text, _zone_names())
        raise AgreementProblem(
            field, f"unknown time zone {text!r}{hint} (use an IANA name or an offset like +03:00)"
        ) from None


def _to_datetime(value: object, field: str) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        raise AgreementProblem(
            field, f"{value.isoformat()} is a date without a time of day: write e.g. "
            f"\"{value.isoformat()}T00:00\""
        )
    if isinstance(value, time):
        raise AgreementProblem(field, "a time of day without a date")
    if not isinstance(value, str):
        raise AgreementProblem(field, "must be a date and time such as \"2025-04-19T18:00\"")
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise AgreementProblem(
            field, f"{text!r} is a date without a time of day: write e.g. \"{text}T00:00\""
        )
    if not _DATETIME.match(text):
        raise AgreementProblem(
            field, f"{text!r} is not a date and time such as \"2025-04-19T18:00\" or "
            "\"2025-04-19T18:00+03:00\""
        )
    try:
        return datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "zZ" else text)
    except ValueError as e:
        raise AgreementProblem(field, f"{text!r}: {e}") from None


def _localize(naive: datetime, zone: TimeZoneSpec, field: str) -> datetime:
    """Attach ``zone`` to a wall-clock time, refusing skipped and repeated times."""
    first = naive.replace(tzinfo=zone.tz, fold=0)
    second = naive.replace(tzinfo=zone.tz, fold=1)
    back = first.astimezone(UTC).astimezone(zone.tz).replace(tzinfo=None, fold=0)
    if back != naive:
        raise AgreementProblem(
            field, f"{naive.isoformat(timespec='minutes')} does not exist in {zone.name} "
            "(skipped by a daylight-saving change): give the time with its UTC offset"
        )
    if first.utcoffset() != second.utcoffset():
        raise AgreementProblem(
            field, f"{naive.isoformat(timespec='minutes')} happens twice in {zone.name} "
            "(repeated by a daylight-saving change): give the time with its UTC offset"
        )
    return first


def parse_instant(value: object, zone: TimeZoneSpec | None, field: str) -> datetime:
    """The exact instant of a date-time written in an agreement file.

    Parameters
    ----------
    value : str or datetime
        ``"2025-04-19T18:00"`` (local, needs ``zone``), ``"2025-04-19T18:00+03:00"`` or
        ``"...Z"`` (explicit offset), or a TOML date-time value.
    zone : TimeZoneSpec, optional
        The agreement's time zone. With an explicit offset as well, the offset must be
        the zone's offset at that instant (catches daylight-saving slips).
    field : str
        Dotted key path, for the error.

    Returns
    -------
    datetime
        Aware, in ``zone`` when given (so that it prints as local time), else in the
        written offset.
    """
    dt = _to_datetime(value, field)
    problem = limits.year_problem(dt, field)
    if problem is not None:
        raise AgreementProblem(*problem)
    if dt.tzinfo is None or dt.utcoffset() is None:
        if zone is None:
            raise AgreementProblem(
                field, f"{dt.isoformat(timespec='minutes')} has no time zone: add "
                "timezone = \"Europe/Kyiv\" (say) at the top of the file, or write the "
                "offset, e.g. \"2025-04-19T18:00+03:00\""
            )
        return _localize(dt.replace(tzinfo=None), zone, field)
    if zone is None:
        return dt
    local = dt.astimezone(zone.tz)
    if local.utcoffset() != dt.utcoffset():
        raise AgreementProblem(
            field, f"{dt.isoformat(timespec='minutes')} has offset {_fmt_offset(dt)} but "
            f"{zone.name} is at {_fmt_offset(local)} at that instant"
        )
    return local


def _fmt_offset(dt: datetime) -> str:
    off = dt.utcoffset() or timedelta(0)
    sign = "-" if off < timedelta(0) else "+"
    minutes = abs(int(off.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def iso_local(dt: datetime) -> str:
    """ISO 8601 with the local offset, seconds precision (``2025-04-19T18:00:00+03:00``);
    microseconds are kept when present."""
    return dt.isoformat(timespec="microseconds" if dt.microsecond else "seconds")

