"""The LLM side of indexdesk: model factory, agent graph, terminal chat, CLI and servers."""
