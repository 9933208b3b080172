"""Campaign updates without Telegram: consent (sign-up, /updates, /mydata, /forget), audiences, the staff form."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.broadcast.consent import OFF, ON, change, consent_version, updates_view
from bot.broadcast.form import BroadcastForm
from bot.broadcast.html import html_problem
from bot.broadcast.model import Audience, Draft
from bot.broadcast.preview import parse_file
from bot.broadcast.store import BroadcastStore
from bot.core.flows import FlowSession
from bot.errors import LegalbotError
from bot.storage import Storage, open_storage
from tests.conftest import make_settings
from tests.integration.test_flow_session import SIGNUP, presses


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    """A fresh database file."""
    return open_storage(tmp_path / "legalbot.sqlite3")


def sign_up(storage: Storage, tmp_path: Path, user_id: int, country: str, contact: str, lang: str = "fr") -> None:
    """The sign-up walkthrough to the end, answering the contact question."""
    session = FlowSession(storage, make_settings(tmp_path, corpus_dir=None), user_id, lang)
    session.start("signup")
    steps = [step.replace("IE", country) for step in SIGNUP[:-1]] + [f"contact:c:{contact}"]
    presses(session, "signup", steps)
    session.press("fl:signup:summary:ok")


def test_the_signup_contact_question_and_updates_are_one_consent(storage: Storage, tmp_path: Path) -> None:
    """'Yes, you may contact me' is the updates consent; /updates off withdraws both; /mydata and /forget see it."""
    store = BroadcastStore(storage.db)
    sign_up(storage, tmp_path, 7, "IE", "yes")
    sign_up(storage, tmp_path, 8, "IE", "no")
    record = store.consent_of(7)
    assert record["source"] == "signup" and record["consent_version"] == "2025-06-03" and record["lang"] == "fr"
    assert store.consent_of(8) is None
    assert "activées depuis" in updates_view(store, 7, "fr").text
    off = change(store, 7, "fr", OFF)
    assert off.buttons[0][0].action == ON and store.consent_of(7) is None
    assert storage.signup_of(7)["contact_ok"] == 0  # the export no longer hands out the id
    change(store, 9, "de", ON)  # never signed up: may still choose updates
    assert store.consent_of(9)["consent_version"] == consent_version() and store.consent_of(9)["source"] == "updates"
    session = FlowSession(storage, make_settings(tmp_path, corpus_dir=None), 9, "de")
    assert "Ihre Einwilligung in Kampagnen-Neuigkeiten" in session.mydata().text
    storage.forget(9)
    assert store.consent_of(9) is None and "Kampagnen" not in session.mydata().text


def test_audience_filters_languages_and_fallbacks(storage: Storage, tmp_path: Path) -> None:
    """Country and signed-up filters; recipients' /lang wins; languages without a text fall back to English."""
    store = BroadcastStore(storage.db)
    sign_up(storage, tmp_path, 1, "FR", "yes", "fr")
    sign_up(storage, tmp_path, 2, "DE", "yes", "de")
    sign_up(storage, tmp_path, 3, "FR", "no", "fr")  # did not agree: never a recipient
    store.give_consent(4, "de", "updates", "v")
    storage.set_lang(4, "en")
    draft = Draft({"en": "Hello", "fr": "Bonjour"})
    assert store.preview(draft, 30).per_lang == {"en": 1, "fr": 1, "de": 1}
    assert store.preview(draft, 30).fallbacks == 1
    fr_only = Draft(draft.texts, audience=Audience(("FR",), None))
    assert store.preview(fr_only, 30).total == 1
    assert store.preview(Draft(draft.texts, audience=Audience((), False)), 30).total == 1
    broadcast_id = store.create(draft, None)
    assert store.confirm(broadcast_id, None) == 3 and store.confirm(broadcast_id, None) == 0
    rows = store.db.query("SELECT user_id, lang FROM broadcast_deliveries ORDER BY user_id")
    assert rows == [{"user_id": 1, "lang": "fr"}, {"user_id": 2, "lang": "en"}, {"user_id": 4, "lang": "en"}]
    assert store.withdraw_consent(1)
    assert store.progress(broadcast_id).counts == {"pending": 2, "withdrawn": 1}


def test_the_staff_form_checks_each_answer() -> None:
    """HTML, button and audience answers are checked; English is required; '-' skips a language."""
    form = BroadcastForm()
    assert form.accept("-") == "broadcast.errors.no_english"
    assert form.accept("<b>Hello</i>") == "broadcast.errors.html_local" and "</i>" in (form.problem or "")
    assert form.accept("<b>Hello</b> &amp; welcome") is None
    assert form.accept("Bonjour") is None and form.accept("-") is None
    assert form.accept("https://x.example\nfr: Lire") == "broadcast.errors.button_format"
    assert form.accept("https://x.example\nen: Read\nfr: Lire") is None
    assert form.accept("FR, be signed") is None and form.current is None
    draft = form.draft()
    assert draft.texts == {"en": "<b>Hello</b> &amp; welcome", "fr": "Bonjour"}
    assert draft.button_for("de") == ("Read", "https://x.example") and draft.audience == Audience(("FR", "BE"), True)
    form.back_to("fr")  # Telegram refused the French text in the preview: ask again, then straight back
    assert form.current == "text_fr" and form.accept("Salut") is None and form.current is None


def test_the_command_line_file_format() -> None:
    """'## en' sections, an optional 'button:' last line, and a clear error for bad HTML or no English."""
    draft = parse_file("# Hearing\n## en\nThe <b>hearing</b>.\nbutton: Read\n\n## de\nDie Verhandlung.\n",
                       url="https://x.example")
    assert draft.texts == {"en": "The <b>hearing</b>.", "de": "Die Verhandlung."}
    assert draft.button_for("de") == ("Read", "https://x.example")
    with pytest.raises(LegalbotError, match="English"):
        parse_file("## fr\nBonjour\n")
    with pytest.raises(LegalbotError, match="'## en' section"):
        parse_file("## en\nAT&T <div>x</div>\n")
    with pytest.raises(LegalbotError, match="Unknown language"):
        parse_file("## es\nHola\n")


@pytest.mark.parametrize(("text", "problem"), [
    ("<b>bold</b> <i>it</i> <a href=\"https://x\">link</a> &lt;3", None),
    ("<b>open", "never closed"), ("a < b", "bare"), ("AT&T", "bare &"), ("<div>x</div>", "unsupported tag"),
    ("x &nbsp; y", "unknown entity"), ("<a>no link</a>", "without href"), ("x" * 4097, "longer than"),
])
def test_html_check_follows_telegrams_rules(text: str, problem: str | None) -> None:
    """The tags, entities and length Telegram accepts."""
    found = html_problem(text)
    assert found is None if problem is None else problem in (found or "")
