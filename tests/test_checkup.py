"""End to end: `checkup` on real prices with a ledger imported from a native CSV and a journal.

Every section's numbers are cross-checked against the underlying tool's own result (called through
the registry on its defaults, i.e. the ledger), limits are breached and not, undocumented trades are
found, and nothing is written (ledger, targets and journal unchanged).
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta, timezone

import pytest

from indexdesk.tools.context import ToolContext
from indexdesk.tools.registry import dumps, is_error
from indexdesk.tools.settings import Settings
from indexdesk.tools.toolbox import default_registry

TARGETS = """[tiers.core]
large_cap = 60
[tiers.satellite]
layer1 = 30
[tiers.speculative]
memecoins = 10

[limits]
max_weight = 0.30          # breached: large_cap is about half the portfolio
max_var = 0.50             # not breached
var_confidence = 0.99
var_horizon_days = 5
max_drawdown = 0.01        # breached: any 90 days of crypto lose more than 1 %
max_correlation = 0.9999   # not breached

[rebalance]
policy = "threshold"
band = 0.1
tax_rate = 0.25

[rotation]
strategy = "momentum"
lookback = 60
tilt = 0.05

[tax]
min_loss = 50
"""


class Plain:
    """The registry's results as JSON values (dates as text), as a client sees them."""

    def __init__(self, registry):
        self.registry = registry

    def __contains__(self, name) -> bool:
        return name in self.registry

    def call(self, name, args, ctx) -> dict:
        return json.loads(dumps(self.registry.call(name, args, ctx)))


def _price(ctx, name, day):
    from indexdesk.tools.portfolio.holdings import price_on

    price, _ = price_on(ctx, name, day)
    assert price is not None, f"no price for {name} on {day}"
    return round(price, 6)


@pytest.fixture(scope="module")
def world(shared_data, tmp_path_factory):
    """A home with targets.toml, a ~4-year ledger (native CSV through the importer) and a journal."""
    from indexdesk.memory.journal.models import JournalEntry, Position
    from indexdesk.tools.portfolio.importer import import_text

    home = tmp_path_factory.mktemp("checkup_home")
    settings = Settings(home=home, source=f"csv:{shared_data / 'prices_daily.csv'}", embedding="hash:64")
    ctx = ToolContext(settings=settings)
    (home / "targets.toml").write_text(TARGETS, encoding="utf-8")
    last = ctx.market().as_of
    start = last - timedelta(days=4 * 365)
    # A lot at a gain that turns long-term within 30 days: the first coin whose price rose since.
    soon = last - timedelta(days=365 - 12)
    gainer = next(s for s in ("BNB", "TRX", "XRP", "BTC", "LINK", "ETH")
                  if _price(ctx, s, soon) < _price(ctx, s, last))
    lines = ["date,kind,symbol,quantity,price,fee,currency,venue",
             f"{start},deposit,USD,400000,,0,USD,kraken"]

    def buy(day, symbol, amount, kind="buy"):
        price = _price(ctx, symbol, day)
        lines.append(f"{day},{kind},{symbol},{amount / price:.6f},{price},1,USD,kraken")

    buy(start + timedelta(days=1), "large_cap", 150000)
    buy(start + timedelta(days=1), "layer1", 60000)
    buy(start + timedelta(days=1), "memecoins", 20000)
    buy(start + timedelta(days=2), "BTC", 40000)
    buy(last - timedelta(days=400), "memecoins", 15000)
    buy(soon, gainer, 8000)
    buy(last - timedelta(days=50), "large_cap", 4000, kind="sell")  # documented by the entry 2 days later
    buy(last - timedelta(days=30), "ETH", 6000)  # not journaled
    buy(last - timedelta(days=12), "memecoins", 2000, kind="sell")  # not journaled
    report = import_text(ctx, "\n".join(lines) + "\n")
    assert report.ok, report
    journal = ctx.journal_store()

    def entry(day, action, name, text):
        when = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc)
        journal.add(JournalEntry(kind="decision", action=action, timestamp=when, text=text, extraction="manual",
                                 positions=[Position(name=name, direction="out_of" if action == "sell" else "into",
                                                     action=action)]))

    entry(last - timedelta(days=48), "sell", "large_cap", "Trimmed large_cap after the run-up")
    entry(last - timedelta(days=150), "buy", "memecoins", "Added to memecoins on momentum")  # review date passed
    entry(last - timedelta(days=20), "buy", "layer1", "Want more layer1 exposure")  # not due yet
    return ctx, last, gainer


