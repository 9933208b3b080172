"""/broadcast in the staff group: the guided form, the exact preview, a second confirmation, and the controls."""

from __future__ import annotations

import logging

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.broadcast.form import BroadcastForm
from bot.broadcast.model import CONTROLS
from bot.broadcast.preview import summary
from bot.broadcast.store import BroadcastStore
from bot.support.tickets import STAFF_LANG
from bot.telegram.broadcasting import send_update, show_status
from bot.telegram.handlers.support_relay import staff_only
from bot.telegram.services import services

log = logging.getLogger(__name__)


def t(key: str, **values: object) -> str:
    """Staff-group texts are in the staff's language."""
    from bot.core.i18n import t as text

    return text(STAFF_LANG, key, **values)


def _store(context: ContextTypes.DEFAULT_TYPE) -> BroadcastStore:
    """The campaign-update queries over the bot's database."""
    return BroadcastStore(services(context).storage.db)


def _forms(context: ContextTypes.DEFAULT_TYPE) -> dict[tuple[int, int], BroadcastForm]:
    """Forms being filled in, per (chat, staff member); in memory only (a restart asks to start again)."""
    return context.application.bot_data.setdefault("broadcast_forms", {})


async def _ask(update: Update, form: BroadcastForm, problem: str | None = None) -> None:
    """The current step's question as a forced reply (privacy mode only lets replies to the bot through)."""
    text = f"{t(problem, problem=form.problem)}\n\n{form.prompt(STAFF_LANG)}" if problem else form.prompt(STAFF_LANG)
    await update.effective_message.reply_text(text, reply_markup=ForceReply(selective=True))


@staff_only
async def broadcast(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/broadcast starts the form; /broadcast cancel drops it."""
    key = (update.effective_chat.id, update.effective_user.id)
    if (context.args or [""])[0].lower() == "cancel":
        gone = _forms(context).pop(key, None)
        await update.effective_message.reply_text(t("broadcast.form.cancelled" if gone else "broadcast.form.none"))
        return
    _forms(context)[key] = BroadcastForm()
    await _ask(update, _forms(context)[key])


async def form_hook(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> bool:
    """A staff member's answer to their own form's current step."""
    key = (update.effective_chat.id, update.effective_user.id)
    form = _forms(context).get(key)
    if form is None or form.current is None:
        return False
    problem = form.accept(update.effective_message.text or "")
    if problem or form.current is not None:
        await _ask(update, form, problem)
        return True
    await _preview(update, context, form)
    return True


async def _preview(update: Update, context: ContextTypes.DEFAULT_TYPE, form: BroadcastForm) -> None:
    """Each language exactly as recipients will see it (Telegram checks the HTML), then counts and the buttons."""
    svc, chat_id = services(context), update.effective_chat.id
    draft = form.draft()
    for lang in draft.texts:
        try:
            await send_update(context.bot, chat_id, draft.text_for(lang), draft.button_for(lang))
        except BadRequest as exc:  # Telegram's own words about the HTML: the most exact check there is
            form.back_to(lang)
            await update.effective_message.reply_text(t("broadcast.errors.html", lang=lang, error=str(exc)),
                                                      reply_markup=ForceReply(selective=True))
            return
    _forms(context).pop((chat_id, update.effective_user.id), None)
    store = _store(context)
    broadcast_id = store.create(draft, update.effective_user.id)
    text = "\n".join([t("broadcast.preview.title", id=broadcast_id),
                      summary(store.preview(draft, svc.settings.send_rate_per_s), draft, STAFF_LANG),
                      t("broadcast.preview.two_person" if svc.settings.broadcast_two_person
                        else "broadcast.preview.one_person")])
    await context.bot.send_message(chat_id, text, reply_markup=_decision(broadcast_id))
    log.info("broadcast %s drafted", broadcast_id)


def _decision(broadcast_id: int, again: bool = False) -> InlineKeyboardMarkup:
    """Confirm (or confirm again) and Discard."""
    label = "broadcast.buttons.confirm_again" if again else "broadcast.buttons.confirm"
    return InlineKeyboardMarkup([[InlineKeyboardButton(t(label), callback_data=f"bc:confirm:{broadcast_id}"),
                                  InlineKeyboardButton(t("broadcast.buttons.discard"),
                                                       callback_data=f"bc:discard:{broadcast_id}")]])


@staff_only
async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Confirm, Discard, Pause, Resume, Cancel; an old or forged button gets a polite answer."""
    query, store = update.callback_query, _store(context)
    _, action, number = ((query.data or "") + "::").split(":")[:3]
    row = store.get(int(number)) if number.isdigit() else None
    if row is None or (action in ("confirm", "discard") and row["status"] != "draft") or (
            action in CONTROLS and not store.set_status(row["id"], *CONTROLS[action])):
        await query.answer(t("broadcast.stale"), show_alert=True)
        if row is not None and row["status"] != "draft":
            await _refresh(context, store, row["id"])  # shows the real state, without buttons once it ended
        return
    if action in CONTROLS:
        await query.answer(t(f"broadcast.done.{action}"))
        log.info("broadcast %s: %s", row["id"], action)
        await _refresh(context, store, row["id"])
    elif action == "discard":
        store.discard(row["id"])
        await query.answer()
        await query.edit_message_text(t("broadcast.discarded", id=row["id"]))
    else:
        await _confirm(update, context, store, row)


async def _confirm(update: Update, context: ContextTypes.DEFAULT_TYPE, store: BroadcastStore, row: dict) -> None:
    """A second staff member, or the author twice when two-person confirmation is off; then it starts."""
    query, svc, user_id = update.callback_query, services(context), update.effective_user.id
    armed: set[int] = context.application.bot_data.setdefault("broadcast_armed", set())
    if svc.settings.broadcast_two_person and user_id == row["created_by"]:
        await query.answer(t("broadcast.needs_second"), show_alert=True)
        return
    if not svc.settings.broadcast_two_person and row["id"] not in armed:
        armed.add(row["id"])
        await query.answer(t("broadcast.confirm_again"), show_alert=True)
        await query.edit_message_reply_markup(_decision(row["id"], again=True))
        return
    armed.discard(row["id"])
    store.set_status_message(row["id"], query.message.chat_id, query.message.message_id)
    count = store.confirm(row["id"], user_id)
    await query.answer(t("broadcast.started", count=count))
    log.info("broadcast %s confirmed for %d recipients", row["id"], count)
    await _refresh(context, store, row["id"])
    broadcaster = context.application.bot_data.get("broadcaster")
    if broadcaster is not None:
        broadcaster.wake.set()


async def _refresh(context: ContextTypes.DEFAULT_TYPE, store: BroadcastStore, broadcast_id: int) -> None:
    """Show the new state at once rather than at the next periodic edit."""
    progress = store.progress(broadcast_id)
    if progress is not None:
        await show_status(context.bot, store, progress, services(context).settings.send_rate_per_s)


def register(app: Application) -> None:
    """The command, the form's replies and the buttons (each checks staff rights itself)."""
    app.add_handler(CommandHandler("broadcast", broadcast))
    app.add_handler(CallbackQueryHandler(button, pattern=r"^bc:"))
    app.bot_data.setdefault("text_hooks", []).append(form_hook)
