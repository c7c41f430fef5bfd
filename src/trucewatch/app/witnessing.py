"""Use cases of a witness operator (a party or a neutral body): create the witness key and
run the witness service (:mod:`trucewatch.ledger.witness`) for the logs it trusts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trucewatch.app.ledger import read_key_file
from trucewatch.errors import InputError, RecordError
from trucewatch.ledger.note import COSIGNATURE, NoteError, Signer, Verifier
from trucewatch.ledger.signing import generate_key, write_private_key
from trucewatch.ledger.witness import Witness, make_server


def new_witness_key(out: Path, name: str) -> dict[str, Any]:
    """Create the witness's Ed25519 key at ``out`` (mode 0600); returns its vkey."""
    if out.exists():
        raise InputError(RecordError(str(out), None, "--out", "file exists; not overwritten"))
    key = generate_key()
    try:
        vkey = Signer(name, key, COSIGNATURE).verifier.vkey()
    except NoteError as exc:
        raise InputError(RecordError("witness", None, "--name", str(exc))) from exc
    write_private_key(key, out)
    return {"key": str(out), "name": name, "vkey": vkey}


def witness_server(key: Path, name: str, logs: list[str], state: Path, host: str,
                   port: int) -> dict[str, Any]:  # fmt: skip
    """The witness's HTTP server, bound and ready to serve (``server``)."""
    try:
        verifiers = [Verifier.parse(v) for v in logs]
        signer = Signer(name, read_key_file(key), COSIGNATURE)
        signer.verifier.vkey()
    except NoteError as exc:
        raise InputError(RecordError("witness", None, "--log/--name", str(exc))) from exc
    by_origin: dict[str, list[Verifier]] = {}
    for v in verifiers:
        by_origin.setdefault(v.name, []).append(v)
    server = make_server(Witness(signer, by_origin, state), host, port)
    bound_host, bound_port = server.server_address[:2]
    url = f"http://{bound_host!s}:{bound_port}"
    return {"server": server, "name": name, "url": url, "vkey": signer.verifier.vkey()}
