"""The ``claims`` group: import, adjudicate, list the parties' claims and the estimated
totals per sector and day (docs/claims.md). Registered in ``__init__``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from trucewatch.cli.common import (
    DbOpt,
    JsonOpt,
    SinceOpt,
    UntilOpt,
    _parse_time,
    _run,
    _show_pairs,
    err,
    out,
    run_on_store,
    table_of,
    with_store,
)

claims_app = typer.Typer(help="The parties' claims: import, adjudicate, list, totals.",
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
