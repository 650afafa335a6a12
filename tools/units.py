"""Units, declared once in result models and read by every renderer (chat, CLI tables, MCP text).

A result field says what its number is by its type::

    class VarResult(BaseModel):
        var: Fraction            # 0.123 -> shown as 12.30%
        var_amount: Money        # in the result's currency
        sharpe_ratio: Ratio      # plain number, never a percentage
        horizon_days: Days
        constituents: Count

The unit lives in the field's JSON schema (`{"unit": "fraction"}`), so it travels with the MCP
`outputSchema` too. `unit_of(model, field)` and `units_of(model)` read it back; renderers format
from it and never guess from field names. Pure: pydantic and typing only.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

UnitName = Literal["fraction", "ratio", "currency", "price", "quantity", "days", "hours", "count", "bps", "years",
                   "score", "per_row", "pp", "fraction_pp", "label"]
UNITS: tuple[str, ...] = ("fraction", "ratio", "currency", "price", "quantity", "days", "hours", "count", "bps", "years",
                          "score", "per_row", "pp", "fraction_pp", "label")


def _unit(name: str) -> Any:
    return Field(json_schema_extra={"unit": name})


# A share of something: returns, volatility, drawdown, VaR, weights, hit rates (0.12 = 12 %).
Fraction = Annotated[float, _unit("fraction")]
OptionalFraction = Annotated[float | None, _unit("fraction")]
# A dimensionless ratio read as a plain number: Sharpe, Sortino, Calmar, beta, correlation, tail ratio.
Ratio = Annotated[float, _unit("ratio")]
OptionalRatio = Annotated[float | None, _unit("ratio")]
# An amount of money in the result's currency (portfolio value, P&L, cost basis, fees, tax).
Money = Annotated[float, _unit("currency")]
OptionalMoney = Annotated[float | None, _unit("currency")]
# A price of one unit of an asset or index (NAV), in the result's currency.
Price = Annotated[float, _unit("price")]
OptionalPrice = Annotated[float | None, _unit("price")]
# Units of an asset held or traded.
Quantity = Annotated[float, _unit("quantity")]
OptionalQuantity = Annotated[float | None, _unit("quantity")]
Days = Annotated[int, _unit("days")]
OptionalDays = Annotated[int | None, _unit("days")]
Count = Annotated[int, _unit("count")]
OptionalCount = Annotated[int | None, _unit("count")]
# Basis points (trading costs, fees): 10 = 0.10 %.
Bps = Annotated[float, _unit("bps")]
Years = Annotated[float, _unit("years")]
Hours = Annotated[float, _unit("hours")]
# A relevance score or a 1–5 rating: a plain number with no unit to show.
OptionalScore = Annotated[float | None, _unit("score")]
Score = Annotated[float, _unit("score")]
# A number that names something (a calendar year, a version): shown as written, never formatted.
Label = Annotated[int, _unit("label")]
# Percentage points: a change of a weight written as 5 for +5 pp (not a fraction).
OptionalPoints = Annotated[float | None, _unit("pp")]
# A difference of two fractions (one return minus another), kept as a fraction and read in percentage points:
# 0.15 -> +15.0 pp. A difference of percentages is not itself a percentage of anything.
OptionalFractionPoints = Annotated[float | None, _unit("fraction_pp")]
# A row of mixed metrics (volatility next to Sharpe): the record's own `unit` field names the unit.
PerRow = Annotated[float, _unit("per_row")]
OptionalPerRow = Annotated[float | None, _unit("per_row")]


def unit_of(model: type[BaseModel], field_name: str) -> str | None:
    """The declared unit of one field of a result model, or None when the field declares none."""
    info = model.model_fields.get(field_name)
    if info is None:
        return None
    extra = info.json_schema_extra
    if isinstance(extra, dict) and isinstance(extra.get("unit"), str):
        return extra["unit"]
    return None


def units_of(model: type[BaseModel]) -> dict[str, str]:
    """Every field of a model that declares a unit, by name (nested models are not walked here)."""
    return {name: unit for name in model.model_fields if (unit := unit_of(model, name)) is not None}


def units_in_schema(schema: dict[str, Any]) -> dict[str, str]:
    """Units by dotted JSON path from a JSON schema (e.g. an MCP outputSchema), nested models and
    lists included: `results.annual_volatility -> fraction`. Renderers that hold only JSON use this."""
    definitions = schema.get("$defs", {})
    found: dict[str, str] = {}

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = definitions.get(node["$ref"].rsplit("/", 1)[-1], {})
        return node

    def walk(node: dict[str, Any], path: str, depth: int) -> None:
        if depth > 8:
            return
        node = resolve(node)
        if isinstance(node.get("unit"), str) and path:
            found[path] = node["unit"]
        for option in node.get("anyOf", []) + node.get("allOf", []):
            walk(option, path, depth + 1)
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            walk(node["items"], path, depth + 1)
        if isinstance(node.get("additionalProperties"), dict):
            walk(node["additionalProperties"], path + ".*" if path else "*", depth + 1)
        for key, child in node.get("properties", {}).items():
            walk(child, f"{path}.{key}" if path else key, depth + 1)

    walk(schema, "", 0)
    return found


# ---------------------------------------------------------------- formatting (for every renderer)

# Percentages read to 0.1 % everywhere (text, tables, chat, MCP text): the one style. A view may ask for
# other decimals (0 for round weights, 2 for trading costs); the JSON keeps every digit.
PERCENT_DIGITS = 1


def format_value(value: float | None, unit: str | None, currency: str = "USD", digits: int | None = None,
                 *, signed: bool = False) -> str:
    """A number as a person reads it in its declared unit: fractions as percentages (0.1 %), ratios and
    scores plain (4 significant digits), money with its currency, percentage points with `pp`, days and
    counts as integers; `signed` puts a `+` before a positive figure (never before a zero). The one
    formatter: the chat and CLI renderers, the review's text and tables and the MCP text all call it."""
    import math

    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if unit == "fraction_pp":  # stored as a fraction, read in points
        value, unit, digits = value * 100, "pp", 1 if digits is None else digits
    text = _unsigned_sign(_format(value, unit, currency, digits))
    if signed and not text.startswith("-") and any(ch in "123456789" for ch in text.split(" ")[0]):
        text = "+" + text
    return text


