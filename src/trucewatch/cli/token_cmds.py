"""The ``token`` group (API access tokens: new, list, revoke, rotate) and
``observation retract``."""

from __future__ import annotations

import re
import sys
from datetime import timedelta
from typing import Annotated, Any

import typer

from trucewatch.cli.common import DbOpt, JsonOpt, _fail, err, run_on_store, table_of

token_app = typer.Typer(help="API access tokens: issue, list, revoke, rotate.",
                        no_args_is_help=True)  # fmt: skip
observation_app = typer.Typer(help="Observations: retract one (logged, never deleted).",
                              no_args_is_help=True)  # fmt: skip

_DURATION = re.compile(r"^(\d{1,6})([smhdw])$")
_UNIT = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str | None, option: str) -> timedelta | None:
    """``90d``, ``12h``, ``30m``, ``2w`` as a duration; None for None or ``never``."""
    if text is None or text.strip().lower() == "never":
        return None
    m = _DURATION.match(text.strip().lower())
    if m is None:
        _fail(f"{option} {text!r}: give a duration such as 90d, 12h, 30m or 2w, or never")
        return None
    return timedelta(**{_UNIT[m[2]]: int(m[1])})


ExpiresOpt = Annotated[str | None, typer.Option(
    "--expires", help="Lifetime: 90d, 12h, 30m, 2w (default: until revoked).")]  # fmt: skip


def _print_token(result: dict[str, Any]) -> None:
    """The token alone on stdout (one line, for scripts); the hint on stderr."""
    sys.stdout.write(result["token"] + "\n")
    until = result["expires_at"].isoformat() if result["expires_at"] else "until revoked"
    quota = (f", {result['daily_quota']} records per UTC day" if result.get("daily_quota")
             else "")  # fmt: skip
    err.print(f"token for {result['name']} ({result['role']}"
              f"{', party ' + result['party'] if result['party'] else ''}), valid {until}"
              f"{quota}; "
              "it is shown only now: send it as 'Authorization: Bearer <token>'",
              highlight=False, soft_wrap=True)  # fmt: skip


@token_app.command("new")
def token_new(
    role: Annotated[str, typer.Option("--role", help="analyst | monitor | liaison | public")],
    party: Annotated[str | None, typer.Option("--party", help="Party of a liaison (UA).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Holder (default: role-xxxxxx).")
                    ] = None,
    expires: ExpiresOpt = None,
    daily_quota: Annotated[int | None, typer.Option(
        "--daily-quota", min=1, help="Records (observations, complaints, claims) the token may "
        "submit per UTC day (default: the server's setting for its role).")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Issue a token: prints the token (once) on stdout, a hint on stderr."""
    from trucewatch.app import tokens

    life = parse_duration(expires, "--expires")
    run_on_store(db, as_json, _print_token, tokens.new_token, role, name=name, party=party,
                 expires_in=life, daily_quota=daily_quota)  # fmt: skip


@token_app.command("list")
def token_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List issued tokens (ids and holders, never the tokens)."""
    from trucewatch.app import tokens

    show = table_of("tokens", ("id", "name", "role", "party", "created", "expires",
                               "daily quota", "active"),
                    lambda r: (r["id"], r["name"], r["role"], r["party"] or "",
                               r["created_at"].isoformat(timespec="seconds"),
                               r["expires_at"].isoformat(timespec="seconds")
                               if r["expires_at"] else "never",
                               str(r["daily_quota"]) if r["daily_quota"] else "role's",
                               "yes" if r["active"] else "no"))  # fmt: skip
    run_on_store(db, as_json, show, tokens.list_tokens)


@token_app.command("revoke")
def token_revoke(
    name_or_id: Annotated[str, typer.Argument(help="Holder name (all its tokens) or token id.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke tokens: refused from the next request on."""
    from trucewatch.app import tokens

    run_on_store(db, as_json, lambda r: err.print(f"revoked {r['revoked']} token(s)"),
                 tokens.revoke_token, name_or_id)  # fmt: skip


@token_app.command("rotate")
def token_rotate(
    name: Annotated[str, typer.Argument(help="Holder whose token is replaced.")],
    grace: Annotated[str | None, typer.Option(
        "--grace", help="How long the old token keeps working (default: not at all).")] = None,
    expires: ExpiresOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Issue a new token for a holder (same role, party and daily quota) and retire the old
    ones."""
    from trucewatch.app import tokens

    run_on_store(db, as_json, _print_token, tokens.rotate_token, name,
                 grace=parse_duration(grace, "--grace") or timedelta(0),
                 expires_in=parse_duration(expires, "--expires"))  # fmt: skip


@observation_app.command("retract")
def observation_retract(
    uid: Annotated[str, typer.Argument(help="Observation uid (64 hex digits).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (logged in the ledger).")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Retract an observation: kept and logged, left out of the next fuse."""
    from trucewatch.app import retractions

    run_on_store(db, as_json, lambda r: err.print(
        f"retracted {r['observation']} (ledger entry {r['ledger_index']})"),
        retractions.retract_observation, uid, reason)  # fmt: skip
