"""A plain OpenAI-SDK function-calling loop over indexdesk's tools (no framework).

    pip install indexdesk
    OPENAI_API_KEY=sk-... python openai_loop.py "Compare defi and layer1 over 30 days"

`toolkit.openai_tools()` gives strict-mode schemas; `toolkit.call_json()` runs a call and returns
the JSON result, or a `{"error", "hint"}` object the model reads and corrects itself from.
"""

from __future__ import annotations

import os
import sys

from openai import OpenAI

from indexdesk import toolkit

MAX_ROUNDS = 6


def main(question: str) -> str:
    client = OpenAI()  # reads OPENAI_API_KEY and OPENAI_BASE_URL
    model = os.environ.get("INDEXDESK_MODEL", "gpt-4o-mini")
    tools = toolkit.openai_tools(groups=["market", "risk"], read_only=True)
    messages: list = [{"role": "user", "content": question}]
    for _ in range(MAX_ROUNDS):
        message = client.chat.completions.create(model=model, messages=messages, tools=tools).choices[0].message
        if not message.tool_calls:
            return message.content or ""
        messages.append(message)
        for call in message.tool_calls:
            # The model's JSON string goes in as is: strict mode's nulls mean "use the default".
            content = toolkit.call_json(call.function.name, call.function.arguments)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": content})
    return "stopped after too many tool rounds"


if __name__ == "__main__":
    print(main(" ".join(sys.argv[1:]) or "How did defi do over the last 90 days?"))
