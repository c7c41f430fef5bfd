"""The dashboard's page, in the language of the request (:mod:`trucewatch.i18n`).

``GET /`` renders ``web/templates/index.html`` (Jinja2 with the gettext extension) in the
negotiated language and embeds that language's messages for the scripts as JSON; the
scripts, styles and vendored libraries are static files. The page is the same for every
role: what a role may see is decided by the API.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from trucewatch import i18n
from trucewatch.api.params import LANGUAGE_HEADERS, Language

TEMPLATE = "index.html"


@lru_cache(maxsize=8)
def _environment(templates: Path, locale: str) -> Environment:
    """One Jinja environment per language (gettext callables are per environment)."""
    env = Environment(
        loader=FileSystemLoader(templates),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


def render_page(templates: Path, locale: str) -> str:
    """The dashboard page in ``locale`` (one of :data:`trucewatch.i18n.LOCALES`)."""
    catalogue = {"locale": locale, "messages": i18n.messages(locale),
                 "languages": i18n.language_names()}  # fmt: skip
    # "</" cannot end the script element that holds the JSON
    data = json.dumps(catalogue, ensure_ascii=False).replace("</", "<\\/")
    return _environment(templates, locale).get_template(TEMPLATE).render(
        locale=locale, languages=i18n.language_names(), catalogue=data)  # fmt: skip


def install_dashboard(app: FastAPI, templates: Path) -> None:
    """Serve the page at ``/`` and ``/index.html``."""

    @app.get("/", include_in_schema=False, response_class=HTMLResponse)
    @app.get("/index.html", include_in_schema=False, response_class=HTMLResponse)
    def dashboard(locale: Language) -> HTMLResponse:
        page = render_page(templates, locale)
        return HTMLResponse(page, headers={"Content-Language": locale, **LANGUAGE_HEADERS})
