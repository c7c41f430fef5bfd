"""Property-based tests of the API from its own OpenAPI schema (schemathesis): whatever a
client sends within or around the documented schema, the answer is documented, has the
documented shape and content type, and is never a 5xx. A bounded number of examples per
operation keeps the run under a minute."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.api.conftest import TOKEN_SPECS, auth, build_store

from trucewatch.api import Settings, create_app
from trucewatch.types import ContactLine, Sector

EXAMPLES = int(os.environ.get("TRUCEWATCH_SCHEMATHESIS_EXAMPLES", "12"))
"""Cases per operation and mode (12 in CI; issue 20's 20,000-case negative run:
``TRUCEWATCH_SCHEMATHESIS_EXAMPLES=400``)."""
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def app_schema(
    tmp_path_factory: pytest.TempPathFactory,
    derived_line: tuple[ContactLine, list[Sector]],
    firms_head: Path,
) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("schemathesis")
    url = f"sqlite:///{folder / 'store.db'}"
    build_store(url, derived_line, firms_head)
    app = create_app(Settings(db=url, tokens=TOKEN_SPECS, report_cache_dir=folder / "reports"))
    yield schemathesis.openapi.from_asgi("/api/openapi.json", app)


ENDLESS = {"/api/stream"}
"""Operations whose answer never ends (the live event stream: a call would not return);
tests/api/test_live.py reads it."""


def _operations(schema: Any) -> list[Any]:
    operations = [result.ok() for result in schema.get_all_operations()]
    return [op for op in operations if op.path not in ENDLESS]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_from_its_schema(app_schema: Any, mode: GenerationMode) -> None:
    """Every operation, EXAMPLES cases each, valid (positive) and invalid (negative) data.

    (schemathesis' own pytest plugin does not run under pytest 9, so the Hypothesis loop is
    driven here: one ``@given`` per operation.)"""
    failures: list[str] = []
    for operation in _operations(app_schema):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), database=None)  # fmt: skip
        def run(case: Any) -> None:
            role = "monitor" if case.method == "POST" else "analyst"
            headers = {**(case.headers or {}), **auth(role)}
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Unsatisfiable:  # nothing to make invalid (an operation without parameters)
            continue
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
            failures.append(f"{operation.label}: {type(exc).__name__}: {exc}"[:2000])
    assert not failures, "\n\n".join(failures)
