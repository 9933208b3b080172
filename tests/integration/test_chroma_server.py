"""Chroma as a server: ingest into it twice (the second embeds nothing); a worker with no local files answers as
the embedded index does."""

from __future__ import annotations

import json
from pathlib import Path

from bot.core.index import KnowledgeIndex, keyword_path
from bot.telegram.app import load_assistant
from ingest.run import run_ingest
from tests.chromaserver import chroma_server
from tests.conftest import make_settings

QUESTIONS = [("Can I object to Meta using my posts to train its AI?", "en"),
             ("Quelle est la date limite pour m'opposer ?", "fr"), ("Was ist die Sammelklage gegen Meta?", "de"),
             ("What is the best pancake recipe?", "en")]


def test_ingest_into_a_chroma_server_is_idempotent_and_workers_need_no_files(tmp_path: Path) -> None:
    """The knowledge texts go to `chroma run`; a worker on an empty folder loads the same passages, answers the same."""
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
        served = load_assistant(worker)
        assert not list(worker.data_dir.glob("**/*.json"))  # nothing was written or needed locally
        here = make_settings(tmp_path / "local", corpus_dir=None)  # the same texts, embedded Chroma
        run_ingest(here, progress=False, say=lambda _line: None)
        local = load_assistant(here)
        for question, lang in QUESTIONS:
            a, b = served.ask(question, lang), local.ask(question, lang)
            assert (a.text, [c.id for c in a.citations]) == (b.text, [c.id for c in b.citations]), question
