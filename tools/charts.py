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
