"""What the campaign-update tests share: recipients who agreed, and the messages they received."""

from __future__ import annotations

from pathlib import Path

from bot.storage import open_storage
from tests.fakebotapi import FakeBotApi, FakeUser

TEXTS = {"en": "[en] The <b>hearing</b> is on 3 March.", "fr": "[fr] L'<b>audience</b> a lieu le 3 mars.",
         "de": "[de] Die <b>Verhandlung</b> ist am 3. März."}
FIRST_ID = 500_000


def update_messages(server: FakeBotApi, user_id: int) -> list[str]:
    """The campaign-update messages a user received."""
    return [m["text"] for m in server.sent(user_id) if m.get("text", "")[:4] in ("[en]", "[fr]", "[de]")]


def seed(server: FakeBotApi, db_path: Path, count: int) -> dict[int, str]:
    """`count` people who agreed to updates, in three languages; some chose another language with /lang since."""
    storage = open_storage(db_path)
    expected, rows = {}, []
    for n in range(count):
        user_id, lang = FIRST_ID + n, ("en", "fr", "de")[n % 3]
        FakeUser(server, user_id, f"U{n}", language_code=lang)
        rows.append(("INSERT INTO update_consent (user_id, lang, source, consent_version, agreed) "
                     "VALUES (?, ?, 'updates', '2026-12-01', '2026-12-01T00:00:00+00:00')", (user_id, lang)))
        if n % 10 == 0:  # their /lang choice wins over the language they agreed in
            lang = ("fr", "de", "en")[n % 3]
            rows.append(("INSERT INTO users (user_id, lang, updated) VALUES (?, ?, '')", (user_id, lang)))
        expected[user_id] = lang
    storage.db.transaction(rows)  # one commit: the same rows as /updates on and /lang would write, 1,000 times faster
    storage.db.close()
    return expected
