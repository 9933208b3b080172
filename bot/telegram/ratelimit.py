"""python-telegram-bot's rate limiter plus Telegram's per-chat pace (about one message a second)."""

from __future__ import annotations

import contextlib
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

# Methods that put a message into a chat; chat actions and callback answers are not throttled.
SENDING = frozenset(
    {
        "sendMessage",
        "copyMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "sendPhoto",
        "sendDocument",
        "forwardMessage",
    }
)


class ChatRateLimiter(AIORateLimiter):
    """Adds a limiter per private chat to AIORateLimiter's overall and per-group limits; retries on 429."""

    def __init__(self, per_chat_rate: float = 1.0, per_chat_period: float = 1.0, max_retries: int = 3) -> None:
        super().__init__(max_retries=max_retries)
        self._rate = per_chat_rate
        self._period = per_chat_period
        self._chats: dict[int, AsyncLimiter] = {}

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        """The limiter of one private chat, created on first use."""
        if chat_id not in self._chats:
            if len(self._chats) > 4096:  # forget idle chats so memory stays bounded
                self._chats = {k: v for k, v in self._chats.items() if not v.has_capacity(v.max_rate)}
            self._chats[chat_id] = AsyncLimiter(self._rate, self._period)
        return self._chats[chat_id]

    async def process_request(
        self,
        callback: Any,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Wait for the chat's pace, then let AIORateLimiter apply its own limits and retry_after."""
        chat_id: Any = data.get("chat_id")
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)
        if endpoint in SENDING and isinstance(chat_id, int) and chat_id > 0:
            async with self._chat_limiter(chat_id):
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
