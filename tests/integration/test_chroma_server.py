"""Chroma as a server: ingest into it twice (the second time embeds nothing), a worker with no local files answers."""

from __future__ import annotations

import json
from pathlib import Path

from bot.core.index import KnowledgeIndex, keyword_path
from bot.telegram.app import load_assistant
from ingest.run import run_ingest
from tests.chromaserver import chroma_server
from tests.conftest import make_settings


def test_ingest_into_a_chroma_server_is_idempotent_and_workers_need_no_files(tmp_path: Path) -> None:
    """The knowledge texts go to `chroma run`; a worker on an empty folder loads the same passages and answers."""
    with chroma_server(tmp_path / "chroma", tmp_path / "chroma.log") as url:
        ingesting = make_settings(tmp_path / "ingest", corpus_dir=None, chroma_url=url)
        first = run_ingest(ingesting, progress=False, say=lambda _line: None)
        again = run_ingest(ingesting, progress=False, say=lambda _line: None)
        assert first.total > 100 and sum(first.added.values()) == first.total
        assert sum(again.added.values()) == 0 and sum(again.kept.values()) == first.total

        worker = make_settings(tmp_path / "empty", corpus_dir=None, chroma_url=url)
        local = json.loads(keyword_path(ingesting.data_dir).read_text(encoding="utf-8"))
        index = KnowledgeIndex(worker.data_dir, local["embedding_model"], url)
        expected = {(r["source_id"], r["lang"]) for d in local["documents"].values() for r in d["passages"]}
        assert {(p.source_id, p.lang) for p in index.passages} == expected
        assistant = load_assistant(worker)
        answer = assistant.ask("Can I object to Meta using my posts to train its AI?", "en")
        assert answer.in_scope and answer.citations
        assert not list(worker.data_dir.glob("**/*.json"))  # nothing was written or needed locally
