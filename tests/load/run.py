"""`make loadtest`: nginx, workers, PostgreSQL, Redis, a Chroma server and the fake Bot API, played like Telegram.

Three runs in one go (two workers with one SIGKILLed at ~20 s, one worker, two workers), one table at the end.
Everything listens on 127.0.0.1; every loop is bounded.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from ingest.run import run_ingest
from tests.chromaserver import chroma_server
from tests.conftest import make_settings
from tests.fakebotapi import FakeBotApi, RateLimits
from tests.load.cluster import free_port, start_worker, stop, wait_ready
from tests.load.nginx import nginx
from tests.load.traffic import HEADER, question, tally, user
from tests.services import REDIS_URL, pg_database, redis_prefix

USERS = int(os.environ.get("LOADTEST_USERS", "2000"))
SECONDS = float(os.environ.get("LOADTEST_SECONDS", "60"))
WALKER = 5  # every fifth user starts the objection walkthrough and taps its first button
TAP = "fl:object:platforms:c:both"


async def _taps(server: FakeBotApi, walkers: list, done: asyncio.Event) -> dict[str, bool]:
    """Tap the first button once each walker's keyboard has arrived; query id -> answered later."""
    tapped: dict[int, str] = {}
    while not done.is_set():
        for person in walkers:
            if person.id in tapped:
                continue
            shown = next((m for m in server.bot_messages(person.id) if TAP in str(m.get("reply_markup"))), None)
            if shown is not None:
                tapped[person.id] = person.press(TAP, shown)["id"]
        await asyncio.sleep(0.5)
    return {query: False for query in tapped.values()}


async def scenario(name: str, workers: int, kill: bool, base_env: dict[str, str], logs: Path, users: int = USERS,
                   seconds: float = SECONDS) -> str:
    """One run on a fresh database, Redis prefix and fake API; the table row."""
    with pg_database() as pg_url, redis_prefix() as prefix, \
            FakeBotApi(rate_limits=RateLimits.telegram(), push_webhook=True) as server:
        ports = [free_port() for _ in range(workers)]
        env = {**base_env, "LEGALBOT_DATABASE_URL": pg_url, "LEGALBOT_REDIS_PREFIX": prefix,
               "LEGALBOT_TELEGRAM_TOKEN": server.token, "LEGALBOT_TELEGRAM_API_URL": server.url}
        with nginx(ports, logs / f"nginx-{workers}{'k' if kill else ''}") as public:
            processes = [start_worker(env, f"{public}/telegram", p, logs / f"{name}-{i}.log")
                         for i, p in enumerate(ports)]
            try:
                for port, process in zip(ports, processes, strict=True):
                    await asyncio.to_thread(wait_ready, port, process)
                row = await _play(server, processes, kill, name, users, seconds)
            finally:
                for process in processes:
                    stop(process)
    return row


async def _play(server: FakeBotApi, processes: list, kill: bool, name: str, count: int, seconds: float) -> str:
    """Post `count` updates over `seconds`, kill if asked, tap, wait for replies (bounded), count."""
    users = [user(server, i) for i in range(count)]
    walkers = [u for i, u in enumerate(users) if i % WALKER == WALKER - 1]
    done = asyncio.Event()
    tapper = asyncio.create_task(_taps(server, walkers, done))
    started = time.time()
    for index, person in enumerate(users):
        if kill and processes[0].poll() is None and time.time() - started >= seconds / 3:
            os.kill(processes[0].pid, signal.SIGKILL)
        person.send_text("/object" if person in walkers else question(index))
        await asyncio.sleep(max(0.0, started + (index + 1) * seconds / count - time.time()))
    deadline = time.time() + 600
    while time.time() < deadline and (tally(server, users, started).lost or server.store.updates):
        await asyncio.sleep(1)
    await asyncio.sleep(5)
    done.set()
    taps = await tapper
    taps_deadline = time.time() + 120
    while time.time() < taps_deadline and not all(server.callback_answer(q) for q in taps):
        await asyncio.sleep(1)
    counted = tally(server, users, started)
    unanswered = sum(1 for q in taps if not server.callback_answer(q))
    total = replace(counted, updates=counted.updates + len(taps), answered=counted.answered + len(taps) - unanswered,
                    lost=counted.lost + unanswered)
    return total.row(name)


def _ensure_nginx() -> None:
    """Install Debian's nginx when it is missing (the load test only; `make test` uses a Python proxy)."""
    if shutil.which("nginx") is None:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "nginx"], check=True)


def _plan() -> list[tuple[str, int, bool, int, float]]:
    """The runs: the issue's three at USERS over SECONDS, or with LOADTEST_RATES=5,10 two workers at each arrival rate
    (per second, for SECONDS) to find the rate this machine serves within the 2 s target."""
    rates = [float(r) for r in os.environ.get("LOADTEST_RATES", "").split(",") if r.strip()]
    if rates:
        return [(f"two workers, {r:g} a second", 2, False, round(r * SECONDS), SECONDS) for r in rates]
    return [("two workers, one SIGKILLed", 2, True, USERS, SECONDS), ("one worker", 1, False, USERS, SECONDS),
            ("two workers", 2, False, USERS, SECONDS)]


async def main() -> int:
    """Set up once (Chroma server with the index), run the scenarios, print the table."""
    _ensure_nginx()
    work = Path(tempfile.mkdtemp(prefix="legalbot-load-"))
    with chroma_server(work / "chroma", work / "chroma.log") as chroma_url:
        corpus = os.environ.get("LEGALBOT_CORPUS_DIR")
        ingest = make_settings(work / "data", chroma_url=chroma_url,
                               corpus_dir=Path(corpus) if corpus and Path(corpus).is_dir() else None)
        print(f"ingesting into the Chroma server at {chroma_url} …", flush=True)
        run_ingest(ingest, progress=False, say=lambda _line: None)
        base = {"LEGALBOT_CHROMA_URL": chroma_url, "LEGALBOT_REDIS_URL": REDIS_URL,
                "LEGALBOT_DATA_DIR": str(ingest.data_dir), "LEGALBOT_INBOX_LEASE_S": "5"}
        rows = []
        for name, workers, kill, users, seconds in _plan():
            print(f"running: {name} ({users} users over {seconds:.0f} s) …", flush=True)
            rows.append(await scenario(name, workers, kill, base, work, users, seconds))
    print(f"\nTelegram's limits on; logs in {work}\n{HEADER}")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
