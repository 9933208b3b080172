"""A small circuit breaker: after repeated failures, stop calling the LLM for a while and answer extractively."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

State = Literal["closed", "open", "half-open"]


class Breaker:
    """Closed until `threshold` failures in a row; then open for `cooldown_s`; then one trial call decides."""

    def __init__(self, threshold: int = 3, cooldown_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial = False  # a half-open trial call is in flight
        self._lock = threading.Lock()  # answers run in worker threads

    @property
    def state(self) -> State:
        """Closed (calls go through), open (calls are skipped) or half-open (one trial may go through)."""
        if self._opened_at is None:
            return "closed"
        return "open" if self._clock() - self._opened_at < self.cooldown_s else "half-open"

    def allow(self) -> bool:
        """May this call go to the LLM? In half-open state only the first caller may."""
        with self._lock:
            state = self.state
            if state == "closed":
                return True
            if state == "half-open" and not self._trial:
                self._trial = True
                return True
            return False

    def record_success(self) -> None:
        """The endpoint answered: close the circuit."""
        with self._lock:
            self._failures, self._opened_at, self._trial = 0, None, False

    def record_failure(self) -> None:
        """The endpoint failed or timed out: count it, and (re)open the circuit at the threshold."""
        with self._lock:
            self._failures += 1
            if self._trial or self._failures >= self.threshold:
                self._opened_at, self._trial = self._clock(), False
