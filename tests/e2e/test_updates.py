"""/updates on Telegram, and what happens to a send that fails: retried with backoff, then failed."""

from __future__ import annotations

from pathlib import Path

from bot.broadcast.model import Draft
from bot.broadcast.store import BroadcastStore
from bot.core.i18n import t
from tests.e2e.conftest import bot_settings, running
from tests.fakebotapi import FakeBotApi, FakeUser, make_group

TIMEOUT = 20.0


async def test_updates_shows_and_changes_the_choice_in_the_users_language(server: FakeBotApi, tmp_path: Path) -> None:
    """A French user switches updates on with the button and off with the command; a group gets a pointer."""
    settings = bot_settings(server, tmp_path / "data")
    user = FakeUser(server, 321, "Chloé", language_code="fr")
    group = make_group(server)
    async with running(settings, None) as app:
        store = BroadcastStore(app.bot_data["services"].storage.db)
        user.send_command("/updates")
        [shown] = await server.await_messages(user.id, 1, timeout=TIMEOUT)
        assert shown["text"].startswith("Nouvelles de la campagne : désactivées")
        user.press(t("fr", "updates.buttons.on"), shown)
        await server.await_for(lambda: "activées depuis" in server.message(user.id, shown["message_id"])["text"],
                               timeout=TIMEOUT)
        assert store.consent_of(user.id)["consent_version"] == t("en", "updates.consent_version")
        user.send_command("/updates", "off")
        off = (await server.await_messages(user.id, 2, timeout=TIMEOUT))[1]
        assert off["text"].startswith(t("fr", "updates.withdrawn")) and store.consent_of(user.id) is None
        user.send_command("/updates", chat=group)
        [pointer] = await server.await_messages(group["id"], 1, timeout=TIMEOUT)
        assert pointer["text"] == t("fr", "flows.private_only")


async def test_other_errors_are_retried_with_backoff_then_counted_as_failed(server: FakeBotApi, tmp_path: Path) -> None:
    """Two 502s and the third try gets through; three 502s with three tries allowed: failed, and never sent."""
    settings = bot_settings(server, tmp_path / "data", broadcast_max_attempts=3, broadcast_backoff_s=0.1,
                            broadcast_concurrency=1)
    user = FakeUser(server, 654, "Ben", language_code="en")
    async with running(settings, None) as app:
        store = BroadcastStore(app.bot_data["services"].storage.db)
        store.give_consent(user.id, "en", "updates", "v")
        for number, errors in enumerate((2, 3), start=1):
            server.inject_error("sendMessage", "Bad Gateway", 502, times=errors)
            store.confirm(store.create(Draft({"en": f"[en] update {number}"}), None), None)
            app.bot_data["broadcaster"].wake.set()
            await server.await_for(lambda n=number: store.progress(n).status == "done", timeout=TIMEOUT)
        rows = store.db.query("SELECT broadcast_id, status, attempts, error FROM broadcast_deliveries ORDER BY id")
    assert rows == [{"broadcast_id": 1, "status": "sent", "attempts": 3, "error": None},
                    {"broadcast_id": 2, "status": "failed", "attempts": 3, "error": "NetworkError"}]
    assert [m["text"] for m in server.sent(user.id)] == ["[en] update 1"]
