"""The bot-wide send budget: Telegram allows about 30 messages a second per bot, shared by answers and broadcasts."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from enum import IntEnum
from typing import Protocol

# A little over a second, for the clocks' resolution.
WINDOW_S = 1.02


class Priority(IntEnum):
    """Lower value, served first: a person waiting for an answer goes before a campaign update."""

    ANSWER = 0
    BULK = 1


class SendBudget(Protocol):
    """One slot per request: LocalBudget in one process, RedisBudget (bot/scale/budget.py) across workers."""

    def slot(self, priority: Priority) -> AbstractAsyncContextManager[None]:
        """Hold a slot for the duration of one request; answers never wait behind bulk sends."""
        ...


class LocalBudget:
    """In-process budget: at most `rate` requests in flight or answered within the last second.

    A request reaches Telegram somewhere between the moment it leaves and the moment its answer comes back. Counting
    it until a second after its answer means that no one-second window at Telegram can hold more than `rate`
    messages, however late the event loop wakes or the network delivers: the limit holds by construction rather
    than by a safety margin on the pace.
    """

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("the send rate must be positive")
        self.rate = rate
        self._count = max(1, int(rate))
        self._gap = 1.0 / (rate * 2)  # smooths bursts: at most twice the average pace for an instant
        self._in_flight = 0
        self._answered: deque[float] = deque()
        self._last = 0.0
        self._waiting = {Priority.ANSWER: 0, Priority.BULK: 0}

    def _wait(self, now: float) -> float:
        """Seconds until a slot is free (0: now)."""
        while self._answered and now - self._answered[0] >= WINDOW_S:
            self._answered.popleft()
        spaced = self._last + self._gap - now
        if self._in_flight + len(self._answered) < self._count:
            return max(spaced, 0.0)
        oldest = self._answered[0] + WINDOW_S - now if self._answered else 0.005  # all in flight: soon
        return max(oldest, spaced, 0.001)

    async def _acquire(self, priority: Priority) -> None:
        """Take the next free slot, unless someone more urgent is waiting for it."""
        self._waiting[priority] += 1
        try:
            while True:
                now = time.monotonic()
                wait = self._wait(now)
                ahead = any(self._waiting[p] for p in Priority if p < priority)
                if not ahead and wait <= 0:
                    self._in_flight += 1
                    self._last = now
                    return
                # Everyone sleeps until a slot frees and checks again; the more urgent waiter then takes it.
                await asyncio.sleep(max(wait, 0.001))
        finally:
            self._waiting[priority] -= 1

    @asynccontextmanager
    async def slot(self, priority: Priority) -> AsyncIterator[None]:
        """Hold a slot while the request is out; it counts for another second after the answer."""
        await self._acquire(priority)
        try:
            yield
        finally:
            self._in_flight -= 1
            self._answered.append(time.monotonic())
