"""What a Telegram user meets: greeting, languages, cited answers, bad input, groups, restarts."""

from __future__ import annotations

from pathlib import Path

from bot.core.assistant import Assistant
from bot.core.i18n import t
from tests.e2e.conftest import Harness, bot_settings, running
from tests.fakebotapi import FakeBotApi, FakeUser, make_group, parse_html

TIMEOUT = 20.0


def links(message: dict) -> list[str]:
    """URLs of the text links in a sent message."""
    return [e["url"] for e in message.get("entities", []) if e["type"] == "text_link"]


def buttons(message: dict) -> list[str]:
    """Callback data of every inline button in a message."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b.get("callback_data", "") for row in rows for b in row]


async def test_start_greets_with_privacy_notice_and_language_buttons(bot: Harness) -> None:
    """/start explains the bot, mentions /privacy and /forget, and offers three languages."""
    user = FakeUser(bot.server, 501, "Ana", language_code="de")
    user.send_command("/start")
    [reply] = await bot.server.await_messages(user.id, 1, timeout=TIMEOUT)
    assert "Datenschutz" in reply["text"] and "/forget" in reply["text"]
    assert buttons(reply) == ["lang:en", "lang:fr", "lang:de"]
    assert {c["command"] for c in bot.server.commands("fr")} >= {"object", "signup", "forget"}


async def test_french_question_gets_french_answer_with_source_links(bot: Harness) -> None:
    """A French question is answered in French with clickable citations and rating buttons."""
    user = FakeUser(bot.server, 502, "Chloé", language_code="fr")
    user.send_text("Est-ce que je dois m'opposer séparément pour Facebook et pour Instagram ?")
    replies = await bot.server.await_messages(user.id, 1, timeout=TIMEOUT)
    text = " ".join(r["text"] for r in replies)
    assert "Sources" in text and "Information générale" in text
    assert any(url.startswith("https://") for r in replies for url in links(r))
    assert buttons(replies[-1])[:2] == [b for b in buttons(replies[-1]) if b.startswith("rate:")]
    assert any(call.method == "sendChatAction" for call in bot.server.calls())


async def test_long_answer_arrives_in_several_valid_messages(bot: Harness) -> None:
    """Asking for a long article gives several messages, each under 4096 characters and valid HTML."""
    user = FakeUser(bot.server, 503, "Ben", language_code="en")
    user.send_text("What does Article 4 GDPR say?")
    await bot.server.await_idle(quiet=1.5, timeout=TIMEOUT)
    replies = bot.server.sent(user.id)
    assert len(replies) >= 2
    for call in bot.server.calls("sendMessage"):
        if call.params.get("chat_id") in (user.id, str(user.id)):
            assert call.ok, call.response
            assert parse_html(call.params["text"]).length <= 4096
    assert "‘personal data’" in replies[0]["text"]


async def test_sticker_and_over_long_message_get_polite_replies(bot: Harness) -> None:
    """Non-text and over-long messages are declined politely, in the user's language, never cut."""
    user = FakeUser(bot.server, 504, "Dora", language_code="fr")
    user.send_sticker()
    [reply] = await bot.server.await_messages(user.id, 1, timeout=TIMEOUT)
    assert "texte" in reply["text"]
    user.send_text("Meta " * 1000)
    replies = await bot.server.await_messages(user.id, 2, timeout=TIMEOUT)
    assert "5000" in replies[1]["text"] and "2000" in replies[1]["text"]


async def test_unknown_command_shows_help(bot: Harness) -> None:
    """An unknown command is answered with the list of commands."""
    user = FakeUser(bot.server, 505, "Eve", language_code="en")
    user.send_command("/frobnicate")
    [reply] = await bot.server.await_messages(user.id, 1, timeout=TIMEOUT)
    assert "/object" in reply["text"] and "/forget" in reply["text"]


async def test_stale_and_forged_buttons_are_handled(bot: Harness) -> None:
    """A button whose answer no longer exists, or forged data, gets 'expired' and a way to restart."""
    user = FakeUser(bot.server, 506, "Finn", language_code="en")
    user.send_command("/start")
    [greeting] = await bot.server.await_messages(user.id, 1, timeout=TIMEOUT)
    user.forge_press("zz:forged", greeting)
    replies = await bot.server.await_messages(user.id, 2, timeout=TIMEOUT)
    assert "expired" in replies[1]["text"] and "/start" in replies[1]["text"]
    query = user.forge_press("rate:up:999999", greeting)
    await bot.server.await_for(lambda: bot.server.callback_answer(query["id"]), timeout=TIMEOUT)
    assert "expired" in bot.server.callback_answer(query["id"])["text"]


