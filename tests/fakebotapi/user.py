"""Act as Telegram users: their messages and button presses become updates for getUpdates."""

from __future__ import annotations

import copy
import itertools
import re
import time
from typing import TYPE_CHECKING, Any

from .html_check import utf16_len

if TYPE_CHECKING:
    from .server import FakeBotApi

# Patterns after tdlib's match_bot_commands / match_mentions / URL finder (simplified).
_COMMAND = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")
_MENTION = re.compile(r"(?<!\w)@[A-Za-z0-9_]{2,32}(?!\w)")
_URL = re.compile(r"(?<![\w@/])(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]']")
_HASHTAG = re.compile(r"(?<![\w#])#\w*[^\W\d_]\w*")
_QUERY_IDS = itertools.count(4_242_000_000_000_000_001)
_GROUP_IDS = itertools.count(1)

MessageRef = Any  # a message dict from the server, or a PTB Message


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram adds to a user's plain text: bot_command, mention, url, hashtag."""
    found = []
    for kind, pattern in (("bot_command", _COMMAND), ("mention", _MENTION), ("url", _URL), ("hashtag", _HASHTAG)):
        for match in pattern.finditer(text):
            found.append({"type": kind, "offset": utf16_len(text[: match.start()]), "length": utf16_len(match.group())})
    return sorted(found, key=lambda e: e["offset"])


def make_group(
    server: FakeBotApi, title: str = "Test group", chat_id: int | None = None, kind: str = "supergroup"
) -> dict[str, Any]:
    """Register a group chat the bot is a member of; supergroup ids look like -100xxxxxxxxxx."""
    if chat_id is None:
        base = -1_001_000_000_000 if kind == "supergroup" else -4_000_000_000
        chat_id = base - next(_GROUP_IDS)
    return copy.deepcopy(server.store.add_chat({"id": chat_id, "type": kind, "title": title}))


def _ref(message: MessageRef) -> tuple[int, int]:
    """(chat_id, message_id) of a message dict or a PTB Message."""
    if isinstance(message, dict):
        return message["chat"]["id"], message["message_id"]
    return message.chat_id, message.message_id


