"""Remote sources against a local 127.0.0.1 server serving the real response shapes (never the internet)."""

from __future__ import annotations

import json
import math
import socket
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest
from provider_server import (ProviderServer, Reply, fixture_json, fixture_text, json_reply, klines_from_csv,
                             klines_handler, replies)

from indexdesk.tools.errors import ToolError
from indexdesk.tools.market.binance import BinanceSource, rows_from_klines
from indexdesk.tools.market.coingecko import CoinGeckoSource, daily_rows_from_market_chart
from indexdesk.tools.market.http import HttpClient, ProviderError, ProviderUnavailable, retry_after_seconds
from indexdesk.tools.market.tokenmetrics import TokenMetricsSource, index_symbol
from indexdesk.tools.settings import Settings


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp() * 1000)


def at(text: str):
    moment = datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
    return lambda: moment


@pytest.fixture
def server():
    with ProviderServer() as running:
        yield running


@pytest.fixture
def sleeps():
    return []


def make_settings(tmp_path, **values) -> Settings:
    return Settings(home=tmp_path / "home", http_backoff=0.01, http_retries=3, http_timeout=2.0, **values)


def dead_url() -> str:
    with socket.socket() as s:  # a port nothing listens on once this closes
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# ================================================================ the retrying client

def client(url: str, sleeps: list, **kw) -> HttpClient:
    options = dict(provider="test", retries=3, backoff=0.5, timeout=2.0, sleep=sleeps.append)
    options.update(kw)
    return HttpClient(url, **options)


def test_429_waits_what_retry_after_asks_then_succeeds(server, sleeps):
    server.route("/x", replies(json_reply({"status": "slow down"}, 429, {"Retry-After": "7"}), json_reply({"ok": 1})))
    assert client(server.url, sleeps).get_json("/x") == {"ok": 1}
    assert sleeps == [7.0] and len(server.calls("/x")) == 2


def test_5xx_retries_with_exponential_backoff_until_success(server, sleeps):
    server.route("/x", replies(Reply(500), Reply(502), Reply(503), json_reply([1, 2])))
    assert client(server.url, sleeps).get_json("/x") == [1, 2]
    assert sleeps == [0.5, 1.0, 2.0]


def test_persistent_5xx_gives_up_after_the_bounded_retries(server, sleeps):
    server.route("/x", replies(Reply(503)))
    with pytest.raises(ProviderUnavailable, match="failed after 4 attempts: HTTP 503"):
        client(server.url, sleeps).get_json("/x")
    assert len(server.calls("/x")) == 4 and sleeps == [0.5, 1.0, 2.0]


def test_a_retry_after_longer_than_we_wait_fails_at_once(server, sleeps):
    server.route("/x", replies(json_reply({}, 429, {"Retry-After": "3600"})))
    with pytest.raises(ProviderUnavailable, match="rate limited for 3600 s"):
        client(server.url, sleeps).get_json("/x")
    assert sleeps == [] and len(server.calls("/x")) == 1


def test_retry_after_as_an_http_date():
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("Wed, 01 May 2024 12:00:30 GMT", lambda: now) == 30.0
    assert retry_after_seconds("garbage") is None and retry_after_seconds(None) is None


def test_a_real_timeout_is_retried_then_reported(server, sleeps):
    server.route("/slow", replies(Reply(200, "{}", delay=0.6)))
    with pytest.raises(ProviderUnavailable, match="timed out after 0.2 s"):
        client(server.url, sleeps, timeout=0.2, retries=1).get_json("/slow")
    assert sleeps == [0.5]


def test_timeouts_and_connection_errors_then_success_via_mock_transport(sleeps):
    failures = [httpx.ReadTimeout("read timed out"), httpx.ConnectError("connection refused")]

    def handle(request: httpx.Request) -> httpx.Response:
        if failures:
            raise failures.pop(0)
        return httpx.Response(200, json={"ok": True})

    http = client("https://api.example.test", sleeps, transport=httpx.MockTransport(handle))
    assert http.get_json("/x") == {"ok": True}
    assert sleeps == [0.5, 1.0] and http.requests_made == 3


def test_nothing_listening_is_unavailable(sleeps):
    with pytest.raises(ProviderUnavailable, match="could not connect"):
        client(dead_url(), sleeps, retries=1).get_json("/x")


