"""Claim an outgoing message in Redis at the last moment: when its request's first byte is about to be written.

A worker killed after the claim but before the write loses the message (the worker that takes the update over sees
the claim and does not send it); the other order could send it twice. So the claim waits for everything that can
wait: python-telegram-bot building the request, httpx getting a pooled connection or opening a new one. It is taken
in httpcore's `trace` callback at "send_request_headers.started", on a connection that is ours, and an already
claimed message aborts the request there, before any byte is written.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
from redis.asyncio import Redis
from telegram.error import NetworkError
from telegram.request import HTTPXRequest

T = TypeVar("T")
CLAIMED = b"claimed:"  # the value of a claim until the answer replaces it (what a recorded answer never starts with)
# The claim of the request the current task is making; the limiter sets it, the trace callback takes it.
_PENDING: contextvars.ContextVar[Claim | None] = contextvars.ContextVar("pending_claim", default=None)
# Delete the claim only if it is still this attempt's own (not an answer recorded since, nor another's claim).
_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


class AlreadySent(Exception):
    """Another attempt at this update claimed the message first: this request was stopped before its first byte."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class Claim:
    """The Redis mark of one outgoing message: taken just before the request is written, given back after a 429."""

    def __init__(self, redis: Redis, key: str, keep_s: int) -> None:
        self.redis, self.key, self.keep_s = redis, key, keep_s
        self.token = CLAIMED + uuid.uuid4().hex.encode()
        self.taken = False

    async def take(self) -> None:
        """SET NX the key; AlreadySent if someone holds it (this attempt's own claim is kept, not taken again)."""
        if self.taken:
            return
        if not await self.redis.set(self.key, self.token, nx=True, ex=self.keep_s):
            raise AlreadySent(self.key)
        self.taken = True

    async def release(self) -> None:
        """Give the claim back: Telegram refused the request (429), so nothing reached the chat."""
        if self.taken:
            await self.redis.eval(_RELEASE, 1, self.key, self.token)  # type: ignore[misc]
            self.taken = False


async def send(claim: Claim | None, call: Callable[[], Awaitable[T]]) -> T:
    """Make the request with `claim` pending; AlreadySent if it was claimed before the request was written."""
    token = _PENDING.set(claim)
    try:
        return await call()
    except NetworkError as exc:
        # httpx lets the callback's exception through; python-telegram-bot wraps what it does not know in
        # NetworkError("Unknown error in HTTP implementation") with the original as __cause__.
        if isinstance(exc.__cause__, AlreadySent):
            raise exc.__cause__ from None
        raise
    finally:
        _PENDING.reset(token)


async def _on_progress(event: str, _info: dict[str, Any]) -> None:
    """httpcore's trace: the connection is ours and nothing is written yet when the request headers start."""
    claim = _PENDING.get()
    if claim is not None and event.endswith(".send_request_headers.started"):
        await claim.take()


async def _trace_claimed(request: httpx.Request) -> None:
    """httpx's request hook (same task as the limiter): follow requests that carry a claim."""
    if _PENDING.get() is not None:
        request.extensions["trace"] = _on_progress


def claiming_request() -> HTTPXRequest:
    """The request ApplicationBuilder would build for the bot's calls (256 connections), taking claims late."""
    return HTTPXRequest(connection_pool_size=256, httpx_kwargs={"event_hooks": {"request": [_trace_claimed]}})
