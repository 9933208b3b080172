"""The ONNX export that answers questions: same vectors as sentence-transformers, no torch at answer time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from bot.core.assistant import Assistant
from bot.core.embeddings import SentenceTransformerEmbedder, load_embedder, load_fast_embedder, model_stamp
from bot.core.index import KnowledgeIndex
from bot.core.onnx_embedder import META_FILE, OnnxEmbedder
from bot.settings import Settings
from ingest.run import is_stale
from tests.conftest import make_settings

REPO = Path(__file__).resolve().parents[2]
QUESTIONS = (
    ("Can I object to Meta training its AI on my posts?", "en"),
    ("Meta peut-elle invoquer l'intérêt légitime pour entraîner son IA ?", "fr"),
    ("Wie beschwere ich mich bei der Datenschutzbehörde?", "de"),
)


def test_ingest_leaves_an_export_the_assistant_uses(indexed: Settings) -> None:
    """After ingest the assistant embeds with ONNX Runtime, and the export names the model it came from."""
    meta = json.loads((indexed.export_dir / META_FILE).read_text(encoding="utf-8"))
    assert meta["model"] == indexed.embedding_model and meta["stamp"] == model_stamp(indexed.embedding_model)
    assert isinstance(Assistant.from_settings(indexed).embedder, OnnxEmbedder)


def test_export_embeds_passages_like_sentence_transformers(indexed: Settings) -> None:
    """Passages in three languages, long and short, get the same vectors from both runtimes."""
    index = KnowledgeIndex(indexed.data_dir, indexed.embedding_model)
    sample = [p.text for p in index.passages[:: max(1, len(index.passages) // 120)]]
    fast = load_fast_embedder(indexed.embedding_model, indexed.embedding_max_tokens, indexed.export_dir)
    slow = load_embedder(indexed.embedding_model, indexed.embedding_max_tokens)
    cosine = (np.asarray(fast.embed(sample)) * np.asarray(slow.embed(sample))).sum(axis=1)
    assert len(sample) >= 100 and cosine.min() > 0.9999


def test_same_dense_ranking_with_either_runtime(indexed: Settings) -> None:
    """A question finds the same nearest passages whether its vector comes from ONNX or from torch."""
    index = KnowledgeIndex(indexed.data_dir, indexed.embedding_model)
    fast = load_fast_embedder(indexed.embedding_model, indexed.embedding_max_tokens, indexed.export_dir)
    slow = load_embedder(indexed.embedding_model, indexed.embedding_max_tokens)
    for question, lang in QUESTIONS:
        ranked = [[p.source_id for p in index.dense(e.embed([question])[0], lang, 10)] for e in (fast, slow)]
        assert ranked[0] == ranked[1]


def test_missing_or_foreign_export_falls_back_to_sentence_transformers(indexed: Settings, tmp_path: Path) -> None:
    """Without an export, or with one made from another model, answers still come (from sentence-transformers)."""
    copy = make_settings(tmp_path / "data")
    shutil.copytree(indexed.data_dir, copy.data_dir)
    meta_path = copy.export_dir / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta_path.write_text(json.dumps({**meta, "stamp": "another-model"}), encoding="utf-8")
    assistant = Assistant.from_settings(copy)
    assert isinstance(assistant.embedder, SentenceTransformerEmbedder)
    shutil.rmtree(copy.export_dir)
    answer = Assistant.from_settings(copy).ask(*QUESTIONS[0])
    assert answer.passages and answer.text  # retrieval ran on the fallback embedder and the bot replied


def test_index_built_another_way_counts_as_stale(indexed: Settings, tmp_path: Path) -> None:
    """`make run` re-ingests an index from before the export, or cut at another token length."""
    copy = make_settings(tmp_path / "data")
    shutil.copytree(indexed.data_dir, copy.data_dir)
    state_path = copy.data_dir / "ingest_state.json"
    assert not is_stale(copy)
    assert is_stale(copy.model_copy(update={"embedding_max_tokens": copy.embedding_max_tokens + 32}))
    state = json.loads(state_path.read_text(encoding="utf-8"))
    state_path.write_text(json.dumps({k: v for k, v in state.items() if k != "build"}), encoding="utf-8")
    assert is_stale(copy)


def test_rankings_are_the_same_after_a_restart(indexed: Settings, tmp_path: Path) -> None:
    """Two fresh processes rank the dev questions identically (HNSW searched deeply enough to be exact here)."""
    questions = tmp_path / "questions.jsonl"
    lines = (REPO / "tests" / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()[:40]
    questions.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rankings = []
    for run in ("first", "second"):
        out = tmp_path / f"{run}.jsonl"
        subprocess.run([sys.executable, "-m", "bot", "eval", str(questions), "--out", str(out)], cwd=REPO, check=True,
                       capture_output=True, timeout=300, env={**os.environ, "LEGALBOT_DATA_DIR": str(indexed.data_dir)})
        rankings.append([json.loads(line)["ranked"] for line in out.read_text(encoding="utf-8").splitlines()])
    assert len(rankings[0]) == 40 and rankings[0] == rankings[1]


def test_answering_in_a_fresh_process_does_not_load_torch(indexed: Settings) -> None:
    """The cold start stays short: a first answer needs neither torch nor sentence-transformers."""
    script = (
        "import sys; from bot.core.assistant import Assistant; from tests.conftest import make_settings; "
        f"a = Assistant.from_settings(make_settings(__import__('pathlib').Path({str(indexed.data_dir)!r}))); "
        "print(bool(a.ask('Can I object to Meta training its AI on my posts?').passages), 'torch' in sys.modules, "
        "'sentence_transformers' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "False", "False"]
