"""Laid-out views of the tools whose results read better as a chosen table than as the generic one.

A view names the result's list to draw, its columns (record fields, formatted by declared units)
and a heading and summary where a sentence adds something. Nothing here formats a number by hand:
`f(path, value)` is `agent/terminal.Fmt`, i.e. `indexdesk.tools.units.format_value`.
A tool with no view here is drawn by the generic renderer.
"""

from __future__ import annotations

from indexdesk.agent.terminal import Col, Fmt, TableView, View


def _red_if_negative(field: str):
    return lambda r: "red" if (r.get(field) or 0) < 0 else None


def _term(r: dict, f: Fmt) -> str:
    return "long" if r.get("long_term") else "short"


# ---------------------------------------------------------------- risk

VAR = View(
    heading=lambda r, f: (f"{r['method']} VaR, {f('confidence', r['confidence'], 0)} confidence, "
                          f"{r['horizon_days']}-day horizon ({r['start']} → {r['end']})"),
    tables=[TableView("components", [
        Col("holding", "name"), Col("weight", "weight"), Col("VaR part", "var"), Col("CVaR part", "cvar"),
        Col("VaR amount", "var_amount", 0), Col("share of VaR", "share_of_var")],
        total=lambda r, f: ["portfolio", f("cash_weight", 1 - (r.get("cash_weight") or 0)), f("var", r["var"]),
                            f("cvar", r["cvar"]), f("var_amount", r["var_amount"], 0),
                            f("components.share_of_var", 1.0)])],
    summary=lambda r, f: [(f"CVaR {f('cvar', r['cvar'])} = {f('cvar_amount', r['cvar_amount'], 0)}; "
                          f"tail ratio {r['tail_note']}"), r.get("method_notes") or ""],
)


def _window(s: dict, f: Fmt) -> str:
    return f"{s['start']} → {s['end']}" if s.get("start") else "instant"


STRESS = View(
    tables=[TableView("scenarios", [
        Col("scenario", "scenario"), Col("window", _window), Col("P&L", "pnl", style=_red_if_negative("pnl")),
        Col("amount", "pnl_amount", 0), Col("max drawdown", "max_drawdown", short="max DD"),
        Col("worst", lambda s, f: s.get("worst_contributor") or "–")],
        title=lambda r, f: f"stress test, portfolio {f('portfolio_value', r['portfolio_value'], 0)}")],
    summary=lambda r, f: [f"{s['scenario']}: {note}" for s in r["scenarios"] for note in s.get("notes") or []],
)


def _matrix_rows(r: dict) -> list[dict]:
    return [{"name": name, **{n: v for n, v in zip(r["names"], row)}} for name, row in zip(r["names"], r["matrix"])]


def _corr_summary(r: dict, f: Fmt) -> list[str]:
    lines = [f"• {line}" for line in r.get("suggestions") or []]
    rolling = r.get("rolling")
    if rolling:
        lines.append(f"rolling {rolling['window_days']}d {'/'.join(rolling['pair'])}: latest "
                     f"{f('rolling.latest', rolling['latest'], 2)}, range {f('rolling.low', rolling['low'], 2)} to "
                     f"{f('rolling.high', rolling['high'], 2)} (--plot PNG draws it)")
    return lines


def corr_view(result: dict) -> View:
    """The matrix as a table (columns are the names), drawn like any other record table."""
    result["matrix_rows"] = _matrix_rows(result)

    def cell_of(n: str):
        return lambda row, f: f("matrix", row.get(n), 2)

    columns = [Col("", "name")] + [Col(n, cell_of(n), numeric=True)
                                   for n in result["names"]]
    return View(tables=[TableView("matrix_rows", columns, title=lambda r, f: (
        f"correlation of daily returns {r['start']} → {r['end']} (average "
        f"{f('average_correlation', r['average_correlation'], 2)})"))], summary=_corr_summary)


SIZE = View(
    tables=[TableView("positions", [
        Col("holding", "name"), Col("volatility", "volatility"), Col("base weight", "base_weight"),
        Col("new weight", "weight"), Col("change", "change", signed=True)],
        title=lambda r, f: f"volatility target {f('target_volatility', r['target_volatility'], 0)} "
                           f"({r['start']} → {r['end']})",
        total=lambda r, f: ["cash", "", "", f("cash", r["cash"]), ""])],
    summary=lambda r, f: [f"• {note}" for note in r.get("notes") or []],
)

# ---------------------------------------------------------------- strategy


def _weights(with_signal: bool) -> list[Col]:
    cols = [Col("name", "name"), Col("tier", "tier"), Col("now", "current"), Col("target", "target"),
            Col("trade", "trade", signed=True)]
    return cols + ([Col("signal", "signal", signed=True)] if with_signal else []) + [Col("note", "note", aside=True)]