def test_malformed_json_is_a_clear_error_not_a_retry(server, sleeps):
    server.route("/x", replies(Reply(200, "<html>Bad gateway</html>", {"Content-Type": "application/json"})))
    with pytest.raises(ProviderError, match="returned malformed JSON") as info:
        client(server.url, sleeps).get_json("/x")
    assert not isinstance(info.value, ProviderUnavailable) and sleeps == []


def test_a_rejected_key_is_not_retried(server, sleeps):
    server.route("/x", replies(json_reply({"error": "invalid api key"}, 401)))
    with pytest.raises(ProviderError, match="HTTP 401") as info:
        client(server.url, sleeps).get_json("/x")
    assert "API key" in info.value.hint and len(server.calls("/x")) == 1


# ================================================================ CoinGecko

def test_market_chart_hourly_fixture_is_redated_to_utc_closes():
    rows = daily_rows_from_market_chart(fixture_json("coins_bitcoin_market_chart.json"))
    by_day = {day: (close, volume, cap) for day, close, volume, cap in rows}
    # The close of 2022-11-30 is the snapshot at 2022-12-01 00:01:18 UTC (17186.50), not 23:00 (17227.39).
    assert by_day["2022-11-30"][0] == 17186.502572066118
    assert by_day["2022-12-01"][0] != 17034.498305438967  # 23:03 is not the close either
    # The last point (2023-01-19 20:11, the live price) never becomes a close.
    assert rows[0][0] == "2022-11-20" and rows[-1][0] == "2023-01-18"
    assert len(rows) == 60 and all(v is not None and c is not None for _, _, v, c in rows)


def test_market_chart_daily_interval_and_numbers_as_strings():
    payload = {"prices": [[ms("2024-03-01T00:00:00"), "61000.5"], [ms("2024-03-02T00:00:00"), 62000.0],
                          [ms("2024-03-02T17:45:00"), 63000.0]],
               "total_volumes": [[ms("2024-03-01T00:00:00"), "1.5e10"], [ms("2024-03-02T00:00:00"), 0]],
               "market_caps": [[ms("2024-03-01T00:00:00"), 1.2e12], [ms("2024-03-02T00:00:00"), None]]}
    assert daily_rows_from_market_chart(payload) == [("2024-02-29", 61000.5, 1.5e10, 1.2e12),
                                                     ("2024-03-01", 62000.0, None, None)]


def test_pycoingecko_2018_five_minute_sample_has_no_closed_day():
    assert daily_rows_from_market_chart(fixture_json("coins_bitcoin_market_chart.pycoingecko_days1.json")) == []


def test_market_chart_of_the_wrong_shape_is_a_clear_error():
    with pytest.raises(ProviderError, match="'prices' is missing or not a list"):
        daily_rows_from_market_chart({"error": "coin not found"})
    with pytest.raises(ProviderError, match="is not \\[time, value\\]"):
        daily_rows_from_market_chart({"prices": [[1]]})


def coingecko(server, tmp_path, sleeps, now="2023-01-19T20:11:18", **values) -> CoinGeckoSource:
    settings = make_settings(tmp_path, coingecko_base_url=server.url, history_days=30, **values)
    source = CoinGeckoSource.from_settings(settings, sleep=sleeps.append)
    source.now = at(now)
    return source


def test_coingecko_load_downloads_caches_and_serves_the_second_load_from_cache(server, tmp_path, sleeps):
    server.route("/coins/bitcoin/market_chart", replies(json_reply(fixture_json("coins_bitcoin_market_chart.json"))))
    source = coingecko(server, tmp_path, sleeps, coingecko_api_key="demo-key")
    data = source.load(["btc"])
    assert data.symbols == ["BTC"] and data.label == "coingecko" and not data.stale
    assert data.close.index[0] == datetime(2022, 12, 20) and data.close.index[-1] == datetime(2023, 1, 18)
    assert data.close.loc["2022-12-31", "BTC"] > 16000 and data.market_cap is not None
    (call,) = server.calls("/coins/bitcoin/market_chart")
    assert call.query == {"vs_currency": "usd", "days": "31", "interval": "daily"}
    assert call.headers["x-cg-demo-api-key"] == "demo-key"
    again = source.load(["BTC"])
    assert len(server.calls("/coins/bitcoin/market_chart")) == 1  # synced today: the cache answers
    assert again.close.equals(data.close)


