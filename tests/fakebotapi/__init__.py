"""Fake Telegram Bot API server for integration tests of the bot (real HTTP, real PTB).

Usage::

    with FakeBotApi() as server:
        user = FakeUser(server, 1001, "Alice")
        app = Application.builder().token(server.token).base_url(server.base_url).build()
        ...
        user.send_text("bonjour")
        replies = await server.await_messages(user.id, 1)
"""

from .html_check import HtmlParseError, ParsedText, parse_html, utf16_len
from .params import ApiError
from .ratelimit import Limit, RateLimits
from .server import DEFAULT_TOKEN, FakeBotApi
from .store import Call
from .user import FakeUser, detect_entities, make_group

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "Call",
    "FakeBotApi",
    "FakeUser",
    "HtmlParseError",
    "Limit",
    "ParsedText",
    "RateLimits",
    "detect_entities",
    "make_group",
    "parse_html",
    "utf16_len",
]