def _unsigned_sign(text: str) -> str:
    """No `-0`, `-0.0%`, `-$0.00` or `-0 pp`: a figure that rounds to zero has no sign."""
    if text.startswith("-") and not any(ch in "123456789" for ch in text.split(" ")[0]):
        return text[1:]
    return text


def _format(value: float, unit: str | None, currency: str, digits: int | None) -> str:
    if unit == "fraction":
        if digits is None:
            digits = PERCENT_DIGITS
            # A small share (a trading cost of 0.02 %) never reads as 0.0%: two significant digits, down to
            # 0.005 %; below that it is rounding noise (a turnover of -1e-5), nothing a person acts on.
            if 0.005 <= abs(value) * 100 < 0.5 * 10 ** -digits:
                return f"{_significant(value * 100, 2)}%"
        return f"{value * 100:,.{digits}f}%"  # 7,148,696.0% over a decade of memecoins
    if unit == "currency":
        body = f"{abs(value):,.{2 if digits is None else digits}f}"
        sign = "-" if value < 0 else ""
        return f"{sign}${body}" if currency.upper() == "USD" else f"{sign}{body} {currency.upper()}"
    if unit == "price":
        return f"{value:,.2f}" if abs(value) >= 1 else _significant(value)
    if unit == "label":
        return str(value)
    if unit in ("days", "count"):
        return str(round(value)) if float(value).is_integer() else _significant(value)
    if unit == "pp":
        return f"{_significant(value) if digits is None else f'{value:,.{digits}f}'} pp"
    if unit == "bps":
        return f"{_significant(value)} bps"
    if unit == "hours":
        return f"{_significant(value)} h"
    if digits is not None:  # a table column of ratios reads best with the same decimals on every row
        return f"{value:.{digits}f}"
    return _significant(value)


def _significant(value: float, figures: int = 4) -> str:
    """Rounded to 4 significant digits (2 decimals from 1,000 up), never rescaled."""
    import math

    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    magnitude = abs(value)
    decimals = 2 if magnitude >= 1000 else min(10, figures - 1 - math.floor(math.log10(magnitude)))
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def percent(value: float, digits: int = 1, *, signed: bool = False) -> str:
    """A fraction as a percentage in a sentence a tool writes (`+12.3%`, `70%`): `format_value`'s rounding,
    so a sentence never says -0.0% or a figure its table rounds otherwise."""
    return format_value(value, "fraction", digits=digits, signed=signed)