def test_coingecko_incremental_refresh_asks_only_for_the_new_days(server, tmp_path, sleeps):
    server.route("/coins/bitcoin/market_chart", replies(json_reply(fixture_json("coins_bitcoin_market_chart.json"))))
    source = coingecko(server, tmp_path, sleeps, now="2023-01-17T09:00:00")
    source.load(["BTC"])
    source.now = at("2023-01-19T20:11:18")
    data = source.load(["BTC"])
    first, second = server.calls("/coins/bitcoin/market_chart")
    assert first.query["days"] == "31" and second.query["days"] == "3"  # last cached day was 2023-01-16
    assert data.close.index[-1] == datetime(2023, 1, 18)


def test_coingecko_pro_key_uses_the_pro_header(server, tmp_path, sleeps):
    server.route("/coins/bitcoin/market_chart", replies(json_reply(fixture_json("coins_bitcoin_market_chart.json"))))
    coingecko(server, tmp_path, sleeps, coingecko_api_key="pro-key", coingecko_pro=True).load(["BTC"])
    headers = server.calls("/coins/bitcoin/market_chart")[0].headers
    assert headers["x-cg-pro-api-key"] == "pro-key" and "x-cg-demo-api-key" not in headers


def test_coingecko_markets_fixture_gives_ids_and_current_market_caps(server, tmp_path, sleeps):
    server.route("/coins/markets", replies(json_reply(fixture_json("coins_markets.json"))))
    source = coingecko(server, tmp_path, sleeps)
    snapshot = source.market_snapshot()
    assert snapshot["BTC"]["market_cap"] == 407948005392 and snapshot["BTC"]["rank"] == 1
    assert source.canonical_symbol("ton") == "TON" and source.coin_id("TON") == "the-open-network"
    with pytest.raises(ToolError, match="unknown coingecko symbol 'NOTACOIN'"):
        source.canonical_symbol("NOTACOIN")


def test_coingecko_2018_markets_sample_with_numbers_as_strings(server, tmp_path, sleeps):
    server.route("/coins/markets", replies(json_reply(fixture_json("coins_markets.pycoingecko_2018.json"))))
    snapshot = coingecko(server, tmp_path, sleeps).market_snapshot()
    assert snapshot == {"BTC": {"price": 7015.11823787848, "market_cap": 120934444800.105, "rank": 1.0}}


def test_coingecko_rate_limit_then_success(server, tmp_path, sleeps):
    body = fixture_text("coins_bitcoin_market_chart.json")
    server.route("/coins/bitcoin/market_chart", replies(json_reply({}, 429, {"Retry-After": "2"}),
                                                        Reply(200, body, {"Content-Type": "application/json"})))
    assert not coingecko(server, tmp_path, sleeps).load(["BTC"]).stale
    assert sleeps == [2.0]


def test_coingecko_malformed_json_with_an_empty_cache_is_a_clear_error(server, tmp_path, sleeps):
    server.route("/coins/bitcoin/market_chart", replies(Reply(200, '{"prices": [[1, 2]', {})))
    with pytest.raises(ToolError, match="malformed JSON"):
        coingecko(server, tmp_path, sleeps).load(["BTC"])


def test_offline_serves_the_cache_marked_stale_without_touching_the_network(server, tmp_path, sleeps):
    server.route("/coins/bitcoin/market_chart", replies(json_reply(fixture_json("coins_bitcoin_market_chart.json"))))
    online = coingecko(server, tmp_path, sleeps).load(["BTC"])
    offline = coingecko(server, tmp_path, sleeps, offline=True, now="2023-03-01T00:00:00").load(["BTC"])
    assert offline.stale and offline.label == "coingecko [stale: served from cache]"
    assert offline.close.equals(online.close) and len(server.requests) == 1
    with pytest.raises(ToolError, match="no coingecko prices cached for ETH"):
        coingecko(server, tmp_path, sleeps, offline=True).load(["ETH"])


def test_an_unreachable_provider_falls_back_to_the_cache_marked_stale(server, tmp_path, sleeps):
    server.route("/coins/bitcoin/market_chart", replies(json_reply(fixture_json("coins_bitcoin_market_chart.json"))))
    cached = coingecko(server, tmp_path, sleeps).load(["BTC"])
    settings = make_settings(tmp_path, coingecko_base_url=dead_url(), history_days=30)
    source = CoinGeckoSource.from_settings(settings, sleep=sleeps.append)
    source.now = at("2023-01-25T12:00:00")
    data = source.load(["BTC"])
    assert data.stale and data.close.equals(cached.close)
    assert any("unreachable" in note for note in data.notes)


