"""The command line as operators and external harnesses use it: JSON contract, eval output, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def legalbot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ...` in a child process."""
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_ask_json_contract(indexed: Settings) -> None:
    """`ask --json` gives answer, lang, in_scope, citations and passages, and cites only returned passages."""
    run = legalbot("ask", "Kann ich der Nutzung meiner Fotos für Metas KI widersprechen?", "--json",
                   env={"LEGALBOT_DATA_DIR": str(indexed.data_dir)})
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert set(data) == {"answer", "lang", "in_scope", "citations", "passages"}
    assert data["lang"] == "de" and data["in_scope"] is True
    assert data["citations"] and all({"id", "label", "url"} <= set(c) for c in data["citations"])
    returned = {p["id"].split("#")[0] for p in data["passages"]}
    assert {c["id"].split("#")[0] for c in data["citations"]} <= returned
    assert "Keine Rechtsberatung" in data["answer"] or "keine Rechtsberatung" in data["answer"]


def test_ask_refuses_off_topic_in_the_asked_language(indexed: Settings) -> None:
    """An off-topic question is refused politely, with no citations."""
    run = legalbot("ask", "Quelle est la meilleure recette de crêpes ?", "--lang", "fr", "--json",
                   env={"LEGALBOT_DATA_DIR": str(indexed.data_dir)})
    data = json.loads(run.stdout)
    assert data["in_scope"] is False and data["citations"] == [] and data["lang"] == "fr"
    assert "/object" in data["answer"]


def test_eval_prints_figures_and_writes_rows(indexed: Settings, tmp_path: Path) -> None:
    """`eval --out` prints per-language figures and writes one ranked row per question."""
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"q": "Is it too late to object?", "lang": "en", "expect": ["faq/object-deadline"]}\n'
        '{"q": "wie wird das Wetter morgen", "lang": "de", "expect": []}\n', encoding="utf-8")
    out = tmp_path / "rows.jsonl"
    run = legalbot("eval", str(questions), "--out", str(out), env={"LEGALBOT_DATA_DIR": str(indexed.data_dir)})
    assert run.returncode == 0, run.stderr
    assert "recall@5" in run.stdout and "refused: 1.000" in run.stdout
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["in_scope"] for r in rows] == [True, False]
    assert rows[0]["ranked"] and set(rows[0]) == {"q", "lang", "ranked", "in_scope"}


def test_broken_config_is_one_clear_line(tmp_path: Path) -> None:
    """A bad setting stops the command with exit code 2 and names the variable."""
    run = legalbot("ask", "hello", env={"LEGALBOT_FLOOD_LIMIT": "many", "LEGALBOT_DATA_DIR": str(tmp_path)})
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and "LEGALBOT_FLOOD_LIMIT" in run.stderr


def test_env_example_lists_every_setting() -> None:
    """.env.example is in sync with the settings (regenerate with bot.settings.env_example)."""
    from bot.settings import env_example

    assert (REPO / ".env.example").read_text(encoding="utf-8") == env_example()
