"""The staff side of campaign updates in the staff group: form, exact preview, second confirmation, controls."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest

from bot.broadcast.store import BroadcastStore
from bot.core.i18n import t
from bot.settings import Settings
from tests.e2e.broadcast_helpers import FIRST_ID, seed, update_messages
from tests.e2e.conftest import bot_settings, running
from tests.e2e.test_support import transcript
from tests.fakebotapi import FakeBotApi, FakeUser, make_group

SAM, KIM = 9001, 9002
TIMEOUT = 20.0


def staff_settings(server: FakeBotApi, tmp_path: Path, group: dict[str, Any], **overrides: Any) -> Settings:
    """Two staff members in the staff group; status edits every half second."""
    return bot_settings(server, tmp_path / "data", support_chat_id=group["id"], staff_ids=f"{SAM},{KIM}",
                        broadcast_status_every_s=2.0, **overrides)


async def reply_to_prompt(server: FakeBotApi, staff: FakeUser, group: dict[str, Any], count: int, text: str) -> None:
    """Answer the bot's latest forced-reply question in the group."""
    prompt = (await server.await_messages(group["id"], count, timeout=TIMEOUT))[-1]
    staff.reply_to(prompt, text)


def summary_number(server: FakeBotApi, group: dict[str, Any], number: int) -> dict[str, Any] | None:
    """The preview summary of campaign update #number, once it is there."""
    found = [m for m in server.sent(group["id"]) if m["text"].startswith(f"📣 Campaign update #{number}:")]
    return found[0] if found else None


async def with_button(server: FakeBotApi, group: dict[str, Any], message_id: int, label: str) -> dict[str, Any]:
    """The message once its keyboard shows the button (edits wait for the group's pace)."""
    def shown() -> dict[str, Any] | None:
        found = server.message(group["id"], message_id)
        return found if found and label in str(found.get("reply_markup")) else None

    return await server.await_for(shown, timeout=TIMEOUT)


def update_sends(server: FakeBotApi) -> list[float]:
    """When each campaign-update message to a recipient was sent (server time)."""
    return [c.time for c in server.calls("sendMessage") if c.ok and int(c.params["chat_id"]) >= FIRST_ID]


