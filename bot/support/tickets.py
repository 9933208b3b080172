"""Hand-off rules without Telegram: who may use staff commands, ticket headers, and what a /close names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.i18n import t
from bot.settings import Settings

# Messages the bot posts in the staff group on its own (headers, notices) use this language; replies to a staff
# member's command use that member's language.
STAFF_LANG = "en"


@dataclass(frozen=True)
class Sender:
    """The parts of a Telegram user the hand-off may show, and only with their consent."""

    first_name: str
    last_name: str = ""
    username: str = ""

    def label(self) -> str:
        """'Ana Silva (@ana)'."""
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return f"{name} (@{self.username})" if self.username else name


def is_staff(settings: Settings, user_id: int | None) -> bool:
    """True for the user ids in LEGALBOT_STAFF_IDS."""
    return user_id is not None and user_id in settings.staff_ids


def staff_allowed(settings: Settings, user_id: int | None, chat_id: int, chat_type: str) -> bool:
    """Staff commands: staff only, and only in the staff group or their own private chat with the bot."""
    if not is_staff(settings, user_id):
        return False
    in_staff_group = settings.support_chat_id is not None and chat_id == settings.support_chat_id
    return in_staff_group or (chat_type == "private" and chat_id == user_id)


def header(ticket: dict[str, Any], lang: str, sender: Sender | None = None) -> str:
    """The line staff see above a ticket's messages: number, language, topic, and the name only with consent."""
    who = t(lang, "support.staff.named", name=sender.label()) if sender and ticket.get("show_name") else \
        t(lang, "support.staff.anonymous")
    topic = ticket.get("topic") or t(lang, "support.staff.no_topic")
    return t(lang, "support.staff.header", ticket=ticket["id"], code=ticket["lang"], topic=topic, who=who)


def ticket_number(args: list[str]) -> int | None:
    """The ticket number in '/close 12' or '/close #12', else None."""
    if not args:
        return None
    text = args[0].lstrip("#")
    return int(text) if text.isdigit() else None


def split_draft_args(args: list[str], langs: tuple[str, ...]) -> tuple[str | None, str]:
    """'/draft fr question…' -> ('fr', 'question…'); without a language code -> (None, 'question…')."""
    if args and args[0].lower() in langs:
        return args[0].lower(), " ".join(args[1:]).strip()
    return None, " ".join(args).strip()
