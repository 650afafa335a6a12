"""No process-wide state decides how a result is drawn or which embedder a selector gets (guide rule 2):
the offline turn passes the units it read from its own registry; a failed units lookup or a missing
embedding model is tried again; `ask`'s quick-loading embedder stays inside its turn."""

from __future__ import annotations

from pydantic import BaseModel

from indexdesk.agent import render, tool_selection
from indexdesk.agent.offline_router import answer_sections
from indexdesk.toolkit import Fraction, ToolContext, tool
from indexdesk.tools.registry import Registry


class ProbeResult(BaseModel):
    share: Fraction
    count: int


@tool(category="market", examples=("probe share",))
def units_retry_probe(ctx: ToolContext) -> ProbeResult:
    """A tool only this test's registry has."""
    return ProbeResult(share=0.1234, count=3)


def test_answer_sections_formats_with_the_units_it_is_given(monkeypatch):
    consulted = []
    monkeypatch.setattr("indexdesk.tools.toolbox.default_registry", lambda: consulted.append(1) or Registry([]))
    text = '{"share": 0.1234, "count": 3}'
    units = {"units_retry_probe": render.units_of(_spec())}
    assert units == {"units_retry_probe": {"share": "fraction"}}
    answer = answer_sections([("probe", "units_retry_probe", text)], [], units)
    assert "share: **12.3%**" in answer and "0.1234" not in answer
    # A tool declared without units is drawn by field names, without a look-up in the default registry.
    plain = answer_sections([("probe", "units_retry_probe", text)], [], {"units_retry_probe": None})
    assert "count: **3**" in plain
    assert consulted == []


def _spec():
    from indexdesk.tools.registry import SPEC_ATTRIBUTE

    return getattr(units_retry_probe, SPEC_ATTRIBUTE)


def test_a_failed_units_lookup_is_tried_again(monkeypatch):
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a plugin failed to import this time")
        return Registry([_spec()])

    monkeypatch.setattr("indexdesk.tools.toolbox.default_registry", flaky)
    assert render.units_for("units_retry_probe") is None  # drawn with the field-name fallback this once
    assert render.units_for("units_retry_probe") == {"share": "fraction"}
    assert len(calls) == 2


def test_a_missing_embedding_model_is_tried_again(monkeypatch):
    from indexdesk.memory.journal import embeddings

    model = object()
    attempts = []

    def make_embedder(name):
        attempts.append(name)
        if len(attempts) == 1:
            raise FileNotFoundError("the model file is not downloaded yet")
        return model

    monkeypatch.setattr(embeddings, "make_embedder", make_embedder)
    embedders = tool_selection.Embedders()
    assert embedders.get() is None
    assert embedders.get() is model and embedders.get() is model
    assert len(attempts) == 2  # loaded once it could be, then kept


def test_the_quick_embedder_stays_inside_the_turn(monkeypatch):
    asked = []

    class Recorder:
        def get(self, quick=False):
            asked.append(quick)

    monkeypatch.setattr(tool_selection, "EMBEDDERS", Recorder())
    tool_selection.router_embedder()
    with tool_selection.quick_start():
        tool_selection.router_embedder()
    tool_selection.router_embedder()
    assert asked == [False, True, False]
