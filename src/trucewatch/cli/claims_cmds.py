"""The ``claims`` group: import, adjudicate, list the parties' claims and the estimated
totals per sector and day (docs/claims.md). Registered in ``__init__``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from trucewatch.cli.common import (
    DbOpt,
    JsonOpt,
    SinceOpt,
    UntilOpt,
    _fail,
    _parse_time,
    _run,
    _show_pairs,
    err,
    out,
    out_file,
    run_on_store,
    table_of,
    with_store,
)

claims_app = typer.Typer(help="The parties' claims: import, read from text, adjudicate, list, "
                              "totals.",
                         no_args_is_help=True)  # fmt: skip


@claims_app.command("import")
def claims_import(
    files: Annotated[list[Path], typer.Argument(help="Claims files (.jsonl, .json, .csv; "
                                                     "complaint JSON Lines).")],
    skip_bad: Annotated[bool, typer.Option("--skip-bad",
                                           help="Store good records, list bad ones.")] = False,
    signatures: Annotated[Path | None, typer.Option(
        "--signatures", help="Signatures of the records (`trucewatch key sign-file`).")] = None,
    require_signatures: Annotated[bool, typer.Option(
        "--require-signatures", help="Refuse unless every claim is signed.")] = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import claims (all or none); a liaison imports only its own party's claims."""
    from trucewatch.app import claims

    def job() -> dict[str, Any]:
        return with_store(db, claims.import_claims, files, signatures=signatures,
                          skip_bad=skip_bad, require_signatures=require_signatures)

    def show(result: dict[str, Any]) -> None:
        out.print(f"read {result['read']}, stored {result['stored']}, duplicates "
                  f"{result['duplicates']}, rejected {result['rejected']}, signed "
                  f"{result['signed']}")  # fmt: skip
        for e in result["errors"][:20]:
            err.print(f"rejected: {e['file']}, line {e['line']}, field {e['field']!r}: "
                      f"{e['message']}", highlight=False)  # fmt: skip

    _run(job, as_json, show)


def _statement_time(value: str | None) -> date | datetime | None:
    """``--date``: a day (YYYY-MM-DD) or a time (ISO 8601; local time of the claimant
    without a zone)."""
    if value is None:
        return None
    try:
        if "T" in value or " " in value.strip():
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return date.fromisoformat(value.strip())
    except ValueError:
        _fail(f"--date {value!r}: not a date (YYYY-MM-DD) or an ISO 8601 time")
    return None


def _truce(value: str | None) -> tuple[datetime, datetime] | None:
    if value is None:
        return None
    try:
        a, b = (datetime.fromisoformat(v.strip().replace("Z", "+00:00"))
                for v in value.split("/"))  # fmt: skip
    except ValueError:
        _fail(f"--truce {value!r}: give START/END in ISO 8601 with a zone "
              "(e.g. 2025-04-19T15:00Z/2025-04-21T21:00Z)")
        raise  # unreachable
    if a.tzinfo is None or b.tzinfo is None or b <= a:
        _fail(f"--truce {value!r}: START/END need a zone and END after START")
    return a.astimezone(UTC), b.astimezone(UTC)


