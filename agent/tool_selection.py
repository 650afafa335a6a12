"""Which tools the model sees on each call: only those the request needs, within a token budget.

The registry grows (portfolio, strategy, …) but what one model call carries must stay small, so a
middleware (`ToolSelectionMiddleware`, LangChain v1 `wrap_model_call`) filters `request.tools`
before every model call:

* an offline selector ranks tools by meaning: the request is embedded with the local MiniLM
  (the journal's int8 ONNX model, no extra model call, a few ms) and compared with each tool's
  documents — its description, its parameter descriptions and a few example requests
  (each spec's `examples`); a lexical score (tool-name words and description words the request uses)
  is added so rare words count even when the embedder is unavailable;
* a small always-on core (`CORE_TOOLS`), any tool the user names explicitly
  (`get_index_performance`, "quarterly review") and the tools already called in this turn and the
  previous one (follow-ups: "and over a year?") are always included;
* tools are added best first while the estimated schema tokens stay ≤ `budget`.

Nothing here is written per tool: a new tool is selectable from its spec alone; examples only
sharpen it. Tool-side vectors are cached in memory and on disk (keyed by the text and the model).

`INDEXDESK_TOOL_SELECTION=llm` uses LangChain's `LLMToolSelectorMiddleware` instead (one extra
model call per turn, the configured model chooses); `all` sends every tool (no selection).
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("indexdesk.agent")

SCHEMA_BUDGET = 2_500
# Characters per o200k token in our strict schemas is 3.75–4.4 (bench/bench_tokens.py); 3.5 over-counts,
# so an estimate under the budget is a real count under it.
CHARS_PER_TOKEN = 3.5
# What the selector aims for, leaving room for estimate error on unusual schemas.
DEFAULT_BUDGET = 2_300
MAX_TOOLS = 7
MIN_TOOLS = 3
# Tools within this much of the best score are worth their tokens; beyond MIN_TOOLS others are not.
SCORE_MARGIN = 0.12
NAME_BONUS = 0.2
CORE_TOOLS: tuple[str, ...] = ("get_index_performance",)

_WORD = re.compile(r"[a-z][a-z0-9]+")
_STOP = {"the", "and", "for", "with", "over", "of", "a", "an", "to", "in", "on", "my", "me", "is", "are", "or", "by",
         "what", "how", "which", "its", "it", "from", "at", "as", "be", "this", "that", "do", "did", "i", "you", "can"}


def _words(text: str) -> set[str]:
    words = set()
    for w in _WORD.findall(text.lower()):
        if w in _STOP:
            continue
        words.add(w)
        if len(w) > 5:
            words.add(w[:5])  # crude stem: "correlated"/"correlation", "rebalance"/"rebalancing"
    return words


def tool_documents(spec: Any) -> list[str]:
    """The texts a tool is matched against: description, name, parameters, examples."""
    name_words = spec.name.replace("_", " ")
    docs = [f"{name_words}: {spec.description}"]
    params = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in (spec.param_descriptions or {}).items())
    if params:
        docs.append(f"{name_words} ({spec.category}): {params}"[:400])
    docs += list(getattr(spec, "examples", ()) or ())
    return docs


def schema_chars(spec: Any) -> int:
    from indexdesk.tools.adapters.openai_schema import openai_tool

    return len(json.dumps(openai_tool(spec), separators=(",", ":"), ensure_ascii=False))


def estimate_tokens(spec: Any) -> int:
    try:
        return int(schema_chars(spec) / CHARS_PER_TOKEN) + 1
    except (AttributeError, TypeError):  # a spec read from a host's schema (offline router): no params model
        text = f"{spec.name} {spec.description} {getattr(spec, 'param_descriptions', '')}"
        return int(len(text) / CHARS_PER_TOKEN) + 1


@dataclass
class Selection:
    names: list[str]
    scores: dict[str, float]
    estimated_tokens: int
    forced: list[str]
    milliseconds: float


class ToolSelector:
    """Ranks a registry's tools for a request; `select` returns the names to expose."""

    def __init__(self, specs: Iterable[Any], *, embedder: Any = "default", budget: int = DEFAULT_BUDGET,
                 max_tools: int = MAX_TOOLS, min_tools: int = MIN_TOOLS, core: Sequence[str] = CORE_TOOLS,
                 cache_dir: Path | None = None):
        self.specs = {s.name: s for s in specs}
        self.budget = budget
        self.max_tools = max_tools
        self.min_tools = min_tools
        self.core = [n for n in core if n in self.specs]
        self._tokens: dict[str, int] | None = None  # estimated on first `select` (the router only scores)
        self.embedder = _default_embedder() if embedder == "default" else embedder
        self._names: list[str] = []
        self._docs: list[str] = []
        for name, spec in self.specs.items():
            for doc in tool_documents(spec):
                self._names.append(name)
                self._docs.append(doc)
        self._vectors = None
        if self.embedder is not None:
            try:
                self._vectors = _cached_vectors(self.embedder, self._docs, cache_dir)
            except Exception as exc:  # noqa: BLE001 - a missing/broken model file leaves the lexical score
                log.warning("tool selection falls back to word matching: %s", exc)
                self.embedder = None
        self._doc_words = [_words(d) for d in self._docs]
        # Word rarity across tools: a word every tool uses says nothing about which one is meant.
        tool_words: dict[str, set[str]] = {}
        for name, words in zip(self._names, self._doc_words):
            tool_words.setdefault(name, set()).update(words)
        counts: dict[str, int] = {}
        for words in tool_words.values():
            for w in words:
                counts[w] = counts.get(w, 0) + 1
        n = max(1, len(self.specs))
        self._rarity = {w: 1.0 - (c - 1) / n for w, c in counts.items()}
        self._tool_words = tool_words
        generic = {"get", "index", "indexdesk", "journal", "compute", "analyze", "check", "set", "record", "find"}
        self._name_words = {name: _words(name.replace("_", " ")) - _words(" ".join(generic)) for name in self.specs}
        self._explicit = {name: re.compile(rf"(?<![\w]){'[ _-]?'.join(map(re.escape, name.split('_')))}(?![\w])", re.IGNORECASE)
                          for name in self.specs}

    @property
    def tokens(self) -> dict[str, int]:
        """Estimated schema tokens per tool."""
        if self._tokens is None:
            self._tokens = {name: estimate_tokens(spec) for name, spec in self.specs.items()}
        return self._tokens

    # ------------------------------------------------------------------ scoring
    def scores(self, text: str) -> dict[str, float]:
        """Relevance of each tool to `text`: best cosine over its documents + a word-overlap bonus."""
        scores = {name: 0.0 for name in self.specs}
        if self._vectors is not None and text.strip():

            query = self.embedder.embed([text[:1000]])[0]
            sims = self._vectors @ query
            for name, sim in zip(self._names, sims.tolist()):
                if sim > scores[name]:
                    scores[name] = float(sim)
        words = _words(text)
        if words:
            for name, vocab in self._tool_words.items():
                overlap = sum(self._rarity.get(w, 0.0) for w in words & vocab)
                scores[name] += 0.15 * min(overlap, 3.0)
                # A word of the tool's own name ("correlation", "stress", "backtest") is the strongest cue.
                if words & self._name_words[name]:
                    scores[name] += NAME_BONUS
        return scores

    def explicit(self, text: str) -> list[str]:
        """Tools the request names ("get_index_performance", "quarterly review", "/stress_test")."""
        return [name for name, pattern in self._explicit.items() if "_" in name and pattern.search(text)]

    def select(self, text: str, sticky: Sequence[str] = ()) -> Selection:
        started = time.perf_counter()
        if len(self.specs) <= self.max_tools and sum(self.tokens.values()) <= self.budget:
            # A registry this small is sent whole: nothing to save, nothing to miss.
            return Selection(names=list(self.specs), scores={}, estimated_tokens=sum(self.tokens.values()),
                             forced=[], milliseconds=(time.perf_counter() - started) * 1000)
        scores = self.scores(text)
        forced = list(dict.fromkeys([*self.explicit(text), *[s for s in sticky if s in self.specs], *self.core]))
        chosen: list[str] = []
        used = 0
        for name in forced:  # forced tools first, still within the budget (the earliest named win)
            if used + self.tokens[name] <= self.budget:
                chosen.append(name)
                used += self.tokens[name]
        ranked = sorted((n for n in self.specs if n not in chosen), key=lambda n: -scores[n])
        best = scores[ranked[0]] if ranked else 0.0
        added = 0
        for name in ranked:
            if len(chosen) >= self.max_tools:
                break
            if added >= self.min_tools and scores[name] < best - SCORE_MARGIN:
                break
            if used + self.tokens[name] > self.budget:
                continue  # a big schema that does not fit; a smaller one further down may
            chosen.append(name)
            used += self.tokens[name]
            added += 1
        # The best tool's category companions (log vs search journal, VaR vs stress): an ambiguous request
        # most often means a sibling of the best match, so siblings that still fit come along.
        if ranked:
            category = self.specs[ranked[0]].category
            for name in ranked:
                if len(chosen) >= self.max_tools:
                    break
                if name not in chosen and self.specs[name].category == category \
                        and used + self.tokens[name] <= self.budget:
                    chosen.append(name)
                    used += self.tokens[name]
        return Selection(names=chosen, scores=scores, estimated_tokens=used, forced=forced,
                         milliseconds=(time.perf_counter() - started) * 1000)


