"""`indexdesk chat`: the terminal conversation.

The prompt is ready before the agent is: LangChain, the tools and the model load in a background
thread while the user types, and the first turn waits for them. A turn runs in a worker thread
and reports `TurnEvent`s through a queue, so the main thread can draw (Rich), ask for
confirmations (prompt_toolkit) and turn Ctrl-C into `AgentSession.cancel()` while the session
lives on. Without a terminal (stdin piped) it reads one request per line and prints plain answers.
"""

from __future__ import annotations

import json
import logging
import queue
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from indexdesk.agent.chat_view import TurnView, _escape, _parsed
from indexdesk.agent.render import compact_args

PROMPT = "indexdesk> "
HELP = """Ask in plain words, e.g. "how did defi do over 90 days" or "var 99% 30d".

| command | does |
|---|---|
| `/help` | this list |
| `/tools` | the tools the assistant can call |
| `/session` · `/sessions` | this session · all saved sessions (resume with `indexdesk chat --session NAME`) |
| `/model` | which model answers, and how to configure one |
| `/journal TEXT` · `/journal search WORDS` | write a journal entry (asks first) · search the journal |
| `/review 2026Q3` | the quarterly review |
| `/last` · `/expand N` | the last turn's tool calls with full JSON · tool result N as tables |
| `/clear` | forget this session's conversation and clear the screen |
| `/cost` | tokens and estimated cost of this session |
| `/exit` | leave (Ctrl-D works too); Ctrl-C cancels a running turn |

Esc then Enter inserts a new line; pasted text keeps its lines."""