def test_a_failure_mid_sync_keeps_finished_symbols_and_leaves_the_rest_untouched(server, tmp_path, sleeps):
    server.route("/coins/bitcoin/market_chart", replies(json_reply(fixture_json("coins_bitcoin_market_chart.json"))))
    server.route("/coins/ethereum/market_chart", replies(Reply(500)))
    source = coingecko(server, tmp_path, sleeps)
    report = source.sync(["BTC", "ETH", "SOL"])
    outcome = {r.symbol: r for r in report.results}
    assert outcome["BTC"].new_rows == 30 and outcome["BTC"].error is None
    assert "HTTP 500" in outcome["ETH"].error and outcome["SOL"].error.startswith("not tried")
    assert source.cache.last_days("coingecko") == {"BTC": date(2023, 1, 18)}
    assert server.calls("/coins/solana/market_chart") == []


# ================================================================ Binance

def test_documented_kline_example_parses_to_one_closed_day():
    rows, last_open, still_open = rows_from_klines(fixture_json("api_v3_klines.json"), now_ms=ms("2024-01-01T00:00:00"))
    assert rows == [("2017-07-03", 0.015771, 2434.19055334, None)]
    assert last_open == 1499040000000 and not still_open


def test_the_still_open_candle_is_dropped():
    kline = fixture_json("api_v3_klines.json")[0]
    rows, _, still_open = rows_from_klines([kline], now_ms=kline[6] - 1)
    assert rows == [] and still_open


def binance(server_url, tmp_path, sleeps, now, **values) -> BinanceSource:
    source = BinanceSource.from_settings(make_settings(tmp_path, binance_base_url=server_url, **values),
                                         sleep=sleeps.append)
    source.now = at(now)
    return source


def test_binance_pages_real_klines_by_start_time(server, tmp_path, sleeps):
    klines = klines_from_csv("BTC")
    today_open = ms("2026-01-06T00:00:00")
    open_candle = [today_open, "93000", "94000", "92000", "93500", "10", today_open + 86_400_000 - 1, "0", 0, "0", "0", "0"]
    server.route("/api/v3/klines", klines_handler(klines + [open_candle]))
    source = binance(server.url, tmp_path, sleeps, now="2026-01-06T10:00:00", history_days=2500)
    data = source.load(["BTC"])
    calls = server.calls("/api/v3/klines")
    assert len(calls) == 3 and [c.query["limit"] for c in calls] == ["1000"] * 3
    assert calls[0].query["startTime"] == str(ms("2019-03-04T00:00:00"))  # 2026-01-05 minus 2499 days
    assert int(calls[1].query["startTime"]) == int(calls[0].query["startTime"]) + 1000 * 86_400_000
    expected = {datetime.fromtimestamp(k[0] / 1000, timezone.utc).date(): float(k[4]) for k in klines}
    series = data.close["BTC"]
    assert len(series) == 2500 and series.index[-1] == datetime(2026, 1, 5)  # the open 2026-01-06 candle is gone
    assert all(series[pd_day] == expected[pd_day.date()] for pd_day in series.index[::97])
    assert series.loc["2020-03-12"] == 4800.0  # README spot check: the Binance close on the COVID crash day
    assert data.volume is None and data.market_cap is None  # the CSV-built klines carry no quote volume


def test_binance_failure_on_page_two_writes_nothing_for_that_symbol(server, tmp_path, sleeps):
    klines = klines_from_csv("ETH")
    server.route("/api/v3/klines", klines_handler(klines[:5]))
    source = binance(server.url, tmp_path, sleeps, now="2017-08-30T10:00:00", history_days=30)
    source.load(["ETH"])
    before = source.cache.read("binance")
    server.route("/api/v3/klines", klines_handler(klines, fail_on_page=2))
    source.now = at("2026-01-06T10:00:00")
    report = source.sync(["ETH"], days=3000)
    assert "HTTP 500" in report.results[0].error
    assert source.cache.read("binance") == before  # page one was downloaded, but never half-written


