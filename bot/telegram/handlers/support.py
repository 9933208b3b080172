"""Hand-off to a person: /human, copies to the staff group, staff replies back to the user, /close."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

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


def sender_of(update: Update) -> Sender:
    """The user's names, shown to staff only with consent."""
    user = update.effective_user
    return Sender(user.first_name or "", user.last_name or "", user.username or "")


def user_keyboard(ticket_id: int, lang: str, share: bool = True) -> InlineKeyboardMarkup:
    """'Show my name to the team' (until pressed) and 'Close my request'."""
    rows = [[InlineKeyboardButton(t(lang, "support.buttons.share_name"), callback_data=f"support:name:{ticket_id}")]]
    rows = rows if share else []
    rows.append([InlineKeyboardButton(t(lang, "support.buttons.close"), callback_data=f"support:close:{ticket_id}")])
    return InlineKeyboardMarkup(rows)


async def post_to_staff(context: ContextTypes.DEFAULT_TYPE, ticket_id: int, text: str, **kwargs: Any) -> Message:
    """A message in the staff group that belongs to a ticket (a reply to it reaches the user)."""
    svc = services(context)
    sent = await context.bot.send_message(svc.settings.support_chat_id, text, **kwargs)
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


async def start_human(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Open a ticket (or point to the open one); also the 'Talk to a person' button's starter."""
    svc, lang, chat = services(context), user_lang(update, context), update.effective_chat
    if chat.type != ChatType.PRIVATE:
        await context.bot.send_message(chat.id, t(lang, "support.user.private_only"))
        return
    if svc.settings.support_chat_id is None:
        await context.bot.send_message(chat.id, t(lang, "support.user.unavailable"))
        return
    existing = svc.storage.open_ticket_of(update.effective_user.id)
    if existing:
        await context.bot.send_message(chat.id, t(lang, "support.user.already_open", ticket=existing["id"]),
                                       reply_markup=user_keyboard(existing["id"], lang, not existing["show_name"]))
        return
    purge(context)
    topic = context.user_data.get("last_topic", "") if context.user_data is not None else ""
    ticket_id = svc.storage.open_ticket(update.effective_user.id, chat.id, lang, topic)
    try:
        await header_id(context, svc.storage.ticket(ticket_id), None)
    except TelegramError as exc:  # the staff group is unreachable: do not leave the user talking to nobody
        log.warning("could not post ticket %s to the staff group: %s", ticket_id, type(exc).__name__)
        svc.storage.close_ticket(ticket_id)
        await context.bot.send_message(chat.id, t(lang, "support.user.not_now"))
        return
    svc.storage.count("ticket_opened", lang)
    log.info("ticket %s opened", ticket_id)
    await context.bot.send_message(chat.id, t(lang, "support.user.opened", ticket=ticket_id),
                                   reply_markup=user_keyboard(ticket_id, lang))


@handled
async def human(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/human."""
    await start_human(update, context)


async def copy_to_staff(update: Update, context: ContextTypes.DEFAULT_TYPE, ticket: dict[str, Any]) -> None:
    """copyMessage (not forward: it works when users hide forwards) under the ticket's header, and map it."""
    svc, message = services(context), update.effective_message
    reply_to = ReplyParameters(await header_id(context, ticket, sender_of(update)), allow_sending_without_reply=True)
    copied = await context.bot.copy_message(svc.settings.support_chat_id, message.chat_id, message.message_id,
                                            reply_parameters=reply_to)
    svc.storage.map_staff_message(svc.settings.support_chat_id, copied.message_id, ticket["id"], ticket["user_id"])
    acknowledged: set[int] = context.application.bot_data.setdefault("tickets_acknowledged", set())
    if ticket["id"] not in acknowledged:  # one confirmation per ticket, not one per message
        acknowledged.add(ticket["id"])
        await message.reply_text(t(ticket["lang"], "support.user.passed_on", ticket=ticket["id"]))


async def user_text_hook(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> bool:
    """While a user's ticket is open, their private messages go to the staff group instead of the assistant."""
    if update.effective_chat.type != ChatType.PRIVATE or services(context).settings.support_chat_id is None:
        return False
    ticket = services(context).storage.open_ticket_of(update.effective_user.id)
    if ticket is None:
        return False
    await copy_to_staff(update, context, ticket)
    return True


async def user_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Photos, documents and stickers go to the team too while a ticket is open (screenshots of Meta's replies)."""
    ticket = services(context).storage.open_ticket_of(update.effective_user.id)
    if ticket is None:
        return  # the catch-all asks for text
    await copy_to_staff(update, context, ticket)
    raise ApplicationHandlerStop


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


@handled
async def user_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'Show my name to the team' and 'Close my request', only on the user's own open ticket."""
    query, svc, lang = update.callback_query, services(context), user_lang(update, context)
    _, action, number = (query.data or "::").split(":", 2)
    ticket = svc.storage.ticket(int(number)) if number.isdigit() else None
    if ticket is None or ticket["user_id"] != update.effective_user.id or ticket["status"] != "open":
        await query.answer(t(lang, "bot.stale_button"))
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        return
    await query.answer()
    if action == "name":
        svc.storage.set_show_name(ticket["id"], True)
        await post_to_staff(context, ticket["id"], t(STAFF_LANG, "support.staff.name_shared", ticket=ticket["id"],
                                                     name=sender_of(update).label()))
        await query.edit_message_reply_markup(user_keyboard(ticket["id"], lang, share=False))
        await query.message.reply_text(t(lang, "support.user.name_shared", ticket=ticket["id"]))
    elif action == "close" and await close_and_tell(context, ticket, by_team=False):
        await query.edit_message_reply_markup(None)
        await post_to_staff(context, ticket["id"], t(STAFF_LANG, "support.staff.user_closed", ticket=ticket["id"]))


async def delete_staff_copies(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> None:
    """Before /forget erases the map: delete the bot's copies and notes of the user's tickets in the staff group."""
    for row in services(context).storage.mydata(user_id).get("ticket_messages", []):
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


def register(app: Application) -> None:
    """The hand-off and the staff tools; the text hooks run before a text is answered as a question."""
    from bot.telegram.handlers import support_staff

    settings = app.bot_data["services"].settings
    app.add_handler(CommandHandler("human", human))
    app.add_handler(CommandHandler("close", close))
    app.add_handler(CallbackQueryHandler(user_button, pattern=r"^support:(name|close):"))
    # Group -1 runs first and lets a message through when it is not part of a ticket (the catch-alls answer it).
    media = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    app.add_handler(MessageHandler(media & filters.ChatType.PRIVATE, user_media), group=-1)
    if settings.support_chat_id is not None:
        staff_replies = media & filters.Chat(settings.support_chat_id) & filters.REPLY
        app.add_handler(MessageHandler(staff_replies, staff_media), group=-1)
    support_staff.register(app)
    hooks = app.bot_data.setdefault("text_hooks", [])
    hooks += [support_staff.faq_form_hook, staff_reply_hook, user_text_hook]
    app.bot_data["start_human"] = start_human
    app.bot_data["header_lock"] = asyncio.Lock()
    # For whoever implements /forget: await each hook(context, user_id) before Storage.forget.
    app.bot_data.setdefault("forget_hooks", []).append(delete_staff_copies)
    support_staff.load_vetted(app)
    schedule_purge(app)
