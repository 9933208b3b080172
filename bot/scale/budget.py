"""The bot-wide send budget in Redis: every worker's answers and broadcast sends draw on one allowance, answers first.

The rule is LocalBudget's, kept on Redis's clock: at most `count` requests in flight or answered within the last
WINDOW_S, whichever worker sent them, so that no one-second window at Telegram holds more than the limit however the
network delays each request. Priority across workers is a reserve: a bulk send may only take a slot while more than
`reserve` of them are free. A question's answer therefore finds a slot at once during a broadcast, and once answers
fill the reserve every slot that frees goes to them, since bulk sends wait for reserve + 1 free slots.
"""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.broadcast.budget import WINDOW_S, Priority

log = logging.getLogger(__name__)
WINDOW_MS = WINDOW_S * 1000
# A slot in flight counts until its answer, or this long if its worker died meanwhile: longer than a text message
# can be out under python-telegram-bot's timeouts (1 s for a pooled connection, 5 s each to connect, write and read).
# An upload may be out longer (20 s to write) and stop counting early: one slot, rarely. Longer would cost more after
# a crash, when the dead worker's slots keep the budget smaller until they lapse.
HOLD_MS = 20_000

# KEYS: the slots (a sorted set, token -> Redis time in ms until which it counts), the time of the last slot taken.
# ARGV: token, count, reserve, gap (ms), hold (ms), window (ms). Returns 0 (the slot is taken) or the ms to wait.
_TAKE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local count, reserve, gap = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local hold, window = tonumber(ARGV[5]), tonumber(ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local taken, room = redis.call('ZCARD', KEYS[1]), count - reserve
if taken >= room then
  -- The (taken - room + 1)-th slot to lapse frees ours; one in flight lapses a window after its answer at the soonest.
  local nth = redis.call('ZRANGE', KEYS[1], taken - room, taken - room, 'WITHSCORES')
  return math.max(1, math.ceil(math.min(tonumber(nth[2]) - now, window)))
end
local spaced = tonumber(redis.call('GET', KEYS[2]) or 0) + gap - now
if spaced > 0 then return math.max(1, math.ceil(spaced)) end
redis.call('ZADD', KEYS[1], now + hold, ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil(hold + window))
redis.call('SET', KEYS[2], now, 'PX', math.ceil(hold + window))
return 0
"""
# KEYS: the slots; ARGV: token, window (ms). The request is answered: its slot counts one more window from now.
_FREE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
return redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[2]), ARGV[1])
"""


def reserve_for(count: int) -> int:
    """Slots bulk sends leave free for answers: a tenth of the budget, at least one, and never all of it."""
    return min(max(1, math.ceil(count / 10)), count - 1)


class RedisBudget:
    """A SendBudget shared by every worker through Redis (LocalBudget is the one-process equivalent)."""

    def __init__(self, redis: Redis, prefix: str, rate: float) -> None:
        if rate <= 0:
            raise ValueError("the send rate must be positive")
        self.count = max(1, int(rate))
        self.reserve = reserve_for(self.count)
        self.gap_ms = 1000 / (rate * 2)  # smooths bulk bursts, as LocalBudget does: at most twice the average pace
        self.keys = [f"{prefix}budget:slots", f"{prefix}budget:last"]
        self._take, self._free = redis.register_script(_TAKE), redis.register_script(_FREE)
        # One waiter per priority in a process asks Redis at a time; the others queue here rather than all waking
        # at each freed slot. Answers have their own turn, so they never queue behind this process's bulk sends.
        self._turns = {priority: asyncio.Lock() for priority in Priority}

    async def _acquire(self, token: str, priority: Priority) -> None:
        """Take a slot; a bulk send leaves the reserve free and keeps its distance from the last send."""
        # Answers skip the spacing too: bulk sends, taking a slot the instant each gap ends, would otherwise win the
        # race for it again and again (measured: an answer lost up to 3 gaps in a row to a saturating broadcast).
        reserve, gap_ms = (self.reserve, self.gap_ms) if priority is Priority.BULK else (0, 0.0)
        args = [token, self.count, reserve, gap_ms, HOLD_MS, WINDOW_MS]
        async with self._turns[priority]:
            while wait_ms := int(await self._take(keys=self.keys, args=args)):
                await asyncio.sleep(wait_ms / 1000)

    @asynccontextmanager
    async def slot(self, priority: Priority) -> AsyncIterator[None]:
        """Hold a slot while the request is out; it counts for another window after the answer."""
        token = secrets.token_hex(8)
        await self._acquire(token, priority)
        try:
            yield
        finally:
            try:
                await self._free(keys=self.keys[:1], args=[token, WINDOW_MS])
            except RedisError as exc:  # the slot then lapses after HOLD_MS: the budget shrinks for a while, no more
                log.warning("Could not free a send slot in Redis: %s", type(exc).__name__)
