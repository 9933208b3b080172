"""A console chat on the same engine as the Telegram bot, for operators and people without Telegram."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable

from bot.console.flows import ConsoleFlows
from bot.core.assistant import Assistant
from bot.core.compose import render_plain
from bot.core.i18n import t
from bot.settings import Settings


def chat_loop(assistant: Assistant, lines: Iterable[str], say: Callable[[str], None], lang: str | None = None,
              flows: ConsoleFlows | None = None) -> None:
    """Answer each line until end of input or /quit; `/lang xx` switches the language; /object etc. guide."""
    flows = flows or ConsoleFlows.from_settings(assistant.settings)
    for line in lines:
        text = line.strip()
        if not text:
            continue
        if text in ("/quit", "/exit"):
            break
        if text.startswith("/lang"):
            lang = text.split()[1] if len(text.split()) > 1 else None
            say(f"lang = {lang or 'auto'}")
            continue
        replies = flows.handle(text, lang)
        if replies is not None:
            for reply in replies:
                say(reply)
            continue
        if len(text) > assistant.settings.max_question_chars:
            say(t(lang or assistant.language_of(text), "answer.too_long", length=len(text),
                  limit=assistant.settings.max_question_chars))
            continue
        say(render_plain(assistant.ask(text, lang)))
        say("")


def run_console(settings: Settings) -> int:
    """Interactive chat on stdin/stdout."""
    print("Loading the knowledge base…", flush=True)
    assistant = Assistant.from_settings(settings)
    print("Ask a question about Meta's AI training and your GDPR rights (/lang fr|de|en, /quit to leave).")
    print("Walkthroughs: /object, /signup (answer with the numbers), /status, /mydata, /forget, /cancel.")

    def prompt() -> Iterable[str]:
        while True:
            try:
                yield input("> ")
            except EOFError:
                return

    chat_loop(assistant, prompt() if sys.stdin.isatty() else sys.stdin, print)
    return 0
