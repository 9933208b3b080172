"""The staff's summary of a draft (counts per language, fallbacks, duration) and the command line's file format."""

from __future__ import annotations

import re

from bot.broadcast.html import html_problem
from bot.broadcast.model import Audience, Draft, Preview, Progress, duration, eta
from bot.core.i18n import t
from bot.core.types import LANGS
from bot.errors import LegalbotError
from bot.support.tickets import STAFF_LANG

_SECTION = re.compile(r"^##\s+(\w+)\s*$")
_BUTTON = re.compile(r"^button:\s*(.+)$", re.IGNORECASE)


def summary(preview: Preview, draft: Draft, lang: str) -> str:
    """Recipients per language, how many get English instead, and how long the sending takes."""
    counts = ", ".join(f"{code} {preview.per_lang.get(code, 0)}" for code in LANGS)
    lines = [t(lang, "broadcast.preview.recipients", total=preview.total, counts=counts),
             t(lang, "broadcast.preview.languages", langs=", ".join(sorted(draft.texts))),
             t(lang, "broadcast.preview.fallbacks", fallbacks=preview.fallbacks),
             t(lang, "broadcast.preview.audience", audience=describe(draft.audience, lang)),
             t(lang, "broadcast.preview.eta", eta=duration(preview.eta_s), rate=f"{preview.rate:g}")]
    if draft.button_url:
        lines.append(t(lang, "broadcast.preview.button", url=draft.button_url))
    return "\n".join(lines)


def describe(audience: Audience, lang: str) -> str:
    """'everyone who agreed', or the filters in words."""
    parts = []
    if audience.countries:
        parts.append(t(lang, "broadcast.audience.countries", countries=", ".join(audience.countries)))
    if audience.signed_up is not None:
        parts.append(t(lang, "broadcast.audience.signed" if audience.signed_up else "broadcast.audience.unsigned"))
    return "; ".join(parts) or t(lang, "broadcast.audience.all")


def parse_file(text: str, audience: Audience | None = None, url: str | None = None) -> Draft:
    """FILE.md: one section per language, each starting with '## en', '## fr' or '## de'.

    A section's last line may be 'button: Label' (with --button-url). Lines before the first section are ignored
    (a title or notes for the team).
    """
    texts: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        match = _SECTION.match(line)
        if match:
            current = match.group(1).lower()
            if current not in LANGS:
                raise LegalbotError(f"Unknown language section '## {current}' (use en, fr or de).")
            if current in texts:
                raise LegalbotError(f"The section '## {current}' appears twice.")
            texts[current] = []
        elif current is not None:
            texts[current].append(line)
    bodies, labels = {}, {}
    for lang, lines in texts.items():
        while lines and not lines[-1].strip():
            lines.pop()
        button = _BUTTON.match(lines[-1].strip()) if lines else None
        if button:
            labels[lang] = button.group(1).strip()
            lines.pop()
        body = "\n".join(lines).strip()
        problem = html_problem(body) if body else None
        if problem:
            raise LegalbotError(f"The '## {lang}' section is not HTML as Telegram accepts it: {problem}.")
        if body:
            bodies[lang] = body
    draft = Draft(bodies, labels, url, audience or Audience())
    problems = draft.problems()
    if problems:
        raise LegalbotError(" ".join(t("en", key) for key in problems))
    return draft


def status_text(progress: Progress, rate_limit: float, lang: str = STAFF_LANG) -> str:
    """Where a broadcast stands: counts, rate and time left; no user ids (the staff group and the CLI)."""
    key = f"broadcast.status.{progress.status}"
    rate = progress.rate or rate_limit
    lines = [t(lang, key, id=progress.broadcast_id),
             t(lang, "broadcast.status.counts", sent=progress.n("sent"), failed=progress.n("failed"),
               blocked=progress.n("blocked"), remaining=progress.remaining, total=progress.total)]
    if progress.n("uncertain") or progress.n("withdrawn"):
        lines.append(t(lang, "broadcast.status.others", uncertain=progress.n("uncertain"),
                       withdrawn=progress.n("withdrawn")))
    if progress.status in ("done", "cancelled"):
        lines.append(t(lang, "broadcast.status.took", duration=duration(progress.elapsed_s)))
    if progress.status == "running":
        lines.append(t(lang, "broadcast.status.pace", rate=f"{progress.rate:.1f}",
                       eta=duration(eta(progress.remaining, rate))))
    return "\n".join(lines)
