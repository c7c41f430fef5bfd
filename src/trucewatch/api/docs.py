"""The API's documentation pages, offline: Swagger UI (``/api/docs``) and ReDoc
(``/api/redoc``) from the npm packages ``swagger-ui-dist`` and ``redoc`` that ``make web``
copies to ``web/vendor`` (served at ``/vendor/swagger-ui`` and ``/vendor/redoc``); ``/docs``
and ``/redoc`` lead there. No page loads anything from another host: no CDN, no web fonts,
no validator badge, and a Content-Security-Policy that allows only this server."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse

SWAGGER = "/vendor/swagger-ui"
REDOC = "/vendor/redoc"
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' blob:; worker-src 'self' blob:; "
       "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'")
"""What the docs pages may load: only this server (ReDoc's bundle would fetch its maker's
logo from a CDN; the browser refuses that here)."""


def _local_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = CSP
    return page


def install_docs(app: FastAPI, openapi_url: str, prefix: str) -> None:
    """Add ``{prefix}/docs``, ``{prefix}/redoc`` and the short ``/docs`` and ``/redoc``."""
    title = f"{app.title} API"

    @app.get(f"{prefix}/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _local_only(get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None, "tryItOutEnabled": False},
        ))

    @app.get(f"{prefix}/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _local_only(get_redoc_html(
            openapi_url=openapi_url,
            title=title,
            redoc_js_url=f"{REDOC}/redoc.standalone.js",
            redoc_favicon_url=f"{SWAGGER}/favicon-32x32.png",
            with_google_fonts=False,
        ))

    @app.get("/docs", include_in_schema=False)
    def docs() -> RedirectResponse:
        return RedirectResponse(f"{prefix}/docs")

    @app.get("/redoc", include_in_schema=False)
    def redoc_short() -> RedirectResponse:
        return RedirectResponse(f"{prefix}/redoc")
