"""Send one broadcast to its delivery list: resumable, one sender at a time, at the budget's pace, exactly once.

A row is marked `sending` in the database before its request leaves and settled when the answer comes back.
If the process dies between the two (SIGKILL, power loss), nobody can know whether Telegram delivered that message:
the Bot API has no idempotency key and no way to ask. The next sender marks such rows `uncertain` and does not resend
them: a duplicate reaches a person and cannot be recalled or even noticed, while an uncertain row is counted in the
status and stats, so staff know how many (at most `concurrency` per crash) may have missed it. A read timeout is
the same unknown and is treated the same way. Everything else is exact: rows settled before the crash are never sent
again, rows still pending are all sent.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot.broadcast.budget import Priority, SendBudget
from bot.broadcast.model import Draft, Progress
from bot.broadcast.store import BroadcastStore

log = logging.getLogger(__name__)


class Unreachable(Exception):
    """403: the person blocked the bot or deleted their account; never retried."""


class RetryLater(Exception):
    """429: Telegram asks to wait this many seconds; not the recipient's fault, not counted as an attempt."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class Unknown(Exception):
    """The request may or may not have been delivered (a read timeout)."""


class Transport(Protocol):
    """How a message reaches a chat; other exceptions are transient errors (retried with backoff)."""

    async def send(self, chat_id: int, html: str, button: tuple[str, str] | None) -> None:
        """Send one HTML message with an optional URL button."""
        ...


@dataclass(frozen=True)
class EngineConfig:
    """Knobs from the settings."""

    concurrency: int = 8
    max_attempts: int = 4
    backoff_s: float = 2.0
    lease_s: float = 30.0
    check_every_s: float = 0.2
    progress_every_s: float = 5.0


def owner_name() -> str:
    """Who holds a lease: host and process, for staff reading the database."""
    return f"{socket.gethostname()}:{os.getpid()}"


class BroadcastSender:
    """Runs broadcasts through a transport; `progress` is called after every few sends with counts only."""

    def __init__(self, store: BroadcastStore, transport: Transport, budget: SendBudget, config: EngineConfig,
                 on_progress: Callable[[Progress], Awaitable[None]] | None = None) -> None:
        self.store, self.transport, self.budget, self.config = store, transport, budget, config
        self.on_progress = on_progress
        self.owner = owner_name()
        self.stopped = False  # shutting down: finish the sends in flight, start no new ones
        self._sent_times: deque[float] = deque(maxlen=200)

    def rate(self) -> float:
        """Messages per second over the last few seconds (0 when too few to tell)."""
        now = time.monotonic()
        recent = [moment for moment in self._sent_times if now - moment <= 5.0]
        return len(recent) / max(now - recent[0], 1.0) if len(recent) >= 2 else 0.0

    async def run(self, broadcast_id: int) -> Progress | None:
        """Send what is left of one broadcast; None when another sender holds it or it is not running."""
        if not self.store.claim(broadcast_id, self.owner, self.config.lease_s):
            return None
        orphans = self.store.orphaned_to_uncertain(broadcast_id)
        if orphans:
            log.warning("broadcast %s: %d sends were interrupted by a crash and are counted as uncertain",
                        broadcast_id, orphans)
        row = self.store.get(broadcast_id) or {}  # claimed, so it exists
        run = _Run(self, broadcast_id, self.store.draft_of(row), row["status"])
        try:
            await run.go()
        finally:
            self.store.release(broadcast_id, self.owner)
        return self.store.progress(broadcast_id, self.rate())


