"""Staff tools: /draft with 'Send to user', the vetted FAQ (/faq), /stats and /unanswered."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from html import escape

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.core.i18n import raw, t
from bot.core.redact import redact
from bot.core.types import LANGS
from bot.support import stats
from bot.support.faqform import FaqForm, first_question, slugify, summary
from bot.support.tickets import split_draft_args
from bot.support.vetted import VettedEntry, VettedFaq, index_citations
from bot.telegram.formatting import answer_blocks, answer_messages, pack
from bot.telegram.handlers.support_relay import deliver, staff_only
from bot.telegram.services import services, user_lang

UNANSWERED_LIMIT = 20
UNANSWERED_CHARS = 300


def load_vetted(app: Application) -> None:
    """Give the assistant the vetted answers stored in the database (rebuilt on every /faq change)."""
    svc = app.bot_data["services"]
    if svc.assistant is None:
        return
    matcher = app.bot_data.get("vetted")
    if matcher is None:
        matcher = VettedFaq(svc.assistant.embedder, index_citations(svc.assistant.index))
        # A copy, so that an assistant shared by several applications (as in tests) keeps its own matcher.
        svc.assistant = replace(svc.assistant, vetted=matcher)
        app.bot_data["vetted"] = matcher
    matcher.load(VettedEntry.from_row(row) for row in svc.storage.faqs())


@staff_only
async def draft(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/draft [lang] question, or /draft as a reply to a user's copied message (then with 'Send to user')."""
    svc, message, lang = services(context), update.effective_message, user_lang(update, context)
    if svc.assistant is None:
        await message.reply_text(t(lang, "support.staff.no_assistant"))
        return
    code, question = split_draft_args(context.args or [], LANGS)
    reply = message.reply_to_message
    ticket = svc.storage.ticket_for_staff_message(message.chat_id, reply.message_id) if reply else None
    if ticket and not question:
        question = reply.text or reply.caption or ""
    if not question:
        await message.reply_text(t(lang, "support.staff.draft_usage"))
        return
    answer = await asyncio.to_thread(svc.assistant.ask, question, code or (ticket["lang"] if ticket else None))
    blocks = [f"<i>{escape(t(lang, 'support.staff.draft_title', code=answer.lang))}</i>", *answer_blocks(answer)]
    markup = None
    if ticket and ticket["status"] == "open":
        draft_id = svc.storage.add_draft(ticket["id"], json.dumps(answer_messages(answer)))
        blocks.append(f"<i>{escape(t(lang, 'support.staff.draft_hint'))}</i>")
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(t(lang, "support.buttons.send_draft"),
                                                             callback_data=f"draft:{draft_id}")]])
    parts = pack(blocks)
    for index, part in enumerate(parts):
        sent = await message.reply_text(part, parse_mode=ParseMode.HTML, disable_web_page_preview=True,
                                        reply_markup=markup if index == len(parts) - 1 else None)
        if ticket:  # a reply to the draft with edited text goes to the user too
            svc.storage.map_staff_message(sent.chat_id, sent.message_id, ticket["id"], ticket["user_id"])


