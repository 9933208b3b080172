"""Limits in the machine's Redis, shared by two workers (two clients here): the bot's budget is one budget."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from bot.scale.limits import Pace, RedisFloodGuard, RedisRecentTopics, RedisSendLimiter, forget_user
from bot.telegram.services import RecentTopics


async def test_two_workers_share_one_overall_budget(redis_settings: dict[str, str]) -> None:
    """60 sends split over two limiters at 20/s take about 3 s, and no second holds more than 20 of them."""
    clients = [Redis.from_url(redis_settings["redis_url"]) for _ in range(2)]
    limiters = [RedisSendLimiter(c, redis_settings["redis_prefix"], Pace(overall_per_s=20)) for c in clients]
    times: list[float] = []

    async def send(index: int) -> None:
        await limiters[index % 2].acquire(None)
        times.append(time.monotonic())

    await asyncio.gather(*(send(i) for i in range(60)))
    times.sort()
    assert times[-1] - times[0] >= 2.8
    assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) <= 20
    for client in clients:
        await client.aclose()


async def test_a_chat_gets_one_message_a_second_whichever_worker_sends(redis_settings: dict[str, str]) -> None:
    """Three sends to one private chat from two workers are a second apart; another chat is not held up."""
    clients = [Redis.from_url(redis_settings["redis_url"]) for _ in range(2)]
    first, second = (RedisSendLimiter(c, redis_settings["redis_prefix"]) for c in clients)
    start = time.monotonic()
    stamps = []
    for limiter in (first, second, first):
        await limiter.acquire(42)
        stamps.append(time.monotonic() - start)
    await second.acquire(43)
    other = time.monotonic() - start - stamps[-1]
    assert stamps[1] - stamps[0] >= 0.9 and stamps[2] - stamps[1] >= 0.9
    assert other < 0.5
    for client in clients:
        await client.aclose()


async def test_flood_guard_counts_a_user_across_workers(redis_settings: dict[str, str]) -> None:
    """Limit 3: three questions pass wherever they land, the fourth gets one notice, the fifth is dropped."""
    clients = [Redis.from_url(redis_settings["redis_url"]) for _ in range(2)]
    guards = [RedisFloodGuard(c, redis_settings["redis_prefix"], 3, 10.0) for c in clients]
    verdicts = [await guards[i % 2].check(9) for i in range(5)]
    assert verdicts == ["ok", "ok", "ok", "notice", "drop"]
    assert await guards[0].check(10) == "ok"
    for client in clients:
        await client.aclose()


async def test_one_worker_without_redis_keeps_the_same_pace() -> None:
    """The in-process limiter has the same acquire(): 11 sends at 25/s take 0.4 s; a chat's second waits a second."""
    from bot.scale.limits import LocalSendLimiter

    limiter = LocalSendLimiter(Pace(overall_per_s=25))
    start = time.monotonic()
    for _ in range(11):
        await limiter.acquire(None)
    assert time.monotonic() - start >= 0.35
    await limiter.acquire(5)
    before = time.monotonic()
    await limiter.acquire(5)
    assert time.monotonic() - before >= 0.9


async def test_the_last_answers_topic_is_known_to_every_worker_and_forgotten(redis_settings: dict[str, str]) -> None:
    """A question answered on one worker, /human on the other: the hand-off names the topic; /forget erases it."""
    clients = [Redis.from_url(redis_settings["redis_url"]) for _ in range(2)]
    answered_on, handed_off_on = (RedisRecentTopics(c, redis_settings["redis_prefix"]) for c in clients)
    await answered_on.remember(7, "faq/how-to-object")
    assert await handed_off_on.last(7) == "faq/how-to-object"
    assert await handed_off_on.last(8) == ""
    await forget_user(clients[1], redis_settings["redis_prefix"], 7)
    assert await answered_on.last(7) == ""
    for client in clients:
        await client.aclose()


async def test_one_worker_without_redis_remembers_recent_topics_only() -> None:
    """In memory, the oldest users' topics make room for new ones, and /forget drops a user's."""
    topics = RecentTopics(keep=2)
    for user, topic in ((1, "faq/a"), (2, "faq/b"), (3, "faq/c")):
        await topics.remember(user, topic)
    assert [await topics.last(u) for u in (1, 2, 3)] == ["", "faq/b", "faq/c"]
    await topics.forget(None, 3)
    assert await topics.last(3) == ""