class FakeUser:
    """A human user; creating one registers their private chat (they have started the bot)."""

    def __init__(
        self,
        server: FakeBotApi,
        user_id: int,
        first_name: str,
        language_code: str | None = "fr",
        username: str | None = None,
        last_name: str | None = None,
    ) -> None:
        self.server = server
        self.id = user_id
        self.user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        extra = {"last_name": last_name, "username": username, "language_code": language_code}
        self.user.update({k: v for k, v in extra.items() if v is not None})
        self.chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        self.chat.update({k: v for k, v in (("last_name", last_name), ("username", username)) if v})
        with server.store.lock:
            server.store.users[user_id] = self.user
            server.store.add_chat(self.chat)

    # --- sending -----------------------------------------------------------

    def _post(self, chat: dict[str, Any] | None, **content: Any) -> dict[str, Any]:
        """Store the message and queue it, unless group privacy mode hides it from the bot."""
        store = self.server.store
        with store.lock:
            message = store.new_message(chat or self.chat, self.user, **content)
            if self._visible(message):
                store.push_update("message", message)
            return copy.deepcopy(message)

    def _visible(self, message: dict[str, Any]) -> bool:
        """BotFather privacy mode: in groups only commands, @mentions and replies to the bot."""
        if message["chat"]["type"] == "private" or not self.server.group_privacy:
            return True
        text = message.get("text") or message.get("caption") or ""
        bot = f"@{self.server.bot_username}".lower()
        if text.startswith("/"):
            command = text.split()[0].lower()
            return "@" not in command or command.endswith(bot)
        replied = message.get("reply_to_message") or {}
        mentioned = any(
            e["type"] == "mention" and text[e["offset"] : e["offset"] + e["length"]].lower() == bot
            for e in message.get("entities", [])
        )
        return mentioned or replied.get("from", {}).get("id") == self.server.bot_id

    def send_text(
        self, text: str, chat: dict[str, Any] | None = None, *, reply_to: MessageRef | None = None
    ) -> dict[str, Any]:
        """Send a text message; commands, mentions, URLs and hashtags get their entities."""
        reply = None
        if reply_to is not None:
            reply = self.server.store.reply_snapshot(*_ref(reply_to))
        return self._post(chat, text=text, entities=detect_entities(text) or None, reply_to_message=reply)

    def send_command(
        self, command: str, args: str = "", chat: dict[str, Any] | None = None, *, mention_bot: bool = False
    ) -> dict[str, Any]:
        """Send /command [args]; mention_bot appends @botusername as group members do."""
        command = command if command.startswith("/") else f"/{command}"
        if mention_bot:
            command = f"{command}@{self.server.bot_username}"
        return self.send_text(f"{command} {args}".strip(), chat)

    def reply_to(self, message: MessageRef, text: str) -> dict[str, Any]:
        """Reply in the message's chat (Telegram clients reply in the same chat)."""
        chat_id, _ = _ref(message)
        return self.send_text(text, self.server.store.chats[chat_id], reply_to=message)

    def send_sticker(self, chat: dict[str, Any] | None = None, emoji: str = "👍") -> dict[str, Any]:
        stored = self.server.store.add_file(b"RIFF-fake-webp", "sticker.webp", "image/webp", "sticker")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": f"U{stored.file_id}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._post(chat, sticker=sticker)

    def send_photo(
        self, chat: dict[str, Any] | None = None, caption: str | None = None, content: bytes = b"\x89PNG fake"
    ) -> dict[str, Any]:
        stored = self.server.store.add_file(content, "photo.jpg", "image/jpeg", "photo")
        size = {"file_id": stored.file_id, "file_unique_id": f"U{stored.file_id}", "file_size": len(content)}
        photo = [{**size, "width": 90, "height": 90}, {**size, "width": 1280, "height": 960}]
        entities = detect_entities(caption) if caption else None
        return self._post(chat, photo=photo, caption=caption, caption_entities=entities or None)

    def send_document(
        self,
        filename: str = "document.pdf",
        content: bytes = b"%PDF-1.4 fake",
        chat: dict[str, Any] | None = None,
        caption: str | None = None,
        mime_type: str = "application/pdf",
    ) -> dict[str, Any]:
        """Send a file; the bot can getFile it and download the same bytes."""
        stored = self.server.store.add_file(content, filename, mime_type, "document")
        document = {
            "file_id": stored.file_id,
            "file_unique_id": f"U{stored.file_id}",
            "file_name": filename,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        return self._post(chat, document=document, caption=caption)

    def edit(self, message: MessageRef, text: str) -> dict[str, Any]:
        """Edit one of this user's messages; the bot gets an edited_message update."""
        store = self.server.store
        with store.lock:
            stored = store.message(*_ref(message))
            if stored is None or stored["from"]["id"] != self.id:
                raise LookupError("can only edit an existing message of this user")
            stored.update(text=text, edit_date=int(time.time()))
            stored.pop("entities", None)
            if detect_entities(text):
                stored["entities"] = detect_entities(text)
            if self._visible(stored):
                store.push_update("edited_message", stored)
            return copy.deepcopy(stored)

    # --- buttons -----------------------------------------------------------

    def press(self, button: str, message: MessageRef) -> dict[str, Any]:
        """Press an inline button (by text or callback_data) on the bot message's current keyboard."""
        with self.server.store.lock:
            current = self._current(message)
            rows = (current.get("reply_markup") or {}).get("inline_keyboard", [])
            buttons = [b for row in rows for b in row]
            found = next((b for b in buttons if button in (b["text"], b.get("callback_data"))), None)
            if found is None:
                raise LookupError(f"no button {button!r}; keyboard has {[b['text'] for b in buttons]!r}")
            if "callback_data" not in found:
                raise ValueError(f"button {found['text']!r} is not a callback button: {found!r}")
            return self._callback(current, found["callback_data"])

    def forge_press(self, data: str, message: MessageRef) -> dict[str, Any]:
        """A callback query with data no button carries, as a modified client could send."""
        with self.server.store.lock:
            return self._callback(self._current(message), data)

    def _current(self, message: MessageRef) -> dict[str, Any]:
        """The message as the server holds it now (the store lock is held by the caller)."""
        current = self.server.store.message(*_ref(message))
        if current is None:
            raise LookupError(f"message {_ref(message)} does not exist (any more)")
        return current

    def _callback(self, current: dict[str, Any], data: str) -> dict[str, Any]:
        """Queue a callback_query update for a message (the store lock is held by the caller)."""
        store = self.server.store
        query = {
            "id": str(next(_QUERY_IDS)),
            "from": dict(self.user),
            "message": copy.deepcopy(current),
            "chat_instance": str(abs(current["chat"]["id"]) * 7919 % 2**62),
            "data": data,
        }
        store.callbacks[query["id"]] = {"query": copy.deepcopy(query), "answer": None}
        store.push_update("callback_query", query)
        return query

    # --- relationship with the bot -----------------------------------------

    def block_bot(self) -> None:
        """From now on the bot's sends to this user fail with 403."""
        self.server.block(self.id)

    def unblock_bot(self) -> None:
        self.server.block(self.id, blocked=False)
