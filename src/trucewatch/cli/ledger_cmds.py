"""The ``ledger`` group: verify the record, proofs, the mission key, signed tree heads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from trucewatch.cli.common import DbOpt, JsonOpt, _run, _show_pairs, _store, out

ledger_app = typer.Typer(
    help="Ledger: verify the record, proofs, the mission key, signed tree heads.",
    no_args_is_help=True,
)

KeyOpt = Annotated[Path, typer.Option("--key", help="Mission private key (PEM).")]


@ledger_app.command("verify")
def ledger_verify(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Check the whole store against the append-only log (exit 1 if anything is wrong)."""
    from trucewatch import ledger_service

    def job() -> dict[str, Any]:
        with _store(db) as store:
            return ledger_service.verify(store)

    def show(result: dict[str, Any]) -> None:
        state = "OK" if result["ok"] else "FAILED"
        out.print(f"{state}: {result['entries']} entries, root {result['root_hash']}, "
                  f"{result['tree_heads']} signed tree heads, "
                  f"{result['unsigned_entries']} entries not yet signed")  # fmt: skip
        for p in result["problems"][:50]:
            out.print(f"  entry {p.get('index')}: {p.get('kind')}: {p.get('message')}")

    if not _run(job, as_json, show)["ok"]:
        raise typer.Exit(code=1)


@ledger_app.command("proof")
def ledger_proof(
    ref: Annotated[str, typer.Argument(help="Observation uid (or other logged id).")],
    db: DbOpt = None,
    as_json: JsonOpt = True,
) -> None:
    """Print an inclusion proof (JSON) for a logged id against the latest tree head.
    The output is always JSON (``--json`` is accepted for uniformity)."""
    from trucewatch import ledger_service

    def job() -> dict[str, Any]:
        with _store(db) as store:
            return ledger_service.proof(store, ref)

    _run(job, True, _show_pairs)


@ledger_app.command("init-key")
def ledger_init_key(
    key: KeyOpt,
    owner: Annotated[str, typer.Option(help="Who holds the key.")] = "mission",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create the mission's signing key and register it in the log."""
    from trucewatch import ledger_service

    def job() -> dict[str, Any]:
        with _store(db) as store:
            return ledger_service.init_key(store, key, owner)

    _run(job, as_json, _show_pairs)


@ledger_app.command("sign")
def ledger_sign(key: KeyOpt, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Sign a tree head for the whole log with the mission key."""
    from trucewatch import ledger_service

    def job() -> dict[str, Any]:
        with _store(db) as store:
            return ledger_service.sign(store, key)

    _run(job, as_json, _show_pairs)
