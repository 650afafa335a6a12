"""Adapters generated from the neutral ToolSpec: OpenAI function schemas, LangChain tools, MCP, HTTP."""