def test_binance_unknown_pair_and_unlisted_asset(server, tmp_path, sleeps):
    server.route("/api/v3/klines", lambda r: json_reply({"code": -1121, "msg": "Invalid symbol."}, 400))
    source = binance(server.url, tmp_path, sleeps, now="2024-01-01T00:00:00")
    with pytest.raises(ToolError, match="Invalid symbol"):
        source.load(["NOPE"])
    with pytest.raises(ToolError, match="OKB is not traded on Binance spot"):
        source.load(["OKB"])
    assert server.calls("/api/v3/klines")[0].query["symbol"] == "NOPEUSDT"


# ================================================================ Token Metrics

def envelope(rows, success=True, message="Data fetched successfully"):
    return json_reply({"success": success, "message": message, "length": len(rows), "data": rows})


def paged(rows):
    def handle(request):
        limit, page = int(request.query["limit"]), int(request.query["page"])
        return envelope(rows[(page - 1) * limit: page * limit])

    return handle


def tokenmetrics(server, tmp_path, sleeps, **values) -> TokenMetricsSource:
    settings = make_settings(tmp_path, tokenmetrics_base_url=server.url, tokenmetrics_api_key="tm-key", **values)
    source = TokenMetricsSource.from_settings(settings, sleep=sleeps.append)
    source.now = at("2025-06-01T12:00:00")
    return source


def test_tokenmetrics_without_a_key_says_how_to_set_it(tmp_path):
    source = TokenMetricsSource.from_settings(make_settings(tmp_path))
    with pytest.raises(ToolError, match="needs an API key") as info:
        source.load(["BTC"])
    assert "TOKEN_METRICS_API_KEY" in info.value.hint


def test_tokenmetrics_indices_become_tm_symbols_with_levels_from_cumulative_roi(server, tmp_path, sleeps):
    server.route("/indices", paged([{"ID": 7, "NAME": "Meme Trader Index", "TICKER": "MEME"},
                                    {"ID": 9, "NAME": "Layer-1 Investor", "TICKER": "L1"}]))
    start = date(2025, 1, 1)
    performance = [{"ID": 7, "DATE": f"{start + timedelta(days=i)}T00:00:00.000Z", "INDEX_CUMULATIVE_ROI": i / 100,
                    "MARKET_CAP": 1e6 + i, "VOLUME": 5e4, "FDV": 2e6} for i in range(150)]
    server.route("/indices-performance", paged(performance))
    source = tokenmetrics(server, tmp_path, sleeps)
    assert source.indices() == {"TM:MEME_TRADER_INDEX": 7, "TM:LAYER_1_INVESTOR": 9}
    data = source.load(["tm:meme trader index"], start=start)
    level = data.close["TM:MEME_TRADER_INDEX"]
    assert level.loc["2025-01-01"] == 100.0 and level.loc["2025-01-11"] == pytest.approx(110.0)
    assert len(level) == 150 and data.market_cap.loc["2025-01-02", "TM:MEME_TRADER_INDEX"] == 1e6 + 1
    calls = server.calls("/indices-performance")
    assert [c.query["page"] for c in calls] == ["1", "2"] and calls[0].query["id"] == "7"
    assert calls[0].query["endDate"] == "2025-05-31" and calls[0].headers["x-api-key"] == "tm-key"
    with pytest.raises(ToolError, match="unknown Token Metrics index 'TM:MEME'"):
        source.load(["TM:MEME"])


def test_tokenmetrics_daily_ohlcv_picks_the_token_named_like_ours(server, tmp_path, sleeps):
    rows = [{"TOKEN_ID": 3375, "TOKEN_NAME": "Bitcoin", "TOKEN_SYMBOL": "BTC", "DATE": "2025-05-30T00:00:00.000Z",
             "OPEN": 1, "HIGH": 2, "LOW": 0.5, "CLOSE": 105000.5, "VOLUME": 3e10},
            {"TOKEN_ID": 99999, "TOKEN_NAME": "Bitcoin Bridged", "TOKEN_SYMBOL": "BTC",
             "TIMESTAMP": "2025-05-30T00:00:00.000Z", "CLOSE": 2.0, "VOLUME": 1},
            {"TOKEN_ID": 3375, "TOKEN_NAME": "Bitcoin", "TOKEN_SYMBOL": "BTC", "DATE": "2025-05-31T00:00:00.000Z",
             "CLOSE": 104000.0, "VOLUME": 0}]
    server.route("/daily-ohlcv", paged(rows))
    data = tokenmetrics(server, tmp_path, sleeps, history_days=5).load(["BTC"])
    assert data.close["BTC"].tolist() == [105000.5, 104000.0]
    assert data.volume["BTC"].iloc[0] == 3e10 and math.isnan(data.volume["BTC"].iloc[1])
    assert server.calls("/daily-ohlcv")[0].query["startDate"] == "2025-05-27"


