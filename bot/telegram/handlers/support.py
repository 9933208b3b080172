"""Hand-off to a person, the user's side: /human, their messages copied to the staff group, their buttons."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
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
from bot.support.tickets import STAFF_LANG, Sender
from bot.telegram.handlers.support_relay import (
    close,
    close_and_tell,
    delete_staff_copies,
    handled,
    header_id,
    post_to_staff,
    purge,
    schedule_purge,
    staff_media,
    staff_reply_hook,
)
from bot.telegram.services import services, user_lang

log = logging.getLogger(__name__)


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
    topic = await svc.topics.last(update.effective_user.id)
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
    app.bot_data.setdefault("forget_hooks", []).append(delete_staff_copies)
    support_staff.load_vetted(app)
    schedule_purge(app)
