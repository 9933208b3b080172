"""Telegram's traffic for the kill test and the load run: users who ask in three languages, and what came back."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass

from bot.core.i18n import t
from tests.fakebotapi import FakeBotApi, FakeUser

QUESTIONS = {
    "en": ["Can I object to Meta using my posts to train its AI?", "What is the deadline to object?",
           "Does objecting delete my Instagram account?", "What is the collective action about?"],
    "fr": ["Puis-je m'opposer à l'utilisation de mes photos par Meta pour son IA ?",
           "Quelle est la date limite pour m'opposer ?", "Comment rejoindre l'action collective ?"],
    "de": ["Kann ich der Nutzung meiner Fotos für Metas KI widersprechen?",
           "Bis wann muss ich widersprechen?", "Was ist die Sammelklage gegen Meta?"],
}
FIRST_USER = 8_100_000_000  # above 2**32: ids as big as Telegram's newest users


def user(server: FakeBotApi, index: int) -> FakeUser:
    """The index-th user, with a language of the three."""
    lang = ("en", "fr", "de")[index % 3]
    return FakeUser(server, FIRST_USER + index, f"User {index}", language_code=lang)


def question(index: int) -> str:
    """The index-th user's question, in their language."""
    options = QUESTIONS[("en", "fr", "de")[index % 3]]
    return options[(index // 3) % len(options)]


@dataclass(frozen=True)
class Tally:
    """What the users saw, and what the fake API counted."""

    updates: int
    answered: int
    lost: int
    duplicates: int
    errors: int
    sends: int
    too_many: int
    p50: float
    p95: float
    seconds: float

    def row(self, name: str) -> str:
        """One line of the report table."""
        return (f"| {name} | {self.updates / self.seconds:.1f} | {self.p50:.2f} s / {self.p95:.2f} s | "
                f"{self.too_many} of {self.sends} | {self.answered / self.updates:.2f} | {self.lost} | "
                f"{self.duplicates} | {self.errors} |")


HEADER = ("| set-up | updates/s handled | p50 / p95 POST→reply | 429s of sends | replies per update | lost | "
          "duplicates | apologies |\n|---|---|---|---|---|---|---|---|")


def tally(server: FakeBotApi, users: list[FakeUser], started: float) -> Tally:
    """Count answered users, repeated messages (the same text twice in a chat) and POST→first reply times."""
    calls = server.calls()
    sends = [c for c in calls if c.method.lower() in ("sendmessage", "editmessagetext")]
    delivered = [c for c in sends if c.ok]
    first: dict[int, float] = {}
    texts: Counter[tuple[int, str]] = Counter()
    # Replies that are no answer: the apology for an error, and "the knowledge base is being prepared".
    apologies = {t(lang, key) for lang in ("en", "fr", "de") for key in ("bot.error", "answer.index_empty")}
    for call in delivered:
        chat = int(call.params.get("chat_id", 0))
        first.setdefault(chat, call.time)
        texts[(chat, str(call.params.get("text")) + str(call.params.get("message_id", "")))] += 1
    asked: dict[int, float] = {}  # each user's first POST of their update
    for delivery in (server.pusher.deliveries.values() if server.pusher else ()):
        asked[delivery.chat] = min(asked.get(delivery.chat, delivery.first_post), delivery.first_post)
    latencies = sorted(first[u.id] - asked.get(u.id, started) for u in users if u.id in first)
    last = max((c.time for c in delivered), default=started)
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0
    return Tally(
        updates=len(users), answered=sum(1 for u in users if u.id in first),
        lost=sum(1 for u in users if u.id not in first),
        duplicates=sum(n - 1 for n in texts.values() if n > 1), sends=len(sends),
        errors=sum(1 for c in delivered if c.params.get("text") in apologies),
        too_many=sum(1 for c in sends if c.status == 429),
        p50=statistics.median(latencies) if latencies else 0.0, p95=p95, seconds=max(last - started, 1e-9),
    )
