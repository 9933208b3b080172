"""The walkthroughs as a Telegram user meets them: /object, /signup, bad input, restarts, /status, /mydata, /forget."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from bot.core.assistant import Assistant
from bot.core.flows.docs import platforms
from bot.settings import REPO_ROOT
from tests.e2e.conftest import Harness, bot_settings, running
from tests.fakebotapi import FakeBotApi, FakeUser

TIMEOUT = 20.0
FORMS = {pid: entry["objection_form"] for pid, entry in platforms(REPO_ROOT / "knowledge")["platforms"].items()}


def datas(message: dict) -> list[str]:
    """Callback data of every inline button of a message."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b.get("callback_data", "") for row in rows for b in row]


def user_rows(db_path: Path, user_id: int) -> dict[str, int]:
    """Rows about the user in every table that has a user_id column (found in sqlite_master, so none is missed)."""
    with sqlite3.connect(db_path) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        found = {}
        for table in tables:
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            if "user_id" in columns:
                found[table] = conn.execute(f"SELECT COUNT(*) FROM {table} WHERE user_id = ?", (user_id,)).fetchone()[0]
    return found


class Walker:
    """Drives one user through a walkthrough: press a button wherever it is shown, wait for what comes next."""

    def __init__(self, server: FakeBotApi, user: FakeUser) -> None:
        self.server, self.user = server, user

    def messages(self) -> list[dict[str, Any]]:
        """The bot's messages in the user's chat, as they are now (after edits)."""
        return self.server.bot_messages(self.user.id)

    def _holder(self, data: str) -> dict | None:
        return next((m for m in reversed(self.messages()) if data in datas(m)), None)

    async def button(self, data: str) -> dict:
        """Wait until a message shows this button."""
        return await self.server.await_for(lambda: self._holder(data), TIMEOUT, what=f"button {data}")

    async def text(self, needle: str) -> dict:
        """Wait until a message contains this text."""
        return await self.server.await_for(
            lambda: next((m for m in reversed(self.messages()) if needle in m.get("text", "")), None),
            TIMEOUT, what=f"a message with {needle!r}")

    async def label(self, data: str, label: str) -> None:
        """Wait until the button with this data reads `label...` (keyboards change by edits)."""
        def shown() -> bool:
            rows = (self._holder(data) or {}).get("reply_markup", {}).get("inline_keyboard", [])
            return any(b.get("callback_data") == data and b["text"].startswith(label) for row in rows for b in row)

        await self.server.await_for(shown, TIMEOUT, what=f"{data} labelled {label!r}")

    async def press(self, data: str, expect: str | None = None) -> dict:
        """Press a button, wait for its answer and, if given, for the next button to appear."""
        query = self.user.press(data, await self.button(data))
        await self.server.await_for(lambda: self.server.callback_answer(query["id"]), TIMEOUT, what="answer")
        if expect:
            await self.button(expect)
        return query

    async def through(self, flow: str, *steps: str) -> None:
        """Press `fl:{flow}:{step}` for each step but the last, each time waiting for the next step's button."""
        tokens = [f"fl:{flow}:{step}" for step in steps]
        for data, expect in pairwise(tokens):
            await self.press(data, expect=expect)


