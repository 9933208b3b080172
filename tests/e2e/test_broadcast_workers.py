"""A campaign update on the scale-out set-up: two webhook workers on PostgreSQL + Redis, through the fake Bot API.

Both workers look for broadcasts that need a sender; the lease lets one of them send it, at the bot-wide budget kept
in Redis, while questions that land on either worker are answered ahead of the broadcast's sends. Each worker is given
its own URL of the fake server (`url_via`), so every request it makes is recorded with its name.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.broadcast.model import Draft
from bot.broadcast.store import BroadcastStore
from bot.storage.database import Database
from tests.e2e.broadcast_helpers import TEXTS, seed, update_messages
from tests.fakebotapi import FakeBotApi, FakeUser, Limit, RateLimits
from tests.load.cluster import free_port, start_worker, stop, wait_ready
from tests.load.proxy import RoundRobinProxy

LIMIT = 50  # messages a second, for the bot and the fake server alike: a broadcast of a few seconds
RECIPIENTS = 300
QUESTIONS = 6


def workers_env(server: FakeBotApi, pg_url: str, redis_settings: dict[str, str], data: Path, name: str) -> dict:
    """One worker's settings as a deployment gives them (each its own empty data folder: it needs no files)."""
    data.mkdir()
    return {"LEGALBOT_TELEGRAM_TOKEN": server.token, "LEGALBOT_TELEGRAM_API_URL": server.url_via(name),
            "LEGALBOT_DATABASE_URL": pg_url, "LEGALBOT_REDIS_URL": redis_settings["redis_url"],
            "LEGALBOT_REDIS_PREFIX": redis_settings["redis_prefix"], "LEGALBOT_DATA_DIR": str(data),
            "LEGALBOT_SEND_RATE_PER_S": str(LIMIT), "LEGALBOT_BROADCAST_CONCURRENCY": "16"}


async def test_two_workers_one_sender_each_recipient_once_at_the_limit_and_questions_answered_first(
        pg_url: str, redis_settings: dict[str, str], tmp_path: Path) -> None:
    """300 agreed, 15 blocked; one worker sends the update; questions asked meanwhile, the other worker's too, are
    answered within a second."""
    with FakeBotApi(rate_limits=RateLimits(overall=Limit(LIMIT, 1.0)), push_webhook=True) as server:
        expected = seed(server, pg_url, RECIPIENTS)  # type: ignore[arg-type]  (a database URL opens PostgreSQL)
        blocked = set(sorted(expected)[40:55])
        for user_id in blocked:
            server.block(user_id)
        askers = [FakeUser(server, 880_000 + n, f"Asker{n}", language_code="en") for n in range(QUESTIONS)]
        ports = [free_port(), free_port()]
        proxy = await RoundRobinProxy(ports).start()
        url = f"http://127.0.0.1:{proxy.port}/telegram"
        workers = [start_worker(workers_env(server, pg_url, redis_settings, tmp_path / name, name), url, port,
                                tmp_path / f"{name}.log", module="tests.e2e.workerprocess")
                   for name, port in zip(("w0", "w1"), ports, strict=True)]
        db = Database(pg_url)
        store = BroadcastStore(db)
        try:
            await asyncio.gather(*(asyncio.to_thread(wait_ready, port, process)
                                   for port, process in zip(ports, workers, strict=True)))
            started = time.monotonic()
            broadcast_id = store.create(Draft(TEXTS), None)
            assert store.confirm(broadcast_id, None) == RECIPIENTS
            await server.await_for(lambda: store.progress(broadcast_id).n("sent") >= 40, timeout=15)
            answer_s = []
            for asker in askers:  # the proxy takes turns: questions reach both workers
                asked = time.monotonic()
                asker.send_text("Can my employer read my e-mails?")
                await server.await_messages(asker.id, 1, timeout=5)
                answer_s.append(time.monotonic() - asked)
            sending_meanwhile = store.progress(broadcast_id).n("pending") > 0
            await server.await_for(lambda: store.progress(broadcast_id).status == "done", timeout=30)
            duration = time.monotonic() - started
            await asyncio.sleep(0.5)  # a repeat by the other worker would show by now
            progress = store.progress(broadcast_id)
            blocked_rows = {row["user_id"] for row in db.query(
                "SELECT user_id FROM broadcast_deliveries WHERE status = 'blocked'")}
        finally:
            db.close()
            for process in workers:
                stop(process)
            await proxy.stop()

    for user_id, lang in expected.items():
        got = update_messages(server, user_id)
        assert got == [] if user_id in blocked else (len(got) == 1 and got[0].startswith(f"[{lang}]")), (user_id, got)
    assert blocked_rows == blocked and progress.counts == {"sent": RECIPIENTS - len(blocked), "blocked": len(blocked)}
    sends = [call for call in server.calls("sendMessage")
             if call.params.get("text", "")[:4] in ("[en]", "[fr]", "[de]")]
    senders = {call.client for call in sends}
    assert len(senders) == 1 and len(sends) == RECIPIENTS, (senders, len(sends))  # one worker, one request each
    replies = {asker.id: [call.client for call in server.calls("sendMessage")
                          if str(call.params.get("chat_id")) == str(asker.id)] for asker in askers}
    assert all(len(by) == 1 for by in replies.values()), replies
    answered_by = [by[0] for by in replies.values()]
    # Whichever worker claims a question from the inbox answers it; the idle one is the quicker to, and its answers
    # go ahead of the other worker's broadcast only through the budget kept in Redis.
    assert {"w0", "w1"} - senders <= set(answered_by), answered_by
    assert sending_meanwhile and max(answer_s) < 1.0, answer_s
    busiest = server.busiest_window(1.0)
    assert busiest <= LIMIT and server.rate_refusals == 0 and server.internal_errors == []
    print(f"\ntwo workers on PostgreSQL + Redis: {RECIPIENTS} recipients sent by {min(senders)} in {duration:.1f} s "
          f"({(RECIPIENTS - len(blocked)) / duration:.0f} msg/s), busiest second {busiest} (limit {LIMIT}), "
          f"blocked {len(blocked_rows)}; questions answered in {', '.join(f'{s:.2f}' for s in answer_s)} s "
          f"by {', '.join(answered_by)}")
