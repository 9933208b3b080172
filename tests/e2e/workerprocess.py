"""`legalbot run --webhook URL ...` on PostgreSQL + Redis without an answer index, as a child process of a test.

`python -m tests.e2e.workerprocess run --webhook URL --listen HOST --port PORT` is the real command and the real
worker (inbox, shared limits, broadcast sender); only loading the embedding model is skipped. A worker whose index
is empty does not use it (questions are told the index is being prepared), and loading it takes ~10 s a process here.
"""

from __future__ import annotations

import sys

import bot.telegram.app
from bot.__main__ import main

if __name__ == "__main__":
    bot.telegram.app.load_assistant = lambda _settings: None  # what an empty index gives, without the model
    sys.exit(main())
