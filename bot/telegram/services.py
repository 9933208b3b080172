"""What handlers share: settings, the assistant, storage and the flood guard, plus small lookups."""

from __future__ import annotations

import time
from collections import OrderedDict, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.assistant import Assistant
from bot.core.i18n import normalise_lang
from bot.core.types import LANGS
from bot.settings import Settings
from bot.storage import Storage


@dataclass
class FloodGuard:
    """Per-user sliding window: past the limit, one polite notice per window, then silence."""

    limit: int
    window_s: float
    _hits: dict[int, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _noticed: dict[int, float] = field(default_factory=dict)

    async def check(self, user_id: int) -> str:
        """'ok' to answer, 'notice' to warn once, 'drop' to ignore quietly."""
        now = time.monotonic()
        hits = self._hits[user_id]
        while hits and now - hits[0] > self.window_s:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            return "ok"
        if now - self._noticed.get(user_id, -self.window_s) >= self.window_s:
            self._noticed[user_id] = now
            return "notice"
        return "drop"


@dataclass
class RecentTopics:
    """The topic of each user's last answer, for the hand-off header; in memory, for the most recent users only."""

    keep: int = 10_000
    _topics: OrderedDict[int, str] = field(default_factory=OrderedDict)

    async def remember(self, user_id: int, topic: str) -> None:
        """Keep the topic (a citation id, never the question) of the user's last answer."""
        self._topics.pop(user_id, None)
        self._topics[user_id] = topic
        while len(self._topics) > self.keep:
            self._topics.popitem(last=False)

    async def last(self, user_id: int) -> str:
        """The topic of the user's last answer, or ''."""
        return self._topics.get(user_id, "")

    async def forget(self, _context: Any, user_id: int) -> None:
        """/forget: the topic goes too."""
        self._topics.pop(user_id, None)


@dataclass
class Services:
    """The bot's dependencies, kept in application.bot_data['services']."""

    settings: Settings
    assistant: Assistant | None
    storage: Storage
    flood: Any  # FloodGuard, or RedisFloodGuard shared by several workers: `await flood.check(user_id)`
    topics: Any = field(default_factory=RecentTopics)  # or RedisRecentTopics: `await topics.last(user_id)`
    extra: dict[str, Any] = field(default_factory=dict)


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The shared services from a handler's context."""
    return context.application.bot_data["services"]


def user_lang(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str | None = None) -> str:
    """The user's /lang choice, else Telegram's language_code when en/fr/de, else the question's language."""
    user = update.effective_user
    if user is not None:
        chosen = services(context).storage.get_lang(user.id)
        if chosen:
            return chosen
        code = (user.language_code or "").split("-")[0].lower()
        if code in LANGS:
            return code
    if text:
        from bot.core.textproc import detect_language

        return detect_language(text)
    return normalise_lang(None)