@staff_only
async def send_draft(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'Send to user': the draft is taken out of storage first, so a second press sends nothing."""
    query, svc, lang = update.callback_query, services(context), user_lang(update, context)
    number = (query.data or "").split(":", 1)[1]
    taken = svc.storage.pop_draft(int(number)) if number.isdigit() else None
    ticket = svc.storage.ticket(taken["ticket_id"]) if taken else None
    if ticket is None:
        await query.answer(t(lang, "support.staff.draft_gone"), show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await deliver(context, ticket, query.message, parts=json.loads(taken["text"]))


def _forms(context: ContextTypes.DEFAULT_TYPE) -> dict[tuple[int, int], FaqForm]:
    """Vetted answers being written, per (chat, staff member); kept in memory only."""
    return context.application.bot_data.setdefault("faq_forms", {})


async def _ask(update: Update, form: FaqForm, lang: str, error: str | None = None) -> None:
    """The next step's prompt (as a forced reply: in the group, privacy mode only lets replies through)."""
    message = update.effective_message
    if form.current is None:
        buttons = [[InlineKeyboardButton(t(lang, "support.buttons.save"), callback_data="faq:save"),
                    InlineKeyboardButton(t(lang, "support.buttons.cancel"), callback_data="faq:cancel")]]
        await message.reply_text(form.prompt(lang), reply_markup=InlineKeyboardMarkup(buttons))
        return
    text = f"{error}\n\n{form.prompt(lang)}" if error and error != form.prompt(lang) else form.prompt(lang)
    await message.reply_text(text, reply_markup=ForceReply(selective=True))


@staff_only
async def faq(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/faq add | list | show N | remove N | cancel."""
    svc, message, lang = services(context), update.effective_message, user_lang(update, context)
    args = context.args or []
    action, number = (args[0].lower() if args else ""), (int(args[1]) if len(args) > 1 and args[1].isdigit() else 0)
    key = (message.chat_id, update.effective_user.id)
    if action == "add":
        _forms(context)[key] = FaqForm()
        await _ask(update, _forms(context)[key], lang)
    elif action == "cancel":
        text = "faq_cancelled" if _forms(context).pop(key, None) else "faq_no_form"
        await message.reply_text(t(lang, f"support.staff.{text}"))
    elif action == "list":
        rows = svc.storage.faqs()
        lines = [f"#{r['id']} {r['slug']} — {first_question(r['entry'])} [{', '.join(r['entry']['answers'])}]"
                 for r in rows]
        title = t(lang, "support.staff.faq_list_title" if rows else "support.staff.faq_empty")
        text = "\n".join([title, *lines])
        for part in pack([escape(text)]):
            await message.reply_text(part, parse_mode=ParseMode.HTML)
    elif action == "show":
        row = next((r for r in svc.storage.faqs() if r["id"] == number), None)
        if row is None:
            await message.reply_text(t(lang, "support.staff.faq_not_found", faq=number))
        else:
            for part in pack([escape(f"#{row['id']} {row['slug']}\n{summary(row['entry'], lang)}")]):
                await message.reply_text(part, parse_mode=ParseMode.HTML)
    elif action == "remove":
        if not svc.storage.remove_faq(number):
            await message.reply_text(t(lang, "support.staff.faq_not_found", faq=number))
        else:
            await asyncio.to_thread(load_vetted, context.application)
            await message.reply_text(t(lang, "support.staff.faq_removed", faq=number))
    else:
        await message.reply_text(t(lang, "support.staff.faq_usage"))


async def faq_form_hook(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> bool:
    """A staff member's answer to the guided /faq add."""
    form = _forms(context).get((update.effective_chat.id, update.effective_user.id))
    if form is None or form.current is None:
        return False
    svc, lang = services(context), user_lang(update, context)

    def known(ref: str) -> bool:
        return svc.assistant is not None and any(svc.assistant.index.lookup(ref, code) for code in LANGS)

    await _ask(update, form, lang, form.accept(update.effective_message.text or "", known, lang))
    return True


@staff_only
async def faq_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Save or discard the vetted answer; saving indexes it at once (no re-ingest)."""
    query, svc, lang = update.callback_query, services(context), user_lang(update, context)
    form = _forms(context).pop((update.effective_chat.id, update.effective_user.id), None)
    await query.answer()
    await query.edit_message_reply_markup(None)
    if form is None or query.data == "faq:cancel" or form.current is not None:
        await query.message.reply_text(t(lang, "support.staff.faq_cancelled" if form else "support.staff.faq_no_form"))
        return
    entry = form.entry()
    taken = [r["slug"] for r in svc.storage.faqs()]
    taken += [p.name.split(".")[0] for p in (svc.settings.knowledge_dir / "faq").glob("*.md")]
    slug = slugify(first_question(entry), taken)
    faq_id = svc.storage.add_faq(slug, entry)
    await asyncio.to_thread(load_vetted, context.application)
    await query.message.reply_text(t(lang, "support.staff.faq_saved", faq=faq_id, slug=slug))


@staff_only
async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats [days]: aggregate counts only."""
    svc, args = services(context), context.args or []
    days = min(max(int(args[0]), 1), 365) if args and args[0].isdigit() else 30
    report = stats.build(svc.storage.counters(since_days=days), days, svc.storage.open_ticket_count())
    await update.effective_message.reply_text(stats.render(report, user_lang(update, context)))


@staff_only
async def unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unanswered: recent out-of-scope and 👎 questions, without ids, contact details redacted (again)."""
    lang, rows = user_lang(update, context), services(context).storage.unanswered(UNANSWERED_LIMIT)
    if not rows:
        await update.effective_message.reply_text(t(lang, "support.staff.unanswered_empty"))
        return
    lines = [escape(t(lang, "support.staff.unanswered_title"))]
    labels: dict[str, str] = raw(lang, "support.staff.reasons")
    for row in rows:
        reason = labels.get(row["reason"], row["reason"])
        lines.append(escape(f"• {row['day']} [{row['lang']}] ({reason}) {redact(row['text'])[:UNANSWERED_CHARS]}"))
    for part in pack(["\n".join(lines)]):
        await update.effective_message.reply_text(part, parse_mode=ParseMode.HTML)


def register(app: Application) -> None:
    """The staff commands and buttons (each checks staff rights itself)."""
    app.add_handler(CommandHandler("draft", draft))
    app.add_handler(CommandHandler("faq", faq))
    app.add_handler(CommandHandler("stats", stats_command))
    app.add_handler(CommandHandler("unanswered", unanswered))
    app.add_handler(CallbackQueryHandler(send_draft, pattern=r"^draft:"))
    app.add_handler(CallbackQueryHandler(faq_button, pattern=r"^faq:(save|cancel)$"))