ROTATE = View(
    tables=[TableView("lines", _weights(True), title=lambda r, f: (
        f"{r['strategy']} rotation, lookback {r['lookback']}d, tilt {f('tilt', r['tilt'])}"))],
    summary=lambda r, f: [(f"turnover {f('turnover', r['turnover'])}, estimated cost "
                          f"{f('estimated_cost', r['estimated_cost'], 2)} "
                          f"({f('estimated_cost_amount', r['estimated_cost_amount'])})"),
                          f"backtest: {r['backtest']}"],
)


def _rebalance_heading(r: dict, f: Fmt) -> str:
    return f"{r['policy']}: {'rebalance' if r['act'] else 'hold'} — {r['reason']}"


REBALANCE = View(
    heading=_rebalance_heading,
    tables=[TableView("lines", _weights(False), title=lambda r, f: "trades" if r["act"] else "weights"),
            TableView("sells", [Col("lot", "lot_id"), Col("symbol", "symbol"), Col("quantity", "quantity"),
                                Col("gain", "gain"), Col("term", _term), Col("why", "reason", aside=True)],
                      title="tax-aware sells")],
    summary=lambda r, f: ([(f"realised gain {f('realised_gain', r['realised_gain'])}, estimated tax "
                           f"{f('estimated_tax', r['estimated_tax'])}")] if r.get("sells") else [])
    + [f"backtest: {r['backtest']}"],
)


def _sweep_top(r: dict) -> None:
    r["sweep_top"] = (r.get("sweep") or {}).get("top") or []


def _attribution_parts(r: dict) -> None:
    r["parts"] = [{"name": k.replace("_", " "), "key": k, "value": r.get(k)}
                  for k in ("beta", "index_selection", "timing", "cost_drag") if k in r]


def _sweep_lines(r: dict, f: Fmt) -> list[str]:
    out = [(f"{r['trades']} trades, turnover {f('turnover_per_year', r['turnover_per_year'])}/yr, cost drag "
           f"{f('cost_drag_per_year', r['cost_drag_per_year'], 2, signed=True)}/yr; parameters {r['params']}")]
    sweep = r.get("sweep")
    if sweep:
        out.append(f"best {sweep['best']}: in sample {f('sweep.in_sample_edge', sweep['in_sample_edge'], signed=True)}"
                   f"/yr, held back from {sweep['held_back_from']} "
                   f"{f('sweep.out_of_sample_edge', sweep['out_of_sample_edge'], signed=True)}/yr, walk-forward "
                   f"{f('sweep.walk_forward_edge', sweep['walk_forward_edge'], signed=True)}/yr — {sweep['verdict']}")
    return out


BACKTEST = View(
    tables=[TableView("stats", [
        Col("name", "name"), Col("total", "total_return", signed=True),
        Col("annual return", "annual_return", signed=True, short="CAGR"),
        Col("volatility", "annual_volatility", short="vol"), Col("Sharpe", "sharpe_ratio", 2),
        Col("max drawdown", "max_drawdown", short="max DD")],
        title=lambda r, f: f"{r['strategy']} {r['start']} → {r['end']} ({f('days', r['days'])} days)"),
        TableView("sweep_top", [Col("config", "config"),
                                Col("edge/yr", lambda x, f: f("sweep.top.edge", x["edge"], signed=True), numeric=True)],
                  title=lambda r, f: f"sweep of {r['sweep']['configurations']} configurations "
                                     "(in-sample edge vs static)")],
    summary=_sweep_lines, prepare=_sweep_top,
)

ATTRIBUTION = View(
    tables=[TableView("parts", [Col("part", "name"), Col("return", lambda x, f: f(x["key"], x["value"], signed=True),
                                                         numeric=True)],
                      title=lambda r, f: f"attribution {r['start']} → {r['end']} ({r['strategy']})",
                      total=lambda r, f: ["total", f("total", r["total"], signed=True)])],
    summary=lambda r, f: [r.get("explanation") or ""], prepare=_attribution_parts,
)


TIERS = View(
    heading=lambda r, f: (f"regime: {r['regime']} — BTC {f('btc_price', r['btc_price'], 0)} vs 200-day average "
                          f"{f('btc_200d_average', r['btc_200d_average'], 0)}, 30-day volatility "
                          f"{f('btc_volatility_30d', r['btc_volatility_30d'])}"),
    tables=[TableView("tiers", [Col("tier", "tier"), Col("target", "target"),
                                Col("range", lambda t, f: f"{f('tiers.low', t['low'])} to {f('tiers.high', t['high'])}",
                                    numeric=True)], title="tier targets")],
    summary=lambda r, f: [f"backtest: {r['backtest']}", f"rule: {r['rule']}"],
)

HARVEST = View(
    tables=[TableView("lots", [
        Col("lot", "lot_id"), Col("symbol", "symbol"), Col("loss", "loss"), Col("tax saved", "tax_saved"),
        Col("term", _term),
        Col("replacement", lambda x, f: f"{x.get('replacement') or '–'} "
                                        f"({f('lots.replacement_correlation', x.get('replacement_correlation'), 2)})")],
        title=lambda r, f: f"losses worth harvesting (at least {f('min_loss', r['min_loss'], 0)})")],
    summary=lambda r, f: [(f"total loss {f('total_loss', r['total_loss'])}, tax saved "
                          f"{f('total_tax_saved', r['total_tax_saved'])} at {f('tax_rate', r['tax_rate'])}")],
)