async def test_staff_write_preview_confirm_pause_and_finish_a_campaign_update(
        server: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The whole staff side, as the fake API records it; the author alone cannot send it; the logs keep no ids."""
    caplog.set_level(logging.DEBUG)
    group = make_group(server, title="NGO staff")
    settings = staff_settings(server, tmp_path, group, send_rate_per_s=15)
    expected = seed(server, settings.db_path, 30)
    sam, kim = FakeUser(server, SAM, "Sam", language_code="en"), FakeUser(server, KIM, "Kim", language_code="en")
    outsider = FakeUser(server, 4242, "Olga", language_code="en")
    async with running(settings, None) as app:
        store = BroadcastStore(app.bot_data["services"].storage.db)
        outsider.send_command("/broadcast", chat=group)
        refused = (await server.await_messages(group["id"], 1, timeout=TIMEOUT))[0]
        assert refused["text"] == t("en", "support.user.staff_only")
        sam.send_command("/broadcast", chat=group)
        await reply_to_prompt(server, sam, group, 2, "<b>Hearing</i> on 3 March")  # refused by the HTML check
        await reply_to_prompt(server, sam, group, 3, "[en] The <b>hearing</b> is on 3 March.")
        await reply_to_prompt(server, sam, group, 4, "[fr] L'<b>audience</b> a lieu le 3 mars.")
        await reply_to_prompt(server, sam, group, 5, "-")
        await reply_to_prompt(server, sam, group, 6, "https://example.org/hearing\nen: Read more\nfr: En savoir plus")
        await reply_to_prompt(server, sam, group, 7, "all")
        preview = await server.await_messages(group["id"], 10, timeout=TIMEOUT)
        assert "not HTML as Telegram accepts it" in preview[2]["text"]
        assert [m["text"] for m in preview[7:9]] == ["[en] The hearing is on 3 March.",
                                                     "[fr] L'audience a lieu le 3 mars."]
        assert preview[8]["reply_markup"]["inline_keyboard"][0][0] == {"text": "En savoir plus",
                                                                        "url": "https://example.org/hearing"}
        summary = preview[9]
        assert "Recipients: 30 (en 10, fr 10, de 10)" in summary["text"]
        assert "Will get English because their language has no text: 10" in summary["text"]
        assert "Estimated duration: 2 s" in summary["text"]
        sam.press(t("en", "broadcast.buttons.confirm"), summary)  # the author alone: refused
        await server.await_idle(quiet=0.5, timeout=TIMEOUT)
        assert update_sends(server) == [] and store.get(1)["status"] == "draft"
        outsider.forge_press("bc:confirm:1", summary)
        await server.await_idle(quiet=0.3, timeout=TIMEOUT)
        kim.press(t("en", "broadcast.buttons.confirm"), summary)
        await server.await_for(lambda: len(update_sends(server)) >= 5, timeout=TIMEOUT)
        pause = t("en", "broadcast.buttons.pause")
        sam.press(pause, await with_button(server, group, summary["message_id"], pause))
        await server.await_for(lambda: store.get(1)["status"] == "paused", timeout=TIMEOUT)
        paused_at = time.time()
        await server.await_idle(quiet=1.5, timeout=TIMEOUT)
        during_pause = [moment for moment in update_sends(server) if moment > paused_at + 0.3]
        assert during_pause == []
        resume = t("en", "broadcast.buttons.resume")
        kim.press(resume, await with_button(server, group, summary["message_id"], resume))
        await server.await_for(lambda: store.get(1)["status"] == "done", timeout=TIMEOUT)
        await server.await_for(lambda: "finished" in server.message(group["id"], summary["message_id"])["text"],
                               timeout=TIMEOUT)
        kim.forge_press("bc:pause:1", summary)  # an old button after the end
        await server.await_idle(quiet=0.5, timeout=TIMEOUT)

    answers = {c.params.get("callback_query_id"): c.params for c in server.calls("answerCallbackQuery")}
    texts = [a.get("text", "") for a in answers.values()]
    assert t("en", "broadcast.needs_second") in texts and t("en", "broadcast.stale") in texts
    assert t("en", "support.user.staff_only") in texts  # the outsider's forged press
    for user_id, lang in expected.items():
        got = update_messages(server, user_id)
        assert len(got) == 1 and got[0].startswith("[fr]" if lang == "fr" else "[en]"), (user_id, got)
    assert "drafted" in caplog.text  # the capture did see the bot's logs
    for forbidden in ("hearing", "audience", *(str(user_id) for user_id in expected)):
        assert forbidden not in caplog.text
    final = server.message(group["id"], summary["message_id"])
    assert "Sent 30 · failed 0 · blocked 0 · remaining 0 · of 30" in final["text"] and not final.get("reply_markup")
    print("\n--- staff group ---\n" + transcript(server, group["id"]))
    print("--- the summary as first posted ---\n" + summary["text"])
    print("--- button presses and the bot's answers ---")
    for call in server.calls("answerCallbackQuery"):
        query = server.store.callbacks[call.params["callback_query_id"]]["query"]
        print(f"{query['from']['first_name']} pressed {query['data']}: {call.params.get('text', '(no text)')}")
    print("--- the status message, edit by edit ---")
    for edit in server.edits(group["id"]):
        if edit["message_id"] == summary["message_id"]:
            print(edit["text"].replace("\n", " | "))


@pytest.mark.parametrize("two_person", [False])
async def test_unconfirmed_sends_nothing_and_cancel_stops_within_a_second(
        server: FakeBotApi, tmp_path: Path, two_person: bool) -> None:
    """A discarded draft sends nothing; with one-person confirmation the author confirms twice; Cancel is prompt."""
    group = make_group(server, title="NGO staff")
    settings = staff_settings(server, tmp_path, group, send_rate_per_s=20, broadcast_two_person=two_person)
    seed(server, settings.db_path, 120)
    sam = FakeUser(server, SAM, "Sam", language_code="en")
    async with running(settings, None) as app:
        store = BroadcastStore(app.bot_data["services"].storage.db)
        summaries: list[dict[str, Any]] = []
        for _ in range(2):
            sam.send_command("/broadcast", chat=group)
            for text in ("[en] Hello", "-", "-", "-", "all"):
                await reply_to_prompt(server, sam, group, len(server.sent(group["id"])) + 1, text)
            summaries.append(await server.await_for(lambda: summary_number(server, group, len(summaries) + 1),
                                                    timeout=TIMEOUT))
        first, second = summaries
        sam.press(t("en", "broadcast.buttons.discard"), first)
        await server.await_idle(quiet=1.0, timeout=TIMEOUT)
        assert update_sends(server) == [] and store.get(1)["status"] == "discarded"
        sam.press(t("en", "broadcast.buttons.confirm"), second)
        again = t("en", "broadcast.buttons.confirm_again")
        armed = await with_button(server, group, second["message_id"], again)
        assert update_sends(server) == []  # one press is not enough
        sam.press(again, armed)
        await server.await_for(lambda: len(update_sends(server)) >= 10, timeout=TIMEOUT)
        cancel = t("en", "broadcast.buttons.cancel")
        sam.press(cancel, await with_button(server, group, second["message_id"], cancel))
        pressed = time.time()
        await server.await_for(lambda: store.get(2)["status"] == "cancelled", timeout=TIMEOUT)
        await server.await_idle(quiet=1.5, timeout=TIMEOUT)
        progress = store.progress(2)
    last_send = max(update_sends(server))
    assert last_send - pressed < 1.0
    assert progress.n("cancelled") > 0 and progress.n("sent") == len(update_sends(server)) < 120
    print(f"\ncancel: last send {last_send - pressed:+.2f} s after the press; {progress.n('sent')} sent, "
          f"{progress.n('cancelled')} cancelled")
