"""Choose the process-local limits (one worker, as before) or the Redis-shared ones (several workers)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram.ext import BaseRateLimiter
from telegram.request import BaseRequest

from bot.broadcast.budget import LocalBudget
from bot.scale.limits import LocalSendLimiter, Pace, SendLimiter
from bot.settings import Settings
from bot.telegram.ratelimit import ChatRateLimiter
from bot.telegram.services import FloodGuard, RecentTopics


@dataclass
class Limits:
    """The rate limiter for python-telegram-bot, the flood guard, a send limiter for other senders (broadcasts), what
    /forget must also erase, and the bot's request when the limiter needs its own (None: python-telegram-bot's)."""

    rate_limiter: BaseRateLimiter[Any]
    flood: Any
    sends: SendLimiter
    forget_hook: Callable[[Any, int], Awaitable[None]] | None = None
    redis: Any = None
    request: BaseRequest | None = None
    topics: Any = None  # the topic of each user's last answer: RecentTopics in memory, or RedisRecentTopics


def limits_for(settings: Settings) -> Limits:
    """Redis-shared limits when LEGALBOT_REDIS_URL is set, else today's in-process ones."""
    pace = Pace(overall_per_s=settings.send_rate_per_s)
    if not settings.redis_url:
        # Broadcasts draw on the ChatRateLimiter's budget; other sends outside python-telegram-bot share none.
        topics = RecentTopics()
        return Limits(ChatRateLimiter(budget=LocalBudget(settings.send_rate_per_s)),
                      FloodGuard(settings.flood_limit, settings.flood_window_s),
                      LocalSendLimiter(pace), forget_hook=topics.forget, topics=topics)
    from redis.asyncio import Redis

    from bot.scale.budget import RedisBudget
    from bot.scale.claims import claiming_request
    from bot.scale.limits import RedisFloodGuard, RedisRecentTopics, RedisSendLimiter, forget_user
    from bot.scale.sending import SharedRateLimiter

    redis = Redis.from_url(settings.redis_url)
    prefix = settings.redis_prefix
    limiter = RedisSendLimiter(redis, prefix, pace)
    budget = RedisBudget(redis, prefix, settings.send_rate_per_s)

    async def forget(_context: Any, user_id: int) -> None:
        """/forget: the user's flood counters, pace and last topic go too."""
        await forget_user(redis, prefix, user_id)

    return Limits(
        SharedRateLimiter(limiter, budget, redis, prefix),
        RedisFloodGuard(redis, prefix, settings.flood_limit, settings.flood_window_s),
        limiter,
        forget,
        redis,
        claiming_request(),  # the limiter's claims are taken in the HTTP layer, just before a request is written
        RedisRecentTopics(redis, prefix),
    )
