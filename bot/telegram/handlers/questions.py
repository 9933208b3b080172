"""Free-text questions: the core's cited answer as Telegram HTML, with rating and walkthrough buttons."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ChatType, MessageEntityType, ParseMode
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.core.i18n import t
from bot.core.redact import redact
from bot.core.types import Answer
from bot.telegram.formatting import answer_messages
from bot.telegram.services import services, user_lang

log = logging.getLogger(__name__)
TOPIC_LABEL = 60  # characters of an entry's title shown on its button


def answer_keyboard(answer: Answer, answer_id: int, lang: str) -> InlineKeyboardMarkup:
    """👍/👎 under every answer, plus the walkthrough or a person when that helps."""
    rows = [
        [
            InlineKeyboardButton("👍", callback_data=f"rate:up:{answer_id}"),
            InlineKeyboardButton("👎", callback_data=f"rate:down:{answer_id}"),
        ]
    ]
    if answer.suggest_flow:
        rows.append(
            [
                InlineKeyboardButton(
                    t(lang, f"buttons.start_{answer.suggest_flow}"), callback_data=f"go:{answer.suggest_flow}"
                )
            ]
        )
    if not answer.in_scope:
        # The closest topics we do cover, one tap away (callback data stays under Telegram's 64 bytes).
        rows += [[InlineKeyboardButton(c.label[:TOPIC_LABEL], callback_data=f"topic:{c.id}")]
                 for c in answer.topics if len(f"topic:{c.id}".encode()) <= 64]
        rows.append([InlineKeyboardButton(t(lang, "buttons.talk_to_person"), callback_data="go:human")])
    return InlineKeyboardMarkup(rows)


def addressed_text(update: Update, bot_username: str) -> str | None:
    """The question text, or None when a group message is not addressed to the bot."""
    message = update.effective_message
    text = message.text or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    mention = f"@{bot_username}".lower()
    if (
        message.reply_to_message
        and message.reply_to_message.from_user
        and message.reply_to_message.from_user.username == bot_username
    ):
        return text
    for entity in message.entities or ():
        if entity.type == MessageEntityType.MENTION and message.parse_entity(entity).lower() == mention:
            return text.replace(message.parse_entity(entity), "").strip()
    return None


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Answer one question: length and flood checks, typing indicator, answer in parts, buttons on the last."""
    svc = services(context)
    lang = user_lang(update, context, text)
    message = update.effective_message
    if len(text) > svc.settings.max_question_chars:
        await message.reply_text(t(lang, "answer.too_long", length=len(text), limit=svc.settings.max_question_chars))
        return
    verdict = await svc.flood.check(update.effective_user.id)
    if verdict != "ok":
        if verdict == "notice":
            await message.reply_text(t(lang, "bot.flood"))
        return
    if svc.assistant is None:
        await message.reply_text(t(lang, "answer.index_empty"))
        return
    await context.bot.send_chat_action(message.chat_id, ChatAction.TYPING)
    # Embedding is CPU work: keep the event loop free for other users meanwhile.
    answer = await asyncio.to_thread(svc.assistant.ask, text, lang)
    # The hand-off header names the topic of the last answer (support.py), whichever worker takes the /human.
    await svc.topics.remember(update.effective_user.id, answer.topic)
    # Database round trips block: off the event loop too, so one worker's other users are not kept waiting.
    await send_answer(message, answer, await asyncio.to_thread(_record, svc.storage, answer, text))


def _record(storage, answer: Answer, text: str) -> int:
    """Aggregate statistics only; the redacted question is kept without any user id for 👎 and staff review."""
    storage.count_all([("questions", answer.lang), ("in_scope" if answer.in_scope else "out_of_scope", answer.lang),
                       *{("cited", citation.id.split("#")[0]) for citation in answer.citations}])
    if not answer.in_scope and answer.mode in ("refusal", "unknown"):
        storage.add_unanswered(answer.lang, "unknown" if answer.mode == "unknown" else "out_of_scope", redact(text))
    return storage.log_answer(answer.lang, answer.topic, redact(text))


async def send_answer(message, answer: Answer, answer_id: int) -> None:
    """The answer in parts under Telegram's limit, with the buttons on the last part."""
    parts = answer_messages(answer)
    for index, part in enumerate(parts):
        markup = answer_keyboard(answer, answer_id, answer.lang) if index == len(parts) - 1 else None
        await message.reply_text(part, parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True)


async def topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A topic button under "I can't answer that": the answer of that entry of ours."""
    query = update.callback_query
    svc, lang = services(context), user_lang(update, context)
    target = (query.data or "").split(":", 1)[1]
    answer = await asyncio.to_thread(svc.assistant.answer_entry, target, lang) if svc.assistant else None
    if answer is None:
        await query.answer(t(lang, "bot.stale_button"))
        return
    await query.answer()
    svc.storage.count("topic_button", answer.lang)
    await send_answer(query.message, answer, svc.storage.log_answer(answer.lang, answer.topic, ""))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any text the bot should read: walkthrough input or ticket message first, else a question."""
    text = addressed_text(update, context.bot.username)
    if text is None:
        return
    for hook in context.application.bot_data.get("text_hooks", []):
        if await hook(update, context, text):
            return
    await answer_question(update, context, text)


async def rate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Count a 👍/👎 (no user id); a 👎 puts the redacted question on the staff's list."""
    query = update.callback_query
    _, verdict, answer_id = (query.data or "::").split(":", 2)
    storage = services(context).storage
    logged = storage.logged_answer(int(answer_id)) if answer_id.isdigit() else None
    lang = user_lang(update, context)
    if verdict not in ("up", "down") or logged is None:
        await query.answer(t(lang, "bot.stale_button"))
        return
    storage.count("rating", verdict)
    if verdict == "down":
        storage.add_unanswered(logged["lang"], "thumbs_down", logged["question"])
    await query.answer(t(lang, "bot.rated"))
    keyboard = [row for row in query.message.reply_markup.inline_keyboard[1:]] if query.message.reply_markup else []
    if verdict == "down":
        keyboard = [row for row in keyboard if row[0].callback_data != "go:human"]
        keyboard.append([InlineKeyboardButton(t(lang, "buttons.talk_to_person"), callback_data="go:human")])
    await query.edit_message_reply_markup(InlineKeyboardMarkup(keyboard) if keyboard else None)


async def go(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button that starts a walkthrough or a hand-off."""
    query = update.callback_query
    target = (query.data or "").split(":", 1)[1]
    starter = context.application.bot_data.get(f"start_{target}")
    await query.answer()
    if starter is None:
        await query.message.reply_text(t(user_lang(update, context), "bot.flow_coming"))
        return
    await starter(update, context)


def register(app: Application) -> None:
    """Text questions in private chats, addressed questions in groups, and the answer buttons."""
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(CallbackQueryHandler(rate, pattern=r"^rate:"))
    app.add_handler(CallbackQueryHandler(go, pattern=r"^go:"))
    app.add_handler(CallbackQueryHandler(topic, pattern=r"^topic:"))
