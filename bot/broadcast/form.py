"""The staff's guided /broadcast form, transport-free: one answer per step, checked, then a Draft."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.broadcast.html import html_problem
from bot.broadcast.model import FALLBACK, Audience, Draft
from bot.core.i18n import t
from bot.core.types import LANGS

STEPS = ("text_en", "text_fr", "text_de", "button", "audience")
SKIP = "-"
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_LABEL = re.compile(r"^(en|fr|de)\s*[:=]\s*(.+)$", re.IGNORECASE)
MAX_LABEL = 64


@dataclass
class BroadcastForm:
    """Answers so far; `current` is the step waiting for an answer, None when the form is complete."""

    texts: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    url: str | None = None
    audience: Audience = field(default_factory=Audience)
    step: int = 0
    problem: str | None = None  # what the HTML check found, for the message
    redo: bool = False  # one step asked again after the preview: then straight back to the preview

    @property
    def current(self) -> str | None:
        """The step waiting for an answer."""
        return STEPS[self.step] if self.step < len(STEPS) else None

    def prompt(self, lang: str) -> str:
        """What to reply at the current step."""
        current = self.current or "done"
        return t(lang, f"broadcast.form.{current}", step=self.step + 1, steps=len(STEPS))

    def back_to(self, text_lang: str) -> None:
        """Ask again for one language's text (Telegram refused its HTML in the preview)."""
        self.texts.pop(text_lang, None)
        self.step, self.redo = STEPS.index(f"text_{text_lang}"), True

    def accept(self, answer: str) -> str | None:
        """Take the answer to the current step; a text key explaining the problem, or None when accepted."""
        answer = answer.strip()
        current = self.current
        if current is None:
            return None
        if current.startswith("text_"):
            problem = self._text(current[len("text_"):], answer)
        elif current == "button":
            problem = self._button(answer)
        else:
            problem = self._audience(answer)
        if problem is None:
            self.step = len(STEPS) if self.redo else self.step + 1
            self.redo = False
        return problem

    def _text(self, lang: str, answer: str) -> str | None:
        """English is required; other languages may be skipped with '-'."""
        if answer == SKIP and lang != FALLBACK:
            return None
        if not answer or answer == SKIP:
            return "broadcast.errors.no_english"
        self.problem = html_problem(answer)
        if self.problem:
            return "broadcast.errors.html_local"
        self.texts[lang] = answer
        return None

    def _button(self, answer: str) -> str | None:
        """'-', or a URL on the first line and 'en: label' lines (English required)."""
        if answer == SKIP:
            return None
        lines = [line.strip() for line in answer.splitlines() if line.strip()]
        url, labels = lines[0] if lines else "", {}
        for line in lines[1:]:
            match = _LABEL.match(line)
            if not match or len(match.group(2)) > MAX_LABEL:
                return "broadcast.errors.button_format"
            labels[match.group(1).lower()] = match.group(2).strip()
        if not url.startswith("https://") or " " in url or FALLBACK not in labels:
            return "broadcast.errors.button_format"
        self.url, self.labels = url, labels
        return None

    def _audience(self, answer: str) -> str | None:
        """'all', country codes, and 'signed' or 'unsigned', in any order."""
        countries: list[str] = []
        signed: bool | None = None
        for word in answer.replace(",", " ").lower().split():
            if word == "all":
                continue
            if word in ("signed", "unsigned"):
                signed = word == "signed"
            elif _COUNTRY.match(word):
                countries.append(word.upper())
            else:
                return "broadcast.errors.audience_format"
        if not answer:
            return "broadcast.errors.audience_format"
        self.audience = Audience(tuple(countries), signed)
        return None

    def draft(self) -> Draft:
        """The finished form as a Draft."""
        return Draft({lang: self.texts[lang] for lang in LANGS if lang in self.texts}, dict(self.labels), self.url,
                     self.audience)
