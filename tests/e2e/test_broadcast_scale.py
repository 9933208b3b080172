"""A campaign update to 1,000 people through the fake Bot API: the right people, once each, at the bot's pace.

The send limit is raised from Telegram's 30/s to 100/s so that the test takes seconds, not a minute; the fake
server enforces that same limit (a 429 for every message over it) and the measured rate is checked against it.
"""

from __future__ import annotations

import time
from pathlib import Path

from bot.broadcast.model import Draft
from bot.broadcast.store import BroadcastStore
from bot.core.assistant import Assistant
from tests.e2e.broadcast_helpers import FIRST_ID, TEXTS, seed, update_messages
from tests.e2e.conftest import bot_settings, running
from tests.fakebotapi import FakeBotApi, FakeUser, Limit, RateLimits

LIMIT = 100  # messages a second, for the bot and for the fake server alike
async def test_a_thousand_recipients_once_each_in_their_language_at_the_limit(
        server: FakeBotApi, assistant: Assistant, tmp_path: Path) -> None:
    """1,000 agreed, 10 withdraw with /updates off, 20 blocked the bot; three 429s; a question is answered quickly."""
    server.set_rate_limits(RateLimits(overall=Limit(LIMIT, 1.0)))
    settings = bot_settings(server, tmp_path / "data", send_rate_per_s=LIMIT, broadcast_backoff_s=0.2,
                            broadcast_concurrency=16)
    expected = seed(server, settings.db_path, 1000)
    ids = sorted(expected)
    blocked, withdrawn = set(ids[100:120]), ids[200:210]
    for user_id in blocked:
        server.block(user_id)
    asker = FakeUser(server, 777, "Asker", language_code="en")
    async with running(settings, assistant) as app:
        store = BroadcastStore(app.bot_data["services"].storage.db)
        for n, user_id in enumerate(withdrawn):
            user = FakeUser(server, user_id, f"U{user_id - FIRST_ID}", language_code=expected[user_id])
            if n % 2:
                user.send_command("/updates", "off")
            else:  # the button under /updates
                user.send_command("/updates")
                user.press("upd:off", (await server.await_messages(user_id, 1, timeout=10))[0])
        for user_id in withdrawn:
            await server.await_messages(user_id, 1, timeout=10)
        await server.await_for(lambda: all(store.consent_of(u) is None for u in withdrawn), timeout=10)

        started = time.monotonic()
        broadcast_id = store.create(Draft(TEXTS), None)
        assert store.confirm(broadcast_id, None) == 990
        app.bot_data["broadcaster"].wake.set()
        await server.await_for(lambda: store.progress(broadcast_id).n("sent") >= 300, timeout=30)
        server.inject_error("sendMessage", "Too Many Requests: retry after 1", 429, retry_after=1, times=3)
        await server.await_for(lambda: store.progress(broadcast_id).n("sent") >= 500, timeout=30)
        asked = time.monotonic()
        asker.send_text("Can Meta use my public Instagram photos to train its AI?")
        await server.await_messages(asker.id, 1, timeout=5)
        answer_s = time.monotonic() - asked
        done = await server.await_for(lambda: store.progress(broadcast_id).status == "done" or None, timeout=60)
        duration = time.monotonic() - started
        progress = store.progress(broadcast_id)
        assert done and progress.remaining == 0
        blocked_rows = store.db.query("SELECT user_id FROM broadcast_deliveries WHERE status = 'blocked'")

    for user_id, lang in expected.items():
        got = update_messages(server, user_id)
        if user_id in withdrawn or user_id in blocked:
            assert got == [], user_id
        else:
            assert len(got) == 1 and got[0].startswith(f"[{lang}]"), (user_id, lang, got)
    assert {row["user_id"] for row in blocked_rows} == blocked
    assert progress.counts == {"sent": 970, "blocked": 20}
    injected = [c for c in server.calls("sendMessage") if c.status == 429]
    assert len(injected) == 3 and server.rate_refusals == 0
    busiest = server.busiest_window(1.0)
    assert busiest <= LIMIT
    assert answer_s < 5.0
    print(f"\n1,000-recipient broadcast: {duration:.1f} s for 990 rows, {970 / duration:.0f} msg/s average, "
          f"busiest second {busiest} (limit {LIMIT}), 429s {len(injected)} injected + {server.rate_refusals} "
          f"from the limit, blocked {len(blocked_rows)}, question answered in {answer_s:.2f} s")
