"""Two webhook workers behind a proxy, one killed midway: every update answered once, Telegram's limit kept."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

from ingest.run import run_ingest
from tests.chromaserver import chroma_server
from tests.conftest import make_settings
from tests.fakebotapi import FakeBotApi, RateLimits
from tests.load.cluster import free_port, start_worker, stop, wait_ready
from tests.load.proxy import RoundRobinProxy
from tests.load.traffic import HEADER, question, tally, user

USERS = 200
ARRIVALS_PER_S = 40


async def test_two_workers_one_killed_lose_nothing_and_repeat_nothing(
    pg_url: str, redis_settings: dict[str, str], tmp_path: Path
) -> None:
    """200 users ask at 40/s; worker A is SIGKILLed after 2.5 s; all 200 get exactly one answer, 429s ≤ 1%."""
    with (chroma_server(tmp_path / "chroma", tmp_path / "chroma.log") as chroma_url,
          FakeBotApi(rate_limits=RateLimits.telegram(), push_webhook=True) as server):
        # Our knowledge texts (not the official corpus: this test is about delivery, not retrieval quality).
        run_ingest(make_settings(tmp_path / "ingest", corpus_dir=None, chroma_url=chroma_url), progress=False,
                   say=lambda _line: None)
        ports = [free_port(), free_port()]
        proxy = await RoundRobinProxy(ports).start()
        env = {"LEGALBOT_TELEGRAM_TOKEN": server.token, "LEGALBOT_TELEGRAM_API_URL": server.url,
               "LEGALBOT_DATABASE_URL": pg_url, "LEGALBOT_INBOX_LEASE_S": "3", "LEGALBOT_CHROMA_URL": chroma_url,
               "LEGALBOT_REDIS_URL": redis_settings["redis_url"],
               "LEGALBOT_REDIS_PREFIX": redis_settings["redis_prefix"]}
        url = f"http://127.0.0.1:{proxy.port}/telegram"
        # Passages and vectors come from the Chroma server; the data folder lends only ingest's ONNX export of the
        # embedding model (without it a worker embeds with torch, twice as slow on this 2-core machine).
        env["LEGALBOT_DATA_DIR"] = str(tmp_path / "ingest")
        workers = [start_worker(env, url, port, tmp_path / f"w{i}.log") for i, port in enumerate(ports)]
        try:
            for port, process in zip(ports, workers, strict=True):
                await asyncio.to_thread(wait_ready, port, process)
            users = [user(server, i) for i in range(USERS)]
            started = time.time()
            for index, person in enumerate(users):
                if index == int(2.5 * ARRIVALS_PER_S):
                    os.kill(workers[0].pid, signal.SIGKILL)
                person.send_text(question(index))
                await asyncio.sleep(1 / ARRIVALS_PER_S)
            await server.await_for(lambda: not server.store.updates, 90.0, what="every update delivered")
            deadline = time.monotonic() + 240
            while tally(server, users, started).answered < USERS and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
            await asyncio.sleep(4.0)  # longer than the lease: a repeat from a taken-over update would show by now
            result = tally(server, users, started)
        finally:
            for process in workers:
                stop(process)
            await proxy.stop()
    print(f"\n{HEADER}\n{result.row('two workers, one killed at 2.5 s')}")
    assert workers[0].returncode == -signal.SIGKILL
    assert (result.lost, result.duplicates, result.errors) == (0, 0, 0), result
    assert result.too_many <= 0.01 * result.sends
    assert server.internal_errors == []
