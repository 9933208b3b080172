"""Bot API methods that create, change or remove messages in chats."""

from __future__ import annotations

import copy
import time
from typing import Any

from .markup import MAX_CAPTION, MAX_TEXT, check_length, formatted_text, reply_markup
from .params import Params, bad_request
from .registry import Context, method
from .store import Store

# Message fields that make up its content, kept by copyMessage / forwardMessage.
CONTENT_KEYS = ("text", "entities", "caption", "caption_entities", "photo", "document", "sticker")
CHAT_ACTIONS = frozenset(
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
    "choose_sticker find_location record_video_note upload_video_note".split()
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)


def _text(ctx: Context, p: Params, key: str = "text", mode_key: str = "parse_mode") -> Any:
    entities_key = "entities" if key == "text" else f"{key}_entities"
    return formatted_text(p, text_key=key, mode_key=mode_key, entities_key=entities_key, strict_html=ctx.strict_html)


def _reply_to(store: Store, chat: dict[str, Any], p: Params) -> dict[str, Any] | None:
    """Resolve reply_parameters (or the legacy reply_to_message_id) to the embedded message."""
    params = p.get_json("reply_parameters", what="reply parameters")
    if params is None:
        message_id = p.get_int("reply_to_message_id")
        if message_id is None:
            return None
        params = {"message_id": message_id, "allow_sending_without_reply": p.get_bool("allow_sending_without_reply")}
    if not isinstance(params, dict) or "message_id" not in params:
        raise bad_request("can't parse reply parameters JSON object")
    target = chat if params.get("chat_id") in (None, chat["id"]) else store.chat(params["chat_id"])
    snapshot = store.reply_snapshot(target["id"], int(params["message_id"]))
    if snapshot is None and not params.get("allow_sending_without_reply"):
        raise bad_request("message to be replied not found")
    return snapshot if target is chat else None  # replies across chats are not modelled


def _own_message(ctx: Context, p: Params, not_found: str) -> dict[str, Any]:
    """The bot's message addressed by chat_id + message_id, or Telegram's refusal."""
    if "inline_message_id" in p:
        raise bad_request("MESSAGE_ID_INVALID")  # inline-mode messages are not modelled
    chat = ctx.store.chat(p.raw.get("chat_id"))
    message_id = p.get_int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = ctx.store.message(chat["id"], message_id)
    if message is None:
        raise bad_request(not_found)
    if message["from"]["id"] != ctx.store.bot["id"]:
        raise bad_request("message can't be edited")
    return message


def _deliver(ctx: Context, p: Params, chat: dict[str, Any], name: str, **content: Any) -> dict[str, Any]:
    """Common tail of every send: keyboard, reply, flood control, storage, log."""
    markup = reply_markup(p)
    reply = _reply_to(ctx.store, chat, p)
    ctx.store.check_flood(name, chat)
    message = ctx.store.new_message(chat, ctx.store.bot, reply_markup=markup, reply_to_message=reply, **content)
    ctx.store.log_delivery(message)
    return message


@method("sendMessage")
def send_message(ctx: Context, p: Params) -> dict[str, Any]:
    chat = ctx.store.chat(p.raw.get("chat_id"))
    parsed = _text(ctx, p)
    check_length(parsed, limit=MAX_TEXT, empty="message text is empty", too_long="message is too long")
    return _deliver(ctx, p, chat, "sendMessage", text=parsed.text, entities=parsed.entities or None)


