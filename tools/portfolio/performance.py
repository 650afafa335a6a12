"""The ledger portfolio's own return: daily value from its real trades and a time-weighted return,
so money put in or taken out is not counted as gain or loss.

Daily value V_t = Σ units held × close (index NAV for index units) + recorded cash. External flows:
with cash recorded (any cash deposit), cash deposits/withdrawals and coin deposits/withdrawals
(at that day's price); without recorded cash, every buy is money in and every sale money out.
Income (staking, yield) is return, never a flow. A flow is taken at the start of its day:
r_t = V_t / (V_{t-1} + F_t) − 1, and the TWR links the r_t.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from indexdesk.tools.context import ToolContext


@dataclass
class LedgerPerformance:
    time_weighted_return: float
    daily: "pd.Series"  # daily returns over (start, end]
    value_start: float
    value_end: float
    net_flows: float
    warnings: list[str] = field(default_factory=list)


def _unit_changes(transactions, cash_tracked: bool, currency: str):
    """(day, symbol, signed units), (day, cash change), (day, flow amount or (symbol, units) to price)."""
    units, cash, flows = [], [], []
    for tx in transactions:
        day = tx.when.date()
        price = tx.price or 0
        gross = float(tx.quantity * price)
        if tx.symbol == currency:
            sign = {"deposit": 1, "income": 1, "withdrawal": -1, "fee": -1}.get(tx.kind, 0)
            cash.append((day, sign * float(tx.quantity) - float(tx.fee)))
            if tx.kind in ("deposit", "withdrawal"):
                flows.append((day, sign * float(tx.quantity)))
            continue
        sign = {"buy": 1, "income": 1, "deposit": 1, "sell": -1, "withdrawal": -1, "fee": -1}.get(tx.kind, 0)
        if sign:
            units.append((day, tx.symbol, sign * float(tx.quantity)))
        if tx.kind == "buy":
            cash.append((day, -(gross + float(tx.fee))))
            if not cash_tracked:
                flows.append((day, gross + float(tx.fee)))
        elif tx.kind == "sell":
            cash.append((day, gross - float(tx.fee)))
            if not cash_tracked:
                flows.append((day, -(gross - float(tx.fee))))
        elif tx.kind in ("deposit", "withdrawal"):
            flows.append((day, (tx.symbol, sign * float(tx.quantity))))
        elif tx.fee:
            cash.append((day, -float(tx.fee)))
    return units, cash, flows


def ledger_performance(ctx: "ToolContext", start: date, end: date) -> LedgerPerformance | None:
    """The ledger's TWR over (start, end]; None when there is no ledger or nothing held in the window."""
    import numpy as np
    import pandas as pd

    from indexdesk.tools.indices.series import level_panel
    from indexdesk.tools.portfolio.holdings import ledger_or_none

    store = ledger_or_none(ctx)
    if store is None:
        return None
    transactions = store.transactions(end=end)
    if not transactions:
        return None
    currency = store.currency() or "USD"
    cash_tracked = any(t.symbol == currency and t.kind == "deposit" for t in transactions)
    units, cash, flows = _unit_changes(transactions, cash_tracked, currency)
    warnings: list[str] = []
    symbols = sorted({s for _, s, _ in units})
    days = ctx.market().close.loc[str(start): str(end)].index
    if len(days) < 2:
        return None
    priced: list[str] = []
    prices = pd.DataFrame(index=days)
    for symbol in symbols:
        try:
            levels, _ = level_panel(ctx, [symbol])
        except Exception:  # noqa: BLE001 - an unknown or unpriced symbol (a hedge) is left out, said below
            continue
        prices[symbol] = levels[symbol].ffill().reindex(days)
        priced.append(symbol)
    unpriced = [s for s in symbols if s not in priced]
    if unpriced:
        warnings.append(f"not priced, left out of the ledger's return: {', '.join(unpriced)}")
    frame = pd.DataFrame(units, columns=["day", "symbol", "units"])
    frame = frame[frame.symbol.isin(priced)]
    held = frame.pivot_table(index="day", columns="symbol", values="units", aggfunc="sum").sort_index().cumsum()
    held.index = pd.to_datetime(held.index)
    held = held.reindex(held.index.union(days)).ffill().fillna(0.0).reindex(days)
    value = (held.reindex(columns=priced, fill_value=0.0) * prices[priced].fillna(0.0)).sum(axis=1)
    if cash_tracked:
        cash_frame = pd.DataFrame(cash, columns=["day", "amount"]).groupby("day")["amount"].sum().sort_index().cumsum()
        cash_frame.index = pd.to_datetime(cash_frame.index)
        value = value + cash_frame.reindex(cash_frame.index.union(days)).ffill().fillna(0.0).reindex(days)
    flow = pd.Series(0.0, index=days)
    for day, amount in flows:
        stamp = pd.Timestamp(day)
        if stamp <= days[0] or stamp > days[-1]:
            continue
        where = days[days >= stamp][0]
        if isinstance(amount, tuple):
            symbol, quantity = amount
            if symbol not in priced:
                continue
            amount = quantity * float(prices.at[where, symbol]) if not np.isnan(prices.at[where, symbol]) else 0.0
        flow[where] += amount
    base = value.shift(1) + flow
    daily = (value / base - 1.0).where(base > 0, 0.0).iloc[1:]
    if value.iloc[0] <= 0 and (value > 0).any():
        warnings.append(f"the ledger held nothing on {days[0].date()}: its return starts with the first holding")
    return LedgerPerformance(float((1.0 + daily).prod() - 1.0), daily, float(value.iloc[0]), float(value.iloc[-1]),
                             float(flow.iloc[1:].sum()), warnings)
