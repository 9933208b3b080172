"""Write side of the intent index: what each entry answers, what each provision is called, and what is not ours."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from bot.core.intents import COLLECTION, NEGATIVE, IntentEncoder
from bot.core.types import Document, base_id

BATCH = 64


def entry_rows(documents: Iterable[Document]) -> list[dict[str, str]]:
    """One row per question variant of an FAQ, per guide heading, and per title of a provision or case summary."""
    rows: dict[tuple[str, str, str], dict[str, str]] = {}

    def add(target: str, kind: str, lang: str, text: str) -> None:
        text = " ".join(text.split())
        if text:
            rows.setdefault((target, lang, text.casefold()), {"target": target, "kind": kind, "lang": lang,
                                                              "text": text})

    for document in documents:
        for passage in document.passages:
            kind, lang = passage.kind, passage.lang
            if kind == "faq":
                for text in [passage.title, *passage.keywords.splitlines()]:
                    add(passage.source_id, "faq", lang, text)
            elif kind == "guide":
                # A section is answered by its heading; the introduction by the guide's title.
                heading = passage.label.split(" › ", 1)[1] if " › " in passage.label else passage.title
                add(passage.source_id, "guide", lang, heading)
            elif kind in ("law", "rad") and passage.title:
                # Articles by their title ("Right to object"); recitals have none and are found by retrieval.
                add(base_id(passage.source_id), kind, lang, passage.title.split(" — ")[-1])
            elif kind == "summary":
                add(passage.source_id, kind, lang, passage.title)
    return list(rows.values())


def negative_rows(scope_file: Path) -> list[dict[str, str]]:
    """The 'not our job' examples of knowledge/scope.yaml, per language and intent."""
    if not scope_file.exists():
        return []
    data = yaml.safe_load(scope_file.read_text(encoding="utf-8")) or {}
    rows = []
    for lang, intents in (data.get("not_ours") or {}).items():
        for intent, examples in intents.items():
            target = f"{NEGATIVE}:{intent}"
            rows += [{"target": target, "kind": NEGATIVE, "lang": lang, "text": " ".join(str(e).split())}
                     for e in examples]
    return rows


def topic_rows(topics_file: Path) -> list[dict[str, str]]:
    """Plain-language questions for provisions and judgments (knowledge/law_topics.yaml)."""
    if not topics_file.exists():
        return []
    rows = []
    for target, by_lang in (yaml.safe_load(topics_file.read_text(encoding="utf-8")) or {}).items():
        kind = "summary" if str(target).startswith("cjeu/") else "law"
        for lang, questions in by_lang.items():
            rows += [{"target": str(target), "kind": kind, "lang": lang, "text": " ".join(str(q).split())}
                     for q in questions]
    return rows


def _row_id(row: dict[str, str], encoder: str) -> str:
    """Stable id: the same text for the same target is never embedded twice."""
    key = "\x1f".join((encoder, row["target"], row["kind"], row["lang"], row["text"]))
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def write_intents(client: Any, rows: list[dict[str, str]], encoder: IntentEncoder) -> tuple[int, int, int]:
    """Bring the intent collection in line with `rows`: embed new rows, delete gone ones. (added, kept, removed)"""
    meta = {"encoder": encoder.name, "hnsw:space": "cosine"}
    existing = [c.name for c in client.list_collections()]
    if COLLECTION in existing:
        collection = client.get_collection(COLLECTION, embedding_function=None)
        if (collection.metadata or {}).get("encoder") != encoder.name:
            client.delete_collection(COLLECTION)
    collection = client.get_or_create_collection(COLLECTION, embedding_function=None, metadata=meta)
    wanted = {_row_id(row, encoder.name): row for row in rows}
    have = set(collection.get(include=[])["ids"])
    stale = sorted(have - wanted.keys())
    if stale:
        collection.delete(ids=stale)
    new = [(key, row) for key, row in wanted.items() if key not in have]
    for start in range(0, len(new), BATCH):
        batch = new[start : start + BATCH]
        vectors = encoder.encode([row["text"] for _, row in batch])
        collection.upsert(
            ids=[key for key, _ in batch],
            embeddings=vectors.tolist(),
            documents=[row["text"] for _, row in batch],
            metadatas=[{k: row[k] for k in ("target", "kind", "lang")} for _, row in batch],
        )
    return len(new), len(wanted) - len(new), len(stale)