_MEMORY_CACHE: dict[str, Any] = {}
_CACHE_LOCK = threading.Lock()
# Whether this turn embeds only one request (a one-shot `ask`): set by `quick_start()` for the
# selectors built inside it, never for the rest of the process (a test, a chat started afterwards).
_QUICK: contextvars.ContextVar[bool] = contextvars.ContextVar("indexdesk_quick_embedder", default=False)


class Embedders:
    """The selector's embedding models, loaded once per kind and shared by every selector (one ONNX
    session each, ~0.25 s to load). A model that could not load is not remembered: the next selector
    tries again (the model file may have been downloaded meanwhile)."""

    def __init__(self) -> None:
        self._loaded: dict[bool, Any] = {}
        self._lock = threading.Lock()

    def get(self, quick: bool = False) -> Any:
        """The quick-loading (unoptimised graph) or the optimised embedder; None without a model file."""
        with self._lock:
            if quick in self._loaded:
                return self._loaded[quick]
            try:
                from indexdesk.memory.journal.embeddings import MiniLMInt8, make_embedder, minilm_files

                if quick:
                    minilm_files()  # fail now, with a clear message, rather than on the first request
                    embedder: Any = MiniLMInt8(optimise=False)
                else:
                    embedder = make_embedder("minilm-int8")  # the journal's: one session per process
            except Exception as exc:  # noqa: BLE001 - no model file: word matching alone still selects
                log.info("no local embedding model for tool selection: %s", exc)
                return None
            self._loaded[quick] = embedder
            return embedder