def _snapshot(ctx) -> tuple:
    from indexdesk.tools.portfolio.importer import export_text

    out = io.StringIO()
    ctx.journal_store().export_jsonl(out)
    store = ctx.ledger_store()
    targets = [(t.kind, t.name, t.tier, t.low, t.high, t.target) for t in store.targets()]
    return (export_text(ctx), out.getvalue(), (ctx.settings.home / "targets.toml").read_bytes(), targets,
            store.meta("targets_source"))


@pytest.fixture(scope="module")
def checked(world):
    ctx, last, gainer = world
    before = _snapshot(ctx)
    registry = Plain(default_registry())
    result = registry.call("checkup", {}, ctx)
    assert not is_error(result), result
    assert _snapshot(ctx) == before, "the checkup wrote something"
    return ctx, last, gainer, registry, result


def test_every_section_present_with_one_action_at_most(checked):
    _, last, _, registry, result = checked
    assert result["as_of"] == last.isoformat()
    assert result["holdings_from"].startswith("ledger")
    for key in ("regime", "rebalance", "rotation", "tax", "risk", "journal"):
        section = result[key]
        assert section["status"] in ("act", "ok", "info"), (key, section)
        assert section["summary"] and section["tools"]
        action = section["action"]
        assert action is None or (action["command"].startswith("indexdesk ") and action["tool"] in registry)
    assert result["actions"] == sum(result[k]["action"] is not None for k in
                                    ("regime", "rebalance", "rotation", "tax", "risk", "journal"))


def test_regime_matches_tier_allocation(checked):
    ctx, _, _, registry, result = checked
    tiers = registry.call("tier_allocation", {}, ctx)
    assert result["regime"]["regime"] == tiers["regime"]
    assert [(t["tier"], t["target"], t["low"], t["high"]) for t in result["regime"]["tiers"]] == \
        [(t["tier"], t["target"], t["low"], t["high"]) for t in tiers["tiers"]]
    portfolio = registry.call("get_portfolio", {}, ctx)
    core = sum(p["weight"] for p in portfolio["positions"] if p["tier"] == "core" and p.get("weight") is not None)
    current = {t["tier"]: t["current"] for t in result["regime"]["tiers"]}
    assert current["core"] == pytest.approx(core, abs=2e-4)  # large_cap and BTC


def test_rebalance_matches_check_rebalance_under_the_users_policy(checked):
    ctx, _, _, registry, result = checked
    own = registry.call("check_rebalance", {"policy": "threshold", "band": 0.1, "tax_rate": 0.25}, ctx)
    section = result["rebalance"]
    assert section["policy"] == "threshold" and "[rebalance]" in section["policy_from"]
    assert section["fires"] == own["act"] is True  # BTC, ETH and the gainer have target 0
    assert section["turnover"] == own["turnover"]
    assert section["estimated_tax"] == own["estimated_tax"] and section["realised_gain"] == own["realised_gain"]
    assert section["tax_rate"] == 0.25 and "more than one year (calendar)" in section["holding_rule"] and section["lot_method"]
    trades = {t["name"]: t["trade"] for t in section["trades"]}
    assert trades == {line["name"]: line["trade"] for line in own["lines"] if abs(line["trade"]) >= 0.0005}
    assert trades["BTC"] < 0 and section["action"]["tool"] == "check_rebalance"
    # Rebalanced to the targets, large_cap holds 60 %: the [limits] max_weight 30 % is flagged on both.
    assert any("max_weight" in b for b in own["limit_breaches"]) and section["limit_breaches"] == own["limit_breaches"]


