"""Method registry: Bot API method name -> handler(ctx, params) returning the JSON result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .params import Params
from .store import Store


@dataclass(frozen=True)
class Context:
    """What a handler may use: the shared state and the server's behaviour switches."""

    store: Store
    bot_info: dict[str, Any]
    strict_html: bool


Handler = Callable[[Context, Params], Any]
HANDLERS: dict[str, Handler] = {}


def method(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler; Telegram matches method names case-insensitively."""

    def register(handler: Handler) -> Handler:
        for name in names:
            HANDLERS[name.lower()] = handler
        return handler

    return register
