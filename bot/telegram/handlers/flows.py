"""/object, /signup, /cancel, /status, /mydata, /forget: the core's walkthrough Views as Telegram messages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot.core.flows import FlowSession, View
from bot.core.flows.session import FORGET
from bot.core.i18n import t
from bot.telegram.formatting import split_lines
from bot.telegram.services import services, user_lang

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
COMMANDS = ("object", "signup", "cancel", "status", "mydata", "forget")
LOCKS = 64  # presses of one user are handled one at a time (a double tap must not apply twice)


def keyboard(view_buttons: tuple) -> InlineKeyboardMarkup | None:
    """Rows of (label, token) as an inline keyboard; None when there are no buttons."""
    rows = [[InlineKeyboardButton(b.label, callback_data=b.action) for b in row] for row in view_buttons]
    return InlineKeyboardMarkup(rows) if rows else None


async def _edit(query: CallbackQuery, view: View) -> bool:
    """Turn the pressed message into the view; False when Telegram refuses (then a new message is sent)."""
    markup = keyboard(view.buttons)
    try:
        if view.text:
            await query.edit_message_text(view.text, reply_markup=markup, link_preview_options=NO_PREVIEW)
        else:
            await query.edit_message_reply_markup(markup)
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            return True
        log.info("could not edit a flow message: %s", type(exc).__name__)
        return False
    return True


async def show(update: Update, context: ContextTypes.DEFAULT_TYPE, views: list[View],
               query: CallbackQuery | None = None) -> None:
    """Send or edit the views in order; a button's query is answered exactly once."""
    chat_id = update.effective_chat.id
    if query is not None:
        toast = next((v.toast for v in views if v.toast), None)
        await query.answer(toast)
    for index, view in enumerate(views):
        edited = query is not None and view.edit and index == 0 and await _edit(query, view)
        if not edited and view.text:
            pieces = split_lines(view.text)
            for number, piece in enumerate(pieces):
                markup = keyboard(view.buttons) if number == len(pieces) - 1 else None
                await context.bot.send_message(chat_id, piece, reply_markup=markup, link_preview_options=NO_PREVIEW)
        for part in view.parts:
            await context.bot.send_message(chat_id, part.text, reply_markup=keyboard(part.buttons),
                                           link_preview_options=NO_PREVIEW)


def _lock(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> asyncio.Lock:
    """One of a fixed pool of locks, chosen by user id (created with the application, in its event loop)."""
    return context.application.bot_data["flow_locks"][user_id % LOCKS]


async def run(update: Update, context: ContextTypes.DEFAULT_TYPE, act: Callable[[FlowSession], list[View] | None],
              query: CallbackQuery | None = None) -> bool:
    """Run one session action for the user under their lock and show its views; False when it had none."""
    user = update.effective_user
    svc = services(context)
    async with _lock(context, user.id):
        session = FlowSession(svc.storage, svc.settings, user.id, user_lang(update, context))
        views = act(session)
        if views is None:
            return False
        await show(update, context, views, query)
    return True


async def start_object(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/object, /start object and the "object" buttons: start, resume, or ask whether to switch."""
    await run(update, context, lambda s: s.start("object"))


async def start_signup(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/signup, /start signup and the "signup" buttons."""
    await run(update, context, lambda s: s.start("signup"))


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cancel: leave the walkthrough."""
    await run(update, context, lambda s: [s.cancel()])


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/status: objection progress and sign-up."""
    await run(update, context, lambda s: [s.status()])


async def mydata(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/mydata: everything stored about the user."""
    await run(update, context, lambda s: [s.mydata()])


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/forget: ask for confirmation first (the buttons do the erasing)."""
    await run(update, context, lambda s: [s.forget_question()])


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A walkthrough, switch or forget button."""
    query = update.callback_query
    if query.data == f"{FORGET}yes" and update.effective_user:
        # Other parts of the bot keep traces outside the database (the staff group's copies): erase those first,
        # while the rows that point to them still exist.
        for hook in context.application.bot_data.get("forget_hooks", []):
            await hook(context, update.effective_user.id)
    await run(update, context, lambda s: s.press(query.data or ""), query=query)


async def text_hook(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> bool:
    """Typed text while a walkthrough waits for a button: take it as an answer or ask the step again."""
    if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE or not update.effective_user:
        return False
    return await run(update, context, lambda s: s.text(text))


async def private_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group, personal commands point to the private chat (nothing personal is shown there)."""
    await update.effective_message.reply_text(t(user_lang(update, context), "flows.private_only"))


def register(app: Application) -> None:
    """The walkthrough commands (private chats), their buttons, the starters and the text hook."""
    handlers = {"object": start_object, "signup": start_signup, "cancel": cancel, "status": status,
                "mydata": mydata, "forget": forget}
    for name in COMMANDS:
        app.add_handler(CommandHandler(name, handlers[name], filters=filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler(list(COMMANDS), private_only, filters=filters.ChatType.GROUPS))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^(fl|fs|fg):"))
    app.bot_data["flow_locks"] = [asyncio.Lock() for _ in range(LOCKS)]
    app.bot_data["start_object"] = start_object
    app.bot_data["start_signup"] = start_signup
    app.bot_data.setdefault("text_hooks", []).append(text_hook)
