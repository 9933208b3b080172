"""/updates: anyone can see and change whether the association may send them campaign updates."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot.broadcast.consent import OFF, ON, change, updates_view
from bot.broadcast.store import BroadcastStore
from bot.telegram.handlers.flows import private_only, show
from bot.telegram.services import services, user_lang


def _store(context: ContextTypes.DEFAULT_TYPE) -> BroadcastStore:
    """The campaign-update queries over the bot's database."""
    return BroadcastStore(services(context).storage.db)


async def updates(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/updates shows the choice; `/updates on` and `/updates off` change it at once."""
    lang, user_id = user_lang(update, context), update.effective_user.id
    word = (context.args or [""])[0].lower()
    view = (change(_store(context), user_id, lang, ON if word == "on" else OFF) if word in ("on", "off")
            else updates_view(_store(context), user_id, lang))
    await show(update, context, [view])


async def updates_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The on / off button under the /updates message."""
    query = update.callback_query
    view = change(_store(context), update.effective_user.id, user_lang(update, context), query.data or "")
    await show(update, context, [view], query=query)


def register(app: Application) -> None:
    """The command in private chats (a group gets the pointer to the private chat), and its buttons."""
    app.add_handler(CommandHandler("updates", updates, filters=filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("updates", private_only, filters=filters.ChatType.GROUPS))
    app.add_handler(CallbackQueryHandler(updates_button, pattern=r"^upd:(on|off)$"))
