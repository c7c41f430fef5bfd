"""Query parameter groups, injected with ``Depends`` (one small dataclass per group)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import Cookie, Depends, Header, Query
from pydantic import StringConstraints

from trucewatch import i18n
from trucewatch.api.errors import Invalid
from trucewatch.app.views.incidents import MAX_PAGE, BBox, Cursor, IncidentFilter, Sort
from trucewatch.types import IncidentStatus

SAFE_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
"""Text parameters: no NUL or other control characters (PostgreSQL refuses NUL)."""

Text = Annotated[str, StringConstraints(max_length=200, pattern=SAFE_TEXT)]
Verdict = Literal["violation", "undetermined", "permitted"]
_STATUS = "|".join(s.value for s in IncidentStatus)
StatusList = Annotated[str, StringConstraints(pattern=rf"^({_STATUS})(,({_STATUS}))*$")]


def request_language(
    lang: Annotated[str | None, Query(max_length=35, description=(
        "language: en, uk or ru (else the trucewatch_lang cookie, else Accept-Language, "
        "else en)"))] = None,
    cookie: Annotated[str | None, Cookie(alias=i18n.COOKIE, max_length=35)] = None,
    accept_language: Annotated[str | None, Header(max_length=1000)] = None,
) -> str:
    """The language of a request (:func:`trucewatch.i18n.negotiate`): ``?lang=``, the
    dashboard's cookie, ``Accept-Language``, English."""
    return i18n.negotiate(lang, cookie, accept_language)


Language = Annotated[str, Depends(request_language)]
LANGUAGE_HEADERS = {"Vary": "Accept-Language, Cookie"}
"""Headers of a response whose language was negotiated (with ``Content-Language``)."""


def parse_bbox(value: str | None) -> BBox | None:
    """``west,south,east,north`` in WGS84 degrees."""
    if value is None:
        return None
    try:
        nums = [float(v) for v in value.split(",")]
    except ValueError:
        raise Invalid("bbox: four numbers west,south,east,north", field="bbox") from None
    if len(nums) != 4 or not all(math.isfinite(n) for n in nums):
        raise Invalid("bbox: four finite numbers west,south,east,north", field="bbox")
    try:
        return BBox(west=nums[0], south=nums[1], east=nums[2], north=nums[3])
    except ValueError as exc:
        raise Invalid(str(exc), field="bbox") from None


def utc_param(value: datetime | None, name: str) -> datetime | None:
    """An aware UTC datetime (naive taken as UTC); 422 when it cannot be expressed in UTC."""
    if value is None:
        return None
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise Invalid(f"{name}: out of range", field=name) from None


def parse_cursor(value: str | None) -> Cursor | None:
    if value is None:
        return None
    try:
        return Cursor.decode(value)
    except ValueError as exc:
        raise Invalid(f"cursor: {exc}", field="cursor") from None


def _split(values: list[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for v in values or []:
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return tuple(out)


@dataclass
class IncidentQuery:
    """Filters of the incident list (all optional; lists accept repeats or commas)."""

    bbox: Annotated[
        str | None, Query(description="west,south,east,north (WGS84 degrees)", max_length=200)
    ] = None
    since: Annotated[datetime | None, Query(description="time_start >= since (UTC)")] = None
    until: Annotated[datetime | None, Query(description="time_start < until (UTC)")] = None
    sector: Annotated[list[Text] | None, Query(description="sector names")] = None
    status: Annotated[
        list[StatusList] | None, Query(description=f"statuses ({_STATUS.replace('|', ', ')})")
    ] = None
    party: Annotated[
        list[Text] | None, Query(description="attributed party code, or 'undetermined'")
    ] = None
    kind: Annotated[list[Text] | None, Query(description="event kinds")] = None
    min_confidence: Annotated[float | None, Query(ge=0.0, le=1.0, allow_inf_nan=False)] = None
    agreement: Annotated[
        str | None, Query(description="agreement slug", max_length=200, pattern=SAFE_TEXT)
    ] = None
    clause: Annotated[
        str | None, Query(description="clause id", max_length=200, pattern=SAFE_TEXT)
    ] = None
    verdict: Annotated[Verdict | None, Query(description="verdict against the agreement")] = None

    def to_filter(self) -> IncidentFilter:
        return IncidentFilter(
            bbox=parse_bbox(self.bbox),
            since=utc_param(self.since, "since"),
            until=utc_param(self.until, "until"),
            sectors=_split(self.sector),
            statuses=_split(self.status),
            parties=_split(self.party),
            kinds=_split(self.kind),
            min_confidence=self.min_confidence,
            agreement=self.agreement,
            clause=self.clause,
            verdict=self.verdict,
        )


@dataclass
class PageQuery:
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="page size")] = 1000
    cursor: Annotated[
        str | None, Query(description="next_cursor of the previous page", max_length=400)
    ] = None
    count: Annotated[bool, Query(description="also count all matches (numberMatched)")] = False


@dataclass
class IncidentPageQuery(PageQuery):
    sort: Annotated[
        Sort,
        Query(description="time (oldest first), -time (newest first) or -confidence (most "
                          "confident first, then newest); a cursor continues its own order"),
    ] = "time"
