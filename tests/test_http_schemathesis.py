"""The HTTP API under schemathesis, generated from its own OpenAPI, for a bounded number of examples:
no 5xx, and every error (4xx) is a structured `{"error", "hint"?, "field"?, "valid"?}` body."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the dev extra")
from hypothesis import HealthCheck, settings  # noqa: E402

from indexdesk.tools.adapters.http_api import create_app  # noqa: E402
from indexdesk.tools.context import ToolContext  # noqa: E402
from indexdesk.tools.settings import Settings  # noqa: E402
from indexdesk.tools.toolbox import default_registry  # noqa: E402

# Built at import (schemathesis reads the schema at collection): its own temp home, the sample market.
_HOME = Path(tempfile.mkdtemp(prefix="indexdesk-schemathesis-"))
_CTX = ToolContext(settings=Settings(home=_HOME, source="sample"))
APP = create_app(default_registry(), _CTX, token="", allowed_hosts=("testserver", "localhost"), timeout=60)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_error_and_every_error_is_structured(case):
    response = case.call(headers={"content-type": "application/json"})
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"], response.text[:300]
        assert set(body) <= {"error", "hint", "field", "valid", "internal"}, response.text[:300]
        assert isinstance(body.get("hint", ""), str), response.text[:300]
