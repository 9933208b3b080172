"""The staff group's side of a ticket: posting to it, staff replies back to the user, closing and purging."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes

from bot.core.i18n import t
from bot.support.tickets import STAFF_LANG, Sender, header, is_staff, staff_allowed, ticket_number
from bot.telegram.formatting import pack
from bot.telegram.services import services, user_lang

log = logging.getLogger(__name__)
PURGE_EVERY_S = 6 * 3600  # closed tickets older than the retention period go within hours of expiring
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def handled(callback: Handler) -> Handler:
    """Stop here: the catch-alls of group 1 (unknown command, stale button) must not answer as well."""

    @functools.wraps(callback)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await callback(update, context)
        raise ApplicationHandlerStop

    return wrapper


def staff_only(callback: Handler) -> Handler:
    """Staff commands: a polite refusal elsewhere, logged with the command name only."""

    @functools.wraps(callback)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat = update.effective_user, update.effective_chat
        if not staff_allowed(services(context).settings, user.id if user else None, chat.id, chat.type):
            log.info("refused the staff action %s in a %s chat", callback.__name__, chat.type)
            text = t(user_lang(update, context), "support.user.staff_only")
            if update.callback_query:
                await update.callback_query.answer(text, show_alert=True)
            else:
                await update.effective_message.reply_text(text)
            return
        await callback(update, context)

    return handled(wrapper)


async def post_to_staff(context: ContextTypes.DEFAULT_TYPE, ticket_id: int, text: str) -> Message:
    """A message in the staff group that belongs to a ticket (a reply to it reaches the user)."""
    svc = services(context)
    sent = await context.bot.send_message(svc.settings.support_chat_id, text)
    svc.storage.map_staff_message(sent.chat_id, sent.message_id, ticket_id, svc.storage.ticket(ticket_id)["user_id"])
    return sent


async def header_id(context: ContextTypes.DEFAULT_TYPE, ticket: dict[str, Any], sender: Sender | None) -> int:
    """The ticket's header message in the staff group, posted again after a restart."""
    headers: dict[int, int] = context.application.bot_data.setdefault("ticket_headers", {})
    async with context.application.bot_data["header_lock"]:  # /human and a quick first message race here
        if ticket["id"] not in headers:
            sent = await post_to_staff(context, ticket["id"], header(ticket, STAFF_LANG, sender))
            headers[ticket["id"]] = sent.message_id
    return headers[ticket["id"]]


def purge(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Drop closed tickets past the retention period (also run every few hours, see register)."""
    svc = services(context)
    svc.storage.purge_closed_tickets(svc.settings.ticket_retention_days)


async def deliver(context: ContextTypes.DEFAULT_TYPE, ticket: dict[str, Any], message: Message,
                  parts: list[str] | None = None) -> bool:
    """Send a staff reply (or a draft's parts) to the user, marked as from the team; tell the staff group."""
    svc, number = services(context), ticket["id"]
    if ticket["status"] != "open":
        await message.reply_text(t(STAFF_LANG, "support.staff.no_ticket", ticket=number))
        return False
    intro = f"<b>{escape(t(ticket['lang'], 'support.user.from_team', ticket=number))}</b>"
    body = parts if parts is not None else ([escape(message.text)] if message.text else [])
    try:
        for part in pack([intro, *body]):
            await context.bot.send_message(ticket["chat_id"], part, parse_mode=ParseMode.HTML,
                                           disable_web_page_preview=True)
        if parts is None and not message.text:
            await context.bot.copy_message(ticket["chat_id"], message.chat_id, message.message_id)
    except Forbidden:
        await message.reply_text(t(STAFF_LANG, "support.staff.undeliverable", ticket=number))
        return False
    done = await message.reply_text(t(STAFF_LANG, "support.staff.delivered", ticket=number))
    svc.storage.map_staff_message(done.chat_id, done.message_id, number, ticket["user_id"])
    return True


async def staff_reply_hook(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> bool:
    """A staff member's reply to a ticket message in the staff group goes to that ticket's user."""
    svc, message = services(context), update.effective_message
    if message.chat_id != svc.settings.support_chat_id or message.reply_to_message is None:
        return False
    if not is_staff(svc.settings, update.effective_user.id):
        return False
    ticket = svc.storage.ticket_for_staff_message(message.chat_id, message.reply_to_message.message_id)
    if ticket is None:
        return False
    await deliver(context, ticket, message)
    return True


async def staff_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A staff member's photo or document in reply to a ticket message."""
    if await staff_reply_hook(update, context, ""):
        raise ApplicationHandlerStop


async def close_and_tell(context: ContextTypes.DEFAULT_TYPE, ticket: dict[str, Any], by_team: bool) -> bool:
    """Close a ticket and tell the user; False when it was not open."""
    svc = services(context)
    if not svc.storage.close_ticket(ticket["id"]):
        return False
    context.application.bot_data.get("ticket_headers", {}).pop(ticket["id"], None)
    context.application.bot_data.get("tickets_acknowledged", set()).discard(ticket["id"])
    purge(context)
    log.info("ticket %s closed", ticket["id"])
    key = "closed_by_team" if by_team else "closed_by_you"
    with contextlib.suppress(Forbidden):  # a user who blocked the bot needs no notice
        await context.bot.send_message(ticket["chat_id"], t(ticket["lang"], f"support.user.{key}", ticket=ticket["id"]))
    return True


@staff_only
async def close(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/close as a reply to a ticket message, or /close N."""
    svc, message, lang = services(context), update.effective_message, user_lang(update, context)
    number = ticket_number(context.args or [])
    if number is None and message.reply_to_message is None:
        await message.reply_text(t(lang, "support.staff.close_usage"))
        return
    ticket = svc.storage.ticket(number) if number is not None else \
        svc.storage.ticket_for_staff_message(message.chat_id, message.reply_to_message.message_id)
    if ticket is None or not await close_and_tell(context, ticket, by_team=True):
        await message.reply_text(t(lang, "support.staff.no_ticket", ticket=number or "?"))
        return
    await message.reply_text(t(lang, "support.staff.closed", ticket=ticket["id"]))


async def delete_staff_copies(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> None:
    """Before /forget erases the map: delete the bot's copies and notes of the user's tickets in the staff group."""
    for row in services(context).storage.staff_copies(user_id):
        with contextlib.suppress(TelegramError):  # too old to delete (48 h without admin rights) or already gone
            await context.bot.delete_message(row["staff_chat_id"], row["staff_message_id"])


def schedule_purge(app: Application) -> None:
    """Purge closed tickets at start and every few hours (no JobQueue: a plain asyncio task from post_init)."""
    previous_init, previous_stop = app.post_init, app.post_stop

    async def loop() -> None:
        svc = app.bot_data["services"]
        while True:
            await asyncio.to_thread(svc.storage.purge_closed_tickets, svc.settings.ticket_retention_days)
            await asyncio.sleep(PURGE_EVERY_S)

    async def post_init(application: Application) -> None:
        if previous_init:
            await previous_init(application)
        application.bot_data["purge_task"] = asyncio.create_task(loop(), name="legalbot:ticket-purge")

    async def post_stop(application: Application) -> None:
        task = application.bot_data.pop("purge_task", None)
        if task:
            task.cancel()
        if previous_stop:
            await previous_stop(application)

    app.post_init, app.post_stop = post_init, post_stop
