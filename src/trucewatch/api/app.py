"""The FastAPI application: :func:`create_app` builds one per call (no app at import)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from trucewatch import __version__
from trucewatch.api.errors import install_error_handlers
from trucewatch.api.guard import BodyLimit, RateLimit, RateLimiter
from trucewatch.api.routers import agreements, incidents, layers, ledger, meta, observations
from trucewatch.api.routers import reports as report_routes
from trucewatch.api.settings import Settings
from trucewatch.api.state import AppState
from trucewatch.gc import server_gc

API_PREFIX = "/api"

DESCRIPTION = """\
Observations in, assessed incidents out, for a truce along a front line.

Send `Authorization: Bearer <token>`; roles: **analyst** (everything), **monitor** (submit,
read own submissions), **liaison** (a party's liaison: submit complaints, read published
findings, get proofs), **public** (published reports only; requests without a token).
Coordinates are WGS84 `[lon, lat]`, distances km, bearings degrees from true north,
times UTC. See docs/api.md.
"""


def web_root(settings: Settings) -> Path:
    """Folder of the dashboard (``trucewatch/web`` unless the settings say otherwise)."""
    if settings.web_dir is not None:
        return settings.web_dir
    return Path(str(resources.files("trucewatch") / "web"))


def leaflet_dir(root: Path) -> Path | None:
    """Leaflet's dist folder: ``web/vendor/leaflet`` (made by ``make web``), else
    ``web/node_modules/leaflet/dist`` (after ``npm ci`` in ``web``), else None."""
    for candidate in (root / "vendor" / "leaflet", root / "node_modules" / "leaflet" / "dist"):
        if (candidate / "leaflet.js").is_file():
            return candidate
    return None


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API and the dashboard on the store named by ``settings.db``."""
    settings = settings or Settings()
    state = AppState.open(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        with server_gc():
            yield
        state.close()

    app = FastAPI(
        title="trucewatch",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.trucewatch = state
    install_error_handlers(app)
    if settings.rate_per_second > 0:
        app.add_middleware(RateLimit, limiter=RateLimiter(settings.rate_per_second,
                                                          settings.rate_burst))  # fmt: skip
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
        )
    for module in (meta, observations, incidents, layers, agreements, report_routes, ledger):
        app.include_router(module.router, prefix=API_PREFIX)

    root = web_root(settings)
    leaflet = leaflet_dir(root)
    if leaflet is not None:
        app.mount("/vendor/leaflet", StaticFiles(directory=leaflet), name="leaflet")
    if (root / "static").is_dir():
        app.mount("/", StaticFiles(directory=root / "static", html=True), name="dashboard")
    return app
