"""Flood control: sliding-window limits per chat and overall, answered with 429 like Telegram."""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

from .params import ApiError


@dataclass(frozen=True)
class Limit:
    """At most `count` messages within any `seconds`-long window."""

    count: int
    seconds: float


@dataclass(frozen=True)
class RateLimits:
    """Which limits apply; None disables that limit. The default instance disables all."""

    private_chat: Limit | None = None
    group_chat: Limit | None = None
    overall: Limit | None = None

    @classmethod
    def telegram(cls) -> RateLimits:
        """Close to Telegram's documented limits: ~1 msg/s per chat with a short burst,
        20 msg/min per group, 30 msg/s overall."""
        return cls(private_chat=Limit(5, 5.0), group_chat=Limit(20, 60.0), overall=Limit(30, 1.0))

    @classmethod
    def strict(cls, count: int = 1, seconds: float = 60.0) -> RateLimits:
        """The same tight limit for every chat, for tests that want to hit 429 quickly."""
        limit = Limit(count, seconds)
        return cls(private_chat=limit, group_chat=limit, overall=None)


class RateLimiter:
    """Thread-unsafe on its own: the server calls it under its state lock."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._per_chat: dict[int, deque[float]] = defaultdict(deque)
        self._overall: deque[float] = deque()
        self.delivered: list[float] = []  # every counted message, for measuring the pace afterwards
        self.refusals = 0  # 429s answered because a limit was exceeded (injected ones are not counted here)

    def check(self, chat_id: int, is_group: bool) -> None:
        """Raise ApiError(429) if one more message to chat_id would exceed a limit."""
        now = self.clock()
        chat_limit = self.limits.group_chat if is_group else self.limits.private_chat
        waits = [
            _wait(self._per_chat[chat_id], chat_limit, now),
            _wait(self._overall, self.limits.overall, now),
        ]
        wait = max(waits)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            self.refusals += 1
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    def record(self, chat_id: int) -> None:
        """Count a message that was actually delivered."""
        now = self.clock()
        self.delivered.append(now)
        self._per_chat[chat_id].append(now)
        self._overall.append(now)

    def reset(self) -> None:
        self._per_chat.clear()
        self._overall.clear()


def _wait(times: deque[float], limit: Limit | None, now: float) -> float:
    """Seconds until the window has room again (0 if it has room now)."""
    if limit is None:
        return 0.0
    while times and now - times[0] >= limit.seconds:
        times.popleft()
    if len(times) < limit.count:
        return 0.0
    return times[len(times) - limit.count] + limit.seconds - now
