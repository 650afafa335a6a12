"""Schema-driven readings the offline router adds after offline_fill (issue 17, round 3): yes/no
switches ("leverage is fine" → allow_leverage), a parameter's declared "none" ("don't need a
benchmark"), name lists a parameter's own word introduces ("consider link and avax as candidates")
and sweep grids in words ("lookback 30 to 180 in steps of 30" → "lookback=30:180:30"). Each reading
comes from the parameter's name, type and description, never from a tool's name."""

from __future__ import annotations

import re

from indexdesk.agent.schema_reading import non_null

_SWITCH_STOP = {"allow", "use", "include", "enable", "with", "and", "apply"}
_YES_AFTER = r"\s+(?:is|are)\s+(?:fine|ok|okay|allowed|acceptable|permitted|welcome)\b|\s+(?:ok|okay|allowed)\b"
_YES_BEFORE = r"\b(?:allow(?:ing)?|permit(?:ting)?|enable|use|using|with|include)\s+(?:some\s+|the\s+)?"
_NO_BEFORE = r"\b(?:no|without|never|don'?t|do not|disallow|forbid)\s+(?:any\s+|the\s+|use\s+|allow\s+)?"
_NONE_BEFORE = r"\b(?:no|without(?:\s+a|\s+the|\s+any)?|(?:don'?t|do not)\s+(?:need|want|use)(?:\s+a|\s+the|\s+any)?|skip(?:\s+the)?)\s+"


def _kind(schema: dict) -> str | None:
    kind = non_null(schema).get("type")
    return kind if isinstance(kind, str) else None


def read(text: str, low: str, params: dict, args: dict, used: list, entities: list) -> tuple[dict, list]:
    """Arguments for parameters still unset, read by the forms above; the spans read are added to `used`."""
    props = params.get("properties", {})
    out, used = dict(args), list(used)
    for name, schema in props.items():
        if name in out:
            continue
        kind = _kind(schema)
        if kind == "boolean":
            _switch(low, name, out, used)
        elif kind == "string" and re.search(r"[\"']none[\"']", schema.get("description") or ""):
            m = re.search(rf"{_NONE_BEFORE}{re.escape(name.replace('_', ' '))}s?\b", low)
            if m:
                out[name], _ = "none", used.append(m.span())
        elif kind == "string" and "=" in (schema.get("description") or "") and "grid" in (schema.get("description") or ""):
            _grid(low, name, schema, out, used)
        elif kind == "array" and non_null(non_null(schema).get("items", {})).get("type") == "string":
            _listed(low, name, out, used, entities)
            if name not in out and re.search(r"\bnot (?:held|owned)\b", schema.get("description") or ""):
                _not_held(low, name, out, used, entities)
    return out, used


def _switch(low: str, name: str, out: dict, used: list) -> None:
    """allow_leverage: true on "leverage is fine" / "allow leverage", false on "no leverage"."""
    words = [w for w in name.split("_") if w not in _SWITCH_STOP and len(w) > 3]
    if len(words) != 1:
        return  # several content words (buy_and_hold): too loose to read from words alone
    word = rf"{re.escape(words[0])}\w{{0,3}}"  # leverage, leveraged
    for pattern, value in ((rf"{_NO_BEFORE}{word}\b", False), (rf"\b{word}{_YES_AFTER}", True),
                           (rf"{_YES_BEFORE}{word}\b", True)):
        m = re.search(pattern, low)
        if m:
            out[name] = value
            used.append(m.span())
            return


def _grid(low: str, name: str, schema: dict, out: dict, used: list) -> None:
    """"lookback 30 to 180 in steps of 30" → "lookback=30:180:30", "tilt 0.05, 0.1" → "tilt=0.05,0.1", for the
    keys the description's example grid shows."""
    keys = set(re.findall(r"(\w+)=", schema.get("description") or ""))
    found = []
    for m in re.finditer(r"\b(\w+)\s+(?:from\s+)?(\d+(?:\.\d+)?)\s*(?:to|-|through|until)\s*(\d+(?:\.\d+)?)\s*"
                         r"(?:,\s*)?(?:in\s+steps?\s+of|steps?\s+of|step|every|by)\s+(\d+(?:\.\d+)?)", low):
        key = _key(m.group(1), keys)
        if key:
            found.append(f"{key}={m.group(2)}:{m.group(3)}:{m.group(4)}")
            used.append(m.span())
    for m in re.finditer(r"\b(\w+)\s*[=:]?\s*((?:\d+(?:\.\d+)?\s*,\s*)+\d+(?:\.\d+)?)(?![\d.%])", low):
        key = _key(m.group(1), keys)
        if key and not any(key + "=" in f for f in found):  # "tilt 0.05, 0.1"
            values = re.sub(r"\s+", "", m.group(2))
            found.append(f"{key}={values}")
            used.append(m.span())
    if found:
        out[name] = " ".join(found)


def _key(word: str, keys: set[str]) -> str | None:
    """The grid key a word names, said in the plural too ("sweep lookbacks 30 to 180")."""
    return word if word in keys else word[:-1] if word.endswith("s") and word[:-1] in keys else None


def _listed(low: str, name: str, out: dict, used: list, entities: list) -> None:
    """Names in the clause that the parameter's own word closes or opens ("consider link and avax as
    candidates", "candidates: LINK, AVAX"): the clause runs to the nearest comma, semicolon or dash."""
    word = name.rstrip("s")
    if len(word) < 5:
        return
    m = re.search(rf"\b{re.escape(word)}s?\b", low)
    if m is None:
        return
    left = max(low.rfind(c, 0, m.start()) for c in ",;-(") + 1
    rights = [i for i in (low.find(c, m.end()) for c in ",;(") if i >= 0]
    right = min(rights) if rights else len(low)
    before = [e for e in entities if left <= e.start < m.start()]
    after = [e for e in entities if m.end() <= e.start < right and re.match(r"\s*[:=]?\s*$|\s*(?:are|is|:)\b",
                                                                               low[m.end():e.start][:12])]
    chosen = before or after
    if chosen:
        out[name] = list(dict.fromkeys(e.value for e in chosen))
        used += [(e.start, e.end) for e in chosen] + [m.span()]


_NOT_HELD = re.compile(r"\b(?:(?:i|we)\s+(?:don'?t|do not|dont)\s+(?:own|hold|have)|(?:i|we)\s+(?:own|hold|have)\s+no|"
                       r"not\s+(?:held|owned)|(?:i'?m|we'?re)\s+not\s+in)\b")


def _not_held(low: str, name: str, out: dict, used: list, entities: list) -> None:
    """A list the description says is of names "not held": the names the request says are not owned
    ("I don't own SOL or LINK but would consider them"), up to the clause's end."""
    m = _NOT_HELD.search(low)
    if m is None:
        return
    ends = [i for i in (low.find(c, m.end()) for c in ".;?!") if i >= 0]
    chosen = [e for e in entities if m.end() <= e.start < (min(ends) if ends else len(low))]
    if chosen:
        out[name] = list(dict.fromkeys(e.value for e in chosen))
        used += [(e.start, e.end) for e in chosen] + [m.span()]
