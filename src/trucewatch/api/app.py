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
from trucewatch.api.dashboard import install_dashboard
from trucewatch.api.docs import install_docs
from trucewatch.api.errors import install_error_handlers
from trucewatch.api.guard import BodyLimit, RateLimit, RateLimiter
from trucewatch.api.routers import (
    agreements,
    claims,
    incidents,
    layers,
    ledger,
    media,
    meta,
    observations,
    stream,
    subscriptions,
)
from trucewatch.api.routers import reports as report_routes
from trucewatch.api.routers import review as review_routes
from trucewatch.api.scheduler import bulletin_scheduler
from trucewatch.api.settings import Settings
from trucewatch.api.state import AppState
from trucewatch.gc import server_gc

API_PREFIX = "/api"

DESCRIPTION = """\
Observations in, assessed incidents out, for a truce along a front line.

Send `Authorization: Bearer <token>`; roles: **analyst** (everything), **monitor** (submit,
read own submissions), **liaison** (a party's liaison: submit complaints, read published
findings, get proofs), **public** (published findings, map layers and reports; requests
without a token).
Coordinates are WGS84 `[lon, lat]`, distances km, bearings degrees from true north,
times UTC. See docs/api.md.
"""


def web_root(settings: Settings) -> Path:
    """Folder of the dashboard (``trucewatch/web`` unless the settings say otherwise)."""
    if settings.web_dir is not None:
        return settings.web_dir
    return Path(str(resources.files("trucewatch") / "web"))


VENDOR: dict[str, tuple[str, str]] = {
    "leaflet": ("leaflet/dist", "leaflet.js"),
    "markercluster": ("leaflet.markercluster/dist", "leaflet.markercluster.js"),
    "swagger-ui": ("swagger-ui-dist", "swagger-ui-bundle.js"),
    "redoc": ("redoc/bundles", "redoc.standalone.js"),
}
"""Browser libraries served at ``/vendor/<name>``: their folder inside ``node_modules`` and
a file that must be there (``make web`` copies them to ``web/vendor/<name>``)."""


def vendor_dir(root: Path, name: str) -> Path | None:
    """The folder of the browser library ``name`` (:data:`VENDOR`): ``web/vendor/<name>``
    (made by ``make web``), else its folder in ``web/node_modules`` (after ``npm ci``),
    else None."""
    package, marker = VENDOR[name]
    for candidate in (root / "vendor" / name, root / "node_modules" / package):
        if (candidate / marker).is_file():
            return candidate
    return None


def leaflet_dir(root: Path) -> Path | None:
    """Leaflet's folder (see :func:`vendor_dir`)."""
    return vendor_dir(root, "leaflet")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API and the dashboard on the store named by ``settings.db``."""
    settings = settings or Settings()
    state = AppState.open(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        with server_gc():
            async with bulletin_scheduler(state):
                yield
        state.close()

    app = FastAPI(
        title="trucewatch",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served from the vendored Swagger UI and ReDoc (api/docs.py)
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
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID"],
        )
    for module in (meta, observations, media, incidents, layers, agreements, report_routes,
                   ledger, claims, review_routes, stream, subscriptions):
        app.include_router(module.router, prefix=API_PREFIX)

    root = web_root(settings)
    install_docs(app, f"{API_PREFIX}/openapi.json", API_PREFIX)
    for name in VENDOR:
        folder = vendor_dir(root, name)
        if folder is not None:
            app.mount(f"/vendor/{name}", StaticFiles(directory=folder), name=f"vendor-{name}")
    if (root / "templates" / "index.html").is_file():
        install_dashboard(app, root / "templates")
    if (root / "static").is_dir():
        app.mount("/", StaticFiles(directory=root / "static", html=True), name="dashboard")
    return app