# ---------------------------------------------------------------- portfolio (the ledger)


def _drift_style(result: dict):
    band = result.get("band") or 0
    return lambda p: "red" if p.get("drift") is not None and abs(p["drift"]) > band else None


def _portfolio_prepare(r: dict) -> None:
    if r.get("cash"):
        total = r.get("total_value") or 0
        r["positions"] = list(r["positions"]) + [{"name": "cash", "venue": "", "value": r["cash"],
                                                  "weight": r["cash"] / total if total else None}]


def _portfolio_lines(r: dict, f: Fmt) -> list[str]:
    tiers = "  ".join(f"{t['tier']} {f('tiers.weight', t['weight'], 0)}"
                      + (f" ({f('tiers.low', t['low'], 0)} to {f('tiers.high', t['high'], 0)}, {t['status']})"
                         if t.get("low") is not None else "") for t in r.get("tiers") or [])
    out = [f"tiers: {tiers}"] if tiers else []
    if r.get("sleeves"):
        out.append("sleeves: " + "  ".join(f"{k} {f('sleeves.' + k, v, 0)}" for k, v in r["sleeves"].items()))
    if r.get("unpriced"):
        out.append(f"unpriced (not valued): {', '.join(r['unpriced'])}")
    if r.get("out_of_band"):
        out.append(f"beyond the ±{f('band', r['band'], 0)} band: {', '.join(r['out_of_band'])}")
    return out


PORTFOLIO = View(
    tables=[TableView("positions", [
        Col("holding", "name"), Col("venue", lambda p, f: p.get("venue") or ""), Col("units", "units"),
        Col("value", "value", 0), Col("weight", "weight"), Col("target", "target"), Col("drift", "drift", signed=True),
        Col("P&L", "unrealized_pnl", 0, signed=True, style=_red_if_negative("unrealized_pnl"))],
        title=lambda r, f: (f"portfolio {f('total_value', r['total_value'], 0)}, "
                            f"P&L {f('unrealized_pnl', r['unrealized_pnl'], 0, signed=True)}"))],
    summary=_portfolio_lines, prepare=_portfolio_prepare,
)

def _holding(r: dict) -> str:
    days = r.get("holding_period_days")
    return "a calendar year" if days is None else f"{days} days"  # null = the calendar-year rule


LOTS = View(
    tables=[TableView("lots", [
        Col("symbol", "symbol"), Col("venue", "venue"), Col("acquired", "acquired"), Col("units", "units"),
        Col("basis", "cost_basis", 0), Col("value", "value", 0),
        Col("P&L", "unrealized_pnl", 0, signed=True, style=_red_if_negative("unrealized_pnl")), Col("term", _term)],
        title=lambda r, f: f"open lots ({r['method']}, long term after {_holding(r)})")],
    summary=lambda r, f: [(f"{r['shown']} of {r['total']} lots; basis {f('cost_basis', r['cost_basis'], 0)}, "
                          f"unrealised {f('unrealized_pnl', r['unrealized_pnl'], 0, signed=True)}")],
)

GAINS = View(
    tables=[TableView("by_symbol", [
        Col("symbol", "symbol"), Col("short term", "short_term", 0), Col("long term", "long_term", 0),
        Col("proceeds", "proceeds", 0), Col("basis", "cost_basis", 0)],
        title=lambda r, f: f"realised gains {r['year']} ({r['method']})",
        total=lambda r, f: ["total", f("short_term", r["short_term"], 0), f("long_term", r["long_term"], 0),
                            f("proceeds", r["proceeds"], 0), f("cost_basis", r["cost_basis"], 0)])],
    summary=lambda r, f: [f"total {f('total', r['total'], 0)} from {r['closings']} lot closings"],
)


def targets_view(index_tiers: dict[str, str]) -> View:
    """Tiers with their targets, ranges and the indices in each (the tier of an index from the catalogue)."""

    def indices_of(t: dict, f: Fmt, result: dict) -> str:
        return ", ".join(f"{i['name']} {f('indices.weight', i['weight'], 0)}" for i in result.get("indices") or []
                         if index_tiers.get(i["name"], "?") == t["tier"])

    holder: dict = {}

    def prepare(r: dict) -> None:
        holder["result"] = r

    return View(tables=[TableView("tiers", [
        Col("tier", "tier"), Col("target", "target", 0),
        Col("range", lambda t, f: f"{f('tiers.low', t.get('low'), 0)} to {f('tiers.high', t.get('high'), 0)}"
            if t.get("low") is not None else "–", numeric=True),
        Col("indices", lambda t, f: indices_of(t, f, holder["result"]))],
        title="targets")],
        summary=lambda r, f: [f"rebalancing band ±{f('band', r['band'])}"], prepare=prepare)
