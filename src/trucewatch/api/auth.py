"""Access tokens, roles and what each role may see.

Roles (issue 8): **analyst** (everything), **monitor** (submit observations, read its own
submissions), **liaison** (a party's liaison officer: submit complaints, read published
findings, get proofs), **public** (published findings, map layers and published reports).
Requests without a token get ``Settings.anonymous_role`` (public by default, or refused); a
token that is given but unknown or malformed is always refused (401), never downgraded.

Tokens are sent as ``Authorization: Bearer <token>``; the server keeps only their SHA-256.

The roles, permissions and the table of what each role may do live in the core
(:mod:`trucewatch.app.roles`), shared with the command line; routes ask for a
:class:`Permission`, never for a role.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import TypeAdapter, ValidationError

from trucewatch.api.errors import Forbidden, Unauthorized
from trucewatch.api.settings import Settings, TokenSpec
from trucewatch.app.roles import PERMISSIONS, Permission, Principal, Role

__all__ = ["PERMISSIONS", "CurrentPrincipal", "Permission", "Principal", "Role", "TokenTable",
           "require", "token_digest"]


def token_digest(token: str) -> str:
    """SHA-256 hex of a token (what token files should hold)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenTable:
    """Token digest -> :class:`Principal`, from the settings' list and file, then the
    tokens issued by ``trucewatch token new`` (``issued``: looked up in the store on every
    request, so a revocation or an expiry takes effect at once)."""

    def __init__(self, specs: Iterable[TokenSpec], anonymous_role: str | None,
                 issued: Callable[[str], Principal | None] | None = None) -> None:  # fmt: skip
        self._issued = issued
        self._by_digest: dict[str, Principal] = {}
        for spec in specs:
            role = _role(spec.role, spec.name)
            if role is Role.LIAISON and not spec.party:
                raise ValueError(f"token {spec.name!r}: a liaison token needs its party")
            if spec.token is not None:
                digest = token_digest(spec.token.get_secret_value())
            elif spec.token_sha256 is not None:
                digest = spec.token_sha256.lower()
            else:
                raise ValueError(f"token {spec.name!r}: give token or token_sha256")
            self._by_digest[digest] = Principal(spec.name, role, spec.party,
                                                token_sha256=digest,
                                                daily_quota=spec.daily_quota)  # fmt: skip
        anon = None if anonymous_role in (None, "", "none") else _role(anonymous_role, "anonymous")
        self.anonymous = None if anon is None else Principal("anonymous", anon, None, False)

    @classmethod
    def from_settings(cls, settings: Settings,
                      issued: Callable[[str], Principal | None] | None = None) -> TokenTable:
        specs = list(settings.tokens)
        if settings.tokens_file is not None:
            specs.extend(read_token_file(settings.tokens_file))
        return cls(specs, settings.anonymous_role, issued)

    def lookup(self, token: str) -> Principal | None:
        found = self._by_digest.get(token_digest(token))
        if found is None and self._issued is not None and len(token) <= MAX_TOKEN_CHARS:
            found = self._issued(token)
        return found


def _role(value: str, who: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        known = [r.value for r in Role]
        raise ValueError(f"{who}: unknown role {value!r} (one of {known})") from None


def read_token_file(path: Path) -> list[TokenSpec]:
    """Tokens from a JSON (``[{...}]`` or ``{"tokens": [...]}``) or TOML
    (``[[tokens]]`` tables) file."""
    raw = path.read_bytes()
    data: Any = tomllib.loads(raw.decode()) if path.suffix == ".toml" else json.loads(raw)
    if isinstance(data, dict):
        data = data.get("tokens", [])
    try:
        return TypeAdapter(list[TokenSpec]).validate_python(data)
    except ValidationError as exc:
        raise ValueError(f"{path}: {exc}") from exc


MAX_TOKEN_CHARS = 256
"""Longer bearer tokens are refused without a lookup."""

_bearer = HTTPBearer(auto_error=False, description="an access token issued by the mission")


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The principal of the request (dependency; ``async`` because it never blocks: FastAPI
    runs it on the event loop instead of handing it to a worker thread)."""
    tokens: TokenTable = request.app.state.trucewatch.tokens
    header = request.headers.get("authorization")
    if header is None:
        if tokens.anonymous is None:
            raise Unauthorized("a token is required: send 'Authorization: Bearer <token>'")
        return tokens.anonymous
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("malformed Authorization header: use 'Bearer <token>'")
    principal = tokens.lookup(credentials.credentials)
    if principal is None:
        raise Unauthorized("unknown or revoked token")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require(*any_of: Permission) -> Callable[..., Awaitable[Principal]]:
    """Dependency: the principal, if it holds at least one of ``any_of``; else 403 (or
    401 for an anonymous request, so a client knows a token would help)."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if any(principal.can(p) for p in any_of):
            return principal
        wanted = " or ".join(p.value for p in any_of)
        if not principal.authenticated:
            raise Unauthorized(f"this needs a token with permission {wanted}")
        raise Forbidden(f"role {principal.role.value} may not do this (needs {wanted})")

    return dependency