def _media(ctx: Context, p: Params, kind: str) -> dict[str, Any]:
    """Turn an upload, attach:// reference, file_id or URL into the message's media field."""
    value = p.raw.get(kind)
    if isinstance(value, str) and value.startswith("attach://"):
        value = p.raw.get(value[len("attach://") :])
    if value in (None, ""):
        raise bad_request(f"there is no {kind} in the request")
    store = ctx.store
    if isinstance(value, str):
        if value in store.files:
            stored = store.files[value]
        elif value.startswith(("http://", "https://")):
            stored = store.add_file(b"downloaded by Telegram", value.rsplit("/", 1)[-1] or "file", "", kind)
        else:
            raise bad_request("wrong file identifier/HTTP URL specified")
    else:
        stored = store.add_file(value.content, value.filename, value.content_type, kind)
    base = {"file_id": stored.file_id, "file_unique_id": f"U{stored.file_id}", "file_size": len(stored.content)}
    if kind == "photo":
        return {"photo": [{**base, "width": 90, "height": 90}, {**base, "width": 800, "height": 800}]}
    if kind == "sticker":
        return {
            "sticker": {**base, "type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False}
        }
    return {
        "document": {**base, "file_name": stored.filename, "mime_type": stored.mime_type or "application/octet-stream"}
    }


def _send_media(ctx: Context, p: Params, kind: str, name: str) -> dict[str, Any]:
    chat = ctx.store.chat(p.raw.get("chat_id"))
    caption = _text(ctx, p, "caption")
    check_length(caption, limit=MAX_CAPTION, empty=None, too_long="message caption is too long")
    media = _media(ctx, p, kind)
    return _deliver(
        ctx, p, chat, name, caption=caption.text or None, caption_entities=caption.entities or None, **media
    )


@method("sendPhoto")
def send_photo(ctx: Context, p: Params) -> dict[str, Any]:
    return _send_media(ctx, p, "photo", "sendPhoto")


@method("sendDocument")
def send_document(ctx: Context, p: Params) -> dict[str, Any]:
    return _send_media(ctx, p, "document", "sendDocument")


@method("sendSticker")
def send_sticker(ctx: Context, p: Params) -> dict[str, Any]:
    return _send_media(ctx, p, "sticker", "sendSticker")


def _source(ctx: Context, p: Params, not_found: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(target chat, source message) for copyMessage / forwardMessage."""
    chat = ctx.store.chat(p.raw.get("chat_id"))
    source_chat = ctx.store.chat(p.raw.get("from_chat_id"))
    source = ctx.store.message(source_chat["id"], p.get_int("message_id"))
    if source is None:
        raise bad_request(not_found)
    return chat, source


@method("copyMessage")
def copy_message(ctx: Context, p: Params) -> dict[str, Any]:
    chat, source = _source(ctx, p, "message to copy not found")
    content = {key: copy.deepcopy(source[key]) for key in CONTENT_KEYS if key in source}
    if "text" not in content and "caption" in p:
        caption = _text(ctx, p, "caption")
        check_length(caption, limit=MAX_CAPTION, empty=None, too_long="message caption is too long")
        content.update(caption=caption.text or None, caption_entities=caption.entities or None)
    message = _deliver(ctx, p, chat, "copyMessage", **content)
    return {"message_id": message["message_id"]}


@method("forwardMessage")
def forward_message(ctx: Context, p: Params) -> dict[str, Any]:
    chat, source = _source(ctx, p, "message to forward not found")
    content = {key: copy.deepcopy(source[key]) for key in CONTENT_KEYS if key in source}
    origin = {"type": "user", "sender_user": copy.deepcopy(source["from"]), "date": source["date"]}
    ctx.store.check_flood("forwardMessage", chat)
    message = ctx.store.new_message(chat, ctx.store.bot, forward_origin=origin, **content)
    ctx.store.log_delivery(message)
    return message


@method("editMessageText")
def edit_message_text(ctx: Context, p: Params) -> dict[str, Any]:
    message = _own_message(ctx, p, "message to edit not found")
    parsed = _text(ctx, p)
    check_length(parsed, limit=MAX_TEXT, empty="text must be non-empty", too_long="MESSAGE_TOO_LONG")
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    # Without reply_markup Telegram removes the inline keyboard: a classic surprise.
    return _apply_edit(
        ctx, message, {"text": parsed.text, "entities": parsed.entities or None, "reply_markup": reply_markup(p)}
    )


@method("editMessageCaption")
def edit_message_caption(ctx: Context, p: Params) -> dict[str, Any]:
    message = _own_message(ctx, p, "message to edit not found")
    caption = _text(ctx, p, "caption")
    check_length(caption, limit=MAX_CAPTION, empty=None, too_long="message caption is too long")
    if "text" in message:
        raise bad_request("there is no caption in the message to edit")
    return _apply_edit(
        ctx,
        message,
        {
            "caption": caption.text or None,
            "caption_entities": caption.entities or None,
            "reply_markup": reply_markup(p),
        },
    )


@method("editMessageReplyMarkup")
def edit_message_reply_markup(ctx: Context, p: Params) -> dict[str, Any]:
    message = _own_message(ctx, p, "message to edit not found")
    return _apply_edit(ctx, message, {"reply_markup": reply_markup(p)})


def _apply_edit(ctx: Context, message: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    if all(message.get(key) == value for key, value in fields.items()):
        raise bad_request(NOT_MODIFIED)
    ctx.store.check_flood("editMessageText", message["chat"])
    for key, value in fields.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    message["edit_date"] = int(time.time())
    ctx.store.log_delivery(message, edited=True)
    return message


@method("deleteMessage")
def delete_message(ctx: Context, p: Params) -> bool:
    chat = ctx.store.chat(p.raw.get("chat_id"))
    message_id = p.get_int("message_id")
    if ctx.store.messages.pop((chat["id"], message_id or 0), None) is None:
        raise bad_request("message to delete not found")
    ctx.store.changed.notify_all()
    return True


@method("sendChatAction")
def send_chat_action(ctx: Context, p: Params) -> bool:
    ctx.store.chat(p.raw.get("chat_id"))
    if p.get_str("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


@method("answerCallbackQuery")
def answer_callback_query(ctx: Context, p: Params) -> bool:
    entry = ctx.store.callbacks.get(p.get_str("callback_query_id") or "")
    if entry is None or entry["answer"] is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    if len(p.get_str("text") or "") > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    entry["answer"] = dict(p.raw)
    return True
