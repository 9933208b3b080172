"""Write side of the index: embed new or changed documents into Chroma and rewrite the keyword file."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from bot.core.embeddings import Embedder
from bot.core.index import EF_SEARCH, chroma_client, keyword_path, open_collection, stored_documents
from bot.core.textproc import tokenize
from bot.core.types import Document, Passage

FORMAT = 4  # bump when what is stored per passage changes (4: refs of our texts): the next ingest rebuilds
# How the index is built beyond the model and its inputs; any change rebuilds everything (vectors or the collection's
# configuration would differ) and makes the index stale for `make run`.
BUILD = {"format": FORMAT, "ef_search": EF_SEARCH}
BATCH = 256  # the embedder sorts by length inside a call, so bigger calls pad less


@dataclass
class IndexReport:
    """What a run changed, per document group."""

    added: dict[str, int] = field(default_factory=dict)  # group -> passages embedded this run
    kept: dict[str, int] = field(default_factory=dict)  # group -> passages unchanged since the last run
    removed_docs: int = 0
    total: int = 0


def index_text(passage: Passage) -> str:
    """The text that is embedded and keyword-indexed: heading and variants give short passages their context."""
    return "\n".join(part for part in (passage.title, passage.keywords, passage.text) if part)


def _fingerprint(document: Document, model: str) -> str:
    """Content hash of a document: any edit to a passage (or a new model) changes it."""
    payload = json.dumps([asdict(p) for p in document.passages], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{model}\n{payload}".encode()).hexdigest()


def group_of(doc_id: str) -> str:
    """Reporting group of a document: 'gdpr@fr' -> 'gdpr fr', 'faq/x@de' -> 'faq de'."""
    source, _, lang = doc_id.rpartition("@")
    return f"{source.split('/')[0]} {lang}"


def _load_previous(path: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """Documents of the last run, or nothing when there was none or it embedded differently."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    same = all(data.get(key) == value for key, value in meta.items())
    return data["documents"] if same else {}


def _previous_on_server(data_dir: Path, url: str, meta: dict[str, Any]) -> dict[str, Any]:
    """Documents the Chroma server holds from the last run, when it embedded the same way."""
    try:
        data = stored_documents(open_collection(data_dir / "chroma", url=url))
    except Exception:  # no collection yet
        return {}
    same = data is not None and all(data.get(key) == value for key, value in meta.items())
    return data["documents"] if same and data else {}


def write_index(
    data_dir: Path, documents: Iterable[Document], embedder: Embedder, progress: bool = True,
    chroma_url: str | None = None,
) -> IndexReport:
    """Bring Chroma (embedded or a server) and the keyword file in line with `documents`; safe to repeat."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = keyword_path(data_dir)
    meta = {"embedding_model": embedder.name, "dimension": embedder.dimension, "max_tokens": embedder.max_tokens,
            **BUILD}
    previous = _previous_on_server(data_dir, chroma_url, meta) if chroma_url else _load_previous(path, meta)
    if not previous:
        _drop_collection(data_dir, chroma_url)
    collection = open_collection(data_dir / "chroma", create_with=meta, url=chroma_url)
    report, current, pending = IndexReport(), {}, []
    for document in documents:
        if document.doc_id in current:
            raise ValueError(f"Two sources produce the document {document.doc_id}")
        digest = _fingerprint(document, embedder.name)
        old = previous.get(document.doc_id)
        group = group_of(document.doc_id)
        if old and old["hash"] == digest:
            current[document.doc_id] = old
            report.kept[group] = report.kept.get(group, 0) + len(old["passages"])
            continue
        if old:
            collection.delete(ids=[_key(r) for r in old["passages"]])
        records = [_record(p) for p in document.passages]
        current[document.doc_id] = {"hash": digest, "origin": document.origin, "passages": records}
        # Beside each vector, all a worker needs to rebuild passages and BM25 from the server, and ingest its state.
        where = {"doc_id": document.doc_id, "doc_hash": digest, "origin": document.origin or ""}
        pending.extend((p, {**where, "position": i, "record": json.dumps(r, ensure_ascii=False)})
                       for i, (p, r) in enumerate(zip(document.passages, records, strict=True)))
        report.added[group] = report.added.get(group, 0) + len(records)
    for doc_id in previous.keys() - current.keys():
        collection.delete(ids=[_key(r) for r in previous[doc_id]["passages"]])
        report.removed_docs += 1
    _embed_and_store(collection, pending, embedder, progress)
    report.total = sum(len(d["passages"]) for d in current.values())
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({**meta, "documents": current}, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)  # atomic: a crash mid-write never leaves a half index for the bot
    return report


def _record(passage: Passage) -> dict[str, Any]:
    """What the keyword file keeps of a passage: its fields and its BM25 tokens."""
    record = {k: v for k, v in asdict(passage).items() if k != "score"}
    record["tokens"] = tokenize(index_text(passage), passage.lang)
    return record


def _key(record: dict[str, Any]) -> str:
    """Chroma id of a stored passage."""
    return f"{record['source_id']}@{record['lang']}"


def _embed_and_store(collection: Any, pending: list[tuple[Passage, dict]], embedder: Embedder, progress: bool) -> None:
    """Embed in batches with a progress bar and upsert into Chroma."""
    bar = tqdm(total=len(pending), desc="embedding", unit="passage", disable=not progress or not pending)
    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        vectors = embedder.embed([index_text(p) for p, _ in batch])
        collection.upsert(
            ids=[p.key for p, _ in batch],
            embeddings=vectors,
            documents=[index_text(p) for p, _ in batch],  # stock LangChain retrievers read passages from here
            metadatas=[{"lang": p.lang, "source_id": p.source_id, "kind": p.kind, **stored} for p, stored in batch],
        )
        bar.update(len(batch))
    bar.close()


def _drop_collection(data_dir: Path, url: str | None = None) -> None:
    """Start from an empty collection (first run, or the embedding model changed)."""
    from bot.core.index import COLLECTION

    client = chroma_client(data_dir / "chroma", url)
    if COLLECTION in [c.name for c in client.list_collections()]:
        client.delete_collection(COLLECTION)
