"""Read-only views of the fake's state and waiting helpers, mixed into FakeBotApi."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from typing import Any, TypeVar

from .botmethods import scope_key
from .store import Call, Store

T = TypeVar("T")


class Inspection:
    """Assertion helpers; all results are deep copies, safe to keep and mutate."""

    store: Store

    def calls(self, method: str | None = None) -> list[Call]:
        """Every request the bot made (optionally only one method, case-insensitive), in order."""
        with self.store.lock:
            return [c for c in self.store.log if method is None or c.method.lower() == method.lower()]

    def sent(self, chat_id: int | None = None, include_edits: bool = False) -> list[dict[str, Any]]:
        """Bot messages as they were when delivered (plus a snapshot per edit if asked), in order."""
        with self.store.lock:
            return [
                copy.deepcopy(m)
                for edited, m in self.store.deliveries
                if (include_edits or not edited) and (chat_id is None or m["chat"]["id"] == chat_id)
            ]

    def edits(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Snapshots taken after each successful edit, in order."""
        with self.store.lock:
            return [
                copy.deepcopy(m)
                for edited, m in self.store.deliveries
                if edited and (chat_id is None or m["chat"]["id"] == chat_id)
            ]

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Current state of every message (users' and bot's) still in the chat, by message_id."""
        with self.store.lock:
            ids = self.store.chat_message_ids.get(chat_id, [])
            found = [m for m in (self.store.messages.get((chat_id, i)) for i in ids) if m is not None]
            return copy.deepcopy(sorted(found, key=lambda m: m["message_id"]))

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Current state (after edits, without deleted ones) of the bot's messages in a chat."""
        return [m for m in self.messages(chat_id) if m["from"]["id"] == self.store.bot["id"]]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """Current state of one message, or None if it does not exist (any more)."""
        with self.store.lock:
            return copy.deepcopy(self.store.message(chat_id, message_id))

    def commands(self, language_code: str = "", scope: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Commands stored by setMyCommands for exactly this scope and language."""
        with self.store.lock:
            return copy.deepcopy(self.store.commands.get((scope_key(scope), language_code), []))

    @property
    def webhook(self) -> dict[str, Any]:
        """What setWebhook stored ({} when no webhook is set)."""
        with self.store.lock:
            return dict(self.store.webhook)

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by a getUpdates offset."""
        with self.store.lock:
            return copy.deepcopy(self.store.updates)

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """Parameters of answerCallbackQuery for this query, or None if unanswered."""
        with self.store.lock:
            entry = self.store.callbacks.get(query_id)
            return copy.deepcopy(entry["answer"]) if entry else None

    def unanswered_callbacks(self) -> list[dict[str, Any]]:
        """Callback queries the bot never answered (the user's button keeps spinning)."""
        with self.store.lock:
            return [copy.deepcopy(e["query"]) for e in self.store.callbacks.values() if e["answer"] is None]

    def busiest_window(self, seconds: float = 1.0) -> int:
        """The most messages the bot delivered within any `seconds`-long window (what Telegram's flood limit counts)."""
        with self.store.lock:
            times = list(self.store.limiter.delivered)
        most, start = 0, 0
        for end, moment in enumerate(times):
            while moment - times[start] >= seconds:
                start += 1
            most = max(most, end - start + 1)
        return most

    @property
    def rate_refusals(self) -> int:
        """429s the flood limits answered (a bot that keeps to its pace causes none)."""
        with self.store.lock:
            return self.store.limiter.refusals

    # --- waiting -----------------------------------------------------------

    def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0, what: str = "condition") -> T:
        """Block the calling thread until predicate() is truthy; only for bots on another thread."""
        deadline = time.monotonic() + timeout
        with self.store.changed:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
                self.store.changed.wait(min(remaining, 0.1))

    async def await_for(self, predicate: Callable[[], T], timeout: float = 5.0, what: str = "condition") -> T:
        """Poll predicate() without blocking the event loop the bot runs on."""
        deadline = time.monotonic() + timeout
        while True:
            with self.store.lock:
                value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            await asyncio.sleep(0.01)

    def _enough(self, chat_id: int, count: int) -> list[dict[str, Any]] | None:
        sent = self.sent(chat_id)
        return sent if len(sent) >= count else None

    def _describe(self, chat_id: int, count: int) -> str:
        texts = [m.get("text", m.get("caption", "<media>")) for m in self.sent(chat_id)]
        return f"{count} bot message(s) in chat {chat_id}; got {len(texts)}: {texts!r}"

    def wait_messages(self, chat_id: int, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Blocking: until the bot has sent `count` messages to the chat; returns them as sent."""
        try:
            return self.wait_for(lambda: self._enough(chat_id, count), timeout)
        except AssertionError:
            raise AssertionError(f"timed out after {timeout}s waiting for {self._describe(chat_id, count)}") from None

    async def await_messages(self, chat_id: int, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Async: until the bot has sent `count` messages to the chat; returns them as sent."""
        try:
            return await self.await_for(lambda: self._enough(chat_id, count), timeout)
        except AssertionError:
            raise AssertionError(f"timed out after {timeout}s waiting for {self._describe(chat_id, count)}") from None

    async def await_idle(self, quiet: float = 0.3, timeout: float = 5.0) -> None:
        """Until every update was fetched and the bot made no call for `quiet` seconds.

        Use it before asserting that the bot did *not* answer something.
        """

        def settled() -> bool:
            fetched = not self.store.updates or self.store.fetched_up_to >= self.store.updates[-1]["update_id"]
            others = [c for c in self.store.log if c.method.lower() != "getupdates"]
            last = others[-1].time if others else 0.0
            return fetched and time.time() - last >= quiet

        await self.await_for(settled, timeout, what="the bot to go idle")
