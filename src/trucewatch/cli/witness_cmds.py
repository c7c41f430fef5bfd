"""The ``witness`` group: what a party or a neutral body runs to cosign the mission's log
heads (c2sp.org/tlog-witness), and the mission's commands that talk to witnesses
(``ledger vkey``, ``ledger cosign``, ``ledger tiles``, registered on the ``ledger`` group)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trucewatch.cli.common import DbOpt, JsonOpt, _run, _show_pairs, err, out, run_on_store
from trucewatch.cli.ledger_cmds import KeyOpt, ledger_app

witness_app = typer.Typer(
    help="Witness: cosign the mission's log heads after checking the log only grew.",
    no_args_is_help=True,
)

OriginOpt = Annotated[str, typer.Option(
    "--origin", help="The log's name in its checkpoints, e.g. mission.example/log.")]  # fmt: skip
NameOpt = Annotated[str, typer.Option("--name", help="The witness's name, e.g. ua.example/w1.")]


@witness_app.command("new-key")
def witness_new_key(
    out_file: Annotated[Path, typer.Option("--out", help="Private key file to create (PEM).")],
    name: NameOpt,
    as_json: JsonOpt = False,
) -> None:
    """Create the witness's key; give the printed vkey to the mission and to the parties."""
    from trucewatch.app import witnessing

    _run(lambda: witnessing.new_witness_key(out_file, name), as_json, _show_pairs)


@witness_app.command("serve")
def witness_serve(
    key: Annotated[Path, typer.Option("--key", help="The witness's private key (PEM).")],
    name: NameOpt,
    log: Annotated[list[str], typer.Option(
        "--log", help="Verifier key (vkey) of a log to witness; its name is the log's origin. "
        "Repeat for several logs.")],
    state: Annotated[Path, typer.Option(
        "--state", help="Folder for the latest cosigned checkpoints and the evidence.")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8780,
) -> None:
    """Serve POST /add-checkpoint (and GET /state) until interrupted."""
    from trucewatch.app import witnessing

    server = _run(lambda: witnessing.witness_server(key, name, log, state, host, port),
                  False, lambda r: out.print(f"witness {r['name']} on {r['url']}, vkey "
                                             f"{r['vkey']}"))["server"]  # fmt: skip
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@ledger_app.command("vkey")
def ledger_vkey(key: KeyOpt, origin: OriginOpt, as_json: JsonOpt = False) -> None:
    """Print the verifier key of the mission's checkpoints (for the witnesses)."""
    from trucewatch.app import cosign

    _run(lambda: cosign.mission_vkey(key, origin), as_json, _show_pairs)


@ledger_app.command("cosign")
def ledger_cosign(
    key: KeyOpt,
    origin: OriginOpt,
    witness: Annotated[list[str], typer.Option(
        "--witness", help="URL=VKEY of a witness (repeat).")],
    quorum: Annotated[int, typer.Option(help="Cosignatures needed to publish.")] = 2,
    require: Annotated[list[str] | None, typer.Option(
        "--require", help="A witness (its key name) whose cosignature is needed (repeat).")
    ] = None,
    publish: Annotated[Path | None, typer.Option(
        help="Folder to write the cosigned checkpoint to (with the tiles).")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Send the latest signed tree head to the witnesses as a checkpoint; publish it (in
    the store, and to --publish) once the quorum cosigned it (exit 1 otherwise)."""
    from trucewatch.app import cosign

    names = tuple(require or ())
    needed = cosign.Quorum(names, max(quorum, len(names)))
    result = run_on_store(db, as_json, _show_pairs, cosign.cosign, key, origin, witness,
                          quorum=needed, publish=publish)  # fmt: skip
    if not result["quorum_reached"]:
        raise typer.Exit(code=1)


@ledger_app.command("publish")
def ledger_publish(
    config: Annotated[Path, typer.Option(
        "--config", help="The publishing configuration (TOML: origin, key, witnesses, quorum).")],
    once: Annotated[bool, typer.Option(
        "--once", help="Publish once and exit (exit 1 when the quorum was not reached).")
    ] = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Sign and cosign heads as entries arrive: every few seconds (the configuration's
    every_s), a new tree head when the log grew, published once the quorum cosigned it."""
    from trucewatch.app import cosign

    if once:
        result = run_on_store(db, as_json, _show_pairs, cosign.publish_head, config)
        if not (result.get("published") or result.get("up_to_date")):
            raise typer.Exit(code=1)
        return
    run_on_store(db, as_json, _show_pairs, cosign.publish_forever, config,
                 started=lambda c: err.print(f"publishing heads of {c.origin} every {c.every_s} s "
                                       f"(quorum: {c.quorum.describe()}); Ctrl-C to stop"))


@ledger_app.command("tiles")
def ledger_tiles(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the tiles to.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the log up to the latest signed tree head as C2SP tiles (static files)."""
    from trucewatch.app import cosign

    run_on_store(db, as_json, _show_pairs, cosign.tiles, out_dir)