EMBEDDERS = Embedders()


@contextlib.contextmanager
def quick_start() -> Iterator[None]:
    """Within it, this process embeds one request and exits (a one-shot `ask`): selectors built inside
    get MiniLM on an unoptimised ONNX graph, which loads in ~0.03 s instead of ~0.25 s but embeds ~4x
    slower (a chat or server, embedding a request per model call, keeps the optimised one: selection
    p50 7 ms vs 27 ms). Its vectors equal the optimised graph's within 2e-7, so the on-disk tool
    vectors serve both. Selectors built after it get the optimised one again."""
    token = _QUICK.set(True)
    try:
        yield
    finally:
        _QUICK.reset(token)


def router_embedder() -> Any:
    """The embedder the selector (and the offline router's ranking) uses, or None without a model file."""
    return _default_embedder()


def _default_embedder() -> Any:
    return EMBEDDERS.get(quick=_QUICK.get())


def _bulk_embedder(embedder: Any, count: int) -> Any:
    """For many documents (a first start: ~170 of them), the optimised graph of the same model: it loads
    in 0.25 s but embeds ~2x faster (1.0 s instead of 2.1 s for all tools); the same vectors within 2e-7."""
    if count <= 16 or getattr(embedder, "optimise", True):
        return embedder
    try:
        from indexdesk.memory.journal.embeddings import make_embedder

        bulk = make_embedder("minilm-int8")
    except Exception:  # noqa: BLE001 - the selector's own embedder still works
        return embedder
    return bulk if getattr(bulk, "model_id", None) == getattr(embedder, "model_id", "") else embedder


