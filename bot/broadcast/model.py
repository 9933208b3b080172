"""What a campaign update is, who gets it, and how far it got: typed values shared by the store, engine and adapters."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from bot.core.types import LANGS

FALLBACK = "en"  # the text every update must have; recipients whose language is missing get it
# Delivery rows move pending -> sending -> one of the final states. `sending` is written before the request goes
# out, so a row still `sending` after a crash is the one send whose fate nobody knows (see engine.py).
FINAL = ("sent", "blocked", "failed", "uncertain", "cancelled", "withdrawn")
OPEN = ("pending", "sending")
# What staff can do to a broadcast (buttons and command line): the new status, and the statuses it may come from.
CONTROLS = {"pause": ("paused", ("running",)), "resume": ("running", ("paused",)),
            "cancel": ("cancelled", ("running", "paused"))}


@dataclass(frozen=True)
class Audience:
    """Who among the consenting people: optionally only some countries, only signed-up people, or only the others."""

    countries: tuple[str, ...] = ()
    signed_up: bool | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form for storage."""
        return {"countries": list(self.countries), "signed_up": self.signed_up}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Audience:
        """The stored form back."""
        countries = data.get("countries") or []
        signed = data.get("signed_up")
        return cls(tuple(str(c).upper() for c in countries), None if signed is None else bool(signed))  # type: ignore[union-attr]


@dataclass(frozen=True)
class Draft:
    """An update as staff wrote it: Telegram HTML per language, an optional button (label per language, one URL)."""

    texts: dict[str, str]
    button_labels: dict[str, str] = field(default_factory=dict)
    button_url: str | None = None
    audience: Audience = field(default_factory=Audience)

    def problems(self) -> list[str]:
        """Reasons the draft cannot be sent, as text keys ('' list when it can)."""
        found = []
        if not self.texts.get(FALLBACK, "").strip():
            found.append("broadcast.errors.no_english")
        if any(lang not in LANGS for lang in self.texts):
            found.append("broadcast.errors.unknown_lang")
        if bool(self.button_url) != bool(self.button_labels):
            found.append("broadcast.errors.button_half")
        elif self.button_url and not self.button_url.startswith(("https://", "http://")):
            found.append("broadcast.errors.button_url")
        return found

    def text_for(self, lang: str) -> str:
        """The text a recipient of this language gets."""
        return self.texts.get(lang) or self.texts[FALLBACK]

    def button_for(self, lang: str) -> tuple[str, str] | None:
        """(label, url) for this language, English label when missing; None without a button."""
        if not self.button_url:
            return None
        return self.button_labels.get(lang) or self.button_labels.get(FALLBACK, ""), self.button_url


@dataclass(frozen=True)
class Preview:
    """What staff see before confirming: recipients per recipient language, how many fall back, how long it takes."""

    per_lang: dict[str, int]
    fallbacks: int
    rate: float

    @property
    def total(self) -> int:
        """Everyone who would receive it."""
        return sum(self.per_lang.values())

    @property
    def eta_s(self) -> int:
        """Seconds at the broadcast's share of the send rate."""
        return eta(self.total, self.rate)


@dataclass(frozen=True)
class Progress:
    """A running or finished broadcast, in counts only (no user ids)."""

    broadcast_id: int
    status: str
    counts: dict[str, int]
    rate: float = 0.0  # measured messages per second, 0 when unknown
    elapsed_s: float = 0.0  # from confirmation to the end (or to now, while it runs)

    def n(self, state: str) -> int:
        """Rows in one state."""
        return self.counts.get(state, 0)

    @property
    def remaining(self) -> int:
        """Rows still to send."""
        return self.n("pending") + self.n("sending")

    @property
    def total(self) -> int:
        """Rows in the delivery list."""
        return sum(self.counts.values())


def eta(count: int, rate: float) -> int:
    """Whole seconds to send `count` messages at `rate` per second."""
    return math.ceil(count / rate) if rate > 0 else 0


def duration(seconds: float) -> str:
    """'45 s', '12 min 5 s', '2 h 3 min': short and language-neutral."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"
