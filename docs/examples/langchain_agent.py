"""A LangChain v1 agent (`create_agent`) that embeds indexdesk's market and risk tools.

    pip install indexdesk
    OPENAI_API_KEY=sk-... python langchain_agent.py "How did defi do over 90 days, and what is the VaR of 60/40 large_cap/defi?"

Any OpenAI-compatible server works: set OPENAI_BASE_URL (and INDEXDESK_MODEL for the model name).
Only read-only tools are handed over here, so the agent cannot write the user's journal.
"""

from __future__ import annotations

import os
import sys

from langchain.agents import create_agent
from langchain_openai import ChatOpenAI

from indexdesk import toolkit


def main(question: str) -> str:
    tools = toolkit.langchain_tools(groups=["market", "risk"], read_only=True)  # a subset keeps the prompt small
    model = ChatOpenAI(model=os.environ.get("INDEXDESK_MODEL", "gpt-4o-mini"), temperature=0)
    agent = create_agent(model, tools=tools,
                         system_prompt="Answer with numbers from the tools only; say which window and source.")
    state = agent.invoke({"messages": [{"role": "user", "content": question}]})
    return state["messages"][-1].content


if __name__ == "__main__":
    print(main(" ".join(sys.argv[1:]) or "How did defi do over the last 90 days?"))
