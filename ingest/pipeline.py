"""Which documents make up the index: the official corpus (or a EUR-Lex download) plus knowledge/."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from bot.core.types import Document, Passage, base_id
from bot.settings import Settings
from ingest.knowledge import load_knowledge

log = logging.getLogger(__name__)
GDPR_LANGS = ("en", "fr", "de")


def load_sources(knowledge_dir: Path) -> list[dict[str, Any]]:
    """Official documents from knowledge/sources.yaml (ids, CELEX numbers, corpus paths)."""
    path = knowledge_dir / "sources.yaml"
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(data.get("sources", data) if isinstance(data, dict) else data)


def corpus_paths(source: dict[str, Any]) -> dict[str, str]:
    """The source's local copies by language ('en' when the file is not per language)."""
    corpus = source.get("corpus")
    if not corpus:
        return {}
    if isinstance(corpus, str):
        return {"en": corpus}
    if isinstance(corpus, list):
        return {"en": corpus[0]}
    return {lang: path for lang, path in corpus.items() if path}


def _parser_for(source_id: str, path: Path) -> Callable[[Path, str], Document] | None:
    """The parser that reads this source's file format."""
    from ingest.cjeu import parse_judgment_html
    from ingest.eurlex_html import parse_gdpr_html
    from ingest.formex import parse_gdpr_formex

    if source_id == "gdpr":
        return parse_gdpr_formex if path.suffix == ".xml" else parse_gdpr_html
    if source_id.startswith("cjeu/") and path.suffix == ".html":
        return lambda p, _lang: parse_judgment_html(p, _case_meta(p))
    return None


def _case_meta(path: Path) -> dict[str, Any] | None:
    """Metadata of a judgment from the corpus's cases index, when there is one."""
    from ingest.cjeu import load_cases_index

    try:
        index = load_cases_index(path.parent.parent.parent)
    except (OSError, ValueError):
        return None
    celex = path.name.split("_")[0]
    return index.get(celex) if isinstance(index, dict) else None


def official_documents(settings: Settings, fetched: dict[tuple[str, str], Path] | None = None) -> list[Document]:
    """Parse every official source found in the corpus folder or among fetched files."""
    documents = []
    corpus = settings.corpus_dir
    for source in load_sources(settings.knowledge_dir):
        source_id = str(source["id"])
        files = {lang: corpus / rel for lang, rel in corpus_paths(source).items()} if corpus else {}
        for (fetched_id, lang), path in (fetched or {}).items():
            if fetched_id == source_id:
                files.setdefault(lang, path)
        for lang, path in sorted(files.items()):
            parser = _parser_for(source_id, path)
            if parser is None or not path.exists():
                continue
            documents.append(parser(path, lang))
    if corpus:
        from ingest.news import parse_news_capture

        documents += [parse_news_capture(path) for path in sorted((corpus / "news").glob("*.txt"))]
    return documents


def collect(settings: Settings, fetch: bool = False) -> tuple[list[Document], list[str]]:
    """All documents to index, with warnings for the operator (no corpus, fetch failures)."""
    warnings: list[str] = []
    fetched: dict[tuple[str, str], Path] = {}
    corpus_ok = settings.corpus_dir is not None and settings.corpus_dir.is_dir()
    if fetch:
        from ingest.fetch import fetch_official

        fetched, problems = fetch_official(settings, load_sources(settings.knowledge_dir))
        warnings += problems
    if not corpus_ok and not fetched:
        where = settings.corpus_dir or "(LEGALBOT_CORPUS_DIR not set)"
        warnings.append(
            f"No corpus at {where} and nothing fetched: indexing knowledge/ alone. "
            "Set LEGALBOT_CORPUS_DIR or run `legalbot ingest --fetch` when online."
        )
    if not corpus_ok:
        settings = settings.model_copy(update={"corpus_dir": None})
    documents = official_documents(settings, fetched) + load_knowledge(settings.knowledge_dir, settings.site_url)
    return _attach_news_urls(documents), warnings


def _attach_news_urls(documents: list[Document]) -> list[Document]:
    """Press captures link to the page named in our news summary (a capture carries no URL of its own)."""
    urls: dict[tuple[str, str], str] = {}
    for doc in documents:
        for p in doc.passages:
            if p.kind == "news" and p.url:
                urls[(base_id(p.source_id), p.lang)] = p.url
                urls.setdefault((base_id(p.source_id), "*"), p.url)

    def url_of(p: Passage) -> str:
        source = base_id(p.source_id)
        return p.url or urls.get((source, p.lang)) or urls.get((source, "*"), "")

    return [replace(doc, passages=tuple(replace(p, url=url_of(p)) for p in doc.passages)) for doc in documents]


def input_fingerprint(settings: Settings) -> str:
    """Hash of everything ingest reads (and the model), so `make run` can tell whether the index is stale."""
    digest = hashlib.sha256(settings.embedding_model.encode())
    corpus = settings.corpus_dir if settings.corpus_dir and settings.corpus_dir.is_dir() else None
    for root in [settings.knowledge_dir] + ([corpus] if corpus else []):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
