"""The ``ledger`` group (verify the record, proofs, the mission key, signed tree heads) and
the ``key`` group (submitters' keys: create, register, revoke, list, sign a file)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from trucewatch.cli.common import (
    DbOpt,
    JsonOpt,
    _run,
    _show_pairs,
    out,
    out_file,
    read_on_store,
    run_on_store,
    table_of,
)

ledger_app = typer.Typer(
    help="Ledger: verify the record, proofs, the mission key, signed tree heads.",
    no_args_is_help=True,
)

KeyOpt = Annotated[Path, typer.Option("--key", help="Mission private key (PEM).")]
OwnerOpt = Annotated[str, typer.Option("--owner", help="Who holds the key.")]


@ledger_app.command("verify")
def ledger_verify(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Check the whole store against the append-only log (exit 1 if anything is wrong)."""
    from trucewatch.app import ledger

    def show(result: dict[str, Any]) -> None:
        state = "OK" if result["ok"] else "FAILED"
        out.print(f"{state}: {result['entries']} entries, root {result['root_hash']}, "
                  f"{result['tree_heads']} signed tree heads, "
                  f"{result['unsigned_entries']} entries not yet signed")  # fmt: skip
        for p in result["problems"][:50]:
            out.print(f"  entry {p.get('index')}: {p.get('kind')}: {p.get('message')}")

    if not read_on_store(db, as_json, show, ledger.verify)["ok"]:
        raise typer.Exit(code=1)


@ledger_app.command("proof")
def ledger_proof(
    ref: Annotated[str, typer.Argument(help="Observation uid (or other logged id).")],
    db: DbOpt = None,
    as_json: JsonOpt = True,
) -> None:
    """Print an inclusion proof (JSON) for a logged id against the latest tree head.
    The output is always JSON (``--json`` is accepted for uniformity)."""
    from trucewatch.app import ledger

    read_on_store(db, True, _show_pairs, ledger.proof, ref)


@ledger_app.command("init-key")
def ledger_init_key(
    key: KeyOpt,
    owner: OwnerOpt = "mission",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create the mission's signing key and register it in the log."""
    from trucewatch.app import ledger

    run_on_store(db, as_json, _show_pairs, ledger.init_key, key, owner)


@ledger_app.command("sign")
def ledger_sign(key: KeyOpt, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Sign a tree head for the whole log with the mission key."""
    from trucewatch.app import ledger

    read_on_store(db, as_json, _show_pairs, ledger.sign, key)


@ledger_app.command("export")
def ledger_export(
    out_file: Annotated[Path, typer.Option("--out", help="Export file to write (JSON Lines).")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the whole record (entries, tree heads, every stored row) for a party's audit."""
    from trucewatch.app import log_export

    run_on_store(db, as_json, _show_pairs, log_export.export_log, out_file)


@ledger_app.command("replay")
def ledger_replay(
    export: Annotated[Path | None, typer.Option(
        "--export", help="Replay this export (no database needed) instead of the store.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Recompute every logged decision from the logged inputs and compare (exit 1 if any
    differs)."""
    from trucewatch.app import replay

    def show(r: dict[str, Any]) -> None:
        state = "OK" if r["ok"] else "FAILED"
        out.print(f"{state}: {r['runs']} fusion runs replayed, {r['decisions_reproduced']} of "
                  f"{r['decisions_compared']} decisions reproduced, "
                  f"{r['unreplayable_decisions']} logged without a run to replay")  # fmt: skip
        for line in r["engine_differences"]:
            out.print(f"  engine differs: {line}")
        for m in r["mismatches"][:50]:
            out.print(f"  incident {m['incident']} (entry {m['entry']}): {m['problem']}")
        for p in r["audit_problems"][:50]:
            out.print(f"  audit: {p['message']}")
        for name in r["missing_inputs"][:50]:
            out.print(f"  input no longer stored: {name}")

    if export is not None:
        result = _run(lambda: replay.replay_export(replay.read_export(export)), as_json, show)
    else:
        result = run_on_store(db, as_json, show, replay.replay)
    if not result["ok"]:
        raise typer.Exit(code=1)


key_app = typer.Typer(
    help="Submitters' keys: create one, register or revoke it, list them, sign a file.",
    no_args_is_help=True,
)


@key_app.command("new")
def key_new(
    out_path: Annotated[Path, typer.Option("--out", help="Private key file to create (PEM).")],
    as_json: JsonOpt = False,
) -> None:
    """Create a submitter's key pair on this device; register the printed public key with
    the mission (`trucewatch key add`)."""
    from trucewatch.app import keys

    target = out_file(out_path, example="submitter.pem")
    _run(lambda: keys.new_key(target), as_json, _show_pairs)


@key_app.command("add")
def key_add(
    public_key: Annotated[str, typer.Argument(help="Public key: 64 hex digits or a PEM file.")],
    role: Annotated[str, typer.Option("--role", help="Key role: monitor, sensor or liaison.")],
    owner: OwnerOpt,
    party: Annotated[str | None, typer.Option(
        "--party", help="The party a liaison key acts for (required for liaison keys).")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a submitter's public key with the mission (logged in the ledger)."""
    from trucewatch.app import keys

    run_on_store(db, as_json, _show_pairs, keys.add_key, public_key, role, owner, party=party)


@key_app.command("revoke")
def key_revoke(
    key_id: Annotated[str, typer.Argument(help="Key id (64 hex digits).")],
    reason: Annotated[str, typer.Option(help="Why (logged).")] = "",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a key: its signatures are refused from now on (logged in the ledger)."""
    from trucewatch.app import keys

    read_on_store(db, as_json, _show_pairs, keys.revoke_key, key_id, reason)


@key_app.command("list")
def key_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List the registered keys."""
    from trucewatch.app import keys

    show = table_of("keys", ("key id", "role", "owner", "active"), lambda k: (
        k["key_id"][:16] + "...", k["role"], k["owner"],
        "yes" if k["active"] else f"revoked {k['revoked_at']}"))  # fmt: skip
    read_on_store(db, as_json, show, keys.list_keys)


@key_app.command("sign-file")
def key_sign_file(
    file: Annotated[Path, typer.Argument(help="Submission file (any import format).")],
    key: Annotated[Path, typer.Option("--key", help="Your private key (PEM).")],
    out_path: Annotated[Path, typer.Option("--out", help="Signatures file to write (JSONL).")],
    fmt: Annotated[str | None, typer.Option("--format", help="Format (default: sniffed).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Sign every record of a file for `trucewatch import FILE --signatures OUT`."""
    from trucewatch.app import keys

    target = out_file(out_path, example="signatures.jsonl")
    _run(lambda: keys.sign_file(file, key, target, fmt), as_json, _show_pairs)
