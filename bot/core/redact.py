"""Remove e-mail addresses and phone numbers from text kept for staff (unanswered questions)."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Nine or more digits with optional separators: phone numbers, while dates (8 digits), article
# numbers and "2016/679" survive.
_PHONE = re.compile(r"(?<![\w/])(?:\+|00)?\d(?:[\s./-]?\(?\d\)?){8,}(?![\w/])")


def redact(text: str) -> str:
    """The text with e-mail addresses and phone numbers replaced by placeholders."""
    return _PHONE.sub("[phone]", _EMAIL.sub("[email]", text))
