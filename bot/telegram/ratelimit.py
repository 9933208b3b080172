"""python-telegram-bot's rate limiter, Telegram's per-chat pace, and the bot-wide send budget shared with broadcasts."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest
from telegram.ext import AIORateLimiter

from bot.broadcast.budget import LocalBudget, Priority, SendBudget

# Passed as `rate_limit_args` by the broadcast sender: it took its (low-priority) budget slot itself, before marking
# the delivery row `sending`, and it handles 429s itself.
BULK = "bulk"

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


log = logging.getLogger(__name__)
# Telegram's answer to a second answer of one button tap, or to one answered after its window closed.
_STALE_TAP = ("query is too old", "query id is invalid")


async def answer_tap(callback: Any, args: Any, kwargs: dict[str, Any]) -> Any:
    """Answer a button tap; a tap handled late (a backlog) or again (its worker died after answering it) loses only
    its toast, and the step it asked for still runs instead of ending in an apology."""
    try:
        return await callback(*args, **kwargs)
    except BadRequest as error:
        if not any(marker in error.message.lower() for marker in _STALE_TAP):
            raise
        log.info("A button tap was already answered or too old to answer; its step goes on.")
        return False


class ChatRateLimiter(AIORateLimiter):
    """AIORateLimiter's per-group limits and 429 retries, a limiter per private chat, and the shared send budget.

    The bot-wide limit is the budget's (AIORateLimiter's own overall limiter is off), so that answers and broadcast
    sends draw on one allowance and answers go first.
    """

    def __init__(self, per_chat_rate: float = 1.0, per_chat_period: float = 1.0, max_retries: int = 3,
                 budget: SendBudget | None = None) -> None:
        super().__init__(overall_max_rate=0, max_retries=max_retries)
        self.budget: SendBudget = budget or LocalBudget(30.0)
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
        """Wait for the chat's pace and a budget slot, then let AIORateLimiter apply its own limits and retry_after."""
        if endpoint == "answerCallbackQuery":
            return await answer_tap(callback, args, kwargs)
        if rate_limit_args == BULK:  # type: ignore[comparison-overlap]
            return await callback(*args, **kwargs)
        if endpoint in SENDING:
            callback = self._budgeted(callback)
        chat_id: Any = data.get("chat_id")
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)
        if endpoint in SENDING and isinstance(chat_id, int) and chat_id > 0:
            async with self._chat_limiter(chat_id):
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)

    def _budgeted(self, callback: Any) -> Any:
        """The request, after a slot of the shared budget (again on each retry)."""

        async def call(*args: Any, **kwargs: Any) -> Any:
            async with self.budget.slot(Priority.ANSWER):
                return await callback(*args, **kwargs)

        return call
