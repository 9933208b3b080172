"""The rate limiter of a worker: the shared Redis pace, retry_after, and sends that happen once per update."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import itertools
import json
import logging
from datetime import timedelta
from typing import Any

from redis.asyncio import Redis
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.broadcast.budget import Priority
from bot.scale import claims, metrics
from bot.scale.budget import RedisBudget
from bot.scale.limits import RedisSendLimiter
from bot.telegram.ratelimit import BULK, SENDING, answer_tap

log = logging.getLogger(__name__)
# The inbox update being handled, and a counter of its sends: the n-th send of update u has the key (u, n).
_CURRENT: contextvars.ContextVar[tuple[int, itertools.count[int]] | None] = contextvars.ContextVar(
    "inbox_update", default=None
)
_KEEP_S = 24 * 3600  # far longer than any lease: a retried update finds its earlier sends


def handling(update_id: int) -> None:
    """Mark the current task as handling this inbox update (its sends become idempotent)."""
    _CURRENT.set((update_id, itertools.count()))


def _chat_of(data: dict[str, Any]) -> int | None:
    """The chat a request writes to, when it names one by number."""
    with contextlib.suppress(TypeError, ValueError):
        return int(data.get("chat_id"))  # type: ignore[arg-type]
    return None


def _seconds(retry_after: int | float | timedelta) -> float:
    """retry_after as seconds (python-telegram-bot gives an int or a timedelta)."""
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


class SharedRateLimiter(BaseRateLimiter[int]):
    """Every message waits for its chat's pace and a slot of the bot's shared budget; a 429 waits retry_after; a
    handled update never sends twice."""

    def __init__(self, limiter: RedisSendLimiter, budget: RedisBudget, redis: Redis, prefix: str,
                 max_retries: int = 3) -> None:
        self.limiter, self.redis, self.prefix, self.max_retries = limiter, redis, prefix, max_retries
        self.budget = budget  # answers take ANSWER slots here; the broadcast sender takes BULK slots from it

    async def initialize(self) -> None:
        """Nothing to set up: Redis connects lazily."""

    async def shutdown(self) -> None:
        """Nothing to release here (the worker closes Redis)."""

    async def process_request(
        self, callback: Any, args: Any, kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Throttle and de-duplicate messages; other calls go straight through."""
        if endpoint == "answerCallbackQuery":
            return await answer_tap(callback, args, kwargs)
        if endpoint not in SENDING or rate_limit_args == BULK:  # type: ignore[comparison-overlap]
            # A broadcast send took its slot from `budget` itself and handles 429s itself.
            return await callback(*args, **kwargs)
        current, chat = _CURRENT.get(), _chat_of(data)
        key = f"{self.prefix}sent:{current[0]}:{next(current[1])}" if current else None
        if key and await self.redis.exists(key):  # sent before: spare the wait for pace and budget
            return await self._made(key, chat)
        # Claimed in the HTTP layer, just before the request's first byte (bot/scale/claims.py), not here: a worker
        # killed between claim and write loses this one message, and that window is now the claim's Redis round
        # trip alone, not also the building of the request and the wait for a connection. The other order would
        # repeat the message whenever a worker dies after sending but before marking its update done.
        claim = claims.Claim(self.redis, key, _KEEP_S) if key else None
        for attempt in itertools.count():
            await self.limiter.acquire(chat, overall=False)  # the chat's pace first: a slot is not held meanwhile
            async with self.budget.slot(Priority.ANSWER):
                try:
                    result = await claims.send(claim, lambda: callback(*args, **kwargs))
                except claims.AlreadySent as exc:
                    return await self._made(exc.key, chat)
                except RetryAfter as exc:
                    metrics.TOO_MANY_REQUESTS.inc()
                    if claim:  # refused, so not sent: a worker that takes over during the wait must send it
                        await claim.release()
                    if attempt >= self.max_retries:
                        raise
                    retry_after = _seconds(exc.retry_after)
                else:
                    if claim:
                        await self._record(claim, result)
                    return result
            await asyncio.sleep(retry_after)  # outside the slot: waiting out a 429 must not hold the budget
        return None

    async def _record(self, claim: claims.Claim, result: Any) -> None:
        """Keep what Telegram answered, for a retried update to find instead of sending again."""
        if not claim.taken:  # a bot built on another request: the message went out without its claim
            log.error("Send %s went out unclaimed: the bot's request lacks claims.claiming_request()'s hook.",
                      claim.key.rsplit(":", 2)[1:])
        await self.redis.set(claim.key, json.dumps(result), ex=_KEEP_S)

    async def _made(self, key: str, chat: int | None) -> Any:
        """What an earlier attempt at this update's send got back; the send is not repeated."""
        metrics.SENDS_SKIPPED.inc()
        stored = await self.redis.get(key)
        if stored and not stored.startswith(claims.CLAIMED):
            return json.loads(stored)
        # Claimed by a worker killed before it recorded the answer: the message most likely went out (the claim is
        # taken just before the request is written), its details are unknown; it is not repeated, a stand-in will do.
        log.warning("Send %s of a retried update was claimed, not recorded: not repeated.", key.rsplit(":", 2)[1:])
        return {"message_id": 0, "date": 0, "chat": {"id": chat, "type": "x"}}
