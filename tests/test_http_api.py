"""The HTTP API generated from the registry: routes, status codes, the token, OpenAPI, and a real uvicorn."""

from __future__ import annotations

import httpx
import pytest
from adapter_tools import adapter_registry, running_uvicorn
from fastapi.testclient import TestClient

from indexdesk.tools.adapters.http_api import create_app, tool_routes
from indexdesk.tools.adapters.openai_schema import check_strict, openai_tools
from indexdesk.tools.adapters.runner import ToolRunner

LOCAL = "http://127.0.0.1"  # the guard refuses Host names the server is not bound to (TestClient's "testserver")


@pytest.fixture
def registry():
    return adapter_registry()


@pytest.fixture
def client(registry, ctx):
    with TestClient(create_app(registry, ctx, token="", allow_writes=True), base_url=LOCAL) as test_client:
        yield test_client


def test_health_and_tool_listing(client, registry):
    assert client.get("/health").json() == {"status": "ok", "tools": 5, "auth": False}
    listed = client.get("/tools").json()
    assert [t["name"] for t in listed] == registry.names
    by_name = {t["name"]: t for t in listed}
    for spec in registry:
        assert by_name[spec.name]["parameters"] == spec.json_schema()
        assert by_name[spec.name]["description"] == spec.description
        assert by_name[spec.name]["path"] == f"/tools/{spec.name}"
    assert by_name["add_note"]["state_changing"] is True and by_name["count_calls"]["state_changing"] is False
    strict = client.get("/tools/openai").json()
    assert strict == openai_tools(registry)
    assert all(check_strict(t["function"]["parameters"]) == [] for t in strict)


def test_call_returns_the_tool_result(client):
    response = client.post("/tools/index_returns", json={"indices": ["defi", "large_cap"], "window": "1y"})
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == "2024-06-30" and body["window"] == "1y"
    assert [(r["name"], r["annual_return"]) for r in body["results"]] == [("defi", 0.12), ("large_cap", 0.05)]
    # optional arguments sent as null mean "use the default", as for strict-mode models
    assert client.post("/tools/index_returns", json={"indices": ["defi"], "window": None}).json()["window"] == "90d"


def test_tool_errors_are_422_with_the_structured_error(client):
    unknown_index = client.post("/tools/index_returns", json={"indices": ["defii"]})
    assert unknown_index.status_code == 422
    assert "unknown index 'defii'; did you mean 'defi'?" in unknown_index.json()["error"]
    assert unknown_index.json()["field"] == "indices" and "defi" in unknown_index.json()["valid"]

    bad_window = client.post("/tools/index_returns", json={"indices": ["defi"], "window": "2w"})
    assert (bad_window.status_code, bad_window.json()) == (422, {"error": "unknown window '2w'",
                                                                 "hint": "use 30d, 90d or 1y", "field": "window"})
    extra = client.post("/tools/index_returns", json={"indices": ["defi"], "windw": "30d"})
    assert extra.status_code == 422 and "did you mean 'window'?" in extra.json()["error"]
    missing = client.post("/tools/index_returns", json={})
    assert missing.status_code == 422 and "'indices'" in missing.json()["error"]
    assert "parameters: indices, window?" in missing.json()["hint"]
    wrong_type = client.post("/tools/sharpe_of_flat_series", json={"days": "many"})
    assert wrong_type.status_code == 422 and wrong_type.json()["field"] == "days"


def test_bodies_that_are_not_a_json_object_are_422(client):
    not_json = client.post("/tools/index_returns", content=b'{"indices": [', headers={"content-type": "application/json"})
    assert not_json.status_code == 422 and "not valid JSON" in not_json.json()["error"]
    a_list = client.post("/tools/index_returns", json=["defi"])
    assert a_list.status_code == 422 and a_list.json()["error"] == "arguments must be a JSON object"


def test_unknown_tool_is_404_with_close_matches(client):
    response = client.post("/tools/index_return", json={"indices": ["defi"]})
    assert response.status_code == 404
    assert "unknown tool 'index_return'; did you mean 'index_returns'?" in response.json()["error"]
    assert response.json()["valid"] == sorted(adapter_registry().names)


def test_a_bug_is_500_with_a_message_and_no_traceback(client):
    response = client.post("/tools/divide_by_zero", json={})
    assert response.status_code == 500
    body = response.json()
    assert body["error"].startswith("internal error in divide_by_zero: ZeroDivisionError")
    assert "Traceback" not in response.text and "File " not in response.text


def test_a_server_failure_outside_the_tool_is_500_without_traceback(registry, ctx, monkeypatch):
    async def explode(self, name, arguments):
        raise RuntimeError("worker pool is gone")

    monkeypatch.setattr(ToolRunner, "call", explode)
    with TestClient(create_app(registry, ctx, token=""), raise_server_exceptions=False, base_url=LOCAL) as test_client:
        response = test_client.post("/tools/count_calls", json={})
    assert response.status_code == 500
    assert response.json()["error"] == "internal server error: RuntimeError"
    assert "Traceback" not in response.text


