"""Shared fixtures: one real index (real model, real Chroma on disk) built once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.core.assistant import Assistant
from bot.settings import Settings
from tests.unit._corpus import corpus_dir


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for a test: its own data folder, the shared corpus, no .env file."""
    values = {"data_dir": data_dir, "corpus_dir": corpus_dir(), **overrides}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose data folder holds a full index of the corpus and knowledge/ (built once, ~1 min).

    LEGALBOT_TEST_INDEX_DIR keeps the index between runs on a developer's machine (ingest only redoes what changed).
    """
    from ingest.run import run_ingest

    keep = os.environ.get("LEGALBOT_TEST_INDEX_DIR")
    settings = make_settings(Path(keep) if keep else tmp_path_factory.mktemp("index"))
    run_ingest(settings, progress=False, say=lambda _line: None)
    return settings


@pytest.fixture(scope="session")
def assistant(indexed: Settings) -> Assistant:
    """The assistant over the session's index."""
    return Assistant.from_settings(indexed)
