"""The fake Bot API server, exercised through a real python-telegram-bot Application over HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from tests.fakebotapi import FakeBotApi, FakeUser, Limit, RateLimits, make_group, parse_html
from tests.fakebotapi.html_check import HtmlParseError
from tests.fakebotapi.polling import polling

# --- a tiny bot --------------------------------------------------------------


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply to every text with an echo and a callback button."""
    assert update.message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Again", callback_data="again:1")]])
    await update.message.reply_text(f"echo: {update.message.text}", reply_markup=keyboard, do_quote=True)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(f"started with {context.args}")


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the query, then replace the message text (which drops the keyboard)."""
    query = update.callback_query
    assert query is not None
    await query.answer("ok")
    await query.edit_message_text(f"pressed {query.data}")


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@asynccontextmanager
async def running_bot(server: FakeBotApi) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """A real Application polling the fake, with the handlers above."""
    app = Application.builder().token(server.token).base_url(server.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(on_button))
    async with polling(app):
        yield app


@asynccontextmanager
async def bot_for(server: FakeBotApi) -> AsyncIterator[Bot]:
    """A bare Bot (no polling) for direct API calls."""
    async with Bot(server.token, base_url=server.base_url, base_file_url=server.base_file_url) as bot:
        yield bot


def last_description(server: FakeBotApi, method: str) -> str:
    return server.calls(method)[-1].response["description"]


# --- end to end through an Application ---------------------------------------


async def test_user_message_gets_a_reply(server: FakeBotApi) -> None:
    alice = FakeUser(server, 1001, "Alice")
    async with running_bot(server):
        sent = alice.send_text("bonjour")
        (reply,) = await server.await_messages(alice.id, 1)
    assert reply["text"] == "echo: bonjour"
    assert reply["from"]["id"] == server.bot_id and reply["from"]["is_bot"]
    assert reply["reply_to_message"]["message_id"] == sent["message_id"]
    assert reply["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "again:1"
    assert not server.pending_updates()  # the updater confirmed what it processed


async def test_command_and_button_press_reach_their_handlers(server: FakeBotApi) -> None:
    alice = FakeUser(server, 1002, "Alice", language_code="de")
    async with running_bot(server):
        alice.send_command("/start", "ref42")
        alice.send_text("question")
        started, echoed = await server.await_messages(alice.id, 2)
        query = alice.press("Again", echoed)
        await server.await_for(lambda: server.edits(alice.id), what="the edit")
    assert started["text"] == "started with ['ref42']"
    assert server.callback_answer(query["id"])["text"] == "ok"
    assert not server.unanswered_callbacks()
    edited = server.message(alice.id, echoed["message_id"])
    assert edited is not None and edited["text"] == "pressed again:1"
    assert "reply_markup" not in edited  # editMessageText without reply_markup removes the keyboard
    with pytest.raises(LookupError, match="no button"):
        alice.press("Again", edited)


async def test_group_privacy_mode_filters_what_the_bot_sees(server: FakeBotApi) -> None:
    group = make_group(server, "Assoc members")
    bob = FakeUser(server, 1003, "Bob", username="bob")
    async with running_bot(server):
        bob.send_text("chatting among humans", chat=group)
        mention = bob.send_text(f"@{server.bot_username} is this legal?", chat=group)
        command = bob.send_command("start", chat=group, mention_bot=True)
        replies = await server.await_messages(group["id"], 2)
        await server.await_idle()
    assert group["id"] < 0 and mention["chat"]["type"] == "supergroup"
    assert mention["entities"] == [{"type": "mention", "offset": 0, "length": len(server.bot_username) + 1}]
    assert command["entities"][0]["type"] == "bot_command"
    assert sorted(r["text"] for r in replies) == sorted(
        [f"echo: @{server.bot_username} is this legal?", "started with []"]
    )
    assert len(server.sent(group["id"])) == 2  # the plain group message never reached the bot


# --- validation: what Telegram refuses ---------------------------------------


async def test_bad_html_is_rejected_with_400(server: FakeBotApi) -> None:
    alice = FakeUser(server, 1004, "Alice")
    async with bot_for(server) as bot:
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities: unsupported start tag"):
            await bot.send_message(alice.id, "<p>Article 21</p>", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match=r"(?i)unmatched end tag"):
            await bot.send_message(alice.id, "<b>bold <i>both</b></i>", parse_mode=ParseMode.HTML)
        ok = await bot.send_message(alice.id, "<b>RGPD</b> art. 21 &amp; <i>opposition</i>", parse_mode="HTML")
    refused = server.calls("sendMessage")[1].response["description"]
    assert refused.startswith("Bad Request: can't parse entities: Unmatched end tag at byte offset 15")
    assert ok.text == "RGPD art. 21 & opposition"
    assert ok.text_html == "<b>RGPD</b> art. 21 &amp; <i>opposition</i>"


async def test_text_length_is_checked_after_parsing_in_utf16(server: FakeBotApi) -> None:
    alice = FakeUser(server, 1005, "Alice")
    async with bot_for(server) as bot:
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(alice.id, "x" * 5000)
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(alice.id, "😀" * 2049)  # 4098 UTF-16 code units
        with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
            await bot.send_message(alice.id, "<b> </b>", parse_mode="HTML")
        await bot.send_message(alice.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")  # tags are free
        await bot.send_message(alice.id, "😀" * 2048)
    assert [c.status for c in server.calls("sendMessage")] == [400, 400, 400, 200, 200]


async def test_callback_data_over_64_bytes_is_rejected(server: FakeBotApi) -> None:
    alice = FakeUser(server, 1006, "Alice")

    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("go", callback_data=data)]])

    async with bot_for(server) as bot:
        await bot.send_message(alice.id, "64 bytes", reply_markup=keyboard("d" * 64))
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(alice.id, "65 bytes", reply_markup=keyboard("d" * 65))
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(alice.id, "66 bytes", reply_markup=keyboard("é" * 33))
        with pytest.raises(BadRequest, match=r"(?i)wrong http url"):
            url_button = InlineKeyboardButton("site", url="http://localhost:8080/")
            await bot.send_message(alice.id, "local", reply_markup=InlineKeyboardMarkup([[url_button]]))
    assert last_description(server, "sendMessage").startswith("Bad Request: inline keyboard button URL")


async def test_edit_errors_match_telegram(server: FakeBotApi) -> None:
    alice = FakeUser(server, 1007, "Alice")
    async with bot_for(server) as bot:
        message = await bot.send_message(alice.id, "draft")
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text("draft", alice.id, message.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("x", alice.id, 999)
        with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
            await bot.edit_message_text("x", alice.id, alice.send_text("mine")["message_id"])
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(424242, "nobody")
        alice.block_bot()
        with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
            await bot.send_message(alice.id, "still there?")
    assert len(server.edits(alice.id)) == 0


# --- getUpdates, raw HTTP encodings ------------------------------------------


async def test_get_updates_offset_limit_and_long_poll(server: FakeBotApi) -> None:
    alice = FakeUser(server, 1008, "Alice")
    for text in ("one", "two", "three"):
        alice.send_text(text)
    api = f"{server.base_url}{server.token}"
    async with httpx.AsyncClient() as http:
        first = (await http.post(f"{api}/getUpdates", json={"limit": 2})).json()["result"]
        ids = [u["update_id"] for u in first]
        assert [u["message"]["text"] for u in first] == ["one", "two"] and ids[1] == ids[0] + 1
        # An offset confirms everything below it; the form encoding is what PTB sends.
        rest = (await http.post(f"{api}/getUpdates", data={"offset": str(ids[1])})).json()["result"]
        assert [u["message"]["text"] for u in rest] == ["two", "three"]
        assert len(server.pending_updates()) == 2
        last = (await http.get(f"{api}/getUpdates", params={"offset": "-1"})).json()["result"]
        assert [u["message"]["text"] for u in last] == ["three"] and len(server.pending_updates()) == 1
        done = (await http.post(f"{api}/getUpdates", json={"offset": last[0]["update_id"] + 1})).json()
        assert done == {"ok": True, "result": []}

        started = time.monotonic()
        poll = asyncio.create_task(
            http.post(f"{api}/getUpdates", json={"offset": last[0]["update_id"] + 1, "timeout": 10})
        )
        await asyncio.sleep(0.2)
        alice.send_text("wake up")
        woke = (await poll).json()["result"]
        assert woke[0]["message"]["text"] == "wake up" and time.monotonic() - started < 2

        assert (await http.post(f"{server.base_url}bad:token/getMe")).status_code == 401
        missing = await http.post(f"{api}/noSuchMethod")
        assert missing.status_code == 404 and missing.json()["description"] == "Not Found"
        await http.post(f"{api}/setWebhook", data={"url": "https://example.org/hook"})
        conflict = await http.post(f"{api}/getUpdates")
        assert conflict.status_code == 409 and server.webhook["url"] == "https://example.org/hook"


# --- copyMessage, files, commands, flood control -----------------------------


async def test_copy_message_creates_a_new_message_without_origin(server: FakeBotApi) -> None:
    alice, lawyer = FakeUser(server, 1009, "Alice"), FakeUser(server, 2001, "Maître", language_code="fr")
    question = alice.send_text("Can Meta train on my posts?")
    async with bot_for(server) as bot:
        copied = await bot.copy_message(lawyer.id, alice.id, question["message_id"])
        own = await bot.send_message(alice.id, "<i>answer</i>", parse_mode="HTML")
        copied_own = await bot.copy_message(lawyer.id, alice.id, own.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to copy not found"):
            await bot.copy_message(lawyer.id, alice.id, 9999)
    copy_ = server.message(lawyer.id, copied.message_id)
    assert copy_ is not None and copy_["text"] == question["text"] and "forward_origin" not in copy_
    assert copy_["from"]["id"] == server.bot_id and copy_["chat"]["id"] == lawyer.id
    assert server.message(lawyer.id, copied_own.message_id)["entities"][0]["type"] == "italic"  # type: ignore[index]
    assert copied_own.message_id == copied.message_id + 1


async def test_multipart_upload_and_file_download(server: FakeBotApi) -> None:
    alice = FakeUser(server, 1010, "Alice")
    incoming = alice.send_document("objection.pdf", b"%PDF-1.4 my letter")
    async with bot_for(server) as bot:
        sent = await bot.send_document(
            alice.id, b"template bytes", filename="modele.pdf", caption="<b>Modèle</b>", parse_mode="HTML"
        )
        file = await bot.get_file(incoming["document"]["file_id"])
        data = await file.download_as_bytearray()
    assert bytes(data) == b"%PDF-1.4 my letter"
    assert sent.document is not None and sent.document.file_name == "modele.pdf" and sent.caption == "Modèle"


async def test_set_my_commands_is_stored_per_language_and_scope(server: FakeBotApi) -> None:
    async with bot_for(server) as bot:
        await bot.set_my_commands([("start", "Start"), ("help", "Help")])
        await bot.set_my_commands([("start", "Démarrer"), ("aide", "Aide")], language_code="fr")
        await bot.set_my_commands([("privacy", "Vie privée")], language_code="fr", scope={"type": "all_private_chats"})
        fr = await bot.get_my_commands(language_code="fr")
        with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
            await bot.set_my_commands([("Start", "capital letters are refused")])
        await bot.delete_my_commands()
    assert [c.command for c in fr] == ["start", "aide"]
    assert server.commands("fr") == [
        {"command": "start", "description": "Démarrer"},
        {"command": "aide", "description": "Aide"},
    ]
    assert server.commands("fr", {"type": "all_private_chats"})[0]["command"] == "privacy"
    assert server.commands() == []


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter.retry_after type
async def test_flood_control_raises_retry_after(server: FakeBotApi) -> None:
    alice, bob = FakeUser(server, 1011, "Alice"), FakeUser(server, 1012, "Bob")
    server.set_rate_limits(RateLimits(private_chat=Limit(2, 30.0)))
    async with bot_for(server) as bot:
        await bot.send_message(alice.id, "1")
        await bot.send_message(alice.id, "2")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(alice.id, "3")
        await bot.send_message(bob.id, "other chats are not affected")
        await bot.send_chat_action(alice.id, "typing")  # chat actions are not messages
    assert "Retry in 30 seconds" in str(caught.value)
    refused = server.calls("sendMessage")[2].response
    assert refused["error_code"] == 429 and refused["parameters"] == {"retry_after": 30}
    assert refused["description"] == "Too Many Requests: retry after 30"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_group_flood_limit_of_telegram_preset(server: FakeBotApi) -> None:
    group = make_group(server)
    server.set_rate_limits(RateLimits.telegram())
    async with bot_for(server) as bot:
        for n in range(20):
            await bot.send_message(group["id"], f"message {n}")
        with pytest.raises(RetryAfter):
            await bot.send_message(group["id"], "one too many")


# --- the HTML checker on its own ---------------------------------------------


@pytest.mark.parametrize(
    ("html", "text", "types"),
    [
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1", ["pre"]),
        ('<a href="https://noyb.eu">noyb</a> <span class="tg-spoiler">s</span>', "noyb s", ["text_link", "spoiler"]),
        ("<blockquote expandable>long</blockquote>", "long", ["expandable_blockquote"]),
        ("&lt;b&gt; &#8364; &#x1F600; &quot;", '<b> € 😀 "', []),
        (
            "<B>caps</B> <strong>s</strong> <ins>u</ins> <del>d</del>",
            "caps s u d",
            ["bold", "bold", "underline", "strikethrough"],
        ),
    ],
)
def test_html_checker_accepts_telegram_html(html: str, text: str, types: list[str]) -> None:
    parsed = parse_html(html)
    assert parsed.text == text and [e["type"] for e in parsed.entities] == types


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("2 < 3", 'Unsupported start tag "" at byte offset 2'),
        ("<b>open", "Can't find end tag corresponding to start tag b"),
        ("é</i>", "Unexpected end tag at byte offset 2"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="x', "Unclosed start tag at byte offset 0"),
        ("Q&A", 'Unescaped "&" at byte offset 1'),
    ],
)
def test_html_checker_rejects_like_telegram(html: str, reason: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(html)
    assert str(caught.value).startswith(reason)


def test_lenient_html_mode_matches_telegram_on_bare_ampersands() -> None:
    assert parse_html("Q&A > FAQ", strict=False).text == "Q&A > FAQ"