def test_nan_becomes_null_with_a_warning_and_context_lives_for_the_server(client, ctx):
    flat = client.post("/tools/sharpe_of_flat_series", json={"days": 30})
    assert flat.status_code == 200
    assert flat.json()["sharpe_ratio"] is None and any("sharpe_ratio" in w for w in flat.json()["warnings"])
    counts = [client.post("/tools/count_calls", json={}).json()["calls"] for _ in range(3)]
    assert counts == [1, 2, 3] and ctx.memo["calls"] == 3


def test_bearer_token_from_settings_guards_the_tools(registry, monkeypatch, tmp_path):
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.settings import Settings

    monkeypatch.setenv("INDEXDESK_API_TOKEN", "s3cret")
    ctx = ToolContext(settings=Settings(home=tmp_path))
    with TestClient(create_app(registry, ctx), base_url=LOCAL) as test_client:
        assert test_client.get("/health").json()["auth"] is True
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret"}):
            refused = test_client.post("/tools/count_calls", json={}, headers=headers)
            assert refused.status_code == 401, headers
            assert refused.headers["www-authenticate"] == "Bearer" and "Authorization: Bearer" in refused.json()["hint"]
        assert test_client.get("/tools").status_code == 401
        good = {"Authorization": "Bearer s3cret"}
        assert test_client.get("/tools", headers=good).status_code == 200
        assert test_client.post("/tools/count_calls", json={}, headers=good).json() == {"calls": 1}
        assert test_client.post("/tools/nope", json={}, headers={}).status_code == 401  # no tool names leak without the token


def test_openapi_documents_each_tool_body_and_result(client, registry):
    assert tool_routes(registry) == [f"/tools/{n}" for n in registry.names]
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) >= set(tool_routes(registry)) | {"/tools", "/tools/openai", "/health"}
    operation = paths["/tools/index_returns"]["post"]
    body = operation["requestBody"]
    assert body["required"] is True
    schema = body["content"]["application/json"]["schema"]
    assert set(schema["properties"]) == {"indices", "window"} and schema["required"] == ["indices"]
    result_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert "$ref" not in str(result_schema)  # nested models inlined, so /docs renders them
    assert result_schema["properties"]["results"]["items"]["properties"]["annual_return"]["type"] == "number"
    assert paths["/tools/count_calls"]["post"]["requestBody"]["required"] is False
    assert "Changes state" in paths["/tools/add_note"]["post"]["description"]


def test_real_uvicorn_serves_the_api(registry, ctx):
    with running_uvicorn(create_app(registry, ctx, token="", allow_writes=True)) as base:
        with httpx.Client(base_url=base, timeout=10) as http:
            assert http.get("/health").json()["tools"] == len(registry)
            ok = http.post("/tools/index_returns", json={"indices": ["layer1"]})
            failed = http.post("/tools/index_returns", json={"indices": ["layer"]})
            docs = http.get("/docs")
    assert ok.status_code == 200 and ok.json()["results"] == [{"name": "layer1", "annual_return": 0.08}]
    assert failed.status_code == 422 and "did you mean 'layer1'?" in failed.json()["error"]
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    with pytest.raises(httpx.ConnectError):  # stopped with the test
        httpx.get(f"{base}/health", timeout=2)


def test_default_registry_is_served_whatever_tools_exist(ctx):
    pytest.importorskip("indexdesk.tools.performance", reason="no tool modules landed yet")
    from indexdesk.tools.toolbox import default_registry

    registry = default_registry()
    with TestClient(create_app(registry, ctx, token="", allow_writes=True), base_url=LOCAL) as test_client:
        assert [t["name"] for t in test_client.get("/tools").json()] == registry.names
        paths = test_client.get("/openapi.json").json()["paths"]
        for name in registry.names:
            assert f"/tools/{name}" in paths
            response = test_client.post(f"/tools/{name}", json={"no_such_argument": 1})
            assert response.status_code == 422, name
            assert "unknown argument 'no_such_argument'" in response.json()["error"]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_work_offline_every_asset_served_locally(client, page):
    import re

    html = client.get(page)
    assert html.status_code == 200
    assets = re.findall(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']""", html.text)
    assets += re.findall(r"""(?:url|spec-url)\s*:\s*['"]([^'"]+)['"]""", html.text)  # Swagger's openapi url
    assert assets, html.text[:500]
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), f"{page} loads {asset} from elsewhere"
        response = client.get(asset)
        assert response.status_code == 200 and response.content, asset
    assert "cdn" not in html.text.lower()
