"""The console chat runs the same walkthroughs with numbered choices, on the same SQLite storage."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from bot.console.chat import chat_loop
from bot.console.flows import CONSOLE_USER, ConsoleFlows
from bot.storage import open_storage
from tests.conftest import make_settings


def run(tmp_path: Path, lines: list[str]) -> str:
    """Pipe lines through chat_loop; the assistant is never asked (only walkthrough input is sent)."""
    settings = make_settings(tmp_path / "data", corpus_dir=None)
    assistant = SimpleNamespace(settings=settings, ask=None, language_of=lambda text, lang=None: "en")
    said: list[str] = []
    chat_loop(assistant, lines, said.append)  # type: ignore[arg-type]
    return "\n".join(said)


def test_console_objection_in_french(tmp_path: Path) -> None:
    """Numbers answer the buttons, a typed country name works too, and the documents are printed."""
    output = run(tmp_path, ["/lang fr", "/object", "3", "France", "1", "6", "4", "/status", "/quit", "/object"])
    assert "Pour quels comptes" in output and "  3. Les deux" in output
    objection = output.split("Madame, Monsieur,", 1)[1]
    assert "article 21" in objection and "article 9" in objection
    assert "https://www.facebook.com/help/contact/" in output and "https://help.instagram.com/contact/" in output
    assert "Commission nationale de l'informatique et des libertés (CNIL)" in output
    assert "⬜ Facebook" in output  # /status after the walkthrough
    assert output.count("Pour quels comptes") == 1  # nothing after /quit


def test_console_numbers_out_of_range_and_forget(tmp_path: Path) -> None:
    output = run(tmp_path, ["/object", "9", "1", "/forget", "1", "/mydata"])
    assert "Please type a number from 1 to 4" in output
    assert "In which country do you live?" in output
    assert "has been erased" in output and "I store nothing about you." in output


def test_console_uses_the_bot_database_with_a_fixed_local_id(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", corpus_dir=None)
    flows = ConsoleFlows.from_settings(settings)
    flows.handle("/signup")
    flows.handle("1")
    row = open_storage(settings.db_path).load_flow(CONSOLE_USER)
    assert row["flow"] == "signup" and row["step"] == "country"
    assert flows.handle("What is Article 21?") is not None  # mid-flow: the step is asked again
    flows.handle("/cancel")
    assert flows.handle("What is Article 21?") is None  # no flow: a question for the assistant
