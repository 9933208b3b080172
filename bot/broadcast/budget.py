"""The bot-wide send budget: Telegram allows about 30 messages a second per bot, shared by answers and broadcasts."""

from __future__ import annotations

import asyncio
import time
from enum import IntEnum
from typing import Protocol

# Arrival times at Telegram jitter by a few milliseconds; spacing sends this much wider keeps every one-second window
# at or under the limit even when two requests arrive closer together than they left.
SAFETY = 0.95


class Priority(IntEnum):
    """Lower value, served first: a person waiting for an answer goes before a campaign update."""

    ANSWER = 0
    BULK = 1


class SendBudget(Protocol):
    """One slot per message; a deployment with several workers implements this over Redis."""

    async def acquire(self, priority: Priority) -> None:
        """Wait for a slot; answers never wait behind bulk sends."""
        ...


class LocalBudget:
    """In-process budget: evenly spaced slots at `rate` per second; waiting answers always take the next slot."""

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("the send rate must be positive")
        self.rate = rate
        self._interval = 1.0 / (rate * SAFETY)
        self._next = 0.0
        self._waiting = {Priority.ANSWER: 0, Priority.BULK: 0}

    async def acquire(self, priority: Priority) -> None:
        """Take the next slot when it comes, unless someone more urgent is waiting for it."""
        self._waiting[priority] += 1
        try:
            while True:
                now = time.monotonic()
                ahead = any(self._waiting[p] for p in Priority if p < priority)
                if not ahead and now >= self._next:
                    self._next = max(now, self._next) + self._interval
                    return
                # Everyone sleeps until the slot time and checks again; the more urgent waiter then takes it.
                await asyncio.sleep(max(self._next - now, 0.001))
        finally:
            self._waiting[priority] -= 1
