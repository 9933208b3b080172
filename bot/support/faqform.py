"""The guided `/faq add`: questions per language, answers, citation ids, then confirmation; no Telegram here."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.core.i18n import t
from bot.core.textproc import fold
from bot.core.types import LANGS

SKIP = {"-", "–", "—"}
_REF = re.compile(r"[^\s,;]+")
SLUG_WORDS = 6


@dataclass
class FaqForm:
    """One staff member's vetted answer in progress."""

    questions: dict[str, list[str]] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    refs: list[str] = field(default_factory=list)
    step: int = 0

    def plan(self) -> list[tuple[str, str]]:
        """The steps: questions in every language, an answer for each language given, then the citation ids."""
        asked = [("questions", lang) for lang in LANGS]
        return [*asked, *(("answer", lang) for lang in LANGS if self.questions.get(lang)), ("refs", "")]

    @property
    def current(self) -> tuple[str, str] | None:
        """(kind, lang) of the step awaiting input, or None when only confirmation is left."""
        plan = self.plan()
        return plan[self.step] if self.step < len(plan) else None

    def prompt(self, lang: str) -> str:
        """What to ask the staff member now."""
        kind, code = self.current or ("", "")
        key = {"questions": "faq_questions", "answer": "faq_answer", "refs": "faq_refs"}.get(kind, "faq_confirm")
        language = t(lang, f"support.langs.{code}") if code else ""
        values = {"step": self.step + 1, "language": language} if kind else {}
        text = t(lang, f"support.staff.{key}", **values)
        return f"{summary(self.entry(), lang)}\n\n{text}" if not kind else text

    def accept(self, text: str, known: Callable[[str], bool], lang: str) -> str | None:
        """Take the staff member's input for the current step; an error text when it must be sent again."""
        kind, code = self.current or ("", "")
        text = text.strip()
        if kind == "questions":
            variants = [] if text in SKIP else [line.strip() for line in text.splitlines() if line.strip()]
            self.questions[code] = variants
            if code == LANGS[-1] and not any(self.questions.values()):
                self.step = 0
                return t(lang, "support.staff.faq_need_question", language=t(lang, f"support.langs.{LANGS[0]}"))
        elif kind == "answer":
            if not text or text in SKIP:
                return self.prompt(lang)
            self.answers[code] = text
        elif kind == "refs":
            refs = [] if text in SKIP else _REF.findall(text)
            unknown = [ref for ref in refs if not known(ref)]
            if unknown:
                return t(lang, "support.staff.faq_unknown_refs", refs=", ".join(unknown))
            self.refs = refs
        self.step += 1
        return None

    def entry(self) -> dict[str, Any]:
        """The entry as storage keeps it."""
        questions = {lang: variants for lang, variants in self.questions.items() if variants}
        return {"questions": questions, "answers": dict(self.answers), "refs": list(self.refs)}


def slugify(text: str, taken: Iterable[str] = ()) -> str:
    """A file-name-safe slug from a question's first words, numbered when already taken."""
    words = re.findall(r"[a-z0-9]+", fold(text))[:SLUG_WORDS] or ["entry"]
    base, taken_set, n = "-".join(words), set(taken), 1
    slug = base
    while slug in taken_set:
        n += 1
        slug = f"{base}-{n}"
    return slug


def first_question(entry: dict[str, Any]) -> str:
    """The first question variant, English first."""
    questions = entry.get("questions", {})
    return next((questions[lang][0] for lang in LANGS if questions.get(lang)), "")


def summary(entry: dict[str, Any], lang: str) -> str:
    """An entry in full, for confirmation and /faq show."""
    lines = []
    for code in LANGS:
        variants = entry.get("questions", {}).get(code)
        if variants:
            lines.append(f"[{code}] " + " | ".join(variants))
            lines.append(f"→ {entry.get('answers', {}).get(code, '')}")
    lines.append("⟶ " + (", ".join(entry.get("refs", [])) or "-"))
    return "\n".join(lines)