async def test_a_tap_delivered_again_still_does_its_step_without_an_apology(bot: Harness) -> None:
    """Telegram (or a worker that died after answering it) hands the same tap over twice: answering the query again
    fails at Telegram, but the entry asked for still arrives and nobody is told that something went wrong."""
    user = FakeUser(bot.server, 511, "Kit", language_code="en")
    user.send_text("How many employees does Meta have in its Dublin office?")
    [reply] = await bot.server.await_messages(user.id, 1, timeout=TIMEOUT)
    query = user.press(next(b for b in buttons(reply) if b.startswith("topic:")), reply)
    await bot.server.await_messages(user.id, 2, timeout=TIMEOUT)
    await bot.server.await_idle(quiet=0.5, timeout=TIMEOUT)
    bot.server.store.push_update("callback_query", query)
    replies = await bot.server.await_messages(user.id, 3, timeout=TIMEOUT)
    assert "Sources" in replies[2]["text"], "the second delivery of the tap did not bring the entry"
    assert [c for c in bot.server.calls("answerCallbackQuery") if not c.ok], "the query was not answered twice"
    apologies = {t(lang, "bot.error") for lang in ("en", "fr", "de")}
    assert not [m for m in bot.server.sent(user.id) if m["text"] in apologies]


async def test_groups_answer_only_when_addressed(bot: Harness) -> None:
    """In a group the bot ignores chatter and answers a mention."""
    group = make_group(bot.server)
    user = FakeUser(bot.server, 507, "Gus", language_code="en")
    user.send_text("does anyone know if Meta uses DMs for AI?", chat=group)
    await bot.server.await_idle(quiet=1.0, timeout=TIMEOUT)
    assert bot.server.sent(group["id"]) == []
    user.send_text(f"@{bot.server.bot_username} does Meta use private messages for AI training?", chat=group)
    replies = await bot.server.await_messages(group["id"], 1, timeout=TIMEOUT)
    assert "Sources" in replies[0]["text"]


async def test_language_choice_survives_a_restart(server: FakeBotApi, assistant: Assistant, tmp_path: Path) -> None:
    """A user who picked French is answered in French after the bot restarts, whatever their app language."""
    settings = bot_settings(server, tmp_path / "data")
    user = FakeUser(server, 508, "Hugo", language_code="en")
    async with running(settings, assistant):
        user.send_command("/lang")
        [prompt] = await server.await_messages(user.id, 1, timeout=TIMEOUT)
        user.press("lang:fr", prompt)
        await server.await_messages(user.id, 2, timeout=TIMEOUT)
    async with running(settings, assistant):
        user.send_command("/help")
        replies = await server.await_messages(user.id, 3, timeout=TIMEOUT)
    assert "Écrivez simplement votre question" in replies[2]["text"]


async def test_empty_index_tells_users_it_is_being_prepared(server: FakeBotApi, tmp_path: Path) -> None:
    """With no index yet, a question gets a polite 'being prepared' instead of an error."""
    async with running(bot_settings(server, tmp_path / "data"), None):
        user = FakeUser(server, 509, "Ida", language_code="de")
        user.send_text("Darf Meta meine Fotos nutzen?")
        [reply] = await server.await_messages(user.id, 1, timeout=TIMEOUT)
    assert "Wissensdatenbank" in reply["text"]


async def test_uncovered_question_gets_honest_reply_topic_buttons_and_staff_list(bot: Harness) -> None:
    """A question the sources do not cover: 'I can't answer that' (no 'Yes'), buttons for the closest topics we do
    cover and for a person; a topic button gives that entry's cited answer; staff find the question in /unanswered."""
    user = FakeUser(bot.server, 510, "Jo", language_code="en")
    user.send_text("How many employees does Meta have in its Dublin office?")
    [reply] = await bot.server.await_messages(user.id, 1, timeout=TIMEOUT)
    assert reply["text"].startswith("I can't answer that") and "Sources" not in reply["text"]
    topics = [b for b in buttons(reply) if b.startswith("topic:")]
    assert 1 <= len(topics) <= 3 and "go:human" in buttons(reply)
    user.press(topics[0], reply)
    replies = await bot.server.await_messages(user.id, 2, timeout=TIMEOUT)
    assert "Sources" in replies[1]["text"] and "General information" in replies[-1]["text"]
    storage = bot.app.bot_data["services"].storage
    assert [row["reason"] for row in storage.unanswered(5)] == ["unknown"]
    user.forge_press("topic:faq/no-such-entry", reply)
    await bot.server.await_idle(quiet=1.0, timeout=TIMEOUT)
    assert len(bot.server.sent(user.id)) == 2  # a stale topic answers the button, and sends nothing new


async def test_look_alike_requests_are_refused_in_three_languages(bot: Harness) -> None:
    """Messages that share our words but not our topic get the refusal, never a cited answer."""
    for number, (lang, text) in enumerate([("en", "my insta got hacked yesterday, how do I get back in?"),
                                           ("fr", "tu me conseilles d'acheter des actions Meta ?"),
                                           ("de", "Erzähl mal einen Witz über Zuckerberg")]):
        user = FakeUser(bot.server, 520 + number, "Kim", language_code=lang)
        user.send_text(text)
        [reply] = await bot.server.await_messages(user.id, 1, timeout=TIMEOUT)
        assert "Sources" not in reply["text"] and "Quellen" not in reply["text"]
        assert "/object" in reply["text"]
