"""FlowSession on a real SQLite file: effects, progress marks, switching, cancelling and forgetting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.flows import FlowSession, View
from bot.settings import Settings
from bot.storage import Storage, open_storage
from tests.conftest import make_settings

SIGNUP = ["intro:ok", "country:c:IE", "platforms:c:instagram", "adult:c:yes", "consent:c:yes", "contact:c:no"]


@pytest.fixture
def env(tmp_path: Path) -> tuple[Storage, Settings]:
    """Storage and settings on a fresh database."""
    settings = make_settings(tmp_path, corpus_dir=None, signup_url="https://ngo.example/join")
    return open_storage(settings.db_path), settings


def session(env: tuple[Storage, Settings], user_id: int = 7, lang: str = "en") -> FlowSession:
    """A session for one user."""
    return FlowSession(env[0], env[1], user_id, lang)


def presses(s: FlowSession, flow: str, steps: list[str]) -> list[View]:
    """Press each `step:action` in turn; returns the last views."""
    views: list[View] = []
    for step in steps:
        views = s.press(f"fl:{flow}:{step}")
    return views


def test_signup_stores_one_record_even_when_confirmed_twice(env: tuple[Storage, Settings]) -> None:
    s = session(env)
    s.start("signup")
    presses(s, "signup", SIGNUP)
    [done] = s.press("fl:signup:summary:ok")
    [again] = s.press("fl:signup:summary:ok")
    ref = re.search(r"code: (\S+)", done.text).group(1)
    assert done.done and f"https://ngo.example/join?ref={ref}" in done.text
    assert again.toast and not again.text  # the walkthrough is over: a toast, nothing stored twice
    record = env[0].signup_of(7)
    assert record["ref"] == ref and record["country"] == "IE" and record["contact_ok"] == 0
    assert '"account_on_2025_05_27": "instagram"' in record["eligibility"]
    assert record["consent_version"] == "2025-06-03"
    assert env[0].load_flow(7) is None
    [already] = s.start("signup")
    assert ref in already.text and "already signed up" in already.text


def test_done_marks_work_after_the_walkthrough_ended(env: tuple[Storage, Settings]) -> None:
    s = session(env, lang="de")
    [view] = s.press("fl:object:result:mark:instagram")
    assert view.edit and "Instagram" in view.toast and view.buttons[0][0].action == "fl:object:result:mark:instagram"
    assert list(env[0].progress(7)) == ["object:instagram"]
    assert s.press("fl:object:result:mark:whatsapp")[0].toast  # not a mark this flow offers: refused politely
    assert list(env[0].progress(7)) == ["object:instagram"]
    status = s.status().text
    assert "✅ Instagram" in status and "⬜ Facebook" in status and "/signup" in status


def test_switching_flows_asks_first_and_staying_keeps_the_answers(env: tuple[Storage, Settings]) -> None:
    s = session(env, lang="fr")
    s.start("object")
    s.press("fl:object:platforms:c:facebook")
    [question] = s.start("signup")
    assert [b.action for row in question.buttons for b in row] == ["fs:signup", "fs:stay"]
    [kept] = s.press("fs:stay")
    assert kept.step == "country" and "continuons" in kept.text
    [switched] = s.press("fs:signup")
    assert switched.flow == "signup" and switched.step == "intro" and switched.edit
    assert env[0].load_flow(7)["flow"] == "signup"
    [stale] = s.press("fl:object:country:c:FR")  # a button of the abandoned walkthrough
    assert stale.flow == "signup" and "question précédente" in stale.text


def test_a_halt_step_lets_another_flow_start_without_asking(env: tuple[Storage, Settings]) -> None:
    s = session(env)
    s.start("signup")
    [halt] = presses(s, "signup", ["intro:ok", "country:c:OUT"])
    assert halt.step == "not_resident" and "go:object" in [b.action for row in halt.buttons for b in row]
    assert s.text("What can I do?") is None  # at a dead end, typed text is a question again
    [back] = s.press("fl:signup:not_resident:back")
    assert back.step == "country"
    s.press("fl:signup:country:c:OUT")
    [started] = s.press("go:object")
    assert started.flow == "object" and started.step == "platforms"


def test_typed_text_answers_or_reasks(env: tuple[Storage, Settings]) -> None:
    s = session(env, lang="de")
    assert s.text("Hallo") is None
    s.start("object")
    [reask] = s.text("Keine Ahnung")
    assert reask.step == "platforms" and "erwartet" in reask.text
    [moved] = s.text("beide")
    assert moved.step == "country" and not moved.edit
    [moved] = s.text("Österreich")
    assert moved.step == "situation"


def test_cancel_and_forget(env: tuple[Storage, Settings]) -> None:
    s = session(env)
    assert "nothing to cancel" in s.cancel().text
    s.start("object")
    [cancelled] = s.press("fl:object:platforms:cancel")
    assert cancelled.edit and "/object" in cancelled.text and env[0].load_flow(7) is None
    s.start("object")
    env[0].set_lang(7, "en")
    kept = s.press("fg:no")
    assert "Nothing was erased" in kept[0].text and kept[1].step == "platforms"
    [gone] = s.press("fg:yes")
    assert "erased" in gone.text
    assert all(rows == [] for rows in env[0].mydata(7).values())
    assert "nothing" in s.mydata().text


def test_mydata_lists_rows_with_readable_table_names(env: tuple[Storage, Settings]) -> None:
    s = session(env, lang="fr")
    s.start("object")
    s.press("fl:object:platforms:c:both")
    text = s.mydata().text
    assert "Parcours en cours" in text and "flow: object" in text and "/forget" in text


def test_a_step_removed_from_the_file_does_not_break_a_stored_state(env: tuple[Storage, Settings]) -> None:
    env[0].save_flow(7, "object", "old_step_id", {}, [])
    s = session(env)
    assert s.state() is None
    [fresh] = s.start("object")
    assert fresh.step == "platforms"