@pytest.fixture
async def flowbot(server: FakeBotApi, tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot without a knowledge index: walkthroughs need none, so these tests start in a second."""
    settings = bot_settings(server, tmp_path / "data")
    async with running(settings, None) as app:
        yield Harness(server, app, settings)


async def test_french_user_objects_on_both_platforms(flowbot: Harness) -> None:
    """Platforms, paged countries, situation with Back, summary, then the documents, form links and authority."""
    user = FakeUser(flowbot.server, 601, "Chloé", language_code="fr")
    walk = Walker(flowbot.server, user)
    user.send_command("/object")
    await walk.press("fl:object:platforms:c:both", expect="fl:object:country:p:1")
    await walk.press("fl:object:country:p:1", expect="fl:object:country:c:HU")
    await walk.press("fl:object:country:p:0", expect="fl:object:country:c:FR")
    await walk.press("fl:object:country:c:FR", expect="fl:object:situation:t:art9")
    await walk.press("fl:object:situation:t:art9")
    await walk.label("fl:object:situation:t:art9", "✅ Santé")
    await walk.press("fl:object:situation:back", expect="fl:object:country:c:FR")
    await walk.label("fl:object:country:c:FR", "✓ France")
    await walk.press("fl:object:country:c:FR", expect="fl:object:situation:ok")
    await walk.label("fl:object:situation:t:art9", "✅ Santé")  # the choice was kept
    await walk.press("fl:object:situation:ok", expect="fl:object:summary:ok")
    summary = await walk.text("Vérifiez vos réponses")
    assert "Les deux" in summary["text"] and "France" in summary["text"]
    await walk.press("fl:object:summary:ok")
    await walk.text("Deux choses encore")

    texts = [m["text"] for m in walk.messages()]
    objection = next(text for text in texts if text.startswith("Madame, Monsieur"))
    assert "article 21" in objection and "article 9" in objection and "confirmer par écrit" in objection
    joined = "\n".join(texts)
    assert FORMS["facebook"] in joined and FORMS["instagram"] in joined
    assert "Commission nationale de l'informatique et des libertés (CNIL)" in joined
    assert "article 12, paragraphe 3" in joined and "Réclamation au titre de l'article 77" in joined
    assert user_rows(flowbot.settings.db_path, user.id)["flow_state"] == 0  # finished: answers deleted

    query = await walk.press("fl:object:result:mark:facebook")
    assert "Facebook" in flowbot.server.callback_answer(query["id"])["text"]
    user.send_command("/status")
    status = await walk.text("Où vous en êtes")
    assert "✅ Facebook" in status["text"] and "⬜ Instagram" in status["text"]


async def test_german_user_gets_the_authority_of_their_land(flowbot: Harness) -> None:
    """Deep link /start object; Germany asks for the Land and names its authority; no Art. 9 unless chosen."""
    user = FakeUser(flowbot.server, 602, "Jonas", language_code="de")
    walk = Walker(flowbot.server, user)
    user.send_command("/start", "object")
    await walk.through("object", "platforms:c:instagram", "country:c:DE", "land:c:DE-BE", "situation:ok", "summary:ok")
    await walk.press("fl:object:summary:ok")
    next_steps = await walk.text("Wie es weitergeht")
    assert "Berliner Beauftragte für Datenschutz und Informationsfreiheit" in next_steps["text"]
    assert "https://kontakt.datenschutz-berlin.de/" in next_steps["text"]
    texts = [m["text"] for m in walk.messages()]
    objection = next(text for text in texts if text.startswith("Sehr geehrte"))
    assert "Art. 21 Abs. 1 DSGVO" in objection and "Artikel 9" not in objection
    assert FORMS["instagram"] in "\n".join(texts) and FORMS["facebook"] not in "\n".join(texts)


async def test_walkthrough_continues_after_a_restart(server: FakeBotApi, tmp_path: Path) -> None:
    """The state is in SQLite: after a restart, the old message's buttons and /object both continue."""
    settings = bot_settings(server, tmp_path / "data")
    user = FakeUser(server, 603, "Hugo", language_code="fr")
    walk = Walker(server, user)
    async with running(settings, None):
        user.send_command("/object")
        await walk.press("fl:object:platforms:c:facebook", expect="fl:object:country:c:FR")
    async with running(settings, None):
        await walk.press("fl:object:country:c:FR", expect="fl:object:situation:ok")
        user.send_command("/object")
        resumed = await walk.text("Bon retour")
        assert "fl:object:situation:ok" in datas(resumed)
        await walk.press("fl:object:situation:ok", expect="fl:object:summary:ok")
        summary = await walk.text("Vérifiez vos réponses")
        assert "Facebook" in summary["text"] and "France" in summary["text"]


async def test_bad_input_never_loses_the_walkthrough(flowbot: Harness) -> None:
    """Typed text, a typed answer, a stale button, a double press, switching flows and /forget mid-flow."""
    server = flowbot.server
    user = FakeUser(server, 604, "Inès", language_code="fr")
    walk = Walker(server, user)
    user.send_command("/object")
    first = await walk.button("fl:object:platforms:c:both")
    user.send_text("je ne sais pas trop")
    reask = await walk.text("J'attendais une réponse")
    assert "fl:object:platforms:c:both" in datas(reask)
    user.send_text("Instagram")  # a typed label counts as the answer
    await walk.button("fl:object:country:c:FR")

    user.press("fl:object:platforms:c:both", first)  # the first message still shows the old question
    stale = await walk.text("Ce bouton appartient à une question précédente")
    assert "fl:object:country:c:FR" in datas(stale)

    country = await walk.button("fl:object:country:c:BE")
    one, two = user.press("fl:object:country:c:BE", country), user.press("fl:object:country:c:BE", country)
    await server.await_for(lambda: server.callback_answer(two["id"]), TIMEOUT)
    await server.await_for(lambda: server.callback_answer(one["id"]), TIMEOUT)
    assert "déjà noté" in (server.callback_answer(two["id"]).get("text") or "")
    await walk.button("fl:object:situation:ok")

    user.send_command("/signup")
    switch = await walk.button("fs:stay")
    assert "fs:signup" in datas(switch) and "démarche d'opposition" in switch["text"]
    await walk.press("fs:stay")
    await walk.text("Très bien, continuons")

    user.send_command("/forget")
    await walk.press("fg:no")
    await walk.text("Rien n'a été effacé")
    await walk.press("fl:object:situation:ok", expect="fl:object:summary:ok")
    summary = await walk.text("Vérifiez vos réponses")
    assert "Instagram" in summary["text"] and "Belgique" in summary["text"]


async def test_ineligible_signup_hears_why_and_what_else_to_do(flowbot: Harness) -> None:
    """Under 18 on 27 May 2025: the explanation, a way to object instead, and no record."""
    user = FakeUser(flowbot.server, 605, "Lina", language_code="fr")
    walk = Walker(flowbot.server, user)
    user.send_command("/signup")
    intro = await walk.text("action représentative")
    # No LEGALBOT_SITE_URL in tests: the guide is named by its title, never linked to a page that does not exist.
    assert "2020/1828" in intro["text"] and "«L'action de groupe européenne" in intro["text"]
    assert "example.org" not in intro["text"]
    await walk.through("signup", "intro:ok", "country:c:FR", "platforms:c:facebook", "adult:c:no")
    await walk.press("fl:signup:adult:c:no")
    minor = await walk.text("Vous ne pouvez donc pas participer")
    assert "18 ans" in minor["text"] and "/object" in minor["text"] and "go:object" in datas(minor)
    assert user_rows(flowbot.settings.db_path, user.id)["signups"] == 0


async def test_eligible_signup_leaves_exactly_one_record(flowbot: Harness) -> None:
    """Consent, contact consent, summary, a double confirmation: one record, one reference code, the link."""
    user = FakeUser(flowbot.server, 606, "Marc", language_code="fr")
    walk = Walker(flowbot.server, user)
    user.send_command("/start", "signup")
    await walk.through("signup", "intro:ok", "country:c:BE", "platforms:c:both", "adult:c:yes", "consent:c:yes",
                       "contact:c:yes", "summary:ok")
    summary = await walk.button("fl:signup:summary:ok")
    user.press("fl:signup:summary:ok", summary)
    user.press("fl:signup:summary:ok", summary)
    done = await walk.text("Votre code de référence")
    ref = re.search(r"code de référence : ([A-Z0-9]{4}-[A-Z0-9]{4})", done["text"]).group(1)
    assert f"{flowbot.settings.signup_url}?ref={ref}" in done["text"]
    await flowbot.server.await_idle(quiet=0.5, timeout=TIMEOUT)
    with sqlite3.connect(flowbot.settings.db_path) as conn:
        records = conn.execute("SELECT ref, country, platforms, contact_ok FROM signups WHERE user_id = ?",
                               (user.id,)).fetchall()
    assert records == [(ref, "BE", '["facebook", "instagram"]', 1)]
    user.send_command("/signup")
    again = await walk.text("déjà inscrit")
    assert ref in again["text"]


async def test_mydata_and_forget_leave_no_row_in_any_table(flowbot: Harness) -> None:
    """Language, a Done mark, a sign-up and a walkthrough in progress: /mydata shows them, /forget erases them all."""
    server = flowbot.server
    user = FakeUser(server, 607, "Nora", language_code="en")
    other = FakeUser(server, 608, "Otto", language_code="de")
    walk = Walker(server, user)
    user.send_command("/lang")
    await walk.press("lang:fr")
    storage = flowbot.app.bot_data["services"].storage
    for who, ref in ((user, "AAAA-2222"), (other, "BBBB-3333")):  # the sign-up walk itself is tested above
        storage.add_signup({"ref": ref, "user_id": who.id, "country": "BE", "platforms": ["instagram"],
                            "eligibility": {"adult_on_2025_05_27": "yes"}, "contact_ok": True,
                            "consent_version": "test"})
    storage.mark_done(user.id, "object:instagram")
    user.send_command("/object")
    await walk.press("fl:object:platforms:c:both", expect="fl:object:country:c:FR")
    assert all(user_rows(flowbot.settings.db_path, user.id)[t] for t in ("users", "flow_state", "progress", "signups"))

    user.send_command("/mydata")
    mydata = await walk.text("Tout ce que je conserve sur vous")
    for expected in ("Votre inscription à l'action collective", "Parcours en cours", "object:instagram", "lang: fr"):
        assert expected in mydata["text"]

    user.send_command("/forget")
    await walk.press("fg:yes")
    await walk.text("a été effacé")
    rows = user_rows(flowbot.settings.db_path, user.id)
    assert {"users", "flow_state", "progress", "signups", "tickets"} <= rows.keys()
    assert sum(rows.values()) == 0, rows
    assert user_rows(flowbot.settings.db_path, other.id)["signups"] == 1  # nobody else's data went
    user.send_command("/mydata")
    await walk.text("I store nothing about you")  # the language choice went too: back to Telegram's English


async def test_typed_question_mid_flow_reasks_then_is_answered_after_cancel(bot: Harness, assistant: Assistant) -> None:
    """With the real index: text during a walkthrough re-asks the step; after /cancel it is a question again."""
    user = FakeUser(bot.server, 609, "Paul", language_code="en")
    walk = Walker(bot.server, user)
    user.send_command("/object")
    await walk.button("fl:object:platforms:c:both")
    user.send_text("Can Meta use my photos?")
    await walk.text("I was expecting an answer")
    user.send_command("/cancel")
    await walk.text("Cancelled")
    user.send_text("Can Meta use my photos?")
    answer = await walk.text("Sources")
    assert "General information" in "\n".join(m["text"] for m in walk.messages()) and answer
