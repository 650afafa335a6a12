"""Prompts are data: Markdown files in this package, read with `load_prompt(name)`."""

from __future__ import annotations

from importlib import resources


def load_prompt(name: str) -> str:
    """The text of `prompts/<name>.md` (works from a wheel as well as a checkout)."""
    return resources.files(__package__).joinpath(f"{name}.md").read_text(encoding="utf-8").strip()
