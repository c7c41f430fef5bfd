"""The ``trucewatch`` command line (Typer). Thin: parse, call :mod:`trucewatch.app`,
print. With ``--json`` exactly one JSON object goes to stdout; progress and errors go to
stderr (``--quiet``: errors only). The command modules import the use cases inside each
command, and the script builds only the command it runs (:func:`app_for`), so that
``--help`` and light commands start fast. Errors are one line naming
file, record and field, with exit status 1.

Commands live in role modules; they are registered here, in the order ``--help`` lists
them."""

from __future__ import annotations

import copy
import sys
from collections.abc import Sequence
from typing import Annotated

import typer
from typer.main import get_command_name

from trucewatch.cli import analysis_cmds, sim_cmds, store_cmds
from trucewatch.cli.analysis_cmds import parse_app, thermal_app
from trucewatch.cli.bulletin_cmds import bulletin_app
from trucewatch.cli.claims_cmds import claims_app
from trucewatch.cli.common import set_principal
from trucewatch.cli.ledger_cmds import key_app, ledger_app
from trucewatch.cli.media_cmds import media_app
from trucewatch.cli.store_cmds import agreement_app, export_app, line_app, report_app
from trucewatch.cli.token_cmds import observation_app, token_app
from trucewatch.cli.witness_cmds import witness_app

__all__ = ["app", "main"]

app = typer.Typer(
    help="trucewatch: monitor and verify a ceasefire along a long front line.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

@app.callback()
def _root(
    role: Annotated[str, typer.Option(
        "--role", envvar="TRUCEWATCH_ROLE",
        help="Act as this role: analyst (default), monitor, liaison or public. The same "
             "permissions as the API (docs/ledger.md).")] = "analyst",
    party: Annotated[str | None, typer.Option(
        "--party", envvar="TRUCEWATCH_PARTY",
        help="The party a liaison acts for (its imports are that party's complaints).")] = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", envvar="TRUCEWATCH_QUIET",
        help="No progress bars or notes on stderr (for scripts); results and errors only.")
    ] = False,
) -> None:
    """trucewatch: monitor and verify a ceasefire along a long front line."""
    set_principal(role, party, quiet)


app.command()(store_cmds.init)
app.command("import")(store_cmds.import_)
app.command()(store_cmds.fuse)
app.command()(sim_cmds.simulate)
app.command()(sim_cmds.evaluate)
app.command()(sim_cmds.plan)
app.command("truce-effect")(analysis_cmds.truce_effect)
app.command()(store_cmds.serve)
app.command()(store_cmds.live)
app.command()(store_cmds.demo)

app.add_typer(line_app, name="line")
app.add_typer(agreement_app, name="agreement")
app.add_typer(thermal_app, name="thermal")
app.add_typer(parse_app, name="parse")
app.add_typer(ledger_app, name="ledger")
app.add_typer(key_app, name="key")
app.add_typer(witness_app, name="witness")
app.add_typer(report_app, name="report")
app.add_typer(export_app, name="export")
app.add_typer(claims_app, name="claims")
app.add_typer(token_app, name="token")
app.add_typer(observation_app, name="observation")
app.add_typer(media_app, name="media")
app.add_typer(bulletin_app, name="bulletin")


ROOT_OPTIONS_WITH_VALUE = frozenset({"--role", "--party"})
"""Root options followed by a value (``--role analyst``): skipped when looking for the
command's name."""


def command_named(args: Sequence[str]) -> str | None:
    """The command (or command group) ``args`` name after the root options, e.g. ``line``
    for ``--role monitor line list``; None when there is none or when the root's own help
    is asked for before it (``--help line``)."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("--help", "--"):
            return None
        if arg in ROOT_OPTIONS_WITH_VALUE:
            i += 2
        elif arg.startswith("-"):
            i += 1
        else:
            return arg
    return None


def app_for(args: Sequence[str]) -> typer.Typer:
    """The application to run for ``args``: the root with only the command (or group)
    they name, when it exists, else the whole application (its help, a mistyped name).

    Typer builds the Click command of every registered command, reading each one's
    signature and type hints, before it parses the command line (about 0.1 s for all of
    them); with one command registered it builds one. Parsing, the command's options, its
    help and errors are those of the whole application."""
    name = command_named(args)
    if name is None:
        return app
    commands = [c for c in app.registered_commands
                if (c.name or get_command_name(c.callback.__name__ if c.callback else "")) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if not commands and not groups:
        return app
    one = copy.copy(app)
    one.registered_commands, one.registered_groups = commands, groups
    return one


def main() -> None:
    """Entry point of the ``trucewatch`` script: runs the command the arguments name
    (:func:`app_for`)."""
    app_for(sys.argv[1:])()