def test_rotation_matches_propose_rotation_and_the_out_of_sample_sweep(checked):
    ctx, _, _, registry, result = checked
    own = registry.call("propose_rotation", {"strategy": "momentum", "lookback": 60, "tilt": 0.05}, ctx)
    section = result["rotation"]
    assert section["turnover"] == own["turnover"] and section["backtest"] == own["backtest"]
    assert section["estimated_cost_amount"] == own["estimated_cost_amount"]
    assert section["limit_breaches"] == own["limit_breaches"]
    from indexdesk.tools.review.checkup_sections import OUT_OF_SAMPLE_GRID

    tested = registry.call("backtest", {"strategy": "momentum", "lookback": 60, "tilt": 0.05,
                                        "sweep": OUT_OF_SAMPLE_GRID}, ctx)
    assert section["out_of_sample_edge"] == tested["sweep"]["out_of_sample_edge"]
    assert section["verdict"] == tested["sweep"]["verdict"]
    assert (section["action"] is not None) == (section["out_of_sample_edge"] > 0 and bool(section["trades"]))


def test_tax_matches_harvest_losses_and_finds_the_lot_turning_long_term(checked):
    ctx, last, gainer, registry, result = checked
    own = registry.call("harvest_losses", {"min_loss": 50}, ctx)
    section = result["tax"]
    assert section["min_loss"] == 50 and section["total_loss"] == own["total_loss"]
    assert [h["lot_id"] for h in section["harvestable"]] == [h["lot_id"] for h in own["lots"]]
    soon = [s for s in section["turning_long_term"] if s["symbol"] == gainer]
    assert len(soon) == 1 and 0 < soon[0]["days_left"] <= 30 and soon[0]["unrealised_gain"] > 0
    acquired = date.fromisoformat(soon[0]["acquired"])
    assert date.fromisoformat(soon[0]["long_term_on"]) == acquired + timedelta(days=366)
    assert soon[0]["days_left"] == (acquired + timedelta(days=366) - last).days


def test_risk_limits_breached_and_not_with_the_risk_tools_numbers(checked):
    ctx, _, _, registry, result = checked
    section = result["risk"]
    checks = {c["name"]: c for c in section["checks"]}
    assert set(checks) == {"max_var", "max_weight", "max_drawdown", "max_correlation"}
    assert [c["breached"] for c in section["checks"]] == sorted((c["breached"] for c in section["checks"]),
                                                                 reverse=True)  # breaches first
    assert checks["max_weight"]["breached"] and checks["max_drawdown"]["breached"]
    assert not checks["max_var"]["breached"] and not checks["max_correlation"]["breached"]
    assert section["breaches"] == 2 and section["status"] == "act"
    var = registry.call("compute_var", {"confidence": 0.99, "horizon_days": 5}, ctx)
    assert checks["max_var"]["value"] == pytest.approx(var["var"], abs=1e-4)
    portfolio = registry.call("get_portfolio", {}, ctx)
    largest = max(p["weight"] for p in portfolio["positions"] if p.get("weight") is not None)
    assert checks["max_weight"]["value"] == pytest.approx(largest, abs=2e-4)
    held = [p["name"] for p in portfolio["positions"] if p.get("weight")]
    corr = registry.call("analyze_correlation", {"indices": held, "window": "90d"}, ctx)
    n = len(corr["names"])
    top = max(corr["matrix"][i][j] for i in range(n) for j in range(i + 1, n))
    assert checks["max_correlation"]["value"] == pytest.approx(top, abs=1e-9)
    assert 0 < checks["max_drawdown"]["value"] < 1  # a long-only loss stays below 100 %


def test_journal_discipline_finds_undocumented_trades_and_due_reviews(checked):
    _, last, _, _, result = checked
    section = result["journal"]
    missing = {(u["kind"], u["symbol"]) for u in section["undocumented"]}
    assert missing == {("buy", "ETH"), ("sell", "memecoins")}  # the large_cap sell has its entry 2 days later
    assert section["undocumented_count"] == 2 and section["trades_checked"] == 3
    assert [d["action"] for d in section["due_reviews"]] == ["buy"]
    assert section["due_reviews"][0]["review_date"] == (last - timedelta(days=60)).isoformat()
    review = date.fromisoformat(section["next_quarterly_review"])
    assert review > last and review.day == 1 and review.month in (1, 4, 7, 10) and (review - last).days <= 92
    assert section["action"]["writes"] is True and section["action"]["tool"] == "log_journal_entry"


