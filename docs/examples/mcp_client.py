"""A Python MCP client that starts `indexdesk serve mcp` over stdio and uses its tools and resources.

    pip install indexdesk
    python mcp_client.py            # or: python mcp_client.py /path/to/venv/bin/indexdesk
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys

from mcp import Client, StdioServerParameters


async def main(command: list[str]) -> dict:
    server = StdioServerParameters(command=command[0], args=[*command[1:], "serve", "mcp"])
    async with Client(server, read_timeout_seconds=120) as client:
        tools = [t.name for t in (await client.list_tools()).tools]
        result = await client.call_tool("get_index_performance", {"indices": ["defi", "BTC"], "window": "90d"})
        indices = json.loads((await client.read_resource("indexdesk://indices")).contents[0].text)
        prompt = await client.get_prompt("quarterly_review", {"quarter": "last"})
    return {"tools": tools, "performance": result.structured_content, "is_error": result.is_error,
            "indices": [i["name"] for i in indices], "prompt": prompt.messages[0].content.text}


if __name__ == "__main__":
    command = sys.argv[1:] or [shutil.which("indexdesk") or "indexdesk"]
    answer = asyncio.run(main(command))
    print(json.dumps(answer, indent=2))
