"""Read side of the index: passages and BM25 from the keyword file, vectors from Chroma."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import fields
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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


def chroma_client(chroma_dir: Path, url: str | None = None) -> Any:
    """A Chroma server's client when a URL is given (several workers), else the embedded store in chroma_dir."""
    import chromadb

    options = chromadb.Settings(anonymized_telemetry=False)
    if url:
        parts = urlsplit(url)
        return chromadb.HttpClient(host=parts.hostname or "localhost", port=parts.port or 8000,
                                   ssl=parts.scheme == "https", settings=options)
    return chromadb.PersistentClient(path=str(chroma_dir), settings=options)


def open_collection(chroma_dir: Path, create_with: dict[str, Any] | None = None, url: str | None = None) -> Any:
    """Chroma collection of passage vectors; never with Chroma's own embedding function (it downloads a model)."""
    client = chroma_client(chroma_dir, url)
    if create_with is None:
        return client.get_collection(COLLECTION, embedding_function=None)
    return client.get_or_create_collection(
        COLLECTION, embedding_function=None, metadata=create_with,
        configuration={"hnsw": {"space": "cosine", "ef_search": EF_SEARCH}},
    )


def stored_documents(collection: Any) -> dict[str, Any] | None:
    """The keyword file's content rebuilt from the records ingest keeps beside each vector (None if it kept none)."""
    documents: dict[str, Any] = {}
    offset = 0
    while page := collection.get(include=["metadatas"], limit=1000, offset=offset)["metadatas"]:
        for meta in page:
            if "record" not in meta:
                return None
            document = documents.setdefault(meta["doc_id"], {"hash": meta["doc_hash"], "origin": meta["origin"],
                                                             "passages": []})
            document["passages"].append((meta["position"], json.loads(meta["record"])))
        offset += len(page)
    for document in documents.values():
        document["passages"] = [record for _, record in sorted(document["passages"], key=lambda pair: pair[0])]
    return {**(collection.metadata or {}), "documents": dict(sorted(documents.items()))}


def passage_from(record: dict[str, Any], score: float = 0.0) -> Passage:
    """Rebuild a Passage from a stored record."""
    values = {key: record[key] for key in _PASSAGE_FIELDS if key in record}
    values["refs"] = tuple(values.get("refs", ()))  # JSON gives a list; passages stay hashable
    return Passage(**values, score=score)


class KnowledgeIndex:
    """Everything retrieval reads: passages per language, their BM25 index and the Chroma collection."""

    def __init__(self, data_dir: Path, model_name: str, chroma_url: str | None = None) -> None:
        self.model_name = model_name
        self.dimension = 0
        self.passages: list[Passage] = []
        self.tokens: list[list[str]] = []
        self._data_dir = data_dir
        self._collection: Any = None
        # Questions are answered on several threads at once: two first questions must not both open Chroma.
        self._opening = threading.Lock()
        path = keyword_path(data_dir)
        if chroma_url:
            self._load_from_server(chroma_url)
        elif path.exists():
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

    def _load_from_server(self, url: str) -> None:
        """Passages and their tokens from the Chroma server: a worker needs no local index files."""
        try:
            collection = open_collection(self._data_dir / "chroma", url=url)
        except Exception as exc:  # no collection yet (ingest has not run) or no server: the bot says it is not ready
            log.warning("No index on the Chroma server at %s (%s).", url, type(exc).__name__)
            return
        data = stored_documents(collection)
        if data is None:
            raise LegalbotError("The Chroma server holds an index from an older ingest. Run `legalbot ingest`.")
        self._load(data)
        self._collection = collection

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
