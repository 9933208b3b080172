"""Validation of formatted text and reply markup, with the Bot API's error texts."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from .html_check import HtmlParseError, ParsedText, parse_html, utf16_len
from .params import Params, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def formatted_text(p: Params, *, text_key: str, mode_key: str, entities_key: str, strict_html: bool) -> ParsedText:
    """Parse text with its parse_mode (or explicit entities) and trim it as Telegram does."""
    raw = p.get_str(text_key) or ""
    mode = (p.get_str(mode_key) or "").strip().lower()
    if mode == "html":
        try:
            parsed = parse_html(raw, strict=strict_html)
        except HtmlParseError as err:
            raise bad_request(f"can't parse entities: {err}") from err
    elif mode in ("", "none"):
        entities = p.get_json(entities_key, [], what="message entities")
        parsed = ParsedText(raw, list(entities) if isinstance(entities, list) else [])
    elif mode in ("markdown", "markdownv2"):
        parsed = ParsedText(raw, [])  # accepted but not validated by this fake
    else:
        raise bad_request("unsupported parse_mode")
    return _trim(parsed)


def check_length(parsed: ParsedText, *, limit: int, empty: str | None, too_long: str) -> None:
    """Refuse empty text (if `empty` is an error text) and text over `limit` UTF-16 units."""
    if empty is not None and not parsed.text:
        raise bad_request(empty)
    if parsed.length > limit:
        raise bad_request(too_long)


def _trim(parsed: ParsedText) -> ParsedText:
    """Telegram strips surrounding whitespace; entities are shifted and clipped to match."""
    text = parsed.text
    stripped = text.strip()
    if stripped == text:
        return parsed
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    entities = []
    for entity in parsed.entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, size)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return ParsedText(stripped, entities)


def reply_markup(p: Params, key: str = "reply_markup") -> dict[str, Any] | None:
    """Validate reply_markup; return the inline keyboard to store on the message, else None."""
    markup = p.get_json(key, what="reply keyboard markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" in markup:
        return {"inline_keyboard": _inline_rows(markup["inline_keyboard"])}
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays')
        return None  # reply keyboards are shown to the user, never echoed in the Message
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return None
    raise bad_request("can't parse reply keyboard markup JSON object")


def _inline_rows(rows: Any) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays')
    return [[_inline_button(button) for button in row] for row in rows]


def _inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise bad_request("can't parse inline keyboard button: Can't find field \"text\"")
    if not isinstance(button["text"], str):
        raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    # An empty string counts as a missing field, as in Telegram.
    actions = [name for name in _ACTIONS if button.get(name) not in (None, "")]
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    result = dict(button)
    if "callback_data" in actions:
        data = button["callback_data"]
        if not isinstance(data, str) or len(data.encode("utf-8")) > MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in actions:
        result["url"] = checked_url(str(button["url"]))
    return result


def checked_url(url: str) -> str:
    """Normalise a button URL or refuse it like Telegram (no localhost, no odd schemes)."""
    raw = url.strip()
    candidate = raw if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*://", raw) else f"http://{raw}"
    parts = urlsplit(candidate)
    scheme = parts.scheme.lower()
    if scheme == "tg":
        return raw
    if scheme not in ("http", "https"):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Unsupported URL protocol")
    host = (parts.hostname or "").lower()
    if "." not in host or host.startswith("127.") or host.endswith(".localhost") or " " in raw:
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    return candidate if parts.path else candidate.replace(parts.netloc, parts.netloc + "/", 1)
