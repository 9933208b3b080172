"""Shared fixtures: one real index (real model, real Chroma on disk) built once per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.assistant import Assistant
from bot.settings import Settings
from tests.services import pg_database, redis_prefix
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


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database of this test alone (the machine's server; a failure to connect fails the test)."""
    with pg_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def storage_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each storage test runs twice: on a SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "db.sqlite3")
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def redis_settings() -> Iterator[dict[str, str]]:
    """Settings values for the machine's Redis under a key prefix of this test alone."""
    from tests.services import REDIS_URL

    with redis_prefix() as prefix:
        yield {"redis_url": REDIS_URL, "redis_prefix": prefix}
