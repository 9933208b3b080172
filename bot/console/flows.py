"""The walkthroughs in a terminal: the same Views as on Telegram, with numbered choices instead of buttons."""

from __future__ import annotations

from bot.core.flows import FlowSession, View
from bot.core.i18n import t
from bot.settings import Settings
from bot.storage import Storage, open_storage

CONSOLE_USER = 0  # the console has no Telegram id; its rows in the database use this one
RULE = "-" * 40  # frames a document (objection, complaint) so it is easy to select and copy


class ConsoleFlows:
    """Commands and numbered answers for one local user; remembers the tokens behind the last numbers."""

    def __init__(self, storage: Storage, settings: Settings, user_id: int = CONSOLE_USER) -> None:
        self.storage, self.settings, self.user_id = storage, settings, user_id
        self.tokens: list[str] = []

    @classmethod
    def from_settings(cls, settings: Settings) -> ConsoleFlows:
        """On the same SQLite database as the bot."""
        return cls(open_storage(settings.storage_target), settings)

    def handle(self, text: str, lang: str | None = None) -> list[str] | None:
        """Lines to print for a command, a number or a typed answer; None when the text is a question."""
        lang = lang or self.storage.get_lang(self.user_id) or "en"  # a number or a command has no language
        session = FlowSession(self.storage, self.settings, self.user_id, lang)
        command = text.split()[0].lower() if text.split() else ""
        actions = {"/object": lambda: session.start("object"), "/signup": lambda: session.start("signup"),
                   "/cancel": lambda: [session.cancel()], "/status": lambda: [session.status()],
                   "/mydata": lambda: [session.mydata()], "/forget": lambda: [session.forget_question()]}
        if command in actions:
            return self._lines(actions[command]())
        if text.isdigit() and self.tokens:
            number = int(text)
            if not 1 <= number <= len(self.tokens):
                return [t(lang, "flows.console_number", count=len(self.tokens))]
            return self._lines(session.press(self.tokens[number - 1]))
        views = session.text(text)
        return None if views is None else self._lines(views)

    def _lines(self, views: list[View]) -> list[str]:
        """Views as text; every button gets the next number, documents are framed."""
        lines: list[str] = []
        tokens: list[str] = []
        for view in views:
            if view.toast:
                lines.append(f"({view.toast})")
            if not view.text:
                continue  # an acknowledgement only: the numbers shown before stay valid
            lines.append(view.text)
            lines += self._numbered(view.buttons, tokens)
            for part in view.parts:
                framed = [part.text, RULE] if lines and lines[-1] == RULE else [RULE, part.text, RULE]
                lines += framed if not part.buttons else [part.text]
                lines += self._numbered(part.buttons, tokens)
            lines.append("")
        if any(view.text for view in views):
            self.tokens = tokens
        return lines

    @staticmethod
    def _numbered(rows: tuple, tokens: list[str]) -> list[str]:
        """'  3. Facebook' for each button, recording its token under that number."""
        lines = []
        for row in rows:
            for button in row:
                tokens.append(button.action)
                lines.append(f"  {len(tokens)}. {button.label}")
        return lines