def test_as_of_a_past_day_uses_the_ledger_and_prices_of_that_day(world):
    ctx, last, gainer = world
    day = last - timedelta(days=40)
    result = Plain(default_registry()).call("checkup", {"as_of": day.isoformat()}, ctx)
    assert result["as_of"] == day.isoformat()
    assert "ETH" not in {t["name"] for t in result["rebalance"]["trades"]}  # bought 30 days before the end
    assert result["journal"]["trades_checked"] == 1  # only the large_cap sell is in its 90 days
    bad = Plain(default_registry()).call("checkup", {"as_of": "2999-01-01"}, ctx)
    assert is_error(bad) and "after the last day" in bad["error"]


def test_json_cli_carries_units_and_text_fits_100_columns(world, capsys):
    from indexdesk.agent.cli import main

    ctx, _, _ = world
    argv = ["--home", str(ctx.settings.home), "--source", ctx.settings.source, "checkup"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert max(len(line) for line in text.splitlines()) <= 100
    for title in ("Regime and tiers", "Rebalance", "Rotation", "Tax", "Risk limits", "Journal discipline"):
        assert title in text
    assert main(argv + ["--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    from indexdesk.agent.render import units_for

    units = units_for("checkup")
    assert units["rebalance.trades.amount"] == "currency" and units["risk.checks.value"] == "per_row"
    assert all(c["unit"] in ("fraction", "ratio") for c in payload["risk"]["checks"])


def test_chat_shows_a_short_list_and_expand_shows_every_section(checked):
    from indexdesk.agent.render import result_markdown

    *_, result = checked
    short = result_markdown(result, tool="checkup")
    bullets = [line for line in short.splitlines() if line.startswith("- **")]
    assert len(bullets) == 6 and "/expand" in short and "nothing executed" in short
    assert "`indexdesk journal add" in short and "(asks first)" in short
    full = result_markdown(result, tool="checkup", expanded=True)
    assert "|" in full and len(full) > len(short)


@pytest.mark.parametrize("day, review", [(date(2026, 1, 5), date(2026, 4, 1)), (date(2025, 12, 31), date(2026, 1, 1)),
                                         (date(2025, 7, 1), date(2025, 10, 1)), (date(2025, 3, 31), date(2025, 4, 1))])
def test_next_quarterly_review_is_the_day_after_the_quarter(day, review):
    from indexdesk.tools.review.checkup_journal import next_quarterly_review

    assert next_quarterly_review(day) == review


def test_a_trade_is_documented_by_a_link_or_an_entry_naming_it_within_three_days():
    from types import SimpleNamespace as T

    from indexdesk.memory.journal.models import JournalEntry, Position
    from indexdesk.tools.review.checkup_journal import undocumented_trades

    def tx(tx_id, day, kind="buy", symbol="ETH"):
        return T(tx_id=tx_id, when=datetime(2025, 6, day, 12), kind=kind, symbol=symbol, quantity=1, price=None)

    def entry(day, name=None, links=()):
        return JournalEntry(text="x", timestamp=datetime(2025, 6, day, tzinfo=timezone.utc), ledger_links=list(links),
                            positions=[Position(name=name)] if name else [])

    trades = [tx("a", 10), tx("b", 10), tx("c", 20), tx("d", 20, kind="deposit", symbol="USD"), tx("e", 25, symbol="BTC")]
    entries = [entry(13, "ETH"), entry(1, links=["c"]), entry(26, "eth")]
    # a, b: an ETH entry 3 days later; c: linked; d: not a trade; e: the entry the next day names ETH, not BTC
    assert [t.tx_id for t in undocumented_trades(trades, entries, 3)] == ["e"]
    assert [t.tx_id for t in undocumented_trades(trades, [entry(14, "ETH")], 3)] == ["a", "b", "c", "e"]