def _cached_vectors(embedder: Any, docs: list[str], cache_dir: Path | None):
    """Vectors of the tool documents: from memory, else the on-disk cache, else embedded now."""
    import numpy as np

    model_id = getattr(embedder, "model_id", type(embedder).__name__)
    keys = [hashlib.sha256(f"{model_id}\n{doc}".encode()).hexdigest()[:24] for doc in docs]
    with _CACHE_LOCK:
        missing = [i for i, k in enumerate(keys) if k not in _MEMORY_CACHE]
        path = Path(cache_dir) / "tool_vectors.npz" if cache_dir else None
        if missing and path is not None and path.exists():
            try:
                with np.load(path) as stored:
                    for i in missing:
                        if keys[i] in stored.files:
                            _MEMORY_CACHE[keys[i]] = stored[keys[i]]
            except (OSError, ValueError) as exc:
                log.warning("ignoring unreadable tool-vector cache %s: %s", path, exc)
            missing = [i for i, k in enumerate(keys) if k not in _MEMORY_CACHE]
        if missing:
            vectors = _bulk_embedder(embedder, len(missing)).embed([docs[i] for i in missing])
            for i, vector in zip(missing, vectors):
                _MEMORY_CACHE[keys[i]] = vector
            if path is not None:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    partial = path.with_suffix(".tmp.npz")
                    np.savez(partial, **{k: _MEMORY_CACHE[k] for k in dict.fromkeys(keys)})
                    partial.replace(path)
                except OSError as exc:
                    log.warning("could not write the tool-vector cache %s: %s", path, exc)
        return np.stack([_MEMORY_CACHE[k] for k in keys]) if keys else np.zeros((0, 1), dtype=np.float32)


# ---------------------------------------------------------------- middleware

def _text_of(message: Any) -> str:
    content = getattr(message, "content", "")
    if isinstance(content, str):
        return content
    return " ".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)


def request_text_and_sticky(messages: Sequence[Any]) -> tuple[str, list[str]]:
    """The latest user request, and the tools called since the previous user request (follow-ups)."""
    from langchain_core.messages import AIMessage, HumanMessage

    humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    if not humans:
        return "", []
    last = humans[-1]
    start = humans[-2] if len(humans) > 1 else last
    sticky: list[str] = []
    for message in messages[start:]:
        if isinstance(message, AIMessage):
            sticky += [c["name"] for c in message.tool_calls or []]
    # A short follow-up ("and over a year?") reads better with the previous request's words too.
    text = _text_of(messages[last])
    if len(text.split()) <= 4 and len(humans) > 1:
        text = f"{_text_of(messages[humans[-2]])} {text}"
    return text, list(dict.fromkeys(reversed(sticky)))


def tool_selection_middleware(selector: ToolSelector):
    """LangChain v1 middleware: each model call gets only the tools `selector` picks."""
    from langchain.agents.middleware import AgentMiddleware

    class ToolSelectionMiddleware(AgentMiddleware):
        name = "indexdesk_tool_selection"

        def __init__(self) -> None:
            super().__init__()
            self.selector = selector
            self.last: Selection | None = None

        def _filter(self, request: Any) -> Any:
            text, sticky = request_text_and_sticky(request.messages)
            selection = self.selector.select(text, sticky)
            self.last = selection
            keep = set(selection.names)
            tools = [t for t in request.tools if isinstance(t, dict) or getattr(t, "name", None) in keep]
            return request.override(tools=tools)

        def wrap_model_call(self, request, handler):
            return handler(self._filter(request))

        async def awrap_model_call(self, request, handler):
            return await handler(self._filter(request))

    return ToolSelectionMiddleware()


def llm_tool_selector(model: Any, max_tools: int = MAX_TOOLS):
    """LangChain's `LLMToolSelectorMiddleware`: the configured model picks tools (one extra call)."""
    from langchain.agents.middleware import LLMToolSelectorMiddleware

    return LLMToolSelectorMiddleware(model=model, max_tools=max_tools, always_include=list(CORE_TOOLS))


def selection_middleware(mode: str, registry: Any, model: Any, cache_dir: Path | None = None) -> Any | None:
    """The middleware for a `tool_selection` setting: embedding (default), llm, or all (none)."""
    mode = (mode or "embedding").lower()
    if mode == "all":
        return None
    if mode == "llm":
        names = set(registry.names)
        middleware = llm_tool_selector(model)
        middleware.always_include = [n for n in middleware.always_include if n in names]
        return middleware
    return tool_selection_middleware(ToolSelector(list(registry), cache_dir=cache_dir))