class _Discard:
    """A file that drops what is written to it (a warm-up render)."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


class TurnCancelled(Exception):
    """Ctrl-C before the turn started (the agent was still loading)."""


@dataclass
class LoadedAgent:
    session: Any = None
    registry: Any = None
    model_info: Any = None
    error: BaseException | None = None
    ready: threading.Event = field(default_factory=threading.Event)


def model_is_configured(settings: Any) -> bool:
    """The same rule as agent.model.make_chat_model, read without importing LangChain."""
    return bool(settings.secret("openai_api_key") or settings.openai_base_url)


class Chat:
    def __init__(self, ctx: Any, *, session_id: str = "default", auto_confirm: bool = False,
                 interactive: bool | None = None, console: Any = None) -> None:
        from rich.console import Console

        self.ctx = ctx
        self.session_id = session_id
        self.auto_confirm = auto_confirm
        self.interactive = sys.stdin.isatty() and sys.stdout.isatty() if interactive is None else interactive
        self.console = console or Console(highlight=False, soft_wrap=not self.interactive)
        self.loaded = LoadedAgent()
        self.last_calls: list[dict] = []
        self._prompt_session: Any = None
        self._pushed_back: list[str] = []  # a piped line that was not a yes/no answer: the next request
        self._turn_started = threading.Event()

    # ------------------------------------------------------------ start-up

    def start_loading(self) -> None:
        threading.Thread(target=self._load, name="indexdesk-agent-loader", daemon=True).start()

    def _load(self) -> None:
        try:
            from indexdesk.agent.model import make_chat_model
            from indexdesk.agent.runtime import AgentSession
            from indexdesk.tools.toolbox import default_registry

            registry = default_registry()
            model, info = make_chat_model(self.ctx.settings, tool_names=registry.names)
            self.loaded.session = AgentSession(self.ctx, session_id=self.session_id, model=model, model_info=info,
                                               auto_confirm=self.auto_confirm, registry=registry)
            self.loaded.registry, self.loaded.model_info = registry, info
        except Exception as exc:  # noqa: BLE001 - reported to the user at the first turn, not as a traceback
            self.loaded.error = exc
            return
        finally:
            self.loaded.ready.set()
        self._warm_up(model, registry)

    def _warm_up(self, model: Any, registry: Any) -> None:
        """While the user types: what the first turn would otherwise load (the embedding model of the
        router's ranking or of the tool selection, the market data, the answer's renderer). Each step
        is skipped once a turn has started: the turn loads what it needs itself."""
        started = self._turn_started.is_set
        try:
            if hasattr(model, "warm_up"):  # the offline router
                from indexdesk.tools.adapters.openai_schema import openai_tool

                if started():
                    return
                model.warm_up({spec.name: {k: v for k, v in openai_tool(spec)["function"].items() if k != "strict"}
                               for spec in registry}, self.ctx, skip=started)
            else:
                from indexdesk.agent.tool_selection import router_embedder

                embedder = router_embedder()
                if embedder is not None and hasattr(embedder, "preload") and not started():
                    embedder.preload()
            from indexdesk.agent.chat_view import answer_renderable
            from rich.console import Console

            if not started():
                Console(file=_Discard(), width=80).print(answer_renderable("| a | b |\n|---|---|\n| 1 | 2 |",
                                                                           self.console))
        except Exception as exc:  # noqa: BLE001 - the first turn loads (and reports) whatever did not warm up
            logging.getLogger("indexdesk.agent").debug("chat warm-up: %s", exc)

    def agent(self) -> Any:
        """The AgentSession, waiting for the loader; Ctrl-C while waiting gives the prompt back."""
        if not self.loaded.ready.is_set():
            try:
                if self.interactive:
                    with self.console.status("loading the agent…"):
                        self.loaded.ready.wait()
                else:
                    self.loaded.ready.wait()
            except KeyboardInterrupt:
                raise TurnCancelled("cancelled while the agent was loading; ask again when ready") from None
        if self.loaded.error is not None:
            raise RuntimeError(f"the agent could not start: {type(self.loaded.error).__name__}: {self.loaded.error}")
        return self.loaded.session

    def banner(self) -> None:
        settings = self.ctx.settings
        if model_is_configured(settings):
            where = settings.openai_base_url or "OpenAI"
            self.say(f"indexdesk chat · session [bold]{self.session_id}[/] · model {settings.model} at {where}")
        else:
            from indexdesk.agent.model import HOW_TO_CONFIGURE

            self.say(f"indexdesk chat · session [bold]{self.session_id}[/] · [yellow]no model configured[/]")
            self.say(HOW_TO_CONFIGURE, style="dim")
        if self.interactive:
            self.say('Type /help for commands, or ask e.g. "how did defi do over 90 days".', style="dim")

    def say(self, text: str, style: str | None = None) -> None:
        if self.interactive:
            self.console.print(text, style=style)
        else:
            from rich.text import Text

            print(Text.from_markup(text).plain if "[" in text else text, flush=True)

    # ------------------------------------------------------------ input

    def read(self) -> str | None:
        """The next request, or None at end of input."""
        if self._pushed_back:
            return self._pushed_back.pop()
        if not self.interactive:
            line = sys.stdin.readline()
            return None if not line else line.rstrip("\n")
        if self._prompt_session is None:
            self._prompt_session = _prompt_session(self.ctx.settings.ensure_home() / "chat_history")
        while True:
            try:
                return self._prompt_session.prompt(PROMPT)
            except KeyboardInterrupt:
                continue  # Ctrl-C at the prompt clears the line, as in a shell
            except EOFError:
                return None

    def ask_yes_no(self, question: str) -> bool:
        """Only y/yes or n/no answer (agent/confirm.py): at a terminal anything else asks again; piped,
        another line declines and is read next as a request."""
        from indexdesk.agent.confirm import ASK_AGAIN, ask_at_terminal, reading

        if self.auto_confirm:
            return True
        if not self.interactive:
            print(f"{question} [y/N] ", end="", flush=True)
            line = sys.stdin.readline()
            verdict = reading(line if line else None)
            print(line.strip(), flush=True)
            if verdict is None:
                print(f"not a yes/no answer: declined; {line.strip()!r} is read as the next request", flush=True)
                self._pushed_back.append(line.rstrip("\n"))
                return False
            return verdict
        from prompt_toolkit import prompt

        return ask_at_terminal(question, prompt, lambda text: self.say(f"[yellow]{ASK_AGAIN}[/]"))

    # ------------------------------------------------------------ the loop

    def run(self) -> int:
        self.start_loading()
        self.banner()
        while True:
            text = self.read()
            if text is None:
                return 0
            text = text.strip()
            if not text:
                continue
            try:
                if text.startswith("/"):
                    outcome = self.slash(text)
                    if outcome == "exit":
                        return 0
                    if outcome is None:
                        continue
                    text = outcome
                self.turn(text)
            except TurnCancelled as exc:
                self.say(f"[yellow]{exc}[/]")
            except RuntimeError as exc:
                self.say(f"[red]{exc}[/]")

    def slash(self, text: str) -> str | None:
        """Run a chat command; returns "exit", a request to send to the agent instead, or None."""
        command, _, rest = text[1:].partition(" ")
        command, rest = command.lower(), rest.strip()
        if command in ("exit", "quit", "q"):
            return "exit"
        if command == "journal":
            if not rest:
                self.say("usage: /journal TEXT  ·  /journal search WORDS")
                return None
            words = rest.split(None, 1)
            if words[0].lower() in ("search", "find") and len(words) > 1:
                return f"search journal for {words[1]}"
            return f"journal: {rest}"
        if command == "review":
            return f"review {rest}".strip()
        handler = getattr(self, f"cmd_{command}", None)
        if handler is None:
            from indexdesk.tools.errors import close_matches

            known = [name[4:] for name in dir(self) if name.startswith("cmd_")] + ["journal", "review", "exit"]
            guess = close_matches(command, known, n=1)
            self.say(f"unknown command /{command}" + (f"; did you mean /{guess[0]}?" if guess else "")
                     + " (/help lists them)")
            return None
        handler(rest)
        return None

    # ------------------------------------------------------------ slash commands

    def show_markdown(self, text: str) -> None:
        if self.interactive:
            from rich.markdown import Markdown

            self.console.print(Markdown(text))
        else:
            print(text, flush=True)

    def cmd_help(self, rest: str) -> None:
        self.show_markdown(HELP)

    def cmd_tools(self, rest: str) -> None:
        self.agent()
        rows = [f"| `{spec.name}`{' (asks first)' if spec.state_changing else ''} | {spec.description} |"
                for spec in self.loaded.registry]
        self.show_markdown("| tool | what it does |\n|---|---|\n" + "\n".join(rows))

    def cmd_model(self, rest: str) -> None:
        self.agent()
        info = self.loaded.model_info
        self.say(f"model: {info.describe() if hasattr(info, 'describe') else info.name}")
        if getattr(info, "offline", False) and info.how_to_configure:
            self.say(info.how_to_configure, style="dim")

    def cmd_session(self, rest: str) -> None:
        mine = [s for s in self._sessions() if s.get("id") == self.session_id]
        turns = mine[0].get("turns", 0) if mine else 0
        self.say(f"session {self.session_id} · {turns} turns · saved under {self.ctx.settings.home}")

    def cmd_sessions(self, rest: str) -> None:
        sessions = self._sessions()
        if not sessions:
            self.say("no saved sessions yet")
            return
        rows = [f"| {s.get('id')}{' (this one)' if s.get('id') == self.session_id else ''} | "
                f"{s.get('last_used', '')} | {s.get('turns', '')} |" for s in sessions]
        self.show_markdown("| session | last used | turns |\n|---|---|---|\n" + "\n".join(rows))

    def _sessions(self) -> list[dict]:
        from indexdesk.memory.checkpoints import list_sessions

        return list(list_sessions(self.ctx.settings.home, self.ctx.settings.database_url))

    def cmd_cost(self, rest: str) -> None:
        usage = self.agent().usage_summary()
        tokens_in = usage.get("input_tokens", usage.get("tokens_in", 0))
        tokens_out = usage.get("output_tokens", usage.get("tokens_out", 0))
        cost = usage.get("estimated_cost_usd")
        priced = "no charge (offline router)" if getattr(self.loaded.model_info, "offline", False) else (
            f"≈ ${cost:.4f}" if isinstance(cost, (int, float)) else "not priced (unknown model)")
        self.say(f"this session: {tokens_in} tokens in, {tokens_out} tokens out · {priced}")

    def cmd_clear(self, rest: str) -> None:
        self.agent().clear()
        self.last_calls = []
        if self.interactive:
            self.console.clear()
        self.say(f"session {self.session_id} cleared: the assistant no longer sees earlier turns")

    def cmd_last(self, rest: str) -> None:
        if not self.last_calls:
            self.say("no tool calls in the last turn")
            return
        for number, call in enumerate(self.last_calls, 1):
            self.say(f"[cyan]{number}. {call.get('name')}[/]({_escape(compact_args(call.get('arguments') or {}, 400))})")
            result = _parsed(call.get("result"))
            if self.interactive:
                from rich.json import JSON

                self.console.print(JSON(json.dumps(result, default=str)))
            else:
                print(json.dumps(result, indent=2, default=str), flush=True)

    def cmd_expand(self, rest: str) -> None:
        from indexdesk.agent.render import result_markdown, rich_tables

        try:
            number = int(rest or len(self.last_calls))
            call = self.last_calls[number - 1]
        except (ValueError, IndexError):
            self.say(f"usage: /expand N with N from 1 to {len(self.last_calls)}" if self.last_calls
                     else "no tool calls in the last turn")
            return
        result = _parsed(call.get("result"))
        name = call.get("name", "")
        if self.interactive:
            self.console.print(f"[cyan]{name}[/]")
            for renderable in rich_tables(result, tool=name, expanded=True):
                self.console.print(renderable)
        else:
            print(result_markdown(result, name, tool=name, expanded=True), flush=True)

    def turn(self, text: str) -> None:
        self._turn_started.set()
        session = self.agent()
        events: queue.Queue = queue.Queue()

        def confirm(name: str, args: dict) -> bool:
            reply: queue.Queue = queue.Queue(maxsize=1)
            events.put(("confirm", (name, args, reply)))
            return reply.get()

        def work() -> None:
            try:
                events.put(("done", session.run_turn(text, on_event=lambda e: events.put(("event", e)),
                                                     confirm=confirm)))
            except Exception as exc:  # noqa: BLE001 - shown as one line; the session stays open
                events.put(("crash", exc))

        view = TurnView(self)
        worker = threading.Thread(target=work, name="indexdesk-turn", daemon=True)
        worker.start()
        cancelled_at: float | None = None
        while True:
            try:
                try:
                    kind, payload = events.get(timeout=0.1)
                except queue.Empty:
                    if cancelled_at and time.monotonic() - cancelled_at > 10:
                        view.close()
                        self.say("[yellow]the turn did not stop in 10 s; it is abandoned[/]")
                        return
                    continue
                if kind == "event":
                    view.event(payload)
                elif kind == "confirm":
                    name, args, reply = payload
                    view.pause()
                    reply.put(self.ask_yes_no(f"Run {name}({compact_args(args)})?"))
                elif kind == "crash":
                    view.close()
                    self.say(f"[red]error: {type(payload).__name__}: {payload}[/]")
                    return
                elif kind == "done":
                    view.finish(payload)
                    self.last_calls = list(getattr(payload, "tool_calls", []) or view.calls)
                    return
            except KeyboardInterrupt:
                if cancelled_at is None:
                    cancelled_at = time.monotonic()
                    session.cancel()
                    view.pause()
                    self.say("[yellow]cancelling… (the session is kept)[/]")
                else:
                    view.close()
                    self.say("[yellow]turn abandoned[/]")
                    return


def _prompt_session(history_path: Any):
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()

    @bindings.add("escape", "enter")
    def _newline(event) -> None:
        event.current_buffer.insert_text("\n")

    return PromptSession(history=FileHistory(str(history_path)), key_bindings=bindings, enable_history_search=True)


def run_chat(ctx: Any, *, session_id: str = "default", auto_confirm: bool = False) -> int:
    return Chat(ctx, session_id=session_id, auto_confirm=auto_confirm).run()
