"""PNG charts of a quarterly review: equity against benchmarks, drawdowns, allocation drift.

Drawn with the shared helpers of `tools/charts.py` (matplotlib's object API on the Agg canvas).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from indexdesk.tools.charts import date_axis, new_figure, percent_axis

if TYPE_CHECKING:
    from indexdesk.tools.review.report import QuarterReview

PORTFOLIO_COLOUR = "#1f4e79"
CHART_FILES = ("equity.png", "drawdown.png", "allocation.png")


def equity_chart(review: "QuarterReview", path: Path) -> Path:
    figure = new_figure()
    axis = figure.add_subplot()
    returns = review.equity - 1.0
    for column in returns.columns:
        main = column == review.portfolio_name
        axis.plot(returns.index, returns[column], label=column, linewidth=2.4 if main else 1.3,
                  color=PORTFOLIO_COLOUR if main else None, linestyle="-" if main or column != "targets, buy-and-hold" else "--")
    for number, outcome in enumerate(review.decisions):
        axis.axvline(outcome.date, color="grey", linestyle=":", linewidth=1,
                     label="journaled decision" if number == 0 else None)
    axis.axhline(0.0, color="black", linewidth=0.8)
    axis.set_title(f"{review.quarter.label}: cumulative return, target portfolio vs benchmarks")
    percent_axis(axis)
    date_axis(axis)
    axis.legend(loc="best", fontsize=8)
    figure.savefig(path)
    return path


def drawdown_chart(review: "QuarterReview", path: Path) -> Path:
    figure = new_figure()
    axis = figure.add_subplot()
    portfolio = review.drawdown[review.portfolio_name]
    axis.fill_between(portfolio.index, portfolio, 0.0, color=PORTFOLIO_COLOUR, alpha=0.35, label=review.portfolio_name)
    if "BTC" in review.drawdown:
        axis.plot(review.drawdown.index, review.drawdown["BTC"], color="#d08c00", linewidth=1.2, label="BTC")
    limit = -review.targets.risk.max_drawdown
    axis.axhline(limit, color="#b00020", linestyle="--", linewidth=1.2, label=f"drawdown limit ({limit:.0%})")
    axis.set_ylim(min(limit, float(review.drawdown.min().min())) * 1.1, 0.01)
    axis.set_title(f"{review.quarter.label}: drawdown from the running peak")
    percent_axis(axis)
    date_axis(axis)
    axis.legend(loc="lower left", fontsize=8)
    figure.savefig(path)
    return path


def allocation_chart(review: "QuarterReview", path: Path) -> Path:
    figure = new_figure()
    axis = figure.add_subplot()
    allocation = review.allocation
    axis.stackplot(allocation.index, [allocation[c] for c in allocation.columns], labels=list(allocation.columns),
                   alpha=0.85)
    boundary = 0.0
    for column in allocation.columns[:-1]:
        boundary += next(c.weight for c in review.contributions if c.name == column)
        axis.axhline(boundary, color="black", linestyle="--", linewidth=0.8)
    axis.set_ylim(0.0, 1.0)
    axis.set_xlim(allocation.index[0], allocation.index[-1])
    axis.set_title(f"{review.quarter.label}: allocation without rebalancing (dashed: target boundaries)")
    percent_axis(axis)
    date_axis(axis)
    axis.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    figure.savefig(path)
    return path


def write_charts(review: "QuarterReview", folder: Path) -> list[Path]:
    drawers = (equity_chart, drawdown_chart, allocation_chart)
    return [draw(review, folder / name) for draw, name in zip(drawers, CHART_FILES)]
