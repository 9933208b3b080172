"""Telegram's limits kept in Redis, so every worker draws on the bot's one budget (GCRA, on Redis's own clock)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

# KEYS: one bucket per limit; ARGV: interval and burst (ms, count) per key. Either every bucket takes the send and 0
# comes back, or none does and the reply is how many ms to wait. One script, so two workers never both take a slot.
_GCRA = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local wait, tats = 0, {}
for i, key in ipairs(KEYS) do
  local interval, burst = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local tat = math.max(tonumber(redis.call('GET', key) or now), now)
  local late = tat - now - interval * (burst - 1)
  if late > wait then wait = late end
  tats[i] = tat + interval
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('SET', key, tats[i], 'PX', tats[i] - now + 1000)
end
return 0
"""


class SendLimiter(Protocol):
    """Wait until one more message may go to a chat (chat None: only the bot-wide budget)."""

    async def acquire(self, chat_id: int | None = None) -> None:
        """Return when the send may happen; the slot is taken."""


@dataclass(frozen=True)
class Pace:
    """Telegram's published limits: the bot overall, a private chat, a group."""

    overall_per_s: float = 25.0
    private_interval_s: float = 1.0
    group_interval_s: float = 3.0


class LocalSendLimiter:
    """The same pace inside one process (no Redis): for a single worker's own sends outside python-telegram-bot."""

    def __init__(self, pace: Pace | None = None) -> None:
        from aiolimiter import AsyncLimiter

        self.pace = pace or Pace()
        self._overall = AsyncLimiter(1, 1 / self.pace.overall_per_s)
        self._chats: dict[int, AsyncLimiter] = {}
        self._limiter = AsyncLimiter

    async def acquire(self, chat_id: int | None = None) -> None:
        """Wait for the bot's budget, then the chat's."""
        await self._overall.acquire()
        if chat_id is not None:
            if chat_id not in self._chats:
                if len(self._chats) > 4096:  # idle chats are forgotten so memory stays bounded
                    self._chats.clear()
                interval = self.pace.private_interval_s if chat_id > 0 else self.pace.group_interval_s
                self._chats[chat_id] = self._limiter(1, interval)
            await self._chats[chat_id].acquire()


class RedisSendLimiter:
    """The bot-wide and per-chat pace in Redis, shared by every worker (a worker's own sends take the bot-wide slot
    from its RedisBudget instead, which puts answers before broadcast sends)."""

    def __init__(self, redis: Redis, prefix: str, pace: Pace | None = None) -> None:
        self.redis, self.prefix, self.pace = redis, prefix, pace or Pace()
        self._script = redis.register_script(_GCRA)

    async def acquire(self, chat_id: int | None = None, overall: bool = True) -> None:
        """Wait for a slot in the overall budget (unless the caller holds a RedisBudget slot) and the chat's pace."""
        keys: list[str] = []
        args: list[int] = []
        if overall:
            keys, args = [f"{self.prefix}pace:overall"], [round(1000 / self.pace.overall_per_s), 1]
        if chat_id is not None:
            interval = self.pace.private_interval_s if chat_id > 0 else self.pace.group_interval_s
            keys.append(f"{self.prefix}pace:{chat_id}")
            args += [round(1000 * interval), 1]
        if not keys:
            return
        for _ in range(10_000):  # bounded: at 25/s this is minutes of queueing, far past any sane backlog
            wait_ms = int(await self._script(keys=keys, args=args))
            if wait_ms <= 0:
                return
            await asyncio.sleep(wait_ms / 1000)
        raise TimeoutError("no send slot")


class RedisFloodGuard:
    """Per-user window of questions, counted in Redis: 'ok', one 'notice' per window, then 'drop'."""

    def __init__(self, redis: Redis, prefix: str, limit: int, window_s: float) -> None:
        self.redis, self.prefix, self.limit, self.window_ms = redis, prefix, limit, int(window_s * 1000)

    async def check(self, user_id: int) -> str:
        """Count one question and say what to do with it."""
        hits, notice = user_keys(self.prefix, user_id)[:2]
        count, _ = await self.redis.pipeline().incr(hits).pexpire(hits, self.window_ms, nx=True).execute()
        if count <= self.limit:
            return "ok"
        if await self.redis.set(notice, 1, px=self.window_ms, nx=True):
            return "notice"
        return "drop"


class RedisRecentTopics:
    """The topic of each user's last answer, in Redis for a day: a hand-off on another worker still names it."""

    def __init__(self, redis: Redis, prefix: str, keep_s: int = 24 * 3600) -> None:
        self.redis, self.prefix, self.keep_s = redis, prefix, keep_s

    async def remember(self, user_id: int, topic: str) -> None:
        """Keep the topic (a citation id, never the question) of the user's last answer."""
        await self.redis.set(_topic_key(self.prefix, user_id), topic, ex=self.keep_s)

    async def last(self, user_id: int) -> str:
        """The topic of the user's last answer, or ''."""
        stored = await self.redis.get(_topic_key(self.prefix, user_id))
        return stored.decode() if stored else ""


def user_keys(prefix: str, user_id: int) -> list[str]:
    """Every Redis key about a user: flood counter, flood notice, their private chat's pace (chat id = user id), and
    the topic of their last answer."""
    return [f"{prefix}flood:{user_id}", f"{prefix}flood-notice:{user_id}", f"{prefix}pace:{user_id}",
            _topic_key(prefix, user_id)]


def _topic_key(prefix: str, user_id: int) -> str:
    """The key of a user's last answer topic."""
    return f"{prefix}topic:{user_id}"


async def forget_user(redis: Redis, prefix: str, user_id: int) -> int:
    """Delete every Redis key about a user; how many there were."""
    return int(await redis.delete(*user_keys(prefix, user_id)))