def test_tokenmetrics_unsuccessful_envelope_is_reported(server, tmp_path, sleeps):
    server.route("/daily-ohlcv", lambda r: envelope([], success=False, message="Start Date cannot be earlier than 30 days"))
    with pytest.raises(ToolError, match="Start Date cannot be earlier than 30 days"):
        tokenmetrics(server, tmp_path, sleeps).load(["ETH"])


def test_tokenmetrics_holdings(server, tmp_path, sleeps):
    server.route("/indices", paged([{"ID": 7, "NAME": "Meme"}]))
    server.route("/indices-holdings", lambda r: envelope(
        [{"TOKEN_SYMBOL": "doge", "TOKEN_NAME": "Dogecoin", "WEIGHT": 60, "PRICE": 0.2},
         {"TOKEN_SYMBOL": "PEPE", "TOKEN_NAME": "Pepe", "WEIGHT": 40, "PRICE": 1e-5}]))
    holdings = tokenmetrics(server, tmp_path, sleeps).holdings("TM:MEME")
    assert [(h["symbol"], h["weight"]) for h in holdings] == [("DOGE", 60.0), ("PEPE", 40.0)]
    assert server.calls("/indices-holdings")[0].query == {"id": "7"}


def test_index_symbol_names():
    assert index_symbol("Meme Trader Index") == "TM:MEME_TRADER_INDEX"
    assert index_symbol("  AI / Data (beta) ") == "TM:AI_DATA_BETA"


def test_all_remote_sources_open_by_name(tmp_path):
    from indexdesk.tools.market.base import PriceSource
    from indexdesk.tools.market.sources import open_source

    settings = make_settings(tmp_path, offline=True)
    for name in ("coingecko", "binance", "tokenmetrics"):
        source = open_source(name, settings)
        assert isinstance(source, PriceSource) and source.name == name


# ================================================================ indexdesk data sync|status

def run_cli(*argv: str) -> int:
    from indexdesk.agent.cli import main

    return main(list(argv))


def test_data_sync_then_status_through_the_cli(server, tmp_path, monkeypatch, capsys):
    by_pair = {"BTCUSDT": klines_from_csv("BTC"), "ETHUSDT": klines_from_csv("ETH")}
    server.route("/api/v3/klines", lambda r: klines_handler(by_pair.get(r.query["symbol"], []))(r)
                 if r.query["symbol"] in by_pair else json_reply({"code": -1121, "msg": "Invalid symbol."}, 400))
    monkeypatch.setenv("INDEXDESK_BINANCE_BASE_URL", server.url)
    monkeypatch.setenv("INDEXDESK_HTTP_BACKOFF", "0")
    home = tmp_path / "home"
    days = (datetime.now(timezone.utc).date() - date(2025, 12, 1)).days  # the real clock: reach back into the CSV
    assert run_cli("data", "sync", "--source", "binance", "--home", str(home), "--symbols", "btc", "eth",
                   "--days", str(days), "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert [(s["symbol"], s["new_rows"], s["last_day"]) for s in report["symbols"]] == [
        ("BTC", 36, "2026-01-05"), ("ETH", 36, "2026-01-05")]  # 2025-12-01 .. 2026-01-05

    assert run_cli("data", "status", "--home", str(home), "--source", "binance", "--json") == 0
    status = json.loads(capsys.readouterr().out)
    (binance_status,) = status["sources"]
    assert (binance_status["symbols"], binance_status["rows"], binance_status["first_day"],
            binance_status["last_day"]) == (2, 72, "2025-12-01", "2026-01-05")
    assert [s["symbol"] for s in status["symbols"]] == ["BTC", "ETH"]

    assert run_cli("data", "sync", "--source", "binance", "--home", str(home), "--symbols", "NOPE") == 1
    assert "Invalid symbol" in capsys.readouterr().out


def test_data_sync_refuses_a_local_source(tmp_path, capsys):
    assert run_cli("data", "sync", "--home", str(tmp_path), "--source", "sample") == 2
    assert "nothing to sync for source 'sample'" in capsys.readouterr().err
