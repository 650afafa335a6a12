"""Which chat model the agent talks to, and what to tell the user when talking to it fails.

OPENAI_API_KEY            -> OpenAI's API with `INDEXDESK_MODEL` (default gpt-4o-mini)
OPENAI_BASE_URL (+ model) -> any OpenAI-compatible server: Ollama, vLLM, LM Studio, llama.cpp server
neither                   -> the offline router: plain requests and slash commands mapped to tool calls
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The openai client retries 408/409/429/5xx and connection errors with backoff and honours
# Retry-After; two retries keep a flaky local server usable without hiding a dead one.
MAX_RETRIES = 2

HOW_TO_CONFIGURE = (
    "No model is configured, so requests go to the offline router (plain requests and slash commands). "
    "To use a model: set OPENAI_API_KEY (OpenAI; choose the model with INDEXDESK_MODEL), or set "
    "OPENAI_BASE_URL to an OpenAI-compatible server, e.g. OPENAI_BASE_URL=http://localhost:11434/v1 "
    "INDEXDESK_MODEL=qwen2.5:7b for Ollama (vLLM, LM Studio and llama.cpp server work the same way)."
)

# USD per million tokens (input, output) for cost estimates; unknown models are not priced.
PRICES_PER_MILLION: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
}


@dataclass
class ModelInfo:
    name: str
    base_url: str | None
    offline: bool
    how_to_configure: str | None = None

    def describe(self) -> str:
        if self.offline:
            return "offline router (no model configured)"
        return f"{self.name} at {self.base_url}" if self.base_url else f"{self.name} (OpenAI)"


def model_configured(settings: Any) -> bool:
    """A model is configured (a key or a server); without one, requests go to the offline router."""
    return bool(settings.secret("openai_api_key") or settings.openai_base_url)


def offline_model_info() -> ModelInfo:
    return ModelInfo(name="offline-router", base_url=None, offline=True, how_to_configure=HOW_TO_CONFIGURE)


def make_chat_model(settings: Any, *, tool_names: list[str] | None = None) -> tuple[Any, ModelInfo]:
    """The chat model for `settings`, and a description of it for the UI.

    `tool_names` tells the offline router which tools exist (default: the default registry's).
    """
    base_url = settings.openai_base_url
    if model_configured(settings):
        from langchain_openai import ChatOpenAI

        model = ChatOpenAI(
            model=settings.model,
            # Local servers ignore the key but the client insists on one.
            api_key=settings.secret("openai_api_key") or "not-needed",
            base_url=base_url,
            timeout=settings.request_timeout,
            max_retries=MAX_RETRIES,
            stream_usage=True,
        )
        return model, ModelInfo(name=settings.model, base_url=base_url, offline=False)

    from indexdesk.agent.offline_model import OfflineRouterModel

    if tool_names is None:
        from indexdesk.tools.toolbox import default_registry

        tool_names = default_registry().names
    return OfflineRouterModel(tool_names, settings=settings), offline_model_info()


def fallback_models(settings: Any, primary: Any = None) -> list[Any]:
    """The second model (`INDEXDESK_FALLBACK_MODEL`, same server and key) tried when the first keeps failing.

    A value `NAME@URL` names another OpenAI-compatible server for the fallback.
    """
    name = getattr(settings, "fallback_model", None)
    if not name or not (settings.openai_api_key or settings.openai_base_url):
        return []
    from langchain_openai import ChatOpenAI

    base_url = settings.openai_base_url
    if "@" in name:
        name, base_url = name.split("@", 1)
    return [ChatOpenAI(model=name, api_key=settings.secret("openai_api_key") or "not-needed", base_url=base_url,
                       timeout=settings.request_timeout, max_retries=MAX_RETRIES, stream_usage=True)]


def estimate_cost(model_name: str, input_tokens: int, output_tokens: int) -> float | None:
    """USD for the tokens at list price, or None for a model without a known price (local, offline)."""
    price = PRICES_PER_MILLION.get(model_name)
    if price is None:
        # Dated snapshots ("gpt-4o-mini-2024-07-18") cost what their family costs.
        family = max((n for n in PRICES_PER_MILLION if model_name.startswith(n + "-")), key=len, default=None)
        price = PRICES_PER_MILLION.get(family) if family else None
    if price is None:
        return None
    return (input_tokens * price[0] + output_tokens * price[1]) / 1_000_000


_NO_TOOLS_MARKERS = ("does not support tools", "tool use is not supported", "tools are not supported",
                     "does not support function", "tool_choice", "\"auto\" tool choice", "tool calling",
                     "function calling is not", "unrecognized request argument supplied: tools")


def describe_model_error(exc: BaseException, info: ModelInfo | None = None, timeout: float | None = None,
                         *, mid_stream: bool = False) -> str | None:
    """One plain sentence (with what to do) for a failure talking to the model; None if it is not one.

    `mid_stream`: the answer had started streaming, so a timeout means the stream stalled (the
    client does not retry a half-received answer).
    """
    import openai

    where = (info.base_url or "OpenAI") if info else "the model server"
    name = info.name if info else "the model"
    if isinstance(exc, openai.AuthenticationError):
        return f"{where} rejected the API key (401). Check OPENAI_API_KEY."
    if isinstance(exc, openai.PermissionDeniedError):
        return f"{where} refused access to {name} (403). Check the key's permissions or pick another model."
    if isinstance(exc, openai.RateLimitError):
        detail = _server_message(exc)
        if "quota" in detail.lower():
            return f"{where} says the account is out of quota (429): {detail}"
        return f"{where} is rate-limiting requests (429) and still was after {MAX_RETRIES} retries; wait and try again."
    if isinstance(exc, openai.NotFoundError):
        return (f"{where} does not know the model {name!r} (404). Set INDEXDESK_MODEL to a model the server has "
                "(for Ollama: `ollama list`).")
    if isinstance(exc, openai.BadRequestError):
        detail = _server_message(exc)
        if any(marker in detail.lower() for marker in _NO_TOOLS_MARKERS):
            return (f"the model {name!r} at {where} cannot call tools ({detail}). indexdesk needs a tool-calling "
                    "model, e.g. qwen2.5, llama3.1 or mistral-nemo on Ollama, or gpt-4o-mini on OpenAI; "
                    "unset OPENAI_BASE_URL and OPENAI_API_KEY to use the offline router.")
        if "context" in detail.lower() and "length" in detail.lower():
            return f"the conversation is too long for {name} ({detail}). Start a new session or /clear."
        return f"{where} rejected the request (400): {detail}"
    limit = f"{timeout:g} s" if timeout else "the request timeout"
    is_timeout = isinstance(exc, openai.APITimeoutError) or _is_transport_error(exc, "TimeoutException")
    if is_timeout and mid_stream:
        return (f"{name} stopped sending in the middle of its answer (nothing for {limit}). Try again, or raise "
                "INDEXDESK_REQUEST_TIMEOUT for a slow local model.")
    if is_timeout:
        return (f"{name} did not answer within {limit}, even after {MAX_RETRIES} retries. Try again, or raise "
                "INDEXDESK_REQUEST_TIMEOUT for a slow local model.")
    if isinstance(exc, openai.APIConnectionError) or _is_transport_error(exc, "TransportError"):
        return f"cannot reach {where}: {exc}. Is the server running? Check OPENAI_BASE_URL."
    if isinstance(exc, openai.InternalServerError):
        return f"{where} failed ({getattr(exc, 'status_code', 500)}) and still did after {MAX_RETRIES} retries: {_server_message(exc)}"
    if isinstance(exc, openai.APIStatusError):
        return f"{where} answered {exc.status_code}: {_server_message(exc)}"
    if isinstance(exc, openai.APIError):
        return f"the model request failed: {exc}"
    return None


def _is_transport_error(exc: BaseException, base: str) -> bool:
    """An httpx error raised mid-stream (not wrapped by openai); openai may ship `httpx2` instead of `httpx`."""
    return any(cls.__name__ == base and cls.__module__.split(".")[0] in ("httpx", "httpx2")
               for cls in type(exc).__mro__)


def _server_message(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:300]
        if isinstance(inner, str):
            return inner[:300]
    return str(getattr(exc, "message", None) or exc)[:300]
