"""A real Application of the bot, polling the fake Bot API over HTTP, with the session's real index."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.core.assistant import Assistant
from bot.settings import Settings
from bot.storage import open_storage
from bot.telegram.app import build_application
from tests.conftest import make_settings
from tests.fakebotapi import FakeBotApi
from tests.fakebotapi.polling import polling


@dataclass
class Harness:
    """The fake server, the running bot and its settings."""

    server: FakeBotApi
    app: Application
    settings: Settings


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    """A fresh fake Bot API on 127.0.0.1."""
    with FakeBotApi() as fake:
        yield fake


def bot_settings(server: FakeBotApi, data_dir: Path, **overrides: Any) -> Settings:
    """Settings that point the bot at the fake server and a private database."""
    return make_settings(data_dir, telegram_token=server.token, telegram_api_url=server.url, corpus_dir=None,
                         **overrides)


@asynccontextmanager
async def running(settings: Settings, assistant: Assistant | None) -> AsyncIterator[Application]:
    """Start the bot's Application with long polling and stop it cleanly."""
    app = build_application(settings, assistant=assistant, storage=open_storage(settings.storage_target))
    try:
        async with polling(app):
            yield app
    finally:
        app.bot_data["services"].storage.db.close()


@pytest.fixture
async def bot(server: FakeBotApi, assistant: Assistant, tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot with the real index, running against the fake server."""
    settings = bot_settings(server, tmp_path / "data")
    async with running(settings, assistant) as app:
        yield Harness(server, app, settings)
