"""The bot's real Application, without an answer index, as a child process that a test can SIGKILL.

`python -m tests.e2e.botprocess` reads its settings from LEGALBOT_* like `legalbot run`; loading the index and model
(half a minute here) would only slow the restart test down, and the sender does not use them.
"""

from __future__ import annotations

import logging

from telegram import Update

from bot.settings import get_settings
from bot.telegram.app import build_application


def main() -> None:
    """Poll the configured Bot API until killed."""
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    build_application(settings, assistant=None).run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
