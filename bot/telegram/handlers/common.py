"""/start, /help, /lang, /privacy, /feedback, and the polite answers to everything unexpected."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.core.i18n import t
from bot.core.types import LANGS
from bot.telegram.services import services, user_lang

log = logging.getLogger(__name__)
LANG_NAMES = {"en": "English", "fr": "Français", "de": "Deutsch"}
DEEP_LINKS = ("object", "signup")


def lang_keyboard() -> InlineKeyboardMarkup:
    """One button per language."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(LANG_NAMES[code], callback_data=f"lang:{code}") for code in LANGS]]
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greeting, privacy notice and language buttons; `/start object|signup` jumps into a walkthrough."""
    lang = user_lang(update, context)
    if context.args and context.args[0] in DEEP_LINKS:
        starter = context.application.bot_data.get(f"start_{context.args[0]}")
        if starter:
            await starter(update, context)
            return
    text = f"{t(lang, 'bot.start')}\n\n{t(lang, 'bot.privacy_notice')}\n\n{t(lang, 'bot.choose_lang')}"
    await update.effective_message.reply_text(text, reply_markup=lang_keyboard())


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What the bot can do."""
    await update.effective_message.reply_text(t(user_lang(update, context), "bot.help"))


async def lang_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer the language buttons."""
    await update.effective_message.reply_text(
        t(user_lang(update, context), "bot.choose_lang"), reply_markup=lang_keyboard()
    )


async def lang_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remember the language from a button press."""
    query = update.callback_query
    code = (query.data or "").split(":", 1)[1]
    if code not in LANGS:
        await stale_button(update, context)
        return
    services(context).storage.set_lang(update.effective_user.id, code)
    await query.answer()
    await query.edit_message_reply_markup(None)
    await query.message.reply_text(t(code, "bot.lang_set"))


async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What is stored, for how long, and how to see or erase it."""
    retention = services(context).settings.ticket_retention_days
    await update.effective_message.reply_text(t(user_lang(update, context), "bot.privacy", retention=retention))


async def feedback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Count feedback without keeping who sent it; the redacted text joins the staff's unanswered list."""
    lang = user_lang(update, context)
    text = " ".join(context.args or [])
    if not text:
        await update.effective_message.reply_text(t(lang, "bot.feedback_empty"))
        return
    from bot.core.redact import redact

    storage = services(context).storage
    storage.count("feedback", lang)
    storage.add_unanswered(lang, "feedback", redact(text[:1000]))
    await update.effective_message.reply_text(t(lang, "bot.feedback_thanks"))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An unknown command gets the help text."""
    lang = user_lang(update, context)
    await update.effective_message.reply_text(f"{t(lang, 'bot.unknown_command')}\n\n{t(lang, 'bot.help')}")


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice, documents, locations: ask for words."""
    await update.effective_message.reply_text(t(user_lang(update, context), "bot.not_text"))


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button from an old message or with forged data: say so and offer a fresh start."""
    query = update.callback_query
    await query.answer()
    await query.message.reply_text(t(user_lang(update, context), "bot.stale_button"))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error's type only (never the update, which holds the user's text) and apologise."""
    log.error("handler failed: %s", type(context.error).__name__, exc_info=(type(context.error), context.error, None))
    if isinstance(update, Update) and update.effective_message and update.effective_chat:
        try:
            await update.effective_message.reply_text(
                t(user_lang(update, context), "bot.error"), parse_mode=ParseMode.HTML
            )
        except Exception as exc:
            log.warning("could not send the error notice: %s", type(exc).__name__)


def register(app: Application) -> None:
    """Add the common handlers (the catch-alls are added last by app.py)."""
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("lang", lang_command))
    app.add_handler(CommandHandler("privacy", privacy))
    app.add_handler(CommandHandler("feedback", feedback))
    app.add_handler(CallbackQueryHandler(lang_chosen, pattern=r"^lang:"))


def register_fallbacks(app: Application) -> None:
    """Catch-alls, registered last in the default group so they only see what no other handler took."""
    app.add_handler(MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command))
    non_text = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL & filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(non_text, not_text))
    app.add_handler(CallbackQueryHandler(stale_button))
    app.add_error_handler(on_error)
