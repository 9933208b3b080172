"""In-memory Telegram state shared by the HTTP threads, the test and the fake users."""

from __future__ import annotations

import copy
import itertools
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .params import ApiError, bad_request
from .ratelimit import RateLimiter, RateLimits

# Every update type a bot can receive; the key of the payload inside an Update.
UPDATE_KINDS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "callback_query",
    "inline_query",
    "chosen_inline_result",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "message_reaction",
    "message_reaction_count",
    "poll",
    "poll_answer",
    "shipping_query",
    "pre_checkout_query",
)

# Methods whose success delivers a message to a chat, so flood control counts them.
COUNTED_METHODS = frozenset(
    "sendmessage copymessage forwardmessage sendphoto senddocument sendsticker "
    "editmessagetext editmessagereplymarkup editmessagecaption".split()
)


@dataclass
class Call:
    """One request the bot made, successful or not."""

    method: str
    params: dict[str, Any]
    time: float
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)
    client: str = ""  # the name in the URL the bot was given (FakeBotApi.url_via), to tell processes apart

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return self.response.get("result")


@dataclass
class StoredFile:
    """Bytes behind a file_id, served by getFile and the /file/ route."""

    file_id: str
    content: bytes
    filename: str = "file"
    mime_type: str = "application/octet-stream"


class Store:
    """All mutable state; every access holds `lock`, and `changed` is notified on each change."""

    def __init__(self, bot_user: dict[str, Any], rate_limits: RateLimits) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.bot = bot_user
        self.limiter = RateLimiter(rate_limits)
        self.closed = False
        self.chats: dict[int, dict[str, Any]] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.blocked: set[int] = set()
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        # Each chat's message ids, so that looking at one chat does not scan every chat's messages (a load test
        # looks at hundreds of chats twice a second while the bot is being measured).
        self.chat_message_ids: dict[int, list[int]] = defaultdict(list)
        self.updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(100_001)
        self.allowed_updates: list[str] | None = None
        self.poll_generation = 0
        self.log: list[Call] = []
        self.deliveries: list[tuple[bool, dict[str, Any]]] = []  # (is_edit, snapshot), in order
        self.fetched_up_to = 0  # highest update_id getUpdates has returned
        self.callbacks: dict[str, dict[str, Any]] = {}  # id -> {"query", "answer"}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}  # (kind, language) -> description / name
        self.webhook: dict[str, Any] = {}
        self.http_webhook_ok = False  # tests that push to 127.0.0.1 over plain http set this
        self.files: dict[str, StoredFile] = {}
        self._file_ids = itertools.count(1)
        self.injected: list[tuple[str, ApiError]] = []

    # --- chats and messages -------------------------------------------------

    def add_chat(self, chat: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.chats[chat["id"]] = dict(chat)
            return chat

    def chat(self, chat_id: int | str | None) -> dict[str, Any]:
        """Resolve a chat_id (number or @username) or fail like Telegram."""
        if chat_id in (None, ""):
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self.chats.values():
                if chat.get("username", "").lower() == chat_id[1:].lower():
                    return chat
            raise bad_request("chat not found")
        try:
            found = self.chats.get(int(chat_id))
        except ValueError:
            found = None
        if found is None:
            raise bad_request("chat not found")
        if found["type"] == "private" and found["id"] in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return found

    def new_message(self, chat: dict[str, Any], sender: dict[str, Any], **content: Any) -> dict[str, Any]:
        """Store a message with the next id of its chat and return it (the stored dict)."""
        with self.lock:
            message_id = next(self._message_ids[chat["id"]])
            message = {"message_id": message_id, "from": dict(sender), "chat": dict(chat)}
            message["date"] = int(time.time())
            message.update({k: v for k, v in content.items() if v is not None})
            self.messages[(chat["id"], message_id)] = message
            self.chat_message_ids[chat["id"]].append(message_id)
            self.changed.notify_all()
            return message

    def message(self, chat_id: int, message_id: int | None) -> dict[str, Any] | None:
        with self.lock:
            return self.messages.get((chat_id, message_id or 0))

    def reply_snapshot(self, chat_id: int, message_id: int | None) -> dict[str, Any] | None:
        """What Telegram embeds as reply_to_message: the message without its own reply."""
        found = self.message(chat_id, message_id)
        if found is None:
            return None
        snapshot = copy.deepcopy(found)
        snapshot.pop("reply_to_message", None)
        return snapshot

    def log_delivery(self, message: dict[str, Any], edited: bool = False) -> None:
        with self.lock:
            self.deliveries.append((edited, copy.deepcopy(message)))
            self.limiter.record(message["chat"]["id"])
            self.changed.notify_all()

    def check_flood(self, method: str, chat: dict[str, Any]) -> None:
        if method.lower() in COUNTED_METHODS:
            self.limiter.check(chat["id"], chat["type"] in ("group", "supergroup"))

    # --- updates -----------------------------------------------------------

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates; update_id grows by one each time."""
        with self.lock:
            update = {"update_id": next(self._update_ids), kind: copy.deepcopy(payload)}
            self.updates.append(update)
            self.changed.notify_all()
            return update

    def confirm(self, offset: int) -> None:
        """Apply getUpdates offset semantics: confirm below offset, or keep the last -offset."""
        with self.lock:
            if offset > 0:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            elif offset < 0:
                self.updates = self.updates[offset:]

    def deliverable(self, limit: int) -> list[dict[str, Any]]:
        """Pending updates the bot asked for; others are dropped as Telegram never sends them."""
        with self.lock:
            if self.allowed_updates:
                self.updates = [u for u in self.updates if _kind(u) in self.allowed_updates]
            batch = copy.deepcopy(self.updates[:limit])
            if batch:
                self.fetched_up_to = max(self.fetched_up_to, batch[-1]["update_id"])
            return batch

    # --- files -------------------------------------------------------------

    def add_file(self, content: bytes, filename: str, mime_type: str, kind: str) -> StoredFile:
        with self.lock:
            file_id = f"FAKE{kind.upper()}-{next(self._file_ids):06d}"
            stored = StoredFile(file_id, content, filename, mime_type)
            self.files[file_id] = stored
            return stored

    # --- recording ---------------------------------------------------------

    def record(self, call: Call) -> None:
        with self.lock:
            self.log.append(call)
            self.changed.notify_all()

    def take_injected(self, method: str) -> ApiError | None:
        """Pop the first injected failure for this method, if any."""
        with self.lock:
            for index, (name, error) in enumerate(self.injected):
                if name.lower() == method.lower():
                    del self.injected[index]
                    return error
            return None


def _kind(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")
