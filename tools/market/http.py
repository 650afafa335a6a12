"""A small retrying JSON client over httpx for the market data providers.

Retries (bounded by `retries`) on connection errors, timeouts, 5xx and 429. A 429 waits what the
server's `Retry-After` asks (seconds or an HTTP date), otherwise exponential backoff
`backoff * 2**attempt` capped at `max_delay`. The sleep function is injectable so tests never wait.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

import httpx

from indexdesk.tools.errors import ToolError

log = logging.getLogger("indexdesk.market.http")

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504, 418})  # 418: Binance's "IP banned after 429s"


class ProviderError(ToolError):
    """The provider answered, but not with usable data (bad key, unknown symbol, malformed JSON)."""


class ProviderUnavailable(ProviderError):
    """The provider could not be reached or kept failing after the retries: the cache may answer."""


def retry_after_seconds(value: str | None, now: Callable[[], datetime] | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = (now or (lambda: datetime.now(timezone.utc)))()
    return max(0.0, (when - current).total_seconds())


class HttpClient:
    """GET JSON from one provider with bounded retries; errors become ProviderError / ProviderUnavailable."""

    def __init__(self, base_url: str, *, provider: str, headers: Mapping[str, str] | None = None,
                 timeout: float = 20.0, retries: int = 4, backoff: float = 0.5, max_delay: float = 30.0,
                 max_retry_after: float = 120.0, sleep: Callable[[float], None] = time.sleep,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.provider = provider
        self.headers = {"Accept": "application/json", "User-Agent": "indexdesk", **(headers or {})}
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after
        self.sleep = sleep
        self.transport = transport
        self.requests_made = 0
        self._client: httpx.Client | None = None

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(base_url=self.base_url, headers=self.headers, timeout=self.timeout,
                                        transport=self.transport, follow_redirects=True)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _delay(self, attempt: int) -> float:
        return min(self.max_delay, self.backoff * (2 ** attempt))

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """The decoded JSON body of `GET base_url + path`, retrying transient failures."""
        where = f"{self.provider} {path}"
        last_problem = "no attempt made"
        for attempt in range(self.retries + 1):
            final = attempt == self.retries
            try:
                self.requests_made += 1
                response = self._http().get(path, params=dict(params or {}))
            except httpx.TimeoutException:
                last_problem = f"timed out after {self.timeout:g} s"
            except httpx.TransportError as exc:
                last_problem = f"could not connect ({type(exc).__name__}: {exc})"
            else:
                status = response.status_code
                if status < 400:
                    return self._decode(response, where)
                if status not in RETRYABLE_STATUS:
                    raise ProviderError(f"{where} answered HTTP {status}: {_brief(response.text)}",
                                        hint=_status_hint(self.provider, status))
                last_problem = f"HTTP {status}" + (" (rate limited)" if status in (429, 418) else "")
                wait = retry_after_seconds(response.headers.get("Retry-After")) if status in (429, 418) else None
                if wait is not None and wait > self.max_retry_after:
                    raise ProviderUnavailable(f"{where} is rate limited for {wait:.0f} s",
                                              hint="try again later, or set an API key for a higher limit")
                if not final:
                    delay = wait if wait is not None else self._delay(attempt)
                    log.info("%s: %s; retry %d/%d in %.2f s", where, last_problem, attempt + 1, self.retries, delay)
                    self.sleep(delay)
                continue
            if not final:
                delay = self._delay(attempt)
                log.info("%s: %s; retry %d/%d in %.2f s", where, last_problem, attempt + 1, self.retries, delay)
                self.sleep(delay)
        raise ProviderUnavailable(f"{where} failed after {self.retries + 1} attempts: {last_problem}",
                                  hint="check the network, or use --offline to answer from the local cache")

    @staticmethod
    def _decode(response: httpx.Response, where: str) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ProviderError(f"{where} returned malformed JSON ({exc}): {_brief(response.text)}",
                                hint="the provider or a proxy in between sent something that is not JSON; "
                                     "try again later") from None


def _brief(text: str, limit: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit] + "…"


def _status_hint(provider: str, status: int) -> str:
    if status in (401, 403):
        return f"check the {provider} API key (see docs/data_sources.md)"
    if status == 404:
        return "the symbol or id is not known to the provider"
    return "the request was rejected; check the symbol and the provider's base URL"
