"""trucewatch over HTTP: the FastAPI app (``create_app(settings)``) and its settings.

>>> from trucewatch.api import Settings, create_app  # doctest: +SKIP
>>> app = create_app(Settings(db="sqlite:///trucewatch.db"))

Serve it with ``trucewatch serve`` or ``uvicorn --factory trucewatch.api:create_app``.
"""

from trucewatch.api.app import create_app
from trucewatch.api.settings import Settings, TokenSpec

__all__ = ["Settings", "TokenSpec", "create_app"]
