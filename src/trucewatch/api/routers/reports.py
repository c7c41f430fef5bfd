"""Daily reports: the JSON of ``trucewatch.report.build_report`` and the HTML report.
The public and the parties' liaisons see published days only. Both are in the language
of the request, negotiated as for the dashboard (``?lang=``, the ``trucewatch_lang``
cookie, ``Accept-Language``, English)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import HTMLResponse

from trucewatch.api.auth import Permission, Principal, require
from trucewatch.api.errors import ERROR_RESPONSES, NotFound, not_found
from trucewatch.api.params import LANGUAGE_HEADERS, Language
from trucewatch.api.reports import report_days, report_document, report_files
from trucewatch.api.schemas import ReportDay, ReportDocument, ReportList
from trucewatch.api.state import AppState, app_state

router = APIRouter(prefix="/reports", tags=["reports"], responses=ERROR_RESPONSES)
State = Annotated[AppState, Depends(app_state)]
Reader = Annotated[
    Principal,
    Depends(require(Permission.READ_ALL_REPORTS, Permission.READ_PUBLISHED_REPORTS)),
]
DayPath = Annotated[date, Path(description="UTC day YYYY-MM-DD")]
NOT_FOUND = not_found("no such (published) report")


def _visible(state: AppState, principal: Principal, day: date) -> None:
    if not principal.can(Permission.READ_ALL_REPORTS) and not state.day_published(day):
        raise NotFound(f"the report for {day} is not published yet")
    days = report_days(state)
    if not days or not days[0] <= day <= days[-1]:
        raise NotFound(f"no report for {day}: the store has incidents from "
                       f"{days[0] if days else '-'} to {days[-1] if days else '-'}")


@router.get("", response_model=ReportList, summary="Days with a daily report")
def list_reports(request: Request, state: State, principal: Reader) -> ReportList:
    all_days = principal.can(Permission.READ_ALL_REPORTS)
    items = []
    for day in report_days(state):
        published = state.day_published(day)
        if published or all_days:
            base = str(request.url_for("get_report", day=day.isoformat()))
            items.append(ReportDay(date=day, published=published, json_url=base,
                                   html_url=base + "/html"))  # fmt: skip
    return ReportList(reports=items, published_before=state.published_before())


@router.get("/{day}", response_model=ReportDocument, responses=NOT_FOUND,
            summary="The daily report as JSON")  # fmt: skip
def get_report(day: DayPath, state: State, principal: Reader, language: Language,
               response: Response) -> ReportDocument:  # fmt: skip
    _visible(state, principal, day)
    response.headers.update({"Content-Language": language, **LANGUAGE_HEADERS})
    return ReportDocument.model_validate(report_document(state, day, principal, language))


@router.get(
    "/{day}/html",
    response_model=None,
    responses={**NOT_FOUND, 200: {"content": {"text/html": {"schema": {"type": "string"}}},
                                  "description": "the report page"}},
    summary="The daily report as a self-contained HTML page",
)
def get_report_html(day: DayPath, state: State, principal: Reader,
                    language: Language) -> HTMLResponse:  # fmt: skip
    _visible(state, principal, day)
    _, html = report_files(state, day, principal, language)
    return HTMLResponse(html.read_text(encoding="utf-8"),
                        headers={"Content-Language": language, **LANGUAGE_HEADERS})
