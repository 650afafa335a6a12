"""The index catalogue: the built-in indices (`catalogue.toml`) plus the user's TOML file.

User file (default HOME/indices.toml, or INDEXDESK_INDICES_FILE), same format as the built-in:

    [indices.my_l1]
    title = "My layer-1s"
    tier = "satellite"            # core | satellite | speculative | cash
    category = "layer1"
    symbols = ["SOL", "AVAX", "NEAR"]   # and/or categories = ["layer1"], top_n = 5
    weighting = "equal"           # market_cap | equal | inverse_volatility
    max_weight = 0.4
    rebalance = "monthly"         # weekly | monthly | quarterly
    fee_bps = 50

A bad file raises a ToolError that names the file, the index and the field.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from indexdesk.tools.errors import ToolError, unknown_name
from indexdesk.tools.indices.definitions import IndexDefinition
from indexdesk.tools.market.universe import ASSETS, CATEGORIES

BUILTIN_PATH = Path(__file__).with_name("catalogue.toml")
RULE_FIELDS = ("symbols", "categories", "exclude_categories", "top_n")


@dataclass(frozen=True)
class Catalogue:
    """Indices by name, and every alias pointing at its index's name."""

    indices: dict[str, IndexDefinition]
    aliases: dict[str, str]

    def lookup(self, name: str) -> IndexDefinition | None:
        key = name.strip().lower()
        key = self.aliases.get(key, key)
        return self.indices.get(key)

    def tier_alias_note(self, name: str) -> str | None:
        """"core" is large_cap's alias and also a tier: a user naming it hears which one the numbers are for."""
        key = name.strip().lower()
        if key in TIER_NAMES and key in self.aliases:
            return (f"'{name.strip()}' is read as the index {self.aliases[key]} (its alias), not the {key} tier; "
                    f"for the tiers ask `tiers` or `portfolio`")
        return None

    def names_and_aliases(self) -> list[str]:
        return list(self.indices) + list(self.aliases)


TIER_NAMES = ("core", "satellite", "speculative")


def _field_of(error: dict) -> str:
    # Rule fields are flat in the file, so `rule.top_n` is reported as `top_n`.
    location = [str(part) for part in error.get("loc", ())]
    if location[:1] == ["rule"] and len(location) > 1:
        location = location[1:]
    return ".".join(location) or "definition"


def parse_index(name: str, table: dict, origin: str) -> IndexDefinition:
    """One `[indices.NAME]` table → IndexDefinition; ToolError naming the index and field."""
    if not isinstance(table, dict):
        raise ToolError(f"{origin}: index {name!r} must be a table ([indices.{name}])", field=name)
    data = dict(table)
    rule = {key: data.pop(key) for key in RULE_FIELDS if key in data}
    data.setdefault("title", name.replace("_", " ").title())
    try:
        definition = IndexDefinition(name=name, rule=rule, **data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = _field_of(first)
        if first.get("type") == "extra_forbidden":
            valid = sorted(set(IndexDefinition.model_fields) - {"name", "rule"} | set(RULE_FIELDS))
            raise ToolError(f"{origin}: index {name!r}: " + unknown_name("field", field, valid).message,
                            hint="fix the field name in the TOML file", field=field, valid=valid) from None
        raise ToolError(f"{origin}: index {name!r}, field {field!r}: {first.get('msg', 'invalid')}",
                        hint="fix the value in the TOML file", field=field) from None
    _check_universe(definition, origin)
    return definition


def _check_universe(definition: IndexDefinition, origin: str) -> None:
    for symbol in definition.rule.symbols:
        if symbol not in ASSETS:
            raise ToolError(f"{origin}: index {definition.name!r}, field 'symbols': "
                            + unknown_name("symbol", symbol, ASSETS).message,
                            hint="use symbols of the asset universe", field="symbols")
    known = set(CATEGORIES) | {"all"}
    for key in ("categories", "exclude_categories"):
        for category in getattr(definition.rule, key):
            if category not in known:
                raise ToolError(f"{origin}: index {definition.name!r}, field {key!r}: "
                                + unknown_name("category", category, known).message, field=key)


def parse_catalogue_text(text: str, origin: str) -> dict[str, IndexDefinition]:
    """Parse a catalogue TOML document (`[indices.NAME]` tables)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ToolError(f"{origin} is not valid TOML: {exc}", hint="fix the TOML syntax") from None
    extra = sorted(set(document) - {"indices"})
    if extra:
        raise ToolError(f"{origin}: unexpected top-level key {extra[0]!r}; indices go in [indices.NAME] tables",
                        hint="write each index as [indices.NAME]", field=extra[0])
    tables = document.get("indices", {})
    return {name: parse_index(name, table, origin) for name, table in tables.items()}


def _aliases(indices: dict[str, IndexDefinition]) -> dict[str, str]:
    return {alias: d.name for d in indices.values() for alias in d.aliases}


def load_catalogue(user_path: Path | None = None) -> Catalogue:
    """Built-in indices plus those in `user_path` (skipped when the file does not exist)."""
    builtin = parse_catalogue_text(BUILTIN_PATH.read_text(encoding="utf-8"), "built-in catalogue")
    indices = dict(builtin)
    aliases = _aliases(builtin)
    if user_path is not None and Path(user_path).is_file():
        origin = str(user_path)
        user = parse_catalogue_text(Path(user_path).read_text(encoding="utf-8"), origin)
        taken = set(indices) | set(aliases)
        symbols = {s.lower() for s in ASSETS}
        for name, definition in user.items():
            for label in (name, *definition.aliases):
                if label in taken:
                    raise ToolError(f"{origin}: index {name!r}: the name {label!r} is already a catalogue index "
                                    "or alias", hint="choose another name", field="name")
                if label in symbols:
                    raise ToolError(f"{origin}: index {name!r}: the name {label!r} is an asset symbol",
                                    hint="choose a name that is not an asset symbol", field="name")
                taken.add(label)
        indices.update(user)
        aliases.update(_aliases(user))
    return Catalogue(indices, aliases)

