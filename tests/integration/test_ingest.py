"""Ingest with the real model and a real Chroma on disk: counts, idempotence, edits, removals, model checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.index import KnowledgeIndex, open_collection
from bot.core.types import base_id
from bot.errors import LegalbotError
from bot.settings import REPO_ROOT, Settings
from ingest.run import is_stale, run_ingest
from tests.conftest import make_settings


def test_gdpr_is_complete_in_three_languages(indexed: Settings) -> None:
    """99 articles and 173 recitals in English, French and German, with per-language labels."""
    index = KnowledgeIndex(indexed.data_dir, indexed.embedding_model)
    for lang in ("en", "fr", "de"):
        ids = {base_id(p.source_id) for p in index.passages if p.lang == lang and p.kind == "law"}
        assert len({i for i in ids if i.startswith("gdpr/art-")}) == 99
        assert len({i for i in ids if i.startswith("gdpr/recital-")}) == 173
    labels = {p.lang: p.label for p in index.passages if p.source_id == "gdpr/art-21#1"}
    assert labels == {"en": "GDPR Art. 21(1)", "fr": "RGPD, art. 21, § 1", "de": "DSGVO Art. 21 Abs. 1"}


def test_judgments_knowledge_and_press_are_indexed(indexed: Settings) -> None:
    """Judgment paragraphs, our texts in three languages and the press capture all land in the index."""
    index = KnowledgeIndex(indexed.data_dir, indexed.embedding_model)
    keys = {(p.source_id, p.lang) for p in index.passages}
    assert ("cjeu/C-252-21#para-118", "en") in keys
    for lang in ("en", "fr", "de"):
        assert ("faq/object-deadline", lang) in keys
        assert ("guide/object-meta-ai#form", lang) in keys
        assert ("cjeu/C-252-21#summary", lang) in keys
    press = [p for p in index.passages if p.source_id.startswith("news/") and p.lang == "fr" and "#p" in p.source_id]
    assert press and all("Recherche" not in p.text for p in press)
    # Official texts link to EUR-Lex; without LEGALBOT_SITE_URL our own texts have no page, so no (dead) link.
    assert all(p.url.startswith("https://eur-lex.europa.eu") for p in index.passages if p.kind in ("law", "case"))
    assert not any(p.url for p in index.passages if p.kind in ("faq", "guide"))


def test_second_run_changes_nothing(indexed: Settings) -> None:
    """Re-running ingest embeds nothing and keeps every passage."""
    before = open_collection(indexed.chroma_dir).count()
    report = run_ingest(indexed, progress=False, say=lambda _line: None)
    assert report.added == {}
    assert report.total == before == open_collection(indexed.chroma_dir).count()
    assert not is_stale(indexed)


@pytest.fixture
def small(tmp_path: Path) -> Settings:
    """Settings over a two-file knowledge folder and no corpus."""
    knowledge = tmp_path / "knowledge"
    (knowledge / "faq").mkdir(parents=True)
    for slug in ("object-deadline", "cost-to-join"):
        shutil.copy(REPO_ROOT / "knowledge" / "faq" / f"{slug}.en.md", knowledge / "faq")
    return make_settings(tmp_path / "data", knowledge_dir=knowledge, corpus_dir=None)


def test_without_corpus_ingest_warns_and_indexes_knowledge(small: Settings) -> None:
    """A fresh clone with no corpus still gets a working index, and the operator is told why it is small."""
    lines: list[str] = []
    report = run_ingest(small, progress=False, say=lines.append)
    assert any("knowledge/ alone" in line for line in lines)
    assert report.total == 2


def test_edited_and_removed_sources_are_replaced(small: Settings) -> None:
    """An edited file is re-embedded alone; a deleted file's chunks leave Chroma and the keyword index."""
    run_ingest(small, progress=False, say=lambda _line: None)
    edited = small.knowledge_dir / "faq" / "object-deadline.en.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAs of June 2025 this is unchanged.\n", encoding="utf-8")
    assert is_stale(small)
    report = run_ingest(small, progress=False, say=lambda _line: None)
    assert report.added == {"faq en": 1} and report.kept == {"faq en": 1}
    (small.knowledge_dir / "faq" / "cost-to-join.en.md").unlink()
    report = run_ingest(small, progress=False, say=lambda _line: None)
    assert report.removed_docs == 1
    assert open_collection(small.chroma_dir).count() == 1
    index = KnowledgeIndex(small.data_dir, small.embedding_model)
    assert [p.source_id for p in index.passages] == ["faq/object-deadline"]
    assert "unchanged" in index.passages[0].text


def test_index_refuses_another_embedding_model(small: Settings) -> None:
    """The bot will not search vectors made by another model; the error says to re-ingest."""
    run_ingest(small, progress=False, say=lambda _line: None)
    with pytest.raises(LegalbotError, match="legalbot ingest"):
        KnowledgeIndex(small.data_dir, "intfloat/multilingual-e5-small")


def test_empty_data_folder_gives_an_empty_index(tmp_path: Path) -> None:
    """Before the first ingest the index is empty rather than broken."""
    assert KnowledgeIndex(tmp_path, "bundled:all-MiniLM-L6-v2").empty
