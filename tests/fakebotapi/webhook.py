"""Telegram's side of a webhook: POST pending updates to the bot's URL, one chat at a time, retrying until a 2xx."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .store import Store


@dataclass
class Delivery:
    """What happened to one update: first POST, attempts, and when a 2xx came back."""

    first_post: float
    chat: int
    attempts: int = 0
    delivered: float | None = None
    retry_at: float = 0.0


def _chat(update: dict[str, Any]) -> int:
    """The chat an update concerns: Telegram keeps one chat's updates in order."""
    body = next(value for key, value in update.items() if key != "update_id")
    return int((body.get("chat") or (body.get("message") or {}).get("chat") or body.get("from") or {}).get("id", 0))


class WebhookPusher:
    """A thread that delivers `store.updates` while a webhook is set; 2xx removes an update, anything else retries."""

    def __init__(self, store: Store, connections: int = 40, retry_delay: float = 1.0, timeout: float = 30.0) -> None:
        self.store, self.retry_delay, self.timeout = store, retry_delay, timeout
        self.pool = ThreadPoolExecutor(connections, thread_name_prefix="webhook")
        self.connections = connections
        self.deliveries: dict[int, Delivery] = {}
        self.failed_posts = 0
        self._in_flight: set[int] = set()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="webhook-pusher", daemon=True)

    def start(self) -> None:
        """Begin delivering."""
        self._thread.start()

    def stop(self) -> None:
        """Stop delivering (updates not yet delivered stay pending)."""
        with self.store.lock:
            self._stopped = True
            self.store.changed.notify_all()
        self._thread.join(timeout=5)
        self.pool.shutdown(wait=False, cancel_futures=True)

    def _ready(self, now: float) -> list[dict[str, Any]]:
        """Pending updates that may go now: the first of their chat, not in flight, not waiting for a retry."""
        seen: set[int] = set()
        ready = []
        for update in self.store.updates:
            chat = _chat(update)
            if chat in seen:
                continue
            seen.add(chat)
            delivery = self.deliveries.get(update["update_id"])
            if update["update_id"] not in self._in_flight and (delivery is None or delivery.retry_at <= now):
                ready.append(update)
        return ready[: self.connections - len(self._in_flight)]

    def _run(self) -> None:
        with self.store.lock:
            while not self._stopped:
                hook = dict(self.store.webhook)
                for update in self._ready(time.time()) if hook.get("url") else []:
                    self._in_flight.add(update["update_id"])
                    self.deliveries.setdefault(update["update_id"], Delivery(time.time(), _chat(update)))
                    self.pool.submit(self._post, hook, update)
                self.store.changed.wait(timeout=0.05)

    def _post(self, hook: dict[str, Any], update: dict[str, Any]) -> None:
        """One delivery attempt."""
        request = urllib.request.Request(
            hook["url"], data=json.dumps(update).encode(), method="POST",
            headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": hook["secret_token"] or ""},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                ok = 200 <= response.status < 300
        except (urllib.error.URLError, OSError, ValueError):
            ok = False
        with self.store.lock:
            delivery = self.deliveries[update["update_id"]]
            delivery.attempts += 1
            self._in_flight.discard(update["update_id"])
            if ok:
                delivery.delivered = time.time()
                self.store.updates = [u for u in self.store.updates if u["update_id"] != update["update_id"]]
            else:
                self.failed_posts += 1
                delivery.retry_at = time.time() + self.retry_delay
            self.store.changed.notify_all()
