"""Bot API methods about the bot itself: identity, updates, webhook, commands, files."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from .params import ApiError, Params, bad_request
from .registry import Context, method

MAX_POLL_TIMEOUT = 50  # Telegram caps long polling at 50 s
SCOPE_TYPES = frozenset(
    "default all_private_chats all_group_chats all_chat_administrators chat chat_administrators chat_member".split()
)
# setMy<X> parameter name, its maximum length, and the result key of getMy<X>.
BOT_TEXTS = {"description": 512, "short_description": 120, "name": 64}


@method("getMe")
def get_me(ctx: Context, p: Params) -> dict[str, Any]:
    return dict(ctx.bot_info)


@method("logOut", "close")
def log_out(ctx: Context, p: Params) -> bool:
    return True


@method("getUpdates")
def get_updates(ctx: Context, p: Params) -> list[dict[str, Any]]:
    store = ctx.store
    if store.webhook.get("url"):
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    limit = min(max(p.get_int("limit", 100) or 100, 1), 100)
    timeout = min(max(p.get_int("timeout", 0) or 0, 0), MAX_POLL_TIMEOUT)
    allowed = p.get_json("allowed_updates", what="allowed updates")
    if isinstance(allowed, list):
        store.allowed_updates = allowed  # persists across calls, as in Telegram
    store.poll_generation += 1
    generation = store.poll_generation
    store.changed.notify_all()  # a newer poll terminates the older one (409 below)
    store.confirm(p.get_int("offset", 0) or 0)
    deadline = time.monotonic() + timeout
    while True:
        if generation != store.poll_generation:
            raise ApiError(
                409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
            )
        batch = store.deliverable(limit)
        remaining = deadline - time.monotonic()
        if batch or remaining <= 0 or store.closed:
            return batch
        store.changed.wait(remaining)  # releases the state lock while waiting


@method("setWebhook")
def set_webhook(ctx: Context, p: Params) -> bool:
    url = p.get_str("url") or ""
    if url and not url.lower().startswith("https://") and not ctx.store.http_webhook_ok:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if not url:
        ctx.store.webhook.clear()  # an empty URL removes the webhook
        return True
    ctx.store.webhook = {
        "url": url,
        "max_connections": p.get_int("max_connections", 40),
        "allowed_updates": p.get_json("allowed_updates", what="allowed updates"),
        "secret_token": p.get_str("secret_token"),
    }
    if p.get_bool("drop_pending_updates"):
        ctx.store.updates.clear()
    return True


@method("deleteWebhook")
def delete_webhook(ctx: Context, p: Params) -> bool:
    ctx.store.webhook.clear()
    if p.get_bool("drop_pending_updates"):
        ctx.store.updates.clear()
    return True


@method("getWebhookInfo")
def get_webhook_info(ctx: Context, p: Params) -> dict[str, Any]:
    hook = ctx.store.webhook
    info: dict[str, Any] = {
        "url": hook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(ctx.store.updates),
    }
    if hook.get("url"):
        info["max_connections"] = hook["max_connections"]
        if hook.get("allowed_updates") is not None:
            info["allowed_updates"] = hook["allowed_updates"]
    return info


def _commands_key(p: Params) -> tuple[str, str]:
    """(canonical scope JSON, language_code): the slot setMyCommands writes to."""
    scope = p.get_json("scope", {"type": "default"}, what="bot command scope")
    if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
        raise bad_request("unsupported bot command scope type")
    language = p.get_str("language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


def scope_key(scope: dict[str, Any] | None) -> str:
    """Canonical form of a scope dict, as used in Store.commands keys."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


@method("setMyCommands")
def set_my_commands(ctx: Context, p: Params) -> bool:
    key = _commands_key(p)
    commands = p.get_json("commands", [], what="bot commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    checked = []
    for command in commands:
        if not isinstance(command, dict) or "command" not in command:
            raise bad_request("can't parse BotCommand: Can't find field \"command\"")
        if "description" not in command:
            raise bad_request("can't parse BotCommand: Can't find field \"description\"")
        if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command["command"])):
            raise bad_request("BOT_COMMAND_INVALID")
        description = str(command["description"]).strip()
        if not description:
            raise bad_request("command description must be non-empty")
        if len(description) > 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        checked.append({"command": command["command"], "description": description})
    ctx.store.commands[key] = checked
    return True


@method("getMyCommands")
def get_my_commands(ctx: Context, p: Params) -> list[dict[str, Any]]:
    return list(ctx.store.commands.get(_commands_key(p), []))


@method("deleteMyCommands")
def delete_my_commands(ctx: Context, p: Params) -> bool:
    ctx.store.commands.pop(_commands_key(p), None)
    return True


def _bot_text(ctx: Context, p: Params, kind: str, set_it: bool) -> Any:
    language = p.get_str("language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    if not set_it:
        return {kind: ctx.store.bot_texts.get((kind, language), "")}
    value = p.get_str(kind) or ""
    if len(value) > BOT_TEXTS[kind]:
        raise bad_request(f"bot {kind.replace('_', ' ')} is too long")
    ctx.store.bot_texts[(kind, language)] = value
    return True


for _kind in BOT_TEXTS:
    _camel = "".join(part.title() for part in _kind.split("_"))
    method(f"setMy{_camel}")(lambda ctx, p, kind=_kind: _bot_text(ctx, p, kind, True))
    method(f"getMy{_camel}")(lambda ctx, p, kind=_kind: _bot_text(ctx, p, kind, False))


@method("getFile")
def get_file(ctx: Context, p: Params) -> dict[str, Any]:
    stored = ctx.store.files.get(p.get_str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": f"U{stored.file_id}",
        "file_size": len(stored.content),
        "file_path": f"files/{stored.file_id}",
    }


@method("getChat")
def get_chat(ctx: Context, p: Params) -> dict[str, Any]:
    chat = dict(ctx.store.chat(p.raw.get("chat_id")))
    chat.update(
        accent_color_id=0,
        max_reaction_count=11,
        accepted_gift_types={
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
        },
    )
    return chat
