"""The checkup as the chat shows it: a short list (one bullet per section) and `/expand`'s tables.

The renderer's helpers arrive as arguments (agent/render.py calls these for the checkup tool), so
this module imports neither the renderer nor the command: no import circle.
"""

from __future__ import annotations

from collections.abc import Callable

SECTIONS = ("regime", "rebalance", "rotation", "tax", "risk", "journal")
MARK = {"act": "ACT", "ok": "ok", "info": "info", "unavailable": "n/a"}


def short_list(result: dict, fmt: Callable[[str, object], str]) -> str:
    """The chat's view: one bullet per section (status, summary, the command); `/expand N` shows every number."""
    lines = [f"Checkup as of {result['as_of']}: {result['holdings']} holdings, "
             f"{fmt('portfolio_value', result['portfolio_value'])} ({result['holdings_from']}); "
             f"{result['actions']} suggested action(s), nothing executed."]
    for key in SECTIONS:
        body = result[key]
        line = f"- **{body['title']}** ({MARK.get(body['status'], body['status'])}): {body['summary']}"
        if body.get("action"):
            line += f" → `{body['action']['command']}`" + (" (asks first)" if body["action"]["writes"] else "")
        lines.append(line)
    lines.append("_/expand shows every number of every section._")
    return "\n".join(lines)


def expanded_markdown(result: dict, markdown: Callable[..., str], units: dict[str, str]) -> str:
    """`/expand`: every section's numbers as tables, units from the result model (nested paths stripped)."""
    head = {k: v for k, v in result.items() if k not in SECTIONS}
    parts = [markdown(head, "Checkup", {k: v for k, v in units.items() if "." not in k}, expanded=True)]
    for key in SECTIONS:
        body = dict(result[key])
        title = body.pop("title")
        inner = {path[len(key) + 1:]: unit for path, unit in units.items() if path.startswith(key + ".")}
        parts.append(markdown(body, title, inner, expanded=True))
    return "\n\n".join(parts)