class _Run:
    """One sender's pass over one broadcast: a feeder, a few workers and a watcher of the control state."""

    def __init__(self, sender: BroadcastSender, broadcast_id: int, draft: Draft, status: str) -> None:
        self.s, self.id, self.draft = sender, broadcast_id, draft
        self.queue: asyncio.Queue[dict] = asyncio.Queue(maxsize=sender.config.concurrency * 4)
        self.status = status  # running or paused; the watcher follows changes
        self.lost = False  # the lease went to someone else: stop at once
        self.resume_at = 0.0  # after a 429 every worker waits until then
        self.reporting: asyncio.Task[None] | None = None

    @property
    def stopping(self) -> bool:
        """Cancelled, finished elsewhere, or the lease was lost."""
        return self.lost or self.s.stopped or self.status not in ("running", "paused")

    async def go(self) -> None:
        """Run until every row is final, or the broadcast is cancelled."""
        watcher = asyncio.create_task(self.watch())
        workers = [asyncio.create_task(self.work()) for _ in range(self.s.config.concurrency)]
        try:
            await self.feed()
            await self.queue.join()
        finally:
            tasks = [*workers, watcher, *([self.reporting] if self.reporting else [])]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if not self.stopping and self.s.store.open_rows(self.id) == 0:
            self.s.store.set_status(self.id, "done", ("running", "paused"))
        await self.report()

    async def watch(self) -> None:
        """Follow pause / resume / cancel from the database (any worker or the CLI may change it); renew the lease."""
        renewed = reported = time.monotonic()
        while not self.stopping:
            row = self.s.store.get(self.id)
            self.status = row["status"] if row else "gone"
            if time.monotonic() - renewed > self.s.config.lease_s / 3:
                self.lost = not self.s.store.claim(self.id, self.s.owner, self.s.config.lease_s)
                renewed = time.monotonic()
            if time.monotonic() - reported >= self.s.config.progress_every_s and (
                    self.reporting is None or self.reporting.done()):
                # In its own task: an edit held back by the group's pace must not delay noticing a pause.
                self.reporting = asyncio.create_task(self.report())
                reported = time.monotonic()
            await asyncio.sleep(self.s.config.check_every_s)

    async def feed(self) -> None:
        """Hand due rows to the workers in list order; come back for retries until nothing is open."""
        after = 0
        while not self.stopping:
            if self.status == "paused":
                await asyncio.sleep(self.s.config.check_every_s)
                continue
            rows = self.s.store.due(self.id, after, self.s.config.concurrency * 4)
            for row in rows:
                await self.queue.put(row)
                after = row["id"]
            if rows:
                continue
            await self.queue.join()  # every handed-out row is settled before deciding what is left
            if self.stopping or self.s.store.open_rows(self.id) == 0:
                return
            after = 0  # only rows waiting for a retry remain
            retry_at = self.s.store.next_retry_at(self.id) or time.time()
            await asyncio.sleep(min(max(retry_at - time.time(), 0.05), self.s.config.check_every_s))

    async def work(self) -> None:
        """Send rows from the queue one at a time."""
        while True:
            row = await self.queue.get()
            try:
                await self.deliver(row)
            except Exception as exc:  # a bug must not stop the other workers; the row stays where it was
                log.error("broadcast %s: a send failed unexpectedly: %s", self.id, type(exc).__name__)
            finally:
                self.queue.task_done()

    async def deliver(self, row: dict) -> None:
        """Wait for the budget, mark the row `sending`, send, record the outcome."""
        while self.status == "paused" and not self.stopping:
            await asyncio.sleep(self.s.config.check_every_s)
        while time.monotonic() < self.resume_at:
            await asyncio.sleep(self.resume_at - time.monotonic())
        if self.stopping:
            return
        lang = row["lang"]
        async with self.s.budget.slot(Priority.BULK):
            if self.stopping or self.status == "paused" or not self.s.store.start_sending(row["id"]):
                return  # cancelled while waiting, or the person withdrew / was forgotten meanwhile
            try:
                await self.s.transport.send(row["user_id"], self.draft.text_for(lang), self.draft.button_for(lang))
            except Exception as exc:
                self.settle_failure(row, exc)
                return
        self.s.store.settle(row["id"], "sent")
        self.s._sent_times.append(time.monotonic())

    def settle_failure(self, row: dict, error: Exception) -> None:
        """Record why a send did not go through; retry later only where that can help."""
        if isinstance(error, Unreachable):
            self.s.store.settle(row["id"], "blocked", "forbidden")
        elif isinstance(error, RetryLater):
            self.resume_at = max(self.resume_at, time.monotonic() + error.seconds)
            self.s.store.give_back(row["id"])
        elif isinstance(error, Unknown):
            self.s.store.settle(row["id"], "uncertain", "timeout")
        elif row["attempts"] + 1 >= self.s.config.max_attempts:
            self.s.store.settle(row["id"], "failed", type(error).__name__[:40])
        else:
            delay = self.s.config.backoff_s * 2 ** row["attempts"]
            self.s.store.settle(row["id"], "pending", type(error).__name__[:40], time.time() + delay)

    async def report(self) -> None:
        """Tell the adapter how far it got; a failure to show it never stops the sending."""
        progress = self.s.store.progress(self.id, self.s.rate())
        if self.s.on_progress is not None and progress is not None:
            try:
                await self.s.on_progress(progress)
            except Exception as exc:
                log.warning("broadcast %s: could not show progress: %s", self.id, type(exc).__name__)
