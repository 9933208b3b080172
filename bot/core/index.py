"""Read side of the index: passages and BM25 from the keyword file, vectors from Chroma."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import fields
from itertools import islice
from pathlib import Path
from typing import Any

from bot.core.bm25 import BM25
from bot.core.types import LANGS, Passage, base_id
from bot.errors import LegalbotError

log = logging.getLogger(__name__)

COLLECTION = "passages"
# The index is small (about 900 passages per language): a search list this long makes HNSW practically exact and its
# answers the same after every restart. With Chroma's default of 100, the same query vector got different neighbours
# in different processes (measured: 3 runs, 3 different rankings); this costs about 2.5 ms per query.
EF_SEARCH = 1000
KEYWORD_FILE = "keyword_index.json"
_PASSAGE_FIELDS = {f.name for f in fields(Passage)} - {"score"}


def keyword_path(data_dir: Path) -> Path:
    """Where ingest writes the keyword index (passages, tokens and the model they were embedded with)."""
    return data_dir / KEYWORD_FILE


def chroma_client(chroma_dir: Path) -> Any:
    """The Chroma client every reader and writer of the index uses."""
    import chromadb

    return chromadb.PersistentClient(path=str(chroma_dir), settings=chromadb.Settings(anonymized_telemetry=False))


def open_collection(chroma_dir: Path, create_with: dict[str, Any] | None = None) -> Any:
    """Chroma collection of passage vectors; never with Chroma's own embedding function (it downloads a model)."""
    client = chroma_client(chroma_dir)
    if create_with is None:
        return client.get_collection(COLLECTION, embedding_function=None)
    return client.get_or_create_collection(
        COLLECTION, embedding_function=None, metadata=create_with,
        configuration={"hnsw": {"space": "cosine", "ef_search": EF_SEARCH}},
    )


def passage_from(record: dict[str, Any], score: float = 0.0) -> Passage:
    """Rebuild a Passage from a stored record."""
    values = {key: record[key] for key in _PASSAGE_FIELDS if key in record}
    values["refs"] = tuple(values.get("refs", ()))  # JSON gives a list; passages stay hashable
    return Passage(**values, score=score)


class KnowledgeIndex:
    """Everything retrieval reads: passages per language, their BM25 index and the Chroma collection."""

    def __init__(self, data_dir: Path, model_name: str) -> None:
        self.model_name = model_name
        self.dimension = 0
        self.passages: list[Passage] = []
        self.tokens: list[list[str]] = []
        self._data_dir = data_dir
        self._collection: Any = None
        # Questions are answered on several threads at once: two first questions must not both open Chroma.
        self._opening = threading.Lock()
        path = keyword_path(data_dir)
        if path.exists():
            self._load(json.loads(path.read_text(encoding="utf-8")))
        self._by_lang = {lang: [i for i, p in enumerate(self.passages) if p.lang == lang] for lang in LANGS}
        self._bm25 = {lang: BM25([self.tokens[i] for i in rows]) for lang, rows in self._by_lang.items()}
        self._by_key = {(p.source_id, p.lang): p for p in self.passages}
        self._by_base: dict[str, list[Passage]] = {}
        for passage in self.passages:
            self._by_base.setdefault(base_id(passage.source_id), []).append(passage)

    def _load(self, data: dict[str, Any]) -> None:
        """Fill passages from the keyword file, refusing one built with another embedding model."""
        if data.get("embedding_model") != self.model_name:
            raise LegalbotError(
                f"The index was built with the embedding model {data.get('embedding_model')!r}, but the settings "
                f"ask for {self.model_name!r}. Run `legalbot ingest` to rebuild it."
            )
        self.dimension = int(data["dimension"])
        for document in data["documents"].values():
            for record in document["passages"]:
                self.passages.append(passage_from(record))
                self.tokens.append(record["tokens"])

    @property
    def empty(self) -> bool:
        """True before the first ingest."""
        return not self.passages

    @property
    def collection(self) -> Any:
        """The Chroma collection, opened on first use."""
        with self._opening:
            if self._collection is None:
                collection = open_collection(self._data_dir / "chroma")
                if (collection.metadata or {}).get("dimension") != self.dimension:
                    raise LegalbotError("The vector index does not match the keyword index. Run `legalbot ingest`.")
                self._collection = collection
        return self._collection

    def dense(self, vector: list[float], lang: str, n: int) -> list[Passage]:
        """Nearest passages in one language by cosine similarity (score = 1 - distance)."""
        if self.empty:
            return []
        result = self.collection.query(query_embeddings=[vector], n_results=n, where={"lang": lang},
                                       include=["distances"])
        hits = []
        for key, distance in zip(result["ids"][0], result["distances"][0], strict=True):
            source_id, _, passage_lang = key.rpartition("@")
            passage = self._by_key.get((source_id, passage_lang))
            if passage is not None:
                hits.append(passage.scored(1.0 - float(distance)))
        return hits

    def keyword(self, tokens: list[str], lang: str, n: int, kinds: tuple[str, ...] = ()) -> list[Passage]:
        """Best BM25 matches in one language (optionally of some kinds only)."""
        rows = self._by_lang.get(lang, [])
        if not rows:
            return []
        ranked = ((self.passages[rows[i]], score) for i, score in self._bm25[lang].ranked(tokens))
        if kinds:
            ranked = ((passage, score) for passage, score in ranked if passage.kind in kinds)
        return [passage.scored(score) for passage, score in islice(ranked, n)]

    def keyword_scores(self, tokens: list[str], lang: str) -> dict[str, float]:
        """BM25 score of every matching passage of one language, by passage key."""
        rows = self._by_lang.get(lang, [])
        scores = self._bm25[lang].scores(tokens) if rows else {}
        return {self.passages[rows[i]].key: score for i, score in scores.items()}

    def lookup(self, ref: str, lang: str) -> list[Passage]:
        """Passages for an explicit reference, in the language asked (English where no translation exists)."""
        candidates = [self._by_key[(ref, lang)]] if (ref, lang) in self._by_key else self._by_base.get(ref, [])
        in_lang = [p for p in candidates if p.lang == lang]
        return in_lang or [p for p in candidates if p.lang == "en"]

    def idf(self, token: str, lang: str) -> float:
        """How rare a token is in one language's passages."""
        return self._bm25[lang].idf(token) if lang in self._bm25 else 0.0
