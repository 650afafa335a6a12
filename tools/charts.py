"""PNG charts drawn with matplotlib's object API on the Agg canvas (no pyplot, no global backend switch)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

DPI = 110
SIZE = (9.0, 4.8)


def new_figure():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def percent_axis(axis) -> None:
    from matplotlib.ticker import PercentFormatter

    axis.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def date_axis(axis) -> None:
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator()
    axis.xaxis.set_major_locator(locator)
    axis.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axis.grid(alpha=0.3)


def cumulative_return_chart(levels: "pd.DataFrame", path: Path, title: str) -> Path:
    """Each column's cumulative return from its first level in the frame (a name listed later starts later)."""
    figure = new_figure()
    axis = figure.add_subplot()
    for column in levels.columns:
        series = levels[column].dropna()
        if len(series) >= 2:
            axis.plot(series.index, series / series.iloc[0] - 1.0, label=str(column), linewidth=1.5)
    axis.axhline(0.0, color="black", linewidth=0.8)
    axis.set_title(title)
    percent_axis(axis)
    date_axis(axis)
    axis.legend(loc="best", fontsize=8)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    return path


def _save(figure, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    return path


def equity_drawdown_chart(curves: "pd.DataFrame", path: Path, title: str) -> Path:
    """Growth of 1 on a log axis (a +30,000 % buy-and-hold no longer flattens the other lines) with
    each curve's drawdown in a panel below."""
    from matplotlib.ticker import FuncFormatter

    figure = new_figure()
    figure.set_size_inches(SIZE[0], SIZE[1] * 1.35)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    for column in curves.columns:
        series = curves[column].dropna()
        series = series[series > 0]
        if len(series) >= 2:
            growth = series / series.iloc[0]
            top.plot(growth.index, growth, label=str(column), linewidth=1.4)
            bottom.plot(growth.index, growth / growth.cummax() - 1.0, linewidth=1.0)
    top.set_yscale("log")
    top.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}×"))
    top.set_title(title)
    top.set_ylabel("growth of 1 (log scale)")
    top.legend(loc="best", fontsize=8)
    date_axis(top)
    bottom.set_ylabel("drawdown")
    percent_axis(bottom)
    date_axis(bottom)
    return _save(figure, path)


def rolling_correlation_chart(dates: list, values: list, path: Path, title: str) -> Path:
    """A pair's rolling correlation over time, with the 0.9 'same bet' line."""
    import pandas as pd

    figure = new_figure()
    axis = figure.add_subplot()
    index = pd.to_datetime(pd.Series(dates))
    axis.plot(index, [float("nan") if v is None else v for v in values], linewidth=1.5)
    axis.axhline(0.9, color="red", linewidth=0.8, linestyle="--", label="0.9: the same bet")
    axis.axhline(0.0, color="black", linewidth=0.8)
    axis.set_ylim(-1.05, 1.05)
    axis.set_title(title)
    axis.legend(loc="lower left", fontsize=8)
    date_axis(axis)
    return _save(figure, path)


def drift_chart(names: list[str], weights: list[float], targets: list[float | None], band: float,
                path: Path, title: str) -> Path:
    """Each holding's weight against its target, the band shaded: what to trade, at a glance."""
    figure = new_figure()
    axis = figure.add_subplot()
    positions = list(range(len(names)))
    axis.barh(positions, weights, color="#4c72b0", label="weight now")
    for y, target in zip(positions, targets):
        if target is None:
            continue
        axis.plot([target, target], [y - 0.4, y + 0.4], color="black", linewidth=2)
        axis.fill_betweenx([y - 0.4, y + 0.4], max(0.0, target - band), target + band, color="grey", alpha=0.25)
    axis.set_yticks(positions, names)
    axis.invert_yaxis()
    from matplotlib.ticker import PercentFormatter

    axis.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axis.set_title(title)
    axis.set_xlabel("weight (black: target; grey: the rebalancing band)")
    axis.grid(axis="x", alpha=0.3)
    return _save(figure, path)