@claims_app.command("read-text")
def claims_read_text(
    file: Annotated[Path, typer.Argument(help="A statement or news text (UTF-8).")],
    lang: Annotated[str, typer.Option("--lang", help="Language of the text: en, uk or ru.")],
    date_: Annotated[str | None, typer.Option(
        "--date", help="When the statement was made: YYYY-MM-DD, or an ISO 8601 time "
                       "(the year of dates, 'yesterday', 'the past day').")] = None,
    claimant: Annotated[str | None, typer.Option(
        "--claimant", help="UA or RU: whose statement it is, for sentences that name no "
                           "speaker.")] = None,
    truce: Annotated[str | None, typer.Option(
        "--truce", help="START/END (ISO 8601): the period of claims 'during the truce'.")
    ] = None,
    out_path: Annotated[Path | None, typer.Option(
        "--out", help="Write the claim records (.jsonl, or .json for an array).")] = None,
    import_: Annotated[bool, typer.Option(
        "--import", help="Also store the claims (like claims import).")] = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Read claims (counts over a period, strikes at named places) from statement or news
    text in English, Ukrainian or Russian, into claim records; list what was not read."""
    from trucewatch.app import claims

    if lang not in ("en", "uk", "ru"):
        _fail(f"--lang {lang!r}: the text must be en, uk or ru")
    if out_path is not None:
        out_file(out_path, example="claims.jsonl")
    when, period = _statement_time(date_), _truce(truce)

    def job() -> dict[str, Any]:
        result = claims.read_text(file, lang, statement_date=when, claimant=claimant,
                                  truce=period)  # fmt: skip
        if out_path is not None:
            claims.write_records(result["records"], out_path)
            result["out"] = str(out_path)
        if import_:
            result["import"] = with_store(db, claims.import_records, result["records"],
                                          source=file.name)  # fmt: skip
        return result

    def show(result: dict[str, Any]) -> None:
        for r in result["records"]:
            where = r.get("place") or "whole front"
            when_ = (r.get("time_start_utc") or r.get("period_start_utc", ""))[:16]
            out.print(f"{r['type']:9} {r['claimant']}>{r.get('accused') or '?'}  "
                      f"{r.get('count') or ''!s:>6} {r.get('kind') or r.get('weapon') or ''}"
                      f"  {where}  from {when_}", highlight=False)  # fmt: skip
        out.print(f"read {result['claims']} claims ({result['items']} items, "
                  f"{result['aggregates']} aggregates); not read {len(result['unread'])}")
        for u in result["unread"][:20]:
            err.print(f"not read ({u['status']}): {u['reason']}: {u['text'][:100]}",
                      highlight=False)  # fmt: skip
        if "out" in result:
            out.print(f"wrote {result['out']}")
        if "import" in result:
            i = result["import"]
            out.print(f"stored {i['stored']}, duplicates {i['duplicates']}")

    _run(job, as_json, show)


@claims_app.command("adjudicate")
def claims_adjudicate(since: SinceOpt = None, until: UntilOpt = None, db: DbOpt = None,
                      as_json: JsonOpt = False) -> None:  # fmt: skip
    """Label the claims whose window starts in the period (all by default)."""
    from trucewatch.app import claims

    run_on_store(db, as_json, _show_pairs, claims.adjudicate, _parse_time(since, "--since"),
                 _parse_time(until, "--until"))  # fmt: skip


@claims_app.command("list")
def claims_list(
    party: Annotated[str | None, typer.Option("--party", help="Only this claimant.")] = None,
    since: SinceOpt = None, until: UntilOpt = None, db: DbOpt = None, as_json: JsonOpt = False,
) -> None:  # fmt: skip
    """The claims with their labels and reasons."""
    from trucewatch.app import claims

    show = table_of("claims", ("claim", "party", "type", "start", "count", "label", "reason"),
                    lambda c: (c["claim_id"], f"{c['claimant']}>{c['accused'] or '?'}",
                               c["type"], c["start"][:16], str(c["count"] or ""),
                               c["label"] or "pending", c["reason"] or ""))  # fmt: skip
    run_on_store(db, as_json, show, claims.list_claims, _parse_time(since, "--since"),
                 _parse_time(until, "--until"), claimant=party)  # fmt: skip


@claims_app.command("totals")
def claims_totals(
    criterion: Annotated[str, typer.Option(help="Model choice: aic or bic.")] = "aic",
    since: SinceOpt = None, until: UntilOpt = None, db: DbOpt = None, as_json: JsonOpt = False,
) -> None:  # fmt: skip
    """Estimated violations per sector and day (seen or not), with 90% intervals."""
    from trucewatch.app import claims

    fmt = (lambda x: "" if x is None else f"{x:.0f}")  # noqa: E731
    show = table_of("sector_days", ("sector", "day", "seen", "estimate", "90% interval",
                                    "status"),
                    lambda s: (s["sector"], s["day"], str(s["observed"]), fmt(s["total"]),
                               f"{fmt(s['low'])}-{fmt(s['high'])}" if s["low"] is not None
                               else "", s["status"]))  # fmt: skip
    run_on_store(db, as_json, show, claims.totals, _parse_time(since, "--since"),
                 _parse_time(until, "--until"), criterion=criterion)  # fmt: skip
