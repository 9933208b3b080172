"""Logging that never shows the bot token, message texts or names."""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"bot\d+:[\w-]+|\b\d{6,12}:[\w-]{30,}")


class TokenFilter(logging.Filter):
    """Masks anything shaped like a bot token in every log record (URLs of httpx and PTB contain it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message with tokens masked."""
        message = record.getMessage()
        if _TOKEN.search(message):
            record.msg = _TOKEN.sub("bot<token>", message)
            record.args = ()
        return True


def secure_logging() -> None:
    """Silence request-URL logging and mask tokens on every handler, present and future."""
    # httpx logs each request URL (with the token) at INFO; PTB's DEBUG logs dump whole updates (with texts).
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("telegram", "telegram.ext", "telegram.ext.Updater", "telegram.Bot"):
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLogger(name).level))
    token_filter = TokenFilter()
    root = logging.getLogger()
    if not any(isinstance(f, TokenFilter) for f in root.filters):
        root.addFilter(token_filter)
    for handler in root.handlers:
        if not any(isinstance(f, TokenFilter) for f in handler.filters):
            handler.addFilter(token_filter)
